//! Domain decompositions into overlapping hyper-rectangular subdomains.

use super::window::{CosineWindow, SigmoidSide, SigmoidWindow, Window};
use crate::error::{Error, Result, check_len};

/// The largest number of subdomains a decomposition may have (all levels together).
pub const MAX_SUBDOMAINS: usize = 1 << 20;

/// One subdomain: where its network is evaluated and how its inputs are normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct Subdomain {
    index: usize,
    level: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
    centre: Vec<f64>,
    half_width: Vec<f64>,
    window: Window,
}

impl Subdomain {
    /// Its index in [`Decomposition::subdomains`].
    pub fn index(&self) -> usize {
        self.index
    }
    /// Its level (0 for the single-level decompositions).
    pub fn level(&self) -> usize {
        self.level
    }
    /// The lower corner of its support `[lo, hi]`.
    pub fn lo(&self) -> &[f64] {
        &self.lo
    }
    /// The upper corner of its support `[lo, hi]`.
    pub fn hi(&self) -> &[f64] {
        &self.hi
    }
    /// The normalisation centre `μ` of `x̂ = (x − μ)/s`.
    pub fn centre(&self) -> &[f64] {
        &self.centre
    }
    /// The normalisation half-width `s` of `x̂ = (x − μ)/s`.
    pub fn half_width(&self) -> &[f64] {
        &self.half_width
    }
    /// Its raw (not normalised) window.
    pub fn window(&self) -> &Window {
        &self.window
    }
    /// Whether the support (closed box) contains `x`; `false` for a NaN coordinate. Only the
    /// common prefix of `x` and the box is compared, so pass `x` of the subdomain's dimension
    /// ([`Decomposition::covering`] checks it).
    pub fn contains(&self, x: &[f64]) -> bool {
        self.lo
            .iter()
            .zip(&self.hi)
            .zip(x)
            .all(|((&l, &h), &v)| l <= v && v <= h)
    }
}

/// A decomposition of a box `[lo, hi] ⊂ ℝᵈ` into overlapping hyper-rectangular subdomains,
/// on one or several levels; see the [module docs](super) for the two families.
///
/// Subdomains are stored level by level; within a level, as the tensor product of the
/// per-dimension lists with the first dimension slowest (C order).
#[derive(Clone, Debug, PartialEq)]
pub struct Decomposition {
    lo: Vec<f64>,
    hi: Vec<f64>,
    n_levels: usize,
    subdomains: Vec<Subdomain>,
}

fn invalid(field: &'static str, reason: String) -> Error {
    Error::InvalidConfig { field, reason }
}

/// `n` equal cells on `[lo, hi]`: the `n + 1` edges `lo + k (hi − lo)/n`, the last exactly
/// `hi`.
///
/// Errors: `lo`, `hi` not finite with `lo < hi` (`"edges"`); `n = 0` (`"n"`).
///
/// ```
/// use pinn::nets::fbpinn::uniform_edges;
/// assert_eq!(uniform_edges(0.0, 1.0, 4)?, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn uniform_edges(lo: f64, hi: f64, n: usize) -> Result<Vec<f64>> {
    check_interval(lo, hi, "edges")?;
    if n == 0 {
        return Err(invalid("n", "no cell".into()));
    }
    let step = (hi - lo) / n as f64;
    let mut e: Vec<f64> = (0..n).map(|k| lo + k as f64 * step).collect();
    e.push(hi);
    Ok(e)
}

