"""ProPINN in PyTorch, written from the spec (ropinn_propinn_spec.md §6.1; our code, not the
authors'), to time one loss-and-gradient evaluation of the RoPINN harness' wave task beside
`cargo bench --bench propinn`, and to check that both compute the same loss.

The task: u_tt - 4 u_xx = 0 on the 101 x 101 grid of [0, 1]^2 (inputs (x, t), the model fed
(pi x, pi t), derivatives with respect to the unscaled inputs), u(x, 0) = sin(pi x) +
sin(3 pi x)/2, u_t(x, 0) = 0, u(0, t) = u(1, t) = 0, each condition on its 101 grid points,
the loss the sum of the five mean squares. Derivatives by autograd (create_graph), as the
authors' scripts.

Usage:
  python propinn_torch.py [--threads N] [--check DIR]
--check DIR loads the parameters `cargo bench --bench propinn -- --dump DIR` wrote (our
layout: the graph's dense layers in order, W as (in, out) row-major then b, and each WaveAct's
two weights) and prints both losses in f64.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--check", metavar="DIR")
ap.add_argument("--reps", type=int, default=5)
args = ap.parse_args()
torch.set_num_threads(args.threads)

REGIONS = [(0.0, 1), (0.01, 3), (0.05, 5), (0.09, 7)]


def offsets():
    out = []
    for half, k in REGIONS:
        at = [0.0] if k == 1 else [-half + 2 * half * i / (k - 1) for i in range(k)]
        for a in at:
            for b in at:
                out.append((a, b))
    return torch.tensor(out)  # (84, 2)


class WaveAct(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w1 = torch.nn.Parameter(torch.ones(1))
        self.w2 = torch.nn.Parameter(torch.ones(1))

    def forward(self, z):
        return self.w1 * torch.sin(z) + self.w2 * torch.cos(z)


class ProPINN(torch.nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale
        self.p1, self.a1, self.p2 = torch.nn.Linear(2, 8), WaveAct(), torch.nn.Linear(8, 32)
        self.m1, self.a2, self.m2 = torch.nn.Linear(4, 8), WaveAct(), torch.nn.Linear(8, 1)
        self.h = torch.nn.ModuleList()
        widths = [32, 64, 64, 64, 64]
        for i in range(4):
            self.h.append(torch.nn.Linear(widths[i], widths[i + 1]))
            self.h.append(WaveAct())
        self.out = torch.nn.Linear(64, 1)
        self.register_buffer("delta", offsets())

    def forward(self, x, t):
        p = torch.stack([self.scale * x, self.scale * t], dim=-1)  # (N, 2)
        q = p[:, None, :] + self.delta[None].to(p.dtype)  # (N, 84, 2)
        z = self.p2(self.a1(self.p1(q)))  # (N, 84, 32)
        ks = [1, 9, 25, 49]
        parts, at = [], 0
        for k in ks:
            parts.append(z[:, at:at + k].mean(dim=1))
            at += k
        s = torch.stack(parts, dim=1).transpose(1, 2)  # (N, 32, 4)
        m = self.m2(self.a2(self.m1(s)))[..., 0]  # (N, 32)
        h = m
        for layer in self.h:
            h = layer(h)
        return self.out(h)[:, 0]


def load(model, theta):
    """Our layout: dense layers in graph order, W (in, out) row-major then b; WaveAct w1, w2."""
    it = iter(theta)

    def take(n):
        return torch.tensor([next(it) for _ in range(n)], dtype=torch.float64)

    def dense(lin):
        i, o = lin.in_features, lin.out_features
        lin.weight.data = take(i * o).reshape(i, o).T.contiguous()
        lin.bias.data = take(o)

    def act(a):
        a.w1.data, a.w2.data = take(1), take(1)

    dense(model.p1); act(model.a1); dense(model.p2)
    dense(model.m1); act(model.a2); dense(model.m2)
    for k in range(0, 8, 2):
        dense(model.h[k]); act(model.h[k + 1])
    dense(model.out)
    assert next(it, None) is None, "parameters left over"


def data(dtype):
    g = torch.linspace(0, 1, 101, dtype=dtype)
    T, X = torch.meshgrid(g, g, indexing="ij")
    return X.reshape(-1), T.reshape(-1), g


def grad(y, x):
    return torch.autograd.grad(y, x, torch.ones_like(y), create_graph=True)[0]


def loss_fn(model, x, t, g):
    x = x.clone().requires_grad_(True)
    t = t.clone().requires_grad_(True)
    u = model(x, t)
    r = grad(grad(u, t), t) - 4.0 * grad(grad(u, x), x)
    zeros = torch.zeros_like(g)
    x0 = g.clone()
    t0 = zeros.clone().requires_grad_(True)
    u0 = model(x0, t0)
    ic = u0 - (torch.sin(math.pi * x0) + 0.5 * torch.sin(3 * math.pi * x0))
    ut0 = grad(u0, t0)
    left = model(zeros, g)
    right = model(torch.ones_like(g), g)
    return (r ** 2).mean() + (ic ** 2).mean() + (ut0 ** 2).mean() + (left ** 2).mean() + (right ** 2).mean()


def timed(dtype):
    torch.manual_seed(0)
    model = ProPINN(math.pi).to(dtype)
    x, t, g = data(dtype)
    loss_fn(model, x, t, g).backward()  # warm-up
    ts = []
    for _ in range(args.reps):
        model.zero_grad()
        s = time.perf_counter()
        loss_fn(model, x, t, g).backward()
        ts.append((time.perf_counter() - s) * 1e3)
    name = "f32" if dtype == torch.float32 else "f64"
    print(json.dumps(dict(framework="torch", net="propinn", dtype=name, threads=args.threads,
                          params=sum(p.numel() for p in model.parameters()),
                          eval_ms=float(np.median(ts)), torch=torch.__version__)), flush=True)


if args.check:
    theta = np.fromfile(os.path.join(args.check, "propinn_wave.theta"), dtype="<f8")
    ours = float(open(os.path.join(args.check, "propinn_wave.loss")).read())
    model = ProPINN(math.pi).to(torch.float64)
    load(model, theta)
    x, t, g = data(torch.float64)
    theirs = float(loss_fn(model, x, t, g))
    print(json.dumps(dict(check="propinn_wave", loss_pinn=ours, loss_torch=theirs,
                          relative_difference=abs(ours - theirs) / abs(theirs))))
else:
    for dtype in (torch.float32, torch.float64):
        timed(dtype)
