#!/usr/bin/env bash
# test/server/cache_test.sh — behaviour that needs several sessions or a server restart:
# the compiled-code cache across sessions and restarts, damaged cache files, an unwritable
# cache directory, concurrent first calls, pg_cancel_backend on a runaway loop, a replaced
# function seen by a session that had the old code, pg_dump/restore, and the memory of many
# compiled functions. Runs against the private server of scripts/server.sh (sourced by the
# caller, server started). Prints "ok N - name" / "not ok N - name" lines (TAP).
set -u
# Tiered compilation (tier_test.sh) would add -O0 entries and background -O2 builds to the
# counts here: these checks are about the cache itself.
export PGOPTIONS="-c client_min_messages=warning -c plcpp.tiered_compilation=off"
source "$(dirname "$0")/../../scripts/server.sh" # as_postgres, PG_BIN
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "#   $2"; }
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2], got [$3]"; fi
}
q() { "${PSQL[@]}" -d plcpp_cache_test -c "$1" 2>&1; }
cache_dir=$PGDATA/plcpp_cache
# The cache is shared by all databases and outlives them: bodies carry a tag unique to this
# run, so that earlier runs' entries do not count.
tag="/* run $(date +%s%N) */"

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS plcpp_cache_test" -c "CREATE DATABASE plcpp_cache_test"
q "CREATE EXTENSION plcpp" >/dev/null
q "SELECT plcpp.compile_cache_purge()" >/dev/null # a private test server: start empty

# 1. A hit in another session and after a restart: compiled once, loaded afterwards.
q "CREATE FUNCTION cached_twice(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ $tag return a * 3; \$\$" >/dev/null
check "first session computes" 21 "$(q 'SELECT cached_twice(7)')"
key=$(q "SELECT key FROM plcpp.compile_cache WHERE function = 'cached_twice(integer)'")
check "one cache entry after CREATE FUNCTION" 1 "$(echo "$key" | grep -c .)"
check "other sessions load it (2 hits)" "21|2" "$(q "SELECT cached_twice(7), (SELECT hits FROM plcpp.compile_cache WHERE key = '$key')")"
as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w restart -l "$PLCPP_TMP/server.log" >/dev/null
check "after a restart it is loaded, not compiled" "21|3|1" \
  "$(q "SELECT cached_twice(7), (SELECT hits FROM plcpp.compile_cache WHERE key = '$key'), (SELECT count(*) FROM plcpp.compile_cache WHERE function = 'cached_twice(integer)')")"

# 2. A damaged file is detected, removed, recompiled (never loaded) and rewritten.
obj=$cache_dir/objects/$key.so
printf 'garbage' | dd of="$obj" bs=1 seek=200 conv=notrunc status=none
check "damaged object: the function still works" 21 "$(q 'SELECT cached_twice(7)')"
check "damaged object: rewritten and valid again (hits start afresh)" "1|0" \
  "$(q "SELECT count(*), max(hits) FROM plcpp.compile_cache WHERE key = '$key'")"
check "damaged object: reported once in the server log" 1 \
  "$(grep -c "removed damaged compiled-code cache file for cached_twice(integer) (key $key)" "$PLCPP_TMP/server.log")"
truncate -s 100 "$obj"
check "truncated object: the function still works" 21 "$(q 'SELECT cached_twice(7)')"

# 3. Eight sessions call a new function at once: compiled once, the others load it.
q "SET check_function_bodies = off; CREATE FUNCTION raced(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ $tag
  std::vector<std::string> parts; for (int i = 0; i < a; ++i) parts.push_back(std::to_string(i));
  return static_cast<int>(parts.size()); \$\$" >/dev/null
pids=()
for i in 1 2 3 4 5 6 7 8; do
  (q 'SELECT raced(5)' >"$PLCPP_TMP/race.$i") & pids+=($!)
done
wait "${pids[@]}"
check "8 concurrent first calls all succeed" "5 5 5 5 5 5 5 5" "$(cat "$PLCPP_TMP"/race.? | tr '\n' ' ' | sed 's/ $//')"
check "8 concurrent first calls: one compile, 7 cache loads" "1|7" \
  "$(q "SELECT count(*), sum(hits) FROM plcpp.compile_cache WHERE function = 'raced(integer)'")"

