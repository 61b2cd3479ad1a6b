"""Talking to the private servers through psql (and pgbench, for throughput with several
clients); the only place that runs queries.

Timing is psql's \\timing: the client-measured time of one statement, parse, plan and execute,
over a unix socket. Every timed query aggregates to one row (count(...), sum(...), a scalar
call), so no result set is transferred and the number is the server's work plus ~0.1 ms.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

TIME_RE = re.compile(r"^Time: ([0-9.]+) ms")


class BenchError(Exception):
    pass


class Server:
    def __init__(self, name, host, port):
        self.name, self.host, self.port = name, host, port

    def env(self):
        env = dict(os.environ)
        env.update(PGHOST=self.host, PGPORT=str(self.port), PGUSER="postgres",
                   PGDATABASE="postgres")
        return env


def psql(server, sql, variables=None):
    """Runs a script (ON_ERROR_STOP) and returns its unaligned, tuples-only output."""
    args = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
    for k, v in (variables or {}).items():
        args += ["-v", f"{k}={v}"]
    p = subprocess.run(args, input=sql, text=True, capture_output=True, env=server.env())
    if p.returncode != 0:
        raise BenchError(f"psql on the {server.name} server failed:\n{p.stderr.strip()}\n"
                         f"--- script ---\n{sql.strip()[:2000]}")
    return p.stdout


def timed_new_session(server, sql):
    """ms of `sql` as the first statement of a new session (for first-call costs)."""
    p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                        "-c", "\\timing on", "-c", sql],
                       text=True, capture_output=True, env=server.env())
    times = [m.group(1) for m in map(TIME_RE.match, p.stdout.splitlines()) if m]
    if p.returncode != 0 or not times:
        raise BenchError(f"{sql!r} on the {server.name} server failed:\n{p.stderr.strip()}")
    return float(times[-1])


def session(server, statements):
    """Runs `statements` one after the other in one new session, each its own top-level
    statement (a CALL may COMMIT), timed: [(output, ms), ...] in order. Raises on an error."""
    script = ["\\timing on"]
    for i, sql in enumerate(statements):
        script += [f"\\echo @@ {i}", sql.strip().rstrip(";") + ";"]
    p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
                       input="\n".join(script) + "\n", text=True, capture_output=True,
                       env=server.env())
    out, lines = [], []
    for line in p.stdout.splitlines():
        m = TIME_RE.match(line)
        if line.startswith("@@ "):
            lines = []
        elif m:
            out.append(("\n".join(lines), float(m.group(1))))
        else:
            lines.append(line)
    if p.returncode != 0 or len(out) != len(statements):
        raise BenchError(f"session on the {server.name} server failed after {len(out)} of "
                         f"{len(statements)} statements:\n{p.stderr.strip()}\n--- statements "
                         f"---\n" + "\n".join(statements)[:2000])
    return out


def proc_status(pid):
    """{field: kB} of a process's memory: the Vm* and Rss* lines of /proc/<pid>/status
    (RssAnon: its resident anonymous pages, counting those still shared copy-on-write with the
    postmaster) and the lines of /proc/<pid>/smaps_rollup (Private_Dirty: pages it alone
    maps, which excludes those; readable by root and the server's user only)."""
    out = {}
    for name in ("status", "smaps_rollup"):
        try:
            with open(f"/proc/{pid}/{name}") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if value.strip().endswith("kB") and (
                            name == "smaps_rollup" or key.startswith(("Vm", "Rss"))):
                        out[key] = int(value.split()[0])
        except PermissionError:
            pass
    return out


def fresh_session(server, statements, status_after=()):
    """One new session through libpq (psycopg2, autocommit: nothing but `statements` is sent,
    not even BEGIN): connects, runs the statements one by one, each timed on the client around
    execute and fetch (one round trip; psql's \\timing measures the same), and reads the
    backend's memory (proc_status) right after the statements whose index is in `status_after`;
    at the end, waits until the backend has exited.
    Returns dict(connect_ms, ms=[...], results=[first column of the first row, ...],
    status={index: {field: kB}}). For first-call costs from inside a session: `ms[0]` is the
    first statement, `connect_ms + ms[0]` what a client waits from connecting to its answer."""
    import psycopg2  # Debian's python3-psycopg2 (bench/deps.sh): only needed here

    t0 = time.perf_counter()
    try:
        conn = psycopg2.connect(host=server.host, port=server.port, user="postgres",
                                dbname="postgres")
    except psycopg2.Error as e:
        raise BenchError(f"connecting to the {server.name} server failed: {e}".strip()) from e
    connect_ms = (time.perf_counter() - t0) * 1000
    pid = conn.info.backend_pid  # from the connection's start-up, no query
    try:
        conn.autocommit = True  # no BEGIN sent before the first statement
        out = dict(connect_ms=connect_ms, ms=[], results=[], status={})
        with conn.cursor() as cur:
            for i, sql in enumerate(statements):
                t = time.perf_counter()
                cur.execute(sql)
                row = cur.fetchone() if cur.description else None
                out["ms"].append((time.perf_counter() - t) * 1000)
                out["results"].append(row[0] if row else None)
                if i in status_after:
                    out["status"][i] = proc_status(pid)
        return out
    except psycopg2.Error as e:
        raise BenchError(f"new session on the {server.name} server failed: {e}".strip()) from e
    finally:
        conn.close()
        # The backend exits after the client has gone: wait for it (at most 2 s), so that its
        # exit does not overlap the next session's timings.
        for _ in range(2000):
            if not os.path.exists(f"/proc/{pid}"):
                break
            time.sleep(0.001)


PGBENCH_TPS_RE = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)")


