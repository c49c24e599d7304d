//! The residual kernels: how a loss term turns the model's derivative values at a chunk of
//! points into its loss and into the seeds of the reverse sweep.
//!
//! A point-wise term (the PDE, or a condition) implements [`PointResidual`]: the residuals at
//! one point, written once and generic over [`Scalar`]. [`pointwise`] evaluates it on dual
//! numbers to get, per point, `Σ_e ω_e r_e²` and the seeds
//! `∂L/∂v = 2·w/N·λ_p²·Σ_e ω_e r_e·∂r_e/∂v` for every derivative value `v`, and the gradient
//! of the PDE's trainable coefficients, one dual pass per coefficient. A periodic pair is not point-wise (it compares two points) and has its own
//! kernel, [`periodic`].

use core::cell::Cell;

use crate::ad::jet::Component;
use crate::ad::{Dual, Real, Scalar};
use crate::error::{Error, Result};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::TermKind;
use super::term::Prepared;

/// The residuals of one kind of term at one point.
pub(crate) trait PointResidual: Sync {
    /// Whether the PDE's trainable coefficients enter the residual.
    fn uses_coefficients(&self) -> bool;
    /// `r[0..equations]` at point number `index` of the term, with coordinates `x` (as given)
    /// and `xs` (as the residual's scalar type).
    fn residual<S: Scalar>(
        &self,
        index: usize,
        x: &[f64],
        xs: &[S],
        u: &Fields<'_, S>,
        coef: &[S],
        r: &mut Residuals<'_, S>,
    );
}

/// The PDE residual `𝒩[u](x; c)`.
pub(crate) struct PdeResidual<'a, P>(pub(crate) &'a P);

impl<P: Pde> PointResidual for PdeResidual<'_, P> {
    fn uses_coefficients(&self) -> bool {
        true
    }
    fn residual<S: Scalar>(
        &self,
        _index: usize,
        _x: &[f64],
        xs: &[S],
        u: &Fields<'_, S>,
        coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        self.0.residual(xs, u, coef, r);
    }
}

/// A boundary, initial or data condition's residual (one equation).
pub(crate) struct ConditionResidual<'a> {
    pub(crate) condition: &'a Condition,
    /// One outward normal per point, or empty.
    pub(crate) normals: &'a [f64],
}

impl PointResidual for ConditionResidual<'_> {
    fn uses_coefficients(&self) -> bool {
        false
    }
    fn residual<S: Scalar>(
        &self,
        index: usize,
        x: &[f64],
        _xs: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        let d = x.len();
        let normal = self.normals.get(index * d..(index + 1) * d).unwrap_or(&[]);
        r[0] = self.condition.residual(x, index, normal, u);
    }
}

/// Per-thread scratch of the kernels, reused from chunk to chunk.
#[derive(Debug)]
pub(crate) struct Scratch<T> {
    /// Model values and seeds of the chunk, `[point][component][output]`.
    pub(crate) vals: Vec<T>,
    pub(crate) seeds: Vec<T>,
    dvals: Vec<Dual<T>>,
    xs: Vec<Dual<T>>,
    r: Vec<Dual<T>>,
    coef_d: Vec<Dual<T>>,
    coef_seeded: Vec<Dual<T>>,
    /// The gradient of the trainable coefficients from the last chunk.
    pub(crate) coef_grad: Vec<T>,
    /// A periodic chunk's points followed by their partners.
    pub(crate) pts: Vec<T>,
    /// Plain-number scratch for scoring.
    plain: Vec<T>,
    plain_r: Vec<T>,
}

impl<T: Real> Default for Scratch<T> {
    fn default() -> Self {
        Scratch {
            vals: Vec::new(),
            seeds: Vec::new(),
            dvals: Vec::new(),
            xs: Vec::new(),
            r: Vec::new(),
            coef_d: Vec::new(),
            coef_seeded: Vec::new(),
            coef_grad: Vec::new(),
            pts: Vec::new(),
            plain: Vec::new(),
            plain_r: Vec::new(),
        }
    }
}

