#!/usr/bin/env bash
# Equation discovery of docs/REPRODUCTION.md: the `discover` example on Burgers and KdV, clean
# and with 1 % noise, every run not yet in the record (one JSON line each), one after another.
#
#   scripts/discover_study.sh [RECORD]          (default docs/data/discover.jsonl)
#
# Environment: PROBLEMS ("burgers kdv"), NOISES ("0 0.01"), DTYPES ("f64"), SEEDS ("0"),
# FIT ("pinn": the library equation's coefficients trained with the network; or "data"),
# BIN (a prebuilt binary).
set -euo pipefail
cd "$(dirname "$0")/.."
record=${1:-docs/data/discover.jsonl}
problems=${PROBLEMS:-"burgers kdv"}
noises=${NOISES:-"0 0.01"}
dtypes=${DTYPES:-"f64"}
seeds=${SEEDS:-0}
fit=${FIT:-pinn}
mkdir -p "$(dirname "$record")"
touch "$record"
bin=$(mktemp -d)/discover
if [ -n "${BIN:-}" ]; then
  cp "$BIN" "$bin"
else
  cargo build --release --example discover
  cp target/release/examples/discover "$bin"
fi
for d in $dtypes; do
  for s in $seeds; do
    for p in $problems; do
      for n in $noises; do
        pat="\"example\":\"discover\",\"problem\":\"$p\",\"noise\":$n,\"points\":10000,\"dtype\":\"$d\",\"seed\":$s,\"fit\":\"$fit\","
        if grep -q "$pat" "$record"; then continue; fi
        echo "== $p noise $n $d seed $s fit $fit"
        "$bin" --problem "$p" --noise "$n" --dtype "$d" --seed "$s" --fit "$fit" --record "$record"
      done
    done
  done
done
