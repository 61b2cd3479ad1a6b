#!/usr/bin/env bash
# test/server/result_cache_test.sh — [[plcpp::result_cache]] (issue 6) with real concurrent
# sessions. Deterministic checks first, one TAP line each: hits across sessions, invalidation by
# every kind of committed change in another session (UPDATE, INSERT, DELETE, MERGE, COPY FROM,
# TRUNCATE, TRUNCATE + re-fill, ALTER ... TYPE, DROP + re-create, partitions both ways, DETACH
# and ATTACH, tables named by relies_on, tables read by a nested cached call), a rolled-back
# change, a session's own uncommitted write, REPEATABLE READ snapshots older than the cached
# entry, SERIALIZABLE, the plcpp.result_cache GUC (off, bypass), plcpp.result_cache_flush, eight
# concurrent first calls computing once, and a second server without shared_preload_libraries.
# Then a stress run of RESULT_CACHE_STRESS_SECONDS (default 10; the full run is 60): writers
# committing and rolling back changes to the dependencies (a plain table, a partitioned table
# through its parent and directly, TRUNCATE + re-fill, COPY FROM STDIN, MERGE) while readers
# compare every cached answer with the same query run uncached in the same snapshot (READ
# COMMITTED: one statement; REPEATABLE READ: several statements of one transaction over time;
# writers: inside their own transaction, after their write). It prints "# stale answers: N"
# and checks N = 0, and that the cache was used (hits in plcpp.result_cache_stats).
# Runs against the private server of scripts/server.sh (sourced by the caller, server started
# with shared_preload_libraries = 'plcpp'). Prints "ok N - name" / "not ok N - name" (TAP).
set -u
export PGOPTIONS="-c client_min_messages=warning"
source "$(dirname "$0")/../../scripts/server.sh" # server_start/server_stop for the second server
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
DB=plcpp_rc_test
STRESS_SECONDS=${RESULT_CACHE_STRESS_SECONDS:-10}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "#   $2"; }
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2], got [$3]"; fi
}
q() { "${PSQL[@]}" -d "$DB" -c "$1" 2>&1; }
out=$PLCPP_TMP/result_cache_test
rm -rf "$out" && mkdir -p "$out"
started=$EPOCHSECONDS
server_log_start=$(stat -c %s "$PLCPP_TMP/server.log" 2>/dev/null || echo 0)

