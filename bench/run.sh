#!/usr/bin/env bash
# bench/run.sh — plcpp's benchmarks, one command (as root, plcpp already built and installed):
#   bench/run.sh            full run: bench/results/README.md, *.png, results.json (~7 min)
#   bench/run.sh --quick    smoke test of every workload and the plots, tiny sizes, output in a
#                           temporary directory; last line "bench smoke: ok" (~15 s)
#   options: --out DIR (output directory), --only KEY[,KEY] (workloads by file name, e.g. fib),
#            --size KEY=N (a size or run count of bench/lib/modes.py, e.g. cold_runs=30)
# Installs its dependencies (bench/deps.sh), builds and installs the C reference functions
# (bench/c), starts two private servers (plain, and preloaded for the compile, result cache and
# cold start workloads) and stops them at exit. Workloads: bench/workloads/; the driver:
# bench/lib/driver.py. bench/cold_start.sh runs the cold start workload on its own.
set -euo pipefail
SECONDS=0

mode=full out="" only="" sizes=()
while (($#)); do
  case $1 in
    --quick) mode=quick ;;
    --out) out=$(realpath -m "$2"); shift ;;
    --only) only=$2; shift ;;
    --size) sizes+=(--size "$2"); shift ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
cd "$(dirname "$0")/.."
# CI must never dirty the repository: the smoke test writes to a temporary directory.
[ -n "$out" ] || if [ $mode = quick ]; then out=$(mktemp -d /tmp/plcpp-bench.XXXXXX); else out=bench/results; fi

mkdir -p "$out"
bench/deps.sh
# The C reference: only bench/c is built (never the top-level plcpp build, which may be in use),
# and only when a chosen workload calls it (--only cold_start installs nothing).
needs_c=1
if [ -n "$only" ]; then
  needs_c=0
  for key in ${only//,/ }; do
    ! grep -qs plcpp_bench bench/workloads/[0-9]*_"$key".py || needs_c=1
  done
fi
if ((needs_c)); then
  if ! { make -C bench/c && make -C bench/c install; } >"$out/c-build.log" 2>&1; then
    cat "$out/c-build.log"; echo "bench: building bench/c failed" >&2; exit 1
  fi
  rm -f "$out/c-build.log"
fi

# Two private servers; server.sh keeps one in its variables, so each one's are saved here.
source scripts/server.sh
servers=()
stop_servers() {
  local s
  for s in "${servers[@]}"; do
    IFS='|' read -r PLCPP_TMP PGDATA <<<"$s"
    export PLCPP_TMP PGDATA
    server_stop
  done
}
on_exit() {
  local rc=$?
  if [ $rc -ne 0 ]; then # the server's side of a failure
    for s in "${servers[@]}"; do tail -n 15 "${s%%|*}/server.log" 2>/dev/null || true; done
  fi
  stop_servers
  exit $rc
}
trap on_exit EXIT
start() { # name, extra postgresql.conf lines: exports BENCH_<NAME>_HOST/PORT
  local rc=0
  # Run-time workloads measure optimized code from their first timed call: no tiered
  # compilation (70_compile.py turns it on for the first-call timings).
  server_start "jit = off" "plcpp.tiered_compilation = off" "${@:2}" >/dev/null || rc=$?
  servers+=("$PLCPP_TMP|$PGDATA") # also when it failed: its directory is removed at exit
  [ $rc -eq 0 ] || return $rc
  export "BENCH_$1_HOST=$PGHOST" "BENCH_$1_PORT=$PGPORT"
}
start MAIN
start PRELOAD "shared_preload_libraries = 'plcpp'"

/usr/bin/python3 -B bench/lib/driver.py --mode "$mode" --out "$out" --only "$only" "${sizes[@]}"
echo "bench: $mode run took ${SECONDS} s; results in $out"
[ $mode = quick ] && echo "bench smoke: ok"
exit 0
