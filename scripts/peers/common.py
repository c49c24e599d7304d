"""Shared, framework-independent definitions of the canonical PINN benchmark cases.

Everything here is plain numpy so that PyTorch and JAX start from the *same*
collocation points and the *same* initial parameters (see benches/CASES.md).
"""
import json
import math
import os
import platform
import time

import numpy as np

PI = math.pi

# ----------------------------------------------------------------------------
# case definitions
# ----------------------------------------------------------------------------
CASES = {
    "poisson2d": dict(layers=[2, 64, 64, 64, 64, 1]),
    "burgers": dict(layers=[2, 50, 50, 50, 50, 1]),
    "wave_wide": dict(layers=[2, 512, 512, 512, 1]),
    "poisson_hd10": dict(layers=[10, 128, 128, 128, 1], d=10),
    "poisson_hd100": dict(layers=[100, 128, 128, 128, 1], d=100),
}
CASE_ORDER = ["poisson2d", "burgers", "poisson_hd10", "poisson_hd100", "wave_wide"]
BURGERS_NU = 0.01 / PI
WAVE_C2 = 4.0
ADAM = dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)


def n_params(layers):
    return sum(layers[i] * layers[i + 1] + layers[i + 1] for i in range(len(layers) - 1))


def init_params(layers, seed=0):
    """Xavier/Glorot-normal weights (gain 1), zero biases.

    Returns a list of (W, b) with W of shape (fan_in, fan_out) (y = x @ W + b),
    float64 numpy arrays; cast per dtype by the framework code.
    Draw order: layer 0 W, layer 1 W, ... from numpy.random.default_rng(seed + 1).
    """
    rng = np.random.default_rng(seed + 1)
    params = []
    for i in range(len(layers) - 1):
        fi, fo = layers[i], layers[i + 1]
        std = math.sqrt(2.0 / (fi + fo))
        W = rng.standard_normal((fi, fo)) * std
        b = np.zeros((fo,))
        params.append((W, b))
    return params


def make_data(case, seed=0):
    """Collocation / boundary / initial points (float64 numpy). Seed 0 everywhere."""
    rng = np.random.default_rng(seed)
    if case == "poisson2d":
        xi = rng.random((4096, 2))
        s = rng.random((4, 256))
        z, o = np.zeros(256), np.ones(256)
        xb = np.concatenate([
            np.stack([s[0], z], 1),  # y = 0
            np.stack([s[1], o], 1),  # y = 1
            np.stack([z, s[2]], 1),  # x = 0
            np.stack([o, s[3]], 1),  # x = 1
        ])
        f = 2 * PI**2 * np.sin(PI * xi[:, 0]) * np.sin(PI * xi[:, 1])
        return dict(x_int=xi, f=f, x_bc=xb, u_bc=np.zeros(1024))
    if case == "burgers":
        xi = np.stack([rng.uniform(-1, 1, 4096), rng.uniform(0, 1, 4096)], 1)
        x0 = rng.uniform(-1, 1, 256)
        x_ic = np.stack([x0, np.zeros(256)], 1)
        u_ic = -np.sin(PI * x0)
        tb = rng.uniform(0, 1, 256)
        xs = np.concatenate([-np.ones(128), np.ones(128)])
        x_bc = np.stack([xs, tb], 1)
        return dict(x_int=xi, x_ic=x_ic, u_ic=u_ic, x_bc=x_bc, u_bc=np.zeros(256))
    if case == "wave_wide":
        g = np.linspace(0.0, 1.0, 101)
        X, T = np.meshgrid(g, g, indexing="ij")  # point k = i*101 + j  -> (x_i, t_j)
        xi = np.stack([X.ravel(), T.ravel()], 1)
        x_ic = np.stack([g, np.zeros(101)], 1)
        u_ic = np.sin(PI * g) + 0.5 * np.sin(3 * PI * g)
        x_bc = np.concatenate([np.stack([np.zeros(101), g], 1), np.stack([np.ones(101), g], 1)])
        return dict(x_int=xi, x_ic=x_ic, u_ic=u_ic, x_bc=x_bc, u_bc=np.zeros(202))
    if case.startswith("poisson_hd"):
        d = CASES[case]["d"]
        xi = rng.random((1024, d))
        xb = rng.random((256, d))
        j = rng.integers(0, d, 256)
        v = rng.integers(0, 2, 256).astype(np.float64)
        xb[np.arange(256), j] = v
        f = -(PI**2 / (4 * d)) * np.sin(PI * xi / 2).sum(1)
        u_b = np.sin(PI * xb / 2).sum(1) / d
        return dict(x_int=xi, f=f, x_bc=xb, u_bc=u_b)
    raise KeyError(case)


def exact_solution(case, x):
    if case == "poisson2d":
        return np.sin(PI * x[:, 0]) * np.sin(PI * x[:, 1])
    if case == "wave_wide":
        return np.sin(PI * x[:, 0]) * np.cos(2 * PI * x[:, 1]) + 0.5 * np.sin(3 * PI * x[:, 0]) * np.cos(6 * PI * x[:, 1])
    if case.startswith("poisson_hd"):
        return np.sin(PI * x / 2).sum(1) / x.shape[1]
    raise KeyError(case)


def grid50():
    g = np.linspace(0, 1, 50)
    X, Y = np.meshgrid(g, g, indexing="ij")
    return np.stack([X.ravel(), Y.ravel()], 1)


# ----------------------------------------------------------------------------
# timing / results helpers
# ----------------------------------------------------------------------------
def time_steps(step_fn, warmup=5, nsteps=20, slow_s=2.0, budget_s=40.0):
    """step_fn() runs one full step and blocks until done. Returns (times_s, steps)."""
    wt = []
    for _ in range(warmup):
        t0 = time.perf_counter()
        step_fn()
        wt.append(time.perf_counter() - t0)
    est = float(np.median(wt[1:])) if len(wt) > 1 else wt[0]
    n = nsteps
    if est > slow_s:
        n = max(5, min(nsteps, int(budget_s / est)))
    ts = []
    b0, o0, w0 = _busy_s(), _own_cpu_s(), time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        step_fn()
        ts.append(time.perf_counter() - t0)
    wall = time.perf_counter() - w0
    # CPU seconds per wall second used by OTHER processes during the timed window
    # (contamination indicator; 0 = machine otherwise idle, 2 = both cores busy elsewhere)
    LAST_FOREIGN_LOAD[0] = max(0.0, ((_busy_s() - b0) - (_own_cpu_s() - o0)) / wall)
    return ts, n


LAST_FOREIGN_LOAD = [None]


def _busy_s():
    with open("/proc/stat") as fh:
        v = [int(x) for x in fh.readline().split()[1:]]
    idle = v[3] + v[4]
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s():
    t = os.times()
    return t.user + t.system


RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baseline_results.json")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def save_record(rec, path=RESULTS):
    """Insert/replace a record keyed by (framework, variant, case, dtype); write atomically."""
    data = []
    if os.path.exists(path):
        with open(path) as fh:
            data = json.load(fh)
    rec.setdefault("foreign_cpu_load", LAST_FOREIGN_LOAD[0])
    rec.setdefault("loadavg_1m_at_save", os.getloadavg()[0])
    key = (rec["framework"], rec["variant"], rec["case"], rec["dtype"])
    data = [r for r in data if (r["framework"], r["variant"], r["case"], r["dtype"]) != key]
    data.append(rec)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=1)
    os.replace(tmp, path)
    try:  # keep BASELINES.md tables in sync
        import make_report
        make_report.main()
    except Exception as e:  # pragma: no cover
        print("make_report failed:", e)
