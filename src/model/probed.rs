//! A network whose Laplacian is estimated from random directions pushed through the jets:
//! Hutchinson's trace estimator and the stochastic-dimension Taylor estimator.
//!
//! For a probe `v` with `E[v vᵀ] = I`, `E[vᵀ H v] = tr H = Δu` (Hutchinson 1989), and `vᵀ H v`
//! is the second Taylor coefficient of `t ↦ u(x + t v)`, which one tangent slot of the jets
//! carries ([`JetWorkspace::new_directional`]): no Hessian, no input derivative beyond that
//! one direction. With `P` probes per point,
//!
//! ```text
//!   Δ̂u = (1/P) Σ_{a=1..P} v_aᵀ H v_a                  (Rademacher or Gaussian v_a)
//!   Δ̂u = (d/P) Σ_{a=1..P} ∂²u/∂x_{k_a}²              (k_a: P distinct coordinates, uniform)
//! ```
//!
//! The second line is the stochastic Taylor derivative estimator's "sample dimensions" form
//! (Shi et al., NeurIPS 2024); with `P = d` it is the exact Laplacian. All three are unbiased for
//! the network itself (unlike the Stein model, which estimates a smoothed network). The value,
//! first and second partial derivatives, when a loss term also reads them, are exact: they get
//! unit tangent slots of their own beside the probes.
//!
//! **Samples.** Point `p` of a set draws its probes from `batch.stream.derive(first + p)`, so
//! they do not depend on chunking or threads.
//!
//! **Cost.** The jets carry `1 + F + 2P` blocks (value, `F` exact first-derivative slots, then
//! per probe its first and second coefficients) against `d + 2` for the exact forward
//! Laplacian: a saving when `F + 2P ≪ d`. A residual that needs the whole gradient (`F = d`, as
//! Hamilton–Jacobi–Bellman's `‖∇u‖²`) gains nothing from the probes in a forward-mode engine.

use super::{Batch, Model};
use crate::ad::Real;
use crate::ad::jet::{Component, Graph, JetWorkspace, Selection};
use crate::error::{Error, Result, check_len};
use crate::rng::{Seed, standard_normal, uniform};
use rand::Rng;

/// The distribution of the probes of a [`ProbedLaplacian`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Probe {
    /// Entries ±1 with equal probability: Hutchinson's estimator (the least variance among
    /// vectors with independent entries).
    Rademacher,
    /// Standard normal entries.
    Gaussian,
    /// `P` distinct coordinate axes, uniformly, scaled by `d/P`: the stochastic-dimension
    /// estimator (exact at `P = d`).
    Coordinates,
}

impl Probe {
    /// The name used by examples and records: `rademacher`, `gaussian`, `coordinates`.
    pub fn name(self) -> &'static str {
        match self {
            Probe::Rademacher => "rademacher",
            Probe::Gaussian => "gaussian",
            Probe::Coordinates => "coordinates",
        }
    }
}

/// A [`Graph`] whose [`Component::Laplacian`] is a randomized estimate from `P` probes per
/// point; every other component it computes exactly. See the [module docs](self).
///
/// ```
/// use pinn::ad::{jet::{Component, Graph}, Elementary};
/// use pinn::model::{Batch, Model, Probe, ProbedLaplacian};
/// use pinn::rng::Seed;
///
/// let g = Graph::mlp(&[100, 32, 1], Elementary::Tanh)?;
/// let f = ProbedLaplacian::new(g, 8, Probe::Rademacher)?;
/// let theta: Vec<f64> = f.init_params(Seed(0));
/// let mut ws = f.workspace(&[Component::Value, Component::Laplacian])?;
/// let x = vec![0.1; 100];
/// let mut v = [0.0; 2];
/// f.forward(&mut ws, &theta, &Batch::new(&x), &mut v)?; // u and Δ̂u from 8 probes
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ProbedLaplacian {
    graph: Graph,
    probes: usize,
    probe: Probe,
}

impl ProbedLaplacian {
    /// `P = probes` probes of kind `probe` per point.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for `P = 0`, or `P > d` with [`Probe::Coordinates`].
    pub fn new(graph: Graph, probes: usize, probe: Probe) -> Result<Self> {
        let d = graph.input_dim();
        if probes == 0 || (probe == Probe::Coordinates && probes > d) {
            return Err(Error::InvalidConfig {
                field: "probes",
                reason: format!(
                    "P = {probes} probes per point; need P ≥ 1{}",
                    if probe == Probe::Coordinates {
                        format!(" and at most the input dimension {d} distinct coordinates")
                    } else {
                        String::new()
                    }
                ),
            });
        }
        Ok(ProbedLaplacian {
            graph,
            probes,
            probe,
        })
    }
    /// The network.
    pub fn network(&self) -> &Graph {
        &self.graph
    }
    /// `P`.
    pub fn probes(&self) -> usize {
        self.probes
    }
    /// The probe distribution.
    pub fn probe(&self) -> Probe {
        self.probe
    }

