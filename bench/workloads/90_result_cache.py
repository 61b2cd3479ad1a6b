"""Shared result cache (DESIGN §3, issue 6): what a hit costs, what a miss adds, what change
tracking costs a write, and whether hits scale from 1 to 2 clients.

Everything cached runs on the preloaded server (`shared_preload_libraries = 'plcpp'`: the cache
lives in shared memory; on the plain server the attribute does nothing). The plain server only
serves as the write baseline, where no change tracking exists at all; nothing there loads plcpp.

- Calls, one session, interleaved (the standard loop): `sum(f(1 + i % 100))` over N rows for
  the cached `rc_lookup` (warm: all hits), its uncached twin (same body, no attribute: a
  prepared primary-key lookup) and a trivial plcpp function (`return k;`, the call-overhead
  floor). Misses: `rc_miss`, the same cached body, over N' distinct keys, its entries flushed
  right before each timing (untimed), vs the twin on the same keys. Per call: (case - floor)/N.
- Writes: a procedure doing single-row UPDATEs, each committed (its own transaction), on a
  table a live cached entry depends on, on the preloaded server vs the plain one, and on a
  table no entry depends on (preloaded). One new session per run; per statement: ms/U.
- Throughput: pgbench -M prepared, 1 and 2 clients, `SELECT f(:k)` with k random in 1..100,
  and a CPU-bound variant (B calls per statement), the trivial function as the reference for
  what the machine's scaling is.
After timing, the cache's own counters must show that the timed calls were what they claim
(every hit round all hits, every miss round no hit, every tracked write invalidating).
"""
from model import Case, Target, Workload
from pg import BenchError

# The write tables and procedures, on both servers (plain SQL and PL/pgSQL: no plcpp).
WRITE_SETUP = r"""
DROP TABLE IF EXISTS rc_w_tracked, rc_w_untracked CASCADE;
CREATE TABLE rc_w_tracked(id int PRIMARY KEY, v bigint NOT NULL);
CREATE TABLE rc_w_untracked(id int PRIMARY KEY, v bigint NOT NULL);
INSERT INTO rc_w_tracked SELECT g, 0 FROM generate_series(1, 100) g;
INSERT INTO rc_w_untracked SELECT g, 0 FROM generate_series(1, 100) g;
VACUUM ANALYZE rc_w_tracked, rc_w_untracked;
CREATE OR REPLACE PROCEDURE rc_upd_tracked(n int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1 .. n LOOP
    UPDATE rc_w_tracked SET v = v + 1 WHERE id = 1 + i % 100;
    COMMIT;
  END LOOP;
END $$;
CREATE OR REPLACE PROCEDURE rc_upd_untracked(n int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1 .. n LOOP
    UPDATE rc_w_untracked SET v = v + 1 WHERE id = 1 + i % 100;
    COMMIT;
  END LOOP;
END $$;
"""

SETUP = WRITE_SETUP + r"""
DROP TABLE IF EXISTS rc_t CASCADE;
CREATE TABLE rc_t(id int PRIMARY KEY, v bigint NOT NULL);
INSERT INTO rc_t SELECT g, (g::bigint * 7919) % 1000 FROM generate_series(1, :rc_keys) g;
VACUUM ANALYZE rc_t;

-- The cached function and its twins: same body; the twin without the attribute.
CREATE OR REPLACE FUNCTION rc_lookup(k int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS $$
  [[plcpp::result_cache]]
  static auto stmt = spi::prepare<int32_t>("select v from rc_t where id = $1");
  return stmt.query(k)[0].get<int64_t>(0);
$$;
CREATE OR REPLACE FUNCTION rc_miss(k int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS $$
  [[plcpp::result_cache]]
  static auto stmt = spi::prepare<int32_t>("select v from rc_t where id = $1");
  return stmt.query(k)[0].get<int64_t>(0);
$$;
CREATE OR REPLACE FUNCTION rc_lookup_nc(k int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS $$
  static auto stmt = spi::prepare<int32_t>("select v from rc_t where id = $1");
  return stmt.query(k)[0].get<int64_t>(0);
$$;
CREATE OR REPLACE FUNCTION rc_floor(k int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS $$
  return k;
$$;
-- Writes: rc_dep's entries depend on rc_w_tracked (the one-shot query form of the issue).
CREATE OR REPLACE FUNCTION rc_dep(k int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS $$
  [[plcpp::result_cache]]
  return spi::query_one<int64_t>("select v from rc_w_tracked where id = $1", k).value();
$$;
SELECT plcpp.result_cache_flush();
"""

