#!/usr/bin/env bash
# The sampling study of docs/REPRODUCTION.md (Wu et al., CMAME 2023): every run of the
# `adaptive` example that is not yet in the record file, two at a time on one thread each.
# Safe to stop and start again: finished runs are kept in the record (one JSON line per run)
# and skipped; a run that was interrupted resumes from its checkpoint (saved every 100 steps
# under target/examples-out/adaptive/checkpoints) with the same bits.
#
#   scripts/sampling_study.sh [RECORD] [GROUP...]
#
# RECORD defaults to docs/data/sampling_study.jsonl. GROUPs (default: all, in this order):
#   burgers diffusion allen-cahn sweep wave seeds
set -euo pipefail
cd "$(dirname "$0")/.."
record=${1:-docs/data/sampling_study.jsonl}
shift || true
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(burgers diffusion allen-cahn sweep wave seeds)
budget=${BUDGET:-study}
jobs=${JOBS:-2}
mkdir -p "$(dirname "$record")"
touch "$record"
ckpt=${CARGO_TARGET_DIR:-target}/examples-out/adaptive/checkpoints
mkdir -p "$ckpt"

# A private copy, so that rebuilding the crate during a long study changes nothing ($BIN: a
# binary built beforehand).
bin=$(mktemp -d)/adaptive
if [ -n "${BIN:-}" ]; then
  cp "$BIN" "$bin"
else
  cargo build --release --example adaptive
  cp target/release/examples/adaptive "$bin"
fi

methods=(grid random lhs halton hammersley sobol random-r rar-g rad rar-d)
list=$(mktemp)
for g in "${groups[@]}"; do
  case $g in
    burgers|diffusion|allen-cahn|wave)
      for m in "${methods[@]}"; do echo "$g $m 0"; done ;;
    sweep)
      for k in 0 1 2 3; do for c in 0 1 2; do echo "burgers rad 0 $k $c"; done; done ;;
    seeds)
      for s in 1 2 3 4; do for m in "${methods[@]}"; do echo "diffusion $m $s"; done; done
      for s in 1 2; do for m in "${methods[@]}"; do echo "burgers $m $s"; done; done ;;
    *) echo "unknown group $g" >&2; exit 2 ;;
  esac
done >"$list"

todo=$(mktemp)
while read -r p m s k c; do
  kc=""
  [ -n "${k:-}" ] && kc=",\"k\":$k,\"c\":$c"
  # The example writes k and c for rad and rar-d; the defaults are rad (1, 1), rar-d (2, 0).
  if [ -z "$kc" ]; then
    case $m in rad) kc=',"k":1,"c":1' ;; rar-d) kc=',"k":2,"c":0' ;; esac
  fi
  pat="\"problem\":\"$p\",\"method\":\"$m\"$kc,\"dtype\":\"[a-z0-9]*\",\"seed\":$s,\"budget\":\"$budget\""
  if ! grep -q "$pat" "$record"; then
    # A checkpoint per run: an interrupted run resumes where it stopped, with the same bits.
    tag="$p-$m-s$s-$budget${k:+-k$k-c$c}"
    args="--problem $p --method $m --seed $s --budget $budget --threads 1 --record $record"
    args="$args --checkpoint $ckpt/$tag.ckpt"
    [ -n "${k:-}" ] && args="$args --k $k --c $c"
    echo "$args"
  fi
done <"$list" | awk '!seen[$0]++' >"$todo"

echo "$(wc -l <"$todo") runs to do, $jobs at a time; log in $record.log"
xargs -P "$jobs" -L 1 "$bin" <"$todo" >>"$record.log" 2>&1
echo "done: $(wc -l <"$record") runs in $record"
