"""SPI-bound: one call doing n prepared point lookups over a kv_rows-row table.

Each language uses its own way of keeping a prepared plan: C SPI_prepare + SPI_keepplan in a
static, plcpp `static auto stmt = spi::prepare<int32_t>(...)`, PL/pgSQL its cached plan,
PL/Python plpy.prepare kept in SD. All STABLE: the lookups run read-only.
"""
from model import Case, Target, Workload

SETUP = r"""
DROP TABLE IF EXISTS bench_kv;
CREATE TABLE bench_kv(k int PRIMARY KEY, v int NOT NULL);
INSERT INTO bench_kv SELECT g, g % 97 FROM generate_series(1, :kv_rows) g;
VACUUM ANALYZE bench_kv;

CREATE OR REPLACE FUNCTION lookups_c(n int, rows int) RETURNS bigint STABLE STRICT
  LANGUAGE C AS '$libdir/plcpp_bench', 'bench_c_lookups';
CREATE OR REPLACE FUNCTION lookups_plcpp(n int, rows int) RETURNS bigint STABLE STRICT LANGUAGE plcpp AS $$
  static auto stmt = spi::prepare<int32_t>("SELECT v FROM bench_kv WHERE k = $1");
  int64_t sum = 0;
  for (int32_t i = 0; i < n; ++i) sum += stmt.query(i % rows + 1)[0].get<int32_t>(0);
  return sum;
$$;
CREATE OR REPLACE FUNCTION lookups_plpgsql(n int, rows int) RETURNS bigint STABLE STRICT LANGUAGE plpgsql AS $$
DECLARE s bigint := 0; x int;
BEGIN
  FOR i IN 0 .. n - 1 LOOP
    SELECT v INTO x FROM bench_kv WHERE k = i % rows + 1;
    s := s + x;
  END LOOP;
  RETURN s;
END $$;
CREATE OR REPLACE FUNCTION lookups_plpython(n int, rows int) RETURNS bigint STABLE STRICT LANGUAGE plpython3u AS $$
plan = SD.get('plan')
if plan is None:
    plan = SD['plan'] = plpy.prepare("SELECT v FROM bench_kv WHERE k = $1", ["int"])
s = 0
for i in range(n):
    s += plpy.execute(plan, [i % rows + 1])[0]['v']
return s
$$;
"""

VERIFY = """
SELECT lookups_c(500, :kv_rows) = x AND lookups_plcpp(500, :kv_rows) = x
   AND lookups_plpgsql(500, :kv_rows) = x AND lookups_plpython(500, :kv_rows) = x
FROM (SELECT sum(v) AS x FROM bench_kv WHERE k <= 500) t;
"""


def workload(s):
    args = f"{s.lookups}, {s.kv_rows}"
    cases = [
        Case("C", f"SELECT lookups_c({args})", "C"),
        Case("plcpp", f"SELECT lookups_plcpp({args})", "plcpp", ref="C",
             target=Target(ratio=1.1)),
        Case("PL/pgSQL", f"SELECT lookups_plpgsql({args})", "PL/pgSQL", ref="C"),
        Case("PL/Python", f"SELECT lookups_plpython({args})", "PL/Python", ref="C"),
    ]
    return Workload(
        title=f"SPI: {s.lookups:,} prepared point lookups in one call",
        description=f"`SELECT f({s.lookups}, {s.kv_rows})`: a loop of primary-key lookups "
                    f"`SELECT v FROM bench_kv WHERE k = $1` over a {s.kv_rows:,}-row table "
                    "(cached), through a plan prepared once per session.",
        setup=SETUP, verify=VERIFY, cases=cases)
