#!/usr/bin/env python3
"""Independent JAX port of Wang, Teng & Perdikaris (2021), Helmholtz M1–M4, written from
shared/papers/paper_specs.md §1.1, §1.2, §1.6, §1.7 (the TF1 code's setting), to cross-check
`examples/helmholtz.rs`: if this port and ours agree in distribution, the algorithm as coded
is reproduced and a gap to the paper's Table 3 is not a bug of ours.

    python scripts/helmholtz_jax.py --model m4 --seed 0 [--dtype f32|f64] [--steps 40001]
        [--trace FILE] [--gating z|old]

Steps run in blocks of ten (the λ update after the first step of each block), so `--steps`
is rounded up to a multiple of ten (40 001 → 40 010). Prints one JSON line: model, gating,
dtype, seed, steps, rel_l2, final λ, seconds. `--trace` writes
"step λ loss_r loss_b" every 10 steps (λ after that step's update).

Needs jax and numpy (the peers venv: scripts/peers/README.md).
"""
import argparse
import json
import time

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--model", choices=["m1", "m2", "m3", "m4"], required=True)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--dtype", choices=["f32", "f64"], default="f32")
parser.add_argument("--steps", type=int, default=40001)
parser.add_argument("--trace")
parser.add_argument(
    "--gating", choices=["z", "old"], default="z",
    help="modified MLP: H = Z·U + (1 − Z)·V with Z = tanh(HW + b) (z, the code's current "
    "version, as the spec), or H = Z·U + tanh(1 − HW + b)·V (old, the repository's other "
    "version of Helmholtz2D_model_tf.py)")
args = parser.parse_args()

import jax  # noqa: E402

if args.dtype == "f64":
    jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

DT = jnp.float64 if args.dtype == "f64" else jnp.float32
PI = np.pi
A1, A2, LAM = 1.0, 4.0, 1.0
WIDTH, DEPTH, BATCH = 50, 3, 128
MODIFIED = args.model in ("m3", "m4")
ANNEALING = args.model in ("m2", "m4")


def u_exact(x, y):
    return jnp.sin(A1 * PI * x) * jnp.sin(A2 * PI * y)


def forcing(x, y):
    return (-(A1 * PI) ** 2 - (A2 * PI) ** 2 + LAM) * u_exact(x, y)


rng = np.random.default_rng(args.seed)
# μ_X, σ_X of 10⁵ uniform points of the residual domain (np.std, ddof 0).
norm_pts = rng.uniform(-1.0, 1.0, size=(100_000, 2))
MU = jnp.asarray(norm_pts.mean(0), DT)
SIGMA = jnp.asarray(norm_pts.std(0), DT)


def xavier(shape):
    return jnp.asarray(rng.standard_normal(shape) / np.sqrt((shape[0] + shape[1]) / 2.0), DT)


layers = [2] + [WIDTH] * DEPTH + [1]
params = {
    "W": [xavier((layers[i], layers[i + 1])) for i in range(len(layers) - 1)],
    "b": [jnp.zeros((1, layers[i + 1]), DT) for i in range(len(layers) - 1)],
}
if MODIFIED:
    # Encoders: weights and biases Xavier-normal (the biases too, shape 1×n).
    params["enc"] = {
        "WU": xavier((2, WIDTH)),
        "bU": xavier((1, WIDTH)),
        "WV": xavier((2, WIDTH)),
        "bV": xavier((1, WIDTH)),
    }


def net(p, x):
    """u at one raw point x (shape (2,))."""
    h = ((x - MU) / SIGMA)[None, :]
    if MODIFIED:
        e = p["enc"]
        uu = jnp.tanh(h @ e["WU"] + e["bU"])
        vv = jnp.tanh(h @ e["WV"] + e["bV"])
        for W, b in zip(p["W"][:-1], p["b"][:-1]):
            z = jnp.tanh(h @ W + b)
            if args.gating == "old":
                h = z * uu + jnp.tanh(1.0 - h @ W + b) * vv
            else:
                h = z * uu + (1.0 - z) * vv
    else:
        for W, b in zip(p["W"][:-1], p["b"][:-1]):
            h = jnp.tanh(h @ W + b)
    return (h @ p["W"][-1] + p["b"][-1])[0, 0]


def residual(p, x):
    hess = jax.hessian(net, argnums=1)(p, x)
    return hess[0, 0] + hess[1, 1] + LAM * net(p, x) - forcing(x[0], x[1])


# The four sides in the code's order: y = −1, x = 1, y = 1, x = −1 (segment corner pairs).
SIDES = [((-1.0, -1.0), (1.0, -1.0)), ((1.0, -1.0), (1.0, 1.0)), ((1.0, 1.0), (-1.0, 1.0)), ((-1.0, 1.0), (-1.0, -1.0))]


