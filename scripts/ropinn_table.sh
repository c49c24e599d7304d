#!/usr/bin/env bash
# RoPINN Table 1 (PINN backbone): the 12 runs of one protocol — {reaction, wave, convection}
# × {vanilla, ropinn} × {f32, f64} — one after the other, each run's JSON line appended to a
# results file, then the markdown table (docs/REPRODUCTION.md, "RoPINN").
#
#   scripts/ropinn_table.sh <full|a|b> [f32] [f64]
#
# Environment: RESULTS (default target/examples-out/ropinn_<protocol>.jsonl; appended to, the
# formatter keeps the last line of each run), ROPINN_ARGS (extra flags for every run, e.g.
# "--seed 1" or "--steps 20"). Logs: target/examples-out/ropinn_<problem>_<method>_<dtype>_<protocol>.log.
set -euo pipefail

protocol=${1:?usage: scripts/ropinn_table.sh <full|a|b> [f32] [f64]}
shift
case "$protocol" in full | a | b) ;; *) echo "protocol must be full, a or b" >&2; exit 2 ;; esac
dtypes=("$@")
[ ${#dtypes[@]} -eq 0 ] && dtypes=(f32 f64)

cd "$(dirname "$0")/.."
cargo build --release --example ropinn
out=target/examples-out
mkdir -p "$out"
results=${RESULTS:-$out/ropinn_${protocol}.jsonl}
bin=./target/release/examples/ropinn

for dtype in "${dtypes[@]}"; do
  for problem in reaction wave convection; do
    for method in vanilla ropinn; do
      log=$out/ropinn_${problem}_${method}_${dtype}_${protocol}.log
      echo "== $(date +%T) $problem / $method / $dtype / protocol $protocol → $log"
      # shellcheck disable=SC2086 # ROPINN_ARGS is a list of flags
      if $bin --problem "$problem" --method "$method" --dtype "$dtype" \
        --protocol "$protocol" ${ROPINN_ARGS:-} >"$log" 2>&1; then
        tail -n 1 "$log" | tee -a "$results"
      else
        echo "   failed (see $log)" >&2
      fi
    done
  done
done

$bin --table "$results" | tee "$out/ropinn_${protocol}.md"
