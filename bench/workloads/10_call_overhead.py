"""Call overhead (seed 003): an identity function called once per row, in three volatilities.

count(f(s.id)) over generate_series(1, N): the aggregate keeps the result to one row, the
bare count(s.id) is the cost of the scan itself. Functions are STRICT (plcpp then receives a
plain int32_t, C needs no NULL check); the SQL ones are inlined by the planner (verified).
"""
from model import Case, Target, Workload

VOLATILITIES = ("VOLATILE", "STABLE", "IMMUTABLE")
LANGS = [  # label, function name prefix, CREATE FUNCTION tail
    ("C", "id_c", "LANGUAGE C AS '$libdir/plcpp_bench', 'bench_c_identity'"),
    ("plcpp", "id_plcpp", "LANGUAGE plcpp AS $$ return x; $$"),
    ("PL/pgSQL", "id_plpgsql", "LANGUAGE plpgsql AS $$ BEGIN RETURN x; END $$"),
    ("PL/Python", "id_plpython", "LANGUAGE plpython3u AS $$\nreturn x\n$$"),
    ("SQL", "id_sql", "LANGUAGE sql AS $$ SELECT x $$"),
]


def fn(prefix, vol):
    return f"{prefix}_{vol[0].lower()}"  # id_c_v, id_c_s, id_c_i


def workload(s):
    setup = "\n".join(
        f"CREATE OR REPLACE FUNCTION {fn(p, v)}(x int) RETURNS int {v} STRICT {tail};"
        for _, p, tail in LANGS for v in VOLATILITIES)
    verify = "\n".join(
        # every identity returns its argument; the SQL ones are inlined (no call in the plan)
        [f"SELECT sum({fn(p, v)}(g)) = sum(g) FROM generate_series(1, 1000) g;"
         for _, p, _ in LANGS for v in VOLATILITIES] +
        [f"SELECT NOT bench_plan_mentions('SELECT count({fn('id_sql', v)}(s.id)) FROM "
         f"generate_series(1, 10) s(id)', '{fn('id_sql', v)}');" for v in VOLATILITIES])
    series = f"generate_series(1, {s.calls}) s(id)"
    cases = [Case("bare scan: count(s.id)", f"SELECT count(s.id) FROM {series}", "baseline")]
    for v in VOLATILITIES:
        for label, p, _ in LANGS:
            name = "SQL (inlined)" if label == "SQL" else label
            cases.append(Case(
                f"{name}, {v}", f"SELECT count({fn(p, v)}(s.id)) FROM {series}", label,
                ref=None if label == "C" else f"C, {v}",
                target=Target(ratio=1.2) if label == "plcpp" else None))
    return Workload(
        title="Call overhead: count(f(s.id)) over generate_series",
        description=f"An identity function `f(x int) RETURNS int STRICT` called {s.calls:,} "
                    "times per query, declared VOLATILE, STABLE and IMMUTABLE (the arguments "
                    "are not constants, so IMMUTABLE folds nothing). Ratios are against the C "
                    "function of the same volatility; the bare scan is what the query costs "
                    "without any call.",
        setup=setup, verify=verify, cases=cases)