/// Cells with lengths proportional to `lengths` on `[lo, hi]`, as the original code's
/// `get_subdomain_xs`: the edges `lo + (hi − lo)·(Σ_{i<k} ℓ_i)/(Σ ℓ)`, the last exactly
/// `hi`. The paper's "5 uneven" is `lengths = [2, 3, 2, 4, 3]`.
///
/// Errors: `lo`, `hi` not finite with `lo < hi` (`"edges"`); `lengths` empty, or a length
/// not finite and `> 0` (`"lengths"`).
///
/// ```
/// use pinn::nets::fbpinn::uneven_edges;
/// assert_eq!(uneven_edges(0.0, 14.0, &[2.0, 3.0, 2.0, 4.0, 3.0])?, vec![0.0, 2.0, 5.0, 7.0, 11.0, 14.0]);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn uneven_edges(lo: f64, hi: f64, lengths: &[f64]) -> Result<Vec<f64>> {
    check_interval(lo, hi, "edges")?;
    if lengths.is_empty() {
        return Err(invalid("lengths", "empty".into()));
    }
    if let Some(l) = lengths.iter().find(|l| !(l.is_finite() && **l > 0.0)) {
        return Err(invalid("lengths", format!("{l} is not finite and > 0")));
    }
    let total: f64 = lengths.iter().sum();
    if !total.is_finite() {
        return Err(invalid("lengths", "their sum is not finite".into()));
    }
    let mut e = vec![lo];
    let mut acc = 0.0;
    for l in &lengths[..lengths.len() - 1] {
        acc += l;
        e.push(lo + (hi - lo) * (acc / total));
    }
    e.push(hi);
    if e.windows(2).any(|p| p[0] >= p[1]) {
        return Err(invalid(
            "lengths",
            "a cell is too small to be represented (edges not strictly increasing)".into(),
        ));
    }
    Ok(e)
}

/// The overlap widths of the original code's `get_subdomain_ws`: `width · min(diff(edges))`
/// at every edge (one value per edge; [`Decomposition::from_edges`] sets the two boundary
/// ones to 0). The paper uses `width` 0.1 to 0.9.
///
/// Errors: `edges` as [`Decomposition::from_edges`] rejects them (`"edges"`); `width` not
/// finite and `> 0` (`"width"`).
///
/// ```
/// use pinn::nets::fbpinn::overlap_from_width;
/// assert_eq!(overlap_from_width(&[0.0, 2.0, 5.0], 0.5)?, vec![1.0, 1.0, 1.0]);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn overlap_from_width(edges: &[f64], width: f64) -> Result<Vec<f64>> {
    check_edges(edges, 0)?;
    if !(width.is_finite() && width > 0.0) {
        return Err(invalid("width", format!("{width} is not finite and > 0")));
    }
    let min = edges
        .windows(2)
        .map(|p| p[1] - p[0])
        .fold(f64::INFINITY, f64::min);
    Ok(vec![width * min; edges.len()])
}

fn check_interval(lo: f64, hi: f64, field: &'static str) -> Result<()> {
    if lo.is_finite() && hi.is_finite() && lo < hi {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("[{lo}, {hi}] is not a finite interval with lo < hi"),
        ))
    }
}

fn check_edges(edges: &[f64], d: usize) -> Result<()> {
    if edges.len() < 2 {
        return Err(invalid(
            "edges",
            format!("dimension {d} has {} edges, at least 2 needed", edges.len()),
        ));
    }
    if let Some(e) = edges.iter().find(|e| !e.is_finite()) {
        return Err(invalid(
            "edges",
            format!("edge {e} in dimension {d} is not finite"),
        ));
    }
    if let Some(p) = edges.windows(2).find(|p| p[0] >= p[1]) {
        return Err(invalid(
            "edges",
            format!(
                "dimension {d} is not strictly increasing ({} then {})",
                p[0], p[1]
            ),
        ));
    }
    Ok(())
}

/// Checks that the open intervals `(a_k, b_k)` cover the closed `[lo, hi]`, returning the
/// first point not covered. `O(n²)` in the number of intervals.
fn open_cover_gap(intervals: &[(f64, f64)], lo: f64, hi: f64) -> Option<f64> {
    let mut cur = lo; // every point below `cur` in [lo, hi] is covered; `cur` itself must be
    loop {
        let reach = intervals
            .iter()
            .filter(|&&(a, b)| a < cur && cur < b)
            .map(|&(_, b)| b)
            .fold(f64::NEG_INFINITY, f64::max);
        if reach == f64::NEG_INFINITY {
            return Some(cur);
        }
        if reach > hi {
            return None;
        }
        cur = reach;
    }
}

