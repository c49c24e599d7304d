//! Gradient-enhanced PINNs (gPINN): the residual's derivatives along the inputs as extra
//! equations.

use core::cell::Cell;

use crate::ad::jet::Component;
use crate::ad::{Dual, Scalar};
use crate::error::{Error, Result};

use super::{Fields, Pde, Residuals};

/// gPINN (Yu, Lu, Meng & Karniadakis, *Gradient-enhanced physics-informed neural networks for
/// forward and inverse PDE problems*, CMAME 393, 2022): the loss
///
/// `L = mean(r²) + w_g Σ_{i ∈ axes} mean((∂r/∂x_i)²)`,
///
/// where `∂r/∂x_i` is the **total** derivative of the residual along input `i`: through the
/// network's derivative values (one order higher than the PDE reads) and through the point
/// itself, so a source term `f(x)` is differentiated too.
///
/// It is a [`Pde`] wrapping another: its equations are the wrapped residual `r` (its
/// `equations()` of them), then `√w_g·∂r/∂x_i` for each listed axis in order, so a PDE term of
/// this problem has exactly the loss above (the term's mean over points of the sum of squares
/// over equations). The derivative is taken by evaluating the wrapped residual once more on
/// dual numbers `x + ε·e_i`, with each derivative value `v` of the network carried as
/// `v + ε·∂v/∂x_i`: [`Component::Value`] → `First(i)`, `First(j)` → `Second(j, i)`,
/// `Second(j, k)` → `Third(j, k, i)`, `Third(j, k, l)` → `Fourth(j, k, l, i)` and
/// [`Component::Laplacian`] → `Σ_k Third(k, k, i)`. The jets deliver those components with
/// the others; the trainer's seeds differentiate the whole through nested dual numbers.
///
/// **Cost:** one derivative order more in the jets (a second-order PDE needs third
/// derivatives) and `1 + |axes|` residual evaluations per point.
///
/// ```
/// use pinn::pde::{Pde, GradientEnhanced};
/// use pinn::pde::problems::Poisson1D;
/// use pinn::ad::jet::Component;
/// // Poisson 1D reads u_xx; its gPINN form reads u_xxx as well and has two equations.
/// let g = GradientEnhanced::new(Poisson1D::default(), 0.01, &[0])?;
/// assert_eq!(g.equations(), 2);
/// assert_eq!(g.components(), vec![Component::Second(0, 0), Component::Third(0, 0, 0)]);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct GradientEnhanced<P> {
    pde: P,
    weight: f64,
    axes: Vec<usize>,
    base: Vec<Component>,
    /// `base_mask[c·m + o]`: whether output `o` of the wrapped PDE reads `base[c]`
    /// ([`Pde::output_components`]); empty: all do.
    base_mask: Vec<bool>,
    /// For each axis, for each base component: the raised components summed.
    raised: Vec<Vec<Vec<Component>>>,
}

/// `∂c/∂x_i` as a sum of components, or `None` beyond the jets' fourth order.
fn raise(c: Component, i: usize, dim: usize) -> Option<Vec<Component>> {
    use Component::*;
    Some(match c {
        Value => vec![First(i)],
        First(j) => vec![Second(j, i)],
        Second(j, k) => vec![Third(j, k, i)],
        Third(j, k, l) => vec![Fourth(j, k, l, i)],
        Laplacian => (0..dim).map(|k| Third(k, k, i)).collect(),
        Fourth(..) | Biharmonic => return None,
    })
}

impl<P: Pde> GradientEnhanced<P> {
    /// `pde` with the gradient term of weight `w_g = weight` along the inputs `axes` (all of
    /// them for gPINN as written; time too for evolution problems).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for a weight that is negative or not finite, no axes, an axis
    /// listed twice or beyond the input dimension, or a PDE that reads fourth derivatives
    /// (their derivative would be of order five, beyond the jets).
    pub fn new(pde: P, weight: f64, axes: &[usize]) -> Result<Self> {
        let bad = |field, reason: String| Err(Error::InvalidConfig { field, reason });
        if !(weight.is_finite() && weight >= 0.0) {
            return bad(
                "gpinn.weight",
                format!("must be finite and ≥ 0, found {weight}"),
            );
        }
        let d = pde.dim();
        if axes.is_empty() || axes.iter().any(|&a| a >= d) {
            return bad(
                "gpinn.axes",
                format!("need one or more axes below the dimension {d}, found {axes:?}"),
            );
        }
        if (1..axes.len()).any(|k| axes[..k].contains(&axes[k])) {
            return bad("gpinn.axes", format!("an axis is listed twice: {axes:?}"));
        }
        let mut base: Vec<Component> = Vec::new();
        for c in pde.components() {
            let c = super::normalise_component(c);
            if !base.contains(&c) {
                base.push(c);
            }
        }
        let m = pde.outputs();
        let base_mask = match super::output_mask(&pde, &base, m) {
            Ok(mask) => mask,
            Err((o, c)) => {
                return bad(
                    "gpinn.pde",
                    format!(
                        "{}: output_components({o}) lists {c:?}, which components() does not",
                        pde.name()
                    ),
                );
            }
        };
        let mut raised = Vec::with_capacity(axes.len());
        for &i in axes {
            let mut per = Vec::with_capacity(base.len());
            for &c in &base {
                match raise(c, i, d) {
                    Some(v) => per.push(v.into_iter().map(super::normalise_component).collect()),
                    None => {
                        return bad(
                            "gpinn.pde",
                            format!(
                                "{} reads {c:?}, whose derivative is of order 5: the jets stop \
                                 at order 4",
                                pde.name()
                            ),
                        );
                    }
                }
            }
            raised.push(per);
        }
        Ok(GradientEnhanced {
            pde,
            weight,
            axes: axes.to_vec(),
            base,
            base_mask,
            raised,
        })
    }

