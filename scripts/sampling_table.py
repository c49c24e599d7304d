#!/usr/bin/env python3
"""Tables of the sampling study from the `adaptive` example's JSON lines.

    python3 scripts/sampling_table.py [docs/data/sampling_study.jsonl]

Prints (1) the L2 relative error of every method on every problem beside the reported one,
the mean over the seeds run (with their number and the range when more than one), default
(k, c) for rad and rar-d; (2) the (k, c) sweep of RAD on Burgers.
"""
import json
import sys
from collections import defaultdict

METHODS = ["grid", "random", "lhs", "halton", "hammersley", "sobol",
           "random-r", "rar-g", "rad", "rar-d"]
PROBLEMS = ["diffusion", "burgers", "allen-cahn", "wave"]
# Wu et al. (CMAME 2023) as summarised second-hand in shared/papers/paper_specs.md §4.3 (%).
REPORTED = {
    "grid": [0.66, 13.7, 93.4, 81.3], "random": [0.74, 13.3, 22.2, 68.4],
    "lhs": [0.48, 13.5, 26.6, 75.9], "halton": [0.24, 4.51, 0.29, 60.2],
    "hammersley": [0.17, 3.02, 0.14, 58.9], "sobol": [0.19, 3.38, 0.35, 57.5],
    "random-r": [0.12, 1.69, 0.55, 0.72], "rar-g": [0.20, 0.12, 0.53, 0.81],
    "rad": [0.11, 0.02, 0.08, 0.09], "rar-d": [0.14, 0.03, 0.09, 0.29],
}
DEFAULT_KC = {"rad": (1.0, 1.0), "rar-d": (2.0, 0.0)}


def load(path):
    runs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                runs.append(json.loads(line))
    return runs


def fmt(errors):
    if not errors:
        return "—"
    mean = 100 * sum(errors) / len(errors)
    if len(errors) == 1:
        return f"{mean:.3g}%"
    lo, hi = 100 * min(errors), 100 * max(errors)
    return f"{mean:.3g}% ({len(errors)}: {lo:.3g}–{hi:.3g})"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "docs/data/sampling_study.jsonl"
    runs = load(path)
    cell = defaultdict(list)
    sweep = defaultdict(list)
    budgets = set()
    for r in runs:
        budgets.add(r["budget"])
        m = r["method"]
        kc = (r.get("k"), r.get("c"))
        if m in DEFAULT_KC and kc != DEFAULT_KC[m]:
            if m == "rad" and r["problem"] == "burgers":
                sweep[kc].append(r["rel_l2"])
            continue
        if m == "rad" and r["problem"] == "burgers":
            sweep[kc].append(r["rel_l2"])
        cell[(r["problem"], m)].append(r["rel_l2"])
    print(f"budget(s): {', '.join(sorted(budgets))}; {len(runs)} runs\n")
    print("| method | " + " | ".join(f"{p} (ours) | {p} (reported)" for p in PROBLEMS) + " |")
    print("|---" * (1 + 2 * len(PROBLEMS)) + "|")
    for m in METHODS:
        row = [m]
        for i, p in enumerate(PROBLEMS):
            row += [fmt(cell[(p, m)]), f"{REPORTED[m][i]}%"]
        print("| " + " | ".join(row) + " |")
    if sweep:
        print("\nRAD (k, c) on Burgers, L2 relative error:\n")
        ks = sorted({k for k, _ in sweep})
        cs = sorted({c for _, c in sweep})
        print("| k \\ c | " + " | ".join(f"c = {c:g}" for c in cs) + " |")
        print("|---" * (1 + len(cs)) + "|")
        for k in ks:
            print(f"| k = {k:g} | " + " | ".join(fmt(sweep[(k, c)]) for c in cs) + " |")


if __name__ == "__main__":
    main()
