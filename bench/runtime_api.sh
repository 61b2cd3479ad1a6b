#!/usr/bin/env bash
# Runtime API workloads (issue 3), side by side in one run, median of RUNS after a warm-up:
#  1. N_LOOKUPS prepared point lookups via SPI in a loop, over a 100k-row table:
#     plcpp (spi::prepare held in a static) vs PL/pgSQL (its cached plan) vs PL/Python (plpy.prepare)
#  2. An SRF of N_ROWS rows, sum(b) FROM f(N_ROWS): plcpp yield, plcpp RETURN QUERY (sql()),
#     PL/pgSQL RETURN NEXT, SQL function (inlined) and SQL function (not inlinable: STRICT+VOLATILE)
# Needs a server with plcpp and plpython3u installable (PGHOST/PGPORT), e.g. scripts/server.sh.
# The full benchmark harness is issue 7.
set -euo pipefail
N_LOOKUPS=${N_LOOKUPS:-100000}
N_ROWS=${N_ROWS:-1000000}
RUNS=${RUNS:-5}
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION IF NOT EXISTS plcpp;
CREATE EXTENSION IF NOT EXISTS plpython3u;
DROP TABLE IF EXISTS bench_kv;
CREATE TABLE bench_kv(k int PRIMARY KEY, v int);
INSERT INTO bench_kv SELECT g, g % 97 FROM generate_series(1, 100000) g;
ANALYZE bench_kv;

CREATE OR REPLACE FUNCTION lookups_plcpp(n int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS $$
  static auto st = spi::prepare<int32_t>("SELECT v FROM bench_kv WHERE k = $1");
  int64_t sum = 0;
  for (int32_t i = 0; i < n; ++i)
    sum += st.query(i % 100000 + 1)[0].get<int32_t>(0);
  return sum;
$$;
CREATE OR REPLACE FUNCTION lookups_plpgsql(n int) RETURNS bigint LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE s bigint := 0; x int;
BEGIN
  FOR i IN 0 .. n - 1 LOOP
    SELECT v INTO x FROM bench_kv WHERE k = i % 100000 + 1;
    s := s + x;
  END LOOP;
  RETURN s;
END $$;
CREATE OR REPLACE FUNCTION lookups_plpython(n int) RETURNS bigint LANGUAGE plpython3u STABLE STRICT AS $$
plan = SD.get('plan')
if plan is None:
    plan = SD['plan'] = plpy.prepare("SELECT v FROM bench_kv WHERE k = $1", ["int"])
s = 0
for i in range(n):
    s += plpy.execute(plan, [i % 100000 + 1])[0]['v']
return s
$$;

CREATE OR REPLACE FUNCTION srf_plcpp(n int) RETURNS TABLE(a int, b int) LANGUAGE plcpp STRICT AS $$
  for (int32_t i = 1; i <= n; ++i) yield(i, i % 7);
$$;
CREATE OR REPLACE FUNCTION srf_plcpp_query(n int) RETURNS TABLE(a int, b int) LANGUAGE plcpp STRICT AS $$
  return sql("SELECT g, g % 7 FROM generate_series(1, $1) g", n);
$$;
CREATE OR REPLACE FUNCTION srf_plpgsql(n int) RETURNS TABLE(a int, b int) LANGUAGE plpgsql STRICT AS $$
BEGIN
  FOR i IN 1 .. n LOOP a := i; b := i % 7; RETURN NEXT; END LOOP;
END $$;
CREATE OR REPLACE FUNCTION srf_sql(n int) RETURNS TABLE(a int, b int) LANGUAGE sql AS $$
  SELECT g, g % 7 FROM generate_series(1, n) g
$$;
CREATE OR REPLACE FUNCTION srf_sql_noinline(n int) RETURNS TABLE(a int, b int) LANGUAGE sql STRICT VOLATILE AS $$
  SELECT g, g % 7 FROM generate_series(1, n) g
$$;
SQL
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }
run() { # $1 = a query
  { echo '\timing on'; for _ in $(seq 0 "$RUNS"); do echo "$1;"; done; } |
    psql -X -q | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -n +2 | median
}
table() { # title, baseline label, rows "label:ms"...
  local title=$1 base=$2; shift 2
  local base_ms=""
  for row in "$@"; do [ "${row%%:*}" = "$base" ] && base_ms=${row##*:}; done
  printf '\n| %s | ms | vs %s |\n|---|---|---|\n' "$title" "$base"
  for row in "$@"; do
    printf '| %s | %s | %.2fx |\n' "${row%%:*}" "${row##*:}" "$(echo "${row##*:} / $base_ms" | bc -l)"
  done
}
cpp=$(run "SELECT lookups_plcpp($N_LOOKUPS)"); pg=$(run "SELECT lookups_plpgsql($N_LOOKUPS)")
py=$(run "SELECT lookups_plpython($N_LOOKUPS)")
table "$N_LOOKUPS prepared lookups (median of $RUNS)" plcpp "plcpp:$cpp" "PL/pgSQL:$pg" "PL/Python:$py"
y=$(run "SELECT sum(b) FROM srf_plcpp($N_ROWS)"); q=$(run "SELECT sum(b) FROM srf_plcpp_query($N_ROWS)")
p=$(run "SELECT sum(b) FROM srf_plpgsql($N_ROWS)"); s=$(run "SELECT sum(b) FROM srf_sql($N_ROWS)")
sn=$(run "SELECT sum(b) FROM srf_sql_noinline($N_ROWS)")
table "SRF of $N_ROWS rows, sum(b) (median of $RUNS)" "SQL (inlined)" "plcpp yield:$y" \
  "plcpp return sql():$q" "PL/pgSQL RETURN NEXT:$p" "SQL (inlined):$s" "SQL (not inlined):$sn"