impl<T: Real> Scratch<T> {
    /// Capacity for chunks of up to `points` points of a term with `comps` components of `m`
    /// outputs and `neq` equations, in `d` dimensions, with `n_coef` coefficients: the
    /// kernels then allocate nothing.
    pub(crate) fn reserve(
        &mut self,
        points: usize,
        (comps, m, neq): (usize, usize, usize),
        d: usize,
        n_coef: usize,
    ) {
        fn at_least<V>(v: &mut Vec<V>, n: usize) {
            v.reserve(n.saturating_sub(v.len()));
        }
        at_least(&mut self.vals, points * comps * m);
        at_least(&mut self.seeds, points * comps * m);
        at_least(&mut self.dvals, comps * m);
        at_least(&mut self.xs, d);
        at_least(&mut self.r, neq);
        at_least(&mut self.coef_d, n_coef);
        at_least(&mut self.coef_seeded, n_coef);
        at_least(&mut self.coef_grad, n_coef);
        at_least(&mut self.pts, points * d);
    }
}

/// How a residual spells a read of component `c` of output `o`: `u.d(1, 0)`, `u.lap(0)`, ….
fn accessor(c: Component, o: usize) -> String {
    match c {
        Component::Value => format!("`u.u({o})`"),
        Component::First(k) => format!("`u.d({o}, {k})`"),
        Component::Second(k, l) => format!("`u.d2({o}, {k}, {l})`"),
        Component::Laplacian => format!("`u.lap({o})`"),
        Component::Third(k, l, n) => format!("`u.d3({o}, {k}, {l}, {n})`"),
        Component::Fourth(k, l, n, q) => format!("`u.d4({o}, {k}, {l}, {n}, {q})`"),
        Component::Biharmonic => format!("`u.bilap({o})`"),
    }
}

/// The error for a read the fields could not answer: component `c` of output `o` (`None`: not
/// recorded), in term `t` of a model with `m` outputs.
fn unanswered<T>(c: Component, o: Option<usize>, t: &Prepared<T>, m: usize) -> Error {
    let o = o.unwrap_or(0);
    let read = accessor(c, o);
    if o >= m {
        let s = if m == 1 { "" } else { "s" };
        return Error::Residual {
            term: t.name.clone(),
            reason: format!(
                "it read {read} ({c:?} of output {o}), but the PDE has {m} output{s}, numbered \
                 from 0; the accessors take the output first, then the input axes \
                 (`u.d(o, k)` is ∂u_o/∂x_k)"
            ),
        };
    }
    if let Some(i) = t.comps.iter().position(|&k| k == c)
        && t.allowed.get(i * m + o) == Some(&false)
    {
        let listed: Vec<Component> = (t.comps.iter().enumerate())
            .filter(|&(j, _)| t.allowed[j * m + o])
            .map(|(_, &k)| k)
            .collect();
        return Error::UndeclaredDerivative {
            what: format!(
                "the residual of term `{}` reads {read} (Component::{c:?} of output {o}), \
                 which Pde::output_components({o}) does not declare (it declares \
                 {listed:?}); add Component::{c:?} there",
                t.name
            ),
        };
    }
    let declarer = match t.kind {
        TermKind::Pde => "Pde::components()",
        TermKind::Condition(_) => "the condition's components()",
    };
    Error::UndeclaredDerivative {
        what: format!(
            "the residual of term `{}` reads {read} (Component::{c:?} of output {o}), which \
             {declarer} does not declare (it declares {:?}); add Component::{c:?} there",
            t.name, t.comps
        ),
    }
}

/// An error if the residual just evaluated used an equation index at or past `neq`
/// (`r[i]`, `i ≥ equations()`) or left an equation unwritten.
fn check_equations<S: Scalar>(r: &Residuals<'_, S>, term: &str, neq: usize) -> Result<()> {
    let reason = if let Some(i) = r.out_of_range() {
        format!(
            "it used r[{i}], but Pde::equations() is {neq}, so r has entries r[0..{neq}]; \
             raise equations() to {} or use fewer equations",
            i + 1
        )
    } else if let Some(i) = r.unwritten() {
        format!(
            "it left r[{i}] unwritten: Pde::equations() is {neq}, so every r[0..{neq}] must be \
             written (or equations() lowered)"
        )
    } else {
        return Ok(());
    };
    Err(Error::Residual {
        term: term.to_string(),
        reason,
    })
}

