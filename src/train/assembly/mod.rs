//! The loss and its gradient: every term, every chunk, reduced in a fixed order.
//!
//! `L(θ, c) = Σ_terms w_t · (1/N_t) Σ_{points} Σ_equations r²`, where `r` is the PDE residual
//! (with trainable coefficients `c`) or a condition's residual.
//!
//! Points are cut into **fixed-size chunks**. Chunks run in parallel (rayon), each with a
//! per-thread [model workspace](crate::model::Model::Workspace) into its own gradient buffer;
//! the buffers are then added in a **fixed binary tree over chunk indices** ([`reduce`]). A
//! chunk's result does not depend on which thread computed it, and the tree depends only on the
//! number of chunks, so the loss and gradient are bitwise identical on 1, 2 or 16 threads (and
//! on several processes: see [`collective`](super::collective)). `chunk` is part of that
//! contract: changing it changes the summation order.
//!
//! [`reduce`]: super::reduce

use std::borrow::Cow;
use std::sync::Mutex;

mod losses;
mod ntk;
mod score;
mod terms;

pub use losses::TermLosses;

use rayon::prelude::*;

use crate::ad::Real;
use crate::ad::jet::Graph;
use crate::error::{Error, Result};
use crate::model::{Batch, Model};
use crate::pde::{Coefficient, Parametrisation, Pde};
use crate::rng::Seed;

use super::collective::{self, Collective, Part};
use super::kernel::{self, ConditionResidual, PdeResidual, Scratch};
use super::reduce::TreeSum;
use super::term::{Prepared, Term, TermId, TermKind, prepare};

/// An error naming the first name two terms share: names label the loss history, reports,
/// error messages and checkpoints, so a repeated one would make them ambiguous.
fn check_unique_names<T>(terms: &[Prepared<T>]) -> Result<()> {
    for (j, t) in terms.iter().enumerate() {
        if let Some(i) = terms[..j].iter().position(|u| u.name == t.name) {
            return Err(Error::InvalidConfig {
                field: "term.name",
                reason: format!(
                    "terms {i} and {j} are both named `{}`; names label the loss history, \
                     reports, errors and checkpoints, so give each term its own",
                    t.name
                ),
            });
        }
    }
    Ok(())
}

/// The loss of one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct LossReport<T> {
    /// The total `L`.
    pub total: T,
    /// Each term's weighted contribution `w_t·mean(r²)`, in term order (a slice to read;
    /// no heap allocation for up to [`TermLosses::INLINE`] terms).
    pub terms: TermLosses<T>,
}

/// Evaluates the loss and its gradient for a model (by default one [`Graph`]) and a PDE.
pub struct Assembly<P, T: Real, M: Model<T> = Graph> {
    model: M,
    pde: P,
    terms: Vec<Prepared<T>>,
    chunk: usize,
    /// Every chunk of every term, `(term, first point, end)`, in reduction order.
    items: Vec<(usize, usize, usize)>,
    /// Per term, one slot per thread.
    workspaces: Vec<Vec<Slots<T, M>>>,
    buffers: Vec<ChunkOut<T>>,
    tree: TreeSum<T>,
    /// The reduced gradient and term losses of the last evaluation (kept: no allocation per
    /// step).
    total: Vec<T>,
    threads: usize,
    residuals: Vec<Vec<T>>,
    stream: Seed,
    /// Which optimised numbers are frozen (their gradient entries are 0); empty: none.
    frozen: Vec<bool>,
    /// The PDE's trainable coefficients ([`Pde::coefficient_specs`]).
    coefs: Vec<Coefficient>,
    /// The ranks of a data-parallel run, if there are several (behind a lock only so that
    /// the assembly can be shared with the worker threads, which never touch it).
    collective: Option<Mutex<Box<dyn Collective>>>,
    /// Seconds spent merging with the other ranks (waiting for them included).
    merging: f64,
}

fn lock<T: ?Sized>(m: &Mutex<Box<T>>) -> std::sync::MutexGuard<'_, Box<T>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

