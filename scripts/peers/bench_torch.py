"""PyTorch baselines for the canonical PINN cases (see benches/CASES.md).

Variants:
  eager : DeepXDE-style idiom. Inputs with requires_grad, torch.autograd.grad(create_graph=True)
          for first then second derivatives (poisson_hd: loop over the d dimensions for the
          diagonal second derivatives), loss.backward(), torch.optim.Adam.
  func  : torch.func per-point derivatives (vmap over points of torch.func.hessian / grad of a
          functional_call of the same module), then loss.backward() and torch.optim.Adam.

Usage:
  .venv/bin/python bench_torch.py --case poisson2d --dtype f32 [--variant eager|func]
  .venv/bin/python bench_torch.py --all      # -> baseline_results.json
  .venv/bin/python bench_torch.py --check
"""
import argparse
import time

import numpy as np
import torch
from torch import nn

import common as C

torch.set_num_threads(2)
DT = {"f32": torch.float32, "f64": torch.float64}
PI = C.PI


def build_net(layers, dtype):
    mods = []
    for i in range(len(layers) - 1):
        mods.append(nn.Linear(layers[i], layers[i + 1]))
        if i < len(layers) - 2:
            mods.append(nn.Tanh())
    net = nn.Sequential(*mods).to(dtype)
    lin = [m for m in net if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for m, (W, b) in zip(lin, C.init_params(layers)):  # identical init to the JAX side
            m.weight.copy_(torch.as_tensor(W.T))
            m.bias.copy_(torch.as_tensor(b))
    return net


def grad(y, x):
    return torch.autograd.grad(y, x, grad_outputs=torch.ones_like(y), create_graph=True)[0]


# ---------------------------------------------------------------- eager residuals (batch; net: (N,d)->(N,1))
def res_poisson2d(net, X, f):
    u = net(X)
    g = grad(u, X)
    u_xx = grad(g[:, 0:1], X)[:, 0:1]
    u_yy = grad(g[:, 1:2], X)[:, 1:2]
    return -(u_xx + u_yy) - f


def res_burgers(net, X):
    u = net(X)
    g = grad(u, X)
    u_x, u_t = g[:, 0:1], g[:, 1:2]
    u_xx = grad(u_x, X)[:, 0:1]
    return u_t + u * u_x - C.BURGERS_NU * u_xx


def res_wave(net, X):
    u = net(X)
    g = grad(u, X)
    u_xx = grad(g[:, 0:1], X)[:, 0:1]
    u_tt = grad(g[:, 1:2], X)[:, 1:2]
    return u_tt - C.WAVE_C2 * u_xx


def res_poisson_hd(net, X, f):
    u = net(X)
    g = grad(u, X)
    lap = 0
    for i in range(X.shape[1]):
        lap = lap + grad(g[:, i:i + 1], X)[:, i:i + 1]
    return lap - f


# ---------------------------------------------------------------- torch.func residuals (per point)
def make_func_point(net):
    from torch.func import functional_call
    params = dict(net.named_parameters())

    def u(x):  # x: (d,) -> scalar
        return functional_call(net, params, (x.unsqueeze(0),)).squeeze()
    return u


def func_residual(case, net, X, f=None):
    from torch.func import vmap, hessian, grad as fgrad
    u = make_func_point(net) if isinstance(net, nn.Module) else net
    if case in ("poisson2d",) or case.startswith("poisson_hd"):
        lap = vmap(lambda x: torch.trace(hessian(u)(x)))(X).unsqueeze(1)
        return (-lap - f) if case == "poisson2d" else (lap - f)
    if case == "burgers":
        def r(x):
            g = fgrad(u)(x)
            H = hessian(u)(x)
            return g[1] + u(x) * g[0] - C.BURGERS_NU * H[0, 0]
        return vmap(r)(X).unsqueeze(1)
    if case == "wave_wide":
        def r(x):
            H = hessian(u)(x)
            return H[1, 1] - C.WAVE_C2 * H[0, 0]
        return vmap(r)(X).unsqueeze(1)
    raise KeyError(case)


def make_loss(case, variant, net, D):
    def residual():
        if variant == "eager":
            if case == "poisson2d":
                return res_poisson2d(net, D["x_int"], D["f"])
            if case == "burgers":
                return res_burgers(net, D["x_int"])
            if case == "wave_wide":
                return res_wave(net, D["x_int"])
            return res_poisson_hd(net, D["x_int"], D["f"])
        return func_residual(case, net, D["x_int"], D.get("f"))

    def loss():
        r = residual()
        L = torch.mean(r**2) + torch.mean((net(D["x_bc"]) - D["u_bc"]) ** 2)
        if case == "burgers":
            L = L + torch.mean((net(D["x_ic"]) - D["u_ic"]) ** 2)
        if case == "wave_wide":
            L = L + torch.mean((net(D["x_ic"]) - D["u_ic"]) ** 2)
            u_t0 = grad(net(D["x_ic"]), D["x_ic"])[:, 1:2]
            L = L + torch.mean(u_t0**2)
        return L

    return loss


def setup(case, dtype, variant):
    dt = DT[dtype]
    net = build_net(C.CASES[case]["layers"], dt)
    D = {}
    for k, v in C.make_data(case).items():
        t = torch.as_tensor(v, dtype=dt)
        if t.ndim == 1:
            t = t.unsqueeze(1)  # targets / sources as (N,1)
        D[k] = t
    if variant == "eager":
        D["x_int"].requires_grad_(True)
    if case == "wave_wide":
        D["x_ic"].requires_grad_(True)
    opt = torch.optim.Adam(net.parameters(), lr=C.ADAM["lr"], betas=(C.ADAM["beta1"], C.ADAM["beta2"]),
                           eps=C.ADAM["eps"])
    loss = make_loss(case, variant, net, D)

    def step():
        opt.zero_grad(set_to_none=True)
        L = loss()
        L.backward()
        opt.step()
        return L.detach()

    return net, step


def versions():
    return {"torch": torch.__version__, "numpy": np.__version__}


def bench(case, dtype, variant="eager", warmup=5, nsteps=20, save=False):
    torch.manual_seed(0)
    net, step = setup(case, dtype, variant)
    l0 = float(step())
    ts, n = C.time_steps(step, warmup=warmup - 1, nsteps=nsteps)
    ms = np.array(ts) * 1e3
    rec = dict(framework="torch", variant=variant, case=case, dtype=dtype,
               median_ms=float(np.median(ms)), min_ms=float(ms.min()), steps=n, warmup=warmup, compile_s=None,
               threads=torch.get_num_threads(),
               thread_settings=f"torch.set_num_threads(2); interop={torch.get_num_interop_threads()}",
               n_params=sum(p.numel() for p in net.parameters()), first_loss=l0, versions=versions(),
               cpu=C.cpu_model())
    print(f"torch {variant:6s} {case:14s} {dtype}: median {rec['median_ms']:.2f} ms  min {rec['min_ms']:.2f} ms"
          f"  steps {n}  loss0 {l0:.4g}", flush=True)
    if save:
        C.save_record(rec)
    return rec


# ---------------------------------------------------------------- sanity checks
def check():
    print("== operator checks (float64, analytic functions through the SAME residual code) ==")
    rng = np.random.default_rng(1)
    P = torch.as_tensor(rng.random((5, 2)), dtype=torch.float64)
    us = lambda X: (torch.sin(PI * X[:, 0:1]) * torch.sin(PI * X[:, 1:2]))
    X = P.clone().requires_grad_(True)
    f = 2 * PI**2 * us(P)
    print(f"poisson2d residual of u* (eager): max|r| = {res_poisson2d(us, X, f).abs().max().item():.2e}")
    us1 = lambda x: torch.sin(PI * x[0]) * torch.sin(PI * x[1])
    print(f"poisson2d residual of u* (func):  max|r| = {func_residual('poisson2d', us1, P, f).abs().max().item():.2e}")
    Pb = torch.stack([P[:, 0] * 2 - 1, P[:, 1]], 1)
    x, t = Pb[:, 0:1], Pb[:, 1:2]
    S, Co, E = torch.sin(PI * x), torch.cos(PI * x), torch.exp(-t)
    ana = S * E + (-S * E) * (-PI * Co * E) - C.BURGERS_NU * (PI**2 * S * E)
    ub = lambda X: -torch.sin(PI * X[:, 0:1]) * torch.exp(-X[:, 1:2])
    ub1 = lambda x: -torch.sin(PI * x[0]) * torch.exp(-x[1])
    Xb = Pb.clone().requires_grad_(True)
    print(f"burgers residual vs analytic (eager): max|diff| = {(res_burgers(ub, Xb) - ana).abs().max().item():.2e}")
    print(f"burgers residual vs analytic (func):  max|diff| = "
          f"{(func_residual('burgers', ub1, Pb) - ana).abs().max().item():.2e}")
    uw = lambda X: (torch.sin(PI * X[:, 0:1]) * torch.cos(2 * PI * X[:, 1:2])
                    + 0.5 * torch.sin(3 * PI * X[:, 0:1]) * torch.cos(6 * PI * X[:, 1:2]))
    uw1 = lambda x: torch.sin(PI * x[0]) * torch.cos(2 * PI * x[1]) + 0.5 * torch.sin(3 * PI * x[0]) * torch.cos(6 * PI * x[1])
    print(f"wave residual of u* (eager): max|r| = {res_wave(uw, P.clone().requires_grad_(True)).abs().max().item():.2e}")
    print(f"wave residual of u* (func):  max|r| = {func_residual('wave_wide', uw1, P).abs().max().item():.2e}")
    for d in (10, 100):
        case = f"poisson_hd{d}"
        data = C.make_data(case)
        xi = torch.as_tensor(data["x_int"][:8])
        f = torch.as_tensor(data["f"][:8]).unsqueeze(1)
        uh = lambda X: torch.sin(PI * X / 2).sum(1, keepdim=True) / X.shape[1]
        uh1 = lambda x: torch.sin(PI * x / 2).sum() / x.shape[0]
        r1 = res_poisson_hd(uh, xi.clone().requires_grad_(True), f)
        r2 = func_residual(case, uh1, xi, f)
        print(f"{case} residual of u*: eager max|r| = {r1.abs().max().item():.2e}, func max|r| = {r2.abs().max().item():.2e}")

    print("== 200 Adam steps, poisson2d float32 ==")
    for variant in ("eager", "func"):
        net, step = setup("poisson2d", "f32", variant)
        losses = []
        for i in range(200):
            L = step()
            if i % 50 == 0 or i == 199:
                losses.append((i, float(L)))
        g = C.grid50()
        with torch.no_grad():
            pred = net(torch.as_tensor(g, dtype=torch.float32)).numpy().ravel()
        ex = C.exact_solution("poisson2d", g)
        rel = np.linalg.norm(pred - ex) / np.linalg.norm(ex)
        print(f"[{variant}] loss at steps {losses}; decreased: {losses[-1][1] < losses[0][1]}; "
              f"rel L2 error on 50x50 grid: {rel:.3e}")


def all_runs(variants=("eager", "func")):
    for case in C.CASE_ORDER:
        for dtype in ("f32", "f64"):
            for v in variants:
                try:
                    bench(case, dtype, v, save=True)
                except Exception as e:
                    print(f"FAILED torch {v} {case} {dtype}: {e!r}", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", choices=list(C.CASES))
    ap.add_argument("--dtype", choices=["f32", "f64"], default="f32")
    ap.add_argument("--variant", choices=["eager", "func"], default="eager")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--save", action="store_true")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--variants", default="eager,func", help="with --all")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    if a.check:
        check()
    elif a.all:
        all_runs(tuple(a.variants.split(",")))
    elif a.case:
        bench(a.case, a.dtype, a.variant, nsteps=a.steps, save=a.save)
    else:
        ap.print_help()
