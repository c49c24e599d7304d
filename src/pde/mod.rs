//! Problems: the PDE residual, its conditions, hard constraints, and a catalog of benchmark
//! problems with exact or reference solutions ([`problems`]).
//!
//! A [`Pde`] writes its residual **once**, as ordinary arithmetic on the derivative values at a
//! point ([`Fields`]), generic over [`Scalar`]. The trainer evaluates it on
//! plain floats for the loss and on dual numbers for the seeds `∂r/∂(u, u_x, …)` that start the
//! batched reverse sweep — and, with the PDE's own coefficients as dual numbers, for their
//! gradient (inverse problems).
//!
//! The [`problems`] catalog holds the benchmark problems of the literature (Poisson, Helmholtz,
//! heat, convection, reaction, wave, Burgers, ODEs, the Euler–Bernoulli beam,
//! Kuramoto–Sivashinsky, Allen–Cahn), each with its domain, its conditions and where they live,
//! and its exact or reference solution.
//!
//! ```
//! use pinn::ad::Scalar;
//! use pinn::pde::{Component, Fields, Pde, Residuals};
//!
//! /// Burgers: u_t + u·u_x − ν·u_xx = 0, inputs (x, t).
//! struct Burgers { nu: f64 }
//! impl Pde for Burgers {
//!     fn dim(&self) -> usize { 2 }
//!     fn components(&self) -> Vec<Component> {
//!         vec![Component::Value, Component::First(0), Component::First(1), Component::Second(0, 0)]
//!     }
//!     fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
//!         r[0] = u.d(0, 1) + u.u(0) * u.d(0, 0) - S::from_f64(self.nu) * u.d2(0, 0, 0);
//!     }
//! }
//! # let _ = Burgers { nu: 0.01 / std::f64::consts::PI };
//! ```

mod coefficient;
mod conditions;
pub mod discovery;
mod fields;
mod gradient;
pub mod hard;
pub mod problems;
mod residuals;

/// The derivative values a residual can read (value, first and second partials, the
/// Laplacian, third and fourth partials, the biharmonic): declared by
/// [`Pde::components`], read through [`Fields`]. The same type as
/// [`ad::jet::Component`](crate::ad::jet::Component), re-exported here where a PDE needs it.
pub use crate::ad::jet::Component;
pub use coefficient::{Coefficient, Parametrisation};
pub use conditions::{Condition, Func};
pub use fields::Fields;
pub(crate) use fields::normalise as normalise_component;
pub use gradient::GradientEnhanced;
pub use residuals::Residuals;

use crate::ad::Scalar;

/// The mask of what each output may read: `mask[c·m + o]` says whether output `o` declares
/// `comps[c]` in [`Pde::output_components`]; empty when every output declares every component
/// (the default). `Err((o, c))`: output `o` lists `c`, which `comps` lacks.
pub(crate) fn output_mask<P: Pde + ?Sized>(
    pde: &P,
    comps: &[Component],
    m: usize,
) -> core::result::Result<Vec<bool>, (usize, Component)> {
    let mut mask = vec![false; comps.len() * m];
    for o in 0..m {
        for c in pde
            .output_components(o)
            .into_iter()
            .map(normalise_component)
        {
            match comps.iter().position(|&k| k == c) {
                Some(i) => mask[i * m + o] = true,
                None => return Err((o, c)),
            }
        }
    }
    if mask.iter().all(|&b| b) {
        mask.clear();
    }
    Ok(mask)
}

