#!/usr/bin/env bash
# test/server/compiler_isolation_test.sh — the compiler can never hurt the server (issue 16).
#
# Starts its own server (shared_preload_libraries = 'plcpp', default settings otherwise, so
# parallel query is on) with an empty compiled-code cache, because it ends with an immediate
# shutdown and needs a fresh cache. Checks, in order:
#   1. a compile that builds the precompiled header leaves the backend's signal dispositions,
#      mask and thread count exactly as PostgreSQL set them; in that session a forced
#      parallel query returns with workers launched, DROP DATABASE elsewhere does not wait
#      for it, and LISTEN receives a NOTIFY while idle (a second PCH: a body naming json);
#   2. bodies that crash Clang, make LLVM exit(), exhaust memory or never finish give an
#      ERROR with the right SQLSTATE, and nothing else: no crash recovery (server log), other
#      sessions live on, no queued job, no temporary file left;
#   3. statement_timeout, pg_cancel_backend and pg_terminate_backend end a compile at once;
#   4. the optimizer: one worker at a time (a parallel query still gets its workers), a job
#      that crashes at -O2 is quarantined and never replayed, pg_ctl stop -m fast stops it;
#   5. a full or read-only cache directory: functions compile and run, one WARNING per
#      session, never FATAL, no partial files;
#   6. a session that compiled dies at once on the postmaster's SIGQUIT (immediate shutdown).
# Prints TAP lines.
set -u
cd "$(dirname "$0")/../.."
source scripts/server.sh
unset PLCPP_TMP # the caller's server is not ours to stop
trap 'server_stop; [ -n "${MNT:-}" ] && umount "$MNT" 2>/dev/null' EXIT
export PGOPTIONS="-c client_min_messages=warning"
PY=/usr/bin/python3
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "#   ${2:0:600}"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2], got [$3]"; fi; }
contains() { if echo "$2" | grep -q -- "$3"; then ok "$1"; else not_ok "$1" "no [$3] in [$2]"; fi; }
q() { psql -X -q -At -v VERBOSITY=verbose -d iso -c "$1" 2>&1; }
ms_now() { date +%s%3N; }
# The server log must never show a crash: not of a backend, not of the postmaster's children.
no_crash() {
  local hits
  hits=$(grep -cE "server process .* (was terminated|exited with exit code [^0])|terminating any other active server processes|all server processes terminated|database system was interrupted|issuing SIGKILL" "$PLCPP_TMP/server.log")
  check "$1: no crash recovery, no killed server process (server log)" "0" "$hits"
}
leftovers() { find "$PGDATA/plcpp_cache" -name '*.tmp*' 2>/dev/null | wc -l; }

server_start "shared_preload_libraries = 'plcpp'" "log_min_messages = log" >/dev/null || { echo "not ok 1 - server start"; exit 1; }
psql -X -q -c "CREATE DATABASE iso" >/dev/null
q "CREATE EXTENSION plcpp" >/dev/null
q "CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 200000) g; ANALYZE big" >/dev/null
check "the cache starts empty" "0" "$(ls "$PGDATA/plcpp_cache" 2>/dev/null | grep -c pch)"

# Sessions that stay open across steps: psql reading a FIFO, writing a file.
declare -A sess_fd sess_seq
open_session() { # open_session NAME
  local f=$PLCPP_TMP/session_$1 fd
  mkfifo "$f.in"
  psql -X -q -At -d iso <"$f.in" >"$f.out" 2>&1 &
  exec {fd}>"$f.in"
  sess_fd[$1]=$fd
  sess_seq[$1]=0
}
in_session() { # in_session NAME SQL: runs it, sets $out to what it printed
  local f=$PLCPP_TMP/session_$1 k=$((${sess_seq[$1]} + 1))
  sess_seq[$1]=$k
  printf '%s\n\\echo __END_%s__\n' "$2" "$k" >&"${sess_fd[$1]}"
  for _ in $(seq 1200); do grep -q "^__END_${k}__$" "$f.out" && break; sleep 0.1; done
  out=$(awk -v k="$k" '$0 == "__END_" (k - 1) "__" { keep = 1; next } $0 == "__END_" k "__" { exit } keep || k == 1' "$f.out")
}
close_session() { exec {sess_fd[$1]}>&-; }
a() { in_session A "$1"; }

