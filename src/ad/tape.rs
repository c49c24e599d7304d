//! Reverse mode: a Wengert list (tape) in an append-only arena, swept backwards once.
//!
//! Every operation on a [`Var`] appends a node — its [`Op`] and its value — to the [`Tape`].
//! [`Tape::gradient`] then walks the list from the output back to the inputs, and one `match`
//! on the op says how each node's adjoint `v̄ = ∂out/∂v` flows to its arguments:
//!
//! | op | adjoint flow |
//! |---|---|
//! | `a + b` | `ā += v̄`, `b̄ += v̄` |
//! | `a − b` | `ā += v̄`, `b̄ −= v̄` |
//! | `a · b` | `ā += v̄·b`, `b̄ += v̄·a` |
//! | `a / b` | `ā += v̄/b`, `b̄ −= v̄·a/b²` |
//! | `−a` | `ā −= v̄` |
//! | `f(a)` | `ā += v̄·f′(a)` (f′ from the [rules table](super::rules)) |
//!
//! The tape is generic over its number type, so a tape of [`Dual`](super::Dual) numbers gives
//! Hessian-vector products (forward over reverse) and a tape of
//! [`HyperDual`](super::HyperDual) numbers gives the parameter gradient of a second derivative.
//!
//! ```
//! use pinn::ad::{Scalar, Tape};
//! let tape = Tape::new();
//! let (x, y) = (tape.var(2.0_f64), tape.var(3.0));
//! let z = x * y + x.sin();
//! let g = tape.gradient(z);
//! assert_eq!(g.wrt(y), 2.0);
//! assert!((g.wrt(x) - (3.0 + 2.0_f64.cos())).abs() < 1e-15);
//! ```

use core::cell::{Cell, RefCell};
use core::ops::{Add, Div, Mul, Neg, Sub};
use core::sync::atomic::{AtomicU64, Ordering};

use super::rules::Elementary;
use super::scalar::Scalar;
use crate::error::{Error, Result};

/// The identity of the next tape (identities are never reused, unlike addresses).
static NEXT_TAPE: AtomicU64 = AtomicU64::new(0);

/// One recorded operation; arguments are indices of earlier nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// An independent variable, or a constant that met a variable.
    Leaf,
    /// `a + b`
    Add(usize, usize),
    /// `a − b`
    Sub(usize, usize),
    /// `a · b`
    Mul(usize, usize),
    /// `a / b`
    Div(usize, usize),
    /// `−a`
    Neg(usize),
    /// `f(a)` for an elementary function `f`
    Unary(usize, Elementary),
}

#[derive(Clone, Copy, Debug)]
struct Node<T> {
    op: Op,
    value: T,
}

/// The tape: an append-only list of nodes. Create variables with [`Tape::var`], compute with
/// them as with numbers, then call [`Tape::gradient`].
///
/// **Two tapes.** Variables of different tapes must not meet. An operation that combines them
/// does not panic: it records its value on the first operand's tape as a constant and marks
/// that tape, so [`Tape::try_gradient`] of any output recorded after it returns a typed
/// [`Error`](crate::Error) naming the node (its gradient would be missing the other tape's
/// part). The convenience forms [`Tape::gradient`] and [`Gradient::wrt`] panic instead, as
/// documented there; [`Gradient::try_wrt`] is the checked form of the latter. The one-call
/// operators ([`gradient`](super::gradient), [`hessian_vector_product`](super::hessian_vector_product))
/// create their own tape and cannot mix.
#[derive(Debug)]
pub struct Tape<T> {
    nodes: RefCell<Vec<Node<T>>>,
    /// This tape's identity, for [`Gradient`]s to recognise its variables.
    id: u64,
    /// The first node recorded from operands of two different tapes, if any.
    mixed: Cell<Option<usize>>,
}

impl<T: Scalar> Default for Tape<T> {
    fn default() -> Self {
        Tape::new()
    }
}

/// A number recorded on a tape (or a constant that is not, until it meets a variable).
///
/// Combining variables of two different tapes is an error that the tape reports when asked
/// for a gradient (see [`Tape`]).
#[derive(Clone, Copy, Debug)]
pub struct Var<'t, T> {
    tape: Option<&'t Tape<T>>,
    index: usize,
    value: T,
}

/// The adjoints of one backward sweep: `∂out/∂v` for every node `v`.
#[derive(Clone, Debug)]
pub struct Gradient<T> {
    adjoints: Vec<T>,
    /// The identity of the tape swept.
    tape: u64,
}

impl<T: Scalar> Tape<T> {
    /// An empty tape.
    pub fn new() -> Self {
        Tape {
            nodes: RefCell::new(Vec::new()),
            id: NEXT_TAPE.fetch_add(1, Ordering::Relaxed),
            mixed: Cell::new(None),
        }
    }

