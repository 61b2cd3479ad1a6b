#!/usr/bin/env bash
# test/server/shared_object_test.sh — compiled bodies as shared objects (issue 20).
#
# Starts its own server WITHOUT shared_preload_libraries (a backend loads plcpp.so itself, as
# most installations do) and with tiered compilation off (each body is compiled once, at -O2,
# so the code a check looks at is not replaced behind its back). Checks, in order:
#   1. LLVM-free backends: a new session that calls a cached function maps its <key>.so from
#      the cache directory and no libLLVM, libclang-cpp or plcpp_compiler.so, nor after it
#      compiled a new function (in a child process), nor with tiered compilation (-O0 code,
#      then the optimizer's -O2 object); ldd of plcpp.so names no LLVM;
#   2. old cache entries: a legacy <key>.o (and .hits) is never loaded, and the next store
#      (and compile_cache_purge()) removes it;
#   3. replacing and unloading: CREATE OR REPLACE from inside a call of the same function, DROP
#      while another session has the code loaded, a new version from another session, static
#      destructors run at unload, the cache purged under a session that has the code mapped;
#      C++ exceptions (in one body, through two nested bodies) still unwind after 200
#      load/unload cycles at reused addresses; no crash, same backend;
#   4. gdb -p (run outside the data directory): a breakpoint on plcpp_public_<name>_<oid>, a
#      backtrace with that frame at plcpp-body:<line>, detach, the call finishes (SKIP when
#      ptrace is not allowed); the name scheme for a quoted schema and name (nm);
#   5. perf record -p / perf report names the body's symbol among the top entries, and
#      --sort srcline its plcpp-body lines (SKIP when perf cannot record here);
#   6. a parallel query calls a cached PARALLEL SAFE function in its workers.
# Prints TAP lines.
set -u
cd "$(dirname "$0")/../.."
source scripts/server.sh
unset PLCPP_TMP # the caller's server is not ours to stop
trap 'for p in $(jobs -p); do kill "$p" 2>/dev/null; done; server_stop' EXIT
export PGOPTIONS="-c client_min_messages=warning"
unset DEBUGINFOD_URLS # gdb and perf must not go looking for debug information on the network
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "#   ${2:0:800}"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2], got [$3]"; fi; }
contains() { if echo "$2" | grep -qE -- "$3"; then ok "$1"; else not_ok "$1" "no [$3] in [$2]"; fi; }
lacks() { if echo "$2" | grep -qE -- "$3"; then not_ok "$1" "[$3] found in [$2]"; else ok "$1"; fi; }
q() { psql -X -q -At -v VERBOSITY=verbose -d so -c "$1" 2>&1; }
no_crash() {
  local hits
  hits=$(grep -cE "terminated by signal|server process .* (was terminated|exited with exit code [^0])|terminating any other active server processes|database system was interrupted" "$PLCPP_TMP/server.log")
  check "$1: no crashed backend, no crash recovery (server log)" "0" "$hits"
}

server_start "plcpp.tiered_compilation = off" >/dev/null || { echo "not ok 1 - server start"; exit 1; }
psql -X -q -c "CREATE DATABASE so" >/dev/null
q "CREATE EXTENSION plcpp" >/dev/null
cache=$PGDATA/$(q "LOAD 'plcpp'; SHOW plcpp.cache_dir")
objects=$cache/objects
LLVM_LIBS='libLLVM|libclang-cpp|plcpp_compiler\.so'

# Sessions that stay open across steps: psql reading a FIFO, writing a file.
declare -A sess_fd sess_seq
open_session() { # open_session NAME
  local f=$PLCPP_TMP/session_$1 fd
  mkfifo "$f.in"
  psql -X -q -At -v VERBOSITY=verbose -d so <"$f.in" >"$f.out" 2>&1 &
  exec {fd}>"$f.in"
  sess_fd[$1]=$fd
  sess_seq[$1]=0
}
in_session() { # in_session NAME SQL: runs it, sets $out to what it printed
  local f=$PLCPP_TMP/session_$1 k=$((${sess_seq[$1]} + 1))
  sess_seq[$1]=$k
  printf '%s\n\\echo __END_%s__\n' "$2" "$k" >&"${sess_fd[$1]}"
  for _ in $(seq 1800); do grep -q "^__END_${k}__$" "$f.out" && break; sleep 0.1; done
  out=$(awk -v k="$k" '$0 == "__END_" (k - 1) "__" { keep = 1; next } $0 == "__END_" k "__" { exit } keep || k == 1' "$f.out")
}
close_session() { exec {sess_fd[$1]}>&-; }
key_of() { q "SELECT key FROM plcpp.compile_cache WHERE function = '$1' ORDER BY compiled_at DESC LIMIT 1"; }
oid_of() { q "SELECT '$1'::regprocedure::oid"; }
maps() { awk '{ print $6 }' "/proc/$1/maps" | sort -u; }