/// The per-dimension tensor product of index lists, first dimension slowest.
fn tensor_indices(counts: &[usize]) -> Vec<Vec<usize>> {
    let total: usize = counts.iter().product();
    (0..total)
        .map(|mut flat| {
            let mut idx = vec![0; counts.len()];
            for d in (0..counts.len()).rev() {
                idx[d] = flat % counts[d];
                flat /= counts[d];
            }
            idx
        })
        .collect()
}

fn checked_count(counts: &[usize], already: usize, field: &'static str) -> Result<usize> {
    let n = counts
        .iter()
        .try_fold(1usize, |acc, &c| acc.checked_mul(c))
        .and_then(|n| n.checked_add(already));
    match n {
        Some(n) if n <= MAX_SUBDOMAINS => Ok(n - already),
        _ => Err(invalid(
            field,
            format!("more than {MAX_SUBDOMAINS} subdomains"),
        )),
    }
}

impl Decomposition {
    /// The original paper's decomposition (spec §3.1, PyTorch `domains.py`).
    ///
    /// Per dimension `d`, `edges_per_dim[d]` are the edges `x₀ < … < x_J` of a partition of
    /// `[x₀, x_J]` into `J` cells and `overlaps_per_dim[d]` the overlap width `o_j` at each edge
    /// (`J + 1` values; the two at the domain boundary are set to 0, as the code does). Cell
    /// `j` gives the subdomain with support `[x_j − o_j/2, x_{j+1} + o_{j+1}/2]`, normalisation
    /// centre `(x_j + x_{j+1})/2` and half-width `(x_{j+1} − x_j)/2` (the non-overlapped cell,
    /// so `x̂` leaves `[−1, 1]` in the overlaps), and the [`SigmoidWindow`] on its edges (a side
    /// on the domain boundary has no sigmoid; one cell in every dimension gets
    /// [`Window::One`]). The subdomains are the tensor product over dimensions, one level.
    ///
    /// Errors (`InvalidConfig` naming the field):
    /// - `"edges"`: no dimension; fewer than 2 edges, an edge not finite, or edges not
    ///   strictly increasing, in some dimension;
    /// - `"overlaps"`: not one list per dimension or not one value per edge; a boundary value
    ///   not finite and `≥ 0`; an interior `o_j` not finite and `> 0`, or larger than
    ///   `2·min(x_j − x_{j−1}, x_{j+1} − x_j)` — the rule that no support reaches beyond the far
    ///   edge of a neighbouring cell;
    /// - more than [`MAX_SUBDOMAINS`] subdomains (`"edges"`).
    ///
    /// ```
    /// use pinn::nets::fbpinn::Decomposition;
    /// let dec = Decomposition::from_edges(&[vec![0.0, 1.0, 2.0]], &[vec![0.0, 0.5, 0.0]])?;
    /// assert_eq!(dec.len(), 2);
    /// assert_eq!((dec.subdomains()[0].lo(), dec.subdomains()[0].hi()), (&[0.0][..], &[1.25][..]));
    /// assert_eq!(dec.subdomains()[1].centre(), &[1.5]);
    /// assert_eq!(dec.covering(&[1.1])?.collect::<Vec<_>>(), vec![0, 1]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn from_edges(edges_per_dim: &[Vec<f64>], overlaps_per_dim: &[Vec<f64>]) -> Result<Self> {
        if edges_per_dim.is_empty() {
            return Err(invalid("edges", "no dimension".into()));
        }
        if overlaps_per_dim.len() != edges_per_dim.len() {
            return Err(invalid(
                "overlaps",
                format!(
                    "{} lists for {} dimensions",
                    overlaps_per_dim.len(),
                    edges_per_dim.len()
                ),
            ));
        }
        let mut overlaps = Vec::with_capacity(edges_per_dim.len());
        for (d, (edges, o)) in edges_per_dim.iter().zip(overlaps_per_dim).enumerate() {
            check_edges(edges, d)?;
            if o.len() != edges.len() {
                return Err(invalid(
                    "overlaps",
                    format!(
                        "dimension {d} has {} overlaps for {} edges",
                        o.len(),
                        edges.len()
                    ),
                ));
            }
            let j_max = edges.len() - 1;
            let mut od = o.clone();
            for (j, &v) in o.iter().enumerate() {
                if j == 0 || j == j_max {
                    if !(v.is_finite() && v >= 0.0) {
                        return Err(invalid(
                            "overlaps",
                            format!("boundary overlap {v} in dimension {d} is not finite and >= 0"),
                        ));
                    }
                    od[j] = 0.0;
                    continue;
                }
                if !(v.is_finite() && v > 0.0) {
                    return Err(invalid(
                        "overlaps",
                        format!("overlap {v} at edge {j} of dimension {d} is not finite and > 0"),
                    ));
                }
                let room = 2.0 * (edges[j] - edges[j - 1]).min(edges[j + 1] - edges[j]);
                if v > room {
                    return Err(invalid(
                        "overlaps",
                        format!(
                            "overlap {v} at edge {j} of dimension {d} exceeds {room}, twice the \
                             smaller adjacent cell: a support would reach beyond a neighbour's far edge"
                        ),
                    ));
                }
            }
            overlaps.push(od);
        }
        let counts: Vec<usize> = edges_per_dim.iter().map(|e| e.len() - 1).collect();
        checked_count(&counts, 0, "edges")?;
        let single = counts.iter().all(|&c| c == 1);
        let mut subdomains = Vec::new();
        for (index, cell) in tensor_indices(&counts).into_iter().enumerate() {
            let mut lo = Vec::new();
            let mut hi = Vec::new();
            let mut centre = Vec::new();
            let mut half = Vec::new();
            let mut sides = Vec::new();
            for (d, &j) in cell.iter().enumerate() {
                let (e, o) = (&edges_per_dim[d], &overlaps[d]);
                lo.push(e[j] - o[j] / 2.0);
                hi.push(e[j + 1] + o[j + 1] / 2.0);
                centre.push((e[j] + e[j + 1]) / 2.0);
                half.push((e[j + 1] - e[j]) / 2.0);
                let side = |k: usize| {
                    (k != 0 && k != counts[d]).then(|| SigmoidSide {
                        edge: e[k],
                        overlap: o[k],
                    })
                };
                sides.push((side(j), side(j + 1)));
            }
            let window = if single {
                Window::One
            } else {
                Window::Sigmoid(SigmoidWindow::new(sides)?)
            };
            subdomains.push(Subdomain {
                index,
                level: 0,
                lo,
                hi,
                centre,
                half_width: half,
                window,
            });
        }
        Ok(Decomposition {
            lo: edges_per_dim.iter().map(|e| e[0]).collect(),
            hi: edges_per_dim.iter().map(|e| e[e.len() - 1]).collect(),
            n_levels: 1,
            subdomains,
        })
    }

    /// The JAX library's decomposition (spec §3.3, `decompositions.py`), one level, on the
    /// domain box `[lo, hi]`.
    ///
    /// Per dimension `d`, the subdomain centres `centres_per_dim[d]` and their full widths
    /// `widths_per_dim[d]` (one per centre): support `[c − w/2, c + w/2]`, normalisation
    /// centre `c` and half-width `w/2` (the full subdomain, so `x̂ ∈ [−1, 1]` on the support),
    /// and the [`CosineWindow`] on the support. The subdomains are the tensor product over
    /// dimensions. A single subdomain (one centre per dimension) must contain the domain and
    /// gets [`Window::One`]; otherwise every point of the domain must lie in the *interior* of
    /// some support, so the cosine windows never all vanish there and the
    /// [`partition_of_unity`](super::partition_of_unity) is defined.
    ///
    /// Errors (`InvalidConfig` naming the field): `"domain"`: no dimension, or `lo`, `hi` not
    /// finite with `lo < hi`; `"centres"`: not one list per dimension, an empty list, a centre
    /// not finite; `"widths"`: not one width per centre, a width not finite and `> 0`, a gap
    /// in the coverage (the first uncovered coordinate is named); more than
    /// [`MAX_SUBDOMAINS`] subdomains (`"centres"`). `hi` not as long as `lo`:
    /// `DimensionMismatch`.
    ///
    /// ```
    /// use pinn::nets::fbpinn::Decomposition;
    /// let dec = Decomposition::from_centres(&[0.0], &[1.0], &[vec![0.0, 0.5, 1.0]], &[vec![0.75; 3]])?;
    /// assert_eq!(dec.subdomains()[1].lo(), &[0.125]);
    /// assert_eq!(dec.subdomains()[1].half_width(), &[0.375]);
    /// assert_eq!(dec.covering(&[0.3])?.collect::<Vec<_>>(), vec![0, 1]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn from_centres(
        lo: &[f64],
        hi: &[f64],
        centres_per_dim: &[Vec<f64>],
        widths_per_dim: &[Vec<f64>],
    ) -> Result<Self> {
        check_domain(lo, hi)?;
        let mut subdomains = Vec::new();
        push_level(
            &mut subdomains,
            lo,
            hi,
            0,
            centres_per_dim,
            widths_per_dim,
            "widths",
        )?;
        Ok(Decomposition {
            lo: lo.to_vec(),
            hi: hi.to_vec(),
            n_levels: 1,
            subdomains,
        })
    }

    /// The multilevel decomposition of Dolean et al. (2024) on the box `[lo, hi]` (spec §3.3,
    /// there on `[0, 1]ᵈ`): level `i = 0 … levels − 1` has `2^i` subdomains per dimension with
    /// centres `linspace(lo, hi, 2^i)` (level 0: the midpoint) and widths
    /// `overlap_ratio · spacing` (level 0: `overlap_ratio · (hi − lo)`), each level as
    /// [`from_centres`](Self::from_centres). Subdomain indices run on across levels.
    ///
    /// Every level must cover the domain, which holds (in exact arithmetic; the check is in
    /// floating point) if and only if `overlap_ratio ≥ 1` for one level and
    /// `overlap_ratio > 1` for two or more.
    ///
    /// Errors (`InvalidConfig`): `"domain"` as in `from_centres` (and `DimensionMismatch` for
    /// `hi`); `"levels"`: 0, or more than
    /// [`MAX_SUBDOMAINS`] subdomains in all; `"overlap_ratio"`: not finite and `> 0`, or too
    /// small to cover.
    ///
    /// ```
    /// use pinn::nets::fbpinn::Decomposition;
    /// let dec = Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], 3, 1.9)?;
    /// assert_eq!((dec.len(), dec.n_levels()), (1 + 4 + 16, 3));
    /// assert_eq!(dec.level(2).count(), 16);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn multilevel(lo: &[f64], hi: &[f64], levels: usize, overlap_ratio: f64) -> Result<Self> {
        check_domain(lo, hi)?;
        if levels == 0 {
            return Err(invalid("levels", "0 levels".into()));
        }
        if !(overlap_ratio.is_finite() && overlap_ratio > 0.0) {
            return Err(invalid(
                "overlap_ratio",
                format!("{overlap_ratio} is not finite and > 0"),
            ));
        }
        if levels > 20 {
            return Err(invalid(
                "levels",
                format!("{levels} levels: more than {MAX_SUBDOMAINS} subdomains"),
            ));
        }
        let mut subdomains = Vec::new();
        for level in 0..levels {
            let n = 1usize << level;
            checked_count(&vec![n; lo.len()], subdomains.len(), "levels")?;
            let mut centres = Vec::new();
            let mut widths = Vec::new();
            for (&l, &h) in lo.iter().zip(hi) {
                if n == 1 {
                    centres.push(vec![(l + h) / 2.0]);
                    widths.push(vec![overlap_ratio * (h - l)]);
                } else {
                    let step = (h - l) / (n - 1) as f64;
                    let mut c: Vec<f64> = (0..n - 1).map(|k| l + k as f64 * step).collect();
                    c.push(h);
                    centres.push(c);
                    widths.push(vec![overlap_ratio * step; n]);
                }
            }
            push_level(
                &mut subdomains,
                lo,
                hi,
                level,
                &centres,
                &widths,
                "overlap_ratio",
            )?;
        }
        Ok(Decomposition {
            lo: lo.to_vec(),
            hi: hi.to_vec(),
            n_levels: levels,
            subdomains,
        })
    }

    /// The number of dimensions `d`.
    pub fn dim(&self) -> usize {
        self.lo.len()
    }
    /// The number of subdomains, all levels together.
    pub fn len(&self) -> usize {
        self.subdomains.len()
    }
    /// Always `false`: every decomposition has at least one subdomain.
    pub fn is_empty(&self) -> bool {
        self.subdomains.is_empty()
    }
    /// The number of levels `L`.
    pub fn n_levels(&self) -> usize {
        self.n_levels
    }
    /// The lower corner of the domain box.
    pub fn lo(&self) -> &[f64] {
        &self.lo
    }
    /// The upper corner of the domain box.
    pub fn hi(&self) -> &[f64] {
        &self.hi
    }
    /// All subdomains, level by level, `subdomains()[j].index() == j`.
    pub fn subdomains(&self) -> &[Subdomain] {
        &self.subdomains
    }
    /// The subdomains of one level (none if `level ≥ n_levels`).
    pub fn level(&self, level: usize) -> impl Iterator<Item = &Subdomain> + '_ {
        self.subdomains.iter().filter(move |s| s.level == level)
    }

    /// The indices of the subdomains whose closed support contains `point`, in increasing
    /// order; `O(len · d)`. A point outside the domain box is allowed (it is covered by the
    /// supports that reach it, possibly none).
    ///
    /// Errors: `point` not of length [`dim`](Self::dim) (`DimensionMismatch`); a coordinate
    /// not finite (`InvalidConfig` on `"points"`).
    pub fn covering<'a>(&'a self, point: &'a [f64]) -> Result<impl Iterator<Item = usize> + 'a> {
        check_len("point", self.dim(), point.len())?;
        check_finite(point)?;
        Ok(self
            .subdomains
            .iter()
            .filter(move |s| s.contains(point))
            .map(|s| s.index))
    }

    /// For each subdomain, the indices (increasing) of the points of the batch its closed
    /// support contains: what a model gathers to run each subdomain network only on its
    /// points. `points` is row-major, `n × d`. `O(n · len · d)` time, `O(Σ coverage)` memory.
    ///
    /// Errors: `d` not [`dim`](Self::dim) (`DimensionMismatch`); `points.len()` not a multiple
    /// of `d` (`DimensionMismatch`); a coordinate not finite (`InvalidConfig` on `"points"`).
    ///
    /// ```
    /// use pinn::nets::fbpinn::{Decomposition, uniform_edges};
    /// let e = uniform_edges(0.0, 2.0, 2)?;
    /// let dec = Decomposition::from_edges(&[e], &[vec![0.0, 0.5, 0.0]])?;
    /// assert_eq!(dec.cover(&[0.1, 0.9, 1.1, 1.9], 1)?, vec![vec![0, 1, 2], vec![1, 2, 3]]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn cover(&self, points: &[f64], d: usize) -> Result<Vec<Vec<usize>>> {
        check_len("point dimension", self.dim(), d)?;
        if !points.len().is_multiple_of(d) {
            return Err(Error::DimensionMismatch {
                what: "points (a multiple of the dimension)",
                expected: points.len() / d * d,
                found: points.len(),
            });
        }
        check_finite(points)?;
        let mut out = vec![Vec::new(); self.len()];
        for (p, x) in points.chunks_exact(d).enumerate() {
            for s in &self.subdomains {
                if s.contains(x) {
                    out[s.index].push(p);
                }
            }
        }
        Ok(out)
    }
}

