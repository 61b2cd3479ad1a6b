"""Cold start (issue 20): what the first call of a cached plcpp function costs a new session,
and what it leaves in the backend's private memory, against PL/pgSQL, on both servers.

The functions are compiled once (the compiled-code cache is warm before anything is timed).
Each run opens new sessions through libpq (pg.fresh_session: psycopg2, autocommit, so the
timed statement is the first thing the session runs) and times, from the client, only the
statement's round trip:
  - the first call of a trivial body (`return a + 1;`) and of a 20-line <string>/<vector>
    body, each against its PL/pgSQL equivalent (same answers, checked), then a few warm calls
    in the same session: "first call minus a warm call" is what loading costs the first call;
  - connect + first call: what a client waits from connecting to its first answer;
  - SELECT 1 as a new session's first statement (the floor every first call pays);
  - LOAD 'plcpp' alone in a new session (no preload only);
  - the first calls of `cold_fns` distinct cached functions in one new session: the mean of
    all but the first (which loads plcpp without preload).
After the calls, the backend's RssAnon (/proc/<pid>/status: its resident anonymous memory,
which counts pages still shared copy-on-write with the postmaster, so with preload it counts
all the postmaster loaded): after one PL/pgSQL call, after one plcpp call, their difference,
and after the `cold_fns` functions: (RssAnon after all - RssAnon after the first) /
(cold_fns - 1) is the growth per function. The difference is also given in Private_Dirty
(/proc/<pid>/smaps_rollup: pages no other process maps), the memory a backend really adds.
Finally the size on disk of the trivial function's cached code file (objects/<key>.o today,
a shared object once issue 20 lands: any file named after the key is found).
The sessions of a run are interleaved, each run starting one session further along, so drift
in the machine's load hits every case alike. Medians of `cold_runs` runs (bench/cold_start.sh
-n N), after one untimed round.
"""
import os
import statistics
import sys

from bodies import STD20  # the compile workload's 20-line body
from model import Case, Target, Workload
from pg import BenchError

SERVERS = [("main", "no preload"), ("preload", "preload")]
WARM_CALLS = 5  # warm calls after the first one, same session: their median is "a warm call"
ARG = 3


# Its PL/pgSQL equivalent: the same answer (checked before timing), byte order ("C") as
# std::sort and std::map compare.
PLPGSQL20 = """DECLARE
  s text := a::text;
  words text[] := '{}';
  r text := '';
  k text;
  v int;
  w text;
  total int := 0;
  mx int := 0;
BEGIN
  FOR i IN 0 .. 19 LOOP
    words := words || (s || '-' || (i * a)::text);
  END LOOP;
  SELECT array_agg(x ORDER BY x COLLATE "C") INTO words FROM unnest(words) x;
  FOR k, v IN SELECT substr(x, 1, 3), count(*) FROM unnest(words) x
              GROUP BY substr(x, 1, 3) ORDER BY substr(x, 1, 3) COLLATE "C" LOOP
    r := r || k || '=' || v || ';';
  END LOOP;
  IF r = '' THEN RETURN 0; END IF;
  FOR i IN 1 .. length(r) LOOP total := total + ascii(substr(r, i, 1)); END LOOP;
  FOREACH w IN ARRAY words LOOP
    total := total + length(w);
    mx := greatest(mx, length(w));
  END LOOP;
  RETURN total + mx + length(words[array_upper(words, 1)]);
END"""

# body name -> (plcpp function, PL/pgSQL function)
BODIES = {"trivial": ("cold_plcpp_triv", "cold_plpgsql_triv"),
          "20-line <string>/<vector>": ("cold_plcpp_std20", "cold_plpgsql_std20")}


def setup_sql(n):
    return f"""
CREATE OR REPLACE FUNCTION cold_plcpp_triv(a int) RETURNS int LANGUAGE plcpp STRICT AS $body$
return a + 1;
$body$;
CREATE OR REPLACE FUNCTION cold_plcpp_std20(a int) RETURNS int LANGUAGE plcpp STRICT AS $body$
{STD20}
$body$;
CREATE OR REPLACE FUNCTION cold_plpgsql_triv(a int) RETURNS int LANGUAGE plpgsql STRICT AS $body$
BEGIN RETURN a + 1; END
$body$;
CREATE OR REPLACE FUNCTION cold_plpgsql_std20(a int) RETURNS int LANGUAGE plpgsql STRICT AS $body$
{PLPGSQL20}
$body$;
-- {n} distinct bodies: distinct cache keys, so each is its own compiled code.
DO $do$ BEGIN
  FOR i IN 1 .. {n} LOOP
    EXECUTE format('CREATE OR REPLACE FUNCTION cold_many_%s(a int) RETURNS int LANGUAGE plcpp '
                   'STRICT AS %L', i, format('return a + %s;', 1000 + i));
  END LOOP;
END $do$;
"""


def label(server, what):
    return f"{server}: {what}"


def first_label(server, lang, body):
    return label(server, f"{lang} {body}, first call")


