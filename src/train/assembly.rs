//! The loss and its gradient: every term, every chunk, reduced in a fixed order.
//!
//! `L(θ, c) = Σ_terms w_t · (1/N_t) Σ_{points} Σ_equations r²`, where `r` is the PDE residual
//! (with trainable coefficients `c`) or a condition's residual.
//!
//! Points are cut into **fixed-size chunks**. Chunks run in parallel (rayon), each into its own
//! gradient buffer with a per-thread [`JetWorkspace`]; the buffers are then added **serially in
//! chunk order**. A chunk's result does not depend on which thread computed it, and the order of
//! the additions does not depend on the number of threads, so the loss and gradient are
//! bitwise identical on 1, 2 or 16 threads. `chunk` is part of that contract: changing it
//! changes the summation order.

use std::cell::Cell;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::ad::jet::{Component, Graph, JetWorkspace, Selection};
use crate::ad::{Dual, Real};
use crate::error::{Error, Result};
use crate::pde::{Condition, Fields, Pde};

use super::checkpoint::TermCheckpoint;

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

/// A term prepared for evaluation.
struct Prepared<T> {
    name: String,
    kind: TermKind,
    weight: f64,
    n: usize,
    x: Vec<f64>,
    xt: Vec<T>,
    normals: Vec<f64>,
    /// Periodic partners (point-major), else empty; kept for checkpoints.
    partners: Vec<f64>,
    comps: Vec<Component>,
    selection: Selection,
    periodic: bool,
    /// Per-point weights `λ_p` inside the square, `(λ_p r_p)²` (empty: all 1).
    point_weights: Vec<T>,
    /// Whether [`Assembly::eval`] keeps each point's `Σ_eq r²`.
    record: bool,
}

/// The loss of one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct LossReport<T> {
    /// The total `L`.
    pub total: T,
    /// Each term's weighted contribution `w_t·mean(r²)`, in term order.
    pub terms: Vec<T>,
}

/// Evaluates the loss and its gradient for a network and a PDE.
pub struct Assembly<P, T> {
    graph: Graph,
    pde: P,
    terms: Vec<Prepared<T>>,
    chunk: usize,
    items: Vec<(usize, usize, usize)>,
    workspaces: Vec<Vec<Mutex<Slot<T>>>>,
    buffers: Vec<ChunkOut<T>>,
    threads: usize,
    residuals: Vec<Vec<T>>,
}

/// One thread's working memory for one term: the jet workspace and the per-chunk scratch of
/// [`Assembly::eval`], reused from chunk to chunk so that a step allocates nothing once warm.
struct Slot<T> {
    ws: JetWorkspace<T>,
    /// Component values `[point][comp][output]`, then their seeds in the same layout.
    vals: Vec<T>,
    seeds: Vec<T>,
    /// The dual inputs of one point's residual, the residual, the coefficients as duals (and a
    /// copy with one seeded), and the coefficients' gradient.
    dvals: Vec<Dual<T>>,
    r: Vec<Dual<T>>,
    coef_d: Vec<Dual<T>>,
    coef_seeded: Vec<Dual<T>>,
    coef_grad: Vec<T>,
    /// Periodic terms: the chunk's points followed by their partners, and the outputs.
    pts: Vec<T>,
    u: Vec<T>,
}

impl<T: Real> Slot<T> {
    fn new(graph: &Graph, selection: &Selection) -> Result<Self> {
        Ok(Slot {
            ws: JetWorkspace::new(graph, selection)?,
            vals: Vec::new(),
            seeds: Vec::new(),
            dvals: Vec::new(),
            r: Vec::new(),
            coef_d: Vec::new(),
            coef_seeded: Vec::new(),
            coef_grad: Vec::new(),
            pts: Vec::new(),
            u: Vec::new(),
        })
    }
}

/// What one chunk of a wave produces: its gradient (over every optimised number), its loss,
/// its points' `Σ r²` (recording terms only) and whether it failed.
struct ChunkOut<T> {
    grad: Vec<T>,
    r2: Vec<T>,
    loss: Result<T>,
}

impl<T: Real> ChunkOut<T> {
    fn new(n_all: usize) -> Self {
        ChunkOut {
            grad: vec![T::zero(); n_all],
            r2: Vec::new(),
            loss: Ok(T::zero()),
        }
    }
}