# 4. pg_cancel_backend stops a runaway loop (and a later call in that session works).
q "CREATE FUNCTION runaway() RETURNS int LANGUAGE plcpp AS \$\$ for (;;) {} \$\$" >/dev/null
"${PSQL[@]}" -d plcpp_cache_test -c "SELECT runaway()" >"$PLCPP_TMP/cancel.out" 2>&1 &
bg=$!
for _ in $(seq 50); do
  pid=$(q "SELECT pid FROM pg_stat_activity WHERE query = 'SELECT runaway()' AND state = 'active'")
  [ -n "$pid" ] && break; sleep 0.1
done
sleep 0.3
start=$(date +%s%N)
q "SELECT pg_cancel_backend($pid)" >/dev/null
wait $bg
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if grep -q "canceling statement due to user request" "$PLCPP_TMP/cancel.out"; then
  ok "pg_cancel_backend stops a runaway loop (${ms} ms including psql)"; else not_ok "pg_cancel_backend stops a runaway loop" "$(cat "$PLCPP_TMP/cancel.out")"; fi

# 5. A session that ran the old code never runs it after another session replaced it.
coproc OLD { "${PSQL[@]}" -d plcpp_cache_test 2>&1; }
q "CREATE FUNCTION code_version() RETURNS int LANGUAGE plcpp AS \$\$ return 1; \$\$" >/dev/null
echo "SELECT code_version();" >&"${OLD[1]}"; read -r first <&"${OLD[0]}"
q "CREATE OR REPLACE FUNCTION code_version() RETURNS int LANGUAGE plcpp AS \$\$ return 2; \$\$" >/dev/null
echo "SELECT code_version();" >&"${OLD[1]}"; read -r second <&"${OLD[0]}"
echo '\q' >&"${OLD[1]}"; wait "$OLD_PID" 2>/dev/null
check "replaced in another session: the old session runs the new code" "1 2" "$first $second"

# 6. Unwritable cache directory: functions work, one WARNING per session.
mkdir -p "$PLCPP_TMP/readonly" && chmod 555 "$PLCPP_TMP/readonly" && chown root: "$PLCPP_TMP/readonly"
"${PSQL[@]}" -d plcpp_cache_test -c "LOAD 'plcpp'" -c "ALTER SYSTEM SET plcpp.cache_dir = '$PLCPP_TMP/readonly/cache'"
q "SELECT pg_reload_conf()" >/dev/null; sleep 0.5
out=$("${PSQL[@]}" -d plcpp_cache_test 2>&1 <<'SQL'
CREATE FUNCTION ro_one() RETURNS int LANGUAGE plcpp AS $$ return 1; $$;
CREATE FUNCTION ro_two() RETURNS int LANGUAGE plcpp AS $$ return 2; $$;
SHOW plcpp.cache_dir;
SELECT ro_one() + ro_two();
SQL
)
check "unwritable cache dir: in use, functions work" "$PLCPP_TMP/readonly/cache 3" "$(echo "$out" | grep -v WARNING | grep -v DETAIL | grep -v HINT | tr '\n' ' ' | sed 's/ $//')"
check "unwritable cache dir: exactly one WARNING" 1 "$(echo "$out" | grep -c 'WARNING:  plcpp could not store compiled code')"
"${PSQL[@]}" -d plcpp_cache_test -c "LOAD 'plcpp'" -c "ALTER SYSTEM RESET plcpp.cache_dir"; q "SELECT pg_reload_conf()" >/dev/null; sleep 0.5