type Slots<T, M> = Mutex<Slot<T, <M as Model<T>>::Workspace>>;

/// One thread's working memory for one term.
struct Slot<T, W> {
    ws: W,
    sc: Scratch<T>,
}

/// What one chunk produces: its gradient over every optimised number followed by its weighted
/// loss in the slot of its term (so the tree adds both at once), its points' `Σ r²` (recording
/// terms only), and whether it failed.
struct ChunkOut<T> {
    grad: Vec<T>,
    r2: Vec<T>,
    loss: Result<T>,
}

impl<P: Pde, T: Real, M: Model<T>> Assembly<P, T, M> {
    /// Validates and prepares the terms; `threads` workspaces per term are kept. Two terms
    /// with the same name are an [`Error::InvalidConfig`] naming it.
    pub fn new(model: M, pde: P, terms: Vec<Term>, chunk: usize, threads: usize) -> Result<Self> {
        let (d, m) = (model.input_dim(), model.output_dim());
        if pde.dim() != d {
            return Err(Error::DimensionMismatch {
                what: "PDE dimension vs network inputs",
                expected: d,
                found: pde.dim(),
            });
        }
        if pde.outputs() != m {
            return Err(Error::DimensionMismatch {
                what: "PDE outputs vs network outputs",
                expected: m,
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
            prepared.push(prepare(t, &pde, d, m)?);
        }
        check_unique_names(&prepared)?;
        let coefs = pde.coefficient_specs();
        for c in &coefs {
            c.check()?;
        }
        // Every slot sized now for its term's largest chunk, so no step allocates: which
        // thread first takes a chunk of which term is up to work stealing, and can be many
        // steps into a run.
        let mut workspaces = Vec::new();
        for t in &prepared {
            let points = chunk.min(t.n) * if t.periodic { 2 } else { 1 };
            let mut v = Vec::new();
            for _ in 0..threads {
                let mut ws = model.workspace(&t.comps)?;
                model.reserve(&mut ws, points);
                let mut sc = Scratch::default();
                let shape = (t.comps.len(), m, t.equations(&pde));
                sc.reserve(points, shape, d, coefs.len());
                v.push(Mutex::new(Slot { ws, sc }));
            }
            workspaces.push(v);
        }
        let width = model.n_params() + coefs.len() + prepared.len();
        let n_terms = prepared.len();
        let mut assembly = Assembly {
            model,
            pde,
            terms: prepared,
            chunk,
            items: Vec::new(),
            workspaces,
            buffers: (0..2 * threads)
                .map(|_| ChunkOut {
                    grad: vec![T::zero(); width],
                    r2: Vec::new(),
                    loss: Ok(T::zero()),
                })
                .collect(),
            tree: TreeSum::default(),
            total: Vec::new(),
            threads,
            residuals: vec![Vec::new(); n_terms],
            stream: Seed(0),
            frozen: Vec::new(),
            coefs,
            collective: None,
            merging: 0.0,
        };
        assembly.rebuild_items();
        Ok(assembly)
    }

    /// Splits the loss over the ranks of a data-parallel run (see
    /// [`collective`](super::collective)): from now on this rank evaluates its share of the
    /// chunks, and [`Assembly::eval`] and [`Assembly::eval_term`] are collective calls that
    /// every rank must make in the same order. A group of one rank changes nothing.
    pub fn set_collective(&mut self, collective: Box<dyn Collective>) {
        self.collective = (collective.size() > 1).then(|| Mutex::new(collective));
    }

    /// This rank's number in a data-parallel run (0 without one).
    pub fn rank(&self) -> usize {
        self.collective.as_ref().map_or(0, |c| lock(c).rank())
    }

    /// The number of ranks of the run (1 without a data-parallel run).
    pub fn ranks(&self) -> usize {
        self.collective.as_ref().map_or(1, |c| lock(c).size())
    }

    /// The seconds this rank has spent in the merges of a data-parallel run so far: sending,
    /// receiving, and waiting for slower ranks (0 without one).
    pub fn merge_seconds(&self) -> f64 {
        self.merging
    }

    /// The ranks of a data-parallel run, if there are several.
    pub(crate) fn collective(&mut self) -> Option<&mut (dyn Collective + 'static)> {
        let c = self.collective.as_mut()?;
        Some(&mut **c.get_mut().unwrap_or_else(|p| p.into_inner()))
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
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
        self.model.n_params() + self.coefs.len()
    }
    /// The PDE's trainable coefficients, in order.
    pub fn coefficient_specs(&self) -> &[Coefficient] {
        &self.coefs
    }
    /// The coefficients' values `c = Coefficient::value(ρ)` for the optimised numbers
    /// `params` (network parameters, then the coefficients' `ρ`).
    pub fn coefficient_values(&self, params: &[T]) -> Vec<T> {
        let n_theta = self.model.n_params();
        self.coefs
            .iter()
            .zip(params.get(n_theta..).unwrap_or(&[]))
            .map(|(c, &rho)| T::from_f64(c.value(rho.to_f64())))
            .collect()
    }
    /// `params` with each coefficient's `ρ` replaced by its value `c` (borrowed when every
    /// coefficient is unparametrised).
    pub(crate) fn physical<'a>(&self, params: &'a [T]) -> Cow<'a, [T]> {
        let identity = self
            .coefs
            .iter()
            .all(|c| c.parametrisation == Parametrisation::Identity);
        if identity {
            return Cow::Borrowed(params);
        }
        let n_theta = self.model.n_params();
        let mut p = params.to_vec();
        p[n_theta..].copy_from_slice(&self.coefficient_values(params));
        Cow::Owned(p)
    }
    /// The term names, in order.
    pub fn term_names(&self) -> Vec<String> {
        self.terms.iter().map(|t| t.name.clone()).collect()
    }
    /// The handles of the terms, in the order they were given.
    pub fn term_ids(&self) -> Vec<TermId> {
        (0..self.terms.len()).map(TermId).collect()
    }

