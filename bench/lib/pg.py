"""Talking to the private servers through psql; the only place that runs queries.

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


def time_cases(server, cases, runs, warmup=1):
    """Times every case `warmup + runs` times in ONE session, interleaved: each round runs
    every case once, starting one case further each round, so drift in the machine's load
    hits all cases alike. Returns {label: {"ms": [...], "result": text}} for the timed runs;
    raises if a query fails or a case's result changes between runs."""
    rounds = warmup + runs
    order = []
    script = ["\\timing on"]
    for r in range(rounds):
        for k in range(len(cases)):
            i = (k + r) % len(cases)
            order.append((i, r))
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