def pgbench_tps(server, script, clients, seconds=0, transactions=0):
    """Transactions per second of `pgbench -n -M prepared` running `script` (its text) on
    `clients` connections, as many pgbench threads, for `seconds` (or, when 0, `transactions`
    per client); connection time excluded. Raises if a transaction failed."""
    exe = os.path.join(subprocess.run(["pg_config", "--bindir"], capture_output=True,
                                      text=True, check=True).stdout.strip(), "pgbench")
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
        f.write(script.strip() + "\n")
        f.flush()
        args = [exe, "-n", "-M", "prepared", "-f", f.name, "-c", str(clients),
                "-j", str(clients)]
        args += ["-T", str(seconds)] if seconds else ["-t", str(transactions)]
        p = subprocess.run(args, text=True, capture_output=True, env=server.env())
    tps = [m.group(1) for m in map(PGBENCH_TPS_RE.match, p.stdout.splitlines()) if m]
    failed = re.search(r"^number of failed transactions: ([1-9])", p.stdout, re.M)
    if p.returncode != 0 or not tps or failed:
        raise BenchError(f"pgbench -c {clients} on the {server.name} server failed "
                         f"(exit {p.returncode}):\n{p.stderr.strip()[-2000:]}\n"
                         f"{p.stdout.strip()[-1000:]}\n--- script ---\n{script.strip()}")
    return float(tps[-1])


def time_cases(server, cases, runs, warmup=1):
    """Times every case `warmup + runs` times in ONE session, interleaved: each round runs
    every case once, starting one case further each round, so drift in the machine's load
    hits all cases alike; a case's `before` SQL runs untimed right before each of its timings.
    Returns {label: {"ms": [...], "result": text}} for the timed runs; raises if a query fails
    or a case's result changes between runs."""
    rounds = warmup + runs
    order = []
    script = ["\\timing on"]
    for r in range(rounds):
        for k in range(len(cases)):
            i = (k + r) % len(cases)
            order.append((i, r))
            if cases[i].before:  # untimed; its output lands before the marker, ignored
                script += ["\\timing off", cases[i].before.strip().rstrip(";") + ";",
                           "\\timing on"]
            script += [f"\\echo @@ {i} {r}", cases[i].sql.strip().rstrip(";") + ";"]
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as f, \
            tempfile.TemporaryFile("w+") as err:
        f.write("\n".join(script) + "\n")
        f.flush()
        p = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              "-f", f.name], stdout=subprocess.PIPE, stderr=err, text=True,
                             env=server.env())
        out = {c.label: {"ms": [], "result": None} for c in cases}
        cur, lines, done, t0 = None, [], 0, time.monotonic()
        for line in p.stdout:
            line = line.rstrip("\n")
            if line.startswith("@@ "):
                cur, lines = tuple(map(int, line.split()[1:])), []
                continue
            m = TIME_RE.match(line)
            if not m:
                lines.append(line)
                continue
            i, r = cur
            c, result = cases[i], "\n".join(lines)
            slot = out[c.label]
            if slot["result"] is not None and slot["result"] != result:
                p.kill()
                raise BenchError(f"{c.label}: result changed between runs: "
                                 f"{slot['result']!r} then {result!r}")
            slot["result"] = result
            if r >= warmup:
                slot["ms"].append(float(m.group(1)))
            done += 1
            if done % len(cases) == 0:
                print(f"    round {done // len(cases)}/{rounds} "
                      f"({time.monotonic() - t0:.1f} s)", file=sys.stderr, flush=True)
        p.wait()
        err.seek(0)
        if p.returncode != 0 or done != len(order):
            raise BenchError(f"timing session failed (exit {p.returncode}) after {done} of "
                             f"{len(order)} queries:\n{err.read().strip()}")
    return out
