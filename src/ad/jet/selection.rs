//! Which derivatives a jet carries, and where each one lives.

use super::plan::Plan;
use crate::error::{Error, Result};

/// The derivatives a computation needs, declared up front so no work is wasted.
///
/// The value is always carried. First derivatives `∂/∂x_k`, second derivatives
/// `∂²/∂x_k∂x_l` (diagonal or mixed), the Laplacian `Σ_k ∂²/∂x_k²` (carried as one
/// aggregate, the "forward Laplacian"), third and fourth partials `∂³/∂x_k∂x_l∂x_m`,
/// `∂⁴/∂x_k∂x_l∂x_m∂x_n` (any mix of directions) and the biharmonic operator
/// `Δ² = Σ_k ∂⁴/∂x_k⁴ + 2 Σ_{k<l} ∂⁴/∂x_k²∂x_l²` are added on request.
///
/// ```
/// use pinn::ad::jet::{Component, Selection};
/// // Burgers, u_t + u·u_x = ν·u_xx with inputs (x, t): needs u, u_x, u_t, u_xx.
/// let s = Selection::new(2).first(0).first(1).second(0, 0);
/// assert_eq!(s.layout()?.n_components(), 4);
/// // Kuramoto–Sivashinsky, u_t + u·u_x + u_xx + u_xxxx = 0: u_xxxx brings its sub-partials
/// // u_xxx, u_xx, u_x along (they are needed to compute it), so 6 components.
/// let ks = Selection::new(2).first(1).fourth(0, 0, 0, 0);
/// assert_eq!(ks.layout()?.n_components(), 6);
/// // The same, built from a list of components.
/// let comps = [Component::Value, Component::First(1), Component::Fourth(0, 0, 0, 0)];
/// let ks2 = comps.iter().fold(Selection::new(2), |s, &c| s.component(c));
/// assert_eq!(ks2.layout()?, ks.layout()?);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    dim: usize,
    first: Vec<usize>,
    second: Vec<(usize, usize)>,
    third: Vec<[usize; 3]>,
    fourth: Vec<[usize; 4]>,
    laplacian: bool,
    biharmonic: bool,
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
    /// `∂³u/∂x_k∂x_l∂x_m` (order of `k`, `l`, `m` irrelevant)
    Third(usize, usize, usize),
    /// `∂⁴u/∂x_k∂x_l∂x_m∂x_n` (order of `k`, `l`, `m`, `n` irrelevant)
    Fourth(usize, usize, usize, usize),
    /// `Δ²u = Σ_k ∂⁴u/∂x_k⁴ + 2 Σ_{k<l} ∂⁴u/∂x_k²∂x_l²`, an aggregate of carried fourth
    /// partials (not a block of the jet; see [`Layout::index`])
    Biharmonic,
}

