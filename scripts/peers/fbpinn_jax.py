"""A minimal JAX FBPINN training step, written from the FBPINNs library's spec (paper_specs.md
§3.3, `trainers.py`: FBPINN_model), to time beside `cargo bench --bench fbpinn`. The library
itself is not on the package index; this is our own code, vectorised the way the library is:

- the (point, subdomain) pairs of the batch are listed once (`n_take`, `m_take`: every
  subdomain whose support contains the point), the points gathered (`x[n_take]`) and the
  subdomain parameters gathered per pair (`params[m_take]`), the subdomain networks run as one
  `vmap` over the pairs, windows multiply them and `segment_sum` adds them back per point
  (and, for cosine windows, per point and level for the partition-of-unity denominators);
- derivatives with respect to the inputs are forward-mode `jvp`s of the whole model with an
  all-ones tangent along one coordinate (each output depends on its own point only), nested
  for second derivatives, as the library's `_get_ujs` does;
- one jit-compiled step: loss, gradient, Adam (lr 1e-3).

Cases (the same as `benches/fbpinn.rs`):

- `cos1d-30`: u' = cos(15x) on [-2pi, 2pi], 3000 points, 30 equal cells with overlap width 0.7,
  sigmoid windows (the original paper), 1-16-16-1 tanh networks, u = tanh(15x) * sum.
- `laplace-multilevel-L4`: Laplace2D multiscale (omega in {2,4,8,16}) on 80x80 points, the
  multilevel decomposition with 4 levels (1 + 4 + 16 + 64 subdomains, overlap 1.9), cosine
  windows normalised per level and averaged, 2-16-1 networks, u = prod tanh(x/s)tanh((1-x)/s)*sum.

Usage: python fbpinn_jax.py [--dtype f32|f64] [--threads N]
Prints one JSON line per case with the median ms of a step.
"""
import argparse
import json
import os
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--dtype", default="f32", choices=["f32", "f64"])
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--steps", type=int, default=30)
ap.add_argument("--dump", metavar="DIR", help="write each case's initial parameters in pinn's layout "
                "(raw little-endian f64, subdomain after subdomain: W as (in, out) row-major, then b) "
                "and its initial loss to DIR, for `cargo bench --bench fbpinn -- --check DIR`")
args = ap.parse_args()
os.environ["XLA_FLAGS"] = (
    f"--xla_cpu_multi_thread_eigen={'true' if args.threads > 1 else 'false'} "
    f"intra_op_parallelism_threads={args.threads}"
)

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_enable_x64", True)
DT = {"f32": jnp.float32, "f64": jnp.float64}[args.dtype]


def fan_in_uniform(key, sizes):
    params = []
    for m, n in zip(sizes[:-1], sizes[1:]):
        key, kw, kb = jax.random.split(key, 3)
        v = 1.0 / np.sqrt(m)
        params.append((jax.random.uniform(kw, (m, n), DT, -v, v), jax.random.uniform(kb, (n,), DT, -v, v)))
    return params


def fcn(params, x):
    h = x
    for W, b in params[:-1]:
        h = jnp.tanh(h @ W + b)
    W, b = params[-1]
    return (h @ W + b)[0]


def stack(list_of_params):
    return jax.tree_util.tree_map(lambda *a: jnp.stack(a), *list_of_params)


def pairs(lo, hi, x):
    """(n_take, m_take): every (point, subdomain) with the point in the closed support."""
    inside = np.all((x[:, None, :] >= lo[None]) & (x[:, None, :] <= hi[None]), axis=2)
    n_take, m_take = np.nonzero(inside)
    return n_take, m_take