# ---- 1. The backend's process state ----------------------------------------------------
open_session A
a "SELECT pg_backend_pid();"
apid=$(echo "$out" | head -1)
state() { grep -E '^(SigBlk|SigIgn|SigCgt|Threads):' "/proc/$1/status" | tr '\n' ' '; }
before=$(state "$apid")
a "CREATE FUNCTION words(n int) RETURNS text LANGUAGE plcpp STRICT AS \$\$ std::vector<std::string> v; for (int i = 0; i < n; ++i) v.push_back(std::to_string(i)); std::string s; for (auto &w : v) s += w; return s; \$\$; SELECT words(4);"
contains "session A compiles a body (building the PCH on an empty cache)" "$out" "^0123$"
check "a PCH was built" "1" "$(ls "$PGDATA/plcpp_cache" | grep -c '\.pch$' | awk '{print ($1 >= 1)}')"
check "after the compile: signal dispositions, mask and threads are PostgreSQL's" "$before" "$(state "$apid")"
a "SET statement_timeout = '60s'; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2; SELECT count(*) FROM big; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM big;"
contains "a forced parallel query in that session returns" "$out" "^200000$"
contains "... with its workers launched" "$out" "Workers Launched: [12]"
t0=$(ms_now)
dropped=$(timeout 30 psql -X -q -At -c "CREATE DATABASE dropme" -c "DROP DATABASE dropme" 2>&1 && echo done)
check "DROP DATABASE elsewhere does not wait for the idle session (ProcSignalBarrier)" "done" "$dropped"
echo "# DROP DATABASE took $(($(ms_now) - t0)) ms"
# LISTEN while idle, in a session whose compile builds the json PCH.
listen=$(PGDATABASE=iso $PY - <<'EOF' 2>&1
import os, select, subprocess, psycopg2
c = psycopg2.connect(dbname="iso")
c.autocommit = True
cur = c.cursor()
cur.execute("select pg_backend_pid()")
pid = cur.fetchone()[0]
def state():
    with open("/proc/%d/status" % pid) as f:
        return [l for l in f if l.split(":")[0] in ("SigBlk", "SigIgn", "SigCgt", "Threads")]
before = state()
cur.execute("CREATE FUNCTION js(n int) RETURNS jsonb LANGUAGE plcpp STRICT AS $$ nlohmann::json j; j[\"n\"] = n; return j; $$")
cur.execute("select js(3)::text")
print("json", cur.fetchone()[0])
print("state", "same" if state() == before else "changed: %r -> %r" % (before, state()))
cur.execute("LISTEN isolation_channel")
subprocess.run(["psql", "-X", "-q", "-d", "iso", "-c", "NOTIFY isolation_channel, 'hello'"], check=True)
if select.select([c], [], [], 20) == ([], [], []):
    print("notify none")
else:
    c.poll()
    print("notify", c.notifies[0].payload if c.notifies else "none")
EOF
)
contains "a body naming json compiles in another session (its own PCH)" "$listen" 'json {"n": 3}'
contains "... and leaves that backend's signal state unchanged" "$listen" "state same"
contains "... and that session, idle, receives a NOTIFY" "$listen" "notify hello"

# ---- 2. Bodies that crash or exhaust the compiler --------------------------------------
open_session B
in_session B "SELECT pg_backend_pid();"
bpid=$out
for _ in $(seq 300); do [ "$(ls "$PGDATA/plcpp_cache/jobs" | grep -c '\.job$')" = 0 ] && break; sleep 0.1; done
attack() { # attack NAME SQLSTATE BODY [SETTINGS]: CREATE FUNCTION must fail with SQLSTATE
  local file="$PLCPP_TMP/attack.sql"
  { echo "${4:-}"; echo "CREATE FUNCTION $1() RETURNS int LANGUAGE plcpp AS \$body\$"; printf '%s\n' "$3"; echo "\$body\$;"; } >"$file"
  out=$(psql -X -q -At -v VERBOSITY=verbose -d iso -f "$file" 2>&1)
  contains "$1: ERROR $2" "$out" "ERROR:  $2:"
}
attack pragma_crash XX000 $'#pragma clang __debug crash\nreturn 1;'
contains "pragma_crash: the detail names the signal" "$out" "died of signal"
attack llvm_fatal XX000 $'#pragma clang __debug llvm_fatal_error\nreturn 1;'
attack bogus_asm 42601 'asm volatile("bogus_insn %eax"); return 1;' # LLVM's error becomes a compile error (it used to exit(1))
contains "bogus_asm: LLVM's message reaches the client" "$out" "invalid instruction mnemonic"
attack long_sum XX000 "return $(seq -s+ 1 100000 | sed 's/+/+1*/g');" # 100,000 terms
attack deep_ternary XX000 "int x = 0; return $(for i in $(seq 50000); do printf 'x == %d ? %d : ' "$i" "$i"; done)0;"
attack incbin 53200 'asm(".incbin \"/dev/zero\""); return 1;' "SET plcpp.compile_memory_limit = '300MB';"
attack overflow_stack 57014 $'#pragma clang __debug overflow_stack\nreturn 1;' "SET plcpp.compile_timeout = '2s';"
contains "overflow_stack: the message names plcpp.compile_timeout" "$out" "plcpp.compile_timeout"
in_session B "SELECT pg_backend_pid();"
check "another session lives on through all of them (same backend)" "$bpid" "$out"
a "SELECT words(2);"
contains "session A still works" "$out" "^01$"
no_crash "crashing bodies"
check "no job queued by a body that did not compile" "" "$(sed -n 4p "$PGDATA/plcpp_cache/jobs/"*.job 2>/dev/null)"
check "no temporary file left in the cache" "" "$(find "$PGDATA/plcpp_cache" -name '*.tmp*' 2>/dev/null)"

