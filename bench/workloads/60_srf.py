"""Set-returning: SELECT sum(b) FROM f(n), f returning n rows (i, i % 7).

plcpp with `yield` and with `return sql(...)` (RETURN QUERY), PL/pgSQL RETURN NEXT and RETURN
QUERY, PL/Python (a generator), C (materialize mode), and SQL twice: STABLE, which the planner
inlines into the query (the reference: the set is never materialized), and VOLATILE, which it
does not (verified with EXPLAIN).
"""
from model import Case, Target, Workload

SETUP = r"""
CREATE OR REPLACE FUNCTION srf_c(n int) RETURNS TABLE(a int, b int) STRICT
  LANGUAGE C AS '$libdir/plcpp_bench', 'bench_c_srf';
CREATE OR REPLACE FUNCTION srf_plcpp_yield(n int) RETURNS TABLE(a int, b int) STRICT LANGUAGE plcpp AS $$
  for (int32_t i = 1; i <= n; ++i) yield(i, i % 7);
$$;
CREATE OR REPLACE FUNCTION srf_plcpp_sql(n int) RETURNS TABLE(a int, b int) STRICT LANGUAGE plcpp AS $$
  return sql("SELECT g, g % 7 FROM generate_series(1, $1) g", n);
$$;
CREATE OR REPLACE FUNCTION srf_plpgsql_next(n int) RETURNS TABLE(a int, b int) STRICT LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1 .. n LOOP a := i; b := i % 7; RETURN NEXT; END LOOP;
END $$;
CREATE OR REPLACE FUNCTION srf_plpgsql_query(n int) RETURNS TABLE(a int, b int) STRICT LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY SELECT g, g % 7 FROM generate_series(1, n) g;
END $$;
CREATE OR REPLACE FUNCTION srf_plpython(n int) RETURNS TABLE(a int, b int) STRICT LANGUAGE plpython3u AS $$
for i in range(1, n + 1):
    yield (i, i % 7)
$$;
CREATE OR REPLACE FUNCTION srf_sql_inline(n int) RETURNS TABLE(a int, b int) STABLE LANGUAGE sql AS $$
  SELECT g, g % 7 FROM generate_series(1, n) g
$$;
CREATE OR REPLACE FUNCTION srf_sql_noinline(n int) RETURNS TABLE(a int, b int) VOLATILE LANGUAGE sql AS $$
  SELECT g, g % 7 FROM generate_series(1, n) g
$$;
"""

FUNCTIONS = [  # label, function, plot colour
    ("C (materialize)", "srf_c", "C"),
    ("plcpp yield", "srf_plcpp_yield", "plcpp"),
    ("plcpp return sql()", "srf_plcpp_sql", "plcpp"),
    ("PL/pgSQL RETURN NEXT", "srf_plpgsql_next", "PL/pgSQL"),
    ("PL/pgSQL RETURN QUERY", "srf_plpgsql_query", "PL/pgSQL"),
    ("PL/Python generator", "srf_plpython", "PL/Python"),
    ("SQL (inlined)", "srf_sql_inline", "SQL"),
    ("SQL (not inlined)", "srf_sql_noinline", "SQL"),
]

VERIFY = "\n".join(
    [f"SELECT (SELECT sum(a::bigint * 10 + b) FROM {f}(1000)) = "
     "(SELECT sum(g::bigint * 10 + g % 7) FROM generate_series(1, 1000) g);"
     for _, f, _ in FUNCTIONS] +
    ["SELECT NOT bench_plan_mentions('SELECT sum(b) FROM srf_sql_inline(10)', 'srf_sql_inline');",
     "SELECT bench_plan_mentions('SELECT sum(b) FROM srf_sql_noinline(10)', 'srf_sql_noinline');"])


def workload(s):
    cases = [Case(label, f"SELECT sum(b) FROM {f}({s.srf_rows})", lang,
                  ref=None if label == "SQL (inlined)" else "SQL (inlined)",
                  target=Target(ratio=1.3) if lang == "plcpp" else None)
             for label, f, lang in FUNCTIONS]
    return Workload(
        title=f"Set-returning: sum(b) FROM f({s.srf_rows:,})",
        description=f"A function returning {s.srf_rows:,} rows `(a, b)` consumed by "
                    "`sum(b)`. Every one but the inlined SQL function goes through a "
                    "tuplestore, which spills to disk past work_mem (4 MB by default).",
        setup=SETUP, verify=VERIFY, cases=cases)
