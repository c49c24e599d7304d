#!/usr/bin/env python3
"""Tables of the FBPINN reproductions (docs/REPRODUCTION.md) from the record files.

  python3 scripts/fbpinn_table.py [docs/data/fbpinn.jsonl docs/data/fbpinn_oscillator.jsonl
                                   docs/data/fbpinn_multilevel.jsonl]

For `fbpinn` records (Cos1D, the oscillator): per problem, model and dtype, the L1 test error
over the seeds recorded (median, min, max), the GFLOP of the run and its wall time. The last
record of a (problem, model, dtype, seed) counts. For `fbpinn_multilevel` records: relative
l2 and l1n against each reference, per problem, model and dtype.
"""
import json
import statistics
import sys

files = sys.argv[1:] or ["docs/data/fbpinn.jsonl", "docs/data/fbpinn_oscillator.jsonl",
                         "docs/data/fbpinn_multilevel.jsonl"]
runs = {}
for f in files:
    try:
        lines = open(f).read().splitlines()
    except FileNotFoundError:
        continue
    for line in lines:
        r = json.loads(line)
        if r.get("example") == "fbpinn" and "curve" not in r:
            continue  # runs from before the curve and the FLOP count were recorded
        key = (r["example"], r["problem"], r["model"], r.get("budget", ""), r["dtype"], r["seed"])
        runs[key] = r

order = ["fbpinn", "fbpinn-point", "pinn-16-2", "pinn-32-3", "pinn-64-4", "pinn-128-5"]


def fmt(v):
    return f"{v:.2e}"


groups = {}
for (ex, prob, model, budget, dtype, seed), r in runs.items():
    groups.setdefault((ex, prob, budget, dtype), {}).setdefault(model, []).append(r)

for (ex, prob, budget, dtype), models in sorted(groups.items()):
    if ex == "fbpinn":
        print(f"\n{prob}, {dtype}:\n")
        print("| model | parameters | seeds | L1 median | L1 min – max | GFLOP | wall time (s, median) |")
        print("|---|---|---|---|---|---|---|")
        for m in sorted(models, key=lambda m: order.index(m) if m in order else 99):
            rs = models[m]
            l1 = [r["l1"] for r in rs]
            secs = statistics.median(r["seconds"] for r in rs)
            print(f"| {m} | {rs[0]['params']} | {len(rs)} | {fmt(statistics.median(l1))} | "
                  f"{fmt(min(l1))} – {fmt(max(l1))} | {rs[0]['gflop']:.1f} | {secs:.0f} |")
    else:
        refs = sorted({k[len('rel_l2_'):] for r in sum(models.values(), []) for k in r
                       if k.startswith("rel_l2_")})
        print(f"\n{prob} ({budget} budget), {dtype}:\n")
        head = " | ".join(f"rel-ℓ² ({x}) | l1n ({x})" for x in refs)
        print(f"| model | parameters | seeds | {head} | wall time (s) |")
        print("|---|---|---|" + "---|---|" * len(refs) + "---|")
        for m in sorted(models):
            rs = models[m]
            cells = []
            for x in refs:
                for k in ("rel_l2_", "l1n_"):
                    v = [r[k + x] for r in rs if k + x in r]
                    cells.append(fmt(statistics.median(v)) if v else "–")
            secs = statistics.median(r["seconds"] for r in rs)
            print(f"| {m} | {rs[0]['params']} | {len(rs)} | " + " | ".join(cells) + f" | {secs:.0f} |")
