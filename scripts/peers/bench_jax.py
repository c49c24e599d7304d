"""JAX (jit) baselines for the canonical PINN cases (see benches/CASES.md).

Usage:
  .venv/bin/python bench_jax.py --case poisson2d --dtype f32 [--variant hessian|fwdrev]
  .venv/bin/python bench_jax.py --all            # every case x dtype x variant -> baseline_results.json
  .venv/bin/python bench_jax.py --check          # derivative-operator checks + 200-step training sanity run
"""
import os

# 2 threads: XLA's CPU backend sizes its Eigen intra-op pool from these flags
# (defaults would also be 2 on a 2-core machine; set explicitly for the record).
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=2")

import argparse
import functools
import time

import numpy as np
import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)

import common as C

DT = {"f32": jnp.float32, "f64": jnp.float64}


def mlp(params, x):
    """u(params, x) for ONE point x of shape (d,); returns a scalar."""
    h = x
    for W, b in params[:-1]:
        h = jnp.tanh(h @ W + b)
    W, b = params[-1]
    return (h @ W + b)[0]


# ---------------------------------------------------------------- Laplacians
def lap_hessian(u, x):
    return jnp.trace(jax.hessian(u)(x))


def lap_fwdrev(u, x):
    """Forward-over-reverse: sum_i e_i . (d/de_i grad u), one jvp of grad per basis vector (lax.scan loop)."""
    g = jax.grad(u)
    eye = jnp.eye(x.shape[0], dtype=x.dtype)

    def body(acc, e):
        return acc + jnp.vdot(jax.jvp(g, (x,), (e,))[1], e), None

    acc, _ = jax.lax.scan(body, jnp.zeros((), x.dtype), eye)
    return acc


LAPS = {"hessian": lap_hessian, "fwdrev": lap_fwdrev}


# ---------------------------------------------------------------- residuals (per point; u: R^d -> R)
def res_poisson2d(u, x, f, lap):
    return -lap(u, x) - f


def res_burgers(u, x):
    val, g = jax.value_and_grad(u)(x)
    H = jax.hessian(u)(x)
    return g[1] + val * g[0] - C.BURGERS_NU * H[0, 0]


def res_wave(u, x):
    H = jax.hessian(u)(x)
    return H[1, 1] - C.WAVE_C2 * H[0, 0]


def res_poisson_hd(u, x, f, lap):
    return lap(u, x) - f


def make_loss(case, variant):
    lap = LAPS[variant]

    def loss(params, data):
        u = functools.partial(mlp, params)
        ub = jax.vmap(u)
        if case == "poisson2d":
            r = jax.vmap(lambda x, f: res_poisson2d(u, x, f, lap))(data["x_int"], data["f"])
            return jnp.mean(r**2) + jnp.mean((ub(data["x_bc"]) - data["u_bc"]) ** 2)
        if case == "burgers":
            r = jax.vmap(lambda x: res_burgers(u, x))(data["x_int"])
            return (jnp.mean(r**2) + jnp.mean((ub(data["x_ic"]) - data["u_ic"]) ** 2)
                    + jnp.mean((ub(data["x_bc"]) - data["u_bc"]) ** 2))
        if case == "wave_wide":
            r = jax.vmap(lambda x: res_wave(u, x))(data["x_int"])
            ut0 = jax.vmap(lambda x: jax.grad(u)(x)[1])(data["x_ic"])
            return (jnp.mean(r**2) + jnp.mean((ub(data["x_ic"]) - data["u_ic"]) ** 2)
                    + jnp.mean(ut0**2) + jnp.mean((ub(data["x_bc"]) - data["u_bc"]) ** 2))
        if case.startswith("poisson_hd"):
            r = jax.vmap(lambda x, f: res_poisson_hd(u, x, f, lap))(data["x_int"], data["f"])
            return jnp.mean(r**2) + jnp.mean((ub(data["x_bc"]) - data["u_bc"]) ** 2)
        raise KeyError(case)

    return loss


def make_step(case, variant):
    loss = make_loss(case, variant)
    a = C.ADAM

    def step(state, data):
        params, m, v, t = state
        l, g = jax.value_and_grad(loss)(params, data)
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: a["beta1"] * m + (1 - a["beta1"]) * g, m, g)
        v = jax.tree_util.tree_map(lambda v, g: a["beta2"] * v + (1 - a["beta2"]) * g * g, v, g)
        bc1 = 1 - a["beta1"] ** t
        bc2 = 1 - a["beta2"] ** t
        params = jax.tree_util.tree_map(
            lambda p, m, v: p - (a["lr"] / bc1) * m / (jnp.sqrt(v) / jnp.sqrt(bc2) + a["eps"]), params, m, v)
        return (params, m, v, t), l

    return step, loss


def setup(case, dtype):
    dt = DT[dtype]
    params = [(jnp.asarray(W, dt), jnp.asarray(b, dt)) for W, b in C.init_params(C.CASES[case]["layers"])]
    data = {k: jnp.asarray(v, dt) for k, v in C.make_data(case).items()}
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    state = (params, zeros, jax.tree_util.tree_map(jnp.zeros_like, params), jnp.zeros((), dt))
    return state, data


def versions():
    import jaxlib
    return {"jax": jax.__version__, "jaxlib": jaxlib.__version__, "numpy": np.__version__}


