//! Boundary, initial and data conditions, each a point-wise residual like the PDE's.

use std::sync::Arc;

use crate::ad::Scalar;
use crate::ad::jet::Component;

use super::fields::Fields;

/// A function of a point, `g(x)`, shared between threads.
pub type Func = Arc<dyn Fn(&[f64]) -> f64 + Send + Sync>;

/// A condition on the network output `u_o` at its own set of points. Its residual `r` enters the
/// loss as `mean(r²)` over those points. Time, if any, is the last coordinate.
#[derive(Clone)]
#[non_exhaustive]
pub enum Condition {
    /// `u_o(x) = g(x)`
    Dirichlet {
        /// Output index `o`.
        output: usize,
        /// `g`
        g: Func,
    },
    /// `∂u_o/∂n = n·∇u_o = g(x)`, with the outward unit normal `n` given per point.
    Neumann {
        /// Output index `o`.
        output: usize,
        /// `g`
        g: Func,
    },
    /// `α u_o + β ∂u_o/∂n = g(x)`
    Robin {
        /// Output index `o`.
        output: usize,
        /// `α`
        alpha: f64,
        /// `β`
        beta: f64,
        /// `g`
        g: Func,
    },
    /// `u_o(x) = u_o(x′)` for paired points `x`, `x′` (e.g. opposite faces).
    Periodic {
        /// Output index `o`.
        output: usize,
    },
    /// `D u_o(x) = D u_o(x′)` for paired points `x`, `x′`: one derivative value `D` (a
    /// [`Component`], e.g. `∂u/∂x` across opposite faces) periodic, as
    /// [`Condition::Periodic`] is for the value. ProPINN's Allen–Cahn imposes both.
    PeriodicDerivative {
        /// Output index `o`.
        output: usize,
        /// The derivative value `D`.
        component: Component,
    },
    /// `u_o(x, t₀) = g(x)` on the initial slice.
    InitialValue {
        /// Output index `o`.
        output: usize,
        /// `g`
        g: Func,
    },
    /// `∂u_o/∂t (x, t₀) = g(x)` on the initial slice (second-order-in-time problems).
    InitialRate {
        /// Output index `o`.
        output: usize,
        /// `g`
        g: Func,
    },
    /// `D u_o(x) = g(x)`: one derivative value `D` (a [`Component`]: `∂u_o/∂x_k`,
    /// `∂²u_o/∂x_k∂x_l`, … up to fourth order, `Δu_o`, `Δ²u_o`, or the value) of output `o`
    /// equals `g(x)`. The residual is `D u_o(x) − g(x)`.
    ///
    /// A condition on one derivative, as DeepXDE's `OperatorBC` with a single derivative: the
    /// bending moment `u″ = 0` of a simply supported beam end
    /// ([`Beam`](crate::pde::problems::Beam)), the shear force `u‴ = 0` of a free end, or a
    /// slope `∂u/∂x_k = g` along a fixed axis (no normals needed, unlike
    /// [`Condition::Neumann`]). Every direction the component names must be below the input
    /// dimension (the trainer checks it).
    Derivative {
        /// Output index `o`.
        output: usize,
        /// The derivative value `D`.
        component: Component,
        /// `g`
        g: Func,
    },
    /// `u_o(x_i) = y_i`: observations, one value per point (inverse problems).
    Data {
        /// Output index `o`.
        output: usize,
        /// `y_i`, one per point.
        values: Arc<[f64]>,
    },
}

impl core::fmt::Debug for Condition {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}(output {})", self.kind(), self.output())
    }
}