fn selection(dim: usize, comps: &[Component]) -> Selection {
    comps
        .iter()
        .fold(Selection::new(dim), |s, &c| s.component(c))
}

impl<P: Pde, T: Real> Assembly<P, T> {
    /// Validates and prepares the terms; `threads` workspaces per term are kept.
    pub fn new(
        graph: Graph,
        pde: P,
        terms: Vec<Term>,
        chunk: usize,
        threads: usize,
    ) -> Result<Self> {
        let d = graph.input_dim();
        if pde.dim() != d {
            return Err(Error::DimensionMismatch {
                what: "PDE dimension vs network inputs",
                expected: d,
                found: pde.dim(),
            });
        }
        if pde.outputs() != graph.output_dim() {
            return Err(Error::DimensionMismatch {
                what: "PDE outputs vs network outputs",
                expected: graph.output_dim(),
                found: pde.outputs(),
            });
        }
        if chunk == 0 {
            return Err(Error::InvalidConfig {
                field: "chunk_size",
                reason: "must be at least 1, found 0".into(),
            });
        }
        let threads = threads.max(1);
        let mut prepared = Vec::new();
        for t in terms {
            prepared.push(prepare(t, &pde, &graph)?);
        }
        let n_terms = prepared.len();
        let mut workspaces = Vec::new();
        for t in &prepared {
            let mut v = Vec::new();
            for _ in 0..threads {
                v.push(Mutex::new(Slot::new(&graph, &t.selection)?));
            }
            workspaces.push(v);
        }
        let n_all = graph.n_params() + pde.coefficients().len();
        let mut assembly = Assembly {
            graph,
            pde,
            terms: prepared,
            chunk,
            items: Vec::new(),
            workspaces,
            buffers: (0..2 * threads).map(|_| ChunkOut::new(n_all)).collect(),
            threads,
            residuals: vec![Vec::new(); n_terms],
        };
        assembly.rebuild_items();
        Ok(assembly)
    }

    /// The network.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }
    /// The PDE.
    pub fn pde(&self) -> &P {
        &self.pde
    }
    /// The chunk size.
    pub fn chunk_size(&self) -> usize {
        self.chunk
    }
    /// Number of optimised numbers: network parameters, then PDE coefficients.
    pub fn n_params(&self) -> usize {
        self.graph.n_params() + self.pde.coefficients().len()
    }
    /// The term names, in order.
    pub fn term_names(&self) -> Vec<String> {
        self.terms.iter().map(|t| t.name.clone()).collect()
    }

    /// Replaces the points of term `index` (resampling, region sampling), keeping its kind and
    /// weight; `normals` and `partners` as for [`Term`]. Per-point weights are kept when the
    /// number of points does not change, and dropped otherwise.
    pub fn set_points(
        &mut self,
        index: usize,
        points: Vec<f64>,
        normals: Vec<f64>,
        partners: Vec<f64>,
    ) -> Result<()> {
        let old = self.term(index)?;
        let t = Term {
            name: old.name.clone(),
            kind: old.kind.clone(),
            weight: old.weight,
            points,
            normals,
            partners,
        };
        let (record, weights, n_old) = (old.record, old.point_weights.clone(), old.n);
        let mut new = prepare(t, &self.pde, &self.graph)?;
        new.record = record;
        if new.n == n_old {
            new.point_weights = weights;
        }
        self.terms[index] = new;
        self.rebuild_items();
        Ok(())
    }

    fn term(&self, index: usize) -> Result<&Prepared<T>> {
        self.terms.get(index).ok_or(Error::InvalidConfig {
            field: "term",
            reason: format!("no term number {index} (there are {})", self.terms.len()),
        })
    }

    fn rebuild_items(&mut self) {
        self.items.clear();
        for (ti, t) in self.terms.iter().enumerate() {
            let mut s = 0;
            while s < t.n {
                self.items.push((ti, s, (s + self.chunk).min(t.n)));
                s += self.chunk;
            }
        }
    }

    /// The points of term `index` (point-major; for a periodic term, its first points only).
    pub fn points(&self, index: usize) -> Result<&[f64]> {
        Ok(&self.term(index)?.x)
    }