def adam_step(params, grads, m, v, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
    v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
    mh = jax.tree_util.tree_map(lambda m: m / (1 - b1**t), m)
    vh = jax.tree_util.tree_map(lambda v: v / (1 - b2**t), v)
    params = jax.tree_util.tree_map(lambda p, a, b: p - lr * a / (jnp.sqrt(b) + eps), params, mh, vh)
    return params, m, v


def dump(params, loss, label):
    """Our layout: subdomain j's layers in order, each W (in, out) row-major then b."""
    leaves = params  # list of (W[J,in,out], b[J,out])
    J = leaves[0][0].shape[0]
    flat = []
    for j in range(J):
        for W, b in leaves:
            flat.append(np.asarray(W[j], np.float64).ravel())
            flat.append(np.asarray(b[j], np.float64).ravel())
    theta = np.concatenate(flat)
    os.makedirs(args.dump, exist_ok=True)
    theta.astype("<f8").tofile(os.path.join(args.dump, f"{label}.theta"))
    l0 = float(loss(params))
    with open(os.path.join(args.dump, f"{label}.loss"), "w") as f:
        f.write(repr(l0) + "\n")
    print(f"# {label}: {theta.size} parameters, initial loss {l0!r} ({args.dtype})", file=sys.stderr)


def time_step(loss, params, label, n_pairs, n_sub, n_points):
    if args.dump:
        dump(params, loss, label)
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)

    def step(state):
        params, m, v, t = state
        l, g = jax.value_and_grad(loss)(params)
        params, m, v = adam_step(params, g, m, v, t)
        return (params, m, v, t + 1.0), l

    t0 = time.perf_counter()
    compiled = jax.jit(step).lower((params, zeros, zeros, jnp.asarray(1.0, DT))).compile()
    compile_s = time.perf_counter() - t0
    state = (params, zeros, zeros, jnp.asarray(1.0, DT))
    for _ in range(3):
        state, l = compiled(state)
        jax.block_until_ready(l)
    ts = []
    for _ in range(args.steps):
        t = time.perf_counter()
        state, l = compiled(state)
        jax.block_until_ready(l)
        ts.append((time.perf_counter() - t) * 1e3)
    rec = dict(framework="jax", case=label, dtype=args.dtype, threads=args.threads,
               subdomains=n_sub, points=n_points, visits=int(n_pairs),
               median_ms=float(np.median(ts)), min_ms=float(np.min(ts)), compile_s=compile_s,
               loss=float(l), jax=jax.__version__)
    print(json.dumps(rec), flush=True)


def cos1d():
    tp = 2 * np.pi
    J, omega = 30, 15.0
    edges = np.linspace(-tp, tp, J + 1)
    o = 0.7 * np.diff(edges).min() * np.ones(J + 1)
    o[0] = o[-1] = 0.0
    lo = (edges[:-1] - o[:-1] / 2)[:, None]
    hi = (edges[1:] + o[1:] / 2)[:, None]
    mu = ((edges[:-1] + edges[1:]) / 2)[:, None]
    sd = ((edges[1:] - edges[:-1]) / 2)[:, None]
    x = np.linspace(-tp, tp, 3000)[:, None]
    n_take, m_take = pairs(lo, hi, x)
    left, right = edges[:-1][m_take], edges[1:][m_take]
    ol, orr = o[:-1][m_take], o[1:][m_take]
    has_l, has_r = ol > 0, orr > 0
    keys = jax.random.split(jax.random.PRNGKey(0), J)
    params = stack([fan_in_uniform(k, [1, 16, 16, 1]) for k in keys])
    xj = jnp.asarray(x, DT)
    nt, mt = jnp.asarray(n_take), jnp.asarray(m_take)
    mu_t, sd_t = jnp.asarray(mu[m_take], DT), jnp.asarray(sd[m_take], DT)
    cst = [jnp.asarray(a, DT) for a in (left, right, np.where(has_l, ol, 1.0), np.where(has_r, orr, 1.0))]
    hl, hr = jnp.asarray(has_l), jnp.asarray(has_r)

    def model(params, x):
        xt = x[nt]
        xn = (xt - mu_t) / sd_t
        p = jax.tree_util.tree_map(lambda a: a[mt], params)
        u = jax.vmap(fcn)(p, xn) / omega
        l, r, oL, oR = cst
        wl = jnp.where(hl, jax.nn.sigmoid((xt[:, 0] - l) / (0.05 * oL)), 1.0)
        wr = jnp.where(hr, jax.nn.sigmoid((r - xt[:, 0]) / (0.05 * oR)), 1.0)
        s = jax.ops.segment_sum(wl * wr * u, nt, num_segments=x.shape[0])
        return jnp.tanh(omega * x[:, 0]) * s

    def loss(params):
        ux = jax.jvp(lambda x: model(params, x), (xj,), (jnp.ones_like(xj),))[1]
        return jnp.mean((ux - jnp.cos(omega * xj[:, 0])) ** 2)

    time_step(loss, params, "cos1d-30", len(n_take), J, 3000)


