#!/usr/bin/env bash
# test/server/tier_test.sh — tiered compilation (plcpp.tiered_compilation, on by default):
# a cache miss runs -O0 code at once, the background worker puts the -O2 object in the cache,
# the session switches to it at its next transaction, new sessions load it; bodies with
# static variables keep their first code in a session; 8 concurrent first calls; off, DO
# blocks and an unwritable cache compile -O2 directly. Runs against the private server of
# scripts/server.sh (sourced by the caller, server started). Prints TAP lines.
set -u
export PGOPTIONS="-c client_min_messages=warning"
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "#   $2"; }
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2], got [$3]"; fi
}
contains() { # contains NAME TEXT PATTERN
  if echo "$2" | grep -q -- "$3"; then ok "$1"; else not_ok "$1" "no [$3] in [$2]"; fi
}
q() { "${PSQL[@]}" -d plcpp_tier_test -c "$1" 2>&1; }
debug() { PGOPTIONS="-c client_min_messages=debug1" "${PSQL[@]}" -d plcpp_tier_test -c "$1" 2>&1 | grep -v '^DEBUG:  \(StartTransaction\|CommitTransaction\|name:\)'; }
tag="/* run $(date +%s%N) */"
# A body that uses the standard library: a regular unit (a core unit would compile at -O2).
body() { echo "$tag std::vector<std::string> v; for (int i = 0; i < a; ++i) v.push_back(std::to_string(i * $1)); std::sort(v.begin(), v.end()); return static_cast<int>(v.size()) + $1;"; }
# Waits until the optimized object of function $1 is the only cache entry; prints the levels.
wait_optimized() {
  local levels=""
  for _ in $(seq 300); do
    levels=$(q "SELECT string_agg(opt_level::text, ',' ORDER BY opt_level) FROM plcpp.compile_cache WHERE function = '$1'")
    [ "$levels" = "2" ] && break
    sleep 0.1
  done
  echo "$levels"
}

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS plcpp_tier_test" -c "CREATE DATABASE plcpp_tier_test"
q "CREATE EXTENSION plcpp" >/dev/null
q "SELECT plcpp.compile_cache_purge()" >/dev/null # a private test server: start empty

# One session that stays open across the steps (a coprocess), its DEBUG messages included.
coproc S1 { PGOPTIONS="-c client_min_messages=debug1" "${PSQL[@]}" -d plcpp_tier_test 2>&1; }
s1() { # s1 SQL: runs it in the open session, sets $out to what it printed
  echo "$1" >&"${S1[1]}"
  echo '\echo __END__' >&"${S1[1]}"
  out=""
  while IFS= read -r line <&"${S1[0]}"; do
    [ "$line" = "__END__" ] && break
    case "$line" in DEBUG:*Transaction*|DEBUG:*name:*) ;; *) out+="$line"$'\n' ;; esac
  done
}

# 1. First call: -O0 code now, optimized build queued; the result is right.
q "SET check_function_bodies = off; CREATE FUNCTION tiered(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ $(body 1) \$\$" >/dev/null
s1 "SELECT tiered(5);"
contains "first call compiles -O0 code" "$out" "compiled tiered(integer) at -O0 in .*its optimized build is queued"
contains "first call returns the right result" "$out" "^6$"
# 2. The worker builds the -O2 object and removes the -O0 one.
check "the background worker puts the -O2 object in place of the -O0 one" "2" "$(wait_optimized 'tiered(integer)')"
# (other tests may have left a backlog: the worker takes them one at a time)
for _ in $(seq 600); do [ "$(ls "$PGDATA/plcpp_cache/jobs/" | grep -c '\.job$')" = 0 ] && break; sleep 0.2; done
check "no job is left in the queue" "0" "$(ls "$PGDATA/plcpp_cache/jobs/" | grep -c '\.job$')"
# 3. The session switches at its next transaction; a new session loads the -O2 object.
s1 "SELECT tiered(5);"
contains "the session switches to the optimized code" "$out" "tiered(integer) now runs its optimized code"
contains "... and still returns the right result" "$out" "^6$"
s1 "SELECT tiered(7);"
check "... once (no further switch or load)" "8" "$(echo "$out" | grep -v '^$' | tr '\n' ' ' | sed 's/ $//')"
out=$(debug "SELECT tiered(5)")
contains "a new session loads the optimized object" "$out" "loaded tiered(integer) from the compiled-code cache in [0-9.]* ms$"