    /// A new independent variable with value `value`.
    pub fn var(&self, value: T) -> Var<'_, T> {
        Var {
            tape: Some(self),
            index: self.push(Op::Leaf, value),
            value,
        }
    }

    /// A new independent variable for each value.
    pub fn vars(&self, values: &[T]) -> Vec<Var<'_, T>> {
        values.iter().map(|&v| self.var(v)).collect()
    }

    /// The number of recorded nodes.
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every node, keeping the arena's memory for the next recording.
    pub fn clear(&mut self) {
        self.nodes.get_mut().clear();
        self.mixed.set(None);
    }

    fn push(&self, op: Op, value: T) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node { op, value });
        nodes.len() - 1
    }

    /// The reverse sweep: seeds `∂out/∂out = 1` and propagates adjoints to every node.
    ///
    /// A constant output (one that never touched a variable) has zero gradient.
    ///
    /// # Panics
    /// If `output` was recorded on another tape, or depends on an operation that combined
    /// variables of two tapes (mixing tapes is a programming error, like indexing one vector
    /// with another's positions). [`Tape::try_gradient`] returns these as errors instead.
    pub fn gradient(&self, output: Var<'_, T>) -> Gradient<T> {
        match self.try_gradient(output) {
            Ok(g) => g,
            Err(e) => panic!("Tape::gradient: {e}"),
        }
    }

    /// The reverse sweep of [`Tape::gradient`], with mixed tapes as a typed error:
    /// [`Error::InvalidConfig`] (field `"tape"`) if `output` was recorded on another tape, or
    /// if an operation recorded on this tape at or before `output` combined variables of two
    /// tapes.
    ///
    /// ```
    /// use pinn::ad::Tape;
    /// let (a, b) = (Tape::new(), Tape::new());
    /// let (x, y) = (a.var(1.0_f64), b.var(2.0));
    /// let w = x * 3.0;
    /// let z = x * y; // variables of two tapes: recorded on `a` as a constant
    /// assert!(a.try_gradient(z).is_err());
    /// assert!(b.try_gradient(z).is_err()); // z is not on `b`
    /// assert_eq!(a.try_gradient(w)?.try_wrt(x)?, 3.0); // recorded before the mix
    /// assert!(a.try_gradient(w)?.try_wrt(y).is_err()); // y is on `b`
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn try_gradient(&self, output: Var<'_, T>) -> Result<Gradient<T>> {
        let nodes = self.nodes.borrow();
        let mut adj = vec![T::zero(); nodes.len()];
        let Some(out_tape) = output.tape else {
            return Ok(Gradient {
                adjoints: adj,
                tape: self.id,
            });
        };
        if out_tape.id != self.id {
            return Err(Error::InvalidConfig {
                field: "tape",
                reason: "the output of Tape::gradient was recorded on another tape".into(),
            });
        }
        if let Some(i) = self.mixed.get().filter(|&i| i <= output.index) {
            return Err(Error::InvalidConfig {
                field: "tape",
                reason: format!(
                    "node {i} of this tape combined variables of two different tapes, so the \
                     gradient of node {} would miss the other tape's part; record one \
                     computation on one tape",
                    output.index
                ),
            });
        }
        adj[output.index] = T::one();
        for i in (0..=output.index).rev() {
            let g = adj[i];
            let value = |j: usize| nodes[j].value;
            match nodes[i].op {
                Op::Leaf => {}
                Op::Add(a, b) => {
                    adj[a] += g;
                    adj[b] += g;
                }
                Op::Sub(a, b) => {
                    adj[a] += g;
                    adj[b] -= g;
                }
                Op::Mul(a, b) => {
                    adj[a] += g * value(b);
                    adj[b] += g * value(a);
                }
                Op::Div(a, b) => {
                    let inv = T::one() / value(b);
                    adj[a] += g * inv;
                    adj[b] -= g * nodes[i].value * inv;
                }
                Op::Neg(a) => adj[a] -= g,
                Op::Unary(a, f) => adj[a] += g * f.eval(value(a))[1],
            }
        }
        Ok(Gradient {
            adjoints: adj,
            tape: self.id,
        })
    }
}

impl<T: Scalar> Gradient<T> {
    /// `∂out/∂v`; zero for a constant, for a variable the output does not depend on, and for
    /// one recorded after the sweep (the output cannot depend on it).
    ///
    /// # Panics
    /// If `v` belongs to another tape; [`Gradient::try_wrt`] returns that as an error.
    pub fn wrt(&self, v: Var<'_, T>) -> T {
        match self.try_wrt(v) {
            Ok(g) => g,
            Err(e) => panic!("Gradient::wrt: {e}"),
        }
    }