    /// Writes the probes of one point (`P·d` numbers, probe-major) and returns the factor of
    /// `Σ_a v_aᵀ H v_a` in the estimate.
    fn draw(&self, stream: Seed, index: usize, out: &mut [f64]) -> f64 {
        let d = self.graph.input_dim();
        let mut rng = stream.derive(index as u64).rng();
        let p = self.probes;
        match self.probe {
            Probe::Rademacher => {
                for v in out.iter_mut() {
                    *v = if rng.next_u64() >> 63 == 0 { 1.0 } else { -1.0 };
                }
                1.0 / p as f64
            }
            Probe::Gaussian => {
                for v in out.iter_mut() {
                    *v = standard_normal(&mut rng);
                }
                1.0 / p as f64
            }
            Probe::Coordinates => {
                // P distinct axes by a partial Fisher–Yates shuffle of 0..d.
                let mut axes: Vec<usize> = (0..d).collect();
                out.fill(0.0);
                for a in 0..p {
                    let j = a + ((uniform(&mut rng) * (d - a) as f64) as usize).min(d - a - 1);
                    axes.swap(a, j);
                    out[a * d + axes[a]] = 1.0;
                }
                d as f64 / p as f64
            }
        }
    }
}

/// The working memory of a [`ProbedLaplacian`]: a directional jet workspace whose first `F`
/// slots are the exact axes, the next `P` the probes.
#[derive(Clone, Debug)]
pub struct ProbedWorkspace<T> {
    jets: JetWorkspace<T>,
    comps: Vec<Component>,
    /// The input axes with a slot of their own, in slot order.
    axes: Vec<usize>,
    /// Each requested component's jet component (the Laplacian: none).
    jet_comps: Vec<Option<Component>>,
    tangents: Vec<T>,
    probe_buf: Vec<f64>,
    /// The Laplacian factor of each point of the last pass.
    factors: Vec<T>,
}

impl<T: Real> Model<T> for ProbedLaplacian {
    type Workspace = ProbedWorkspace<T>;

    fn input_dim(&self) -> usize {
        self.graph.input_dim()
    }
    fn output_dim(&self) -> usize {
        self.graph.output_dim()
    }
    fn n_params(&self) -> usize {
        self.graph.n_params()
    }
    fn init_params(&self, seed: Seed) -> Vec<T> {
        self.graph.init_params(seed)
    }

    fn workspace(&self, components: &[Component]) -> Result<ProbedWorkspace<T>> {
        let d = self.graph.input_dim();
        let mut axes: Vec<usize> = Vec::new();
        for &c in components {
            let dirs: Vec<usize> = match c {
                Component::Value | Component::Laplacian => Vec::new(),
                Component::First(k) => vec![k],
                Component::Second(k, l) => vec![k, l],
                _ => {
                    return Err(Error::InvalidConfig {
                        field: "probed.components",
                        reason: format!(
                            "{c:?}: a probed-Laplacian model computes the value, first and \
                             second partials exactly and estimates the Laplacian"
                        ),
                    });
                }
            };
            for k in dirs {
                if k >= d {
                    return Err(Error::InvalidConfig {
                        field: "probed.components",
                        reason: format!(
                            "{c:?}: direction {k} is out of range for input dimension {d}"
                        ),
                    });
                }
                if !axes.contains(&k) {
                    axes.push(k);
                }
            }
        }
        axes.sort_unstable();
        let slot = |k: usize| axes.iter().position(|&a| a == k).unwrap_or(0);
        let f = axes.len();
        let laplacian = components.contains(&Component::Laplacian);
        let slots = f + if laplacian { self.probes } else { 0 };
        let mut sel = Selection::new(slots.max(1));
        let mut jet_comps = Vec::new();
        for &c in components {
            let jc = match c {
                Component::Value => Some(Component::Value),
                Component::First(k) => Some(Component::First(slot(k))),
                Component::Second(k, l) => Some(Component::Second(slot(k), slot(l))),
                _ => None,
            };
            if let Some(jc) = jc {
                sel = sel.component(jc);
            }
            jet_comps.push(jc);
        }
        if laplacian {
            for a in 0..self.probes {
                sel = sel.second(f + a, f + a);
            }
        }
        Ok(ProbedWorkspace {
            jets: JetWorkspace::new_directional(&self.graph, &sel)?,
            comps: components.to_vec(),
            axes,
            jet_comps,
            tangents: Vec::new(),
            probe_buf: vec![0.0; self.probes * d],
            factors: Vec::new(),
        })
    }

