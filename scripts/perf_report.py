#!/usr/bin/env python3
"""Formats docs/PERFORMANCE.md from our bench JSON lines and the peers' baseline_results.json.

Usage: perf_report.py ours.jsonl peers.json [previous PERFORMANCE.md] > docs/PERFORMANCE.md
(standard library only). Everything after the line `<!-- analysis -->` in the previous file (the
hand-written profile notes) is carried over below the generated tables.
"""
import json
import os
import platform
import sys
import time

ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
MARK = "<!-- analysis -->"
previous = ""
if len(sys.argv) > 3 and os.path.exists(sys.argv[3]):
    text = open(sys.argv[3]).read()
    if MARK in text:
        previous = text.split(MARK, 1)[1]
peers = json.load(open(sys.argv[2]))
CASES = ["poisson2d", "burgers", "poisson_hd10", "poisson_hd100", "wave_wide"]


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def find(fw, case, dt, threads=None):
    for r in ours:
        if r["framework"] == fw and r["case"] == case and r["dtype"] == dt and (threads is None or r["threads"] == threads):
            return r
    return None


def peer_cells(case, dt):
    out = {}
    for r in peers:
        if r.get("case") == case and r.get("dtype") == dt and r.get("median_ms") is not None:
            out[f'{r["framework"]} {r["variant"]}'] = r
    return out


def flag(r):
    load = r.get("foreign_cpu_load")
    return "†" if load is not None and load > 0.25 else ""


print("# Performance: ours vs JAX and PyTorch, same machine, same run\n")
print(f"Generated {time.strftime('%Y-%m-%d %H:%M')} by `scripts/perf_compare.sh` on: {cpu()}, "
      f"{os.cpu_count()} cores visible. One step = PINN loss + gradient w.r.t. all parameters + "
      "one Adam update, as defined in `benches/CASES.md`. Median ms per step (min in "
      "parentheses); ratio = fastest peer's median / ours (2 threads). † = more than 0.25 CPU-s/s "
      "of other load while timed (pessimistic).\n")
