"""Steps in a timed series: the runs where a benchmark's ns/element changes level.

    time_steps([(run label, {benchmark: ns/element} or None), ...] oldest first)
        -> TimeSteps(steps=[TimeStep(benchmark, index, run, before_run, before, after)],
                     short={benchmark: timed runs}, method=METHOD)

Time is noisy (pyperf timing wanders by about 5% here, with bursts), so unlike counts
(count_steps.py) a change from one run to the next says nothing by itself. A step is found
by a change-point fit over the whole series, the method of asv's `step_detect` (asv is a
dependency; its `solve_potts` does the fit):

1. fit a piecewise-constant function to the series by penalized L1 (the Potts problem of
   Friedrich et al. 2008, solved exactly by `asv.step_detect.solve_potts`): each level is
   its segment's median, each extra segment costs gamma;
2. pick gamma, and so the number of segments k, by asv's Schwarz-like criterion
   `beta*k + ln(sigma_0 + sum |y - level|)`, beta = 4 ln(m)/m for m points, with asv's
   noise floor sigma_0 (0.1 x the smallest level change; 0.001 x the level for one or two
   segments). gamma runs over a fixed log grid from 0.1/m to 1 times the one-segment L1
   error (asv's search range; asv golden-searches it);
3. mark a boundary between two fitted levels only where they differ by more than each
   segment's mean absolute deviation and by more than THRESHOLD of the earlier level
   (asv's filter in `detect_regressions`, and its default 5% regression threshold).

One deliberate difference from asv's `detect_steps`: its AR(1) noise term is left out.
On short series it explains a real step away as correlated noise: of 200 synthetic
series of 8 to 16 points with a 25% step under 5% Gaussian noise, asv's `detect_steps`
found the step in about half; this fit finds it in 81% (8 points) to 98% (16 points),
and marks fewer flat series (benchmarks/studies/time_step_calibration.py).
Unweighted: every run's median counts the same (asv weights by each point's spread).

Too short: a level must hold for MIN_SEGMENT runs, and a series needs MIN_POINTS timed
runs before any step is sought: below 6 points a real 25% step under 5% noise is found
in under 60% of series, and the fit has only one or two places to put it (false marks
on flat series stay at or under 3% from 6 points on; time_step_calibration.py). A
benchmark with fewer is listed in `short`, never marked. A run without the benchmark is
skipped, never read as zero.

Pure: numbers in, steps out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

SOURCE = "ns/element, pyperf timing (bench.json, median of each run's values)"
MIN_SEGMENT = 2          # runs a fitted level must hold
MIN_POINTS = 6           # timed runs a series needs before steps are sought
THRESHOLD = 0.05         # smallest level change marked, as a fraction of the level before
GAMMA_GRID = 41          # gamma values tried, log-spaced over asv's range
METHOD = (f"penalized L1 piecewise-constant fit (asv step_detect's solve_potts; number of "
          f"steps by asv's Schwarz-like criterion, beta = 4 ln(m)/m per segment, without its "
          f"AR(1) noise term); a step is marked where two fitted levels differ by more than "
          f"both segments' mean absolute deviation and by at least {THRESHOLD:.0%}; levels "
          f"hold for at least {MIN_SEGMENT} runs; series of fewer than {MIN_POINTS} timed "
          f"runs are not searched")


@dataclass(frozen=True)
class TimeStep:
    benchmark: str
    index: int            # of the run (in the order given) where the new level starts
    run: str              # its label
    before_run: str       # the last run of the level before
    before: float         # the level before: its segment's median, ns/element
    after: float          # the level from `run` on

    @property
    def change(self) -> float:
        return self.after / self.before - 1.0 if self.before else math.inf


@dataclass
class TimeSteps:
    steps: list[TimeStep] = field(default_factory=list)
    short: dict[str, int] = field(default_factory=dict)     # benchmark -> its timed runs
    method: str = METHOD


def _levels(y: list[float]) -> list[tuple[int, int, float, float]]:
    """[(first, end, level, mean absolute deviation)] of the chosen fit, end exclusive."""
    from asv.step_detect import get_mu_dist, solve_potts
    m = len(y)
    weights = [1.0] * m
    mu_dist = get_mu_dist(y, weights)
    beta = 4 * math.log(m) / m
    gamma_0 = mu_dist.dist(0, m - 1) or 1.0
    low = math.log(0.1 / m)
    best = None
    for i in range(GAMMA_GRID):
        gamma = gamma_0 * math.exp(low * (1 - i / (GAMMA_GRID - 1)))
        right, values, dists = solve_potts(y, weights, gamma, min_size=MIN_SEGMENT, mu_dist=mu_dist)
        if len(values) > 2:
            sigma_0 = 0.1 * min(abs(b - a) for a, b in zip(values, values[1:]))
        else:
            sigma_0 = 0.001 * min(abs(v) for v in values)
        objective = beta * len(right) + math.log(max(sigma_0, 1e-300) + sum(dists))
        if best is None or objective < best[0]:
            best = (objective, right, values, dists)
    _, right, values, dists = best
    out, first = [], 0
    for end, value, dist in zip(right, values, dists):
        out.append((first, end, value, dist / (end - first)))
        first = end
    return out


def series_steps(y: list[float]) -> list[tuple[int, float, float]]:
    """[(position where the new level starts, level before, level after)] of one series
    (at least MIN_POINTS finite values, oldest first)."""
    levels = _levels(y)
    found = []
    for (_, _, before, spread_a), (first, _, after, spread_b) in zip(levels, levels[1:]):
        jump = abs(after - before)
        if jump > spread_a and jump > spread_b and jump >= THRESHOLD * abs(before):
            found.append((first, before, after))
    return found


def time_steps(runs: list[tuple[str, dict[str, float] | None]]) -> TimeSteps:
    """Every marked step of every benchmark's timed series, by benchmark, then run order."""
    series: dict[str, list[tuple[int, str, float]]] = {}
    for index, (label, times) in enumerate(runs):
        for name, value in (times or {}).items():
            if isinstance(value, (int, float)) and math.isfinite(value):
                series.setdefault(name, []).append((index, label, float(value)))
    result = TimeSteps()
    for name, points in sorted(series.items()):
        if len(points) < MIN_POINTS:
            result.short[name] = len(points)
            continue
        for position, before, after in series_steps([v for _, _, v in points]):
            index, label, _ = points[position]
            result.steps.append(TimeStep(name, index, label, points[position - 1][1], before, after))
    return result