/// A partial differential equation `𝒩[u](x) = 0`, written point-wise.
pub trait Pde: Send + Sync {
    /// Input dimension (space, then time last for evolution problems).
    fn dim(&self) -> usize;
    /// Number of network outputs (unknown fields); 1 by default.
    fn outputs(&self) -> usize {
        1
    }
    /// Number of residual equations; 1 by default.
    fn equations(&self) -> usize {
        1
    }
    /// The derivative values the residual reads: of every output, or, when
    /// [`Pde::output_components`] narrows them, the union over the outputs.
    fn components(&self) -> Vec<Component>;
    /// The derivative values the residual reads of output `o`; by default every one of
    /// [`Pde::components`]. Narrow it when the outputs are read differently, as in
    /// incompressible flow, where the velocities enter through their Laplacians and the
    /// pressure only through its gradient:
    ///
    /// ```
    /// # use pinn::ad::Scalar;
    /// # use pinn::pde::{Component, Fields, Pde, Residuals};
    /// use Component::{First, Laplacian};
    /// /// Stokes flow in 2-D, outputs (u, v, p): −Δu + ∂p/∂x = 0, −Δv + ∂p/∂y = 0, ∇·u = 0.
    /// struct Stokes;
    /// impl Pde for Stokes {
    ///     fn dim(&self) -> usize { 2 }
    ///     fn outputs(&self) -> usize { 3 }
    ///     fn equations(&self) -> usize { 3 }
    ///     fn components(&self) -> Vec<Component> { vec![First(0), First(1), Laplacian] }
    ///     fn output_components(&self, o: usize) -> Vec<Component> {
    ///         match o {
    ///             0 => vec![First(0), Laplacian], // u: ∂u/∂x for ∇·u, Δu
    ///             1 => vec![First(1), Laplacian], // v: ∂v/∂y, Δv
    ///             _ => vec![First(0), First(1)],  // p: ∇p only
    ///         }
    ///     }
    ///     fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
    ///         r[0] = -u.lap(0) + u.d(2, 0);
    ///         r[1] = -u.lap(1) + u.d(2, 1);
    ///         r[2] = u.d(0, 0) + u.d(1, 1);
    ///     }
    /// }
    /// # let _ = Stokes;
    /// ```
    ///
    /// Each list must be part of [`Pde::components`] (checked when the trainer is built), and
    /// a read outside output `o`'s list is an
    /// [`Error::UndeclaredDerivative`](crate::Error::UndeclaredDerivative) naming the output,
    /// as for an undeclared component: `u.lap(2)` above, the pressure's Laplacian, is refused,
    /// not read as zero. **Cost**: on a network whose outputs share their hidden layers (an
    /// MLP), the jets carry the union of the lists through every hidden layer, so narrowing
    /// saves no arithmetic there; it makes the declaration exact and catches a read of the
    /// wrong output.
    fn output_components(&self, o: usize) -> Vec<Component> {
        let _ = o;
        self.components()
    }
    /// The residuals `r[0..equations]` at point `x`, from the derivative values `u` and the
    /// trainable coefficients `coef` (see [`Pde::coefficients`]).
    ///
    /// `u.d(o, k)` is `∂u_o/∂x_k` (output first). `r` is indexed like a slice and starts at
    /// zero; write each of its [`Pde::equations`] entries. Reading an output or component not
    /// declared, using `r[i]` with `i ≥ equations()`, or leaving an equation unwritten is an
    /// error naming the term, the accessor or the index, never a panic or a silent zero (see
    /// [`Fields`] and [`Residuals`]).
    ///
    /// The point comes as the same scalar type as the fields, so that a residual can be
    /// differentiated with respect to `x` as a whole — source terms included (gPINN's
    /// `∂r/∂x_k`). Write source terms in `S` arithmetic (`(S::from_f64(π) * x[0]).sin()`), not
    /// through `to_f64()`, or their derivative is lost.
    ///
    /// Constants are written `S::from_f64(0.5)` (`u.d(0, 1) * S::from_f64(0.5)`): a bare `0.5`
    /// works on each concrete AD type but not on a generic `S`, see
    /// [`Scalar`'s documentation](crate::ad::Scalar#constants).
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, coef: &[S], r: &mut Residuals<'_, S>);
    /// Initial values of coefficients trained with the network (inverse problems); none by
    /// default. They reach [`Pde::residual`] as `coef`, in this order. For names and
    /// parametrisations (positive, bounded) override [`Pde::coefficient_specs`] instead.
    fn coefficients(&self) -> Vec<f64> {
        Vec::new()
    }
    /// The trainable coefficients with their names and parametrisations: by default
    /// `c0, c1, …` from [`Pde::coefficients`], unparametrised. The trainer optimises each
    /// coefficient's `ρ` ([`Coefficient::raw_initial`] first) and hands the residual
    /// `c = Coefficient::value(ρ)`; its gradient is multiplied by `dc/dρ`. Override this *or*
    /// [`Pde::coefficients`], not both.
    ///
    /// ```
    /// use pinn::ad::Scalar;
    /// use pinn::pde::{Coefficient, Component, Fields, Pde, Residuals};
    /// /// u_t = ν u_xx with ν unknown and positive.
    /// struct Heat;
    /// impl Pde for Heat {
    ///     fn dim(&self) -> usize { 2 }
    ///     fn components(&self) -> Vec<Component> { vec![Component::First(1), Component::Second(0, 0)] }
    ///     fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, c: &[S], r: &mut Residuals<'_, S>) {
    ///         r[0] = u.d(0, 1) - c[0] * u.d2(0, 0, 0);
    ///     }
    ///     fn coefficient_specs(&self) -> Vec<Coefficient> {
    ///         vec![Coefficient::new("nu", 0.5).unwrap().positive()]
    ///     }
    /// }
    /// assert_eq!(Heat.coefficient_specs()[0].name, "nu");
    /// ```
    fn coefficient_specs(&self) -> Vec<Coefficient> {
        self.coefficients()
            .into_iter()
            .enumerate()
            .map(|(i, c)| Coefficient {
                name: format!("c{i}"),
                initial: c,
                parametrisation: Parametrisation::Identity,
            })
            .collect()
    }
    /// A short name for reports.
    fn name(&self) -> String {
        "pde".into()
    }
}