def laplace_multilevel(levels=4):
    omegas = [2.0, 4.0, 8.0, 16.0]
    lo_l, hi_l, mu_l, sd_l, lev = [], [], [], [], []
    for i in range(levels):
        n = 2**i
        c = np.array([0.5]) if n == 1 else np.linspace(0, 1, n)
        w = 1.9 * (1.0 if n == 1 else 1.0 / (n - 1))
        for cx in c:
            for cy in c:
                mu_l.append([cx, cy])
                lo_l.append([cx - w / 2, cy - w / 2])
                hi_l.append([cx + w / 2, cy + w / 2])
                sd_l.append([w / 2, w / 2])
                lev.append(i)
    lo, hi, mu, sd, lev = map(np.array, (lo_l, hi_l, mu_l, sd_l, lev))
    J = len(lev)
    g = np.linspace(0, 1, 80)
    X, Y = np.meshgrid(g, g, indexing="ij")
    x = np.stack([X.ravel(), Y.ravel()], 1)
    N = len(x)
    n_take, m_take = pairs(lo, hi, x)
    pou = n_take * levels + lev[m_take]  # one denominator per (point, level)
    keys = jax.random.split(jax.random.PRNGKey(0), J)
    params = stack([fan_in_uniform(k, [2, 16, 1]) for k in keys])
    xj = jnp.asarray(x, DT)
    nt, mt, pt = jnp.asarray(n_take), jnp.asarray(m_take), jnp.asarray(pou)
    mu_t, sd_t = jnp.asarray(mu[m_take], DT), jnp.asarray(sd[m_take], DT)
    single = jnp.asarray(np.bincount(lev)[lev[m_take]] == 1)
    s_hard = 1.0 / max(omegas)

    def model(params, x):
        xt = x[nt]
        z = (xt - mu_t) / sd_t
        p = jax.tree_util.tree_map(lambda a: a[mt], params)
        u = jax.vmap(fcn)(p, z) * 0.75
        w = jnp.prod(((1 + jnp.cos(jnp.pi * z)) / 2) ** 2, axis=1)
        w = jnp.where(single, 1.0, w)
        den = jax.ops.segment_sum(w, pt, num_segments=N * levels)
        s = jax.ops.segment_sum(w * u / den[pt], nt, num_segments=N) / levels
        b = jnp.prod(jnp.tanh(x / s_hard) * jnp.tanh((1 - x) / s_hard), axis=1)
        return b * s

    def f(x):
        return (2 / len(omegas)) * sum((w * np.pi) ** 2 * jnp.sin(w * np.pi * x[:, 0]) * jnp.sin(w * np.pi * x[:, 1])
                                       for w in omegas)

    fx = f(xj)

    def loss(params):
        u = lambda x: model(params, x)
        lap = 0.0
        for d in range(2):
            e = jnp.zeros_like(xj).at[:, d].set(1.0)
            ud = lambda x: jax.jvp(u, (x,), (e,))[1]
            lap = lap + jax.jvp(ud, (xj,), (e,))[1]
        return jnp.mean((lap + fx) ** 2)

    time_step(loss, params, f"laplace-multilevel-L{levels}", len(n_take), J, N)


if __name__ == "__main__":
    print(f"# jax {jax.__version__}, XLA_FLAGS={os.environ['XLA_FLAGS']}", file=sys.stderr)
    cos1d()
    laplace_multilevel(4)
