#!/usr/bin/env bash
# ProPINN on the RoPINN harness (docs/REPRODUCTION.md, spec ropinn_propinn_spec.md §6): every
# run of the `propinn` example below that is not yet in the record file, one after another.
# Safe to stop and start again: finished runs are JSON lines in the record and are skipped;
# an interrupted run resumes from its checkpoint (after every outer step, under
# target/examples-out/propinn/checkpoints) with the same bits.
#
#   scripts/propinn_study.sh [RECORD]          (default docs/data/propinn.jsonl)
#
# Environment: PROBLEMS ("reaction wave convection allen-cahn"), DTYPES ("f32"), PROTOCOL (a),
# SEEDS ("0"), THREADS (1), BIN (a prebuilt binary).
set -euo pipefail
cd "$(dirname "$0")/.."
record=${1:-docs/data/propinn.jsonl}
problems=${PROBLEMS:-"reaction wave convection allen-cahn"}
dtypes=${DTYPES:-f32}
protocol=${PROTOCOL:-a}
seeds=${SEEDS:-0}
threads=${THREADS:-1}
mkdir -p "$(dirname "$record")"
touch "$record"
ckpt=${CARGO_TARGET_DIR:-target}/examples-out/propinn/checkpoints
mkdir -p "$ckpt"
# A private copy, so that rebuilding the crate during the study changes nothing.
bin=$(mktemp -d)/propinn
if [ -n "${BIN:-}" ]; then
  cp "$BIN" "$bin"
else
  cargo build --release --example propinn
  cp target/release/examples/propinn "$bin"
fi
for d in $dtypes; do
  for s in $seeds; do
    for p in $problems; do
      pat="\"example\":\"propinn\",\"problem\":\"$p\",\"method\":\"vanilla\",\"dtype\":\"$d\",\"protocol\":\"$protocol\",\"net\":\"propinn\",\"seed\":$s,"
      if grep -q "$pat" "$record"; then continue; fi
      echo "== $p $d protocol $protocol seed $s"
      "$bin" --problem "$p" --dtype "$d" --protocol "$protocol" --seed "$s" --threads "$threads" \
        --checkpoint "$ckpt/$p-$d-$protocol-s$s.ckpt" | tee /dev/stderr | grep '^{' >> "$record"
    done
  done
done
