#!/usr/bin/env bash
# Runs our CASES.md benchmarks and the JAX / PyTorch peers side by side, one at a time, and
# writes docs/PERFORMANCE.md with the ratios from that one run.
#
#   scripts/perf_compare.sh              # everything (about an hour on an idle 2-core machine)
#   CASES="poisson2d burgers" DTYPES=f64 scripts/perf_compare.sh
#   PEERS=0 scripts/perf_compare.sh      # ours only; peers' numbers from their last run here
#
# The peers' Python environment lives OUTSIDE the repository (default ~/.cache/pinn-peers; the
# PyTorch wheel is a few GB) and is created on first use. CI never runs this script.
# Time only on an idle machine: the script records the CPU time other processes used during
# every measurement, and the report flags loaded cells.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS_SRC=${PEERS_SRC:-$ROOT/scripts/peers}
WORK=${PINN_PEERS_DIR:-$HOME/.cache/pinn-peers}
CASES=${CASES:-"poisson2d burgers poisson_hd10 poisson_hd100 wave_wide"}
DTYPES=${DTYPES:-"f32 f64"}
PEERS=${PEERS:-1}

# Every input checked before anything is installed or built.
fail() { echo "perf_compare: $*" >&2; exit 2; }
command -v cargo >/dev/null || fail "cargo is not on the PATH"
command -v python3 >/dev/null || fail "python3 is not on the PATH (needed for the report)"
[ -f "$ROOT/scripts/perf_report.py" ] || fail "missing $ROOT/scripts/perf_report.py"
[ -f "$ROOT/benches/cases.rs" ] || fail "missing $ROOT/benches/cases.rs"
known="poisson2d burgers poisson_hd10 poisson_hd100 wave_wide"
for c in $CASES; do
  case " $known " in *" $c "*) ;; *) fail "unknown case '$c' in CASES (known: $known)" ;; esac
done
for d in $DTYPES; do
  case $d in f32|f64) ;; *) fail "unknown dtype '$d' in DTYPES (f32 or f64)" ;; esac
done
case $PEERS in 0|1) ;; *) fail "PEERS must be 0 or 1, found '$PEERS'" ;; esac
if [ "$PEERS" = 1 ]; then
  for f in bench_jax.py bench_torch.py common.py gemm_peak.py; do
    [ -f "$PEERS_SRC/$f" ] || fail "missing the peers' $PEERS_SRC/$f (set PEERS_SRC)"
  done
  python3 -m venv --help >/dev/null 2>&1 || fail "python3 has no venv module (apt-get install python3-venv)"
else
  [ -f "$PEERS_SRC/baseline_results.json" ] \
    || fail "PEERS=0 needs the peers' last results, $PEERS_SRC/baseline_results.json"
fi
mkdir -p "$WORK" 2>/dev/null && [ -w "$WORK" ] || fail "cannot write $WORK (set PINN_PEERS_DIR)"

OUT="$WORK/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"

if [ "$PEERS" = 1 ]; then
  if [ ! -x "$WORK/venv/bin/python" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --upgrade pip
    "$WORK/venv/bin/pip" install "jax[cpu]" numpy threadpoolctl
    "$WORK/venv/bin/pip" install torch
  fi
  # A private copy of the harness: it writes its results next to itself.
  rm -rf "$OUT/harness"
  cp -r "$PEERS_SRC" "$OUT/harness"
  chmod -R u+w "$OUT/harness"
  echo '[]' > "$OUT/harness/baseline_results.json"
fi
PY="$WORK/venv/bin/python"

cd "$ROOT"
cargo bench --bench cases --no-run
RUSTFLAGS="-C target-cpu=native" cargo bench --bench cases --no-run --target-dir target/native
BENCH=$(ls -t target/release/deps/cases-* | grep -v '\.d$' | head -1)
NATIVE=$(ls -t target/native/release/deps/cases-* | grep -v '\.d$' | head -1)

if [ "$PEERS" = 1 ]; then
  (cd "$OUT/harness" && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" gemm_peak.py --save)
fi
for case in $CASES; do
  for dt in $DTYPES; do
    # A discarded warm-up process first: the first of our processes after the Python peers
    # ran measurably slower (poisson2d f32 2T: 25.4 ms median in the run vs 15.7 ms standalone
    # minutes later, with no foreign CPU load or system time to explain it).
    "$BENCH" --case "$case" --dtype "$dt" --threads 2 --steps 5 > /dev/null 2>&1
    for t in 2 1; do
      "$BENCH" --case "$case" --dtype "$dt" --threads "$t" >> "$OUT/ours.jsonl"
    done
    "$NATIVE" --case "$case" --dtype "$dt" --threads 2 | sed 's/"framework":"pinn"/"framework":"pinn-native"/' >> "$OUT/ours.jsonl"
    if [ "$PEERS" = 1 ]; then
      (
        cd "$OUT/harness"
        "$PY" bench_jax.py --case "$case" --dtype "$dt" --variant hessian --save || true
        case $case in poisson_hd*) "$PY" bench_jax.py --case "$case" --dtype "$dt" --variant fwdrev --save || true;; esac
        "$PY" bench_torch.py --case "$case" --dtype "$dt" --variant eager --save || true
        [ "$case" = wave_wide ] || "$PY" bench_torch.py --case "$case" --dtype "$dt" --variant func --save || true
      )
    fi
  done
done

PEER_JSON="$OUT/harness/baseline_results.json"
[ "$PEERS" = 1 ] || PEER_JSON="$PEERS_SRC/baseline_results.json"
python3 "$ROOT/scripts/perf_report.py" "$OUT/ours.jsonl" "$PEER_JSON" "$ROOT/docs/PERFORMANCE.md" > "$OUT/PERFORMANCE.md"
cp "$OUT/PERFORMANCE.md" "$ROOT/docs/PERFORMANCE.md"
echo "wrote docs/PERFORMANCE.md (raw results in $OUT)"
