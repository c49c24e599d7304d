//! Loss terms: what each measures, on which points, and their validation.

use crate::ad::Real;
use crate::ad::jet::Component;
use crate::error::{Error, Result};
use crate::pde::{Condition, Pde};

/// What a loss term measures.
#[derive(Clone, Debug)]
pub enum TermKind {
    /// The PDE residual.
    Pde,
    /// A boundary, initial or data condition.
    Condition(Condition),
}

/// One loss term: its points (and normals or periodic partners), its weight.
#[derive(Clone, Debug)]
pub struct Term {
    /// A name for reports and errors (`"pde"`, `"boundary"`, …).
    pub name: String,
    /// What it measures.
    pub kind: TermKind,
    /// Weight `w_t`.
    pub weight: f64,
    /// Points, point-major.
    pub points: Vec<f64>,
    /// Outward unit normals, one per point (Neumann and Robin conditions), else empty.
    pub normals: Vec<f64>,
    /// Partner points for a periodic condition (`u(x) = u(x′)`), else empty.
    pub partners: Vec<f64>,
}

/// A typed handle on a loss term, returned when the term is added
/// ([`TrainerBuilder::add_term`](super::TrainerBuilder::add_term) and its siblings, or
/// [`Assembly::term_ids`](super::Assembly::term_ids)): strategies, weights and resampling refer
/// to terms by handle, so a wrong reference is a type error or an out-of-range handle checked
/// at build time, not a misspelt name. Names stay for display and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TermId(pub(crate) usize);

impl TermId {
    /// The term's position in the order the terms were added (the column of the loss history,
    /// the entry of [`LossReport::terms`](super::LossReport::terms)).
    pub fn index(self) -> usize {
        self.0
    }
}

/// A term validated and prepared for evaluation.
pub(crate) struct Prepared<T> {
    pub(crate) name: String,
    pub(crate) kind: TermKind,
    pub(crate) weight: f64,
    pub(crate) n: usize,
    /// Points, point-major, as given.
    pub(crate) x: Vec<f64>,
    /// The points in the working precision; a periodic term keeps `[points; partners]`.
    pub(crate) xt: Vec<T>,
    pub(crate) normals: Vec<f64>,
    /// Periodic partners (point-major), else empty; kept for checkpoints.
    pub(crate) partners: Vec<f64>,
    /// The derivative values the term reads, normalised and without repeats.
    pub(crate) comps: Vec<Component>,
    /// `allowed[c·m + o]`: whether output `o` declares `comps[c]`
    /// ([`Pde::output_components`]); empty: every output declares every component.
    pub(crate) allowed: Vec<bool>,
    pub(crate) periodic: bool,
    /// Per-point weights `λ_p` inside the square, `(λ_p r_p)²` (empty: all 1).
    pub(crate) point_weights: Vec<T>,
    /// Per-equation weights `ω_e` of a PDE term, `Σ_e ω_e r_e²` (empty: all 1).
    pub(crate) equation_weights: Vec<T>,
    /// Whether a full evaluation keeps each point's `Σ_e ω_e r_e²`.
    pub(crate) record: bool,
}

impl<T: Real> Prepared<T> {
    /// The weight `ω_e` of equation `e` (1 unless set).
    pub(crate) fn equation_weight(&self, e: usize) -> T {
        self.equation_weights.get(e).copied().unwrap_or_else(T::one)
    }
}

impl<T> Prepared<T> {
    /// Number of residual equations per point.
    pub(crate) fn equations<P: Pde>(&self, pde: &P) -> usize {
        match self.kind {
            TermKind::Pde => pde.equations(),
            TermKind::Condition(_) => 1,
        }
    }
}

