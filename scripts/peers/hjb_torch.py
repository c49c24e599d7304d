"""HJB-LQG in PyTorch with stacked back-propagation: the baseline (d) of the crate's HJB study
(issue: high-dimensional PDEs), written from the problem statement (our code, not the
authors').

u_t + Lap_x u - lam |grad_x u|^2 = 0 on [0, 1]^N x [0, 1], u(x, 1) = ln((1 + |x|^2)/2), lam = 1.
The network takes (x, t); grad u by autograd with create_graph, the Laplacian by one more
backward pass per dimension (the loop of the authors' `PinnWrapper.dx2`). Every step draws
`batch` interior and `batch` terminal points; loss = mean r^2 + w_term * mean (u - g)^2 on the
terminal set; Adam with the rate decaying linearly to 0 (LambdaLR 1 - n/N).

Validation: the mean squared error against the Cole-Hopf solution on a fixed held-out set,
here computed by its own quadrature (numpy: the integral over tau of the non-central chi^2
moment generating function, in z = ln tau with composite Gauss-Legendre), independent of the
crate's `HjbLqg`.

Usage:
  python hjb_torch.py --dim 100 [--width 768] [--steps 10000] [--max-seconds S] [--threads 2]
                      [--dtype f32|f64] [--record FILE]
Prints progress and one JSON line (appended to FILE with --record).
"""
import argparse
import json
import math
import resource
import time

import numpy as np
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--dim", type=int, default=100)
ap.add_argument("--width", type=int, default=768)
ap.add_argument("--steps", type=int, default=10000)
ap.add_argument("--batch", type=int, default=100)
ap.add_argument("--lr", type=float, default=7e-4)
ap.add_argument("--wterm", type=float, default=20.0)
ap.add_argument("--val-points", type=int, default=200)
ap.add_argument("--val-every", type=int, default=25)
ap.add_argument("--target", type=float, default=1e-4)
ap.add_argument("--max-seconds", type=float, default=float("inf"),
                help="stop training after this many training seconds (the curve so far is kept)")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--dtype", choices=["f32", "f64"], default="f32")
ap.add_argument("--seed", type=int, default=1234)
ap.add_argument("--record")
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
dtype = torch.float32 if args.dtype == "f32" else torch.float64
N = args.dim
LAM = 1.0


def cole_hopf(x, t, h=0.25):
    """u(x, t) for rows x (n, N) and times t (n,), f64."""
    nodes, weights = np.polynomial.legendre.leggauss(8)
    zlo, zhi = -60.0, 6.0
    panels = int(round((zhi - zlo) / h))
    width = (zhi - zlo) / panels
    mids = zlo + (np.arange(panels) + 0.5) * width
    z = (mids[:, None] + 0.5 * width * nodes[None, :]).ravel()
    wz = np.tile(0.5 * width * weights, panels)
    tau = np.exp(z)
    r2 = (x * x).sum(axis=1)[:, None]
    s2 = 2.0 * (1.0 - t)[:, None]
    q = 1.0 + 2.0 * s2 * tau[None, :]
    logf = LAM * z[None, :] - tau[None, :] - 0.5 * N * np.log(q) - r2 * tau[None, :] / q
    integral = (wz[None, :] * np.exp(logf)).sum(axis=1) + math.exp(LAM * zlo) / LAM
    return -(LAM * math.log(2.0) - math.lgamma(LAM) + np.log(integral)) / LAM


rng = np.random.default_rng(args.seed)
val_x = rng.random((args.val_points, N))
val_t = rng.random(args.val_points)
val_u = cole_hopf(val_x, val_t)
# Sanity: at t = 1 the quadrature is g(x).
chk = rng.random((4, N))
assert np.allclose(cole_hopf(chk, np.ones(4)), np.log((1 + (chk * chk).sum(1)) / 2), rtol=1e-12)

w = args.width
net = torch.nn.Sequential(
    torch.nn.Linear(N + 1, w), torch.nn.Tanh(),
    torch.nn.Linear(w, w), torch.nn.Tanh(),
    torch.nn.Linear(w, w), torch.nn.Tanh(),
    torch.nn.Linear(w, 1),
).to(dtype)
opt = torch.optim.Adam(net.parameters(), lr=args.lr)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda n: max(0.0, 1.0 - n / args.steps))
VX = torch.tensor(np.concatenate([val_x, val_t[:, None]], axis=1), dtype=dtype)


def validate():
    with torch.no_grad():
        u = net(VX).double().numpy().ravel()
    return float(((u - val_u) ** 2).mean())


def loss_fn():
    xi = torch.tensor(rng.random((args.batch, N + 1)), dtype=dtype, requires_grad=True)
    u = net(xi)
    g = torch.autograd.grad(u.sum(), xi, create_graph=True)[0]
    lap = torch.zeros(args.batch, dtype=dtype)
    for i in range(N):
        lap = lap + torch.autograd.grad(g[:, i].sum(), xi, create_graph=True)[0][:, i]
    r = g[:, N] + lap - LAM * (g[:, :N] ** 2).sum(1)
    xt = rng.random((args.batch, N))
    xb = torch.tensor(np.concatenate([xt, np.ones((args.batch, 1))], axis=1), dtype=dtype)
    gt = torch.tensor(np.log((1 + (xt * xt).sum(1)) / 2), dtype=dtype)
    return (r ** 2).mean() + args.wterm * ((net(xb).ravel() - gt) ** 2).mean()


curve = [(0, 0.0, validate())]
seconds, step = 0.0, 0
while step < args.steps and seconds < args.max_seconds:
    take = min(args.val_every, args.steps - step)
    t0 = time.perf_counter()
    for _ in range(take):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        if seconds + time.perf_counter() - t0 >= args.max_seconds:
            break
    seconds += time.perf_counter() - t0
    v = validate()
    curve.append((step, seconds, v))
    print(f"torch: step {step} loss {loss.item():.3e} validation {v:.3e} ({seconds:.1f} s, "
          f"{seconds / step:.3f} s/step)", flush=True)

reach = next((c[1] for c in curve if c[2] <= args.target), None)
line = json.dumps({
    "example": "hjb_torch", "method": "torch", "dim": N, "width": w, "dtype": args.dtype,
    "seed": args.seed, "steps": step, "steps_planned": args.steps, "batch": args.batch,
    "threads": args.threads, "mse": curve[-1][2], "best_mse": min(c[2] for c in curve),
    "seconds": round(seconds, 2), "s_per_step": round(seconds / max(step, 1), 4),
    "target": args.target, "seconds_to_target": reach,
    "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "curve": curve,
})
print(line)
if args.record:
    with open(args.record, "a") as f:
        f.write(line + "\n")
