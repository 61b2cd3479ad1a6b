#!/usr/bin/env bash
# test/server/memo_test.sh — [[plcpp::memoize]] with real concurrent sessions: many sessions
# missing on one new key build its view once and none fails; many keys at once; a REPEATABLE
# READ transaction that cannot see a view committed after its snapshot; a purge while a reader
# holds a view; purging thousands of views in batches where one transaction cannot; pg_dump
# and restore; a hot standby, where a miss answers without writing. Runs against the private server of scripts/server.sh (sourced by the caller,
# server started). Prints "ok N - name" / "not ok N - name" lines (TAP).
set -u
export PGOPTIONS="-c client_min_messages=warning"
source "$(dirname "$0")/../../scripts/server.sh" # as_postgres, free_port, PG_BIN
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "#   $2"; }
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2], got [$3]"; fi
}
q() { "${PSQL[@]}" -d plcpp_memo_test -c "$1" 2>&1; }
out=$PLCPP_TMP/memo_test
mkdir -p "$out"

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS plcpp_memo_test" -c "CREATE DATABASE plcpp_memo_test"
q "CREATE EXTENSION plcpp" >/dev/null
q "CREATE TABLE annotation (id serial PRIMARY KEY, group_id text, user_id int);
   INSERT INTO annotation (group_id, user_id)
     SELECT 'g' || (i % 1000), i % 97 FROM generate_series(1, 100000) i;
   CREATE INDEX ON annotation (group_id); ANALYZE annotation;" >/dev/null
# The query sleeps, so that concurrent first calls really overlap.
q "CREATE FUNCTION slow_panel(_group text) RETURNS TABLE(user_id int, n bigint)
   LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS \$\$
     [[plcpp::memoize]]
     return sql(\"select user_id, count(*) from annotation, pg_sleep(0.5) \"
                \"where group_id = \$1 group by 1\", _group);
   \$\$" >/dev/null
q "CREATE FUNCTION panel(_group text) RETURNS TABLE(user_id int, n bigint)
   LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS \$\$
     [[plcpp::memoize]]
     return sql(\"select user_id, count(*) from annotation where group_id = \$1 group by 1\",
                _group);
   \$\$" >/dev/null

# 1. Eight sessions call with the same new key at once: one build, seven readers, no error.
pids=()
for i in 1 2 3 4 5 6 7 8; do
  (q "SELECT count(*), sum(n) FROM slow_panel('g7')" >"$out/same.$i") & pids+=($!)
done
wait "${pids[@]}"
check "8 concurrent first calls with one key all succeed, same rows" \
  "97|100 97|100 97|100 97|100 97|100 97|100 97|100 97|100" \
  "$(cat "$out"/same.? | tr '\n' ' ' | sed 's/ $//')"
check "8 concurrent first calls: the view is built once, read 7 times" "1|1|7" \
  "$(q "SELECT count(*), sum(builds), sum(hits) FROM plcpp.memo WHERE function LIKE 'public.slow_panel%'")"

# 2. Eight sessions, 40 keys each, overlapping: every key built once, every call answered.
pids=()
for i in 1 2 3 4 5 6 7 8; do
  (for k in $(seq 1 40); do
     q "SELECT count(*) FROM panel('g$(( (k * i) % 60 ))')"
   done >"$out/many.$i") & pids+=($!)
done
wait "${pids[@]}"
check "320 overlapping calls over 60 keys: no error" 320 "$(cat "$out"/many.? | grep -cx 97)"
check "... one view per distinct key, each built once" \
  "$(for i in 1 2 3 4 5 6 7 8; do for k in $(seq 1 40); do echo $(( (k * i) % 60 )); done; done | sort -u | wc -l)|t" \
  "$(q "SELECT count(*), bool_and(builds = 1) FROM plcpp.memo WHERE function LIKE 'public.panel%'")"

# 3. REPEATABLE READ: a view committed after the snapshot is invisible to it; the call answers
# with the query's rows instead of failing or returning nothing.
("${PSQL[@]}" -d plcpp_memo_test >"$out/rr" 2>&1 <<'SQL'
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM annotation;
SELECT pg_sleep(1.5);
SELECT count(*) FROM panel('g500');
COMMIT;
SQL
) &
rr=$!
sleep 0.5
q "SELECT count(*) FROM panel('g500')" >/dev/null
wait $rr
check "REPEATABLE READ reader of a view built after its snapshot gets the rows" "100000||97" \
  "$(tr '\n' '|' <"$out/rr" | sed 's/|$//')"

# 4. A purge while a reader holds the view: the purge waits for the reader's transaction, the
# reader's second call still reads it; afterwards the view is gone.
("${PSQL[@]}" -d plcpp_memo_test >"$out/reader" 2>&1 <<'SQL'
BEGIN;
SELECT count(*) FROM panel('g1');
SELECT pg_sleep(1.5);
SELECT count(*) FROM panel('g1');
COMMIT;
SQL
) &
reader=$!
sleep 0.5
q "CALL plcpp.memo_purge(fn => 'panel(text)', key_like => 'g1')" >"$out/purge1"
wait $reader
check "a purge waits for a reader in a transaction, which reads twice" "97||97" \
  "$(tr '\n' '|' <"$out/reader" | sed 's/|$//')"
check "... and then drops the view" "|0" \
  "$(cat "$out/purge1")|$(q "SELECT count(*) FROM plcpp.memo WHERE key = '{g1}'")"

# 5. 20,000 views (issue 5): more than one transaction can drop with the default
# max_locks_per_transaction; plcpp.memo_purge drops them in batches.
q "CALL plcpp.memo_warm('panel(text)', batch => 500, keys_query =>
   'select ''g'' || i from generate_series(0, 999) i union all select ''x'' || i from generate_series(1, 19000) i')" >/dev/null