/// Validates a term against the PDE and the model's dimensions (`d` inputs, `m` outputs).
pub(crate) fn prepare<P: Pde, T: Real>(
    t: Term,
    pde: &P,
    d: usize,
    m: usize,
) -> Result<Prepared<T>> {
    let bad = |reason: String| Error::InvalidConfig {
        field: "term",
        reason: format!("term `{}`: {reason}", t.name),
    };
    if !(t.weight.is_finite() && t.weight >= 0.0) {
        return Err(bad(format!(
            "weight must be finite and ≥ 0, found {}",
            t.weight
        )));
    }
    if t.points.is_empty() || !t.points.len().is_multiple_of(d) {
        return Err(bad(format!(
            "needs a non-empty list of {d}-dimensional points, found {} numbers",
            t.points.len()
        )));
    }
    let lists = [
        ("points", &t.points),
        ("normals", &t.normals),
        ("partners", &t.partners),
    ];
    if let Some((what, v)) = lists
        .into_iter()
        .find_map(|(w, v)| v.iter().find(|x| !x.is_finite()).map(|x| (w, *x)))
    {
        return Err(bad(format!(
            "every coordinate must be finite, found {v} in its {what}"
        )));
    }
    if !t.normals.is_empty() && t.normals.len() != t.points.len() {
        return Err(bad(format!(
            "normals must be empty or one per point ({} numbers), found {}",
            t.points.len(),
            t.normals.len()
        )));
    }
    let n = t.points.len() / d;
    let (declared, periodic) = match &t.kind {
        TermKind::Pde => (pde.components(), false),
        TermKind::Condition(c) => (c.components(d), check_condition(c, &t, (n, d, m), &bad)?),
    };
    let mut comps: Vec<Component> = Vec::new();
    for c in declared.into_iter().map(crate::pde::normalise_component) {
        if !comps.contains(&c) {
            comps.push(c);
        }
    }
    if comps.is_empty() {
        return Err(bad("the residual declares no components".into()));
    }
    let allowed = match &t.kind {
        TermKind::Pde => crate::pde::output_mask(pde, &comps, m).map_err(|(o, c)| {
            bad(format!(
                "Pde::output_components({o}) lists Component::{c:?}, which Pde::components() \
                 does not (it lists {comps:?}); components() must hold every output's list"
            ))
        })?,
        TermKind::Condition(_) => Vec::new(),
    };
    let coords = if periodic {
        t.points
            .iter()
            .chain(&t.partners)
            .copied()
            .collect::<Vec<_>>()
    } else {
        t.points.clone()
    };
    Ok(Prepared {
        name: t.name,
        kind: t.kind,
        weight: t.weight,
        n,
        x: t.points,
        xt: coords.into_iter().map(T::from_f64).collect(),
        normals: t.normals,
        partners: t.partners,
        comps,
        allowed,
        periodic,
        point_weights: Vec::new(),
        equation_weights: Vec::new(),
        record: false,
    })
}

/// Checks what a condition needs of its term (`n` points of dimension `d`, a network with `m`
/// outputs); returns whether it is periodic.
fn check_condition(
    c: &Condition,
    t: &Term,
    (n, d, m): (usize, usize, usize),
    bad: &dyn Fn(String) -> Error,
) -> Result<bool> {
    if c.output() >= m {
        return Err(bad(format!(
            "output {} does not exist (the network has {m})",
            c.output(),
        )));
    }
    if c.needs_normals() && t.normals.len() != t.points.len() {
        return Err(bad(format!(
            "a {} condition needs one outward normal per point ({} numbers), found {}",
            c.kind(),
            t.points.len(),
            t.normals.len()
        )));
    }
    if let Condition::Data { values, .. } = c {
        if values.len() != n {
            return Err(bad(format!("{n} points but {} data values", values.len())));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(bad(format!(
                "data value {i} must be finite, found {}",
                values[i]
            )));
        }
    }
    if let Condition::Robin { alpha, beta, .. } = c
        && !(alpha.is_finite() && beta.is_finite())
    {
        return Err(bad(format!(
            "Robin coefficients must be finite, found α = {alpha}, β = {beta}"
        )));
    }
    if let Condition::Derivative { component, .. } | Condition::PeriodicDerivative { component, .. } =
        c
        && let Some(&k) = directions(*component).iter().find(|&&k| k >= d)
    {
        return Err(bad(format!(
            "a derivative condition on {component:?} reads direction {k}, but the inputs \
             have dimension {d}"
        )));
    }
    let periodic = matches!(
        c,
        Condition::Periodic { .. } | Condition::PeriodicDerivative { .. }
    );
    if periodic && t.partners.len() != t.points.len() {
        return Err(bad(format!(
            "a periodic condition needs one partner per point ({} numbers), found {}",
            t.points.len(),
            t.partners.len()
        )));
    }
    Ok(periodic)
}

/// The derivative directions a component names (none for the value and the aggregates, which
/// span every direction).
fn directions(c: Component) -> Vec<usize> {
    match c {
        Component::Value | Component::Laplacian | Component::Biharmonic => Vec::new(),
        Component::First(k) => vec![k],
        Component::Second(k, l) => vec![k, l],
        Component::Third(k, l, m) => vec![k, l, m],
        Component::Fourth(k, l, m, n) => vec![k, l, m, n],
    }
}