    /// What term `index` measures.
    pub fn kind(&self, index: usize) -> Result<&TermKind> {
        Ok(&self.term(index)?.kind)
    }

    /// The number of points of term `index`.
    pub fn n_points(&self, index: usize) -> Result<usize> {
        Ok(self.term(index)?.n)
    }

    /// The weight `w_t` of term `index`.
    pub fn weight(&self, index: usize) -> Result<f64> {
        Ok(self.term(index)?.weight)
    }

    /// Sets the weight `w_t` of term `index` (finite, ≥ 0).
    pub fn set_weight(&mut self, index: usize, weight: f64) -> Result<()> {
        self.term(index)?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Error::InvalidConfig {
                field: "term.weight",
                reason: format!("must be finite and ≥ 0, found {weight}"),
            });
        }
        self.terms[index].weight = weight;
        Ok(())
    }

    /// Sets per-point weights `λ_p` of term `index`, entering the loss inside the square:
    /// `w_t·(1/N)·Σ_p (λ_p r_p)²` (self-adaptive PINNs). An empty slice removes them.
    pub fn set_point_weights(&mut self, index: usize, weights: &[T]) -> Result<()> {
        let n = self.term(index)?.n;
        if !weights.is_empty() && weights.len() != n {
            return Err(Error::DimensionMismatch {
                what: "per-point weights",
                expected: n,
                found: weights.len(),
            });
        }
        if weights.iter().any(|w| !w.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "term.point_weights",
                reason: "every weight must be finite".into(),
            });
        }
        self.terms[index].point_weights = weights.to_vec();
        Ok(())
    }

    /// Keeps (or stops keeping) each point's unweighted `Σ_eq r²` of term `index` at every
    /// evaluation; read them with [`Assembly::residuals`].
    pub fn record_residuals(&mut self, index: usize, on: bool) -> Result<()> {
        self.term(index)?;
        self.terms[index].record = on;
        Ok(())
    }

    /// Each point's unweighted `Σ_eq r²` from the last evaluation of term `index` (empty unless
    /// recording was switched on).
    pub fn residuals(&self, index: usize) -> Result<&[T]> {
        self.term(index)?;
        Ok(&self.residuals[index])
    }

    /// Everything about each term that a checkpoint keeps: its points (with normals and
    /// partners), weight, per-point weights, and recorded residuals.
    pub(crate) fn term_checkpoints(&self) -> Vec<TermCheckpoint<T>> {
        self.terms
            .iter()
            .zip(&self.residuals)
            .map(|(t, r)| TermCheckpoint {
                name: t.name.clone(),
                weight: t.weight,
                points: t.x.clone(),
                normals: t.normals.clone(),
                partners: t.partners.clone(),
                point_weights: t.point_weights.clone(),
                record: t.record,
                residuals: r.clone(),
            })
            .collect()
    }

    /// Puts back what [`Assembly::term_checkpoints`] saved, validating it as when the term was
    /// built.
    pub(crate) fn restore_term(&mut self, index: usize, c: &TermCheckpoint<T>) -> Result<()> {
        let name = &self.term(index)?.name;
        if *name != c.name {
            return Err(Error::InvalidConfig {
                field: "checkpoint.terms",
                reason: format!(
                    "term {index} is `{name}` here but `{}` in the checkpoint",
                    c.name
                ),
            });
        }
        self.set_points(
            index,
            c.points.clone(),
            c.normals.clone(),
            c.partners.clone(),
        )?;
        self.set_weight(index, c.weight)?;
        self.set_point_weights(index, &c.point_weights)?;
        self.record_residuals(index, c.record)?;
        let n = self.terms[index].n;
        if !(c.residuals.is_empty() || c.residuals.len() == n) {
            return Err(Error::DimensionMismatch {
                what: "checkpoint: recorded residuals of a term",
                expected: n,
                found: c.residuals.len(),
            });
        }
        self.residuals[index] = c.residuals.clone();
        Ok(())
    }

    /// `L` and `∂L/∂(θ, c)` (written to `grad`, length [`Assembly::n_params`]). `step` names
    /// the step in a non-finite error.
    pub fn eval(&mut self, params: &[T], grad: &mut [T], step: usize) -> Result<LossReport<T>> {
        self.eval_terms(params, grad, step, None)
    }

    /// The weighted loss `w_t·L_t` of term `index` alone and its gradient (the other terms'
    /// entries of the report are 0).
    pub fn eval_term(
        &mut self,
        index: usize,
        params: &[T],
        grad: &mut [T],
        step: usize,
    ) -> Result<LossReport<T>> {
        self.term(index)?;
        self.eval_terms(params, grad, step, Some(index))
    }

    fn eval_terms(
        &mut self,
        params: &[T],
        grad: &mut [T],
        step: usize,
        only: Option<usize>,
    ) -> Result<LossReport<T>> {
        let n_all = self.n_params();
        if params.len() != n_all || grad.len() != n_all {
            return Err(Error::DimensionMismatch {
                what: "parameters (network, then PDE coefficients)",
                expected: n_all,
                found: if params.len() != n_all {
                    params.len()
                } else {
                    grad.len()
                },
            });
        }
        grad.fill(T::zero());
        let mut term_loss = vec![T::zero(); self.terms.len()];
        let wave = self.buffers.len();
        let mut buffers = std::mem::take(&mut self.buffers);
        let mut residuals = std::mem::take(&mut self.residuals);
        for (r, t) in residuals.iter_mut().zip(&self.terms) {
            r.resize(if t.record { t.n } else { 0 }, T::zero());
        }
        let filtered: Vec<(usize, usize, usize)>;
        let items: &[(usize, usize, usize)] = match only {
            None => &self.items,
            Some(o) => {
                filtered = self.items.iter().copied().filter(|it| it.0 == o).collect();
                &filtered
            }
        };
        let this = &*self;
        let finite = |v: &[T]| v.iter().all(|x| x.is_finite());
        let gradient_error = |ti: usize| Error::NonFinite {
            step,
            term: format!("{} (gradient)", this.terms[ti].name),
        };
        // The term whose chunks are being added. The gradient is checked once per term, when
        // the reduction moves on: a non-finite sum stays non-finite, so the first term after
        // which it is names the culprit (a non-finite loss names its term at once).
        let mut current: Option<usize> = None;
        let mut outcome = Ok(());
        'waves: for items in items.chunks(wave) {
            items
                .par_iter()
                .zip(buffers.par_iter_mut())
                .for_each(|(&(ti, s, e), out)| {
                    out.grad.fill(T::zero());
                    out.r2.clear();
                    let slot = rayon::current_thread_index().unwrap_or(0) % this.threads;
                    let mut slot = this.workspaces[ti][slot]
                        .lock()
                        .unwrap_or_else(|p| p.into_inner());
                    out.loss = this.chunk_loss(ti, s, e, params, &mut slot, out);
                });
            for (k, out) in buffers[..items.len()].iter_mut().enumerate() {
                let l = match std::mem::replace(&mut out.loss, Ok(T::zero())) {
                    Ok(l) => l,
                    Err(e) => {
                        outcome = Err(e);
                        break 'waves;
                    }
                };
                let (ti, s, e) = items[k];
                if !l.is_finite() {
                    outcome = Err(Error::NonFinite {
                        step,
                        term: this.terms[ti].name.clone(),
                    });
                    break 'waves;
                }
                if let Some(prev) = current
                    && prev != ti
                    && !finite(grad)
                {
                    outcome = Err(gradient_error(prev));
                    break 'waves;
                }
                current = Some(ti);
                term_loss[ti] += l;
                if !out.r2.is_empty() {
                    residuals[ti][s..e].copy_from_slice(&out.r2);
                }
                for (g, &b) in grad.iter_mut().zip(&out.grad) {
                    *g += b;
                }
            }
        }
        if outcome.is_ok()
            && let Some(prev) = current
            && !finite(grad)
        {
            outcome = Err(gradient_error(prev));
        }
        self.buffers = buffers;
        self.residuals = residuals;
        outcome?;
        // Every chunk's loss was finite; their sum may still overflow.
        for (t, l) in self.terms.iter().zip(&term_loss) {
            if !l.is_finite() {
                return Err(Error::NonFinite {
                    step,
                    term: t.name.clone(),
                });
            }
        }
        let total = term_loss.iter().fold(T::zero(), |a, &b| a + b);
        Ok(LossReport {
            total,
            terms: term_loss,
        })
    }

    /// The weighted loss of points `s..e` of term `ti`; adds its gradient to `out.grad` and, if
    /// the term records them, pushes each point's unweighted `Σ r²` to `out.r2`.
    fn chunk_loss(
        &self,
        ti: usize,
        s: usize,
        e: usize,
        params: &[T],
        slot: &mut Slot<T>,
        out: &mut ChunkOut<T>,
    ) -> Result<T> {
        let Slot {
            ws,
            vals,
            seeds,
            dvals,
            r,
            coef_d,
            coef_seeded,
            coef_grad,
            pts,
            u,
        } = slot;
        let (buf, r2) = (&mut out.grad, &mut out.r2);
        let t = &self.terms[ti];
        let d = self.graph.input_dim();
        let m = self.graph.output_dim();
        let n_theta = self.graph.n_params();
        let theta = &params[..n_theta];
        let coef = &params[n_theta..];
        let k = e - s;
        let scale = T::from_f64(t.weight / t.n as f64);
        let two = T::from_f64(2.0);
        // λ_p² (1 without per-point weights).
        let lam2 = |p: usize| t.point_weights.get(s + p).map_or(T::one(), |&l| l * l);
        if t.periodic {
            // One forward pass over the k points followed by their k partners.
            pts.clear();
            pts.extend_from_slice(&t.xt[s * d..e * d]);
            pts.extend_from_slice(&t.xt[(t.n + s) * d..(t.n + e) * d]);
            ws.forward(&self.graph, theta, pts)?;
            let o = match &t.kind {
                TermKind::Condition(c) => c.output(),
                TermKind::Pde => 0,
            };
            u.clear();
            u.extend_from_slice(ws.output(Component::Value)?);
            let seed = ws.seed(Component::Value)?;
            let mut loss = T::zero();
            for p in 0..k {
                let r = u[p * m + o] - u[(k + p) * m + o];
                loss += lam2(p) * r * r;
                if t.record {
                    r2.push(r * r);
                }
                let g = scale * two * lam2(p) * r;
                seed[p * m + o] = g;
                seed[(k + p) * m + o] = -g;
            }
            ws.backward(&self.graph, theta, &mut buf[..n_theta])?;
            return Ok(scale * loss);
        }
        ws.forward(&self.graph, theta, &t.xt[s * d..e * d])?;
        let nc = t.comps.len();
        let neq = match t.kind {
            TermKind::Pde => self.pde.equations(),
            TermKind::Condition(_) => 1,
        };
        // Component values, [point][comp][output].
        vals.clear();
        vals.resize(k * nc * m, T::zero());
        for (ci, &c) in t.comps.iter().enumerate() {
            let blk = ws.output(c)?;
            for p in 0..k {
                for o in 0..m {
                    vals[(p * nc + ci) * m + o] = blk[p * m + o];
                }
            }
        }
        let missing = Cell::new(None);
        seeds.clear();
        seeds.resize(k * nc * m, T::zero());
        let mut loss = T::zero();
        let n_coef = coef.len();
        coef_d.clear();
        coef_d.extend(coef.iter().map(|&c| Dual::constant(c)));
        dvals.clear();
        dvals.resize(nc * m, Dual::constant(T::zero()));
        r.clear();
        r.resize(neq, Dual::constant(T::zero()));
        coef_grad.clear();
        coef_grad.resize(n_coef, T::zero());
        for p in 0..k {
            let gp = s + p;
            let x = &t.x[gp * d..(gp + 1) * d];
            let v = &vals[p * nc * m..(p + 1) * nc * m];
            // One dual pass per component value: r and ∂r/∂v_j.
            for j in 0..nc * m {
                for (i, dv) in dvals.iter_mut().enumerate() {
                    *dv = Dual::new(v[i], if i == j { T::one() } else { T::zero() });
                }
                self.point_residual(t, x, gp, dvals, m, coef_d, &missing, r);
                if j == 0 {
                    let sq = r.iter().fold(T::zero(), |a, ri| a + ri.re * ri.re);
                    loss += lam2(p) * sq;
                    if t.record {
                        r2.push(sq);
                    }
                }
                let sj = r.iter().fold(T::zero(), |a, ri| a + ri.re * ri.eps);
                seeds[(p * nc) * m + j] = scale * two * lam2(p) * sj;
            }
            // Trainable coefficients: one dual pass each.
            for q in 0..n_coef {
                for (i, dv) in dvals.iter_mut().enumerate() {
                    *dv = Dual::constant(v[i]);
                }
                coef_seeded.clear();
                coef_seeded.extend_from_slice(coef_d);
                coef_seeded[q].eps = T::one();
                self.point_residual(t, x, gp, dvals, m, coef_seeded, &missing, r);
                let sq = r.iter().fold(T::zero(), |a, ri| a + ri.re * ri.eps);
                coef_grad[q] += scale * two * lam2(p) * sq;
            }
        }
        if let Some(c) = missing.get() {
            return Err(Error::UndeclaredDerivative {
                what: format!(
                    "{c:?} in term `{}` (declare it in the residual's components, and read \
                     outputs 0..{m} only)",
                    t.name
                ),
            });
        }
        for (ci, &c) in t.comps.iter().enumerate() {
            let blk = ws.seed(c)?;
            for p in 0..k {
                for o in 0..m {
                    blk[p * m + o] = seeds[(p * nc + ci) * m + o];
                }
            }
        }
        ws.backward(&self.graph, theta, &mut buf[..n_theta])?;
        for (g, &c) in buf[n_theta..].iter_mut().zip(coef_grad.iter()) {
            *g += c;
        }
        Ok(scale * loss)
    }

    #[allow(clippy::too_many_arguments)]
    fn point_residual(
        &self,
        t: &Prepared<T>,
        x: &[f64],
        index: usize,
        vals: &[Dual<T>],
        m: usize,
        coef: &[Dual<T>],
        missing: &Cell<Option<Component>>,
        r: &mut [Dual<T>],
    ) {
        let fields = Fields::new(&t.comps, m, vals, missing);
        match &t.kind {
            TermKind::Pde => self.pde.residual(x, &fields, coef, r),
            TermKind::Condition(c) => {
                let d = x.len();
                let normal = if t.normals.is_empty() {
                    &[][..]
                } else {
                    &t.normals[index * d..(index + 1) * d]
                };
                r[0] = c.residual(x, index, normal, &fields);
            }
        }
    }
}

