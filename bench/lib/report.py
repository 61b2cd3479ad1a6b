"""The Markdown report: machine, method, a summary of the DESIGN §6 targets, a table and a
plot per workload."""
import time


def _md(text):
    """Table-cell text: `<string>` would be taken for an HTML tag, `|` for a cell border."""
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _ms(x):
    return f"{x:,.3f}" if x < 10 else f"{x:,.1f}" if x < 1000 else f"{x:,.0f}"


def _num(x, unit):
    return f"{x:,.0f}" if unit == "tps" else f"{x:.2f}" if unit == "×" else _ms(x)


def _unit(unit, bare_ms):
    """The unit after a figure: none for ms in tables where every figure is in ms."""
    return "" if unit == "ms" and bare_ms else "×" if unit == "×" else f" {unit}"


def _val(x, unit, bare_ms):
    return _num(x, unit) + _unit(unit, bare_ms)


def _range(row, bare_ms):
    u = row["unit"]
    return f"{_num(row['min'], u)} – {_num(row['max'], u)}{_unit(u, bare_ms)}"


def _median_header(rows):
    """(header, bare_ms): "median ms" when every row is in ms, else units in the cells."""
    bare = all(r["unit"] == "ms" for r in rows)
    return ("median ms" if bare else "median"), bare


def _met(row):
    return "" if row["met"] is None else "yes" if row["met"] else "**no**"


def _ratio(row):  # the reference's label may hold `<string>` too
    return _md(f"{row['ratio']:.2f}× {row['ref']}") if row["ratio"] is not None else ""


def write(path, *, mode, sizes, machine, results, started, elapsed_s, load_before, load_after):
    out = [f"# plcpp benchmarks ({mode} mode)", "",
           f"Written by `bench/run.sh{' --quick' if mode == 'quick' else ''}` on "
           f"{time.strftime('%Y-%m-%d %H:%M %Z', time.localtime(started))} "
           f"in {elapsed_s / 60:.1f} min. Targets: DESIGN §6 (`shared/DESIGN.md`).", "",
           "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in machine.items()]
    out += [f"| load average (1/5/15 min) | before {load_before}; after {load_after} |", ""]
    size_text = ", ".join(f"{k} = {v:,}" for k, v in vars(sizes).items()
                          if k not in ("mode", "quick"))
    out += ["## Method", "",
            f"Sizes and runs of this mode: {size_text}.", "",
            "- A private server (`scripts/server.sh`: fsync off, `jit = off` so PostgreSQL's "
            "own expression JIT never compiles the calling queries) with default settings "
            "otherwise; the compile, result cache and cold start workloads also use a second "
            "one with `shared_preload_libraries = 'plcpp'`.",
            "- Each workload's cases run in one session: one warm-up round (compiles, loads, "
            f"caches plans), then {sizes.runs} timed rounds; each round runs every case once, "
            "starting one case further along, so load drift hits every language alike.",
            "- Time is psql's `\\timing` of the whole statement over a unix socket; every query "
            "aggregates to one row (`count(...)`, `sum(...)`, one scalar call), so no rows are "
            "transferred. The table shows the median, and min – max of the timed runs.",
            "- Before timing, each workload checks that every language computes the same "
            "answer (and that the SQL functions meant to be inlined are); during timing, that "
            "every case returns the same result in every run.",
            "- Ratios are medians over the median of the reference case of the same run "
            "(C where there is one; inlined SQL for set-returning functions).", ""]
    header, bare = _median_header([r for _, rows in results for r in rows if r["target"]])
    out += ["## Targets", "", f"| workload | case | {header} | ratio | target | met |",
            "|---|---|---:|---:|---|---|"]
    for w, rows in results:
        for r in rows:
            if r["target"]:
                out.append(f"| {w.key} | {_md(r['label'])} | {_val(r['median'], r['unit'], bare)} "
                           f"| {_ratio(r)} | {_md(r['target'])} | {_met(r)} |")
    out.append("")
    for w, rows in results:
        lo, hi = min(r["runs"] for r in rows), max(r["runs"] for r in rows)
        runs = f"{hi}" if lo == hi else f"{lo}–{hi}"
        out += [f"## {w.title}", "", w.description, "",
                f"*{runs} timed runs per case; load average before it: {w.load}.*", ""]
        header, bare = _median_header(rows)
        out += [f"| case | {header} | min – max | ratio | target | met |",
                "|---|---:|---:|---:|---|---|"]
        for r in rows:
            out.append(f"| {_md(r['label'])} | {_val(r['median'], r['unit'], bare)} | "
                       f"{_range(r, bare)} | {_ratio(r)} | {_md(r['target'] or '')} | {_met(r)} |")
        out += ["", f"![{w.title}]({w.key}.png)", ""]
    with open(path, "w") as f:
        f.write("\n".join(out))