# ---- 1. Backends that run cached code load no LLVM ---------------------------------------
plcpp_so=$(pg_config --pkglibdir)/plcpp.so
compiler_so=$(pg_config --pkglibdir)/plcpp_compiler.so
lacks "ldd plcpp.so names no libLLVM, libclang-cpp or plcpp_compiler.so" "$(ldd "$plcpp_so")" "$LLVM_LIBS"
contains "... while ldd plcpp_compiler.so does name libLLVM (the pattern matches)" "$(ldd "$compiler_so")" "libLLVM"

# An earlier session creates and calls the functions: the cache is warm for the next ones.
q "CREATE FUNCTION warm(n int) RETURNS text LANGUAGE plcpp STRICT AS \$\$
std::vector<std::string> v;
for (int i = 0; i < n; ++i) v.push_back(std::to_string(i * i));
std::string s;
for (auto &w : v) s += w + ',';
return s;
\$\$; SELECT warm(4);" >/dev/null
warm_key=$(key_of 'warm(integer)')
check "the cache holds warm()'s shared object <key>.so" "1" "$([ -f "$objects/$warm_key.so" ] && echo 1)"

# A legacy object named by warm()'s key and another: never loaded, removed by the next store.
legacy=0123456789abcdef0123456789abcdef
printf 'not an ELF object' >"$objects/$warm_key.o"
printf 'not an ELF object' >"$objects/$legacy.o"
printf 'xx' >"$objects/$legacy.hits"
chown postgres: "$objects"/*.o "$objects"/*.hits 2>/dev/null

open_session A
in_session A "SELECT pg_backend_pid(); SELECT warm(4);"
apid=$(echo "$out" | head -1)
check "a new session calls the cached function" "0,1,4,9," "$(echo "$out" | sed -n 2p)"
m=$(maps "$apid")
contains "... and maps plcpp.so (the right process)" "$m" "/plcpp\.so$"
contains "... and maps $warm_key.so from the cache directory" "$m" "^$objects/$warm_key\.so$"
lacks "... and maps no libLLVM, libclang-cpp or plcpp_compiler.so" "$m" "$LLVM_LIBS"
lacks "... nor a legacy .o file of the cache" "$m" "\.o$"
check "the legacy files are still there (nothing stored yet)" "3" "$(ls "$objects" | grep -cE "^($warm_key\.o|$legacy\.(o|hits))$")"

tag=$(date +%s%N) # a body never compiled before: this session compiles it
in_session A "CREATE FUNCTION fresh(n int) RETURNS text LANGUAGE plcpp STRICT AS \$\$ /* $tag */ std::map<int, std::string> m; for (int i = 0; i < n; ++i) m[i] = std::to_string(i); return m.rbegin()->second; \$\$; SELECT fresh(7); SELECT pg_backend_pid();"
check "the same session compiles and calls a new function" "6 $apid" "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"
fresh_key=$(key_of 'fresh(integer)')
m=$(maps "$apid")
contains "... and maps the new function's $fresh_key.so" "$m" "^$objects/$fresh_key\.so$"
lacks "... and still maps no libLLVM, libclang-cpp or plcpp_compiler.so (it compiled in a child)" "$m" "$LLVM_LIBS"
check "the store removed the legacy .o files and their .hits" "0" "$(ls "$objects" | grep -cE '\.o$|^'"$legacy")"
check "compile_cache lists no legacy entry" "0" "$(q "SELECT count(*) FROM plcpp.compile_cache WHERE key = '$legacy'")"

