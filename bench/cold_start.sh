#!/usr/bin/env bash
# bench/cold_start.sh — cold start and backend memory of cached plcpp functions (issue 20), on
# its own: the cold_start workload (bench/workloads/95_cold_start.py) of bench/run.sh, against
# the plcpp installed in the PostgreSQL whose pg_config is first on PATH, on two private
# servers (scripts/server.sh: without and with shared_preload_libraries = 'plcpp'), stopped at
# exit. Run as root (the servers run as postgres; reading a backend's smaps_rollup needs root
# or the server's user). About 1 to 2 minutes with the defaults.
#   bench/cold_start.sh [-n N] [--fns M] [--out DIR]
#     -n N      new sessions per case, medians reported (default 15)
#     --fns M   distinct cached functions called in one backend for the memory growth (200)
#     --out DIR report (README.md, cold_start.png, results.json); default bench/results/cold_start
# Prints the workload's Markdown table at the end. The same workload runs in a full
# bench/run.sh, and alone with bench/run.sh --only cold_start [--size cold_runs=N].
set -euo pipefail

runs=15 fns=200 out=""
while (($#)); do
  case $1 in
    -n) runs=$2; shift ;;
    --fns) fns=$2; shift ;;
    --out) out=$(realpath -m "$2"); shift ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "bench/cold_start.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
cd "$(dirname "$0")/.."
# Its own directory: a run of this workload alone never overwrites the full report.
[ -n "$out" ] || out=$PWD/bench/results/cold_start

bench/run.sh --only cold_start --size "cold_runs=$runs" --size "cold_fns=$fns" --out "$out"
echo
# The workload's section of the report: from its heading to its plot.
awk '/^## Cold start/ { on = 1 } on && /^!\[/ { exit } on' "$out/README.md"
