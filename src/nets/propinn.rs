//! ProPINN (Wu et al.): the propagation-failure architecture, as one graph.

use crate::ad::Elementary;
use crate::ad::jet::{BiasInit, Graph, GraphBuilder, NodeId};
use crate::error::{Error, Result};

/// The perturbation regions of ProPINN (`util.get_perturbation`, `type='uniform'`): per region,
/// the half-width of its square grid of offsets and the number of offsets per side. Region 0
/// is the point itself.
pub const PROPINN_REGIONS: [(f64, usize); 4] = [(0.0, 1), (0.01, 3), (0.05, 5), (0.09, 7)];

/// Copies of each input point ProPINN evaluates: `1 + 3² + 5² + 7² = 84`.
pub const PROPINN_COPIES: usize = 84;

/// The ProPINN network (Wu et al., "ProPINN: demystifying propagation failures in
/// physics-informed neural networks"; `models/ProPINN.py`, spec `ropinn_propinn_spec.md` §6.1),
/// for inputs `p = (x, t)`, 15 030 parameters:
///
/// 1. **Differential perturbation.** `84` copies `s ⊙ p + δ`: the point itself and three
///    regions of fixed offsets `δ` on uniform grids, `3 × 3` over `[−0.01, 0.01]²`, `5 × 5`
///    over `[−0.05, 0.05]²`, `7 × 7` over `[−0.09, 0.09]²` ([`PROPINN_REGIONS`]): absolute
///    offsets, no clipping. `s` is the task's input scale (`(π, π)` for the wave task,
///    `(1, 1)` otherwise); derivatives are taken with respect to the unscaled `p`.
/// 2. **Shared projection** `P = Linear(2→8), WaveAct, Linear(8→32)` on every copy (one set of
///    weights: layers shared by the 84 blocks).
/// 3. **Region pooling**: `z₀ = P(p)`, `z_r` the mean of `P` over region `r`'s copies.
/// 4. **Multi-region mixing** `M = Linear(4→8), WaveAct, Linear(8→1)` along the 4 scales, the
///    same weights for each of the 32 channels: `z ∈ ℝ³²`.
/// 5. **Head** `H = [Linear, WaveAct] × 4` (32→64, 64→64 three times), then `Linear(64→1)`.
///
/// `WaveAct(z) = w₁ sin z + w₂ cos z`, each instance with its own learned `(w₁, w₂)`,
/// starting at `(1, 1)` (trainable scalars, [`NodeOp::ScaleByParam`](crate::ad::jet::NodeOp::ScaleByParam)). Derivatives of `u` with respect to `p` flow through all 84 copies
/// ("gradient uniting"), exactly, through the jets. The layers are ordinary dense nodes, so
/// [`xavier_uniform`](crate::nets::xavier_uniform) gives the authors' initialisation.
///
/// Cost per point: the 84 copies through `P` dominate (about 23 000 multiply-adds a jet
/// component, of about 50 000 in all; a plain 3 × 512 PINN takes 527 000).
///
/// ```
/// use pinn::nets::propinn;
/// let g = propinn([1.0, 1.0])?;
/// assert_eq!(g.n_params(), 15_030);
/// assert_eq!((g.input_dim(), g.output_dim()), (2, 1));
/// # Ok::<(), pinn::Error>(())
/// ```
///
/// Errors (`InvalidConfig` on `"propinn.input_scale"`): a scale not finite or 0.
pub fn propinn(input_scale: [f64; 2]) -> Result<Graph> {
    check_scale(input_scale)?;
    let mut b = GraphBuilder::new(2);
    let x = b.input();
    // Copy j of p: s ⊙ p + δ_j, 84 blocks of 2.
    let (w, shifts) = copies_map(input_scale);
    let copies = b.linear(x, 2 * PROPINN_COPIES, &w, Some(&shifts));
    let out = on_copies(&mut b, copies);
    b.build(out)
}

