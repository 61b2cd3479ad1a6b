#!/usr/bin/env bash
# test/server/scaleout_test.sh — scale-out on existing engines (issue 22; README, "Scaling
# out"): two shard clusters with plcpp preloaded, a proxy database with PL/Proxy (in the private
# server of scripts/server.sh, sourced by the caller, server started), a streaming standby of
# shard 0 (pg_basebackup -R) read through a second PL/Proxy cluster, and a shard restored from
# pg_dump into a new cluster. Checks scalar, set-returning, memoized (view on the owning shard
# only) and result-cached functions through the proxy; a write through the proxy invalidating
# the shard's cached result; SQLSTATEs through the proxy; RUN ON ALL and memo views; on the
# standby: memo hits, misses that write nothing, on_change views not served, no compile, the
# result cache bypassed, warming after a replaced function; warming the restored shard's empty
# compiled-code cache (timed, not asserted). The extra clusters are stopped and removed at exit,
# also on failure. Prints TAP lines.
set -u
export PGOPTIONS="-c client_min_messages=warning"
source "$(dirname "$0")/../../scripts/server.sh" # as_postgres, free_port, cluster_start, PG_BIN
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
started=$(date +%s)

# All extra clusters live (data and sockets) under one directory that free_port looks into.
top=$(mktemp -d /tmp/plcpp-server.XXXXXX)
chmod 755 "$top"
[ "$(id -u)" = 0 ] && chown postgres: "$top"
cleanup() {
  for c in standby0 shard1r shard1 shard0; do cluster_stop "$top" "$c"; done
  rm -rf "$top"
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS plcpp_scaleout_proxy WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 1' INT TERM # so that the EXIT trap cleans up after a signal too
bail() { not_ok "$1" "$2"; echo "1..$n"; exit 1; }

proxy() { "${PSQL[@]}" -d plcpp_scaleout_proxy -c "$1" 2>&1; }
on() { local port=$1; shift; "${PSQL[@]}" -h "$top" -p "$port" -d app "$@" 2>&1; }
s0() { on "$p0" -c "$1"; }
s1() { on "$p1" -c "$1"; }
sb() { on "$pb" -c "$1"; }
# Waits until the standby has replayed everything shard 0 wrote so far (no fixed sleeps).
wait_replay() {
  local lsn
  lsn=$(s0 "SELECT pg_current_wal_lsn()")
  for _ in $(seq 600); do
    [ "$(sb "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && return 0
    sleep 0.05
  done
  return 1
}

# Shards: the same schema and functions on each; group_id is the sharding key. Tiered
# compilation off: one -O2 compile per function and no background builds still running when
# the base backup copies the cache.
shard_conf=("shared_preload_libraries = 'plcpp'" "plcpp.tiered_compilation = off")
p0=$(cluster_start "$top" shard0 "${shard_conf[@]}") || bail "shard 0 starts" "$(tail -5 "$top"/shard0*.log)"
p1=$(cluster_start "$top" shard1 "${shard_conf[@]}") || bail "shard 1 starts" "$(tail -5 "$top"/shard1*.log)"
for port in "$p0" "$p1"; do
  "${PSQL[@]}" -h "$top" -p "$port" -d postgres -c "CREATE DATABASE app" >/dev/null
  on "$port" >"$top/schema.$port.log" <<'SQL' || bail "shard schema on port $port" "$(cat "$top/schema.$port.log")"
CREATE EXTENSION plcpp;
CREATE TABLE annotation (id serial PRIMARY KEY, group_id text NOT NULL, user_id int NOT NULL);
CREATE INDEX ON annotation (group_id);
-- A scalar function, with an error that must keep its SQLSTATE and hint through the proxy.
CREATE FUNCTION where_is(g text) RETURNS text LANGUAGE plcpp STABLE STRICT AS $$
  if (g.empty()) error("empty group id", {.sqlstate = "22023", .hint = "pass a group id"});
  auto rows = spi::query_one<int64_t>("select count(*) from annotation where group_id = $1", g);
  auto shard = spi::query_one<std::string>("select current_setting('cluster_name')");
  return std::string(g) + "@" + shard.value_or("?") + ":" + std::to_string(rows.value_or(0));
$$;
CREATE FUNCTION groups_here() RETURNS SETOF text LANGUAGE plcpp STABLE AS $$
  for (auto row : spi::query("select distinct group_id from annotation"))
    yield(row.get<std::string>(0));
$$;
CREATE FUNCTION panel(g text) RETURNS TABLE(user_id int, n bigint) LANGUAGE plcpp STRICT
SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  return sql("select user_id, count(*) from annotation where group_id = $1 group by 1", g);
$$;
CREATE FUNCTION group_total(g text) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS $$
  [[plcpp::result_cache]]
  return spi::query_one<int64_t>("select count(*) from annotation where group_id = $1", g)
      .value_or(0);
$$;
CREATE FUNCTION add_annotation(g text, u int) RETURNS int LANGUAGE sql AS $$
  INSERT INTO annotation (group_id, user_id) VALUES (g, u);
  SELECT 1;
$$;
SQL
done
# 40 groups of 100 rows (7 users each); every shard holds the groups that PL/Proxy's
# RUN ON hashtext(group_id) sends to it: partition hashtext(g) & (2 - 1).
s0 "INSERT INTO annotation (group_id, user_id) SELECT 'g' || (i % 40), i % 7
    FROM generate_series(1, 4000) i WHERE hashtext('g' || (i % 40)) & 1 = 0" >/dev/null
s1 "INSERT INTO annotation (group_id, user_id) SELECT 'g' || (i % 40), i % 7
    FROM generate_series(1, 4000) i WHERE hashtext('g' || (i % 40)) & 1 = 1" >/dev/null

# The proxy database, in the private server: one cluster of two partitions (SQL/MED), and a
# read-only cluster whose partition 0 is shard 0's standby (added below).
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS plcpp_scaleout_proxy" -c "CREATE DATABASE plcpp_scaleout_proxy" >/dev/null
"${PSQL[@]}" -d plcpp_scaleout_proxy >"$top/proxy.log" 2>&1 <<SQL || bail "proxy database with PL/Proxy" "$(cat "$top/proxy.log")"
CREATE EXTENSION plproxy;
CREATE SERVER shards FOREIGN DATA WRAPPER plproxy
  OPTIONS (p0 'host=$top port=$p0 dbname=app', p1 'host=$top port=$p1 dbname=app');
CREATE USER MAPPING FOR PUBLIC SERVER shards;
CREATE FUNCTION where_is(g text) RETURNS text LANGUAGE plproxy AS \$\$
  CLUSTER 'shards'; RUN ON hashtext(g); \$\$;
CREATE FUNCTION groups_here() RETURNS SETOF text LANGUAGE plproxy AS \$\$
  CLUSTER 'shards'; RUN ON ALL; \$\$;
CREATE FUNCTION panel(g text) RETURNS TABLE(user_id int, n bigint) LANGUAGE plproxy AS \$\$
  CLUSTER 'shards'; RUN ON hashtext(g); \$\$;
CREATE FUNCTION panel_everywhere(g text) RETURNS TABLE(user_id int, n bigint) LANGUAGE plproxy AS \$\$
  CLUSTER 'shards'; RUN ON ALL; TARGET panel; \$\$;
CREATE FUNCTION group_total(g text) RETURNS bigint LANGUAGE plproxy AS \$\$
  CLUSTER 'shards'; RUN ON hashtext(g); \$\$;
CREATE FUNCTION add_annotation(g text, u int) RETURNS int LANGUAGE plproxy AS \$\$
  CLUSTER 'shards'; RUN ON hashtext(g); \$\$;
SQL
# Keys owned by each shard, as the proxy routes them.
k0=$(proxy "SELECT 'g' || i FROM generate_series(0, 39) i WHERE hashtext('g' || i) & 1 = 0 ORDER BY i LIMIT 1")
k0b=$(proxy "SELECT 'g' || i FROM generate_series(0, 39) i WHERE hashtext('g' || i) & 1 = 0 ORDER BY i OFFSET 1 LIMIT 1")
k1=$(proxy "SELECT 'g' || i FROM generate_series(0, 39) i WHERE hashtext('g' || i) & 1 = 1 ORDER BY i LIMIT 1")
memo_rows() { # memo_rows SHARD_FN KEY: the registry rows of panel(KEY) as "rows|builds|hits"
  "$1" "SELECT rows || '|' || builds || '|' || hits FROM plcpp.memo WHERE function = plcpp.memo_function_identity('panel(text)') AND key = '{$2}'"
}

# 1. Scalar: routed by the key to the shard that holds it.
check "scalar through the proxy reaches the owning shard (shard 0)" "$k0@shard0:100" "$(proxy "SELECT where_is('$k0')")"
check "scalar through the proxy reaches the owning shard (shard 1)" "$k1@shard1:100" "$(proxy "SELECT where_is('$k1')")"

# 2. Set-returning: RUN ON ALL gathers every shard's rows.
check "SETOF through the proxy (RUN ON ALL): 40 distinct groups from both shards" "40|40" \
  "$(proxy "SELECT count(*), count(DISTINCT g) FROM groups_here() g")"

# 3. Errors keep their SQLSTATE (and hint) through the proxy.
err=$("${PSQL[@]}" -d plcpp_scaleout_proxy -v VERBOSITY=verbose -c "SELECT where_is('')" 2>&1)
contains "an error raised in a shard keeps its SQLSTATE through the proxy" "$err" "ERROR:  22023: .*empty group id"
contains "... and its hint (PL/Proxy prefixes it)" "$err" "HINT:  Remote hint: pass a group id"
check "... and a PL/pgSQL handler on the proxy catches it by SQLSTATE" "caught" \
  "$(proxy "DO \$\$ BEGIN PERFORM where_is(''); EXCEPTION WHEN invalid_parameter_value THEN RAISE WARNING 'caught'; END \$\$" | sed 's/^WARNING:  //')"

# 4. Memoized: the view is built on the shard that owns the key, and only there.
check "memoized through the proxy: the rows" "7|100" "$(proxy "SELECT count(*), sum(n) FROM panel('$k0')")"
check "... the view is on the owning shard" "7|1|0" "$(memo_rows s0 "$k0")"
check "... and not on the other shard" "0" "$(s1 "SELECT count(*) FROM plcpp.memo")"
proxy "SELECT count(*) FROM panel('$k0')" >/dev/null
check "... a second call through the proxy is a hit" "7|1|1" "$(memo_rows s0 "$k0")"
proxy "SELECT count(*) FROM panel('$k1')" >/dev/null
check "... a key of shard 1 is built on shard 1 only" "7|1|0|0" \
  "$(memo_rows s1 "$k1")|$(s0 "SELECT count(*) FROM plcpp.memo WHERE key = '{$k1}'")"

# 5. RUN ON ALL on a memoized function (README, "Scaling out": route memoized calls with
# RUN ON hashtext(key)): every shard builds a view for the key, empty where it owns no rows.
check "RUN ON ALL on a memoized function: the same rows" "7|100" \
  "$(proxy "SELECT count(*), sum(n) FROM panel_everywhere('$k1')")"
check "... but the shard that does not own the key keeps an empty view (why the README says not to)" "0|1|0" \
  "$(memo_rows s0 "$k1")"
s0 "CALL plcpp.memo_purge(fn => 'panel(text)', key_like => '$k1')" >/dev/null
check "... which memo_purge(key_like) removes there, the owner's view staying" "0|7|1|1" \
  "$(s0 "SELECT count(*) FROM plcpp.memo WHERE key = '{$k1}'")|$(memo_rows s1 "$k1")"

# 6. Result cache: a hit through the proxy; a write through the proxy invalidates it.
rc() { "$1" "SELECT entries || '|' || hits || '|' || misses || '|' || invalidations FROM plcpp.result_cache_stats WHERE function = 'group_total(text)'::regprocedure"; }
check "result-cached through the proxy: computed, then served" "100|100" \
  "$(proxy "SELECT group_total('$k0')")|$(proxy "SELECT group_total('$k0')")"
check "... one entry, one hit, one miss on the owning shard" "1|1|1|0" "$(rc s0)"
check "... nothing on the other shard" "" "$(rc s1)"
check "a write through the proxy" 1 "$(proxy "SELECT add_annotation('$k0', 99)")"
check "... invalidates the shard's cached result: the next call sees it" "101|1|1|2|1" \
  "$(proxy "SELECT group_total('$k0')")|$(rc s0)"

# A memo view that follows its table (invalidate = "on_change"), built on shard 0.
s0 "CREATE FUNCTION panel_fresh(g text) RETURNS TABLE(user_id int, n bigint) LANGUAGE plcpp STRICT
  SET search_path = public, pg_temp AS \$\$
  [[plcpp::memoize(invalidate = \"on_change\")]]
  return sql(\"select user_id, count(*) from annotation where group_id = \$1 group by 1\", g);
\$\$" >/dev/null
check "shard 0: an invalidate = on_change view is built" "8|101|1" \
  "$(s0 "SELECT count(*), sum(n) FROM panel_fresh('$k0')")|$(s0 "SELECT count(*) FROM plcpp.memo WHERE function = plcpp.memo_function_identity('panel_fresh(text)')")"

# 7. The standby of shard 0, made now (the memo view and the compiled objects exist), and a
# read-only PL/Proxy cluster that reads shard 0's keys from it.
objects_before=$(ls "$top/shard0/plcpp_cache/objects" | LC_ALL=C sort | tr '\n' ' ')
pb=$(standby_start "$top" standby0 "$p0") || bail "standby of shard 0 (pg_basebackup -R) starts" "$(tail -5 "$top"/standby0*.log)"
check "standby: in recovery" t "$(sb "SELECT pg_is_in_recovery()")"
check "standby: the compiled-code cache came with pg_basebackup" "$objects_before" \
  "$(ls "$top/standby0/plcpp_cache/objects" | LC_ALL=C sort | tr '\n' ' ')"
proxy "CREATE SERVER shards_ro FOREIGN DATA WRAPPER plproxy
         OPTIONS (p0 'host=$top port=$pb dbname=app', p1 'host=$top port=$p1 dbname=app');
       CREATE USER MAPPING FOR PUBLIC SERVER shards_ro;
       CREATE FUNCTION panel_ro(g text) RETURNS TABLE(user_id int, n bigint) LANGUAGE plproxy AS
         \$\$ CLUSTER 'shards_ro'; RUN ON hashtext(g); TARGET panel; \$\$;
       CREATE FUNCTION group_total_ro(g text) RETURNS bigint LANGUAGE plproxy AS
         \$\$ CLUSTER 'shards_ro'; RUN ON hashtext(g); TARGET group_total; \$\$;
       CREATE FUNCTION where_is_ro(g text) RETURNS text LANGUAGE plproxy AS
         \$\$ CLUSTER 'shards_ro'; RUN ON hashtext(g); TARGET where_is; \$\$;" >/dev/null
check "standby through the read-only proxy cluster: a scalar" "$k0@standby0:101" "$(proxy "SELECT where_is_ro('$k0')")"
check "standby: the memo view and its hit count (1) came with pg_basebackup" "7|1|1" "$(memo_rows sb "$k0")"
check "standby: a memo hit reads the replicated view" "7|100" "$(proxy "SELECT count(*), sum(n) FROM panel_ro('$k0')")"
check "... counted in the standby's own hit counters" "7|1|2" "$(memo_rows sb "$k0")"
check "... not in the primary's" "7|1|1" "$(memo_rows s0 "$k0")"
check "standby: a memo miss answers with the query's rows" "7|100" \
  "$(proxy "SELECT count(*), sum(n) FROM panel_ro('$k0b')")"
check "... and writes nothing (no view on the standby or the primary)" "0|0|0" \
  "$(sb "SELECT count(*) FROM plcpp.memo WHERE key = '{$k0b}'")|$(s0 "SELECT count(*) FROM plcpp.memo WHERE key = '{$k0b}'")|$(sb "SELECT count(*) FROM pg_matviews WHERE matviewname LIKE 'panel\_\_${k0b}\_%'")"
# The standby cannot see the primary's change counters: an on_change view is never served
# there (it could be stale), the query answers instead (README, "Scaling out").
check "standby: an invalidate = on_change function answers with the query's rows" "8|101" \
  "$(sb "SELECT count(*), sum(n) FROM panel_fresh('$k0')")"
check "... not from its replicated view (no hit counted)" "0" \
  "$(sb "SELECT hits FROM plcpp.memo WHERE function = plcpp.memo_function_identity('panel_fresh(text)')")"
check "standby: result-cached function computes every call" "101|101" \
  "$(proxy "SELECT group_total_ro('$k0')")|$(proxy "SELECT group_total_ro('$k0')")"
check "... the standby's result cache is bypassed (no entry, no hit, no miss)" "" "$(rc sb)"
proxy "SELECT add_annotation('$k0', 98)" >/dev/null
if wait_replay; then ok "standby: replays a write through the proxy"; else not_ok "standby: replays a write through the proxy" "pg_last_wal_replay_lsn did not reach shard 0's LSN"; fi
check "... and the next call answers with it (nothing stale)" "102|$k0@standby0:102" \
  "$(proxy "SELECT group_total_ro('$k0')")|$(proxy "SELECT where_is_ro('$k0')")"
# Every plcpp function in one new session: each is loaded from the replicated cache.
loads=$(PGOPTIONS="-c client_min_messages=debug1" on "$pb" \
  -c "SELECT where_is('$k0'), group_total('$k0'), (SELECT count(*) FROM groups_here()), (SELECT count(*) FROM panel('$k0'))" \
  | grep -o 'plcpp: [a-z]* [a-z_]*([a-z]*)' | LC_ALL=C sort | tr '\n' ',')
check "standby: a new session loads all 4 functions from the cache, compiles none" \
  "plcpp: loaded group_total(text),plcpp: loaded groups_here(),plcpp: loaded panel(text),plcpp: loaded where_is(text)," "$loads"
check "standby: no new object in its cache" "$objects_before" \
  "$(ls "$top/standby0/plcpp_cache/objects" | LC_ALL=C sort | tr '\n' ' ')"

# A function replaced on the primary: its new version was compiled into the primary's cache
# only (files do not replicate). Warming the standby with the same validator query compiles it
# there, before traffic (README, "Scaling out").
s0 "CREATE OR REPLACE FUNCTION where_is(g text) RETURNS text LANGUAGE plcpp STABLE STRICT AS \$\$
  if (g.empty()) error(\"empty group id\", {.sqlstate = \"22023\", .hint = \"pass a group id\"});
  auto rows = spi::query_one<int64_t>(\"select count(*) from annotation where group_id = \$1\", g);
  auto shard = spi::query_one<std::string>(\"select current_setting('cluster_name')\");
  return std::string(g) + \" is on \" + shard.value_or(\"?\") + \" (\" + std::to_string(rows.value_or(0)) + \")\";
\$\$" >/dev/null
wait_replay || not_ok "standby: replays a CREATE OR REPLACE" "replay LSN not reached"
warm=$(PGOPTIONS="-c client_min_messages=debug1" on "$pb" \
  -c "SELECT count(*) FROM plcpp.compile_all()" | grep -o 'plcpp: [a-z]* [a-z_]*([a-z]*)' | LC_ALL=C sort | tr '\n' ',')
check "standby: warming after a replaced function compiles that one, loads the others" \
  "plcpp: compiled where_is(text),plcpp: loaded group_total(text),plcpp: loaded groups_here(),plcpp: loaded panel(text),plcpp: loaded panel_fresh(text)," "$warm"
check "... then the proxy's sessions run the new version" "$k0 is on standby0 (102)" "$(proxy "SELECT where_is_ro('$k0')")"
check "... and a new session loads it from the standby's cache" "plcpp: loaded where_is(text)" \
  "$(PGOPTIONS="-c client_min_messages=debug1" on "$pb" -c "SELECT where_is('$k0')" | grep -o 'plcpp: [a-z]* [a-z_]*([a-z]*)')"

# 8. A restored shard (a new cluster, pg_dump of shard 1 restored into it) has an empty
# compiled-code cache: a dump turns check_function_bodies off, so CREATE FUNCTION compiles
# nothing. Warming it before traffic (README, "Scaling out"): plcpp.compile_all() compiles every
# plcpp function (and the cluster's precompiled runtime header), then the proxy is
# pointed at it.
pr=$(cluster_start "$top" shard1r "${shard_conf[@]}") || bail "restored shard starts" "$(tail -5 "$top"/shard1r*.log)"
"${PSQL[@]}" -h "$top" -p "$pr" -d postgres -c "CREATE DATABASE app" >/dev/null
if "$PG_BIN/pg_dump" -h "$top" -p "$p1" -d app | on "$pr" >"$top/restore.log"; then
  ok "shard 1 dumped and restored into a new cluster"
else
  not_ok "shard 1 dumped and restored into a new cluster" "$(head -5 "$top/restore.log")"
fi
check "restored shard: its compiled-code cache is empty" 0 "$(on "$pr" -c "SELECT count(*) FROM plcpp.compile_cache")"
warm_start=$(date +%s%N)
warm_out=$(PGOPTIONS="-c client_min_messages=debug1" on "$pr" -c "SET plcpp.tiered_compilation = off" \
  -c "SELECT count(*) FROM plcpp.compile_all() WHERE status = 'compiled'")
warm_ms=$(( ($(date +%s%N) - warm_start) / 1000000 ))
warmed=$(echo "$warm_out" | tail -1)
echo "# warming the restored shard: $warmed functions compiled in $warm_ms ms (psql included):"
echo "$warm_out" | grep -o 'plcpp: compiled .*' | sed 's/^/#   /'
check "warming compiles every plcpp function of the database" "4|4" \
  "$warmed|$(on "$pr" -c "SELECT count(*) FROM plcpp.compile_cache WHERE opt_level = 2")"
proxy "ALTER SERVER shards OPTIONS (SET p1 'host=$top port=$pr dbname=app')" >/dev/null
sr() { on "$pr" -c "$1"; }
check "the proxy, pointed at the restored shard, reaches it" "$k1@shard1r:100" "$(proxy "SELECT where_is('$k1')")"
check "... and its restored memo view is served (a hit, no rebuild)" "7|7|1|1" \
  "$(proxy "SELECT count(*) FROM panel('$k1')")|$(memo_rows sr "$k1")"
loads=$(PGOPTIONS="-c client_min_messages=debug1" on "$pr" \
  -c "SELECT where_is('$k1'), group_total('$k1'), (SELECT count(*) FROM groups_here()), (SELECT count(*) FROM panel('$k1'))" \
  | grep -o 'plcpp: [a-z]* [a-z_]*([a-z]*)' | LC_ALL=C sort | tr '\n' ',')
check "... and traffic on it loads all 4 functions from the cache, compiles none" \
  "plcpp: loaded group_total(text),plcpp: loaded groups_here(),plcpp: loaded panel(text),plcpp: loaded where_is(text)," "$loads"

for c in shard0 shard1 standby0 shard1r; do
  crashed=$(grep -c "terminated by signal" "$top/$c.log")
  check "$c: no backend terminated by a signal" 0 "$crashed"
done
echo "# scaleout_test: $(( $(date +%s) - started )) s"
echo "1..$n"