# Tiered compilation (the default, off on this server): the -O0 code, then the optimizer
# worker's -O2 object, both loaded in the backend without LLVM; the -O0 code is unloaded.
before=$(maps "$apid" | grep "^$objects/")
in_session A "SET plcpp.tiered_compilation = on; CREATE FUNCTION tiered(n int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ /* $tag */ std::vector<std::string> v; for (int i = 0; i < n; ++i) v.push_back(std::to_string(i)); std::sort(v.begin(), v.end()); return (int)v.size() * 2; \$\$; SELECT tiered(5);"
check "tiered: the first call runs the -O0 code" "10" "$out"
tier0=$(comm -13 <(echo "$before") <(maps "$apid" | grep "^$objects/"))
check "... loaded from one new shared object" "1" "$(echo "$tier0" | grep -c '\.so$')"
for _ in $(seq 1200); do
  levels=$(q "SELECT string_agg(opt_level::text, ',') FROM plcpp.compile_cache WHERE function = 'tiered(integer)'")
  [ "$levels" = 2 ] && break
  sleep 0.1
done
check "the optimizer worker stores the -O2 object in place of the -O0 one" "2" "$levels"
in_session A "SELECT tiered(6); SELECT pg_backend_pid();"
check "the session switches to it at its next transaction" "12 $apid" "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"
m=$(maps "$apid")
contains "... mapping the -O2 object" "$m" "^$objects/$(key_of 'tiered(integer)')\.so$"
lacks "... and no longer the -O0 one" "$m" "^${tier0:-none}$"
lacks "... and still no libLLVM, libclang-cpp or plcpp_compiler.so" "$m" "$LLVM_LIBS"
in_session A "RESET plcpp.tiered_compilation;"