# 7. pg_dump and restore into a new database: works on the first call, no manual step.
q "CREATE TABLE item(id int PRIMARY KEY, name text NOT NULL);
   INSERT INTO item VALUES (1, 'one'), (2, 'two');
   CREATE FUNCTION item_label(i item) RETURNS text LANGUAGE plcpp STRICT AS \$\$ return std::to_string(i.id) + \":\" + i.name; \$\$;
   CREATE FUNCTION item_names() RETURNS SETOF text LANGUAGE plcpp AS \$\$ return sql(\"SELECT name FROM item ORDER BY id\"); \$\$;
   CREATE FUNCTION item_upper() RETURNS trigger LANGUAGE plcpp AS \$\$ auto row = trigger().new_row(); row.set(\"name\", \"x\"); return row; \$\$;
   CREATE TRIGGER item_upper BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION item_upper();"
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS plcpp_restored" -c "CREATE DATABASE plcpp_restored"
if "$PG_BIN/pg_dump" -d plcpp_cache_test | "${PSQL[@]}" -d plcpp_restored >"$PLCPP_TMP/restore.log" 2>&1; then
  ok "pg_dump | psql restores without errors"; else not_ok "pg_dump | psql restores without errors" "$(head -5 "$PLCPP_TMP/restore.log")"; fi
check "restored: functions work on first call" "1:one|one,two|x" \
  "$("${PSQL[@]}" -d plcpp_restored -c "INSERT INTO item VALUES (3, 'three')" -c "SELECT item_label(i) FROM item i WHERE id = 1" -c "SELECT string_agg(n, ',') FROM item_names() n WHERE n <> 'x'" -c "SELECT name FROM item WHERE id = 3" | tr '\n' '|' | sed 's/|$//')"
"${PSQL[@]}" -d postgres -c "DROP DATABASE plcpp_restored"

# 8. Memory: 200 different functions compiled in one backend, then 200 replacements of one.
cat >"$PLCPP_TMP/memory.sql" <<'SQL'
CREATE FUNCTION my_rss() RETURNS bigint LANGUAGE plcpp AS $$
#include <fstream>
  std::ifstream status("/proc/self/status"); std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  return 0;
$$;
SELECT my_rss();
DO $$ BEGIN FOR i IN 1..200 LOOP
  EXECUTE format('CREATE FUNCTION many_%s(a int) RETURNS text LANGUAGE plcpp STRICT AS %L', i,
    format('std::map<int, std::string> m; for (int k = 0; k < %s; ++k) m[k] = std::to_string(k * a); return m.rbegin()->second;', i));
  EXECUTE format('SELECT many_%s(2)', i);
END LOOP; END $$;
SELECT my_rss();
DO $$ BEGIN FOR i IN 1..200 LOOP
  EXECUTE format('CREATE OR REPLACE FUNCTION many_1(a int) RETURNS text LANGUAGE plcpp STRICT AS %L',
    format('return std::to_string(a + %s);', i));
  PERFORM many_1(2);
END LOOP; END $$;
SELECT my_rss();
SQL
rss_of_session=$("${PSQL[@]}" -d plcpp_cache_test -f "$PLCPP_TMP/memory.sql" 2>&1)
read -r before after_200 after_replace <<<"$(echo "$rss_of_session" | tr '\n' ' ')"
growth=$(( (after_200 - before) / 1024 )); replace_growth=$(( (after_replace - after_200) / 1024 ))
echo "# RSS: ${before} kB at start, +${growth} MB after compiling 200 functions, +${replace_growth} MB after 200 replacements"
if [ "$growth" -lt 200 ]; then ok "200 compiled functions: RSS growth bounded (${growth} MB < 200 MB)"; else not_ok "200 compiled functions: RSS growth bounded" "${growth} MB"; fi
if [ "$replace_growth" -lt 40 ]; then ok "200 replacements of one function: code freed (${replace_growth} MB < 40 MB)"; else not_ok "200 replacements free their code" "${replace_growth} MB"; fi

# 9. shared_preload_libraries = 'plcpp': the postmaster loads the JIT and the compiler; its
# backends load cached code and compile new code.
echo "shared_preload_libraries = 'plcpp'" >>"$PGDATA/postgresql.conf"
as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w restart -l "$PLCPP_TMP/server.log" >/dev/null
check "preloaded: the library is loaded by the postmaster" plcpp "$(q 'SHOW shared_preload_libraries')"
check "preloaded: cached code loads" "21" "$(q 'SELECT cached_twice(7)')"
q "CREATE FUNCTION preloaded_new(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ $tag return a - 1; \$\$" >/dev/null
check "preloaded: a new function compiles, and loads in another session" "41|1" \
  "$(q "SELECT preloaded_new(42), (SELECT hits FROM plcpp.compile_cache WHERE function = 'preloaded_new(integer)')")"

"${PSQL[@]}" -d postgres -c "DROP DATABASE plcpp_cache_test"
