#!/usr/bin/env bash
# Call overhead, seed 003: count(f(s.id)) over generate_series(1, N), f = identity-ish add_one,
# in plcpp, PL/pgSQL, SQL and C (int4pl, the built-in C function behind +), side by side.
# Prints the median of RUNS runs after a warm-up. Needs a server with plcpp installed
# (PGHOST/PGPORT), e.g. from scripts/server.sh. The full benchmark harness is issue 7.
set -euo pipefail
N=${N:-1000000}
RUNS=${RUNS:-7}
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION IF NOT EXISTS plcpp;
CREATE OR REPLACE FUNCTION bench_plcpp(x int) RETURNS int LANGUAGE plcpp IMMUTABLE STRICT AS $$ return x + 1; $$;
CREATE OR REPLACE FUNCTION bench_plpgsql(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE STRICT AS $$ BEGIN RETURN x + 1; END $$;
CREATE OR REPLACE FUNCTION bench_sql(x int) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT x + 1 $$;
SQL
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }
run() { # $1 = expression in s.id
  local sql="SELECT count($1) FROM generate_series(1, $N) s(id)"
  { echo '\timing on'; for _ in $(seq 0 "$RUNS"); do echo "$sql;"; done; } |
    psql -X -q | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -n +2 | median
}
base=$(run "s.id"); c=$(run "int4pl(s.id, 1)"); cpp=$(run "bench_plcpp(s.id)")
pg=$(run "bench_plpgsql(s.id)"); sq=$(run "bench_sql(s.id)")
printf '| workload (N=%s, median of %s, ms) | time | vs C |\n|---|---|---|\n' "$N" "$RUNS"
for row in "bare scan:$base" "C (int4pl):$c" "plcpp:$cpp" "PL/pgSQL:$pg" "SQL (inlined):$sq"; do
  printf '| %s | %s | %.2fx |\n' "${row%%:*}" "${row##*:}" "$(echo "${row##*:} / $c" | bc -l)"
done
