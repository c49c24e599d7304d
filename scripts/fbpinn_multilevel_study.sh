#!/usr/bin/env bash
# The multilevel FBPINN study of docs/REPRODUCTION.md (Dolean et al. 2024, spec §3.3), at
# the `study` budget: every run of the `fbpinn_multilevel` example below that is not yet in
# the record file, one after another on one thread. Safe to stop and start again: finished
# runs are in the record and skipped; an interrupted run resumes from its checkpoint (every
# 500 steps, under target/examples-out/fbpinn_multilevel/checkpoints) with the same bits.
#
#   scripts/fbpinn_multilevel_study.sh [RECORD]   (default docs/data/fbpinn_multilevel.jsonl)
#
# Environment: PROBLEMS ("laplace helmholtz"), SEEDS ("0"), DTYPES ("f32"), BIN (a prebuilt
# binary).
set -euo pipefail
cd "$(dirname "$0")/.."
record=${1:-docs/data/fbpinn_multilevel.jsonl}
problems=${PROBLEMS:-"laplace helmholtz"}
seeds=${SEEDS:-0}
dtypes=${DTYPES:-f32}
mkdir -p "$(dirname "$record")"
touch "$record"
ckpt=${CARGO_TARGET_DIR:-target}/examples-out/fbpinn_multilevel/checkpoints
mkdir -p "$ckpt"
# A private copy, so that rebuilding the crate during the study changes nothing.
bin=$(mktemp -d)/fbpinn_multilevel
if [ -n "${BIN:-}" ]; then
  cp "$BIN" "$bin"
else
  cargo build --release --example fbpinn_multilevel
  cp target/release/examples/fbpinn_multilevel "$bin"
fi
for p in $problems; do
  for d in $dtypes; do
    for s in $seeds; do
      # Multilevel and one-level from 2 to 5 levels (one-level: 2, 4, 8, 16 per side), then
      # the paper's PINN (5 hidden layers of 256).
      for run in "multilevel 2" "multilevel 3" "multilevel 4" "multilevel 5" \
                 "one-level 2" "one-level 3" "one-level 4" "one-level 5" "pinn 0"; do
        set -- $run
        m=$1 l=$2
        case $m in
          multilevel) name="multilevel-L$l" ;;
          one-level) n=$((1 << (l - 1))); name="one-level-${n}x$n" ;;
          pinn) name="pinn-256-5" ;;
        esac
        pat="\"problem\":\"$p\",\"model\":\"$name\",\"budget\":\"study\",\"dtype\":\"$d\",\"seed\":$s,"
        if grep -q "$pat" "$record"; then continue; fi
        levels=""
        [ "$m" != pinn ] && levels="--levels $l"
        echo "== $p $name $d seed $s"
        "$bin" --problem "$p" --model "$m" $levels --dtype "$d" --seed "$s" --threads 1 \
          --record "$record" --checkpoint "$ckpt/$p-$name-$d-s$s.ckpt"
      done
    done
  done
done