# Background jobs of this script still running on exit (stress loops, held sessions, the
# second server's subshell): stopped by id, with the psql each one may be running.
cleanup() {
  local pid
  for pid in $(jobs -p); do
    pkill -P "$pid" 2>/dev/null
    kill "$pid" 2>/dev/null
  done
  wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The uncached answers, as SQL expressions of a key expression.
u_acct() { echo "(SELECT coalesce(sum(a.v), 0)::bigint FROM acct a WHERE a.k = $1)"; }
u_pacct() { echo "(SELECT coalesce(sum(p.v), 0)::bigint FROM pacct p WHERE p.k = $1)"; }
u_p1() { echo "(SELECT coalesce(sum(p.v), 0)::bigint FROM pacct_p1 p WHERE p.k = $1)"; }
u_both() { echo "($(u_acct "$1") + $(u_pacct "$1"))"; }

# stats FN -> "entries|hits|misses|invalidations" of FN (a regprocedure), 0 when it has no row.
stats() {
  q "SELECT coalesce(sum(entries), 0), coalesce(sum(hits), 0), coalesce(sum(misses), 0),
            coalesce(sum(invalidations), 0)
     FROM plcpp.result_cache_stats WHERE function = '$1'::regprocedure"
}
stat1() { # stat1 FN COLUMN
  q "SELECT coalesce(sum($2), 0) FROM plcpp.result_cache_stats WHERE function = '$1'::regprocedure"
}

# A session that stays open (to hold a transaction), fed through a FIFO: sess_open NAME, then
# sess NAME SQL prints SQL's output once it has run; sess_close NAME. Errors do not end it.
sess_open() {
  local fd
  mkfifo "$out/$1.in"
  psql -X -q -At -d "$DB" <"$out/$1.in" >"$out/$1.out" 2>&1 &
  exec {fd}>"$out/$1.in"
  printf -v "fd_$1" %s "$fd"
}
sess() {
  local fdv=fd_$1 f=$out/$1.out sql=${2%;}\; mark start i
  mark="@@done $(date +%s%N)@@"
  start=$(wc -l <"$f")
  printf '%s\n\\echo %s\n' "$sql" "$mark" >&"${!fdv}"
  for ((i = 0; i < 600; i++)); do
    grep -qxF "$mark" "$f" && break
    sleep 0.05
  done
  tail -n +"$((start + 1))" "$f" | grep -vxF "$mark"
}
sess_close() {
  local fdv=fd_$1 fd
  fd=${!fdv}
  printf '\\q\n' >&"$fd"
  exec {fd}>&-
}

# invalidates NAME CALL UNCACHED CHANGE: CALL is cached (called twice), CHANGE (a psql script)
# commits in another session, then CALL must give the new answer of UNCACHED, which changed.
invalidates() {
  local name=$1 call=$2 want_sql=$3 change=$4 before cached want got
  q "SELECT $call" >/dev/null
  cached=$(q "SELECT $call")
  before=$(q "SELECT $want_sql")
  if [ "$cached" != "$before" ]; then
    not_ok "$name" "stale before the change: $call = [$cached], uncached = [$before]"
    return
  fi
  if ! printf '%s\n' "$change" | "${PSQL[@]}" -d "$DB" >"$out/change.log" 2>&1; then
    not_ok "$name" "the change failed: $(head -3 "$out/change.log" | tr '\n' ' ')"
    return
  fi
  want=$(q "SELECT $want_sql")
  got=$(q "SELECT $call")
  if [ "$got" = "$want" ] && [ "$want" != "$before" ]; then
    ok "$name"
  else
    not_ok "$name" "before: [$before]; after the change: $call = [$got], uncached = [$want]"
  fi
}

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
q "CREATE EXTENSION plcpp" >/dev/null
# Keys 1..16; pacct_p1 holds keys below 9, pacct_p2 the others.
fill_acct="INSERT INTO acct (k, v) SELECT k, k * 10 + i FROM generate_series(1, 16) k, generate_series(1, 5) i;"
fill_pacct="INSERT INTO pacct (k, v) SELECT k, k * 100 + i FROM generate_series(1, 16) k, generate_series(1, 5) i;"
create_acct="CREATE TABLE acct (id bigserial PRIMARY KEY, k int NOT NULL, v int NOT NULL);
  CREATE INDEX ON acct (k);"
q "$create_acct $fill_acct
   CREATE TABLE pacct (id bigserial, k int NOT NULL, v bigint NOT NULL) PARTITION BY RANGE (k);
   CREATE TABLE pacct_p1 PARTITION OF pacct FOR VALUES FROM (MINVALUE) TO (9);
   CREATE TABLE pacct_p2 PARTITION OF pacct FOR VALUES FROM (9) TO (MAXVALUE);
   CREATE INDEX ON pacct (k);
   $fill_pacct
   CREATE TABLE flag (x int); INSERT INTO flag VALUES (0);
   CREATE TABLE flag2 (x int); INSERT INTO flag2 VALUES (0);" >/dev/null

def_sum() { # def_sum NAME TABLE
  echo "CREATE FUNCTION $1(k int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS \$\$
  [[plcpp::result_cache]]
  return spi::query_one<int64_t>(\"select coalesce(sum(v), 0)::bigint from $2 where k = \$1\", k).value();
\$\$;"
}
functions=(
  "$(def_sum acct_total acct)"
  "$(def_sum pacct_total pacct)"
  "$(def_sum p1_total pacct_p1)"
  "CREATE FUNCTION both_total(k int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS \$\$
  [[plcpp::result_cache]]
  return spi::query_one<int64_t>(\"select acct_total(\$1) + pacct_total(\$1)\", k).value();
\$\$;"
  "CREATE FUNCTION slow_total(k int, ms int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS \$\$
  [[plcpp::result_cache]]
  int64_t s = spi::query_one<int64_t>(\"select coalesce(sum(v), 0)::bigint from acct where k = \$1\", k).value();
  spi::query(\"select pg_sleep(\$1 / 1000.0)\", ms); // widens the window between snapshot and publication
  return s;
\$\$;"
  "CREATE FUNCTION raced_total(k int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS \$\$
  [[plcpp::result_cache]]
  notice(\"raced_total computes \", k);
  spi::query(\"select pg_sleep(1)\");
  return spi::query_one<int64_t>(\"select coalesce(sum(v), 0)::bigint from acct where k = \$1\", k).value();
\$\$;"
  "CREATE FUNCTION flagged(k int) RETURNS bigint LANGUAGE plcpp IMMUTABLE STRICT AS \$\$
  [[plcpp::result_cache(relies_on = \"flag, public.flag2\")]]
  return int64_t(k) * 2;
\$\$;"
)
# Created in parallel sessions: CREATE FUNCTION compiles.
pids=()
for i in "${!functions[@]}"; do
  (q "${functions[$i]}" >"$out/create.$i") & pids+=($!)
done
wait "${pids[@]}"
created=$(cat "$out"/create.*)
if [ -z "$created" ]; then ok "7 functions with [[plcpp::result_cache]] created"
else not_ok "7 functions with [[plcpp::result_cache]] created" "$(echo "$created" | head -5 | tr '\n' ' ')"; fi
q "SELECT plcpp.result_cache_flush()" >/dev/null # a private server, but other drivers may have run
echo "# setup: $((EPOCHSECONDS - started)) s"

check "the server preloads plcpp" t "$(q "SELECT 'plcpp' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ','))")"
check "plcpp.result_cache_stats has the documented columns" \
  "function:regprocedure entries:bigint bytes:bigint hits:bigint misses:bigint invalidations:bigint evictions:bigint" \
  "$(q "SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ' ' ORDER BY attnum)
        FROM pg_attribute WHERE attrelid = 'plcpp.result_cache_stats'::regclass AND attnum > 0 AND NOT attisdropped")"

# The second server, without shared_preload_libraries: started now in the background (it
# compiles a function), its result collected before the stress run.
(
  unset PLCPP_TMP # server_stop on exit must never stop the main server
  trap server_stop EXIT
  trap 'exit 1' TERM INT
  server_start >"$out/np.start" 2>&1 || exit 1
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" &&
    "${PSQL[@]}" -d "$DB" -c "CREATE EXTENSION plcpp" -c "$create_acct $fill_acct" -c "$(def_sum acct_total acct)" ||
    exit 1
  "${PSQL[@]}" -d "$DB" -c "SELECT acct_total(3)" -c "SELECT acct_total(3)" -c "SELECT $(u_acct 3)" >"$out/np.calls" 2>&1
) >"$out/np.log" 2>&1 &
np_pid=$!

# 1. Across sessions: the first call computes, the second session is served its result.
e=$(q "SELECT $(u_acct 3)")
a=$(q "SELECT acct_total(3)")
b=$(q "SELECT acct_total(3)")
check "a second session is served the first one's result (1 entry, 1 hit, 1 miss)" \
  "$e|$e|1|1|1" "$a|$b|$(stats 'acct_total(integer)' | cut -d'|' -f1-3)"
check "entries have a size (bytes > 0)" t \
  "$(q "SELECT bytes > 0 FROM plcpp.result_cache_stats WHERE function = 'acct_total(integer)'::regprocedure")"

# 2. Committed changes in another session: the next call has the new answer.
inv0=$(stat1 'acct_total(integer)' invalidations)
invalidates "a committed UPDATE in another session is seen by the next call" \
  "acct_total(3)" "$(u_acct 3)" "UPDATE acct SET v = v + 5 WHERE k = 3;"
check "... and counted as an invalidation" t "$(q "SELECT $(stat1 'acct_total(integer)' invalidations) > $inv0")"
invalidates "INSERT invalidates" "acct_total(4)" "$(u_acct 4)" "INSERT INTO acct (k, v) VALUES (4, 1000);"
invalidates "DELETE invalidates" "acct_total(5)" "$(u_acct 5)" \
  "DELETE FROM acct WHERE id = (SELECT min(id) FROM acct WHERE k = 5);"
invalidates "MERGE invalidates" "acct_total(6)" "$(u_acct 6)" \
  "MERGE INTO acct a USING (VALUES (6, 3)) s(k, d) ON a.k = s.k
     WHEN MATCHED THEN UPDATE SET v = a.v + s.d WHEN NOT MATCHED THEN INSERT (k, v) VALUES (s.k, s.d);"
invalidates "COPY FROM STDIN invalidates" "acct_total(7)" "$(u_acct 7)" \
  "$(printf 'COPY acct (k, v) FROM STDIN;\n7\t100\n7\t200\n\\.')"
invalidates "an UPDATE inside an explicit transaction invalidates at COMMIT" "acct_total(8)" "$(u_acct 8)" \
  "BEGIN; UPDATE acct SET v = v + 1 WHERE k = 8; SELECT pg_sleep(0.1); COMMIT;"
invalidates "TRUNCATE invalidates" "acct_total(9)" "$(u_acct 9)" "TRUNCATE acct;"
invalidates "INSERT into the empty table invalidates" "acct_total(9)" "$(u_acct 9)" "$fill_acct"
invalidates "TRUNCATE + re-fill in one transaction invalidates" "acct_total(10)" "$(u_acct 10)" \
  "BEGIN; TRUNCATE acct;
   INSERT INTO acct (k, v) SELECT k, k * 10 + i + 1 FROM generate_series(1, 16) k, generate_series(1, 5) i;
   COMMIT;"
invalidates "ALTER TABLE ... ALTER COLUMN TYPE ... USING invalidates" "acct_total(11)" "$(u_acct 11)" \
  "ALTER TABLE acct ALTER COLUMN v TYPE bigint USING v * 2;"
invalidates "DROP TABLE and re-create invalidates" "acct_total(12)" "$(u_acct 12)" \
  "DROP TABLE acct; $create_acct
   INSERT INTO acct (k, v) SELECT k, k * 1000 + i FROM generate_series(1, 16) k, generate_series(1, 5) i;"

# 3. Partitions: a write to a partition invalidates readers of the parent and vice versa.
invalidates "INSERT into a partition invalidates a reader of the parent" \
  "pacct_total(3)" "$(u_pacct 3)" "INSERT INTO pacct_p1 (k, v) VALUES (3, 11);"
invalidates "UPDATE through the parent invalidates a reader of the partition" \
  "p1_total(3)" "$(u_p1 3)" "UPDATE pacct SET v = v + 1 WHERE k = 3;"
invalidates "UPDATE moving rows to another partition invalidates a reader of the source partition" \
  "p1_total(4)" "$(u_p1 4)" "UPDATE pacct SET k = 12 WHERE id = (SELECT min(id) FROM pacct WHERE k = 4);"
invalidates "DETACH PARTITION invalidates a reader of the parent" \
  "pacct_total(12)" "$(u_pacct 12)" "ALTER TABLE pacct DETACH PARTITION pacct_p2;"
invalidates "ATTACH PARTITION invalidates a reader of the parent" \
  "pacct_total(16)" "$(u_pacct 16)" "ALTER TABLE pacct ATTACH PARTITION pacct_p2 FOR VALUES FROM (9) TO (MAXVALUE);"
invalidates "TRUNCATE of a partition + re-fill invalidates a reader of the parent" \
  "pacct_total(13)" "$(u_pacct 13)" \
  "BEGIN; TRUNCATE pacct_p2;
   INSERT INTO pacct_p2 (k, v) SELECT k, k * 100 + i + 1 FROM generate_series(9, 16) k, generate_series(1, 5) i;
   COMMIT;"
invalidates "TRUNCATE of the parent invalidates a reader of a partition" \
  "p1_total(5)" "$(u_p1 5)" "TRUNCATE pacct;"
invalidates "INSERT through the parent invalidates a reader of a partition" \
  "p1_total(5)" "$(u_p1 5)" "$fill_pacct"

# 4. Nested: both_total calls acct_total and pacct_total, which are cached (the inner calls are
# hits while both_total computes): the tables they read are both_total's dependencies too.
q "SELECT acct_total(14), pacct_total(14)" >/dev/null
h0=$(stat1 'acct_total(integer)' hits)
invalidates "a function calling a cached function is invalidated by the inner one's table (1)" \
  "both_total(14)" "$(u_both 14)" "UPDATE acct SET v = v + 1 WHERE k = 14;"
q "SELECT acct_total(15), pacct_total(15)" >/dev/null
invalidates "a function calling a cached function is invalidated by the inner one's table (2)" \
  "both_total(15)" "$(u_both 15)" "UPDATE pacct SET v = v + 1 WHERE k = 15;"
echo "# nested: acct_total hits while both_total was checked: $(($(stat1 'acct_total(integer)' hits) - h0))"

# 5. relies_on: declared tables invalidate (flagged reads nothing).
IFS='|' read -r _ h0 m0 _ <<<"$(stats 'flagged(integer)')"
a=$(q "SELECT flagged(21)"); b=$(q "SELECT flagged(21)")
IFS='|' read -r _ h1 m1 _ <<<"$(stats 'flagged(integer)')"
q "UPDATE flag SET x = x + 1" >/dev/null
c=$(q "SELECT flagged(21)")
IFS='|' read -r _ h2 m2 _ <<<"$(stats 'flagged(integer)')"
q "SELECT flagged(21)" >/dev/null
q "UPDATE public.flag2 SET x = x + 1" >/dev/null
d=$(q "SELECT flagged(21)")
IFS='|' read -r _ _ m3 _ <<<"$(stats 'flagged(integer)')"
check "relies_on: cached (a hit), then a write to each declared table makes the next call a miss" \
  "42 42 42 42|hits +1|misses +1 +1 +1" \
  "$a $b $c $d|hits +$((h1 - h0))|misses +$((m1 - m0)) +$((m2 - m1)) +$((m3 - m2))"

# 6. A rolled-back change in another session: the answer stays right, and the cache is still
# used afterwards (over-invalidation is allowed, so the first call may be a miss).
e=$(q "SELECT $(u_acct 3)")
q "SELECT acct_total(3)" >/dev/null
h0=$(stat1 'acct_total(integer)' hits)
q "BEGIN; UPDATE acct SET v = v + 100 WHERE k = 3; ROLLBACK;" >/dev/null
a=$(q "SELECT acct_total(3)")
h1=$(stat1 'acct_total(integer)' hits)
b=$(q "SELECT acct_total(3)")
h2=$(stat1 'acct_total(integer)' hits)
echo "# the first call after another session's rollback was a $([ "$h1" -gt "$h0" ] && echo hit || echo miss)"
check "a rolled-back UPDATE in another session: the answer is unchanged and served from the cache" \
  "$e|$e|t" "$a|$b|$([ "$h2" -gt "$h0" ] && echo t || echo f)"

# 7. A session's own uncommitted write: it sees it through the function (neither reads the
# entry nor publishes its answer); the others do not, before or after its ROLLBACK.
e=$(q "SELECT $(u_acct 4)")
q "SELECT acct_total(4)" >/dev/null
q "SELECT acct_total(4)" >/dev/null
sess_open W
w0=$(sess W "BEGIN; SELECT acct_total(4); UPDATE acct SET v = v + 1000 WHERE id = (SELECT min(id) FROM acct WHERE k = 4);")
w1=$(sess W "SELECT acct_total(4), $(u_acct 4)")
o1=$(q "SELECT acct_total(4)")
w2=$(sess W "SELECT acct_total(4)")
sess W "ROLLBACK;" >/dev/null
o2=$(q "SELECT acct_total(4)")
check "a session sees its own uncommitted write through the function" \
  "$e|$((e + 1000))|$((e + 1000))|$((e + 1000))" "$w0|$w1|$w2"
check "... other sessions are not served it, during the transaction or after its ROLLBACK" "$e|$e" "$o1|$o2"
w3=$(sess W "BEGIN; UPDATE acct SET v = v + 1 WHERE id = (SELECT min(id) FROM acct WHERE k = 4); SELECT acct_total(4); COMMIT;")
o3=$(q "SELECT acct_total(4)")
check "... after its COMMIT, the others get its write" "$((e + 1))|$((e + 1))" "$w3|$o3"

# 8. REPEATABLE READ: a transaction whose snapshot is older than another session's commit keeps
# its snapshot's answers, though a third session has meanwhile cached the new ones; its old
# answers are not published.
e5=$(q "SELECT $(u_acct 5)"); e6=$(q "SELECT $(u_acct 6)")
q "SELECT acct_total(5), acct_total(6)" >/dev/null
r1=$(sess W "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT acct_total(5);")
q "UPDATE acct SET v = v + 7 WHERE k IN (5, 6)" >/dev/null
c1=$(q "SELECT acct_total(5), acct_total(6)")
h0=$(stat1 'acct_total(integer)' hits)
c2=$(q "SELECT acct_total(5), acct_total(6)")
h1=$(stat1 'acct_total(integer)' hits)
r2=$(sess W "SELECT acct_total(5), $(u_acct 5), acct_total(6), $(u_acct 6)")
c3=$(q "SELECT acct_total(5), acct_total(6)")
r3=$(sess W "COMMIT; SELECT acct_total(5), acct_total(6);")
check "REPEATABLE READ: a snapshot older than another session's commit gets its own answers, not the newer cached ones" \
  "$e5|$e5|$e5|$e6|$e6" "$r1|$r2"
n56="$((e5 + 35))|$((e6 + 35))"
check "... the new answers are cached (2 hits) and not replaced by its old ones" \
  "$n56|$n56|2|$n56|$n56" "$c1|$c2|$((h1 - h0))|$c3|$r3"

# 9. SERIALIZABLE transactions bypass the cache (right answers, no hits).
e=$(q "SELECT $(u_acct 6)")
q "SELECT acct_total(6)" >/dev/null
h0=$(stat1 'acct_total(integer)' hits)
a=$("${PSQL[@]}" -d "$DB" -c "BEGIN ISOLATION LEVEL SERIALIZABLE" -c "SELECT acct_total(6)" -c "SELECT acct_total(6)" -c "COMMIT" 2>&1 | tr '\n' ' ')
check "SERIALIZABLE: right answers, not read from the cache" "$e $e |0" "$a|$(($(stat1 'acct_total(integer)' hits) - h0))"
sess_close W

# 10. plcpp.result_cache = off and = bypass; plcpp.result_cache_flush.
e=$(q "SELECT $(u_acct 7)")
q "SELECT plcpp.result_cache_flush('acct_total(integer)')" >/dev/null
IFS='|' read -r _ h0 _ _ <<<"$(stats 'acct_total(integer)')"
a=$("${PSQL[@]}" -d "$DB" -c "SET plcpp.result_cache = off" -c "SELECT acct_total(7)" -c "SELECT acct_total(7)" 2>&1 | tr '\n' ' ')
IFS='|' read -r en1 h1 _ _ <<<"$(stats 'acct_total(integer)')"
check "plcpp.result_cache = off: right answers, nothing read or stored (0 entries, no hits)" "$e $e |0|0" "$a|$en1|$((h1 - h0))"
a=$("${PSQL[@]}" -d "$DB" -c "SET plcpp.result_cache = bypass" -c "SELECT acct_total(7)" -c "SELECT acct_total(7)" 2>&1 | tr '\n' ' ')
IFS='|' read -r en2 h2 _ _ <<<"$(stats 'acct_total(integer)')"
b=$(q "SELECT acct_total(7)")
IFS='|' read -r _ h3 _ _ <<<"$(stats 'acct_total(integer)')"
check "plcpp.result_cache = bypass: right answers, no hits, but publishes (1 entry, a hit for another session)" \
  "$e $e |0|1|$e|1" "$a|$((h2 - h1))|$en2|$b|$((h3 - h2))"
q "SELECT acct_total(k) FROM generate_series(1, 5) k" >/dev/null
q "SELECT pacct_total(1), p1_total(1)" >/dev/null
total=$(q "SELECT coalesce(sum(entries), 0) FROM plcpp.result_cache_stats")
check "plcpp.result_cache_flush(fn) removes that function's entries (and no other) and says how many" \
  "6|0|$((total - 6))" \
  "$(q "SELECT plcpp.result_cache_flush('acct_total(integer)')")|$(stat1 'acct_total(integer)' entries)|$(q "SELECT coalesce(sum(entries), 0) FROM plcpp.result_cache_stats")"
total=$(q "SELECT coalesce(sum(entries), 0) FROM plcpp.result_cache_stats")
check "plcpp.result_cache_flush() removes all entries and says how many" "$total|0" \
  "$(q "SELECT plcpp.result_cache_flush()")|$(q "SELECT coalesce(sum(entries), 0) FROM plcpp.result_cache_stats")"

# 11. Only for non-VOLATILE, non-set-returning functions: refused at CREATE FUNCTION.
a=$(q "CREATE FUNCTION rc_volatile(k int) RETURNS bigint LANGUAGE plcpp VOLATILE AS \$\$
  [[plcpp::result_cache]]
  return k; \$\$")
b=$(q "CREATE FUNCTION rc_srf(k int) RETURNS SETOF int LANGUAGE plcpp STABLE AS \$\$
  [[plcpp::result_cache]]
  yield(k); \$\$")
if echo "$a" | grep -q 'ERROR.*result_cache' && echo "$b" | grep -q 'ERROR.*result_cache'; then
  ok "[[plcpp::result_cache]] on a VOLATILE or a set-returning function is refused"
else
  not_ok "[[plcpp::result_cache]] on a VOLATILE or a set-returning function is refused" \
    "VOLATILE: [$(echo "$a" | head -2 | tr '\n' ' ')] SETOF: [$(echo "$b" | head -2 | tr '\n' ' ')]"
fi

# 12. Eight sessions call with the same new key at once (raced_total sleeps 1 s): the body
# runs once, the other seven wait for its result.
e=$(q "SELECT $(u_acct 5)")
IFS='|' read -r _ h0 m0 _ <<<"$(stats 'raced_total(integer)')"
pids=()
for i in 1 2 3 4 5 6 7 8; do
  (PGOPTIONS="-c client_min_messages=notice" "${PSQL[@]}" -d "$DB" -c "SELECT raced_total(5)" >"$out/race.$i" 2>&1) &
  pids+=($!)
done
wait "${pids[@]}"
IFS='|' read -r _ h1 m1 _ <<<"$(stats 'raced_total(integer)')"
check "8 concurrent first calls with one key all get the right answer" \
  "$(printf "$e %.0s" 1 2 3 4 5 6 7 8)" "$(cat "$out"/race.? | grep -vE '^[A-Z]+:  ' | tr '\n' ' ')"
check "... the body ran once (1 NOTICE, misses +1)" "1|1" \
  "$(cat "$out"/race.? | grep -c 'NOTICE:  raced_total computes 5')|$((m1 - m0))"
echo "# 8 concurrent first calls: hits +$((h1 - h0)), misses +$((m1 - m0))"

# 13. The second server, without shared_preload_libraries: uncached, one WARNING per session.
wait "$np_pid"
np_status=$?
if [ $np_status -ne 0 ] || [ ! -f "$out/np.calls" ]; then
  not_ok "without shared_preload_libraries: the server starts, the function is created" \
    "$(cat "$out/np.start" "$out/np.log" 2>/dev/null | tail -n 5 | tr '\n' ' ')"
else
  np=$(cat "$out/np.calls")
  e=$(echo "$np" | grep -vE '^[A-Z]+:  ' | tail -1)
  check "without shared_preload_libraries: right answers" "$e|$e|$e" \
    "$(echo "$np" | grep -vE '^[A-Z]+:  ' | tr '\n' '|' | sed 's/|$//')"
  check "... and exactly one WARNING for two calls in one session, about shared_preload_libraries" "1|1" \
    "$(echo "$np" | grep -c '^WARNING:')|$(echo "$np" | grep '^WARNING:' | grep -c shared_preload_libraries)"
fi
echo "# deterministic checks done: $((EPOCHSECONDS - started)) s"

# ---------------------------------------------------------------------------------------------
# Stress. Every statement of a reader compares cached answers with the uncached query in the
# same snapshot and prints "chk|LABEL|calls|stale|details"; a stale answer is any difference.
q "TRUNCATE acct, pacct; $fill_acct $fill_pacct" >/dev/null
q "SELECT plcpp.result_cache_flush()" >/dev/null
stress_fns=('acct_total(integer)' 'pacct_total(integer)' 'p1_total(integer)' 'both_total(integer)' 'slow_total(integer,integer)')
declare -A base
for f in "${stress_fns[@]}"; do base[$f]=$(stats "$f"); done

# chk LABEL CALL UNCACHED KEYS...: CALL and UNCACHED are expressions of x.k.
chk() {
  local label=$1 call=$2 want=$3 vals
  shift 3
  vals=$(printf '(%s),' "$@")
  echo "SELECT 'chk|$label|' || count(*) || '|' || count(*) FILTER (WHERE got IS DISTINCT FROM want) || '|'
  || coalesce(string_agg(format('%s = %s, uncached %s', replace('$call', 'x.k', k::text), got, want), '; ')
              FILTER (WHERE got IS DISTINCT FROM want), '')
  FROM (SELECT x.k, $call AS got, $want AS want FROM (VALUES ${vals%,}) x(k)) s;"
}
key() { echo $((RANDOM % 16 + 1)); }
key1() { echo $((RANDOM % 8 + 1)); }  # a key of pacct_p1
key2() { echo $((RANDOM % 8 + 9)); }  # a key of pacct_p2
end_tx() { if [ $((RANDOM % 10)) -lt 6 ]; then echo "COMMIT;"; else echo "ROLLBACK;"; fi; }
# The checks of each cached function, for keys $@.
chk_acct() { chk "$label" "acct_total(x.k)" "$(u_acct x.k)" "$@"; }
chk_pacct() { chk "$label" "pacct_total(x.k)" "$(u_pacct x.k)" "$@"; }
chk_p1() { chk "$label" "p1_total(x.k)" "$(u_p1 x.k)" "$@"; }
chk_both() { chk "$label" "both_total(x.k)" "$(u_both x.k)" "$@"; }
chk_slow() { chk "$label" "slow_total(x.k, 5)" "$(u_acct x.k)" "$@"; }

# Readers, READ COMMITTED: one statement, one snapshot.
gen_rc() { # gen_rc CHECK: 100 statements of 3 random keys
  local label=rc i
  for ((i = 0; i < 100; i++)); do "$1" "$(key)" "$(key)" "$(key)"; done
}
gen_rc_acct() { gen_rc chk_acct; }
gen_rc_pacct() { gen_rc chk_pacct; }
gen_rc_p1() { local label=rc i; for ((i = 0; i < 100; i++)); do chk_p1 "$(key1)" "$(key1)" "$(key)"; done; }
gen_rc_both() { gen_rc chk_both; }
gen_rc_slow() { local label=rc i; for ((i = 0; i < 50; i++)); do chk_slow "$(key)"; done; }
# Readers, REPEATABLE READ: 8 rounds over ~1 s in one transaction while writers commit. The LOCK
# (which takes no snapshot) keeps TRUNCATE out: TRUNCATE is not MVCC-safe, so an older snapshot
# would read the truncated table empty while the cache rightly holds its snapshot's answers.
gen_rr() {
  local label=rr t r
  for ((t = 0; t < 2; t++)); do
    echo "BEGIN ISOLATION LEVEL REPEATABLE READ; LOCK TABLE acct, pacct IN ACCESS SHARE MODE;"
    for ((r = 0; r < 8; r++)); do
      chk_acct "$(key)" "$(key)"; chk_pacct "$(key)" "$(key)"; chk_p1 "$(key1)" "$(key1)"; chk_both "$(key)"
      echo "SELECT FROM pg_sleep(0.1);"
    done
    echo "COMMIT;"
  done
}
# Writers, committing about 60 % of their transactions. Inside its transaction, a writer checks
# the functions after (and sometimes before) its write.
gen_w_acct() {
  local label=own i k k2 d
  for ((i = 0; i < 20; i++)); do
    k=$(key); k2=$(key); d=$((RANDOM % 9 + 1))
    case $((RANDOM % 6)) in
      0) echo "BEGIN;"; chk_acct "$k"; echo "UPDATE acct SET v = v + $d WHERE k = $k;"
         chk_acct "$k" "$k2"; chk_both "$k"; end_tx ;;
      1) echo "BEGIN; INSERT INTO acct (k, v) VALUES ($k, $d);"; chk_acct "$k"; end_tx ;;
      2) echo "BEGIN; DELETE FROM acct WHERE id = (SELECT min(id) FROM acct WHERE k = $k);"
         echo "INSERT INTO acct (k, v) VALUES ($k2, $d);"; chk_acct "$k" "$k2"; end_tx ;;
      3) echo "BEGIN; MERGE INTO acct a USING (VALUES ($k, $d)) s(k, d) ON a.k = s.k AND a.v % 2 = 0
           WHEN MATCHED THEN UPDATE SET v = a.v + s.d WHEN NOT MATCHED THEN INSERT (k, v) VALUES (s.k, s.d);"
         chk_acct "$k"; end_tx ;;
      4) echo "BEGIN;"; printf 'COPY acct (k, v) FROM STDIN;\n%s\t%s\n%s\t%s\n\\.\n' "$k" "$d" "$k2" "$d"
         chk_acct "$k" "$k2"; end_tx ;;
      5) echo "UPDATE acct SET v = v + $d WHERE k = $k;" ;;
    esac
    echo "SELECT FROM pg_sleep(0.0$((RANDOM % 5 + 2)));"
  done
}
gen_w_pacct() {
  local label=own i k k1 k2 d
  for ((i = 0; i < 20; i++)); do
    k=$(key); k1=$(key1); k2=$(key2); d=$((RANDOM % 9 + 1))
    case $((RANDOM % 6)) in
      0) echo "BEGIN; UPDATE pacct SET v = v + $d WHERE k = $k;"; chk_pacct "$k"; chk_p1 "$k"; end_tx ;;
      1) echo "BEGIN; INSERT INTO pacct_p1 (k, v) VALUES ($k1, $d);"; chk_p1 "$k1"; end_tx ;;
      2) echo "BEGIN; INSERT INTO pacct_p2 (k, v) VALUES ($k2, $d); UPDATE pacct_p2 SET v = v + 1 WHERE k = $(key2);"
         chk_pacct "$k2"; end_tx ;;
      3) echo "BEGIN; UPDATE pacct SET k = $k2 WHERE id = (SELECT min(id) FROM pacct WHERE k = $k1);"
         chk_pacct "$k1" "$k2"; chk_p1 "$k1"; chk_both "$k1"; end_tx ;;
      4) echo "BEGIN; UPDATE pacct SET k = $k1 WHERE id = (SELECT min(id) FROM pacct WHERE k = $k2);"
         echo "DELETE FROM pacct WHERE id = (SELECT max(id) FROM pacct WHERE k = $k);"
         chk_pacct "$k1" "$k2" "$k"; chk_p1 "$k1"; end_tx ;;
      5) echo "BEGIN;"; printf 'COPY pacct (k, v) FROM STDIN;\n%s\t%s\n%s\t%s\n\\.\n' "$k1" "$d" "$k2" "$d"
         chk_pacct "$k1" "$k2"; end_tx ;;
    esac
    echo "SELECT FROM pg_sleep(0.0$((RANDOM % 5 + 2)));"
  done
}
gen_w_truncate() {
  local i
  for ((i = 0; i < 3; i++)); do
    case $((RANDOM % 3)) in
      0) echo "BEGIN; TRUNCATE acct; INSERT INTO acct (k, v)
           SELECT k, (random() * 100)::int FROM generate_series(1, 16) k, generate_series(1, 5);" ;;
      1) echo "BEGIN; TRUNCATE pacct_p1; INSERT INTO pacct_p1 (k, v)
           SELECT k, (random() * 100)::int FROM generate_series(1, 8) k, generate_series(1, 5);" ;;
      2) echo "BEGIN; TRUNCATE pacct_p2; INSERT INTO pacct_p2 (k, v)
           SELECT k, (random() * 100)::int FROM generate_series(9, 16) k, generate_series(1, 5);" ;;
    esac
    end_tx
    echo "SELECT FROM pg_sleep(0.$((RANDOM % 5 + 3)));"
  done
}

