#!/usr/bin/env bash
# The lid-driven cavity of docs/REPRODUCTION.md (Wang, Teng & Perdikaris 2021, §3.3): every
# run of the `cavity` example below that is not yet in the record file, one after another
# (about 4 to 8 min each on one thread; the 256-cell reference, about 2 min, is solved by
# the first run and cached in the output folder).
# Safe to stop and start again: finished runs are JSON lines in the record and are skipped.
#
#   scripts/cavity_study.sh [RECORD]          (default docs/data/cavity.jsonl)
#
# Environment: FORMS ("psi-p uvp"), MODELS ("m1 m2 m3 m4"), DTYPES ("f32"), SEEDS ("0"),
# BIN (a prebuilt binary).
set -euo pipefail
cd "$(dirname "$0")/.."
record=${1:-docs/data/cavity.jsonl}
forms=${FORMS:-"psi-p uvp"}
models=${MODELS:-"m1 m2 m3 m4"}
dtypes=${DTYPES:-f32}
seeds=${SEEDS:-0}
mkdir -p "$(dirname "$record")"
touch "$record"
# A private copy, so that rebuilding the crate during the study changes nothing.
bin=$(mktemp -d)/cavity
if [ -n "${BIN:-}" ]; then
  cp "$BIN" "$bin"
else
  cargo build --release --example cavity
  cp target/release/examples/cavity "$bin"
fi
for d in $dtypes; do
  for s in $seeds; do
    for f in $forms; do
      for m in $models; do
        pat="\"example\":\"cavity\",\"form\":\"$f\",\"model\":\"$m\",\"dtype\":\"$d\",\"seed\":$s,"
        if grep -q "$pat" "$record"; then continue; fi
        echo "== $f $m $d seed $s"
        "$bin" --form "$f" --model "$m" --dtype "$d" --seed "$s" --record "$record"
      done
    done
  done
done
