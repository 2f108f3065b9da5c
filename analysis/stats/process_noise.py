"""How noisy one machine is, measured from two runs of the same code, and how many worker
processes per benchmark a comparison needs there.

`mapbench calibrate` times the same code twice (A1, A2). From those runs, with the
quiet levels of `mapbench compare`'s default statistic (analysis/quiet_levels.py: one
level per worker process, processes a host burst covered from start to end left out):
`quiet_fraction` (quiet processes / all processes) and `level_sd` (the pooled standard
deviation of the levels around their benchmark-and-run mean, in log units, so 0.047 is
4.7%; on a shared machine it is mostly the host's wandering speed, shared by the values of
a process).

With R processes per benchmark and run, each side has k quiet processes, k drawn from
Binomial(R, quiet_fraction), and the change between the sides' mean levels has a
standard error of level_sd * sqrt(1/k_base + 1/k_head). compare's t test (analysis/
quiet_levels.py) calls it significant beyond t(1 - alpha/2) with k_base + k_head - 2 +
PRIOR_DOF degrees of freedom, so a slowdown of size e is flagged with probability about

    P(R) = sum over k_base, k_head of Binomial weights * Phi(log(1 + e) / se - t(1 - alpha/2))

(normal approximation of the shifted t, processes independent). rounds_needed is the
smallest R with P(R)^K >= all_flagged: every one of K benchmarks flagged together.
This is a planning estimate, not a test: the verdict is still the comparison's own.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import pyperf

from mapbench.analysis.stats.quiet_levels import PRIOR_DOF, Spread, process_levels, spread_of

ALL_FLAGGED = 0.9      # wanted probability that every calibration benchmark is flagged


@dataclass(frozen=True)
class ProcessNoise:
    processes: int           # worker processes looked at (every benchmark, both runs)
    quiet_processes: int     # of those, processes with a value within QUIET_FACTOR of the fastest
    level_sd: float | None   # pooled sd of quiet process levels (log units); None: too few
    benchmarks: int

    @property
    def quiet_fraction(self) -> float:
        return self.quiet_processes / self.processes if self.processes else 0.0


def measure(runs: list[pyperf.BenchmarkSuite], names: list[str]) -> ProcessNoise:
    """The process-level noise of `names` in runs of the same code (A1, A2, ...)."""
    processes = quiet = 0
    spread = Spread()
    for suite in runs:
        for name in names:
            levels, count = process_levels(suite.get_benchmark(name))
            processes += count
            quiet += len(levels)
            spread += spread_of(levels)
    sd = math.sqrt(spread.variance) if spread.variance is not None else None
    return ProcessNoise(processes, quiet, sd, len(names))


def flag_probability(noise: ProcessNoise, rounds: int, effect: float, alpha: float) -> float:
    """P(R) above: one benchmark's slowdown of `effect` flagged with `rounds` processes."""
    from scipy import stats  # ~1 s to import: only when a calibration is evaluated

    normal = NormalDist()
    critical = [float(stats.t.ppf(1 - alpha / 2, dof)) for dof in range(2 * rounds + PRIOR_DOF)]
    shift = math.log1p(effect)
    f = noise.quiet_fraction
    weights = [math.comb(rounds, k) * f ** k * (1 - f) ** (rounds - k)
               for k in range(rounds + 1)]
    total = 0.0
    for kb in range(1, rounds + 1):
        for kh in range(1, rounds + 1):
            se = noise.level_sd * math.sqrt(1 / kb + 1 / kh)
            t_alpha = critical[kb + kh - 2 + PRIOR_DOF]
            total += weights[kb] * weights[kh] * normal.cdf(shift / se - t_alpha)
    return total


def rounds_needed(noise: ProcessNoise, effect: float, alpha: float,
                  all_flagged: float = ALL_FLAGGED, most: int = 100) -> int | None:
    """Smallest R with every benchmark flagged together at least `all_flagged` of the
    time; None when the noise is unknown, `most` + 1 when even `most` is not enough."""
    if noise.level_sd is None or effect <= 0 or noise.quiet_fraction <= 0:
        return None
    if noise.level_sd == 0:
        return 2
    wanted = all_flagged ** (1.0 / max(1, noise.benchmarks))
    low, high = 2, most
    if flag_probability(noise, high, effect, alpha) < wanted:
        return most + 1
    while low < high:                # P(R) grows with R
        mid = (low + high) // 2
        if flag_probability(noise, mid, effect, alpha) >= wanted:
            high = mid
        else:
            low = mid + 1
    return low
