//! Named trainable coefficients of a PDE (inverse problems), with an optional parametrisation.

use crate::error::{Error, Result};

/// How the optimizer's number `ρ` maps to the coefficient `c` the residual sees.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Parametrisation {
    /// `c = ρ`.
    Identity,
    /// `c = exp(ρ)`: positive, and steps in `ρ` are relative steps in `c` (a viscosity, a
    /// diffusivity spanning decades).
    Positive,
    /// `c = lo + (hi − lo)·σ(ρ)`, `σ` the logistic function: `c` stays strictly inside
    /// `(lo, hi)`.
    Bounded {
        /// The lower bound.
        lo: f64,
        /// The upper bound, `> lo`.
        hi: f64,
    },
}

/// A trainable coefficient: its name (for reports, histories and checkpoints), its initial
/// value `c₀`, and its [`Parametrisation`].
///
/// ```
/// use pinn::pde::{Coefficient, Parametrisation};
/// let nu = Coefficient::new("nu", 0.05)?.positive();
/// let rho = nu.raw_initial();                 // ln 0.05: what the optimizer starts from
/// assert!((nu.value(rho) - 0.05).abs() < 1e-15);
/// assert!((nu.derivative(rho) - 0.05).abs() < 1e-15); // dc/dρ = c
/// let frac = Coefficient::new("alpha", 0.3)?.bounded(0.0, 1.0)?;
/// assert!((frac.value(frac.raw_initial()) - 0.3).abs() < 1e-15);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Coefficient {
    /// The name.
    pub name: String,
    /// The initial value `c₀`.
    pub initial: f64,
    /// How `c` is parametrised.
    pub parametrisation: Parametrisation,
}

impl Coefficient {
    /// A coefficient `name` starting at `initial`, unparametrised (`c = ρ`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for an empty name or a non-finite initial value.
    pub fn new(name: impl Into<String>, initial: f64) -> Result<Self> {
        let name = name.into();
        if name.is_empty() || !initial.is_finite() {
            return Err(Error::InvalidConfig {
                field: "coefficient",
                reason: format!(
                    "needs a name and a finite initial value, found `{name}` = {initial}"
                ),
            });
        }
        Ok(Coefficient {
            name,
            initial,
            parametrisation: Parametrisation::Identity,
        })
    }

    /// The same coefficient, kept positive: `c = exp(ρ)`. (An initial value `≤ 0` is refused
    /// by [`Coefficient::check`].)
    pub fn positive(mut self) -> Self {
        self.parametrisation = Parametrisation::Positive;
        self
    }

    /// The same coefficient, kept inside `(lo, hi)`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] unless `lo < initial < hi`, both finite.
    pub fn bounded(mut self, lo: f64, hi: f64) -> Result<Self> {
        self.parametrisation = Parametrisation::Bounded { lo, hi };
        self.check()?;
        Ok(self)
    }

    /// Checks that the initial value lies where the parametrisation can reach.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the coefficient.
    pub fn check(&self) -> Result<()> {
        let ok = self.initial.is_finite()
            && match self.parametrisation {
                Parametrisation::Identity => true,
                Parametrisation::Positive => self.initial > 0.0,
                Parametrisation::Bounded { lo, hi } => {
                    lo.is_finite() && hi.is_finite() && lo < self.initial && self.initial < hi
                }
            };
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidConfig {
                field: "coefficient",
                reason: format!(
                    "`{}` starts at {}, outside what {:?} reaches",
                    self.name, self.initial, self.parametrisation
                ),
            })
        }
    }

    /// `ρ₀`, the optimizer's starting number: `c₀`, `ln c₀`, or `logit((c₀ − lo)/(hi − lo))`.
    pub fn raw_initial(&self) -> f64 {
        match self.parametrisation {
            Parametrisation::Identity => self.initial,
            Parametrisation::Positive => self.initial.ln(),
            Parametrisation::Bounded { lo, hi } => {
                let s = (self.initial - lo) / (hi - lo);
                (s / (1.0 - s)).ln()
            }
        }
    }

    /// `c(ρ)`.
    pub fn value(&self, rho: f64) -> f64 {
        match self.parametrisation {
            Parametrisation::Identity => rho,
            Parametrisation::Positive => rho.exp(),
            Parametrisation::Bounded { lo, hi } => lo + (hi - lo) / (1.0 + (-rho).exp()),
        }
    }

    /// `dc/dρ`.
    pub fn derivative(&self, rho: f64) -> f64 {
        match self.parametrisation {
            Parametrisation::Identity => 1.0,
            Parametrisation::Positive => rho.exp(),
            Parametrisation::Bounded { lo, hi } => {
                let s = 1.0 / (1.0 + (-rho).exp());
                (hi - lo) * s * (1.0 - s)
            }
        }
    }
}
