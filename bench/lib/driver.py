"""bench/run.sh's driver (run by /usr/bin/python3, Debian's, for matplotlib): loads the
workloads, sets them up, times them, writes the report, plots and raw timings.

  driver.py --mode full|quick --out DIR [--only KEY,KEY]
The servers come from the environment run.sh sets: BENCH_MAIN_HOST/PORT (every workload)
and BENCH_PRELOAD_HOST/PORT (shared_preload_libraries = 'plcpp', for the compile and result
cache workloads).
"""
import argparse
import glob
import importlib.util
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # workload files import model from here

import info  # noqa: E402
import modes  # noqa: E402
import plot  # noqa: E402
import report  # noqa: E402
import stats  # noqa: E402
from pg import (BenchError, Server, fresh_session, pgbench_tps, psql, session,  # noqa: E402
                time_cases, timed_new_session)

BENCH = os.path.dirname(HERE)
REPO = os.path.dirname(BENCH)


class Context:
    """What a workload's own measure() may use, by server name ("main", "preload"): queries,
    new-session timings, the standard interleaved timing loop, and pgbench throughput."""

    def __init__(self, servers, key=""):
        self.servers, self.key = servers, key

    def psql(self, server, sql):
        return psql(self.servers[server], sql)

    def timed(self, server, sql):
        return timed_new_session(self.servers[server], sql)

    def session(self, server, statements):
        """[(output, ms), ...] of statements run one by one in one new session."""
        return session(self.servers[server], statements)

    def fresh(self, server, statements, status_after=()):
        """One new libpq session timed from the inside (pg.fresh_session): connect ms, each
        statement's ms and first value, the backend's /proc status after chosen statements."""
        return fresh_session(self.servers[server], statements, status_after)

    def time_cases(self, server, cases, runs):
        """The standard loop (pg.time_cases) over `cases`, their answers checked as usual:
        {label: [ms, ...]}."""
        raw = time_cases(self.servers[server], cases, runs)
        check_results(self.key, cases, raw)
        return {label: v["ms"] for label, v in raw.items()}

    def pgbench(self, server, script, clients, seconds=0, transactions=0):
        """tps of pgbench -M prepared running `script` (pg.pgbench_tps)."""
        return pgbench_tps(self.servers[server], script, clients, seconds, transactions)


def load_workloads(sizes, only):
    """bench/workloads/NN_key.py in file-name order; each has workload(sizes) -> Workload."""
    found = []
    for path in sorted(glob.glob(os.path.join(BENCH, "workloads", "[0-9]*_*.py"))):
        key = os.path.basename(path)[:-3].split("_", 1)[1]
        if only and key not in only:
            continue
        spec = importlib.util.spec_from_file_location(f"workload_{key}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        w = module.workload(sizes)
        w.key = key
        labels = [c.label for c in w.cases]
        bad = [c.ref for c in w.cases if c.ref and c.ref not in labels]
        if bad or len(set(labels)) != len(labels):
            raise BenchError(f"{path}: duplicate labels or unknown references {bad}")
        found.append(w)
    if only and len(found) != len(only):
        raise BenchError(f"unknown workload in --only: {sorted(only)}")
    return found


def check_results(key, cases, timings):
    """Every checked case of a workload must have answered the same as the others of its
    check group (Case.check: True, or a group name)."""
    for group in {c.check for c in cases if c.check}:
        answers = {c.label: timings[c.label]["result"] for c in cases if c.check == group}
        if len(set(answers.values())) > 1:
            raise BenchError(f"{key}: the languages disagree: {answers}")


def run_workload(w, sizes, servers, sql_vars):
    main = servers[w.server]
    if w.setup:
        psql(main, w.setup, sql_vars)
    if w.verify:
        bad = [line for line in psql(main, w.verify, sql_vars).splitlines() if line != "t"]
        if bad:
            raise BenchError(f"{w.key}: verification failed (expected only 't'): {bad}")
    if w.measure:
        timings = w.measure(Context(servers, w.key), sizes)
    else:
        raw = time_cases(main, w.cases, sizes.runs)
        check_results(w.key, w.cases, raw)
        timings = {label: v["ms"] for label, v in raw.items()}
    missing = [c.label for c in w.cases if not timings.get(c.label)]
    if missing:
        raise BenchError(f"{w.key}: no timings for {missing}")
    return timings


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=sorted(modes.MODES), default="full")
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default="", help="comma-separated workload keys (development)")
    ap.add_argument("--size", action="append", default=[], metavar="KEY=N",
                    help="overrides one size or run count of the mode (bench/lib/modes.py)")
    args = ap.parse_args()
    started = time.time()
    try:
        sizes = modes.sizes(args.mode, args.size)
    except ValueError as e:
        raise BenchError(str(e)) from e
    sql_vars = {k: v for k, v in vars(sizes).items() if isinstance(v, int)
                and not isinstance(v, bool)}
    servers = {name: Server(name, os.environ[f"BENCH_{name.upper()}_HOST"],
                            os.environ[f"BENCH_{name.upper()}_PORT"])
               for name in ("main", "preload")}
    only = {k for k in args.only.split(",") if k}
    workloads = load_workloads(sizes, only)
    os.makedirs(args.out, exist_ok=True)

    common = open(os.path.join(HERE, "common.sql")).read()
    for s in servers.values():
        psql(s, common)
    machine = info.collect(REPO, servers["main"])
    load_before = info.load_average()
    print(f"bench: {args.mode} mode, sizes: {sql_vars}", file=sys.stderr)

    results, raw = [], {}
    for w in workloads:
        w.load = info.load_average()
        print(f"bench: {w.key}: {w.title} (load {w.load})", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        timings = run_workload(w, sizes, servers, sql_vars)
        rows = stats.summarize(w, timings)
        results.append((w, rows))
        raw[w.key] = timings
        for r in rows:
            ratio = f"  {r['ratio']:.2f}x {r['ref']}" if r["ratio"] is not None else ""
            met = "" if r["met"] is None else "  target met" if r["met"] else "  TARGET MISSED"
            print(f"    {r['median']:10.3f} {r['unit']:3} {r['label']}{ratio}{met}",
                  file=sys.stderr)
        print(f"    ({time.monotonic() - t0:.0f} s)", file=sys.stderr, flush=True)

    for w, rows in results:
        png = os.path.join(args.out, f"{w.key}.png")
        plot.plot(w.title, rows, png)
        if not os.path.isfile(png) or os.path.getsize(png) == 0:
            raise BenchError(f"plot {png} was not written")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        # timings are ms, but for the cases listed here (a measure()'s derived figures)
        units = {w.key: {c.label: c.unit for c in w.cases if c.unit != "ms"} for w, _ in results}
        json.dump({"mode": args.mode, "sizes": sql_vars, "machine": machine,
                   "timings_ms": raw, "units": {k: v for k, v in units.items() if v}},
                  f, indent=1)
    readme = os.path.join(args.out, "README.md")
    report.write(readme, mode=args.mode, sizes=sizes, machine=machine, results=results,
                 started=started, elapsed_s=time.time() - started, load_before=load_before,
                 load_after=info.load_average())
    print(f"bench: report in {readme} ({time.time() - started:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print(f"bench: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
