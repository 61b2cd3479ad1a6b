"""Medians and ratios of the raw timings: one row per case, as the report and plots show it."""
import statistics


def summarize(workload, timings):
    """timings: {label: [figure, ...]} (ms unless the case has another unit) -> list of row
    dicts in the workload's case order."""
    medians = {label: statistics.median(ms) for label, ms in timings.items()}
    rows = []
    for c in workload.cases:
        ms = timings[c.label]
        med = medians[c.label]
        ratio = med / medians[c.ref] if c.ref and medians.get(c.ref) else None
        rows.append(dict(
            label=c.label, lang=c.lang, ref=c.ref, unit=c.unit, runs=len(ms), median=med,
            min=min(ms), max=max(ms), ratio=ratio,
            target=c.target.text(c.ref, c.unit) if c.target else None,
            target_ms=c.target.limit_ms(medians.get(c.ref)) if c.target else None,
            met=c.target.met(med, ratio) if c.target else None))
    return rows