fn check_finite(points: &[f64]) -> Result<()> {
    match points.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(invalid(
            "points",
            format!("coordinate {i} is {}, not finite", points[i]),
        )),
    }
}

fn check_domain(lo: &[f64], hi: &[f64]) -> Result<()> {
    if lo.is_empty() {
        return Err(invalid("domain", "no dimension".into()));
    }
    check_len("domain hi", lo.len(), hi.len())?;
    for (&l, &h) in lo.iter().zip(hi) {
        check_interval(l, h, "domain")?;
    }
    Ok(())
}

/// Appends one level of centre/width subdomains after validating it; `gap_field` names the
/// field blamed for a gap in the coverage.
fn push_level(
    out: &mut Vec<Subdomain>,
    lo: &[f64],
    hi: &[f64],
    level: usize,
    centres: &[Vec<f64>],
    widths: &[Vec<f64>],
    gap_field: &'static str,
) -> Result<()> {
    let dim = lo.len();
    if centres.len() != dim {
        return Err(invalid(
            "centres",
            format!("{} lists for {dim} dimensions", centres.len()),
        ));
    }
    if widths.len() != dim {
        return Err(invalid(
            "widths",
            format!("{} lists for {dim} dimensions", widths.len()),
        ));
    }
    for d in 0..dim {
        let (c, w) = (&centres[d], &widths[d]);
        if c.is_empty() {
            return Err(invalid("centres", format!("dimension {d} has no centre")));
        }
        if let Some(v) = c.iter().find(|v| !v.is_finite()) {
            return Err(invalid(
                "centres",
                format!("centre {v} in dimension {d} is not finite"),
            ));
        }
        if w.len() != c.len() {
            return Err(invalid(
                "widths",
                format!(
                    "dimension {d} has {} widths for {} centres",
                    w.len(),
                    c.len()
                ),
            ));
        }
        if let Some(v) = w.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            return Err(invalid(
                "widths",
                format!("width {v} in dimension {d} is not finite and > 0"),
            ));
        }
    }
    let counts: Vec<usize> = centres.iter().map(Vec::len).collect();
    checked_count(&counts, out.len(), "centres")?;
    let single = counts.iter().all(|&c| c == 1);
    for d in 0..dim {
        let iv: Vec<(f64, f64)> = centres[d]
            .iter()
            .zip(&widths[d])
            .map(|(&c, &w)| (c - w / 2.0, c + w / 2.0))
            .collect();
        let gap = if single {
            let (a, b) = iv[0];
            if a <= lo[d] && hi[d] <= b {
                None
            } else if lo[d] < a {
                Some(lo[d])
            } else {
                Some(hi[d])
            }
        } else {
            open_cover_gap(&iv, lo[d], hi[d])
        };
        if let Some(x) = gap {
            return Err(invalid(
                gap_field,
                format!(
                    "level {level} leaves a gap in dimension {d} at {x}{}",
                    if single {
                        ""
                    } else {
                        " (not in the interior of any support)"
                    }
                ),
            ));
        }
    }
    for cell in tensor_indices(&counts) {
        let mut s_lo = Vec::with_capacity(dim);
        let mut s_hi = Vec::with_capacity(dim);
        let mut centre = Vec::with_capacity(dim);
        let mut half = Vec::with_capacity(dim);
        for (d, &j) in cell.iter().enumerate() {
            let (c, w) = (centres[d][j], widths[d][j]);
            s_lo.push(c - w / 2.0);
            s_hi.push(c + w / 2.0);
            centre.push(c);
            half.push(w / 2.0);
        }
        let window = if single {
            Window::One
        } else {
            Window::Cosine(CosineWindow::new(centre.clone(), half.clone())?)
        };
        out.push(Subdomain {
            index: out.len(),
            level,
            lo: s_lo,
            hi: s_hi,
            centre,
            half_width: half,
            window,
        });
    }
    Ok(())
}