    /// `L` and `∂L/∂(θ, c)` (written to `grad`, length [`Assembly::n_params`]). `step` names
    /// the step in a non-finite error. Terms that record residuals keep them.
    pub fn eval(&mut self, params: &[T], grad: &mut [T], step: usize) -> Result<LossReport<T>> {
        self.eval_terms(params, grad, step, None)
    }

    /// The weighted loss `w_t·L_t` of `term` alone and its gradient (the other terms' entries
    /// of the report are 0). Recorded residuals are not touched.
    pub fn eval_term(
        &mut self,
        term: TermId,
        params: &[T],
        grad: &mut [T],
        step: usize,
    ) -> Result<LossReport<T>> {
        self.term(term.0)?;
        self.eval_terms(params, grad, step, Some(term.0))
    }

    fn check_params(&self, params: &[T], grad: Option<&[T]>) -> Result<()> {
        let n_all = self.n_params();
        let bad = if params.len() != n_all {
            Some(params.len())
        } else {
            grad.map(|g| g.len()).filter(|&l| l != n_all)
        };
        match bad {
            Some(found) => Err(Error::DimensionMismatch {
                what: "parameters (network, then PDE coefficients)",
                expected: n_all,
                found,
            }),
            None => Ok(()),
        }
    }

    fn eval_terms(
        &mut self,
        params: &[T],
        grad: &mut [T],
        step: usize,
        only: Option<usize>,
    ) -> Result<LossReport<T>> {
        self.check_params(params, Some(grad))?;
        let n_all = grad.len();
        let n_terms = self.terms.len();
        let wave = self.buffers.len();
        let mut buffers = std::mem::take(&mut self.buffers);
        let mut residuals = std::mem::take(&mut self.residuals);
        let mut tree = std::mem::take(&mut self.tree);
        let record = only.is_none();
        for (r, t) in residuals.iter_mut().zip(&self.terms) {
            if record {
                r.resize(if t.record { t.n } else { 0 }, T::zero());
            }
        }
        let filtered: Vec<(usize, usize, usize)>;
        let items: &[(usize, usize, usize)] = match only {
            None => &self.items,
            Some(o) => {
                filtered = self.items.iter().copied().filter(|it| it.0 == o).collect();
                &filtered
            }
        };
        let phys_raw = params;
        let phys = self.physical(phys_raw);
        let params: &[T] = &phys;
        // This rank's chunks: all of them, or its share of a data-parallel run's.
        let (lo, hi) = match self.ranks() {
            1 => (0, items.len()),
            ranks => {
                let costs: Vec<u64> = items.iter().map(|&it| self.cost(it)).collect();
                collective::share(&costs, ranks, self.rank())
            }
        };
        let this = &*self;
        let mut failure = None;
        tree.restart_at(lo);
        'waves: for (w, items) in items[lo..hi].chunks(wave).enumerate() {
            items
                .par_iter()
                .zip(buffers.par_iter_mut())
                .for_each(|(&(ti, s, e), out)| {
                    out.r2.clear();
                    let slot = rayon::current_thread_index().unwrap_or(0) % this.threads;
                    let mut slot = this.workspaces[ti][slot]
                        .lock()
                        .unwrap_or_else(|p| p.into_inner());
                    let rec = record && this.terms[ti].record;
                    out.loss = this.chunk(ti, (s, e), params, &mut slot, out, rec, step);
                });
            for (k, out) in buffers[..items.len()].iter_mut().enumerate() {
                let (ti, s, e) = items[k];
                match std::mem::replace(&mut out.loss, Ok(T::zero())) {
                    Ok(_) => {}
                    Err(e) => {
                        failure = Some((lo + w * wave + k, e));
                        break 'waves;
                    }
                }
                if !out.r2.is_empty() {
                    residuals[ti][s..e].copy_from_slice(&out.r2);
                }
                tree.push(&mut out.grad);
            }
        }
        let mut total = std::mem::take(&mut self.total);
        total.clear();
        total.resize(n_all + n_terms, T::zero());
        let outcome = match self.collective.as_ref() {
            None => match failure {
                Some((_, e)) => Err(e),
                None => {
                    tree.finish_into(&mut total);
                    Ok(())
                }
            },
            Some(c) => {
                let mine = match &failure {
                    Some(_) => Vec::new(),
                    None => (lo..hi)
                        .filter(|&k| record && self.terms[items[k].0].record)
                        .map(|k| {
                            let (ti, s, e) = items[k];
                            (k, residuals[ti][s..e].to_vec())
                        })
                        .collect(),
                };
                let part = Part {
                    failure,
                    residuals: mine,
                };
                let mut c = lock(c);
                let clock = std::time::Instant::now();
                let merged = collective::combine(&mut **c, &mut tree, part, &mut total);
                self.merging += clock.elapsed().as_secs_f64();
                merged.and_then(|all| {
                    for (k, r2) in all {
                        let &(ti, s, e) = items.get(k).ok_or_else(|| Error::Collective {
                            rank: 0,
                            reason: format!("residuals of chunk {k}, which does not exist"),
                        })?;
                        residuals[ti][s..e].copy_from_slice(&r2);
                    }
                    Ok(())
                })
            }
        };
        tree.clear();
        self.buffers = buffers;
        self.residuals = residuals;
        self.tree = tree;
        self.total = total;
        outcome?;
        let (g, term_loss) = self.total.split_at(n_all);
        // Every chunk's loss and gradient was finite; their sums may still overflow.
        for (t, l) in self.terms.iter().zip(term_loss) {
            if !l.is_finite() {
                return Err(Error::NonFinite {
                    step,
                    term: t.name.clone(),
                });
            }
        }
        if !g.iter().all(|v| v.is_finite()) {
            return Err(Error::NonFinite {
                step,
                term: "gradient (the sum over chunks overflows)".into(),
            });
        }
        grad.copy_from_slice(g);
        // ∂L/∂ρ = ∂L/∂c · dc/dρ, at the optimiser's ρ (not the value c).
        let n_theta = self.model.n_params();
        let raw = &phys_raw[n_theta..];
        for ((g, c), &rho) in grad[n_theta..].iter_mut().zip(&self.coefs).zip(raw) {
            *g *= T::from_f64(c.derivative(rho.to_f64()));
        }
        for (g, _) in grad.iter_mut().zip(&self.frozen).filter(|(_, f)| **f) {
            *g = T::zero();
        }
        let total = term_loss.iter().fold(T::zero(), |a, &b| a + b);
        Ok(LossReport {
            total,
            terms: TermLosses::from_slice(term_loss),
        })
    }

    /// The cost of a chunk, for sharing chunks between ranks: its points × the derivative
    /// components its forward pass carries (twice the points for a periodic pair).
    fn cost(&self, (ti, s, e): (usize, usize, usize)) -> u64 {
        let t = &self.terms[ti];
        let points = if t.periodic { 2 * (e - s) } else { e - s };
        (points * t.comps.len().max(1)) as u64
    }

    /// Points `s..e` of term `ti`: writes the chunk's gradient and, in the slot of its term,
    /// its weighted loss to `out.grad`; pushes each point's `Σ r²` to `out.r2` if `record`.
    #[allow(clippy::too_many_arguments)]
    fn chunk(
        &self,
        ti: usize,
        (s, e): (usize, usize),
        params: &[T],
        slot: &mut Slot<T, M::Workspace>,
        out: &mut ChunkOut<T>,
        record: bool,
        step: usize,
    ) -> Result<T> {
        let Slot { ws, sc } = slot;
        let t = &self.terms[ti];
        let (d, m) = (self.model.input_dim(), self.model.output_dim());
        let n_theta = self.model.n_params();
        let (theta, coef) = params.split_at(n_theta);
        let n_all = params.len();
        let k = e - s;
        let stream = self.stream.derive(ti as u64);
        let r2 = record.then_some(&mut out.r2);
        out.grad.fill(T::zero());
        let loss = if t.periodic {
            // One forward pass over the k points followed by their k partners.
            sc.pts.clear();
            sc.pts.extend_from_slice(&t.xt[s * d..e * d]);
            sc.pts
                .extend_from_slice(&t.xt[(t.n + s) * d..(t.n + e) * d]);
            sc.vals.resize(2 * k * m, T::zero());
            let batch = Batch {
                points: &sc.pts,
                first: 0,
                stream: stream.derive(s as u64),
            };
            self.model.forward(ws, theta, &batch, &mut sc.vals)?;
            let loss = kernel::periodic(t, s, k, m, &sc.vals, &mut sc.seeds, r2);
            self.model
                .backward(ws, theta, &sc.seeds, &mut out.grad[..n_theta])?;
            loss
        } else {
            let batch = Batch {
                points: &t.xt[s * d..e * d],
                first: s,
                stream,
            };
            sc.vals.resize(k * t.comps.len() * m, T::zero());
            self.model.forward(ws, theta, &batch, &mut sc.vals)?;
            let neq = t.equations(&self.pde);
            let loss = match &t.kind {
                TermKind::Pde => {
                    let res = PdeResidual(&self.pde);
                    kernel::pointwise(&res, t, (s, e), m, neq, coef, sc, r2)?
                }
                TermKind::Condition(c) => {
                    let res = ConditionResidual {
                        condition: c,
                        normals: &t.normals,
                    };
                    kernel::pointwise(&res, t, (s, e), m, neq, coef, sc, r2)?
                }
            };
            self.model
                .backward(ws, theta, &sc.seeds, &mut out.grad[..n_theta])?;
            if matches!(t.kind, TermKind::Pde) {
                for (g, &c) in out.grad[n_theta..n_all].iter_mut().zip(&sc.coef_grad) {
                    *g += c;
                }
            }
            loss
        };
        if !loss.is_finite() {
            return Err(Error::NonFinite {
                step,
                term: t.name.clone(),
            });
        }
        if !out.grad[..n_all].iter().all(|v| v.is_finite()) {
            return Err(Error::NonFinite {
                step,
                term: format!("{} (gradient)", t.name),
            });
        }
        out.grad[n_all + ti] = loss;
        Ok(loss)
    }
}