print("| case | dtype | ours 2T | ours 1T | 2T/1T | native 2T | fastest peer | peer ms | ratio | % GEMM | peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for case in CASES:
    for dt in ["f32", "f64"]:
        o2, o1, nat = find("pinn", case, dt, 2), find("pinn", case, dt, 1), find("pinn-native", case, dt)
        if o2 is None:
            continue
        pc = peer_cells(case, dt)
        best = min(pc.items(), key=lambda kv: kv[1]["median_ms"]) if pc else None
        cell = lambda r: f'{r["median_ms"]:.2f} ({r["min_ms"]:.2f}){flag(r)}' if r else "n/a"
        speed = f'{o1["median_ms"] / o2["median_ms"]:.2f}' if o1 else "n/a"
        peer_ms = f'{best[1]["median_ms"]:.2f}{flag(best[1])}' if best else "n/a"
        ratio = f'{best[1]["median_ms"] / o2["median_ms"]:.2f}×' if best else "n/a"
        print(f'| {case} | {dt} | {cell(o2)} | {cell(o1)} | {speed} | {cell(nat)} | {best[0] if best else "n/a"} '
              f'| {peer_ms} | {ratio} | {o2["pct_gemm"]:.0f}% | {o2["peak_rss_mib"]:.0f} |')

print("\n## Every peer variant\n")
print("| case | dtype | " + " | ".join(["jax hessian", "jax fwdrev", "torch eager", "torch func"]) + " |")
print("|---|---|---|---|---|---|")
for case in CASES:
    for dt in ["f32", "f64"]:
        pc = peer_cells(case, dt)
        if not pc:
            continue
        cells = []
        for k in ["jax jit_hessian", "jax jit_fwdrev", "torch eager", "torch func"]:
            r = pc.get(k)
            cells.append(f'{r["median_ms"]:.2f}{flag(r)}' if r else "n/a")
        print(f"| {case} | {dt} | " + " | ".join(cells) + " |")

gemm = [r for r in peers if r.get("framework") == "numpy"]
print("\n## GEMM rates\n")
print("`% GEMM` compares the dense-layer FLOPs of a step with nalgebra/matrixmultiply's rate on "
      "512×512 products measured in the same process (one product per thread).")
for r in ours[:1]:
    print(f'\nnalgebra 512² GEMM in our process: {r["gemm512_gflops"]:.1f} GFLOP/s ({r["dtype"]}, {r["threads"]} threads).')
for r in gemm:
    print(f'\nnumpy (OpenBLAS) GEMM {r.get("case")} {r.get("dtype")}: best {r.get("gflops_best", float("nan")):.1f} GFLOP/s '
          f'({r.get("threads")} threads, {r.get("blas", "")}).')

print("\n## Memory and allocations (ours, 2 threads)\n")
print("`jets` = the jets of every node for all points of the step at once (what a full-batch "
      "forward pass would hold; we run 256-point chunks, so we hold far less). `base` = the "
      "process's peak RSS before the case was set up. Allocations are counted by a counting "
      "global allocator over the timed steps.\n")
print("| case | dtype | peak RSS MiB | base MiB | jets MiB | peak / jets | allocations per step |")
print("|---|---|---|---|---|---|---|")
for case in CASES:
    for dt in ["f32", "f64"]:
        o2 = find("pinn", case, dt, 2)
        if o2 is None or "jets_mib" not in o2:
            continue
        print(f'| {case} | {dt} | {o2["peak_rss_mib"]:.0f} | {o2["rss_before_mib"]:.0f} | {o2["jets_mib"]:.0f} '
              f'| {o2["peak_rss_mib"] / o2["jets_mib"]:.2f} | {o2["allocs_per_step"]:.0f} |')


def ratio(case, dt):
    o2 = find("pinn", case, dt, 2)
    pc = peer_cells(case, dt)
    if o2 is None or not pc:
        return None
    return min(r["median_ms"] for r in pc.values()) / o2["median_ms"]


def check(label, values, ok, fmt):
    got = [(k, v) for k, v in values if v is not None]
    if not got:
        print(f"| {label} | not run |")
        return
    met = all(ok(k, v) for k, v in got)
    cells = ", ".join(f"{k} {fmt(v)}" for k, v in got)
    print(f"| {label} | {'met' if met else '**missed**'}: {cells} |")


print("\n## Status against the targets (issue 5), from this run\n")
print("| target | result |")
print("|---|---|")
small = ["poisson2d", "burgers", "poisson_hd10"]
both = [(c, dt) for c in small for dt in ["f32", "f64"]]
check("poisson2d, burgers, poisson-hd d=10: ≥ 4× the fastest peer",
      [(f"{c} {dt}", ratio(c, dt)) for c, dt in both], lambda k, v: v >= 4, lambda v: f"{v:.2f}×")
check("poisson-hd d=100: ≥ 5× the fastest peer",
      [(f"{dt}", ratio("poisson_hd100", dt)) for dt in ["f32", "f64"]], lambda k, v: v >= 5,
      lambda v: f"{v:.2f}×")
check("wave-wide: ≥ 2.5× the fastest peer in f64, ≥ 1.5× in f32",
      [(f"{dt}", ratio("wave_wide", dt)) for dt in ["f32", "f64"]],
      lambda k, v: v >= (2.5 if k == "f64" else 1.5), lambda v: f"{v:.2f}×")
pct = lambda c, dt: (find("pinn", c, dt, 2) or {}).get("pct_gemm")
check("wave-wide: ≥ 85% of the GEMM rate", [(dt, pct("wave_wide", dt)) for dt in ["f32", "f64"]],
      lambda k, v: v >= 85, lambda v: f"{v:.0f}%")
check("small nets (poisson2d, burgers, poisson-hd d=10): ≥ 65% of the GEMM rate",
      [(f"{c} {dt}", pct(c, dt)) for c, dt in both], lambda k, v: v >= 65, lambda v: f"{v:.0f}%")


def speedup(c, dt):
    o2, o1 = find("pinn", c, dt, 2), find("pinn", c, dt, 1)
    return o1["median_ms"] / o2["median_ms"] if o1 and o2 else None


check("2 threads ≥ 1.8× faster than 1 thread (wave-wide, poisson2d)",
      [(f"{c} {dt}", speedup(c, dt)) for c in ["wave_wide", "poisson2d"] for dt in ["f32", "f64"]],
      lambda k, v: v >= 1.8, lambda v: f"{v:.2f}×")
mem = lambda c, dt: (lambda o: o["peak_rss_mib"] / o["jets_mib"] if o and "jets_mib" in o else None)(find("pinn", c, dt, 2))
check("peak memory of a step ≤ 2× the storage of the jets",
      [(f"{c} {dt}", mem(c, dt)) for c in CASES for dt in ["f32", "f64"]], lambda k, v: v <= 2,
      lambda v: f"{v:.2f}×")
allocs = lambda c, dt: (find("pinn", c, dt, 2) or {}).get("allocs_per_step")
check("no allocation per step in the steady state",
      [(f"{c} {dt}", allocs(c, dt)) for c in CASES for dt in ["f32", "f64"]], lambda k, v: v == 0,
      lambda v: f"{v:.0f}")
nat = lambda c, dt: (lambda a, b: b["median_ms"] / a["median_ms"] if a and b else None)(
    find("pinn-native", c, dt), find("pinn", c, dt, 2))
check("figures with and without `-C target-cpu=native` (native speed-up shown; not required)",
      [(f"{c} {dt}", nat(c, dt)) for c in CASES for dt in ["f32", "f64"]], lambda k, v: True,
      lambda v: f"{v:.2f}×")

print("\n" + MARK + previous, end="" if previous.endswith("\n") else "\n")