# ---- 3. Cancel, timeout and terminate end a compile at once ----------------------------
slow_body=$'#pragma clang __debug overflow_stack\nreturn 1;' # runs until killed
t0=$(ms_now)
attack timeout_1s 57014 "$slow_body" "SET statement_timeout = '1s';"
elapsed=$(($(ms_now) - t0))
contains "statement_timeout: the usual message" "$out" "canceling statement due to statement timeout"
check "statement_timeout = 1s ends the compile within 5 s" "1" "$((elapsed < 5000))"
echo "# statement_timeout = 1s: the statement took $elapsed ms"
# The normal latency of a cancel, measured the same way (a statement that sleeps), to compare.
psql -X -q -At -d iso -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(60)" >"$PLCPP_TMP/sleep.out" 2>&1 &
spid=$!
for _ in $(seq 100); do victim=$(head -1 "$PLCPP_TMP/sleep.out"); [ -n "$victim" ] && break; sleep 0.05; done
sleep 1
t0=$(ms_now)
psql -X -q -At -d iso -c "SELECT pg_cancel_backend($victim)" >/dev/null
wait "$spid"
baseline=$(($(ms_now) - t0))
echo "# pg_cancel_backend of pg_sleep (the normal latency, measured the same way): $baseline ms"
for how in cancel terminate; do
  { echo "SET plcpp.compile_timeout = 0; SELECT pg_backend_pid();"; printf 'CREATE FUNCTION slow_%s() RETURNS int LANGUAGE plcpp AS $b$\n%s\n$b$;\n' "$how" "$slow_body"; } >"$PLCPP_TMP/slow.sql"
  psql -X -q -At -v VERBOSITY=verbose -d iso -f "$PLCPP_TMP/slow.sql" >"$PLCPP_TMP/slow.out" 2>&1 &
  spid=$!
  for _ in $(seq 100); do victim=$(head -1 "$PLCPP_TMP/slow.out"); [ -n "$victim" ] && break; sleep 0.05; done
  sleep 1 # the compile is running
  compiler=$(pgrep -P "$victim" | tr '\n' ' ')
  check "pg_${how}_backend: a compile process runs for that backend" "1" "$([ -n "$compiler" ] && echo 1)"
  if [ "$how" = cancel ]; then
    # A ProcSignalBarrier (DROP DATABASE) is absorbed by a backend waiting for its compile.
    t1=$(ms_now)
    dropped=$(timeout 30 psql -X -q -At -c "CREATE DATABASE dropme2" -c "DROP DATABASE dropme2" 2>&1 && echo done)
    check "DROP DATABASE elsewhere does not wait for a session that is compiling" "done 1" "$dropped $(($(ms_now) - t1 < 10000))"
  fi
  t0=$(ms_now)
  psql -X -q -At -d iso -c "SELECT pg_${how}_backend($victim)" >/dev/null
  wait "$spid"
  elapsed=$(($(ms_now) - t0))
  echo "# pg_${how}_backend: the statement ended $elapsed ms later"
  check "pg_${how}_backend ends the compile within 500 ms of a cancel's normal latency" "1" "$((elapsed < baseline + 500))"
  if [ "$how" = cancel ]; then
    contains "pg_cancel_backend: 57014, canceling statement due to user request" "$(cat "$PLCPP_TMP/slow.out")" "57014: canceling statement due to user request"
  else
    contains "pg_terminate_backend: the session ends (57P01)" "$(cat "$PLCPP_TMP/slow.out")" "57P01"
  fi
  alive=""
  for _ in $(seq 40); do alive=""; for p in $compiler; do kill -0 "$p" 2>/dev/null && alive+="$p "; done; [ -z "$alive" ] && break; sleep 0.05; done
  check "pg_${how}_backend: no compile process outlives it" "" "$alive"
