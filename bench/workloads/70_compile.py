"""Compile: what a plcpp function's first call costs (ported from the former bench/compile.sh).

On two servers: plain, and with shared_preload_libraries = 'plcpp' (JIT and compiler loaded
once in the postmaster). For each body, each run: empty the cluster's compiled-code cache
(plcpp.compile_cache_purge()), define the function with a comment no run used before (a new
cache key: a real compile) without compiling it (check_function_bodies = off), then time
  - its first call in a new session: compile + load ("empty cache"),
  - its first call in another new session: load the object the first one stored ("warm").
On the plain server it also times LOAD 'plcpp' alone: the part of a warm first call that is
loading plcpp.so and libLLVM (the empty-cache first call there also loads the compiler library,
plcpp_compiler.so with libclang-cpp; the preloaded server's figures leave both out).
Each measurement is the first statement of a fresh psql session (connection time excluded).

Tiered compilation (plcpp.tiered_compilation, on by default) is on for these timings: a
regular unit's first call compiles -O0 code and a background worker builds the -O2 object.
Each run also records how long after the first call the optimized object is in the cache
and times a new session's first call meanwhile (it loads the -O0 object), then waits for it:
the "warm cache" call loads the optimized object, and the next run starts on an idle machine; on the preloaded server the
20-line body's first call is also timed with tiering off (-O2 at once) for comparison. The
trivial body is a core unit (jit/core_unit.h), compiled at -O2 at once either way.
"""
import time
import uuid

from bodies import STD20, TRIVIAL
from model import Case, Target, Workload

BODIES = [("trivial", TRIVIAL), ("20-line <string>/<vector>", STD20)]
SERVERS = [("main", "plain"), ("preload", "preloaded")]
# DESIGN §6: first call, empty cache: trivial ≤ 20 ms, 20-line body ≤ 150 ms; first call in a
# new session, warm cache: ≤ 20 ms plain, ≤ 5 ms preloaded.
COLD_MS = {"trivial": 20, "20-line <string>/<vector>": 150}
WARM_MS = {"plain": 20, "preloaded": 5}


LOAD_CASE = "plain: LOAD 'plcpp' in a new session (plcpp.so and libLLVM)"
EARLY_CASE = ("{name}: {body} body, first call in a new session while the optimized build "
              "runs (loads the -O0 object)")
UNTIERED_CASE = ("preloaded: 20-line <string>/<vector> body, first call, empty cache, "
                 "tiered_compilation = off (-O2 at once)")


def label(server, body, warm):
    what = "first call in a new session, warm cache" if warm else "first call, empty cache"
    return f"{server}: {body} body, {what}"


def define(ctx, server, name, body):
    ctx.psql(server, f"""SET check_function_bodies = off;
DROP FUNCTION IF EXISTS {name}(int);
CREATE FUNCTION {name}(a int) RETURNS int LANGUAGE plcpp STRICT AS $body$
/* bench {uuid.uuid4().hex} */ {body}
$body$;""")


def set_tiering(ctx, server, on):
    ctx.psql(server, f"ALTER SYSTEM SET plcpp.tiered_compilation = {'on' if on else 'off'};\n"
                     "SELECT pg_reload_conf();")
    time.sleep(0.2)  # the reload reaches new sessions


def wait_optimized(ctx, server, fn, since):
    """ms from `since` until fn's only cache entry is -O2 code (the background build)."""
    for _ in range(600):
        levels = ctx.psql(server, f"SELECT string_agg(opt_level::text, ',') FROM "
                                  f"plcpp.compile_cache WHERE function = '{fn}(integer)'").strip()
        if levels == "2":
            return (time.monotonic() - since) * 1000
        time.sleep(0.02)
    raise RuntimeError(f"no optimized code for {fn} after 12 s (cache entries: {levels})")


def measure(ctx, s):
    out = {}
    for server, name in SERVERS:
        set_tiering(ctx, server, True)
        for w, warmup_body in enumerate((TRIVIAL, STD20)):  # builds the precompiled headers
            define(ctx, server, f"compile_warmup{w}", warmup_body)
            ctx.timed(server, f"SELECT compile_warmup{w}(1)")
            wait_optimized(ctx, server, f"compile_warmup{w}", time.monotonic())
        for i, (body_name, body) in enumerate(BODIES):
            fn = f"compile_body{i}"
            cold, early, warm, ready = [], [], [], []
            for _ in range(s.compile_runs):
                ctx.psql(server, "SELECT plcpp.compile_cache_purge()")
                define(ctx, server, fn, body)
                cold.append(ctx.timed(server, f"SELECT {fn}(3)"))
                start = time.monotonic()
                if body is STD20:  # while the worker builds the -O2 object: loads the -O0 one
                    early.append(ctx.timed(server, f"SELECT {fn}(3)"))
                ready.append(wait_optimized(ctx, server, fn, start) + cold[-1])
                warm.append(ctx.timed(server, f"SELECT {fn}(3)"))
            out[label(name, body_name, False)] = cold
            out[label(name, body_name, True)] = warm
            if body is STD20:
                out[f"{name}: {body_name} body, optimized code in the cache after"] = ready
                out[EARLY_CASE.format(name=name, body=body_name)] = early
        if name == "preloaded":  # for comparison: the -O2 first call without tiering
            set_tiering(ctx, server, False)
            untiered = []
            for _ in range(s.compile_runs):
                ctx.psql(server, "SELECT plcpp.compile_cache_purge()")
                define(ctx, server, "compile_body1", STD20)
                untiered.append(ctx.timed(server, "SELECT compile_body1(3)"))
            out[UNTIERED_CASE] = untiered
        set_tiering(ctx, server, False)
        out[f"{name}: SELECT 1 in a new session"] = [
            ctx.timed(server, "SELECT 1") for _ in range(s.compile_runs)]
    # Without preload, a new session's first call loads plcpp.so and libLLVM: that share of
    # the warm first call, on its own.
    out[LOAD_CASE] = [ctx.timed("main", "LOAD 'plcpp'") for _ in range(s.compile_runs)]
    return out


def workload(s):
    cases = []
    for _, name in SERVERS:
        for body_name, _ in BODIES:
            # The target leaves out loading the compiler library (DESIGN §6), which the plain
            # server's first compile includes (about 20 ms: plain minus preloaded).
            cold_target = Target(ms=COLD_MS[body_name]) if name == "preloaded" else None
            cases.append(Case(label(name, body_name, False), "", "plcpp", target=cold_target))
            cases.append(Case(label(name, body_name, True), "", "plcpp",
                              target=Target(ms=WARM_MS[name])))
            if body_name != "trivial":
                cases.append(Case(f"{name}: {body_name} body, optimized code in the cache after",
                                  "", "baseline"))
                cases.append(Case(EARLY_CASE.format(name=name, body=body_name), "", "baseline"))
        cases.append(Case(f"{name}: SELECT 1 in a new session", "", "baseline"))
    cases.append(Case(UNTIERED_CASE, "", "baseline"))
    cases.append(Case(LOAD_CASE, "", "baseline"))
    return Workload(
        title="Compile: first calls with an empty and a warm compiled-code cache",
        description="Each time is the first statement of a new session. `plain`: a default "
                    "server; `preloaded`: `shared_preload_libraries = 'plcpp'`. The targets "
                    "are absolute (DESIGN §6), so there is no ratio column.",
        cases=cases, measure=measure)
