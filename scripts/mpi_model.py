#!/usr/bin/env python3
"""Weak and strong scaling of data-parallel training, modelled to 64 and 1024 ranks
(docs/PERFORMANCE.md, "Data-parallel training over MPI").

Compute: each benchmark case's one-thread step time (docs/PERFORMANCE.md's table, `ours 1T`),
shared out by chunks of 256 points; a chunk is indivisible, so P ranks compute
ceil(C / P) chunks' worth at most. Merge: our reproducible all-reduce takes ceil(log2 P)
rounds up a binomial tree, each carrying a range's b aligned nodes of n numbers, then
ceil(log2 P) rounds of broadcast of n numbers:

    T_merge(P) = ceil(log2 P) * (2 alpha + (b + 1) * beta * 8 n)

with alpha and beta fitted to `benches/mpi_merge.rs` at P = 2 (b = 1 there), and b = 1 (every
rank's range one node: C / P and P powers of two) or b = 2 ceil(log2 C) (the worst case).
The last column asks where communication would dominate if the chunks were cut small enough
for every rank to have one (a chunk size is part of the bits, so that is another run).

    python3 scripts/mpi_model.py [ALPHA_US BETA_NS_PER_BYTE]
"""
import math
import sys

alpha_us = float(sys.argv[1]) if len(sys.argv) > 2 else 0.45
beta_ns = float(sys.argv[2]) if len(sys.argv) > 2 else 0.775

# case: (parameters n, points per term, f64 one-thread ms per step)
cases = {
    "poisson2d": (12737, [4096, 1024], 57.80),
    "burgers": (7851, [4096, 256, 256], 38.52),
    "poisson_hd10": (34561, [1024, 256], 97.67),
    "poisson_hd100": (46081, [1024, 256], 941.93),
    "wave_wide = RoPINN's PINN": (527361, [10201, 101, 101, 202], 4912.57),
}


def merge_ms(p, n, b):
    if p == 1:
        return 0.0
    rounds = math.ceil(math.log2(p))
    return rounds * (2 * alpha_us * 1e-3 + (b + 1) * beta_ns * 1e-6 * 8 * n)


print(f"alpha = {alpha_us} µs, beta = {beta_ns} ns/byte (f64: 8 bytes a number)\n")
print("| case | n | chunks | 1 rank ms | merge ms at 64 (b=1 / worst) | 1024 | strong: speed-up at 64 | 1024 | weak: efficiency at 64 | 1024 | strong, finer chunks: merge > compute from P = |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for name, (n, terms, t1) in cases.items():
    chunks = sum(math.ceil(k / 256) for k in terms)
    worst = 2 * math.ceil(math.log2(chunks))
    row = [name, f"{n:,}", str(chunks), f"{t1:.1f}"]
    for p in (64, 1024):
        row.append(f"{merge_ms(p, n, 1):.2f} / {merge_ms(p, n, worst):.2f}")
    for p in (64, 1024):
        compute = math.ceil(chunks / p) * t1 / chunks
        row.append(f"{t1 / (compute + merge_ms(p, n, 1)):.1f}×")
    for p in (64, 1024):
        row.append(f"{t1 / (t1 + merge_ms(p, n, 1)):.0%}")
    # Strong scaling with chunks small enough for every rank (another chunk size: other
    # bits): the first power of two where the merge (b = 1) exceeds a rank's compute t1 / P.
    cross = next(2**k for k in range(1, 60) if merge_ms(2**k, n, 1) >= t1 / 2**k)
    row.append(f"{cross:,}")
    print("| " + " | ".join(row) + " |")