/// The ProPINN network of [`propinn`] with the 84 perturbed copies as its `168` inputs
/// (copy after copy, in the order of [`propinn_offsets`]) instead of building them from `p`:
/// the same parameters and the same `u` when fed `s ⊙ p + δ_j`. Its input gradient splits
/// `∂u/∂p` into the contribution of each copy, `∂u/∂p = s ⊙ Σ_j ∂u/∂copy_j`: the "gradient
/// uniting" of the paper's Fig. 3(b), for analysis and tests.
///
/// ```
/// use pinn::nets::{propinn, propinn_on_copies, propinn_offsets};
/// let (g, gc) = (propinn([1.0, 1.0])?, propinn_on_copies()?);
/// let theta: Vec<f64> = g.init_params(pinn::rng::Seed(0));
/// let p = [0.3, 0.7];
/// let copies: Vec<f64> = propinn_offsets().iter().flat_map(|d| [p[0] + d[0], p[1] + d[1]]).collect();
/// assert_eq!(g.eval(&theta, &p)?, gc.eval(&theta, &copies)?);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn propinn_on_copies() -> Result<Graph> {
    let mut b = GraphBuilder::new(2 * PROPINN_COPIES);
    let x = b.input();
    // An identity map first: the input node cannot be split into blocks.
    let mut eye = vec![0.0; (2 * PROPINN_COPIES).pow(2)];
    for i in 0..2 * PROPINN_COPIES {
        eye[i * (2 * PROPINN_COPIES + 1)] = 1.0;
    }
    let copies = b.linear(x, 2 * PROPINN_COPIES, &eye, None);
    let out = on_copies(&mut b, copies);
    b.build(out)
}

/// The 84 offsets `δ`, region by region (the point itself first), each grid row-major with
/// the first coordinate slowest.
pub fn propinn_offsets() -> Vec<[f64; 2]> {
    let mut out = Vec::with_capacity(PROPINN_COPIES);
    for &(half, k) in &PROPINN_REGIONS {
        let at = |i: usize| {
            if k == 1 {
                0.0
            } else {
                -half + 2.0 * half * i as f64 / (k - 1) as f64
            }
        };
        for i in 0..k {
            for j in 0..k {
                out.push([at(i), at(j)]);
            }
        }
    }
    out
}

fn check_scale(s: [f64; 2]) -> Result<()> {
    if s.iter().all(|v| v.is_finite() && *v != 0.0) {
        Ok(())
    } else {
        Err(Error::InvalidConfig {
            field: "propinn.input_scale",
            reason: format!("each scale must be finite and non-zero, found {s:?}"),
        })
    }
}

/// The constant map `p ↦ [s ⊙ p + δ_j]_j`: column-major `168 × 2`, and the shifts.
fn copies_map(s: [f64; 2]) -> (Vec<f64>, Vec<f64>) {
    let n = 2 * PROPINN_COPIES;
    let mut w = vec![0.0; n * 2];
    for j in 0..PROPINN_COPIES {
        for i in 0..2 {
            w[(2 * j + i) + i * n] = s[i];
        }
    }
    let shifts = propinn_offsets().into_iter().flatten().collect();
    (w, shifts)
}

/// `WaveAct(z) = w₁ sin z + w₂ cos z`, `w₁`, `w₂` trainable scalars starting at 1.
fn wave_act(b: &mut GraphBuilder, z: NodeId) -> NodeId {
    let s = b.unary(z, Elementary::Sin);
    let s = b.scale_by_param(s, 1.0);
    let c = b.unary(z, Elementary::Cos);
    let c = b.scale_by_param(c, 1.0);
    b.add(s, c)
}

/// `P`, pooling, `M` and `H` on the copies node (84 blocks of 2).
fn on_copies(b: &mut GraphBuilder, copies: NodeId) -> NodeId {
    let k = PROPINN_COPIES;
    let bias = BiasInit::Zero;
    // P on every copy: 84 blocks of 8, then of 32 (copy-major: copy j, channel c at 32j + c).
    let z = b.dense_shared(copies, k, 8, true, bias);
    let z = wave_act(b, z);
    let z = b.dense_shared(z, k, 32, true, bias);
    // Channel-major (channel c, copy j at 84c + j), then per channel the 4 region means.
    let perm: Vec<usize> = (0..32)
        .flat_map(|c| (0..k).map(move |j| 32 * j + c))
        .collect();
    let t = b.gather(z, &perm);
    let mut pool = vec![0.0; 4 * k]; // column-major 4 × 84
    let mut j = 0;
    for (r, &(_, side)) in PROPINN_REGIONS.iter().enumerate() {
        let count = side * side;
        for _ in 0..count {
            pool[r + 4 * j] = 1.0 / count as f64;
            j += 1;
        }
    }
    let pooled = b.linear_shared(t, 32, 4, &pool, None);
    // M along the scales, shared by the 32 channels.
    let m = b.dense_shared(pooled, 32, 8, true, bias);
    let m = wave_act(b, m);
    let m = b.dense_shared(m, 32, 1, true, bias);
    // H.
    let mut h = m;
    for _ in 0..4 {
        h = b.dense(h, 64);
        h = wave_act(b, h);
    }
    b.dense(h, 1)
}
