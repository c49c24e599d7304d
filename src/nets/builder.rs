//! Composing a network: embedding, body, output, transform.

use crate::ad::Elementary;
use crate::ad::jet::{BiasInit, Graph, GraphBuilder, NodeId};
use crate::error::{Error, Result};
use crate::rng::{Seed, standard_normal};

use super::periodic::periodic_embedding;

/// The hidden part of a network.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// A multilayer perceptron: `h ← σ(W h + b)` for each hidden width.
    Mlp {
        /// Hidden widths.
        hidden: Vec<usize>,
        /// Activation `σ`.
        activation: Elementary,
    },
    /// The modified MLP of Wang, Teng & Perdikaris (2021), see [`modified_mlp`].
    ModifiedMlp {
        /// Hidden widths: all equal (`n`), one gated layer per entry.
        hidden: Vec<usize>,
        /// Activation `σ` (tanh in the paper).
        activation: Elementary,
        /// How `U` and `V` are mixed.
        gate: Gate,
    },
}

/// How a gated layer of the modified MLP mixes the encoders `U` and `V`.
///
/// The authors' repository (`PredictiveIntelligenceLab/GradientPathologiesPINNs`) holds two
/// versions of `Helmholtz2D_model_tf.py` that differ only here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Gate {
    /// `H_{l+1} = Z ⊙ U + (1 − Z) ⊙ V`, `Z = σ(H_l W_l + b_l)`: the version the paper's
    /// equations and the spec follow (the default).
    #[default]
    Complement,
    /// `H_{l+1} = σ(H_l W_l + b_l) ⊙ U + σ(1 − H_l W_l + b_l) ⊙ V`, one `W_l`, `b_l` in both
    /// gates: the repository's other version.
    Shifted,
}

type Transform = Box<dyn FnOnce(&mut GraphBuilder, NodeId, NodeId) -> NodeId>;

/// Builds a network graph step by step; [`NetBuilder::build`] validates it.
pub struct NetBuilder {
    dim: usize,
    normalize: Option<(Vec<f64>, Vec<f64>)>,
    periodic: Option<(usize, f64, usize)>,
    fourier: Option<(usize, f64, Seed)>,
    body: Body,
    transform: Option<Transform>,
}

impl NetBuilder {
    /// A builder for `dim` inputs (default body: MLP 3 × 50, tanh).
    pub fn new(dim: usize) -> Self {
        NetBuilder {
            dim,
            normalize: None,
            periodic: None,
            fourier: None,
            body: Body::Mlp {
                hidden: vec![50; 3],
                activation: Elementary::Tanh,
            },
            transform: None,
        }
    }

    /// Input normalisation `x̂ = (x − μ)/σ` per coordinate (Wang et al. use the mean and
    /// standard deviation of 10⁵ uniform points of the domain). Derivatives with respect to
    /// `x` pick up the factor `1/σ` through the chain rule automatically.
    pub fn normalize(mut self, mu: &[f64], sigma: &[f64]) -> Self {
        self.normalize = Some((mu.to_vec(), sigma.to_vec()));
        self
    }

