#!/usr/bin/env bash
# Causal training against the plain PINN on periodic Allen–Cahn (docs/REPRODUCTION.md): every
# run of the `causal` example below that is not yet in the record file, $JOBS at a time on one
# thread each. Safe to stop and start again: finished runs are in the record (one JSON line
# each) and skipped; an interrupted run resumes from its checkpoint (every 500 steps, under
# target/examples-out/causal/checkpoints) with the same bits.
#
#   scripts/causal_study.sh [RECORD]          (default docs/data/causal.jsonl)
#
# Environment: BUDGET (study), SEEDS ("0"), DTYPES ("f64"), JOBS (2), BIN (a prebuilt binary).
set -euo pipefail
cd "$(dirname "$0")/.."
record=${1:-docs/data/causal.jsonl}
budget=${BUDGET:-study}
seeds=${SEEDS:-0}
dtypes=${DTYPES:-f64}
jobs=${JOBS:-2}
mkdir -p "$(dirname "$record")"
touch "$record"
ckpt=${CARGO_TARGET_DIR:-target}/examples-out/causal/checkpoints
mkdir -p "$ckpt"
# A private copy, so that rebuilding the crate during the study changes nothing.
bin=$(mktemp -d)/causal
if [ -n "${BIN:-}" ]; then
  cp "$BIN" "$bin"
else
  cargo build --release --example causal
  cp target/release/examples/causal "$bin"
fi
todo=$(mktemp)
for d in $dtypes; do
  for s in $seeds; do
    for m in causal plain; do
      pat="\"method\":\"$m\",\"budget\":\"$budget\",\"dtype\":\"$d\",\"seed\":$s,"
      if ! grep -q "$pat" "$record"; then
        echo "--method $m --budget $budget --dtype $d --seed $s --threads 1 --record $record --checkpoint $ckpt/$m-$budget-$d-s$s.ckpt"
      fi
    done
  done
done >"$todo"
echo "$(wc -l <"$todo") runs to do, $jobs at a time; log in $record.log"
xargs -P "$jobs" -L 1 "$bin" <"$todo" >>"$record.log" 2>&1
echo "done: $(wc -l <"$record") runs in $record"