STATS = "plcpp.result_cache_stats"


def has_stats(fn, condition):
    """SQL: true when fn's row of the statistics exists and meets condition (no row: false)."""
    return f"SELECT EXISTS (SELECT 1 FROM {STATS} WHERE function = '{fn}'::regprocedure " \
           f"AND {condition});"


VERIFY = """
-- cached (misses, then hits), uncached and the table itself agree
SELECT sum(rc_lookup(g)) = sum(rc_lookup_nc(g))
   AND sum(rc_lookup_nc(g)) = (SELECT sum(v) FROM rc_t WHERE id <= 100)
  FROM generate_series(1, 100) g;
SELECT sum(rc_lookup(g)) = (SELECT sum(v) FROM rc_t WHERE id <= 100) FROM generate_series(1, 100) g;
""" + has_stats("rc_lookup(int)", "hits >= 100 AND misses >= 100 AND entries >= 100") + """
SELECT sum(rc_miss(g)) = sum(rc_lookup_nc(g)) FROM generate_series(1, 100) g;
SELECT sum(rc_floor(g)) = 5050 FROM generate_series(1, 100) g;
-- off and bypass answer the same
SET plcpp.result_cache = bypass;
SELECT sum(rc_lookup(g)) = sum(rc_lookup_nc(g)) FROM generate_series(1, 100) g;
SET plcpp.result_cache = off;
SELECT sum(rc_lookup(g)) = sum(rc_lookup_nc(g)) FROM generate_series(1, 100) g;
RESET plcpp.result_cache;
-- never stale: a committed write to a dependency is seen by the next call (each statement
-- its own transaction), and counts as an invalidation
SELECT sum(rc_lookup(g)) = sum(rc_lookup_nc(g)) FROM generate_series(1, 100) g;
UPDATE rc_t SET v = v + 1000 WHERE id = 7;
SELECT rc_lookup(7) = (SELECT v FROM rc_t WHERE id = 7) AND rc_lookup(7) >= 1000;
UPDATE rc_t SET v = v - 1000 WHERE id = 7;
SELECT rc_lookup(7) = (SELECT v FROM rc_t WHERE id = 7) AND rc_lookup(7) < 1000;
SELECT sum(rc_lookup(g)) = sum(rc_lookup_nc(g)) FROM generate_series(1, 100) g;
""" + has_stats("rc_lookup(int)", "invalidations > 0") + """
SELECT rc_dep(5) = 0;
UPDATE rc_w_tracked SET v = v + 1 WHERE id = 5;
SELECT rc_dep(5) = 1;
UPDATE rc_w_tracked SET v = 0 WHERE id = 5;
SELECT rc_dep(5) = 0;
"""

