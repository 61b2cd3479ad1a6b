"""Sizes and run counts of each mode; every workload takes its sizes from here, nothing else.

full: the DESIGN §6 sizes (bench/results/). quick: a smoke test of every workload and the
plot step in well under two minutes (a temporary output directory).
"""
from types import SimpleNamespace

MODES = {
    "full": dict(
        runs=7,                # timed runs per case (after one warm-up run), median reported
        compile_runs=5,        # cold/warm first calls per body and server
        calls=1_000_000,       # call overhead: rows of generate_series
        fib_n=27,              # recursive fib(n)
        arith_n=10_000_000,    # iterations of the arithmetic loop
        str_calls=200_000,     # calls of the string function
        lookups=100_000,       # prepared point lookups in one call
        kv_rows=100_000,       # rows of the looked-up table
        srf_rows=1_000_000,    # rows returned by the set-returning functions
        memo_rows=400_000,     # annotations of the memoized dashboard panel (1,000 groups)
        rc_calls=1_000_000,    # result cache: calls per query (hits over 100 keys, floor, twin)
        rc_keys=50_000,        # ... distinct keys of the all-miss query (rows of its table)
        rc_updates=50_000,     # ... single-row UPDATE transactions per CALL (write overhead)
        rc_tps_seconds=5,      # ... pgbench -T per throughput run (0: -t rc_tps_xacts)
        rc_tps_xacts=0,        # ... pgbench -t (transactions per client) when -T is 0
        rc_tps_runs=3,         # ... pgbench runs per configuration (interleaved), median
        rc_tps_batch=10_000,   # ... calls per statement of the CPU-bound throughput runs
        cold_runs=15,          # cold start: new sessions per case (bench/cold_start.sh -n)
        cold_fns=200,          # ... distinct cached functions called in one backend (memory)
    ),
    "quick": dict(
        runs=3, compile_runs=2, calls=1000, fib_n=15, arith_n=10_000, str_calls=1000,
        lookups=1000, kv_rows=1000, srf_rows=1000, memo_rows=5000,
        rc_calls=1000, rc_keys=200, rc_updates=100, rc_tps_seconds=0, rc_tps_xacts=20,
        rc_tps_runs=1, rc_tps_batch=100, cold_runs=2, cold_fns=10,
    ),
}


def sizes(mode: str, overrides=()) -> SimpleNamespace:
    """The mode's sizes, with `overrides` ("key=N", from bench/run.sh --size) applied."""
    values = dict(MODES[mode])
    for item in overrides:
        key, _, n = item.partition("=")
        if key not in values or not n.isdigit() or int(n) < 1:
            raise ValueError(f"--size {item}: expected KEY=N, N >= 1, KEY one of "
                             f"{', '.join(sorted(values))}")
        values[key] = int(n)
    return SimpleNamespace(mode=mode, quick=(mode == "quick"), **values)