    fn forward(
        &self,
        ws: &mut ProbedWorkspace<T>,
        theta: &[T],
        batch: &Batch<'_, T>,
        values: &mut [T],
    ) -> Result<()> {
        let (d, m, nc) = (
            self.graph.input_dim(),
            self.graph.output_dim(),
            ws.comps.len(),
        );
        let n = self.graph.check(theta, batch.points)?;
        check_len(
            "model values (points × components × outputs)",
            n * nc * m,
            values.len(),
        )?;
        let f = ws.axes.len();
        let laplacian = ws.comps.contains(&Component::Laplacian);
        let slots = ws.jets.layout().dim();
        ws.tangents.clear();
        ws.tangents.resize(slots * n * d, T::zero());
        for (s, &k) in ws.axes.iter().enumerate() {
            for p in 0..n {
                ws.tangents[(s * n + p) * d + k] = T::one();
            }
        }
        ws.factors.clear();
        if laplacian {
            for p in 0..n {
                let factor = self.draw(batch.stream, batch.first + p, &mut ws.probe_buf);
                ws.factors.push(T::from_f64(factor));
                for (a, v) in ws.probe_buf.chunks_exact(d).enumerate() {
                    let at = ((f + a) * n + p) * d;
                    for (t, &vi) in ws.tangents[at..at + d].iter_mut().zip(v) {
                        *t = T::from_f64(vi);
                    }
                }
            }
        }
        ws.jets
            .forward_directional(&self.graph, theta, batch.points, &ws.tangents)?;
        for (ci, jc) in ws.jet_comps.iter().enumerate() {
            match jc {
                Some(jc) => {
                    let block = ws.jets.output(*jc)?;
                    for (p, u) in block.chunks_exact(m).enumerate() {
                        values[(p * nc + ci) * m..][..m].copy_from_slice(u);
                    }
                }
                None => {
                    for p in 0..n {
                        values[(p * nc + ci) * m..][..m].fill(T::zero());
                    }
                    for a in 0..self.probes {
                        let block = ws.jets.output(Component::Second(f + a, f + a))?;
                        for (p, u) in block.chunks_exact(m).enumerate() {
                            let w = ws.factors[p];
                            for (o, &v) in values[(p * nc + ci) * m..][..m].iter_mut().zip(u) {
                                *o += w * v;
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn backward(
        &self,
        ws: &mut ProbedWorkspace<T>,
        theta: &[T],
        seeds: &[T],
        grad: &mut [T],
    ) -> Result<()> {
        let (m, nc) = (self.graph.output_dim(), ws.comps.len());
        let n = ws.jets.n_points();
        check_len(
            "model seeds (points × components × outputs)",
            n * nc * m,
            seeds.len(),
        )?;
        let f = ws.axes.len();
        // Several requested components may share one jet block (or the probes' blocks): clear,
        // then add.
        for jc in ws.jet_comps.iter().flatten() {
            ws.jets.seed(*jc)?.fill(T::zero());
        }
        let has_lap = ws.jet_comps.iter().any(Option::is_none);
        if has_lap {
            for a in 0..self.probes {
                ws.jets
                    .seed(Component::Second(f + a, f + a))?
                    .fill(T::zero());
            }
        }
        let factors = std::mem::take(&mut ws.factors);
        for ci in 0..nc {
            match ws.jet_comps[ci] {
                Some(jc) => {
                    let block = ws.jets.seed(jc)?;
                    for (p, u) in block.chunks_exact_mut(m).enumerate() {
                        for (o, v) in u.iter_mut().enumerate() {
                            *v += seeds[(p * nc + ci) * m + o];
                        }
                    }
                }
                None => {
                    for a in 0..self.probes {
                        let block = ws.jets.seed(Component::Second(f + a, f + a))?;
                        for (p, u) in block.chunks_exact_mut(m).enumerate() {
                            for (o, v) in u.iter_mut().enumerate() {
                                *v += factors[p] * seeds[(p * nc + ci) * m + o];
                            }
                        }
                    }
                }
            }
        }
        ws.factors = factors;
        ws.jets.backward(&self.graph, theta, grad)
    }

    fn graph(&self) -> Option<&Graph> {
        Some(&self.graph)
    }
}