def batches(key):
    keys = jax.random.split(key, 5)
    xr = jax.random.uniform(keys[0], (BATCH, 2), DT, -1.0, 1.0)
    xb = []
    for k, (c0, c1) in zip(keys[1:], SIDES):
        c0, c1 = jnp.asarray(c0, DT), jnp.asarray(c1, DT)
        xb.append(c0 + (c1 - c0) * jax.random.uniform(k, (BATCH, 2), DT))
    return xr, jnp.stack(xb)


def loss_res(p, xr):
    r = jax.vmap(residual, in_axes=(None, 0))(p, xr)
    return jnp.mean(r**2)


def loss_bcs(p, xb):
    """Σ over the four sides of each side's MSE (unweighted)."""
    total = 0.0
    for k in range(4):
        x = xb[k]
        u = jax.vmap(net, in_axes=(None, 0))(p, x)
        total = total + jnp.mean((u - u_exact(x[:, 0], x[:, 1])) ** 2)
    return total


def loss(p, lam, xr, xb):
    return loss_res(p, xr) + lam * loss_bcs(p, xb)


# Adam as TF1's AdamOptimizer: lr_t = lr·sqrt(1−β₂ᵗ)/(1−β₁ᵗ), θ −= lr_t·m/(sqrt(v)+ε).
B1, B2, EPS = 0.9, 0.999, 1e-8


def adam_step(p, m, v, t, lam, xr, xb):
    g = jax.grad(loss)(p, lam, xr, xb)
    lr = 1e-3 * 0.9 ** (t / 1000.0)
    t1 = t + 1.0
    lr_t = lr * jnp.sqrt(1 - B2**t1) / (1 - B1**t1)
    m = jax.tree_util.tree_map(lambda a, b: B1 * a + (1 - B1) * b, m, g)
    v = jax.tree_util.tree_map(lambda a, b: B2 * a + (1 - B2) * b * b, v, g)
    p = jax.tree_util.tree_map(lambda a, b, c: a - lr_t * b / (jnp.sqrt(c) + EPS), p, m, v)
    return p, m, v


def lambda_hat(p, lam, xr, xb):
    """max|∂L_r/∂W| over all weight matrices / mean over layers of mean|∂(λ·L_b)/∂W_l|."""
    gr = jax.grad(loss_res)(p, xr)["W"]
    gb = jax.grad(lambda q: lam * loss_bcs(q, xb))(p)["W"]
    r = jnp.max(jnp.stack([jnp.max(jnp.abs(g)) for g in gr]))
    b = jnp.mean(jnp.stack([jnp.mean(jnp.abs(g)) for g in gb]))
    return r / b


@jax.jit
def block(state, key):
    """Ten iterations it, …, it+9 (it % 10 == 0): the annealing update after the first one,
    on its batch, as the code's loop does."""
    p, m, v, t, lam = state
    keys = jax.random.split(key, 10)
    xr, xb = batches(keys[0])
    p, m, v = adam_step(p, m, v, t, lam, xr, xb)
    lr_, lb_ = loss_res(p, xr), loss_bcs(p, xb)
    if ANNEALING:
        lam = 0.9 * lam + 0.1 * lambda_hat(p, lam, xr, xb)
    t = t + 1.0

    def one(carry, k):
        p, m, v, t = carry
        xr, xb = batches(k)
        p, m, v = adam_step(p, m, v, t, lam, xr, xb)
        return (p, m, v, t + 1.0), None

    (p, m, v, t), _ = jax.lax.scan(one, (p, m, v, t), keys[1:])
    return (p, m, v, t, lam), (lam, lr_, lb_)


zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
state = (params, zeros, zeros, jnp.asarray(0.0, DT), jnp.asarray(1.0, DT))
key = jax.random.PRNGKey(args.seed)
trace = []
start = time.time()
n_blocks = (args.steps + 9) // 10
for blk in range(n_blocks):
    key, sub = jax.random.split(key)
    state, (lam, lr_, lb_) = block(state, sub)
    if args.trace:
        trace.append((blk * 10, float(lam), float(lr_), float(lb_)))
seconds = time.time() - start
steps = n_blocks * 10

xs = np.linspace(-1.0, 1.0, 100)
gx, gy = np.meshgrid(xs, xs, indexing="ij")
grid = jnp.asarray(np.stack([gx.ravel(), gy.ravel()], 1), DT)
pred = np.asarray(jax.vmap(net, in_axes=(None, 0))(state[0], grid), np.float64)
ref = np.asarray(u_exact(grid[:, 0], grid[:, 1]), np.float64)
rel = float(np.linalg.norm(ref - pred) / np.linalg.norm(ref))
if args.trace:
    with open(args.trace, "w") as f:
        for row in trace:
            f.write(" ".join(str(v) for v in row) + "\n")
print(json.dumps({
    "impl": "jax-port", "model": args.model, "gating": args.gating, "dtype": args.dtype, "seed": args.seed,
    "steps": steps, "rel_l2": rel, "lambda": float(state[4]), "seconds": round(seconds, 2),
}))