done
no_crash "cancelled compiles"
check "no temporary file left after killed compiles" "0" "$(leftovers)"

# ---- 4. The optimizer ------------------------------------------------------------------
# Six sessions compile six new tiered functions at once, while a parallel query runs.
tag="/* $(date +%s%N) */"
for i in 1 2 3 4 5 6; do
  q "SET check_function_bodies = off; CREATE FUNCTION t$i(a int) RETURNS int LANGUAGE plcpp STRICT AS \$\$ $tag std::vector<std::string> v; for (int i = 0; i < a; ++i) v.push_back(std::to_string(i * $i)); std::sort(v.begin(), v.end()); return (int)v.size() + $i; \$\$" >/dev/null
done
# (a worker without a database connection is not in pg_stat_activity: count processes)
# (children of the postmaster: a worker's compile process has the worker's title too)
optimizers() { pgrep -P "$(head -1 "$PGDATA/postmaster.pid")" -f "^postgres: plcpp optimizer" | wc -l; }
(for _ in $(seq 300); do optimizers; sleep 0.03; done >"$PLCPP_TMP/workers.txt") &
sampler=$!
pids=()
for i in 1 2 3 4 5 6; do (q "SELECT t$i(3)" >"$PLCPP_TMP/t$i.out") & pids+=($!); done
wait "${pids[@]}"
par=$(q "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM big")
wait "$sampler"
check "six concurrent first calls all return" "4 5 6 7 8 9" "$(cat "$PLCPP_TMP"/t?.out | tr '\n' ' ' | sed 's/ $//')"
check "the optimizer worker was seen at work" "1" "$(sort -n "$PLCPP_TMP/workers.txt" | tail -1 | awk '{print ($1 >= 1)}')"
check "never more than one optimizer worker at a time" "1" "$(sort -n "$PLCPP_TMP/workers.txt" | tail -1 | awk '{print ($1 <= 1)}')"
contains "a parallel query meanwhile still gets its workers" "$par" "Workers Launched: [12]"
for _ in $(seq 300); do [ "$(ls "$PGDATA/plcpp_cache/jobs" | grep -c '\.job$')" = 0 ] && break; sleep 0.1; done
check "the worker empties the queue" "0" "$(ls "$PGDATA/plcpp_cache/jobs" | grep -c '\.job$')"
# A body that compiles at -O0 but crashes Clang at -O2: quarantined, never replayed.
q "SET check_function_bodies = off; CREATE FUNCTION o2crash() RETURNS int LANGUAGE plcpp AS \$\$
#ifdef __OPTIMIZE__
#pragma clang __debug crash
#endif
std::string s = \"ok\"; return (int)s.size(); \$\$" >/dev/null
check "a body that crashes only at -O2 runs its -O0 code" "2" "$(q 'SELECT o2crash()')"
for _ in $(seq 300); do ls "$PGDATA/plcpp_cache/jobs/quarantine/"*.reason >/dev/null 2>&1 && break; sleep 0.1; done
check "its -O2 job is quarantined" "1" "$(ls "$PGDATA/plcpp_cache/jobs/quarantine/" 2>/dev/null | grep -c '\.job$')"
contains "... with its reason" "$(cat "$PGDATA/plcpp_cache/jobs/quarantine/"*.reason 2>/dev/null)" "crashed"
check "... and is not in the queue" "0" "$(ls "$PGDATA/plcpp_cache/jobs" | grep -c '\.job$')"
contains "... and the server log says so" "$(cat "$PLCPP_TMP/server.log")" "quarantined"
check "a new session still runs it (-O0 code)" "2" "$(q 'SELECT o2crash()')"
no_crash "the optimizer"

