#!/usr/bin/env bash
# The FBPINN comparisons of docs/REPRODUCTION.md: Cos1D, ω = 15 (Moseley et al. 2023, spec
# §3.2) and the damped oscillator, ω₀ = 80 (the FBPINNs library, §3.4). Every run of the
# `fbpinn` example below that is not yet in the record file (with its L1 curve), one after
# another on one thread. Safe to stop and start again: a finished run is
# a JSON line in the record and is skipped; an interrupted one resumes from its checkpoint
# (every 1000 steps, under target/examples-out/fbpinn/checkpoints) with the same bits.
#
#   scripts/fbpinn_study.sh [RECORD]          (default docs/data/fbpinn.jsonl)
#
# Environment: PROBLEM (cos1d or oscillator), SEEDS ("0"), DTYPES ("f32"), MODELS (all six
# below), BIN (a prebuilt binary).
set -euo pipefail
cd "$(dirname "$0")/.."
record=${1:-docs/data/fbpinn.jsonl}
seeds=${SEEDS:-0}
dtypes=${DTYPES:-f32}
models=${MODELS:-"fbpinn fbpinn-point pinn-16-2 pinn-32-3 pinn-64-4 pinn-128-5"}
problem=${PROBLEM:-cos1d}
# The paper runs Cos1D's point scheduler for 100 000 steps; the oscillator keeps its 20 000.
point_steps=""
[ "$problem" = cos1d ] && point_steps="--steps 100000"
mkdir -p "$(dirname "$record")"
touch "$record"
ckpt=${CARGO_TARGET_DIR:-target}/examples-out/fbpinn/checkpoints
mkdir -p "$ckpt"
# A private copy, so that rebuilding the crate during the study changes nothing.
bin=$(mktemp -d)/fbpinn
if [ -n "${BIN:-}" ]; then
  cp "$BIN" "$bin"
else
  cargo build --release --example fbpinn
  cp target/release/examples/fbpinn "$bin"
fi
for d in $dtypes; do
  for s in $seeds; do
    for m in $models; do
      pat="\"problem\":\"$problem\",.*\"model\":\"$m\",\"dtype\":\"$d\",\"seed\":$s,.*\"curve\""
      if grep -q "$pat" "$record"; then continue; fi
      case $m in
        fbpinn-point) args="--model fbpinn --schedule point $point_steps" ;;
        *) args="--model $m" ;;
      esac
      echo "== $problem $m $d seed $s"
      "$bin" --problem "$problem" $args --dtype "$d" --seed "$s" --threads 1 --record "$record" \
        --checkpoint "$ckpt/$problem-$m-$d-s$s.ckpt"
    done
  done
done