    /// The wrapped PDE.
    pub fn inner(&self) -> &P {
        &self.pde
    }

    /// `w_g`.
    pub fn weight(&self) -> f64 {
        self.weight
    }

    /// The axes along which the residual is differentiated.
    pub fn axes(&self) -> &[usize] {
        &self.axes
    }
}

impl<P: Pde> Pde for GradientEnhanced<P> {
    fn dim(&self) -> usize {
        self.pde.dim()
    }
    fn outputs(&self) -> usize {
        self.pde.outputs()
    }
    fn equations(&self) -> usize {
        self.pde.equations() * (1 + self.axes.len())
    }
    fn components(&self) -> Vec<Component> {
        let mut all = self.base.clone();
        for c in self.raised.iter().flatten().flatten() {
            if !all.contains(c) {
                all.push(*c);
            }
        }
        all
    }
    fn output_components(&self, o: usize) -> Vec<Component> {
        let m = self.pde.outputs();
        let reads = |c: usize| self.base_mask.get(c * m + o) != Some(&false);
        let mut own: Vec<Component> = (0..self.base.len())
            .filter(|&c| reads(c))
            .map(|c| self.base[c])
            .collect();
        for per in &self.raised {
            for (_, up) in per.iter().enumerate().filter(|&(c, _)| reads(c)) {
                for k in up {
                    if !own.contains(k) {
                        own.push(*k);
                    }
                }
            }
        }
        own
    }
    fn residual<S: Scalar>(
        &self,
        x: &[S],
        u: &Fields<'_, S>,
        coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        let (m, neq, all) = (self.pde.outputs(), self.pde.equations(), self.equations());
        let mut buf = vec![S::zero(); neq];
        let mut head = Residuals::new(&mut buf);
        self.pde.residual(x, u, coef, &mut head);
        let (skip, past) = (head.unwritten(), head.out_of_range());
        // The wrapped residual's own mistakes surface as this one's: an equation it left
        // unwritten stays unwritten here, an index past its end is used past this one's end.
        let report = |r: &mut Residuals<'_, S>, past: Option<usize>| {
            if let Some(i) = past {
                r[all + i - neq] = S::zero();
            }
        };
        report(r, past);
        for (eq, &v) in buf.iter().enumerate() {
            if skip != Some(eq) {
                r[eq] = v;
            }
        }
        let w = S::from_f64(self.weight.sqrt());
        let coef: Vec<Dual<S>> = coef.iter().map(|&c| Dual::constant(c)).collect();
        let mut xd: Vec<Dual<S>> = x.iter().map(|&v| Dual::constant(v)).collect();
        let mut vals = vec![Dual::constant(S::zero()); self.base.len() * m];
        let mut rd = vec![Dual::constant(S::zero()); neq];
        for (a, &i) in self.axes.iter().enumerate() {
            xd[i].eps = S::one();
            for (c, (&comp, up)) in self.base.iter().zip(&self.raised[a]).enumerate() {
                for o in 0..m {
                    // An output that does not read `comp` is neither asked for it nor for its
                    // derivative (the inner fields refuse the read).
                    if self.base_mask.get(c * m + o) != Some(&false) {
                        let eps = up.iter().fold(S::zero(), |s, &k| s + u.get(o, k));
                        vals[c * m + o] = Dual::new(u.get(o, comp), eps);
                    }
                }
            }
            let (missing, missing_output) = (Cell::new(None), Cell::new(None));
            let fields = Fields::new(&self.base, m, &vals, &missing)
                .restricted(&self.base_mask)
                .recording_output(&missing_output);
            let mut rdr = Residuals::new(&mut rd);
            self.pde.residual(&xd, &fields, &coef, &mut rdr);
            let skip = rdr.unwritten();
            if let Some(c) = missing.get() {
                // The wrapped residual read something it did not declare: pass it on to the
                // outer fields, so that the trainer reports it.
                u.refuse(missing_output.get().unwrap_or(0), c);
            }
            for (eq, v) in rd.iter().enumerate() {
                if skip != Some(eq) {
                    r[neq * (1 + a) + eq] = w * v.eps;
                }
            }
            xd[i].eps = S::zero();
        }
    }
    fn coefficients(&self) -> Vec<f64> {
        self.pde.coefficients()
    }
    fn coefficient_specs(&self) -> Vec<crate::pde::Coefficient> {
        self.pde.coefficient_specs()
    }
    fn name(&self) -> String {
        format!("gpinn({}, w_g = {})", self.pde.name(), self.weight)
    }
}
