"""CPU-bound: a tight arithmetic loop, s += (i * i) % 7 for i in 1..n, one call per query.

plcpp is measured twice: as installed (loops check for cancel at their back-edge; the check is
taken out for the loop vectorizer and put back at the latches, jit/interrupt_pass.h) and
compiled with plcpp.interrupt_checks = off (the SET clause applies while the function is
compiled at its first call): the difference is what the checks cost. C has no interrupt checks.
"""
from model import Case, Target, Workload

SETUP = r"""
CREATE OR REPLACE FUNCTION arith_c(n bigint) RETURNS bigint IMMUTABLE STRICT
  LANGUAGE C AS '$libdir/plcpp_bench', 'bench_c_arith';
CREATE OR REPLACE FUNCTION arith_plcpp(n bigint) RETURNS bigint IMMUTABLE STRICT LANGUAGE plcpp AS $$
  int64_t s = 0;
  for (int64_t i = 1; i <= n; ++i) s += (i * i) % 7;
  return s;
$$;
CREATE OR REPLACE FUNCTION arith_plcpp_nochecks(n bigint) RETURNS bigint IMMUTABLE STRICT
  SET plcpp.interrupt_checks = off LANGUAGE plcpp AS $$
  int64_t s = 0;
  for (int64_t i = 1; i <= n; ++i) s += (i * i) % 7;
  return s;
$$;
CREATE OR REPLACE FUNCTION arith_plpgsql(n bigint) RETURNS bigint IMMUTABLE STRICT LANGUAGE plpgsql AS $$
DECLARE s bigint := 0;
BEGIN
  FOR i IN 1 .. n LOOP s := s + (i::bigint * i) % 7; END LOOP;
  RETURN s;
END $$;
CREATE OR REPLACE FUNCTION arith_plpython(n bigint) RETURNS bigint IMMUTABLE STRICT LANGUAGE plpython3u AS $$
s = 0
for i in range(1, n + 1):
    s += (i * i) % 7
return s
$$;
"""

VERIFY = """
SELECT arith_c(1000) = x AND arith_plcpp(1000) = x AND arith_plcpp_nochecks(1000) = x
   AND arith_plpgsql(1000) = x AND arith_plpython(1000) = x
FROM (SELECT sum((g::bigint * g) % 7) AS x FROM generate_series(1, 1000) g) t;
"""


def workload(s):
    n = s.arith_n
    cases = [
        Case("C", f"SELECT arith_c({n})", "C"),
        Case("plcpp", f"SELECT arith_plcpp({n})", "plcpp", ref="C", target=Target(ratio=1.2)),
        Case("plcpp, interrupt_checks off", f"SELECT arith_plcpp_nochecks({n})", "plcpp",
             ref="C"),
        Case("PL/pgSQL", f"SELECT arith_plpgsql({n})", "PL/pgSQL", ref="C"),
        Case("PL/Python", f"SELECT arith_plpython({n})", "PL/Python", ref="C"),
    ]
    return Workload(
        title=f"CPU: arithmetic loop, Σ (i·i) % 7 for i ≤ {n:,}",
        description=f"One call running a {n:,}-iteration loop of 64-bit multiply and modulo.",
        setup=SETUP, verify=VERIFY, cases=cases)
