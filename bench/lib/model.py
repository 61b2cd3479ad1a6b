"""What a workload file declares: its SQL set-up, its cases and its targets (bench/workloads/)."""
from dataclasses import dataclass
from typing import Callable, Optional

# The units a case may be measured in, and whether less is better. Every standard timing is in
# ms; a workload's own measure() may also report derived figures (µs per call, transactions
# per second, a scaling factor, a backend's memory or a file's size: MiB and kB, both of 1024
# bytes, as /proc/<pid>/status counts them).
UNITS = {"ms": True, "µs": True, "tps": False, "×": False, "MiB": True, "kB": True}


@dataclass
class Target:
    """A DESIGN §6 target for one case, one of: at most `ratio` times its reference; at most
    `ms`; at least `min_ratio` times its reference, or at least `at_least` (figures where more
    is better: throughput, scaling); at most `at_most` in the case's unit (µs per call)."""
    ratio: Optional[float] = None
    ms: Optional[float] = None
    min_ratio: Optional[float] = None
    at_least: Optional[float] = None
    at_most: Optional[float] = None

    def _most(self):
        return self.at_most if self.at_most is not None else self.ms

    def text(self, ref: Optional[str], unit: str = "ms") -> str:
        sep = "" if unit == "×" else " "
        if self.ratio is not None:
            return f"≤ {self.ratio:g}× {ref}"
        if self.min_ratio is not None:
            return f"≥ {self.min_ratio:g}× {ref}"
        if self.at_least is not None:
            return f"≥ {self.at_least:g}{sep}{unit}"
        return f"≤ {self._most():g}{sep}{unit}"

    def limit_ms(self, ref_median_ms: Optional[float]) -> Optional[float]:
        """The target as a figure in the case's unit (for the plot's marker)."""
        for r in (self.ratio, self.min_ratio):
            if r is not None:
                return r * ref_median_ms if ref_median_ms else None
        return self.at_least if self.at_least is not None else self._most()

    def met(self, median_ms: float, ratio: Optional[float]) -> bool:
        if self.ratio is not None:
            return ratio is not None and ratio <= self.ratio
        if self.min_ratio is not None:
            return ratio is not None and ratio >= self.min_ratio
        if self.at_least is not None:
            return median_ms >= self.at_least
        return median_ms <= self._most()


@dataclass
class Case:
    """One query timed side by side with the other cases of its workload.

    label: shown in tables and plots; lang: colours the plot bar (C, plcpp, PL/pgSQL,
    PL/Python, SQL, baseline); ref: the label of the case its ratio is computed against;
    check: its result must equal every other case's with the same check (same answer in every
    language); a workload with several answers names its groups (check="hits"), False: none;
    before: SQL run, untimed, in the same session right before each timing of the case (e.g.
    emptying a cache); unit: what its figures are (UNITS; only a measure() reports others
    than ms).
    """
    label: str
    sql: str
    lang: str
    ref: Optional[str] = None
    target: Optional[Target] = None
    check: object = True   # True, False or a group name
    before: str = ""
    unit: str = "ms"


@dataclass
class Workload:
    """A group of cases measured in one run, one table and one plot in the report.

    setup: SQL run once (psql, ON_ERROR_STOP, the mode's sizes as psql variables :name);
    verify: SQL whose every output row must be `t` (results are right before timing them);
    server: where setup, verify and the standard timing run: "main", or "preload"
    (shared_preload_libraries = 'plcpp', for features that need it: the result cache);
    measure: instead of the standard timing loop (cases timed in one session, interleaved),
    a callable(ctx, sizes) -> {label: [figure, ...]} for workloads that need fresh sessions,
    another server, several clients or derived figures (compile, result_cache); its cases
    then only carry labels, languages, units and targets.
    """
    title: str
    description: str
    cases: list
    setup: str = ""
    verify: str = ""
    server: str = "main"
    measure: Optional[Callable] = None
    key: str = ""          # the file name without its numeric prefix, filled in by the driver
    load: str = ""         # the load average when it started, filled in by the driver
