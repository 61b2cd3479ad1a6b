"""One horizontal bar chart per workload: median per case, min-max whiskers, ratio labels; one
panel per unit when a workload reports figures other than ms (µs per call, tps, scaling)."""
import matplotlib

matplotlib.use("Agg")  # no display: write PNG files only
import matplotlib.pyplot as plt  # noqa: E402

from model import UNITS  # noqa: E402

COLORS = {"C": "#4d4d4d", "plcpp": "#d62728", "PL/pgSQL": "#1f77b4", "PL/Python": "#2ca02c",
          "SQL": "#9467bd", "baseline": "#c7c7c7"}


def _panel(ax, rows, unit):
    meds = [r["median"] for r in rows]
    y = range(len(rows))
    whiskers = [[r["median"] - r["min"] for r in rows], [r["max"] - r["median"] for r in rows]]
    ax.barh(y, meds, color=[COLORS.get(r["lang"], "#888888") for r in rows],
            xerr=whiskers, error_kw=dict(ecolor="#00000080", capsize=2, lw=0.8))
    ax.set_yticks(list(y), [r["label"] for r in rows], fontsize=8)
    ax.invert_yaxis()
    # Ranges over two orders of magnitude (fib: C vs SQL) are unreadable on a linear axis;
    # derived figures (a difference of two timings) may be negative: linear then.
    lows = min(r["min"] for r in rows)
    log = lows > 0 and max(meds) / max(min(meds), 1e-3) > 100
    if log:
        ax.set_xscale("log")
        ax.set_xlim(min(min(meds), lows) / 2, max(meds) * 8)
    else:
        span = max(r["max"] for r in rows) - min(lows, 0)
        ax.set_xlim(min(lows, 0) - (0.05 * span if lows < 0 else 0),
                    max(r["max"] for r in rows) + 0.35 * span)
    for i, r in enumerate(rows):
        text = f" {r['median']:.3g}{'' if unit == '×' else ' '}{unit}"
        if r["ratio"] is not None:
            text += f"  ({r['ratio']:.2f}×)"
        ax.text(r["max"] if not log else r["max"] * 1.1, i, text, va="center", fontsize=7)
    marks = [(r["target_ms"], i) for i, r in enumerate(rows) if r.get("target_ms")]
    if marks:
        ax.plot([m[0] for m in marks], [m[1] for m in marks], linestyle="none", marker="|",
                markersize=16, markeredgewidth=2, color="black", label="DESIGN §6 target")
        ax.legend(loc="lower right", fontsize=7)
    better = "lower" if UNITS.get(unit, True) else "higher"
    ax.set_xlabel(f"median {unit}, {better} is better" + (" (log scale)" if log else "") +
                  "; (ratio) vs the case's reference")
    ax.grid(axis="x", alpha=0.3)


def plot(title, rows, path):
    groups = {}  # unit -> its rows, in the order of the first row of each unit
    for r in rows:
        groups.setdefault(r.get("unit", "ms"), []).append(r)
    extra = 0.9 * (len(groups) - 1)  # each further panel's axis label and spacing
    fig, axes = plt.subplots(len(groups), 1, squeeze=False,
                             figsize=(10, 0.38 * len(rows) + 1.5 + extra),
                             gridspec_kw=dict(height_ratios=[len(g) + 1.5
                                                             for g in groups.values()]))
    for ax, (unit, group) in zip(axes[:, 0], groups.items()):
        _panel(ax, group, unit)
    axes[0, 0].set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