/// The weighted loss `w/N·Σ_p λ_p² Σ_e ω_e r_e²` of points `s..e` of term `t`, from the
/// model's values in `sc.vals`; writes the seeds to `sc.seeds` (same layout), the
/// coefficients' gradient to `sc.coef_grad` (length `coef.len()`), and, when `r2` is given,
/// pushes each point's `Σ_e ω_e r_e²`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn pointwise<T: Real, R: PointResidual>(
    res: &R,
    t: &Prepared<T>,
    (s, e): (usize, usize),
    m: usize,
    neq: usize,
    coef: &[T],
    sc: &mut Scratch<T>,
    mut r2: Option<&mut Vec<T>>,
) -> Result<T> {
    let d = t.x.len() / t.n;
    let k = e - s;
    let nc = t.comps.len();
    let scale = T::from_f64(t.weight / t.n as f64);
    let two = T::from_f64(2.0);
    let lam2 = |p: usize| t.point_weights.get(s + p).map_or(T::one(), |&l| l * l);
    let Scratch {
        vals,
        seeds,
        dvals,
        xs,
        r,
        coef_d,
        coef_seeded,
        coef_grad,
        ..
    } = sc;
    let (missing, missing_output) = (Cell::new(None), Cell::new(None));
    seeds.clear();
    seeds.resize(k * nc * m, T::zero());
    let n_coef = if res.uses_coefficients() {
        coef.len()
    } else {
        0
    };
    coef_d.clear();
    coef_d.extend(coef.iter().map(|&c| Dual::constant(c)));
    dvals.clear();
    dvals.resize(nc * m, Dual::constant(T::zero()));
    r.clear();
    r.resize(neq, Dual::constant(T::zero()));
    coef_grad.clear();
    coef_grad.resize(coef.len(), T::zero());
    let mut loss = T::zero();
    for p in 0..k {
        let gp = s + p;
        let x = &t.x[gp * d..(gp + 1) * d];
        xs.clear();
        xs.extend(
            t.xt[gp * d..(gp + 1) * d]
                .iter()
                .map(|&v| Dual::constant(v)),
        );
        let v = &vals[p * nc * m..(p + 1) * nc * m];
        // One dual pass per derivative value: r and ∂r/∂v_j.
        for j in 0..nc * m {
            for (i, dv) in dvals.iter_mut().enumerate() {
                *dv = Dual::new(v[i], if i == j { T::one() } else { T::zero() });
            }
            let fields = Fields::new(&t.comps, m, dvals, &missing)
                .restricted(&t.allowed)
                .recording_output(&missing_output);
            let mut rr = Residuals::new(r);
            res.residual(gp, x, xs, &fields, coef_d, &mut rr);
            check_equations(&rr, &t.name, neq)?;
            if j == 0 {
                let sq = r.iter().enumerate().fold(T::zero(), |a, (e, ri)| {
                    a + t.equation_weight(e) * ri.re * ri.re
                });
                loss += lam2(p) * sq;
                if let Some(r2) = r2.as_deref_mut() {
                    r2.push(sq);
                }
            }
            let sj = r.iter().enumerate().fold(T::zero(), |a, (e, ri)| {
                a + t.equation_weight(e) * ri.re * ri.eps
            });
            seeds[p * nc * m + j] = scale * two * lam2(p) * sj;
        }
        // Trainable coefficients: one dual pass each.
        for q in 0..n_coef {
            for (i, dv) in dvals.iter_mut().enumerate() {
                *dv = Dual::constant(v[i]);
            }
            coef_seeded.clear();
            coef_seeded.extend_from_slice(coef_d);
            coef_seeded[q].eps = T::one();
            let fields = Fields::new(&t.comps, m, dvals, &missing)
                .restricted(&t.allowed)
                .recording_output(&missing_output);
            let mut rr = Residuals::new(r);
            res.residual(gp, x, xs, &fields, coef_seeded, &mut rr);
            check_equations(&rr, &t.name, neq)?;
            let sq = r.iter().enumerate().fold(T::zero(), |a, (e, ri)| {
                a + t.equation_weight(e) * ri.re * ri.eps
            });
            coef_grad[q] += scale * two * lam2(p) * sq;
        }
    }
    match missing.get() {
        Some(c) => Err(unanswered(c, missing_output.get(), t, m)),
        None => Ok(scale * loss),
    }
}

