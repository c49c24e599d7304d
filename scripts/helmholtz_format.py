#!/usr/bin/env python3
"""Formats the JSON lines of `scripts/helmholtz_table.sh` (one per `helmholtz` run) as a
markdown table: per model, dtype, variant, steps and extra arguments, the number of seeds,
the relative L2 error as mean ± std (population std, ddof = 0, as numpy's default), min and
max, the paper's Table 3 value and the mean wall time. Standard library only.

    python3 scripts/helmholtz_format.py target/examples-out/helmholtz_table.jsonl
"""
import json
import math
import sys
from collections import OrderedDict

PAPER = {"m1": (1.94e-1, 3.91e-2), "m2": (1.44e-2, 6.37e-3),
         "m3": (2.12e-2, 4.32e-3), "m4": (3.30e-3, 4.29e-4)}


def main(path):
    groups = OrderedDict()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            key = (r["model"], r["dtype"], r.get("variant", ""), r["steps"], r.get("args", ""))
            groups.setdefault(key, []).append(r)
    print("| model | dtype | variant | steps | args | seeds | rel-L2 mean ± std | min | max "
          "| paper (Table 3) | final λ (mean) | wall per run (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2], k[3], k[4])):
        rows = groups[key]
        e = [r["rel_l2"] for r in rows]
        n = len(e)
        mean = sum(e) / n
        std = math.sqrt(sum((x - mean) ** 2 for x in e) / n)
        lam = [r["lambda"][0] for r in rows if r.get("lambda")]
        lam_s = f"{sum(lam) / len(lam):.3g}" if lam else "–"
        secs = sum(r["seconds"] for r in rows) / n
        paper = PAPER.get(key[0])
        paper_s = f"{paper[0]:.2e} ± {paper[1]:.2e}" if paper else "–"
        model, dtype, variant, steps, args = key
        print(f"| {model} | {dtype} | {variant} | {steps} | {args or '–'} | {n} "
              f"| {mean:.2e} ± {std:.2e} | {min(e):.2e} | {max(e):.2e} | {paper_s} "
              f"| {lam_s} | {secs:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/examples-out/helmholtz_table.jsonl")