# ---- 3. Replacing and unloading ----------------------------------------------------------
# CREATE OR REPLACE of itself from inside its call: the old code is on the stack and finishes.
q "CREATE FUNCTION selfrep() RETURNS text LANGUAGE plcpp AS \$\$
std::string before = \"old-\" + std::to_string(6 * 7);
spi::exec(\"CREATE OR REPLACE FUNCTION selfrep() RETURNS text LANGUAGE plcpp AS \$b\$ return std::string(\\\"new\\\"); \$b\$\");
std::vector<int> v(1000, 1); // work done by the old code after its replacement compiled
std::string inner = spi::query_one<std::string>(\"SELECT selfrep()\").value(); // the new code
return before + \"-\" + std::to_string(std::accumulate(v.begin(), v.end(), 0)) + \"-\" + inner;
\$\$" >/dev/null
in_session A "SELECT selfrep(); SELECT selfrep(); SELECT pg_backend_pid();"
check "CREATE OR REPLACE from inside its own call: the old code finishes (calling the new inside), the next call runs the new" "old-42-1000-new new $apid" "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"

# Static destructors run when the code is unloaded: in the session that replaces the
# function, and in another session that had the old code loaded, at its next call.
dtor_log=$PLCPP_TMP/dtor.log
: >"$dtor_log"
chown postgres: "$dtor_log"
version() { # version N: the body of version N of vers(), with a static object that logs its end
  cat <<EOF
CREATE OR REPLACE FUNCTION vers() RETURNS text LANGUAGE plcpp AS \$\$
#include <cstdio>
#include <unistd.h>
struct mark {
  ~mark() {
    if (FILE *f = std::fopen("$dtor_log", "a")) { std::fprintf(f, "v$1 %d\\n", (int)getpid()); std::fclose(f); }
  }
};
static mark m;
return "v$1";
\$\$;
EOF
}
open_session B
in_session B "SELECT pg_backend_pid(); $(version 1) SELECT vers();"
bpid=$(echo "$out" | head -1)
check "session B runs version 1" "v1" "$(echo "$out" | sed -n 2p)"
v1_key=$(key_of 'vers()')
in_session A "SELECT vers();"
check "session A runs version 1" "v1" "$out"
check "no static destructor has run while version 1 is loaded" "" "$(cat "$dtor_log")"
in_session A "$(version 2) SELECT vers();"
check "session A replaces it and runs version 2" "v2" "$out"
check "... and version 1's static destructor ran in A when its code was unloaded" "v1 $apid" "$(cat "$dtor_log")"
in_session B "SELECT vers(); SELECT pg_backend_pid();"
check "session B, which had version 1 loaded, runs version 2 at its next call" "v2 $bpid" "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"
check "... and version 1's static destructor ran in B too" "v1 $apid|v1 $bpid" "$(paste -sd'|' "$dtor_log")"

# DROP while another session has the code loaded (and a prepared statement that calls it).
q "CREATE FUNCTION dropme(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ return a * 3; \$\$" >/dev/null
in_session B "PREPARE p AS SELECT dropme(5); EXECUTE p;"
check "session B has dropme() loaded" "15" "$out"
in_session A "DROP FUNCTION dropme(int);"
check "session A drops it" "" "$out"
in_session B "EXECUTE p;"
contains "session B's prepared call of the dropped function: a clean ERROR 42883" "$out" "^ERROR:  42883: function dropme\(integer\) does not exist"
in_session B "SELECT dropme(5);"
contains "... and a direct call too" "$out" "^ERROR:  42883"
in_session B "SELECT vers(); SELECT pg_backend_pid();"
check "... and session B goes on (same backend)" "v2 $bpid" "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"

# The cache purged while session B has code mapped from it (and a legacy file: purged too).
vers_key=$(q "SELECT key FROM plcpp.compile_cache WHERE function = 'vers()' AND key <> '$v1_key'") # version 2
printf 'not an ELF object' >"$objects/$legacy.o"
chown postgres: "$objects/$legacy.o"
in_session A "SELECT plcpp.compile_cache_purge() > 0;"
check "compile_cache_purge() in session A removes the objects" "t 0" "$out $(ls "$objects" | grep -c "^$vers_key\.so$")"
check "... and the legacy .o file" "0" "$(ls "$objects" | grep -c '\.o$')"
contains "session B still maps vers()'s removed file" "$(awk '{ print $6, $7 }' "/proc/$bpid/maps")" "^$objects/$vers_key\.so \(deleted\)$"
in_session B "SELECT vers(); SELECT pg_backend_pid();"
check "... and calls it (same backend)" "v2 $bpid" "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"
check "a new session compiles vers() again and runs it" "v2 1" "$(q "SELECT vers()") $(ls "$objects" | grep -c "^$vers_key\.so$")"

# Exceptions after many loads and unloads in one session (code mapped where unloaded code was).
q "CREATE FUNCTION catcher() RETURNS text LANGUAGE plcpp AS \$\$
try {
  throw std::runtime_error(\"caught in the same body\");
} catch (const std::exception &e) {
  return std::string(e.what());
}
\$\$;
CREATE FUNCTION thrower(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$
if (a > 0) throw std::runtime_error(\"thrown by thrower \" + std::to_string(a));
return a;
\$\$;
CREATE FUNCTION outer_catch(a int) RETURNS text LANGUAGE plcpp STRICT AS \$\$
try {
  int r = -1;
  spi::subtransaction([&] { r = spi::query_one<int>(\"SELECT thrower(\$1)\", a).value_or(-1); });
  return \"no error: \" + std::to_string(r);
} catch (const sql_error &e) {
  return \"outer caught \" + e.sqlstate() + \": \" + e.message();
}
\$\$" >/dev/null
exc_expected="caught in the same body|outer caught 38000: thrown by thrower 7"
in_session A "SELECT catcher(); SELECT outer_catch(7);"
check "before the churn: exceptions caught in a body and through two nested bodies" "$exc_expected" "$(echo "$out" | paste -sd'|')"
churn=$PLCPP_TMP/churn.sql
loaded=$(maps "$apid" | grep "^$objects/" | sed "s/^/'%/; s/\$/'/" | paste -sd,) # not churn's
for i in $(seq 200); do
  echo "CREATE OR REPLACE FUNCTION churn(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ return a + $i; \$\$;"
  echo "SELECT churn(0), (SELECT min(split_part(l, '-', 1)) FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\\n') l WHERE l LIKE '%$objects/%' AND l NOT LIKE ALL (ARRAY[$loaded]) AND l LIKE '%r-xp%');"
done >"$churn"
in_session A "\\o $PLCPP_TMP/churn.out
\\i $churn
\\o"
check "200 CREATE OR REPLACE + call cycles in session A: each ran its new code" "$(seq -s' ' 200)" "$(cut -d'|' -f1 "$PLCPP_TMP/churn.out" | paste -sd' ')"
# The premise: unloaded code's addresses were used again (else the next checks prove less).
reused=$(cut -d'|' -f2 "$PLCPP_TMP/churn.out" | sort | uniq -d | wc -l)
check "... and code was mapped again at addresses of unloaded code" "1" "$((reused > 0))"
echo "# executable mappings of objects seen at $(cut -d'|' -f2 "$PLCPP_TMP/churn.out" | sort -u | wc -l) distinct addresses over 200 loads"
in_session A "SELECT catcher(); SELECT outer_catch(7); SELECT pg_backend_pid();"
check "after the churn: the same exceptions, in the same backend" "$exc_expected|$apid" "$(echo "$out" | paste -sd'|')"
# New code for the throwing functions, now loaded where churn's code was.
in_session A "CREATE OR REPLACE FUNCTION thrower(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$
if (a > 1) throw std::invalid_argument(\"thrown by the new thrower \" + std::to_string(a));
return a;
\$\$;
CREATE OR REPLACE FUNCTION catcher() RETURNS text LANGUAGE plcpp AS \$\$
try { std::vector<int> v(3); return std::to_string(v.at(5)); }
catch (const std::out_of_range &) { return std::string(\"new catcher caught out_of_range\"); }
\$\$;
SELECT catcher(); SELECT outer_catch(8); SELECT outer_catch(1); SELECT pg_backend_pid();"
check "... and from replaced code, loaded after the churn" "new catcher caught out_of_range|outer caught 38000: thrown by the new thrower 8|no error: 1|$apid" "$(echo "$out" | paste -sd'|')"
in_session A "SELECT thrower(3);"
contains "an exception no body catches: ERROR 38000 with its message" "$out" "^ERROR:  38000: thrown by the new thrower 3"
contains "... and its type" "$out" "^DETAIL:  C\+\+ exception of type std::invalid_argument"
no_crash "replacing, dropping, unloading, exceptions"

# ---- 4. gdb ------------------------------------------------------------------------------
# The symbol's name: plcpp_<schema>_<name>_<oid>, every byte that is not an ASCII letter,
# digit or _ made _ (here a space and the two bytes of Ü).
q "CREATE SCHEMA \"dbg Ü\"; CREATE FUNCTION \"dbg Ü\".\"f-1\"(a int) RETURNS text LANGUAGE plcpp STRICT AS \$\$ return std::to_string(a); \$\$; SELECT \"dbg Ü\".\"f-1\"(5)" >/dev/null
odd_sym=plcpp_dbg____f_1_$(oid_of '"dbg Ü"."f-1"(int)')
odd_key=$(key_of '"dbg Ü"."f-1"(integer)')
contains "the shared object of \"dbg Ü\".\"f-1\" defines $odd_sym" "$(nm -C "$objects/$odd_key.so" 2>&1)" " plcpp_fn::$odd_sym(\[abi:cxx11\])?\(int\)$"
q "CREATE FUNCTION dbg(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$
int s = a;
s += 1;
int t = s * 2;
spi::exec(\"SELECT pg_sleep(0)\");
return t;
\$\$" >/dev/null
dbg_sym=plcpp_public_dbg_$(oid_of 'dbg(int)')
open_session G
in_session G "SELECT pg_backend_pid(); SELECT dbg(1);"
gpid=$(echo "$out" | head -1)
check "session G calls dbg() (its code is loaded)" "4" "$(echo "$out" | sed -n 2p)"
gdb_out=$PLCPP_TMP/gdb.out
if ! command -v gdb >/dev/null; then
  skip "gdb is not installed"
else
  # Run from the test's directory, not the data directory: gdb must find the object by itself.
  # If a stop does not come (no symbol: only one breakpoint), SIGINT after 60 s stops the
  # waiting `continue`; gdb then runs the remaining commands and detaches cleanly (a killed
  # gdb could leave its breakpoint instructions in the backend).
  timeout -s INT -k 30 60 gdb -p "$gpid" -batch -nx -iex 'set debuginfod enabled off' -ex 'set pagination off' -ex 'set confirm off' \
    -ex "break $dbg_sym" -ex 'break pg_sleep' -ex 'echo READY\n' -ex 'continue' -ex 'bt 1' \
    -ex 'continue' -ex 'bt' -ex 'delete' -ex 'detach' >"$gdb_out" 2>&1 &
  gdb_job=$!
  for _ in $(seq 600); do
    grep -qE '^READY$|ptrace: |Could not attach' "$gdb_out" && break
    kill -0 "$gdb_job" 2>/dev/null || break
    sleep 0.1
  done
  if grep -qE 'ptrace: (Operation not permitted|Permission denied)|Could not attach' "$gdb_out"; then
    wait "$gdb_job"
    skip "gdb cannot attach here (ptrace forbidden): $(grep -m1 -E 'ptrace|attach' "$gdb_out")"
  else
    in_session G "SELECT dbg(20);"
    dbg_result=$out
    wait "$gdb_job"
    check "gdb -p ran and detached" "0" "$?"
    contains "gdb sets a breakpoint on $dbg_sym, in plcpp-body" "$(cat "$gdb_out")" "^Breakpoint 1 at 0x[0-9a-f]+: file .*plcpp-body, line [0-9]+\."
    contains "... and the call stops there, in the frame named $dbg_sym" "$(cat "$gdb_out")" "^Breakpoint 1, .*$dbg_sym\("
    contains "a backtrace from pg_sleep shows $dbg_sym at plcpp-body:5 (the line of spi::exec)" "$(cat "$gdb_out")" "^#[0-9]+ +.*$dbg_sym\(.* at [^ ]*plcpp-body:5$"
    check "after gdb detached, the call finishes correctly" "42" "$dbg_result"
    in_session G "SELECT dbg(2); SELECT pg_backend_pid();"
    check "... and the session goes on" "6 $gpid" "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"
  fi
fi

# ---- 5. perf -----------------------------------------------------------------------------
q "CREATE FUNCTION hot(n bigint) RETURNS bigint LANGUAGE plcpp STRICT AS \$\$
std::uint64_t h = 1469598103934665603ull;
for (std::int64_t i = 0; i < n; ++i) {
  h ^= static_cast<std::uint64_t>(i);
  h *= 1099511628211ull;
  h = (h << 13) | (h >> 51);
}
return static_cast<std::int64_t>(h >> 1);
\$\$" >/dev/null
hot_sym=plcpp_public_hot_$(oid_of 'hot(bigint)')
perf_data=$PLCPP_TMP/perf.data
if ! command -v perf >/dev/null; then
  skip "perf is not installed"
elif ! probe=$(timeout 30 perf record -q -o "$perf_data" -- true 2>&1); then
  skip "perf cannot record here: $(echo "$probe" | head -1)"
else
  in_session G "SELECT hot(1000); SELECT pg_backend_pid();"
  check "session G calls hot()" "$(q "SELECT hot(1000)") $gpid" "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"
  # About 2 s of the loop (calibrated here), recorded for 1 s of it.
  t0=$(date +%s%N)
  q "SELECT hot(20000000)" >/dev/null
  per=$((($(date +%s%N) - t0) / 20000 + 1)) # ns per 1000 iterations, roughly
  iters=$((3000000000 / per * 1000))
  in_session_bg() { printf '%s\n\\echo __BG__\n' "$1" >&"${sess_fd[G]}"; }
  in_session_bg "SELECT hot($iters) > 0;"
  sleep 0.3
  timeout 60 perf record -q -F 999 -p "$gpid" -o "$perf_data" -- sleep 1 >"$PLCPP_TMP/perf.record" 2>&1
  for _ in $(seq 600); do grep -q '^__BG__$' "$PLCPP_TMP/session_G.out" && break; sleep 0.1; done
  check "the hot call finishes" "t" "$(grep -B1 '^__BG__$' "$PLCPP_TMP/session_G.out" | head -1)"
  top=$(timeout 120 perf report -i "$perf_data" --stdio --sort sym 2>/dev/null | grep -vE '^#|^$' | head -5)
  contains "perf report names $hot_sym among the top entries" "$top" "$hot_sym"
  lines=$(timeout 120 perf report -i "$perf_data" --stdio --sort sym,srcline 2>/dev/null | grep -vE '^#|^$' | head -5)
  contains "... and --sort srcline its loop's body lines (plcpp-body:3..6)" "$lines" "$hot_sym +plcpp-body:[3-6]$"
  echo "# perf report --sort sym,srcline, top entries:"
  echo "$lines" | sed 's/^/#   /'
fi

# ---- 6. Parallel workers load the code too -----------------------------------------------
q "CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 200000) g; ANALYZE big;
CREATE FUNCTION par(a int) RETURNS bigint LANGUAGE plcpp STRICT PARALLEL SAFE AS \$\$
std::string s = std::to_string(a);
return static_cast<std::int64_t>(s.size()) * a;
\$\$; SELECT par(1)" >/dev/null
expected=$(q "SELECT sum(length(id::text)::bigint * id) FROM big")
open_session P
in_session P "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
SELECT sum(par(id)) FROM big;
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT sum(par(id)) FROM big;"
check "a parallel query over a cached PARALLEL SAFE function in a new session: the right sum" "$expected" "$(echo "$out" | head -1)"
contains "... with its workers launched" "$out" "Workers Launched: [12]"
contains "... which call the function (partial aggregates)" "$out" "Output: PARTIAL sum\(par\(id\)\)"
no_crash "gdb, perf, parallel workers"

close_session A
close_session B
close_session G
close_session P
wait