/// Each point's squared residuals `r_e²`, equation by equation (`out[p·neq + e]`,
/// unweighted), at `x` (point-major, `d` numbers per point) from the model's values in
/// `sc.vals`, on plain numbers (no derivative).
#[allow(clippy::too_many_arguments)]
pub(crate) fn score<T: Real, R: PointResidual>(
    res: &R,
    t: &Prepared<T>,
    x: &[f64],
    d: usize,
    m: usize,
    neq: usize,
    coef: &[T],
    sc: &mut Scratch<T>,
    out: &mut [T],
) -> Result<()> {
    let nc = t.comps.len();
    let (missing, missing_output) = (Cell::new(None), Cell::new(None));
    let Scratch {
        vals,
        plain,
        plain_r,
        ..
    } = sc;
    plain_r.clear();
    plain_r.resize(neq, T::zero());
    for (p, o) in out.chunks_mut(neq).enumerate() {
        let xp = &x[p * d..(p + 1) * d];
        plain.clear();
        plain.extend(xp.iter().map(|&v| T::from_f64(v)));
        let fields = Fields::new(&t.comps, m, &vals[p * nc * m..(p + 1) * nc * m], &missing)
            .restricted(&t.allowed)
            .recording_output(&missing_output);
        let mut rr = Residuals::new(plain_r);
        res.residual(p, xp, plain, &fields, coef, &mut rr);
        check_equations(&rr, &t.name, neq)?;
        for (oe, &ri) in o.iter_mut().zip(plain_r.iter()) {
            *oe = ri * ri;
        }
    }
    match missing.get() {
        Some(c) => Err(unanswered(c, missing_output.get(), t, m)),
        None => Ok(()),
    }
}

/// The partial derivatives `∂r_e/∂v_j` of each equation `e` of point number `gp` of term `t`
/// with respect to each derivative value `v_j` (`j < C·m`), from that one point's values in
/// `sc.vals`, one dual pass per value; written to `out[e·C·m + j]` (`neq·C·m` numbers). The
/// rows of the tangent kernel (NTK weighting) start from these seeds.
#[allow(clippy::too_many_arguments)]
pub(crate) fn partials<T: Real, R: PointResidual>(
    res: &R,
    t: &Prepared<T>,
    gp: usize,
    m: usize,
    neq: usize,
    coef: &[T],
    sc: &mut Scratch<T>,
    out: &mut [T],
) -> Result<()> {
    let d = t.x.len() / t.n;
    let nc = t.comps.len();
    let (missing, missing_output) = (Cell::new(None), Cell::new(None));
    let Scratch {
        vals,
        dvals,
        xs,
        r,
        coef_d,
        ..
    } = sc;
    let x = &t.x[gp * d..(gp + 1) * d];
    xs.clear();
    xs.extend(
        t.xt[gp * d..(gp + 1) * d]
            .iter()
            .map(|&v| Dual::constant(v)),
    );
    coef_d.clear();
    coef_d.extend(coef.iter().map(|&c| Dual::constant(c)));
    r.clear();
    r.resize(neq, Dual::constant(T::zero()));
    for j in 0..nc * m {
        dvals.clear();
        dvals.extend((0..nc * m).map(|i| Dual::new(vals[i], T::from_f64(f64::from(i == j)))));
        let fields = Fields::new(&t.comps, m, dvals, &missing)
            .restricted(&t.allowed)
            .recording_output(&missing_output);
        let mut rr = Residuals::new(r);
        res.residual(gp, x, xs, &fields, coef_d, &mut rr);
        check_equations(&rr, &t.name, neq)?;
        for (e, re) in r.iter().enumerate() {
            out[e * nc * m + j] = re.eps;
        }
    }
    match missing.get() {
        Some(c) => Err(unanswered(c, missing_output.get(), t, m)),
        None => Ok(()),
    }
}

/// A periodic pair `D u_o(x) = D u_o(x′)` (`D` the term's one component: the value, or the
/// derivative of a periodic-derivative condition): from the values of the `k` points of the chunk followed
/// by their `k` partners (`vals`, `2k·m` numbers), the weighted loss; writes the seeds to
/// `seeds` and, when `r2` is given, pushes each pair's `r²`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn periodic<T: Real>(
    t: &Prepared<T>,
    s: usize,
    k: usize,
    m: usize,
    vals: &[T],
    seeds: &mut Vec<T>,
    mut r2: Option<&mut Vec<T>>,
) -> T {
    let o = match &t.kind {
        super::TermKind::Condition(c) => c.output(),
        super::TermKind::Pde => 0,
    };
    let scale = T::from_f64(t.weight / t.n as f64);
    let two = T::from_f64(2.0);
    let lam2 = |p: usize| t.point_weights.get(s + p).map_or(T::one(), |&l| l * l);
    seeds.clear();
    seeds.resize(2 * k * m, T::zero());
    let mut loss = T::zero();
    for p in 0..k {
        let r = vals[p * m + o] - vals[(k + p) * m + o];
        loss += lam2(p) * r * r;
        if let Some(r2) = r2.as_deref_mut() {
            r2.push(r * r);
        }
        let g = scale * two * lam2(p) * r;
        seeds[p * m + o] = g;
        seeds[(k + p) * m + o] = -g;
    }
    scale * loss
}
