"""The quiet statistic: one number per worker process, tested process against process.

On a shared machine the host slows a CPU in bursts, and between bursts its speed still
wanders. On the 2-vCPU KVM guest the method was designed on (measured 2026-11-26, n=2^14
iterate, 20 ms values for 90 s) bursts slowed a vCPU 1.6-2x for 0.1 s to about 10 s, about
a third of the time, and the quiet level had an sd of about 5% and stayed correlated for
seconds (autocorrelation 0.5 at 1-2 s, gone after about 10 s). `mapbench calibrate`
measures a machine's own figures.
A pyperf worker process lasts well under a second, so its values share one host state:
they are not independent evidence, and a test that ranks values (as this module's
predecessor did) calls process-to-process wander significant. Here:

- a value is *quiet* when it is at most QUIET_FACTOR above the fastest value of its run
  (interference only adds time; a burst's values land far above the cut);
- a process's *level* is the median of the logs of its quiet values; a process with no
  quiet value ran inside a burst from start to end and is left out;
- the test compares the levels of base and head with a two-sided Student t test on the
  difference of their means (log units, so the change is a ratio of geometric means).
  Its variance is the benchmark's own pooled spread of levels (both runs), combined with
  the spread pooled over every benchmark of the comparison, weighted as PRIOR_DOF extra
  degrees of freedom: the wander is the machine's more than the benchmark's (4.6-6.2% in
  every calibration and `tox -e bench` run measured here), and a benchmark with two or
  three quiet processes per side cannot estimate it alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyperf

QUIET_FACTOR = 1.25      # quiet values: at most 25% above the run's fastest
PRIOR_DOF = 4            # weight of the comparison-wide spread, in degrees of freedom


def process_levels(bench: pyperf.Benchmark) -> tuple[np.ndarray, int]:
    """(log levels of the quiet processes, number of processes with values)."""
    runs = [np.asarray(run.values, dtype=float) for run in bench.get_runs() if run.values]
    runs = [v for v in runs if np.all(np.isfinite(v)) and np.all(v > 0)]
    if not runs:
        return np.array([]), 0
    cut = min(float(v.min()) for v in runs) * QUIET_FACTOR
    levels = [float(np.median(np.log(v[v <= cut]))) for v in runs if np.any(v <= cut)]
    return np.asarray(levels), len(runs)


@dataclass(frozen=True)
class Spread:
    """Sum of squared deviations of levels from their group means, and its degrees of
    freedom (a group: one benchmark in one run)."""
    squares: float = 0.0
    dof: int = 0

    def __add__(self, other: "Spread") -> "Spread":
        return Spread(self.squares + other.squares, self.dof + other.dof)

    @property
    def variance(self) -> float | None:
        return self.squares / self.dof if self.dof else None


def spread_of(*groups: np.ndarray) -> Spread:
    total = Spread()
    for levels in groups:
        if len(levels) >= 2:
            total += Spread(float(np.sum((levels - levels.mean()) ** 2)), len(levels) - 1)
    return total


@dataclass(frozen=True)
class LevelTest:
    change: float          # head / base - 1 (ratio of the geometric means of the levels)
    ci_low: float
    ci_high: float
    p_value: float         # nan when the spread is unknown
    base_centre: float     # geometric mean of the base levels (seconds)
    head_centre: float


def compare_levels(base: np.ndarray, head: np.ndarray, prior: Spread, confidence: float,
                prior_dof: int = PRIOR_DOF) -> LevelTest:
    """Two-sided t test of mean(head) - mean(base), variance pooled as the module says."""
    if len(base) == 0 or len(head) == 0:
        return LevelTest(math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    diff = float(head.mean() - base.mean())
    centres = (math.exp(float(base.mean())), math.exp(float(head.mean())))
    own = spread_of(base, head)
    if prior.variance is not None:
        squares, dof = own.squares + prior_dof * prior.variance, own.dof + prior_dof
    else:
        squares, dof = own.squares, own.dof
    if dof == 0:
        return LevelTest(math.expm1(diff), math.nan, math.nan, math.nan, *centres)
    se = math.sqrt(squares / dof * (1 / len(base) + 1 / len(head)))
    if se == 0.0:
        p = 1.0 if diff == 0.0 else 0.0
        return LevelTest(math.expm1(diff), math.expm1(diff), math.expm1(diff), p, *centres)
    from scipy import stats  # ~1 s to import: only when a comparison runs

    p = float(2 * stats.t.sf(abs(diff) / se, dof))
    half = float(stats.t.ppf(0.5 + confidence / 2, dof)) * se
    return LevelTest(math.expm1(diff), math.expm1(diff - half), math.expm1(diff + half), p,
                     *centres)