views=$(q "SELECT count(*) FROM plcpp.memo WHERE function LIKE 'public.panel%'")
check "20,000 views registered" 20000 "$views"
one_tx=$(q "DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT schema_name, view_name FROM plcpp.memo_registry LOOP
    EXECUTE format('DROP MATERIALIZED VIEW %I.%I', r.schema_name, r.view_name);
  END LOOP; END \$\$" 2>&1 | grep -o 'out of shared memory' | head -1)
check "dropping them all in one transaction runs out of lock memory (the seed's failure)" \
  "out of shared memory" "$one_tx"
q "CALL plcpp.memo_purge(fn => 'panel(text)', batch => 200)" >"$out/purge2"
check "plcpp.memo_purge drops all 20,000 in batches" "0|0" \
  "$(q "SELECT (SELECT count(*) FROM plcpp.memo_registry WHERE function LIKE 'public.panel%'),
              (SELECT count(*) FROM pg_class WHERE relname LIKE 'panel\_\_%')")"

# 6. pg_dump and restore: the registry and the views come back, and are served (a hit, not a
# rebuild).
q "SELECT count(*) FROM panel('g42')" >/dev/null
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS plcpp_memo_restored" -c "CREATE DATABASE plcpp_memo_restored"
if "$PG_BIN/pg_dump" -d plcpp_memo_test | "${PSQL[@]}" -d plcpp_memo_restored >"$out/restore.log" 2>&1; then
  ok "pg_dump | psql restores a database with memo views"
else
  not_ok "pg_dump | psql restores a database with memo views" "$(head -5 "$out/restore.log")"
fi
check "the restored view is served: same rows, no rebuild" "97|100|1|1" \
  "$("${PSQL[@]}" -d plcpp_memo_restored -c "SELECT count(*), sum(n) FROM panel('g42')" -c "SELECT builds, hits FROM plcpp.memo WHERE key = '{g42}'" | tr '\n' '|' | sed 's/|$//')"
check "a new key in the restored database is built" "97|1" \
  "$("${PSQL[@]}" -d plcpp_memo_restored -c "SELECT count(*) FROM panel('g43')" -c "SELECT count(*) FROM plcpp.memo WHERE key = '{g43}'" | tr '\n' '|' | sed 's/|$//')"

# 7. A hot standby (pg_basebackup of this server): hits read the replicated views, a miss
# returns the query's rows without writing anything.
standby=$PLCPP_TMP/standby
sport=$(free_port)
if as_postgres "$PG_BIN/pg_basebackup" -D "$standby" -R -X stream -c fast -h "$PGHOST" -p "$PGPORT" \
     -U postgres >"$out/basebackup.log" 2>&1 &&
   echo "port = $sport" >>"$standby/postgresql.conf" &&
   as_postgres "$PG_BIN/pg_ctl" -D "$standby" -l "$PLCPP_TMP/standby.log" -w -t 60 start >/dev/null; then
  sq() { "${PSQL[@]}" -p "$sport" -d plcpp_memo_test -c "$1" 2>&1; }
  check "standby: in recovery" t "$(sq 'SELECT pg_is_in_recovery()')"
  check "standby: a hit reads the replicated view" 97 "$(sq "SELECT count(*) FROM panel('g42')")"
  check "standby: a miss answers with the query's rows" "97|100" \
    "$(sq "SELECT count(*), sum(n) FROM panel('g777')")"
  check "standby: ... and builds nothing" 0 "$(q "SELECT count(*) FROM plcpp.memo WHERE key = '{g777}'")"
  as_postgres "$PG_BIN/pg_ctl" -D "$standby" -m fast -w stop >/dev/null
else
  not_ok "standby: pg_basebackup and start" "$(tail -5 "$out/basebackup.log" "$PLCPP_TMP/standby.log" 2>/dev/null)"
fi
rm -rf "$standby"

"${PSQL[@]}" -d postgres -c "DROP DATABASE plcpp_memo_restored" -c "DROP DATABASE plcpp_memo_test" >/dev/null
echo "1..$n"
