//! The derivative values a residual reads at one point.

use core::cell::Cell;

use crate::ad::Scalar;
use crate::ad::jet::Component;

/// The values of the declared [`Component`]s of every network output at one point, as numbers
/// of type `S` (plain floats for the loss, dual numbers for its seeds).
///
/// Asking for a component that was not declared, or for an output that does not exist, returns
/// 0 and records the request; the trainer turns it into an error instead of computing with a
/// wrong value: [`Error::UndeclaredDerivative`](crate::Error::UndeclaredDerivative) naming the
/// accessor and the component (`u.d2(0, 0, 0)`, `Component::Second(0, 0)`) and what
/// `components()` declares, or [`Error::Residual`](crate::Error::Residual) for an output that
/// does not exist (`u.d(1, 0)` on a one-output PDE: output and axis swapped).
///
/// The accessors take the **output first**: `u.d(o, k)` is `∂u_o/∂x_k`.
pub struct Fields<'a, S> {
    comps: &'a [Component],
    outputs: usize,
    vals: &'a [S],
    missing: &'a Cell<Option<Component>>,
    /// The output of the request recorded in `missing`, when the caller asked for it.
    missing_output: Option<&'a Cell<Option<usize>>>,
    /// `allowed[c·outputs + o]`: whether output `o` declares `comps[c]`
    /// ([`Pde::output_components`](super::Pde::output_components)); empty: all do.
    allowed: &'a [bool],
}

impl<'a, S: Scalar> Fields<'a, S> {
    /// `vals[c·outputs + o]` is component `comps[c]` of output `o`.
    pub fn new(
        comps: &'a [Component],
        outputs: usize,
        vals: &'a [S],
        missing: &'a Cell<Option<Component>>,
    ) -> Self {
        Fields {
            comps,
            outputs,
            vals,
            missing,
            missing_output: None,
            allowed: &[],
        }
    }

    /// Refuses, as undeclared, component `comps[c]` of output `o` where `allowed[c·outputs + o]`
    /// is false (an empty mask allows everything).
    pub(crate) fn restricted(mut self, allowed: &'a [bool]) -> Self {
        self.allowed = allowed;
        self
    }

    /// Also records, in `output`, the output of the request recorded in `missing` (so an
    /// error can say `u.d(1, 0)` asked for output 1 of a one-output PDE).
    pub(crate) fn recording_output(mut self, output: &'a Cell<Option<usize>>) -> Self {
        self.missing_output = Some(output);
        self
    }

    /// Records a read of component `c` of output `o` as unanswered, as [`Fields::get`] does for
    /// an undeclared one (for a wrapper whose inner fields refused the read).
    pub(crate) fn refuse(&self, o: usize, c: Component) {
        self.missing.set(Some(normalise(c)));
        if let Some(out) = self.missing_output {
            out.set(Some(o));
        }
    }

    /// The number of outputs.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// Component `c` of output `o`. A component that was not declared, an output that does
    /// not exist (or a value missing from `vals`) reads as zero and is recorded in `missing`,
    /// which the trainer turns into an error (see [`Fields`]).
    pub fn get(&self, o: usize, c: Component) -> S {
        let c = normalise(c);
        // The trainer hands over normalised components, so an exact match is the usual case;
        // components given in another index order are matched after normalising them.
        let found = (self.comps.iter().position(|&k| k == c))
            .or_else(|| self.comps.iter().position(|&k| normalise(k) == c));
        let value = match found {
            Some(i) if o < self.outputs => i
                .checked_mul(self.outputs)
                .map(|j| j + o)
                .filter(|&j| self.allowed.get(j) != Some(&false))
                .and_then(|j| self.vals.get(j)),
            _ => None,
        };
        match value {
            Some(&v) => v,
            None => {
                self.missing.set(Some(c));
                if let Some(out) = self.missing_output {
                    out.set(Some(o));
                }
                S::zero()
            }
        }
    }
    /// `u_o`
    pub fn u(&self, o: usize) -> S {
        self.get(o, Component::Value)
    }
    /// `∂u_o/∂x_k`
    pub fn d(&self, o: usize, k: usize) -> S {
        self.get(o, Component::First(k))
    }
    /// `∂²u_o/∂x_k∂x_l`
    pub fn d2(&self, o: usize, k: usize, l: usize) -> S {
        self.get(o, Component::Second(k, l))
    }
    /// `Δu_o = Σ_k ∂²u_o/∂x_k²`
    pub fn lap(&self, o: usize) -> S {
        self.get(o, Component::Laplacian)
    }
    /// `∂³u_o/∂x_k∂x_l∂x_m`
    pub fn d3(&self, o: usize, k: usize, l: usize, m: usize) -> S {
        self.get(o, Component::Third(k, l, m))
    }
    /// `∂⁴u_o/∂x_k∂x_l∂x_m∂x_n`
    pub fn d4(&self, o: usize, k: usize, l: usize, m: usize, n: usize) -> S {
        self.get(o, Component::Fourth(k, l, m, n))
    }
    /// `Δ²u_o = Σ_k ∂⁴u_o/∂x_k⁴ + 2 Σ_{k<l} ∂⁴u_o/∂x_k²∂x_l²`
    pub fn bilap(&self, o: usize) -> S {
        self.get(o, Component::Biharmonic)
    }
}

/// `Second(k, l)` with `k ≤ l`; `Third`, `Fourth` with sorted indices.
#[inline]
pub(crate) fn normalise(c: Component) -> Component {
    match c {
        Component::Value | Component::First(_) | Component::Laplacian | Component::Biharmonic => c,
        Component::Second(k, l) if k > l => Component::Second(l, k),
        Component::Second(..) => c,
        Component::Third(k, l, m) => {
            let mut i = [k, l, m];
            i.sort_unstable();
            Component::Third(i[0], i[1], i[2])
        }
        Component::Fourth(k, l, m, n) => {
            let mut i = [k, l, m, n];
            i.sort_unstable();
            Component::Fourth(i[0], i[1], i[2], i[3])
        }
    }
}