    /// The periodic embedding `[x_{≠axis}, 1, cos(2πk x_axis/L), sin(2πk x_axis/L)]`,
    /// `k = 1 … m`, of the raw input (see [`periodic_embedding`]): the network is exactly
    /// `L`-periodic in `x_axis`, with all its derivatives. A second call replaces the first.
    /// Random Fourier features ([`NetBuilder::fourier`]), if set, are applied to the embedding.
    /// [`NetBuilder::build`] refuses it together with [`NetBuilder::normalize`] (which would
    /// rescale the periodic coordinate before the embedding) and returns the embedding's
    /// errors.
    ///
    /// ```
    /// use pinn::ad::Elementary;
    /// use pinn::nets::{NetBuilder, predict};
    /// // The causal-training Allen–Cahn network: [t, 1, cos kπx, sin kπx] (k ≤ 10), 4 × 128.
    /// let net = NetBuilder::new(2)
    ///     .periodic_embedding(0, 2.0, 10)
    ///     .mlp(&[128; 4], Elementary::Tanh)
    ///     .build(1)?;
    /// assert_eq!(net.n_params(), 22 * 128 + 128 + 3 * (128 * 128 + 128) + 128 + 1);
    /// let theta: Vec<f64> = net.init_params(pinn::rng::Seed(0));
    /// let u = predict(&net, &theta, &[-1.0, 0.3, 1.0, 0.3])?;
    /// assert!((u[0] - u[1]).abs() < 1e-14);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn periodic_embedding(mut self, axis: usize, period: f64, m: usize) -> Self {
        self.periodic = Some((axis, period, m));
        self
    }

    /// Random Fourier features `γ(x) = [cos(2πBx), sin(2πBx)]`, `B ∈ ℝ^{m×d}`,
    /// `B_ij ~ N(0, s²)`, fixed (not trained) and drawn from `seed`.
    pub fn fourier(mut self, m: usize, s: f64, seed: Seed) -> Self {
        self.fourier = Some((m, s, seed));
        self
    }

    /// An MLP body.
    pub fn mlp(mut self, hidden: &[usize], activation: Elementary) -> Self {
        self.body = Body::Mlp {
            hidden: hidden.to_vec(),
            activation,
        };
        self
    }

    /// A modified-MLP body (see [`modified_mlp`]) with the paper's gate,
    /// [`Gate::Complement`].
    pub fn modified_mlp(self, hidden: &[usize], activation: Elementary) -> Self {
        self.modified_mlp_gated(hidden, activation, Gate::Complement)
    }

    /// A modified-MLP body with a chosen [`Gate`].
    pub fn modified_mlp_gated(
        mut self,
        hidden: &[usize],
        activation: Elementary,
        gate: Gate,
    ) -> Self {
        self.body = Body::ModifiedMlp {
            hidden: hidden.to_vec(),
            activation,
            gate,
        };
        self
    }

    /// An output transform `u = T(x, N)`, built from graph operations on the raw input `x` and
    /// the network output `N` (hard constraints; see `pde::hard`).
    pub fn transform(
        mut self,
        t: impl FnOnce(&mut GraphBuilder, NodeId, NodeId) -> NodeId + 'static,
    ) -> Self {
        self.transform = Some(Box::new(t));
        self
    }

    /// The graph, with `outputs` linear outputs.
    pub fn build(self, outputs: usize) -> Result<Graph> {
        let mut b = GraphBuilder::new(self.dim);
        let x = b.input();
        let mut h = x;
        if let Some((mu, sigma)) = &self.normalize {
            if self.periodic.is_some() {
                return Err(Error::InvalidConfig {
                    field: "net.periodic_embedding",
                    reason: "the periodic embedding reads the raw input; it cannot follow \
                             normalize (which would change the period)"
                        .into(),
                });
            }
            h = normalize(&mut b, h, mu, sigma)?;
        }
        if let Some((axis, period, m)) = self.periodic {
            h = periodic_embedding(&mut b, h, axis, period, m)?;
        }
        if let Some((m, s, seed)) = self.fourier {
            h = fourier_features(&mut b, h, m, s, seed)?;
        }
        h = match &self.body {
            Body::Mlp { hidden, activation } => {
                for &w in hidden {
                    let z = b.dense(h, w);
                    h = b.unary(z, *activation);
                }
                h
            }
            Body::ModifiedMlp {
                hidden,
                activation,
                gate,
            } => gated_layers(&mut b, h, hidden, *activation, *gate)?,
        };
        let mut out = b.dense(h, outputs);
        if let Some(t) = self.transform {
            out = t(&mut b, x, out);
        }
        b.build(out)
    }
}

/// Adds `x̂ = (x − μ)/σ` after node `x` (a constant diagonal map).
pub fn normalize(b: &mut GraphBuilder, x: NodeId, mu: &[f64], sigma: &[f64]) -> Result<NodeId> {
    let d = mu.len();
    if sigma.len() != d {
        return Err(Error::DimensionMismatch {
            what: "normalisation σ vs μ",
            expected: d,
            found: sigma.len(),
        });
    }
    if let Some(s) = sigma.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
        return Err(Error::InvalidConfig {
            field: "normalize.sigma",
            reason: format!("every σ must be finite and > 0, found {s}"),
        });
    }
    let mut w = vec![0.0; d * d];
    for i in 0..d {
        w[i + i * d] = 1.0 / sigma[i];
    }
    let bias: Vec<f64> = mu.iter().zip(sigma).map(|(m, s)| -m / s).collect();
    Ok(b.linear(x, d, &w, Some(&bias)))
}