    /// `∂out/∂v` as [`Gradient::wrt`], or [`Error::InvalidConfig`] (field `"tape"`) if `v`
    /// belongs to another tape than the one swept.
    pub fn try_wrt(&self, v: Var<'_, T>) -> Result<T> {
        match v.tape {
            None => Ok(T::zero()),
            Some(t) if t.id != self.tape => Err(Error::InvalidConfig {
                field: "tape",
                reason: "Gradient::wrt asked for a variable of another tape than the one swept"
                    .into(),
            }),
            Some(_) => Ok(self.adjoints.get(v.index).copied().unwrap_or_else(T::zero)),
        }
    }

    /// `∂out/∂v` for each variable.
    ///
    /// # Panics
    /// As [`Gradient::wrt`], if a variable belongs to another tape.
    pub fn wrt_all(&self, vars: &[Var<'_, T>]) -> Vec<T> {
        vars.iter().map(|&v| self.wrt(v)).collect()
    }
}

impl<'t, T: Scalar> Var<'t, T> {
    /// The value.
    pub fn value(&self) -> T {
        self.value
    }

    /// A constant that is not on any tape (it is recorded when it meets a variable).
    pub fn constant(value: T) -> Self {
        Var {
            tape: None,
            index: usize::MAX,
            value,
        }
    }

    /// This value's node index, recording it as a leaf if it is a constant.
    fn index_on(&self, tape: &'t Tape<T>) -> usize {
        match self.tape {
            Some(_) => self.index,
            None => tape.push(Op::Leaf, self.value),
        }
    }

    fn binary(self, o: Self, value: T, op: fn(usize, usize) -> Op) -> Self {
        match (self.tape, o.tape) {
            (None, None) => Var::constant(value),
            (Some(a), Some(b)) if a.id != b.id => {
                // Two tapes: record the value on the first as a constant and remember where,
                // so the tape's gradient reports it (see the module documentation).
                let index = a.push(Op::Leaf, value);
                if a.mixed.get().is_none() {
                    a.mixed.set(Some(index));
                }
                Var {
                    tape: Some(a),
                    index,
                    value,
                }
            }
            (Some(tape), _) | (None, Some(tape)) => {
                let (a, b) = (self.index_on(tape), o.index_on(tape));
                Var {
                    tape: Some(tape),
                    index: tape.push(op(a, b), value),
                    value,
                }
            }
        }
    }

    fn unary(self, op: Op, value: T) -> Self {
        match self.tape {
            None => Var::constant(value),
            Some(tape) => Var {
                tape: Some(tape),
                index: tape.push(op, value),
                value,
            },
        }
    }
}

impl<T: Scalar> Add for Var<'_, T> {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        self.binary(o, self.value + o.value, Op::Add)
    }
}
impl<T: Scalar> Sub for Var<'_, T> {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        self.binary(o, self.value - o.value, Op::Sub)
    }
}
impl<T: Scalar> Mul for Var<'_, T> {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        self.binary(o, self.value * o.value, Op::Mul)
    }
}
impl<T: Scalar> Div for Var<'_, T> {
    type Output = Self;
    fn div(self, o: Self) -> Self {
        self.binary(o, self.value / o.value, Op::Div)
    }
}
impl<T: Scalar> Neg for Var<'_, T> {
    type Output = Self;
    fn neg(self) -> Self {
        let i = self.index;
        self.unary(Op::Neg(i), -self.value)
    }
}
impl<T: Scalar> core::ops::AddAssign for Var<'_, T> {
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}
impl<T: Scalar> core::ops::SubAssign for Var<'_, T> {
    fn sub_assign(&mut self, o: Self) {
        *self = *self - o;
    }
}
impl<T: Scalar> core::ops::MulAssign for Var<'_, T> {
    fn mul_assign(&mut self, o: Self) {
        *self = *self * o;
    }
}
impl<T: Scalar> core::ops::DivAssign for Var<'_, T> {
    fn div_assign(&mut self, o: Self) {
        *self = *self / o;
    }
}

super::ops_macro::impl_f64_ops!(['t, T] Var<'t, T>);

impl<T: Scalar> Scalar for Var<'_, T> {
    fn from_f64(x: f64) -> Self {
        Var::constant(T::from_f64(x))
    }
    fn to_f64(&self) -> f64 {
        self.value.to_f64()
    }
    fn apply(self, f: Elementary) -> Self {
        let i = self.index;
        self.unary(Op::Unary(i, f), self.value.apply(f))
    }
}