impl Selection {
    /// Only the value, for inputs of dimension `dim`.
    pub fn new(dim: usize) -> Self {
        Selection {
            dim,
            first: Vec::new(),
            second: Vec::new(),
            third: Vec::new(),
            fourth: Vec::new(),
            laplacian: false,
            biharmonic: false,
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
    /// Adds `∂³/∂x_k∂x_l∂x_m` (and, to compute it, its sub-partials: the first derivatives
    /// along `k`, `l`, `m` and the second derivatives of the pairs among them).
    pub fn third(mut self, k: usize, l: usize, m: usize) -> Self {
        self.third.push([k, l, m]);
        self
    }
    /// Adds `∂⁴/∂x_k∂x_l∂x_m∂x_n` (and its sub-partials of orders 1–3).
    pub fn fourth(mut self, k: usize, l: usize, m: usize, n: usize) -> Self {
        self.fourth.push([k, l, m, n]);
        self
    }
    /// Adds the biharmonic aggregate `Δ² = Σ_k ∂⁴/∂x_k⁴ + 2 Σ_{k<l} ∂⁴/∂x_k²∂x_l²`: this
    /// carries the fourth partials `∂⁴/∂x_k⁴` and `∂⁴/∂x_k²∂x_l²` (`k < l`) and their
    /// sub-partials, and sums them after the forward pass.
    pub fn biharmonic(mut self) -> Self {
        self.biharmonic = true;
        self
    }
    /// Adds any component: [`Component::Value`] adds nothing (the value is always carried),
    /// `First(k)` is [`Selection::first`]`(k)`, and so on.
    pub fn component(self, c: Component) -> Self {
        match c {
            Component::Value => self,
            Component::First(k) => self.first(k),
            Component::Second(k, l) => self.second(k, l),
            Component::Laplacian => self.laplacian(),
            Component::Third(k, l, m) => self.third(k, l, m),
            Component::Fourth(k, l, m, n) => self.fourth(k, l, m, n),
            Component::Biharmonic => self.biharmonic(),
        }
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

/// The component layout of a jet:
/// `[value, d₀ … d_{D−1}, s₀ … s_{P−1}, lap?, t₀ … t_{T−1}, q₀ … q_{Q−1}]`.
///
/// `dᵢ` are the first derivatives along the *directions* the jet carries: the ones requested,
/// those that higher derivatives need, and all of them if the Laplacian is requested. `sᵢ` are
/// the second-derivative pairs `(k ≤ l)`, sorted: the requested ones and those that third and
/// fourth derivatives need. `tᵢ` and `qᵢ` are the third and fourth partials as sorted index
/// triples `[k ≤ l ≤ m]` and quadruples, sorted: the requested ones (the biharmonic operator
/// requests `[k, k, k, k]` and `[k, k, l, l]`, `k < l`) and, for `tᵢ`, those that fourth ones
/// need. The set is closed under sub-multisets: with `u_xxyy` come `u_xxy`, `u_xyy`, `u_xx`,
/// `u_xy`, `u_yy`, `u_x`, `u_y`.
///
/// The order-3/4 blocks come last, so a selection of order ≤ 2 has exactly the layout
/// `[value, d…, s…, lap?]` (and runs exactly the order-2 kernels).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    dim: usize,
    dirs: Vec<usize>,
    pairs: Vec<(usize, usize)>,
    pair_dirs: Vec<(usize, usize)>,
    laplacian: bool,
    triples: Vec<[usize; 3]>,
    quads: Vec<[usize; 4]>,
    biharmonic: bool,
    /// The components the biharmonic aggregate sums, with their factors (1 or 2).
    bilap_terms: Vec<(usize, u8)>,
    plan: Plan,
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
        // Fourth partials, then everything they need, order by order.
        let mut quads = Vec::new();
        for q in &s.fourth {
            let mut q = *q;
            for k in &mut q {
                *k = check(*k)?;
            }
            q.sort_unstable();
            quads.push(q);
        }
        if s.biharmonic {
            for k in 0..s.dim {
                quads.push([k; 4]);
                quads.extend((k + 1..s.dim).map(|l| [k, k, l, l]));
            }
        }
        quads.sort_unstable();
        quads.dedup();
        let mut triples = Vec::new();
        for t in &s.third {
            let mut t = *t;
            for k in &mut t {
                *k = check(*k)?;
            }
            t.sort_unstable();
            triples.push(t);
        }
        for q in &quads {
            // Dropping one index of a sorted quadruple leaves a sorted triple.
            triples.extend((0..4).map(|i| {
                let mut t = [0; 3];
                let rest = q.iter().enumerate().filter(|&(j, _)| j != i);
                for (slot, (_, &k)) in t.iter_mut().zip(rest) {
                    *slot = k;
                }
                t
            }));
        }
        triples.sort_unstable();
        triples.dedup();
        let mut pairs = Vec::new();
        for &(k, l) in &s.second {
            let (k, l) = (check(k)?, check(l)?);
            pairs.push((k.min(l), k.max(l)));
        }
        for &[k, l, m] in &triples {
            pairs.extend([(k, l), (k, m), (l, m)]);
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
        let mut layout = Layout {
            dim: s.dim,
            dirs,
            pairs,
            pair_dirs,
            laplacian: s.laplacian,
            triples,
            quads,
            biharmonic: s.biharmonic,
            bilap_terms: Vec::new(),
            plan: Plan::default(),
        };
        layout.plan = Plan::new(&layout);
        if s.biharmonic {
            let at = |q: [usize; 4]| layout.quads.binary_search(&q).map(|i| layout.fourth_at(i));
            let mut terms = Vec::new();
            for k in 0..s.dim {
                terms.extend(at([k; 4]).map(|c| (c, 1)));
            }
            for k in 0..s.dim {
                terms.extend((k + 1..s.dim).filter_map(|l| at([k, k, l, l]).ok().map(|c| (c, 2))));
            }
            layout.bilap_terms = terms;
        }
        Ok(layout)
    }

    /// Input dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Number of components `C` (value + directions + pairs + Laplacian + triples +
    /// quadruples). The biharmonic aggregate is not one of them.
    pub fn n_components(&self) -> usize {
        self.n_low() + self.triples.len() + self.quads.len()
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
    /// The third-derivative index triples `[k ≤ l ≤ m]`, in component order.
    pub fn triples(&self) -> &[[usize; 3]] {
        &self.triples
    }
    /// The fourth-derivative index quadruples `[k ≤ l ≤ m ≤ n]`, in component order.
    pub fn quadruples(&self) -> &[[usize; 4]] {
        &self.quads
    }
    /// Whether the biharmonic aggregate `Δ²` is requested.
    pub fn has_biharmonic(&self) -> bool {
        self.biharmonic
    }
    /// The highest derivative order carried: 0 (value only) to 4.
    pub fn max_order(&self) -> usize {
        if !self.quads.is_empty() {
            4
        } else if !self.triples.is_empty() {
            3
        } else if !self.pairs.is_empty() || self.laplacian {
            2
        } else {
            usize::from(!self.dirs.is_empty())
        }
    }
    /// Number of components of order ≤ 2 (`[value, d…, s…, lap?]`): the blocks the order-2
    /// kernels handle.
    pub(crate) fn n_low(&self) -> usize {
        1 + self.dirs.len() + self.pairs.len() + usize::from(self.laplacian)
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
    /// Component index of triple number `t`.
    pub(crate) fn third_at(&self, t: usize) -> usize {
        self.n_low() + t
    }
    /// Component index of quadruple number `q`.
    pub(crate) fn fourth_at(&self, q: usize) -> usize {
        self.n_low() + self.triples.len() + q
    }
    /// The term lists of the order-3/4 components.
    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }
    /// The fourth partials the biharmonic aggregate sums, with their factors:
    /// `(index of u_kkkk, 1)` for every `k`, then `(index of u_kkll, 2)` for `k < l` (empty
    /// if it is not selected).
    pub(crate) fn biharmonic_terms(&self) -> &[(usize, u8)] {
        &self.bilap_terms
    }

    /// The index of a component in this layout, or
    /// [`Error::UndeclaredDerivative`] if it is not carried. Indices of `Second`, `Third` and
    /// `Fourth` may come in any order (`Third(1, 0, 0)` is `Third(0, 0, 1)`).
    ///
    /// [`Component::Biharmonic`] is an aggregate, not one of the `C` blocks of the jet: when
    /// requested its index is `C` ([`Layout::n_components`]), one past the last block, and its
    /// values live in a buffer of their own ([`JetWorkspace::output`](super::JetWorkspace::output)).
    ///
    /// ```
    /// use pinn::ad::jet::{Component, Selection};
    /// let l = Selection::new(2).second(0, 1).third(1, 0, 1).layout()?;
    /// // [u, u_x, u_y, u_xy, u_yy, u_xyy]: u_yy comes with u_xyy, which needs it.
    /// assert_eq!(l.index(Component::Third(1, 1, 0))?, 5);
    /// assert!(l.index(Component::Third(0, 0, 1)).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn index(&self, c: Component) -> Result<usize> {
        let undeclared = || Error::UndeclaredDerivative {
            what: format!(
                "{} ({c:?}) is not carried by the jet selection; add it to the Selection",
                match c {
                    Component::Value => "u".into(),
                    Component::First(k) => format!("∂u/∂x{k}"),
                    Component::Second(k, l) => format!("∂²u/∂x{k}∂x{l}"),
                    Component::Laplacian => "Δu".into(),
                    Component::Third(k, l, m) => format!("∂³u/∂x{k}∂x{l}∂x{m}"),
                    Component::Fourth(k, l, m, n) => format!("∂⁴u/∂x{k}∂x{l}∂x{m}∂x{n}"),
                    Component::Biharmonic => "Δ²u".into(),
                }
            ),
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
            Component::Third(k, l, m) => {
                let mut key = [k, l, m];
                key.sort_unstable();
                self.triples
                    .binary_search(&key)
                    .map(|t| self.third_at(t))
                    .map_err(|_| undeclared())
            }
            Component::Fourth(k, l, m, n) => {
                let mut key = [k, l, m, n];
                key.sort_unstable();
                self.quads
                    .binary_search(&key)
                    .map(|q| self.fourth_at(q))
                    .map_err(|_| undeclared())
            }
            Component::Biharmonic if self.biharmonic => Ok(self.n_components()),
            Component::Biharmonic => Err(undeclared()),
        }
    }
}