# Labels
SCAN = "bare scan: sum(1 + i % 100)"
FLOOR = "floor: trivial plcpp function (return k;)"
HITS = "cached, all hits (100 keys, warm)"
TWIN = "uncached twin (same body, no attribute)"
MISSES = "cached, all misses (new keys, flushed before)"
TWIN_M = "uncached twin, the same keys"
HIT_US = "hit, per call: (cached hits − floor) / N"
TWIN_US = "uncached twin, per call: (twin − floor) / N"
MISS_US = "miss overhead, per call: (cached misses − twin) / N'"
W_PLAIN = "UPDATE + COMMIT, plain server (no tracking)"
W_TRACKED = "UPDATE + COMMIT, preloaded, table a cached entry depends on"
W_UNTRACKED = "UPDATE + COMMIT, preloaded, table no entry depends on"
TPS = [  # key, pgbench script label, function
    ("hit", "SELECT rc_lookup(:k), cached (hits)", "rc_lookup"),
    ("twin", "SELECT rc_lookup_nc(:k), uncached twin", "rc_lookup_nc"),
    ("floor", "SELECT rc_floor(:k), trivial function", "rc_floor"),
    ("hit batch", "B hits per statement", "rc_lookup"),
    ("floor batch", "B trivial calls per statement", "rc_floor"),
]


def tps_label(key, clients):
    what = next(t[1] for t in TPS if t[0] == key)
    return f"pgbench, {clients} client{'s' if clients > 1 else ''}: {what}"


def scaling_label(key):
    what = next(t[1] for t in TPS if t[0] == key)
    return f"1 → 2 clients: {what}"


def tps_script(key, s):
    fn = next(t[2] for t in TPS if t[0] == key)
    if key.endswith("batch"):
        return f"SELECT sum({fn}(1 + i % 100)) FROM generate_series(1, {s.rc_tps_batch}) i;"
    return f"\\set k random(1, 100)\nSELECT {fn}(:k);"


def stats(ctx, fn):
    """fn's row of plcpp.result_cache_stats as a dict of ints (zeros when it has none)."""
    cols = ("entries", "hits", "misses", "invalidations", "evictions")
    out = ctx.psql("preload", f"SELECT {', '.join(cols)} FROM {STATS} "
                              f"WHERE function = '{fn}'::regprocedure").split()
    return dict(zip(cols, map(int, out[0].split("|")))) if out else dict.fromkeys(cols, 0)


def check(cond, what, before, after):
    if not cond:
        raise BenchError(f"result_cache: {what} (statistics before {before}, after {after})")


def measure_calls(ctx, s):
    n, m = s.rc_calls, s.rc_keys
    series = f"generate_series(1, {n}) i"
    cases = [
        Case(SCAN, f"SELECT sum(1 + i % 100) FROM {series}", "baseline", check="floor"),
        Case(FLOOR, f"SELECT sum(rc_floor(1 + i % 100)) FROM {series}", "baseline",
             check="floor"),
        Case(HITS, f"SELECT sum(rc_lookup(1 + i % 100)) FROM {series}", "plcpp", check="hits"),
        Case(TWIN, f"SELECT sum(rc_lookup_nc(1 + i % 100)) FROM {series}", "plcpp",
             check="hits"),
        Case(MISSES, f"SELECT sum(rc_miss(g)) FROM generate_series(1, {m}) g", "plcpp",
             check="misses", before="SELECT plcpp.result_cache_flush('rc_miss(int)')"),
        Case(TWIN_M, f"SELECT sum(rc_lookup_nc(g)) FROM generate_series(1, {m}) g", "plcpp",
             check="misses"),
    ]
    hit0, miss0 = stats(ctx, "rc_lookup(int)"), stats(ctx, "rc_miss(int)")
    ms = ctx.time_cases("preload", cases, s.runs)
    hit1, miss1 = stats(ctx, "rc_lookup(int)"), stats(ctx, "rc_miss(int)")
    rounds = s.runs + 1  # the warm-up round too
    check(hit1["hits"] - hit0["hits"] >= rounds * n - 100 and
          hit1["misses"] - hit0["misses"] <= 100,
          f"the hit query was not all hits ({rounds} rounds of {n} calls, 100 keys)",
          hit0, hit1)
    check(miss1["hits"] == 0 and miss1["misses"] >= m,
          f"the miss query hit the cache, or did not count {m} misses", miss0, miss1)
    per_call = lambda a, b, k: [(x - y) * 1000 / k for x, y in zip(ms[a], ms[b])]  # noqa: E731
    ms[HIT_US] = per_call(HITS, FLOOR, n)
    ms[TWIN_US] = per_call(TWIN, FLOOR, n)
    ms[MISS_US] = per_call(MISSES, TWIN_M, m)
    return ms


