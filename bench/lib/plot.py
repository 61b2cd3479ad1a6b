"""One horizontal bar chart per workload: median ms per case, min-max whiskers, ratio labels."""
import matplotlib

matplotlib.use("Agg")  # no display: write PNG files only
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"C": "#4d4d4d", "plcpp": "#d62728", "PL/pgSQL": "#1f77b4", "PL/Python": "#2ca02c",
          "SQL": "#9467bd", "baseline": "#c7c7c7"}


def plot(title, rows, path):
    meds = [r["median"] for r in rows]
    fig, ax = plt.subplots(figsize=(10, 0.38 * len(rows) + 1.5))
    y = range(len(rows))
    whiskers = [[r["median"] - r["min"] for r in rows], [r["max"] - r["median"] for r in rows]]
    ax.barh(y, meds, color=[COLORS.get(r["lang"], "#888888") for r in rows],
            xerr=whiskers, error_kw=dict(ecolor="#00000080", capsize=2, lw=0.8))
    ax.set_yticks(list(y), [r["label"] for r in rows], fontsize=8)
    ax.invert_yaxis()
    # Ranges over two orders of magnitude (fib: C vs SQL) are unreadable on a linear axis.
    log = max(meds) / max(min(meds), 1e-3) > 100
    if log:
        ax.set_xscale("log")
        ax.set_xlim(min(min(meds), min(r["min"] for r in rows)) / 2, max(meds) * 8)
    else:
        ax.set_xlim(0, max(r["max"] for r in rows) * 1.35)
    for i, r in enumerate(rows):
        text = f" {r['median']:.3g} ms"
        if r["ratio"] is not None:
            text += f"  ({r['ratio']:.2f}×)"
        ax.text(r["max"] if not log else r["max"] * 1.1, i, text, va="center", fontsize=7)
    marks = [(r["target_ms"], i) for i, r in enumerate(rows) if r.get("target_ms")]
    if marks:
        ax.plot([m[0] for m in marks], [m[1] for m in marks], linestyle="none", marker="|",
                markersize=16, markeredgewidth=2, color="black", label="DESIGN §6 target")
        ax.legend(loc="lower right", fontsize=7)
    ax.set_xlabel("median ms, lower is better" + (" (log scale)" if log else "") +
                  "; (ratio) vs the case's reference")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