impl Condition {
    /// `u_o = g` from a closure.
    pub fn dirichlet(output: usize, g: impl Fn(&[f64]) -> f64 + Send + Sync + 'static) -> Self {
        Condition::Dirichlet {
            output,
            g: Arc::new(g),
        }
    }
    /// `∂u_o/∂n = g` from a closure.
    pub fn neumann(output: usize, g: impl Fn(&[f64]) -> f64 + Send + Sync + 'static) -> Self {
        Condition::Neumann {
            output,
            g: Arc::new(g),
        }
    }
    /// `α u_o + β ∂u_o/∂n = g` from a closure.
    pub fn robin(
        output: usize,
        alpha: f64,
        beta: f64,
        g: impl Fn(&[f64]) -> f64 + Send + Sync + 'static,
    ) -> Self {
        Condition::Robin {
            output,
            alpha,
            beta,
            g: Arc::new(g),
        }
    }
    /// `D u_o(x) = D u_o(x′)` on paired points ([`Condition::PeriodicDerivative`]).
    pub fn periodic_derivative(output: usize, component: Component) -> Self {
        Condition::PeriodicDerivative { output, component }
    }
    /// `u_o(x, t₀) = g(x)` from a closure.
    pub fn initial(output: usize, g: impl Fn(&[f64]) -> f64 + Send + Sync + 'static) -> Self {
        Condition::InitialValue {
            output,
            g: Arc::new(g),
        }
    }
    /// `∂u_o/∂t (x, t₀) = g(x)` from a closure.
    pub fn initial_rate(output: usize, g: impl Fn(&[f64]) -> f64 + Send + Sync + 'static) -> Self {
        Condition::InitialRate {
            output,
            g: Arc::new(g),
        }
    }
    /// `D u_o = g` from a closure, `D` a derivative value ([`Condition::Derivative`]).
    ///
    /// ```
    /// use pinn::ad::jet::Component;
    /// use pinn::pde::Condition;
    /// // The bending moment vanishes: u″(x) = 0 (a simply supported beam end).
    /// let moment = Condition::derivative(0, Component::Second(0, 0), |_| 0.0);
    /// assert_eq!(moment.kind(), "derivative");
    /// assert_eq!(moment.components(1), vec![Component::Second(0, 0)]);
    /// ```
    pub fn derivative(
        output: usize,
        component: Component,
        g: impl Fn(&[f64]) -> f64 + Send + Sync + 'static,
    ) -> Self {
        Condition::Derivative {
            output,
            component,
            g: Arc::new(g),
        }
    }
    /// `u_o(x_i) = y_i`.
    pub fn data(output: usize, values: &[f64]) -> Self {
        Condition::Data {
            output,
            values: values.into(),
        }
    }

    /// The kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Condition::Dirichlet { .. } => "Dirichlet",
            Condition::Neumann { .. } => "Neumann",
            Condition::Robin { .. } => "Robin",
            Condition::Periodic { .. } => "periodic",
            Condition::PeriodicDerivative { .. } => "periodic derivative",
            Condition::InitialValue { .. } => "initial value",
            Condition::InitialRate { .. } => "initial rate",
            Condition::Derivative { .. } => "derivative",
            Condition::Data { .. } => "data",
        }
    }

    /// The output the condition constrains.
    pub fn output(&self) -> usize {
        match self {
            Condition::Dirichlet { output, .. }
            | Condition::Neumann { output, .. }
            | Condition::Robin { output, .. }
            | Condition::Periodic { output }
            | Condition::PeriodicDerivative { output, .. }
            | Condition::InitialValue { output, .. }
            | Condition::InitialRate { output, .. }
            | Condition::Derivative { output, .. }
            | Condition::Data { output, .. } => *output,
        }
    }

    /// Whether the condition needs an outward normal per point.
    pub fn needs_normals(&self) -> bool {
        matches!(self, Condition::Neumann { .. } | Condition::Robin { .. })
    }

    /// The derivative values the residual reads, for inputs of dimension `dim`.
    pub fn components(&self, dim: usize) -> Vec<Component> {
        match self {
            Condition::Neumann { .. } | Condition::Robin { .. } => {
                core::iter::once(Component::Value)
                    .chain((0..dim).map(Component::First))
                    .collect()
            }
            Condition::InitialRate { .. } => {
                vec![Component::Value, Component::First(dim.saturating_sub(1))]
            }
            Condition::Derivative { component, .. }
            | Condition::PeriodicDerivative { component, .. } => vec![*component],
            _ => vec![Component::Value],
        }
    }

    /// The residual at point `x` (number `index` of its set, with outward `normal` where
    /// needed). Periodic conditions are paired by the trainer and never reach this.
    pub fn residual<S: Scalar>(
        &self,
        x: &[f64],
        index: usize,
        normal: &[f64],
        u: &Fields<'_, S>,
    ) -> S {
        let c = S::from_f64;
        let dn = |o: usize| {
            normal
                .iter()
                .enumerate()
                .fold(S::zero(), |acc, (k, &nk)| acc + c(nk) * u.d(o, k))
        };
        match self {
            Condition::Dirichlet { output, g } | Condition::InitialValue { output, g } => {
                u.u(*output) - c(g(x))
            }
            Condition::Neumann { output, g } => dn(*output) - c(g(x)),
            Condition::Robin {
                output,
                alpha,
                beta,
                g,
            } => c(*alpha) * u.u(*output) + c(*beta) * dn(*output) - c(g(x)),
            Condition::InitialRate { output, g } => {
                u.d(*output, x.len().saturating_sub(1)) - c(g(x))
            }
            Condition::Derivative {
                output,
                component,
                g,
            } => u.get(*output, *component) - c(g(x)),
            // An index past the data (never from the trainer, which checks the counts) gives
            // a NaN residual, which training reports as a non-finite loss.
            Condition::Data { output, values } => {
                u.u(*output) - c(values.get(index).copied().unwrap_or(f64::NAN))
            }
            Condition::Periodic { output } => u.u(*output),
            Condition::PeriodicDerivative { output, component } => u.get(*output, *component),
        }
    }
}