stress_end=$((EPOCHSECONDS + STRESS_SECONDS))
run_loop() { # run_loop NAME GENERATOR: fresh sessions fed by GENERATOR until the deadline
  while [ "$EPOCHSECONDS" -lt "$stress_end" ]; do
    "$2" | psql -X -q -At -d "$DB" >>"$out/stress.$1.log" 2>&1
  done
}
loops=(rc_acct:gen_rc_acct rc_acct2:gen_rc_acct rc_pacct:gen_rc_pacct rc_p1:gen_rc_p1
       rc_both:gen_rc_both rc_slow:gen_rc_slow rr1:gen_rr rr2:gen_rr
       w_acct:gen_w_acct w_pacct:gen_w_pacct w_truncate:gen_w_truncate)
pids=()
for l in "${loops[@]}"; do
  run_loop "${l%%:*}" "${l#*:}" & pids+=($!)
done
echo "# stress: ${#loops[@]} sessions for $STRESS_SECONDS s"
wait "${pids[@]}"

# After the writers stopped: every cached answer, every key, equals the table.
label=final
final=$(for f in chk_acct chk_pacct chk_p1 chk_both chk_slow; do "$f" $(seq 1 16); "$f" $(seq 1 16); done |
  "${PSQL[@]}" -d "$DB" 2>&1)
