"""What a workload file declares: its SQL set-up, its cases and its targets (bench/workloads/)."""
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass
class Target:
    """A DESIGN §6 target for one case: at most `ratio` times its reference, or at most `ms`."""
    ratio: Optional[float] = None
    ms: Optional[float] = None

    def text(self, ref: Optional[str]) -> str:
        if self.ratio is not None:
            return f"≤ {self.ratio:g}× {ref}"
        return f"≤ {self.ms:g} ms"

    def limit_ms(self, ref_median_ms: Optional[float]) -> Optional[float]:
        """The target as a time (for the plot's marker)."""
        if self.ratio is not None:
            return self.ratio * ref_median_ms if ref_median_ms else None
        return self.ms

    def met(self, median_ms: float, ratio: Optional[float]) -> bool:
        if self.ratio is not None:
            return ratio is not None and ratio <= self.ratio
        return median_ms <= self.ms


@dataclass
class Case:
    """One query timed side by side with the other cases of its workload.

    label: shown in tables and plots; lang: colours the plot bar (C, plcpp, PL/pgSQL,
    PL/Python, SQL, baseline); ref: the label of the case its ratio is computed against;
    check: its result must equal every other checked case's (same answer in every language).
    """
    label: str
    sql: str
    lang: str
    ref: Optional[str] = None
    target: Optional[Target] = None
    check: bool = True


@dataclass
class Workload:
    """A group of cases measured in one run, one table and one plot in the report.

    setup: SQL run once (psql, ON_ERROR_STOP, the mode's sizes as psql variables :name);
    verify: SQL whose every output row must be `t` (results are right before timing them);
    measure: instead of the standard timing loop (cases timed in one session, interleaved),
    a callable(ctx, sizes) -> {label: [ms, ...]} for workloads that need fresh sessions or
    another server (compile); its cases then only carry labels, languages and targets.
    """
    title: str
    description: str
    cases: list
    setup: str = ""
    verify: str = ""
    measure: Optional[Callable] = None
    key: str = ""          # the file name without its numeric prefix, filled in by the driver
    load: str = ""         # the load average when it started, filled in by the driver