# 4. Static variables: the session keeps the code it started with (they are not reset);
# a new session gets the optimized code.
q "SET check_function_bodies = off; CREATE FUNCTION counter() RETURNS int LANGUAGE plcpp AS \$\$ $tag static int calls = 0; std::vector<int> v{1}; return ++calls + v[0] - 1; \$\$" >/dev/null
s1 "SELECT counter();"
contains "static variables: first call at -O0" "$out" "compiled counter() at -O0"
wait_optimized 'counter()' >/dev/null
s1 "SELECT counter();"
check "static variables: the session keeps its code, the count goes on" "2" "$(echo "$out" | grep -v '^$')"
check "static variables: a new session starts from the optimized code" "1" "$(q 'SELECT counter()')"
echo '\q' >&"${S1[1]}"; wait "$S1_PID" 2>/dev/null

# 5. Eight sessions call a new function at once: all right, one -O0 compile, one -O2 object.
q "SET check_function_bodies = off; CREATE FUNCTION raced(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ $(body 2) \$\$" >/dev/null
pids=()
for i in 1 2 3 4 5 6 7 8; do
  (debug 'SELECT raced(5)' >"$PLCPP_TMP/tier_race.$i") & pids+=($!)
done
wait "${pids[@]}"
check "8 concurrent first calls all succeed" "8" "$(grep -lx 7 "$PLCPP_TMP"/tier_race.? | wc -l)"
check "8 concurrent first calls: one compile" "1" "$(cat "$PLCPP_TMP"/tier_race.? | grep -c 'compiled raced(integer)')"
check "8 concurrent first calls: one -O2 object in the end" "2" "$(wait_optimized 'raced(integer)')"

# 6. plcpp.tiered_compilation = off, and DO blocks: -O2 at once, nothing queued.
out=$(debug "SET plcpp.tiered_compilation = off; CREATE FUNCTION untiered(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ $(body 3) \$\$; SELECT untiered(1)")
contains "tiered_compilation = off: compiled optimized at once" "$out" "compiled untiered(integer) in .*interrupt checks)$"
check "tiered_compilation = off: the cache holds the -O2 object" "2" \
  "$(q "SELECT string_agg(opt_level::text, ',') FROM plcpp.compile_cache WHERE function = 'untiered(integer)'")"
out=$(debug "DO LANGUAGE plcpp \$\$ $tag std::vector<int> v{1, 2}; notice(std::to_string(v.size())); \$\$")
contains "DO blocks run" "$out" "NOTICE:  2"
check "DO blocks compile optimized code (no -O0 object)" "2" \
  "$(q "SELECT string_agg(DISTINCT opt_level::text, ',') FROM plcpp.compile_cache WHERE function = 'inline_code_block()'")"

# 7. An unwritable cache: no job can be queued, so there is no tiering (the session would
# never get optimized code): the first call compiles -O2 code, and the function works.
mkdir -p "$PLCPP_TMP/tier_readonly" && chmod 555 "$PLCPP_TMP/tier_readonly"
"${PSQL[@]}" -d plcpp_tier_test -c "ALTER SYSTEM SET plcpp.cache_dir = '$PLCPP_TMP/tier_readonly/cache'" -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.5
out=$(debug "SET check_function_bodies = off; CREATE FUNCTION readonly_cache(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ $(body 5) \$\$; SELECT readonly_cache(5)")
contains "unwritable cache: the first call compiles optimized code" "$out" "compiled readonly_cache(integer) in .*interrupt checks)$"
contains "unwritable cache: ... and returns the right result" "$out" "^10$"
"${PSQL[@]}" -d plcpp_tier_test -c "ALTER SYSTEM RESET plcpp.cache_dir" -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.5

# 8. A queued job whose worker never ran (a crash): the next session that loads the -O0 object
# queues it again, and the optimized object appears.
q "SET check_function_bodies = off; SET plcpp.tiered_compilation = off; SET plcpp.opt_level = 0;
   CREATE FUNCTION orphan(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ $(body 4) \$\$; SELECT orphan(1)" >/dev/null
out=$(debug "SELECT orphan(2)")
contains "an -O0 object without its job: loaded, and queued again" "$out" "loaded orphan(integer) from the compiled-code cache .*(-O0 code; its optimized build is queued)"
check "... and the worker builds the optimized object" "2" "$(wait_optimized 'orphan(integer)')"

"${PSQL[@]}" -d postgres -c "DROP DATABASE plcpp_tier_test"
