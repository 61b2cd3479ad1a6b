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
    ),
    "quick": dict(
        runs=3, compile_runs=2, calls=1000, fib_n=15, arith_n=10_000, str_calls=1000,
        lookups=1000, kv_rows=1000, srf_rows=1000, memo_rows=5000,
    ),
}


def sizes(mode: str) -> SimpleNamespace:
    return SimpleNamespace(mode=mode, quick=(mode == "quick"), **MODES[mode])
