#!/usr/bin/env bash
# Wang, Teng & Perdikaris (2021), Table 3 (Helmholtz, 50 units / 3 hidden layers): runs the
# `helmholtz` example for every (model, dtype, seed) and collects one JSON line per run, then
# prints the mean ± std markdown table (scripts/helmholtz_format.py).
#
#   scripts/helmholtz_table.sh [OUT.jsonl]
#
# Environment (defaults in brackets):
#   MODELS     models to run                        ["m1 m2 m3 m4"]; "sa" for SA-PINN
#   SEEDS_F32  seeds 0..N-1 in f32                  [10]
#   SEEDS_F64  seeds 0..N-1 in f64                  [3]
#   JOBS       runs in parallel (one thread each)   [2]
#   ARGS       extra arguments for every run        [""], e.g. "--steps 2000" or "--lambda-free";
#              they come last, and the example takes the last occurrence of a flag, so
#              ARGS="--threads 2" overrides the one thread per run below
#
# Runs already in OUT (same model, dtype, seed, variant and steps) are skipped, so an
# interrupted protocol resumes where it stopped. Each run's full output goes to
# target/examples-out/helmholtz_logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS=${MODELS:-"m1 m2 m3 m4"}
SEEDS_F32=${SEEDS_F32:-10}
SEEDS_F64=${SEEDS_F64:-3}
JOBS=${JOBS:-2}
ARGS=${ARGS:-}
OUT=${1:-target/examples-out/helmholtz_table.jsonl}
LOGS=target/examples-out/helmholtz_logs

cargo build --release --example helmholtz
mkdir -p "$LOGS" "$(dirname "$OUT")"
touch "$OUT"

jobs_list() {
    for model in $MODELS; do
        for ((s = 0; s < SEEDS_F32; s++)); do echo "$model f32 $s"; done
        for ((s = 0; s < SEEDS_F64; s++)); do echo "$model f64 $s"; done
    done
}

run_one() {
    local model=$1 dtype=$2 seed=$3
    local tag="${model}_${dtype}_s${seed}${ARGS:+_$(echo "$ARGS" | tr -c 'a-zA-Z0-9' '_')}"
    local log="$LOGS/$tag.log"
    # shellcheck disable=SC2086
    if target/release/examples/helmholtz --model "$model" --dtype "$dtype" --seed "$seed" \
        --threads 1 $ARGS >"$log" 2>&1; then
        # The JSON line, tagged with the extra arguments; one short line is an atomic append.
        tail -n 1 "$log" | sed "s|}\$|,\"args\":\"${ARGS}\"}|" >>"$OUT"
        echo "done $tag: $(grep -o '"rel_l2":[^,]*' "$log" | tail -n 1)"
    else
        echo "FAILED $tag (see $log)" >&2
    fi
}
export -f run_one
export OUT LOGS ARGS

# Skip what OUT already holds (matched on model, dtype, seed and the extra arguments' tag).
todo=$(jobs_list | while read -r model dtype seed; do
    if ! grep -q "\"model\":\"$model\",\"dtype\":\"$dtype\",\"seed\":$seed,.*\"args\":\"$ARGS\"" "$OUT"; then
        echo "$model $dtype $seed"
    fi
done)
if [ -n "$todo" ]; then
    echo "$todo" | xargs -P "$JOBS" -L 1 bash -c 'run_one "$@"' _
fi
python3 scripts/helmholtz_format.py "$OUT"