def measure_writes(ctx, s):
    """Each run a new session: warm the procedure (and, on the preloaded server, publish an
    entry of rc_dep, which reads rc_w_tracked), time one CALL of rc_updates transactions, then
    (preloaded) read rc_dep again: after writes to rc_w_tracked it must find its entry
    invalidated, after writes to rc_w_untracked hit it, and answer right either way."""
    ctx.psql("main", WRITE_SETUP)  # the plain server's copy (the preloaded one's: SETUP)
    runs = [(W_PLAIN, "main", "rc_upd_tracked"), (W_TRACKED, "preload", "rc_upd_tracked"),
            (W_UNTRACKED, "preload", "rc_upd_untracked")]
    stat = f"SELECT coalesce((SELECT entries || ' ' || invalidations || ' ' || hits FROM " \
           f"{STATS} WHERE function = 'rc_dep(int)'::regprocedure), '0 0 0')"
    read = "SELECT rc_dep(1) = (SELECT v FROM rc_w_tracked WHERE id = 1)"
    out = {label: [] for label, _, _ in runs}
    for r in range(s.runs + 1):
        for k in range(len(runs)):
            label, server, proc = runs[(k + r) % len(runs)]
            timed = f"CALL {proc}({s.rc_updates})"
            if server == "main":  # nothing here loads plcpp
                ms = ctx.session(server, [f"CALL {proc}(100)", timed])[1][1]
            else:
                res = ctx.session(server, [f"CALL {proc}(100)", read, stat, timed, read, stat])
                ms = res[3][1]
                (e0, i0, h0), (e1, i1, h1) = (tuple(map(int, res[i][0].split())) for i in (2, 5))
                state = f"rc_dep's entries, invalidations, hits before {(e0, i0, h0)}, after " \
                        f"{(e1, i1, h1)}"
                if res[1][0] != "t" or res[4][0] != "t" or e0 < 1:
                    raise BenchError(f"result_cache: rc_dep is wrong or was not cached ({state})")
                if proc == "rc_upd_tracked" and i1 <= i0:
                    raise BenchError(f"result_cache: writes to rc_w_tracked did not invalidate "
                                     f"rc_dep ({state})")
                if proc == "rc_upd_untracked" and (i1 != i0 or h1 <= h0):
                    raise BenchError(f"result_cache: rc_dep missed after writes to "
                                     f"rc_w_untracked, which it does not read ({state})")
            if r > 0:  # the first round is a warm-up
                out[label].append(ms * 1000 / s.rc_updates)
    return out


def measure_throughput(ctx, s):
    configs = [(key, c) for key, _, _ in TPS for c in (1, 2)]
    out = {tps_label(k, c): [] for k, c in configs}
    before = stats(ctx, "rc_lookup(int)")
    for r in range(s.rc_tps_runs):
        for i in range(len(configs)):
            key, c = configs[(i + r) % len(configs)]
            out[tps_label(key, c)].append(ctx.pgbench(
                "preload", tps_script(key, s), c, s.rc_tps_seconds, s.rc_tps_xacts))
    after = stats(ctx, "rc_lookup(int)")
    check(after["misses"] == before["misses"] and after["hits"] > before["hits"],
          "the pgbench runs of rc_lookup were not all hits", before, after)
    for key, _, _ in TPS:
        out[scaling_label(key)] = [b / a for a, b in zip(out[tps_label(key, 1)],
                                                         out[tps_label(key, 2)])]
    return out


def measure(ctx, s):
    out = measure_calls(ctx, s)
    out.update(measure_throughput(ctx, s))  # before any write: rc_lookup stays warm
    out.update(measure_writes(ctx, s))
    return out


