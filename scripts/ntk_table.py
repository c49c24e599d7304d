#!/usr/bin/env python3
"""The NTK-weighting tables of docs/REPRODUCTION.md, from the record files:

    python3 scripts/ntk_table.py [docs/data/ntk.jsonl] [docs/data/helmholtz_ntk.jsonl]

Poisson 1D (example `ntk`): per precision, median and range of the L2 relative errors of u
and u_xx for the plain and the NTK-weighted run of each seed, how many seeds the weighted run
wins, and the final λ_b. Helmholtz 2D (`helmholtz --model ntk`): mean ± population std, median
and range against M2 (learning-rate annealing) from docs/data/helmholtz_table.jsonl, and the
seeds where NTK weighting is the better of the two.
"""
import json
import statistics as st
import sys


def load(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def rng(v):
    return f"{min(v):.2e} – {max(v):.2e}"


def poisson(rows):
    print("| precision | method | seeds | u: median (range) | u_xx: median (range) | final λ_b (range) |")
    print("|---|---|---|---|---|---|")
    for dtype in ("f64", "f32"):
        runs = {m: {r["seed"]: r for r in rows if r["dtype"] == dtype and r["method"] == m}
                for m in ("plain", "ntk")}
        seeds = sorted(set(runs["plain"]) & set(runs["ntk"]))
        if not seeds:
            continue
        for m in ("plain", "ntk"):
            u = [runs[m][s]["rel_l2_u"] for s in seeds]
            uxx = [runs[m][s]["rel_l2_uxx"] for s in seeds]
            lam = [runs[m][s].get("lambda_b") for s in seeds]
            lam_s = f"{st.median(lam):.0f} ({min(lam):.0f} – {max(lam):.0f})" if m == "ntk" else ""
            print(f"| {dtype} | {m} | {len(seeds)} | {st.median(u):.2e} ({rng(u)}) "
                  f"| {st.median(uxx):.2e} ({rng(uxx)}) | {lam_s} |")
        wins_u = sum(runs["ntk"][s]["rel_l2_u"] < runs["plain"][s]["rel_l2_u"] for s in seeds)
        wins_uxx = sum(runs["ntk"][s]["rel_l2_uxx"] < runs["plain"][s]["rel_l2_uxx"] for s in seeds)
        print(f"\n{dtype}: NTK weighting better in u for {wins_u} of {len(seeds)} seeds, "
              f"in u_xx for {wins_uxx} of {len(seeds)}\n")


def helmholtz(ntk, table):
    m2 = [r for r in table if r.get("model") == "m2" and r.get("args", "") == ""]
    print("| model | precision | seeds | mean ± std | median | range | final λ_b (mean) |")
    print("|---|---|---|---|---|---|---|")
    for dtype in ("f32", "f64"):
        for name, rows in (("M2 (annealing)", m2), ("NTK weighting", ntk)):
            v = [r["rel_l2"] for r in rows if r["dtype"] == dtype]
            if not v:
                continue
            lam = st.mean(r["lambda"][0] for r in rows if r["dtype"] == dtype)
            sd = st.pstdev(v) if len(v) > 1 else 0.0
            print(f"| {name} | {dtype} | {len(v)} | {st.mean(v):.2e} ± {sd:.2e} "
                  f"| {st.median(v):.2e} | {rng(v)} | {lam:.0f} |")
    by = {(r["dtype"], r["seed"]): r["rel_l2"] for r in m2}
    pairs = [(r, by.get((r["dtype"], r["seed"]))) for r in ntk]
    pairs = [(r, b) for r, b in pairs if b is not None]
    wins = sum(r["rel_l2"] < b for r, b in pairs)
    print(f"\nNTK weighting better than M2 at the same seed and precision: {wins} of {len(pairs)}")


if __name__ == "__main__":
    a = sys.argv[1:]
    poisson(load(a[0] if a else "docs/data/ntk.jsonl"))
    helmholtz(load(a[1] if len(a) > 1 else "docs/data/helmholtz_ntk.jsonl"),
              load("docs/data/helmholtz_table.jsonl"))