/// Adds random Fourier features `[cos(2πBh), sin(2πBh)]` (`2m` features) after node `h`,
/// `B_ij ~ N(0, s²)` drawn from `seed` (Tancik et al. 2020; Wang, Wang & Perdikaris 2021).
pub fn fourier_features(
    b: &mut GraphBuilder,
    h: NodeId,
    m: usize,
    s: f64,
    seed: Seed,
) -> Result<NodeId> {
    if m == 0 || !(s.is_finite() && s > 0.0) {
        return Err(Error::InvalidConfig {
            field: "fourier",
            reason: format!("need m ≥ 1 features and a scale s > 0, found m = {m}, s = {s}"),
        });
    }
    let d = b.width(h);
    let mut rng = seed.rng();
    let mut w: Vec<f64> = Vec::new();
    m.checked_mul(d)
        .and_then(|len| w.try_reserve_exact(len).ok())
        .ok_or_else(|| Error::InvalidConfig {
            field: "fourier",
            reason: format!("{m} features of {d} inputs do not fit in memory"),
        })?;
    w.extend((0..m * d).map(|_| core::f64::consts::TAU * s * standard_normal(&mut rng)));
    let z = b.linear(h, m, &w, None);
    let (c, sn) = (b.unary(z, Elementary::Cos), b.unary(z, Elementary::Sin));
    Ok(b.concat(c, sn))
}

/// Gated layers of the modified MLP, exactly as coded by Wang, Teng & Perdikaris (2021):
///
/// ```text
/// U = σ(X W_U + b_U),  V = σ(X W_V + b_V)          (encoders; b_U, b_V Xavier-normal)
/// H₀ = X;  Z_l = σ(H_l W_l + b_l);  H_{l+1} = Z_l ⊙ U + (1 − Z_l) ⊙ V
/// ```
///
/// (the paper writes `(1 − Z)⊙U + Z⊙V`, which is the same up to relabelling U and V). With
/// [`Gate::Shifted`], `H_{l+1} = σ(H_l W_l + b_l) ⊙ U + σ(1 − H_l W_l + b_l) ⊙ V`; there the
/// gate bias `b_l` is its own node ([`GraphBuilder::param`]) and `W_l` a dense layer without
/// bias, so the weight matrices are the same ones as with [`Gate::Complement`].
fn gated_layers(
    b: &mut GraphBuilder,
    x: NodeId,
    hidden: &[usize],
    act: Elementary,
    gate: Gate,
) -> Result<NodeId> {
    let Some(&n) = hidden.first() else {
        return Err(Error::InvalidConfig {
            field: "modified_mlp.hidden",
            reason: "need at least one gated layer".into(),
        });
    };
    if let Some(w) = hidden.iter().find(|&&w| w != n) {
        return Err(Error::InvalidConfig {
            field: "modified_mlp.hidden",
            reason: format!("all widths must be equal (the gates mix U and V), found {n} and {w}"),
        });
    }
    let u = b.dense_init(x, n, true, BiasInit::XavierNormal);
    let u = b.unary(u, act);
    let v = b.dense_init(x, n, true, BiasInit::XavierNormal);
    let v = b.unary(v, act);
    let mut h = x;
    for _ in hidden {
        // Node order matters for the bits: the reverse sweep accumulates adjoints in it. Each
        // arm keeps the order its published results were computed with.
        let (zu, z_v) = match gate {
            Gate::Complement => {
                let z = b.dense(h, n);
                let z = b.unary(z, act);
                let zu = b.mul(z, u);
                (zu, b.scale(z, -1.0, 1.0))
            }
            Gate::Shifted => {
                let hw = b.dense_with(h, n, false);
                let bias = b.param(n);
                let pre = b.add(hw, bias);
                let z = b.unary(pre, act);
                let shifted = b.sub(bias, hw);
                let shifted = b.scale(shifted, 1.0, 1.0);
                let z_v = b.unary(shifted, act);
                (b.mul(z, u), z_v)
            }
        };
        let zv = b.mul(z_v, v);
        h = b.add(zu, zv);
    }
    Ok(h)
}

/// The modified MLP for `widths = [d, n, …, n, m]` (as in the paper's `layers`): one gated
/// layer per hidden entry and a linear output, `σ` after every gate.
///
/// ```
/// use pinn::{ad::Elementary, nets::modified_mlp};
/// let g = modified_mlp(&[2, 50, 50, 50, 1], Elementary::Tanh)?;
/// // U, V encoders (2·(2·50+50)), gates (2·50+50, then 2 × (50·50+50)), output 51.
/// assert_eq!(g.n_params(), 300 + 150 + 5100 + 51);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn modified_mlp(widths: &[usize], activation: Elementary) -> Result<Graph> {
    if widths.len() < 3 {
        return Err(Error::InvalidConfig {
            field: "modified_mlp.widths",
            reason: format!("need [d, n, …, m] with at least one hidden width, found {widths:?}"),
        });
    }
    NetBuilder::new(widths[0])
        .modified_mlp(&widths[1..widths.len() - 1], activation)
        .build(widths[widths.len() - 1])
}
