"""CPU-bound: recursive fib(n), one call per query.

Each language recurses the way a user of it would: C and plcpp in native code (plcpp through
a recursive lambda: a body cannot name itself), PL/Python through a nested def, PL/pgSQL and
SQL by calling themselves through SQL. IMMUTABLE with a constant argument: evaluated once,
at plan time, which \\timing includes.
"""
from model import Case, Target, Workload

SETUP = r"""
CREATE OR REPLACE FUNCTION fib_c(n int) RETURNS int IMMUTABLE STRICT
  LANGUAGE C AS '$libdir/plcpp_bench', 'bench_c_fib';
CREATE OR REPLACE FUNCTION fib_plcpp(n int) RETURNS int IMMUTABLE STRICT LANGUAGE plcpp AS $$
  auto fib = [](auto &self, int32_t k) -> int32_t { return k < 2 ? k : self(self, k - 1) + self(self, k - 2); };
  return fib(fib, n);
$$;
CREATE OR REPLACE FUNCTION fib_plpgsql(n int) RETURNS int IMMUTABLE STRICT LANGUAGE plpgsql AS $$
BEGIN
  IF n < 2 THEN RETURN n; END IF;
  RETURN fib_plpgsql(n - 1) + fib_plpgsql(n - 2);
END $$;
CREATE OR REPLACE FUNCTION fib_plpython(n int) RETURNS int IMMUTABLE STRICT LANGUAGE plpython3u AS $$
def fib(k):
    return k if k < 2 else fib(k - 1) + fib(k - 2)
return fib(n)
$$;
-- A recursive SQL function must exist before its body can refer to it.
CREATE OR REPLACE FUNCTION fib_sql(n int) RETURNS int IMMUTABLE STRICT LANGUAGE sql AS 'SELECT 0';
CREATE OR REPLACE FUNCTION fib_sql(n int) RETURNS int IMMUTABLE STRICT LANGUAGE sql AS $$
  SELECT CASE WHEN n < 2 THEN n ELSE fib_sql(n - 1) + fib_sql(n - 2) END
$$;
"""

VERIFY = """
SELECT fib_c(20) = 6765 AND fib_plcpp(20) = 6765 AND fib_plpgsql(20) = 6765
   AND fib_plpython(20) = 6765 AND fib_sql(12) = 144;
"""


def workload(s):
    n = s.fib_n
    cases = [
        # What psql's \\timing adds to every number here (parse, plan, round trip).
        Case("round trip: SELECT 1", "SELECT 1", "baseline", check=False),
        Case("C", f"SELECT fib_c({n})", "C"),
        Case("plcpp", f"SELECT fib_plcpp({n})", "plcpp", ref="C", target=Target(ratio=1.5)),
        Case("PL/pgSQL", f"SELECT fib_plpgsql({n})", "PL/pgSQL", ref="C"),
        Case("PL/Python", f"SELECT fib_plpython({n})", "PL/Python", ref="C"),
        Case("SQL", f"SELECT fib_sql({n})", "SQL", ref="C"),
    ]
    return Workload(
        title=f"CPU: recursive fib({n})",
        description=f"`SELECT fib({n})`, naive double recursion. Native code (C, plcpp) is "
                    "where the optimizer shines; the ratio vs C is dominated by how much "
                    "recursion each compiler removes.",
        setup=SETUP, verify=VERIFY, cases=cases)