def bench(case, dtype, variant="hessian", warmup=5, nsteps=20, save=False):
    step, _ = make_step(case, variant)
    state, data = setup(case, dtype)
    t0 = time.perf_counter()
    compiled = jax.jit(step, donate_argnums=(0,)).lower(state, data).compile()
    compile_s = time.perf_counter() - t0
    holder = [state]

    def one():
        s, l = compiled(holder[0], data)
        jax.block_until_ready((s, l))
        holder[0] = s
        return l

    l0 = float(one())
    ts, n = C.time_steps(one, warmup=warmup - 1, nsteps=nsteps)
    ms = np.array(ts) * 1e3
    rec = dict(framework="jax", variant="jit_" + variant, case=case, dtype=dtype,
               median_ms=float(np.median(ms)), min_ms=float(ms.min()), steps=n, warmup=warmup,
               compile_s=compile_s, threads=2, thread_settings="XLA_FLAGS=" + os.environ.get("XLA_FLAGS", ""),
               n_params=C.n_params(C.CASES[case]["layers"]), first_loss=l0, versions=versions(),
               cpu=C.cpu_model())
    print(f"jax {variant:8s} {case:14s} {dtype}: median {rec['median_ms']:.2f} ms  min {rec['min_ms']:.2f} ms"
          f"  steps {n}  compile {compile_s:.2f} s  loss0 {l0:.4g}", flush=True)
    if save:
        C.save_record(rec)
    return rec


# ---------------------------------------------------------------- sanity checks
def check():
    print("== operator checks (float64, exact/analytic functions through the SAME residual code) ==")
    pts = jnp.asarray(np.random.default_rng(1).random((5, 2)))
    # poisson2d: -lap(sin sin) - 2pi^2 sin sin == 0
    us = lambda x: jnp.sin(jnp.pi * x[0]) * jnp.sin(jnp.pi * x[1])
    for name, lap in LAPS.items():
        f = jax.vmap(us)(pts) * 2 * jnp.pi**2
        r = jax.vmap(lambda x, f: res_poisson2d(us, x, f, lap))(pts, f)
        print(f"poisson2d residual of u* ({name}): max|r| = {float(jnp.abs(r).max()):.2e}")
    # burgers: u = -sin(pi x) exp(-t) -> analytic residual
    ub = lambda x: -jnp.sin(jnp.pi * x[0]) * jnp.exp(-x[1])
    x, t = pts[:, 0] * 2 - 1, pts[:, 1]
    pb = jnp.stack([x, t], 1)
    S, Co, E = jnp.sin(jnp.pi * x), jnp.cos(jnp.pi * x), jnp.exp(-t)
    ana = S * E + (-S * E) * (-jnp.pi * Co * E) - C.BURGERS_NU * (jnp.pi**2 * S * E)
    r = jax.vmap(lambda x: res_burgers(ub, x))(pb)
    print(f"burgers residual vs analytic: max|diff| = {float(jnp.abs(r - ana).max()):.2e}")
    # wave: exact solution -> 0
    uw = lambda x: (jnp.sin(jnp.pi * x[0]) * jnp.cos(2 * jnp.pi * x[1])
                    + 0.5 * jnp.sin(3 * jnp.pi * x[0]) * jnp.cos(6 * jnp.pi * x[1]))
    r = jax.vmap(lambda x: res_wave(uw, x))(pts)
    print(f"wave residual of u*: max|r| = {float(jnp.abs(r).max()):.2e}")
    for d in (10, 100):
        case = f"poisson_hd{d}"
        data = C.make_data(case)
        xi, f = jnp.asarray(data["x_int"][:8]), jnp.asarray(data["f"][:8])
        uh = lambda x: jnp.sum(jnp.sin(jnp.pi * x / 2)) / x.shape[0]
        for name, lap in LAPS.items():
            r = jax.vmap(lambda x, f: res_poisson_hd(uh, x, f, lap))(xi, f)
            print(f"{case} residual of u* ({name}): max|r| = {float(jnp.abs(r).max()):.2e}")
        print(f"{case} boundary target check: max|u*(x_b)-u_b| = "
              f"{np.abs(C.exact_solution(case, data['x_bc']) - data['u_bc']).max():.1e}")

    print("== 200 Adam steps, poisson2d float32 ==")
    for variant in LAPS:
        step, loss = make_step("poisson2d", variant)
        state, data = setup("poisson2d", "f32")
        jstep = jax.jit(step)
        losses = []
        for i in range(200):
            state, l = jstep(state, data)
            if i % 50 == 0 or i == 199:
                losses.append((i, float(l)))
        g = C.grid50()
        pred = np.asarray(jax.vmap(functools.partial(mlp, state[0]))(jnp.asarray(g, jnp.float32)))
        ex = C.exact_solution("poisson2d", g)
        rel = np.linalg.norm(pred - ex) / np.linalg.norm(ex)
        print(f"[{variant}] loss at steps {losses}; decreased: {losses[-1][1] < losses[0][1]}; "
              f"rel L2 error on 50x50 grid: {rel:.3e}")


def all_runs():
    for case in C.CASE_ORDER:
        for dtype in ("f32", "f64"):
            variants = ["hessian", "fwdrev"] if case.startswith("poisson_hd") else ["hessian"]
            for v in variants:
                try:
                    bench(case, dtype, v, save=True)
                except Exception as e:  # keep going; record the failure
                    print(f"FAILED jax {v} {case} {dtype}: {e!r}", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", choices=list(C.CASES))
    ap.add_argument("--dtype", choices=["f32", "f64"], default="f32")
    ap.add_argument("--variant", choices=list(LAPS), default="hessian")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--save", action="store_true", help="also write the record to baseline_results.json")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    if a.check:
        check()
    elif a.all:
        all_runs()
    elif a.case:
        bench(a.case, a.dtype, a.variant, nsteps=a.steps, save=a.save)
    else:
        ap.print_help()
