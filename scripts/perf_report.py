#!/usr/bin/env python3
"""Formats docs/PERFORMANCE.md from our bench JSON lines and the peers' baseline_results.json.

Usage: perf_report.py ours.jsonl peers.json > docs/PERFORMANCE.md   (standard library only)
"""
import json
import os
import platform
import sys
import time

ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
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
      "one Adam update, as defined in `../shared/peers/CASES.md`. Median ms per step (min in "
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
