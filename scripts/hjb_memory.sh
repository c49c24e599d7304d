#!/usr/bin/env bash
# Peak resident memory and seconds of one HJB step for each method at N = 1000 and 5000
# (docs/REPRODUCTION.md, He et al., HJB): one process per method and dimension, so that each
# `peak_rss_mib` is that method's alone. The paper's network (width 768), 100 + 100 points,
# f32, 2 threads. One JSON line per run, appended to RECORD.
#
#   scripts/hjb_memory.sh [RECORD]          (default docs/data/hjb_memory.jsonl)
#
# Environment: DIMS ("1000 5000"), METHODS ("pinn probes stein"), STEPS (1), BIN (a
# prebuilt `hjb` binary).
set -euo pipefail
cd "$(dirname "$0")/.."
record=${1:-docs/data/hjb_memory.jsonl}
dims=${DIMS:-"1000 5000"}
methods=${METHODS:-"pinn probes stein"}
steps=${STEPS:-1}
mkdir -p "$(dirname "$record")"
touch "$record"
bin=$(mktemp -d)/hjb
if [ -n "${BIN:-}" ]; then
  cp "$BIN" "$bin"
else
  cargo build --release --example hjb
  cp target/release/examples/hjb "$bin"
fi
for n in $dims; do
  for m in $methods; do
    pat="\"method\":\"$m\",\"dim\":$n,"
    if grep -q "$pat" "$record"; then continue; fi
    echo "== N = $n, $m"
    "$bin" --method "$m" --dim "$n" --steps "$steps" --val-every "$steps" --val-points 2 \
      --threads 2 | tee /dev/stderr | grep '^{' >> "$record"
  done
done