def wall_label(server, lang, body):
    return label(server, f"{lang} {body}, connect + first call")


def delta_label(server, lang, body):
    return label(server, f"{lang} {body}, first minus warm call")


def load_label():
    return label("no preload", "LOAD 'plcpp' in a new session")


def select1_label(server):
    return label(server, "SELECT 1 as the first statement")


def many_label(server, n):
    return label(server, f"first call of another cached plcpp function ({n} in a session)")


def rss_label(server, what):
    return label(server, f"RssAnon after {what}")


def rss_diff_label(server):
    return label(server, "RssAnon, plcpp minus PL/pgSQL backend (trivial)")


def private_diff_label(server):
    return label(server, "Private_Dirty, plcpp minus PL/pgSQL backend (trivial)")


def growth_label(server, n):
    return label(server, f"RssAnon growth per cached plcpp function called ({n} in a session)")


FILE_LABEL = "size of the trivial function's cached code file (<key>.o or .so)"


def cached_file_kb(ctx):
    """kB of the trivial function's file in the cache directory (any file named after its key,
    found by walking the directory), or the compile_cache view's size where the directory
    cannot be read."""
    out = ctx.psql("main", """LOAD 'plcpp';
SELECT key || '|' || size FROM plcpp.compile_cache WHERE function = 'cold_plcpp_triv(integer)';
SHOW data_directory;
SHOW plcpp.cache_dir;""").split("\n")
    entries, data_dir, cache_dir = [x for x in out[:-3] if x], out[-3], out[-2]
    if len(entries) != 1:
        raise BenchError(f"cold_start: expected one cache entry of cold_plcpp_triv: {entries}")
    key, size = entries[0].split("|")
    root = os.path.join(data_dir, cache_dir)  # an absolute cache_dir stays itself
    found = [os.path.join(d, f) for d, _, files in os.walk(root) for f in files
             if f.startswith(key)]
    if not found:
        print(f"    cache file of key {key} not readable under {root}: the view's size",
              file=sys.stderr, flush=True)
        return int(size) / 1024
    path = max(found, key=os.path.getsize)
    print(f"    cached code of the trivial function: {os.path.relpath(path, root)}, "
          f"{os.path.getsize(path)} bytes", file=sys.stderr, flush=True)
    return os.path.getsize(path) / 1024


def sessions(n):
    """(kind, statements, status_after) of the sessions of one run on one server."""
    out = [("select1", ["SELECT 1"], ())]
    for body, fns in BODIES.items():
        for lang, fn in zip(("plcpp", "PL/pgSQL"), fns):
            calls = [f"SELECT {fn}({ARG})"] * (1 + WARM_CALLS)
            out.append(((lang, body), calls, (len(calls) - 1,)))
    out.append(("many", [f"SELECT cold_many_{i}({ARG})" for i in range(1, n + 1)], (0, n - 1)))
    return out


def measure(ctx, s):
    n = s.cold_fns
    for server, _ in SERVERS:
        ctx.psql(server, setup_sql(n))
        ok = ctx.psql(server, f"""SELECT bool_and(cold_plcpp_triv(a) = cold_plpgsql_triv(a) AND
                cold_plcpp_std20(a) = cold_plpgsql_std20(a))
  FROM (VALUES (0), (1), ({ARG}), (7), (12), (123), (-5)) v(a);""").strip()
        if ok != "t":
            raise BenchError(f"cold_start: plcpp and PL/pgSQL disagree on the {server} server")
        # Every plcpp function called once (CREATE's validator may or may not have compiled
        # it), then -O2 code of each must be in the cache: the servers run without tiering.
        calls = ",\n".join(f"cold_many_{i}({ARG})" for i in range(1, n + 1))
        ctx.psql(server, f"SELECT {calls};")
        cached = ctx.psql(server, "SELECT count(DISTINCT function) FROM plcpp.compile_cache "
                                  "WHERE opt_level = 2 AND function LIKE 'cold\\_%'").strip()
        if cached != str(n + 2):
            raise BenchError(f"cold_start: {cached} of {n + 2} functions have -O2 code in the "
                             f"{server} server's cache")

    tasks = [(server, kind, stmts, after) for server, _ in SERVERS
             for kind, stmts, after in sessions(n)]
    tasks.append(("main", "load", ["LOAD 'plcpp'"], ()))
    names = dict(SERVERS)
    out = {}

    def add(lbl, x):
        out.setdefault(lbl, []).append(x)

    for run in range(-1, s.cold_runs):  # run -1: untimed (page cache, catalog, first loads)
        results = {}
        k = max(run, 0) % len(tasks)
        for server, kind, stmts, after in tasks[k:] + tasks[:k]:
            results[server, kind] = ctx.fresh(server, stmts, after)
        if run < 0:
            continue
        for server, name in SERVERS:
            r = results[server, "select1"]
            add(select1_label(name), r["ms"][0])
            for body in BODIES:
                for lang in ("plcpp", "PL/pgSQL"):
                    r = results[server, (lang, body)]
                    add(first_label(name, lang, body), r["ms"][0])
                    add(wall_label(name, lang, body), r["connect_ms"] + r["ms"][0])
                    add(delta_label(name, lang, body),
                        r["ms"][0] - statistics.median(r["ms"][1:]))
                    add(rss_label(name, f"one {lang} call ({body})"),
                        r["status"][WARM_CALLS]["RssAnon"] / 1024)
            answers = {results[server, (lang, body)]["results"][0]
                       for lang in ("plcpp", "PL/pgSQL") for body in ("trivial",)}
            if len(answers) != 1:
                raise BenchError(f"cold_start: trivial answers differ: {answers}")
            mem = {lang: results[server, (lang, "trivial")]["status"][WARM_CALLS]
                   for lang in ("plcpp", "PL/pgSQL")}
            if any("Private_Dirty" not in m for m in mem.values()):
                raise BenchError("cold_start: /proc/<pid>/smaps_rollup of a backend is not "
                                 "readable: run as root (or as the server's user)")
            for field, lbl in (("RssAnon", rss_diff_label),
                               ("Private_Dirty", private_diff_label)):
                add(lbl(name), (mem["plcpp"][field] - mem["PL/pgSQL"][field]) / 1024)
            m = results[server, "many"]
            if m["results"] != [1000 + i + ARG for i in range(1, n + 1)]:
                raise BenchError(f"cold_start: cold_many_* answered {m['results'][:5]}...")
            add(many_label(name, n), sum(m["ms"][1:]) / max(n - 1, 1))
            first, last = m["status"][0]["RssAnon"], m["status"][n - 1]["RssAnon"]
            add(rss_label(name, f"calling {n} cached plcpp functions"), last / 1024)
            add(growth_label(name, n), (last - first) / max(n - 1, 1))
        add(load_label(), results["main", "load"]["ms"][0])
    out[FILE_LABEL] = [cached_file_kb(ctx)]
    return out