def workload(s):
    assert s.rc_keys >= 100, "the hit queries use keys 1..100"
    cases = [
        Case(SCAN, "", "baseline"),
        Case(FLOOR, "", "baseline"),
        Case(HITS, "", "plcpp", ref=TWIN),
        Case(TWIN, "", "plcpp"),
        Case(MISSES, "", "plcpp", ref=TWIN_M),
        Case(TWIN_M, "", "plcpp"),
        Case(HIT_US, "", "plcpp", unit="µs", ref=TWIN_US, target=Target(at_most=2)),
        Case(TWIN_US, "", "plcpp", unit="µs"),
        Case(MISS_US, "", "plcpp", unit="µs"),
        Case(W_PLAIN, "", "baseline", unit="µs"),
        Case(W_TRACKED, "", "PL/pgSQL", unit="µs", ref=W_PLAIN),
        Case(W_UNTRACKED, "", "PL/pgSQL", unit="µs", ref=W_PLAIN),
    ]
    lang = lambda key: "baseline" if key.startswith("floor") else "plcpp"  # noqa: E731
    for key, _, _ in TPS:  # hits against the twin: how many times the throughput
        for c in (1, 2):
            cases.append(Case(tps_label(key, c), "", lang(key), unit="tps",
                              ref=tps_label("twin", c) if key == "hit" else None))
    for key, _, _ in TPS:  # scaling against the trivial function's (the machine's)
        floor = "floor batch" if key.endswith("batch") else "floor"
        cases.append(Case(scaling_label(key), "", lang(key), unit="×",
                          ref=None if key == floor else scaling_label(floor),
                          target=Target(min_ratio=0.8) if key.startswith("hit") else None))
    length = f"-T {s.rc_tps_seconds}" if s.rc_tps_seconds else f"-t {s.rc_tps_xacts}"
    return Workload(
        title="Result cache: hit and miss cost, write overhead, hit throughput 1 → 2 clients",
        description=(
            f"Preloaded server (`shared_preload_libraries = 'plcpp'`). `rc_lookup(k int)` "
            "is `[[plcpp::result_cache]]` over a prepared primary-key lookup "
            f"(`select v from rc_t where id = $1`, {s.rc_keys:,} rows); the twin is the same "
            "body without the attribute; the floor is `return k;`. **ms**: one query, "
            f"`SELECT sum(f(1 + i % 100)) FROM generate_series(1, {s.rc_calls:,}) i` "
            f"(N = {s.rc_calls:,} calls over 100 keys, all hits once warm), and the misses: "
            f"N' = {s.rc_keys:,} distinct keys, `rc_miss` (the same cached body) flushed "
            "(untimed) right before each run. **µs**: per call, from the same runs, "
            "paired by round; writes: a PL/pgSQL procedure doing "
            f"{s.rc_updates:,} single-row `UPDATE`s, each committed, timed in a new session "
            "after an entry of a cached function reading the table was published (the first "
            "write invalidates it), per statement, the plain server (no change tracking) as "
            f"the reference. **tps**: `pgbench -n -M prepared {length}` on 1 and 2 "
            f"connections (as many threads), median of {s.rc_tps_runs}; `B hits per "
            f"statement` is `SELECT sum(rc_lookup(1 + i % 100)) FROM generate_series(1, "
            f"{s.rc_tps_batch:,}) i`, CPU-bound. **×**: tps with 2 clients over 1, paired by "
            "run; the trivial function's scaling is what the machine gives (on a VM, a "
            "single client's short statements wait for an idle vCPU to wake, so short "
            "statements scale by more than 2×). After timing, the cache's statistics must "
            "show every timed hit call a hit, every miss call a miss, every tracked write "
            "run an invalidation."),
        setup=SETUP, verify=VERIFY, server="preload", cases=cases, measure=measure)