# ---- 5. A full, then a read-only cache directory ---------------------------------------
MNT=$PLCPP_TMP/fullcache
mkdir -p "$MNT"
if mount -t tmpfs -o size=2m,mode=0755 tmpfs "$MNT" 2>/dev/null; then
  chown postgres: "$MNT"
  runuser -u postgres -- dd if=/dev/zero of="$MNT/filler" bs=64k count=100 2>/dev/null # leaves ~1.7 MB... then fill
  runuser -u postgres -- sh -c "cat /dev/zero > '$MNT/filler2'" 2>/dev/null
  psql -X -q -c "ALTER SYSTEM SET plcpp.cache_dir = '$MNT/cache'" -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.3
  out=$(psql -X -At -d iso -v VERBOSITY=verbose 2>&1 <<'EOF'
CREATE FUNCTION full1(n int) RETURNS int LANGUAGE plcpp STRICT AS $$ std::string s(n, 'x'); return (int)s.size(); $$;
SELECT full1(5);
CREATE FUNCTION full2(n int) RETURNS int LANGUAGE plcpp STRICT AS $$ std::vector<int> v(n); return (int)v.size() * 2; $$;
SELECT full2(5);
EOF
)
  contains "full cache volume: functions compile and run" "$out" "^10$"
  check "full cache volume: one WARNING in the session" "1" "$(echo "$out" | grep -c WARNING)"
  check "full cache volume: never FATAL" "0" "$(echo "$out" | grep -c FATAL)"
  check "full cache volume: no partial file left" "" "$(find "$MNT" -name '*.tmp*')"
  umount "$MNT"; MNT=""
else
  not_ok "full cache volume: could not mount a small tmpfs (run as root)"
fi
mkdir -p "$PLCPP_TMP/ro" && chown postgres: "$PLCPP_TMP/ro" && chmod 555 "$PLCPP_TMP/ro"
psql -X -q -c "ALTER SYSTEM SET plcpp.cache_dir = '$PLCPP_TMP/ro/cache'" -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.3
out=$(psql -X -At -d iso 2>&1 <<'EOF'
CREATE FUNCTION ro1(n int) RETURNS int LANGUAGE plcpp STRICT AS $$ std::string s(n, 'y'); return (int)s.size() + 1; $$;
SELECT ro1(5);
CREATE FUNCTION ro2(n int) RETURNS int LANGUAGE plcpp STRICT AS $$ std::vector<int> v(n); return (int)v.size() * 3; $$;
SELECT ro2(5);
EOF
)
contains "read-only cache directory: functions compile and run" "$out" "^15$"
check "read-only cache directory: one WARNING in the session" "1" "$(echo "$out" | grep -c WARNING)"
check "read-only cache directory: never FATAL" "0" "$(echo "$out" | grep -c FATAL)"
psql -X -q -c "ALTER SYSTEM RESET plcpp.cache_dir" -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.3
no_crash "unwritable caches"

# ---- 4b. pg_ctl stop -m fast while the worker compiles a job that never ends -------------
q "SET check_function_bodies = off; CREATE FUNCTION o2slow() RETURNS int LANGUAGE plcpp AS \$\$
#ifdef __OPTIMIZE__
#pragma clang __debug overflow_stack
#endif
std::string s = \"slow\"; return (int)s.size(); \$\$" >/dev/null
check "a body that never compiles at -O2 runs its -O0 code" "4" "$(q 'SELECT o2slow()')"
for _ in $(seq 100); do [ "$(optimizers)" = 1 ] && break; sleep 0.1; done
sleep 1
close_session A; close_session B
t0=$(ms_now)
as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 20 stop >/dev/null 2>&1
stopped=$?
elapsed=$(($(ms_now) - t0))
echo "# pg_ctl stop -m fast took $elapsed ms"
check "pg_ctl stop -m fast stops the busy optimizer at once (within 5 s)" "0 1" "$stopped $((elapsed < 5000))"
check "the stopped job stays queued, not quarantined" "1" "$(ls "$PGDATA/plcpp_cache/jobs" | grep -c '\.job$')"
rm -f "$PGDATA/plcpp_cache/jobs/"*.job # it would only run into plcpp.compile_timeout

# ---- 6. SIGQUIT: a session that compiled dies at once ----------------------------------
as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PLCPP_TMP/server.log" -w -t 60 start >/dev/null
open_session C
in_session C "CREATE FUNCTION late(n int) RETURNS text LANGUAGE plcpp STRICT AS \$\$ std::vector<std::string> v{\"late\"}; return v[0] + std::to_string(n); \$\$; SELECT late(1);"
check "a session compiles after the restart" "late1" "$out"
t0=$(ms_now)
as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w -t 20 stop >/dev/null 2>&1
elapsed=$(($(ms_now) - t0))
echo "# pg_ctl stop -m immediate took $elapsed ms"
check "immediate shutdown (SIGQUIT) ends that session at once (within 3 s)" "1" "$((elapsed < 3000))"
check "... without the postmaster's SIGKILL for recalcitrant children" "0" "$(grep -c 'issuing SIGKILL' "$PLCPP_TMP/server.log")"
