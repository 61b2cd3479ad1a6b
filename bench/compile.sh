#!/usr/bin/env bash
# bench/compile.sh — what compiling costs and what the object cache saves (issue 4), and what
# the loop interrupt checks cost. Starts its own private servers (one plain, one with
# shared_preload_libraries = 'plcpp'); prints medians of N runs (default 5) in one table.
#   bench/compile.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
source scripts/server.sh

TRIVIAL='return a + 1;'
STD20='std::vector<std::string> words;
std::string s = std::to_string(a);
for (int i = 0; i < 20; ++i) words.push_back(s + "-" + std::to_string(i * a));
std::sort(words.begin(), words.end());
std::map<std::string, int> counts;
for (const auto &w : words) counts[w.substr(0, 3)] += 1;
std::ostringstream out;
for (const auto &[k, v] : counts) out << k << "=" << v << ";";
std::string r = out.str();
if (r.empty()) return 0;
int total = 0;
for (char c : r) total += c;
std::vector<int> lengths;
for (const auto &w : words) lengths.push_back(static_cast<int>(w.size()));
total += std::accumulate(lengths.begin(), lengths.end(), 0);
auto it = std::max_element(lengths.begin(), lengths.end());
if (it != lengths.end()) total += *it;
std::string tail = words.back();
return total + static_cast<int>(tail.size());'

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# ms of the last statement of a psql script run in a new session
timed() { psql -X -q -v ON_ERROR_STOP=1 -c '\timing on' "$@" 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1; }

define() { # name body: the function without compiling it (check_function_bodies off)
  psql -X -q -c "SET check_function_bodies = off" -c "DROP FUNCTION IF EXISTS $1(int)" \
    -c "CREATE FUNCTION $1(a int) RETURNS int LANGUAGE plcpp STRICT AS \$body\$
$2
\$body\$"
}

run_server() { # label extra-conf...
  local label=$1; shift
  server_start "$@" >/dev/null
  psql -X -q -c "CREATE EXTENSION plcpp"
  define warmup "$TRIVIAL"; psql -X -q -c "SELECT warmup(1)" >/dev/null # PCH built once
  for kind in TRIVIAL STD20; do
    local body=${!kind} cold=() warm=()
    for i in $(seq "$RUNS"); do
      psql -X -q -c "SELECT plcpp.compile_cache_purge()" >/dev/null
      define "f_$kind" "/* $i */ $body"
      cold+=("$(timed -c "SELECT f_$kind(3)")")   # new session, empty cache: compile
      warm+=("$(timed -c "SELECT f_$kind(3)")")   # new session, warm cache: load
    done
    printf '| %s | %s body, first call, empty cache | %s ms |\n' "$label" "$kind" \
      "$(printf '%s\n' "${cold[@]}" | median)"
    printf '| %s | %s body, first call in a new session, warm cache | %s ms |\n' "$label" "$kind" \
      "$(printf '%s\n' "${warm[@]}" | median)"
  done
  local noop=()
  for i in $(seq "$RUNS"); do noop+=("$(timed -c "SELECT 1")"); done
  printf '| %s | SELECT 1 in a new session (baseline) | %s ms |\n' "$label" \
    "$(printf '%s\n' "${noop[@]}" | median)"
  server_stop
}

echo "| server | what | median of $RUNS |"
echo "|---|---|---|"
run_server "plain" 
run_server "preloaded" "shared_preload_libraries = 'plcpp'"

# Interrupt checks on a tight loop: the same body compiled with and without them.
server_start >/dev/null
psql -X -q -c "CREATE EXTENSION plcpp"
LOOP='std::uint64_t h = 1; for (std::int64_t i = 0; i < n; ++i) h = h * 31 + static_cast<std::uint64_t>(i); return static_cast<std::int64_t>(h >> 1);'
SUM='std::int64_t s = 0; for (std::int64_t i = 0; i < n; ++i) s += i * i; return s;'
for checks in on off; do
  psql -X -q -c "SET plcpp.interrupt_checks = $checks" \
    -c "CREATE FUNCTION hash_$checks(n bigint) RETURNS bigint LANGUAGE plcpp STRICT AS \$\$ $LOOP \$\$" \
    -c "CREATE FUNCTION sum_$checks(n bigint) RETURNS bigint LANGUAGE plcpp STRICT AS \$\$ $SUM \$\$"
done
echo
echo "| tight loop, 100M iterations | checks on | checks off | on/off |"
echo "|---|---|---|---|"
for f in hash sum; do
  on=(); off=()
  for i in $(seq "$RUNS"); do
    on+=("$(timed -c "SELECT ${f}_on(100000000)")")
    off+=("$(timed -c "SELECT ${f}_off(100000000)")")
  done
  m_on=$(printf '%s\n' "${on[@]}" | median); m_off=$(printf '%s\n' "${off[@]}" | median)
  printf '| %s | %s ms | %s ms | %.2f |\n' "$f" "$m_on" "$m_off" "$(echo "$m_on / $m_off" | bc -l)"
done
server_stop