echo "$final" >"$out/stress.final.log"

all=$(cat "$out"/stress.*.log)
chk_lines=$(echo "$all" | grep '^chk|')
stale=$(echo "$chk_lines" | awk -F'|' '{s += $4} END {print s + 0}')
calls=$(echo "$chk_lines" | awk -F'|' '{c += $3} END {print c + 0}')
for l in rc rr own final; do
  echo "# $l: $(echo "$chk_lines" | awk -F'|' -v l="$l" '$2 == l {c += $3; s += $4} END {printf "%d comparisons, %d stale", c, s}')"
done
echo "$chk_lines" | awk -F'|' '$4 > 0 {print "#   stale: " $2 ": " $5}' | head -20
echo "# stale answers: $stale"
check "stress: no stale answer in $calls comparisons" 0 "$stale"
check "after the stress, every cached answer equals the table" 0 \
  "$(echo "$final" | grep '^chk|' | awk -F'|' '{s += $4} END {print s + 0}')$(echo "$final" | grep -v '^chk|')"
short=""
for l in "${loops[@]}"; do
  l=${l%%:*}
  case $l in w_truncate) continue ;; esac
  [ "$(grep -c '^chk|' "$out/stress.$l.log")" -gt 0 ] || short="$short $l"
done
check "stress: every reader and writer compared answers" "" "$short"
reader_errors=$(cat "$out"/stress.r*.log | grep -E 'ERROR|FATAL|PANIC|server closed|connection' | sort | uniq -c | head -5)
check "stress: no errors in the readers" "" "$reader_errors"
writer_errors=$(cat "$out"/stress.w*.log | grep -E 'ERROR|FATAL|PANIC|server closed|connection' |
  grep -vE 'deadlock detected|current transaction is aborted' | sort | uniq -c | head -5)
echo "# writers: $(cat "$out"/stress.w*.log | grep -c 'deadlock detected') deadlocks (allowed: they roll back)"
check "stress: no errors in the writers but deadlocks" "" "$writer_errors"
for f in "${stress_fns[@]}"; do
  IFS='|' read -r _ h0 m0 i0 <<<"${base[$f]}"
  IFS='|' read -r en h1 m1 i1 <<<"$(stats "$f")"
  echo "# $f: hits $((h1 - h0)), misses $((m1 - m0)), invalidations $((i1 - i0)), entries $en"
  check "stress: $f was served from the cache (hits > 0)" t "$([ $((h1 - h0)) -gt 0 ] && echo t || echo f)"
done

crashes=$(tail -c +"$((server_log_start + 1))" "$PLCPP_TMP/server.log" 2>/dev/null |
  grep -E 'terminated by signal|PANIC|TRAP:|was terminated' | head -3)
check "the server log shows no crashed backend" "" "$crashes"

"${PSQL[@]}" -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
echo "# total: $((EPOCHSECONDS - started)) s"
echo "1..$n"
