//! Which derivatives a jet carries, and where each one lives.

use crate::error::{Error, Result};

/// The derivatives a computation needs, declared up front so no work is wasted.
///
/// The value is always carried. First derivatives `∂/∂x_k`, second derivatives
/// `∂²/∂x_k∂x_l` (diagonal or mixed) and the Laplacian `Σ_k ∂²/∂x_k²` (carried as one
/// aggregate, the "forward Laplacian") are added on request.
///
/// ```
/// use pinn::ad::jet::Selection;
/// // Burgers, u_t + u·u_x = ν·u_xx with inputs (x, t): needs u, u_x, u_t, u_xx.
/// let s = Selection::new(2).first(0).first(1).second(0, 0);
/// assert_eq!(s.layout().unwrap().n_components(), 4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    dim: usize,
    first: Vec<usize>,
    second: Vec<(usize, usize)>,
    laplacian: bool,
}

/// A jet component: one of the quantities a [`Selection`] declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    /// `u`
    Value,
    /// `∂u/∂x_k`
    First(usize),
    /// `∂²u/∂x_k∂x_l` (order of `k`, `l` irrelevant)
    Second(usize, usize),
    /// `Δu = Σ_k ∂²u/∂x_k²`
    Laplacian,
}

impl Selection {
    /// Only the value, for inputs of dimension `dim`.
    pub fn new(dim: usize) -> Self {
        Selection {
            dim,
            first: Vec::new(),
            second: Vec::new(),
            laplacian: false,
        }
    }
    /// Adds `∂/∂x_k`.
    pub fn first(mut self, k: usize) -> Self {
        self.first.push(k);
        self
    }
    /// Adds `∂²/∂x_k∂x_l`.
    pub fn second(mut self, k: usize, l: usize) -> Self {
        self.second.push((k, l));
        self
    }
    /// Adds the Laplacian aggregate `Σ_k ∂²/∂x_k²` (this carries every first derivative).
    pub fn laplacian(mut self) -> Self {
        self.laplacian = true;
        self
    }
    /// Input dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Validates the selection and lays out its components.
    pub fn layout(&self) -> Result<Layout> {
        Layout::new(self)
    }
}

/// The component layout of a jet: `[value, d₀ … d_{D−1}, s₀ … s_{P−1}, lap?]`.
///
/// `dᵢ` are the first derivatives along the *directions* the jet carries: the ones requested,
/// those that second derivatives need, and all of them if the Laplacian is requested. `sᵢ` are
/// the requested second-derivative pairs `(k ≤ l)`, sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    dim: usize,
    dirs: Vec<usize>,
    pairs: Vec<(usize, usize)>,
    pair_dirs: Vec<(usize, usize)>,
    laplacian: bool,
}

impl Layout {
    fn new(s: &Selection) -> Result<Self> {
        if s.dim == 0 {
            return Err(Error::InvalidConfig {
                field: "selection.dim",
                reason: "the input dimension must be at least 1, found 0".into(),
            });
        }
        let check = |k: usize| {
            if k < s.dim {
                Ok(k)
            } else {
                Err(Error::InvalidConfig {
                    field: "selection",
                    reason: format!(
                        "derivative direction {k} is out of range for input dimension {}",
                        s.dim
                    ),
                })
            }
        };
        let mut pairs = Vec::new();
        for &(k, l) in &s.second {
            let (k, l) = (check(k)?, check(l)?);
            pairs.push((k.min(l), k.max(l)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut dirs = Vec::new();
        for &k in &s.first {
            dirs.push(check(k)?);
        }
        if s.laplacian {
            dirs = (0..s.dim).collect();
        } else {
            dirs.extend(pairs.iter().flat_map(|&(k, l)| [k, l]));
        }
        dirs.sort_unstable();
        dirs.dedup();
        let pos = |k: usize| dirs.iter().position(|&d| d == k).unwrap_or(0);
        let pair_dirs = pairs.iter().map(|&(k, l)| (pos(k), pos(l))).collect();
        Ok(Layout {
            dim: s.dim,
            dirs,
            pairs,
            pair_dirs,
            laplacian: s.laplacian,
        })
    }

    /// Input dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Number of components `C` (value + directions + pairs + Laplacian).
    pub fn n_components(&self) -> usize {
        1 + self.dirs.len() + self.pairs.len() + usize::from(self.laplacian)
    }
    /// The input directions whose first derivatives are carried, in component order.
    pub fn directions(&self) -> &[usize] {
        &self.dirs
    }
    /// The second-derivative pairs `(k ≤ l)`, in component order.
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }
    /// For each pair, the positions of its two directions in [`Layout::directions`].
    pub fn pair_directions(&self) -> &[(usize, usize)] {
        &self.pair_dirs
    }
    /// Whether the Laplacian aggregate is carried.
    pub fn has_laplacian(&self) -> bool {
        self.laplacian
    }
    /// Component index of the first derivative at direction position `a`.
    pub(crate) fn first_at(&self, a: usize) -> usize {
        1 + a
    }
    /// Component index of pair number `q`.
    pub(crate) fn second_at(&self, q: usize) -> usize {
        1 + self.dirs.len() + q
    }
    /// Component index of the Laplacian aggregate (meaningful only if carried).
    pub(crate) fn lap_at(&self) -> usize {
        1 + self.dirs.len() + self.pairs.len()
    }

    /// The index of a component in this layout, or an error if it is not carried.
    pub fn index(&self, c: Component) -> Result<usize> {
        let undeclared = || Error::UndeclaredDerivative {
            what: match c {
                Component::Value => "u".into(),
                Component::First(k) => format!("∂u/∂x{k}"),
                Component::Second(k, l) => format!("∂²u/∂x{k}∂x{l}"),
                Component::Laplacian => "Δu".into(),
            },
        };
        match c {
            Component::Value => Ok(0),
            Component::First(k) => self
                .dirs
                .iter()
                .position(|&d| d == k)
                .map(|a| self.first_at(a))
                .ok_or_else(undeclared),
            Component::Second(k, l) => {
                let key = (k.min(l), k.max(l));
                self.pairs
                    .iter()
                    .position(|&p| p == key)
                    .map(|q| self.second_at(q))
                    .ok_or_else(undeclared)
            }
            Component::Laplacian if self.laplacian => Ok(self.lap_at()),
            Component::Laplacian => Err(undeclared()),
        }
    }
}
