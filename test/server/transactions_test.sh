#!/usr/bin/env bash
# test/server/transactions_test.sh — spi::commit/rollback under interrupts and concurrency: an
# endless commit loop stopped by statement_timeout, pg_cancel_backend and pg_terminate_backend
# (the session, or the others, go on; what was committed stays), two sessions sharing a job
# queue in committed batches (each job done once), and no crashed backend in the server log.
# Runs against the private server of scripts/server.sh (sourced by the caller, server
# started). Prints TAP lines.
set -u
export PGOPTIONS="-c client_min_messages=warning"
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
DB=plcpp_tx_test
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "#   $2"; }
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2], got [$3]"; fi
}
contains() { # contains NAME TEXT PATTERN
  if echo "$2" | grep -q -- "$3"; then ok "$1"; else not_ok "$1" "no [$3] in [$2]"; fi
}
q() { "${PSQL[@]}" -d $DB -c "$1" 2>&1; }
server_log_start=$(stat -c %s "$PLCPP_TMP/server.log" 2>/dev/null || echo 0)

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
q "CREATE EXTENSION plcpp" >/dev/null
q "CREATE TABLE ticks (session text, at timestamptz DEFAULT clock_timestamp());
   CREATE PROCEDURE tick_forever(who text) LANGUAGE plcpp AS \$\$
     auto ins = spi::prepare<std::string>(\"insert into ticks (session) values (\$1)\");
     for (;;) {
       ins.exec(std::string(*who));
       spi::commit();
     }
   \$\$;" >/dev/null

# 1. statement_timeout stops the loop (57014); the commits before it stay; the session goes on.
out=$("${PSQL[@]}" -d $DB -c "SET statement_timeout = '500ms'" -c "CALL tick_forever('timeout')" \
  -c "SELECT 'alive'" 2>&1)
contains "statement_timeout stops an endless commit loop" "$out" "canceling statement due to statement timeout"
out=$("${PSQL[@]}" -d $DB -v ON_ERROR_STOP=0 -c "SET statement_timeout = '500ms'" \
  -c "CALL tick_forever('timeout2')" -c "SELECT 'alive'" 2>&1)
contains "... and the session goes on" "$out" "^alive$"
check "... and the transactions committed before it stay" t \
  "$(q "SELECT count(*) > 10 FROM ticks WHERE session = 'timeout'")"

# 2. pg_cancel_backend from another session: the same.
"${PSQL[@]}" -d $DB -v ON_ERROR_STOP=0 -c "SET application_name = 'tx_cancel'" \
  -c "CALL tick_forever('cancel')" -c "SELECT 'alive after cancel'" >"$PLCPP_TMP/tx_cancel.out" 2>&1 &
pid=$!
for _ in $(seq 100); do
  [ "$(q "SELECT count(*) FROM ticks WHERE session = 'cancel'")" -gt 20 ] && break
  sleep 0.1
done
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'tx_cancel'" >/dev/null
wait $pid
out=$(cat "$PLCPP_TMP/tx_cancel.out")
contains "pg_cancel_backend stops a commit loop" "$out" "canceling statement due to user request"
contains "... and the session goes on" "$out" "alive after cancel"

# 3. pg_terminate_backend: that session ends, the server and another session go on.
"${PSQL[@]}" -d $DB -c "SET application_name = 'tx_kill'" -c "CALL tick_forever('kill')" \
  >"$PLCPP_TMP/tx_kill.out" 2>&1 &
pid=$!
for _ in $(seq 100); do
  [ "$(q "SELECT count(*) FROM ticks WHERE session = 'kill'")" -gt 20 ] && break
  sleep 0.1
done
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tx_kill'" >/dev/null
wait $pid
contains "pg_terminate_backend ends a session in a commit loop" "$(cat "$PLCPP_TMP/tx_kill.out")" "terminating connection"
check "... and another session goes on" "1" "$(q "SELECT 1")"
before=$(q "SELECT count(*) FROM ticks WHERE session = 'kill'")
sleep 0.3
check "... and the killed loop commits nothing more" "$before" "$(q "SELECT count(*) FROM ticks WHERE session = 'kill'")"

# 4. Two sessions drain one job queue in committed batches (SKIP LOCKED): every job done once.
q "CREATE TABLE jobs (id int PRIMARY KEY, done_by text, times int DEFAULT 0);
   INSERT INTO jobs (id) SELECT g FROM generate_series(1, 2000) g;
   CREATE PROCEDURE drain(who text) LANGUAGE plcpp AS \$\$
     for (;;) {
       auto n = spi::exec(\"update jobs set done_by = \$1, times = times + 1 where id in \"
                          \"(select id from jobs where done_by is null order by id limit 20 \"
                          \"for update skip locked)\", std::string(*who));
       if (n == 0) break;
       spi::commit();
     }
   \$\$;" >/dev/null
"${PSQL[@]}" -d $DB -c "CALL drain('a')" >"$PLCPP_TMP/tx_a.out" 2>&1 &
pa=$!
"${PSQL[@]}" -d $DB -c "CALL drain('b')" >"$PLCPP_TMP/tx_b.out" 2>&1 &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
check "two draining sessions end without error" "0 0" "$ra $rb"
check "... every job is done exactly once" "2000|1|1" "$(q "SELECT count(*), min(times), max(times) FROM jobs")"
echo "# jobs by session: $(q "SELECT string_agg(done_by || '=' || c, ' ') FROM (SELECT done_by, count(*) c FROM jobs GROUP BY 1 ORDER BY 1) s")"

# 5. A DO block in many transactions with a kept statement, while the other session runs DDL
# on the table (the kept plan is re-planned by the plan cache after each commit).
"${PSQL[@]}" -d $DB -c "DO LANGUAGE plcpp \$\$
  auto ins = spi::prepare<int32_t>(\"insert into jobs (id) values (\$1)\");
  for (int i = 0; i < 300; ++i) { ins.exec(100000 + i); spi::commit(); }
\$\$" >"$PLCPP_TMP/tx_do.out" 2>&1 &
pd=$!
for i in $(seq 5); do q "ALTER TABLE jobs ADD COLUMN extra$i int" >/dev/null; sleep 0.05; done
wait $pd; rd=$?
check "a DO block commits 300 times while the table changes under its kept plan" "0|300" \
  "$rd|$(q "SELECT count(*) FROM jobs WHERE id >= 100000")"
[ "$rd" = 0 ] || echo "#   $(cat "$PLCPP_TMP/tx_do.out")"

crashes=$(tail -c +"$((server_log_start + 1))" "$PLCPP_TMP/server.log" 2>/dev/null |
  grep -E 'terminated by signal|PANIC|TRAP:|was terminated' | head -3)
check "the server log shows no crashed backend" "" "$crashes"

"${PSQL[@]}" -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
echo "1..$n"