def workload(s):
    n = s.cold_fns
    cases = []
    for server, name in SERVERS:
        cases.append(Case(select1_label(name), "", "baseline"))
        for body in BODIES:
            ref = first_label(name, "PL/pgSQL", body)
            cases.append(Case(ref, "", "PL/pgSQL"))
            # Issue 20: without preload, at most 2x PL/pgSQL's first call in a new session.
            cases.append(Case(first_label(name, "plcpp", body), "", "plcpp", ref=ref,
                              target=Target(ratio=2) if server == "main" else None))
        for body in BODIES:
            ref = wall_label(name, "PL/pgSQL", body)
            cases.append(Case(ref, "", "PL/pgSQL"))
            cases.append(Case(wall_label(name, "plcpp", body), "", "plcpp", ref=ref))
        for body in BODIES:
            cases.append(Case(delta_label(name, "PL/pgSQL", body), "", "PL/pgSQL"))
            # Issue 20: with preload, at most 1 ms over a warm call.
            cases.append(Case(delta_label(name, "plcpp", body), "", "plcpp",
                              target=Target(ms=1) if server == "preload" else None))
        if server == "main":
            cases.append(Case(load_label(), "", "baseline"))
        cases.append(Case(many_label(name, n), "", "plcpp"))
    for server, name in SERVERS:
        for body in BODIES:
            cases.append(Case(rss_label(name, f"one PL/pgSQL call ({body})"), "", "PL/pgSQL",
                              unit="MiB"))
            cases.append(Case(rss_label(name, f"one plcpp call ({body})"), "", "plcpp",
                              unit="MiB"))
        # Issue 20: at most 4 MB more than a backend that called a PL/pgSQL function.
        cases.append(Case(rss_diff_label(name), "", "plcpp", target=Target(at_most=4),
                          unit="MiB"))
        cases.append(Case(private_diff_label(name), "", "plcpp", unit="MiB"))
        cases.append(Case(rss_label(name, f"calling {n} cached plcpp functions"), "", "plcpp",
                          unit="MiB"))
    for server, name in SERVERS:
        cases.append(Case(growth_label(name, n), "", "plcpp", unit="kB"))
    cases.append(Case(FILE_LABEL, "", "plcpp", unit="kB"))
    return Workload(
        title="Cold start: a cached function's first call in a new session, and memory",
        description="The compiled-code cache is warm. `no preload`: a default server; "
                    "`preload`: `shared_preload_libraries = 'plcpp'`. Times are the client's "
                    "round trip of one statement (psycopg2); a first call is the first "
                    "statement of a new session, a warm call the median of "
                    f"{WARM_CALLS} more calls in the same session; connect + first call adds "
                    "the connection's start-up. RssAnon is the backend's "
                    "anonymous memory (/proc/<pid>/status) after the calls, which counts the "
                    "pages it still shares copy-on-write with the postmaster (with preload: "
                    "what the postmaster loaded); Private_Dirty (/proc/<pid>/smaps_rollup) "
                    "counts only the pages no other process maps. MiB and kB are of "
                    "1024 bytes. Ratios are against the PL/pgSQL function with the same "
                    "body in the same run.",
        cases=cases, measure=measure)