fn prepare<P: Pde, T: Real>(t: Term, pde: &P, graph: &Graph) -> Result<Prepared<T>> {
    let d = graph.input_dim();
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
    if t.points
        .iter()
        .chain(&t.normals)
        .chain(&t.partners)
        .any(|v| !v.is_finite())
    {
        let (what, v) = [
            ("points", &t.points),
            ("normals", &t.normals),
            ("partners", &t.partners),
        ]
        .into_iter()
        .find_map(|(w, v)| v.iter().find(|x| !x.is_finite()).map(|x| (w, *x)))
        .unwrap_or(("points", f64::NAN));
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
        TermKind::Condition(c) => {
            if c.output() >= graph.output_dim() {
                return Err(bad(format!(
                    "output {} does not exist (the network has {})",
                    c.output(),
                    graph.output_dim()
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
            let periodic = matches!(c, Condition::Periodic { .. });
            if periodic && t.partners.len() != t.points.len() {
                return Err(bad(format!(
                    "a periodic condition needs one partner per point ({} numbers), found {}",
                    t.points.len(),
                    t.partners.len()
                )));
            }
            (c.components(d), periodic)
        }
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
    let sel = selection(d, &comps);
    sel.layout()?;
    // Periodic terms keep [points; partners].
    let xt: Vec<T> = if periodic {
        t.points
            .iter()
            .chain(&t.partners)
            .map(|&v| T::from_f64(v))
            .collect()
    } else {
        t.points.iter().map(|&v| T::from_f64(v)).collect()
    };
    Ok(Prepared {
        name: t.name,
        kind: t.kind,
        weight: t.weight,
        n,
        x: t.points,
        xt,
        normals: t.normals,
        partners: t.partners,
        comps,
        selection: sel,
        periodic,
        point_weights: Vec::new(),
        record: false,
    })
}
