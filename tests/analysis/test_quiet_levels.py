"""analysis/quiet_levels: one level per worker process, and the t test on the levels."""
import math

import numpy as np
import pyperf
import pytest

from mapbench.analysis.stats import compare
from mapbench.analysis.stats.quiet_levels import Spread, compare_levels, process_levels, spread_of
from tests.process_suites import process_suite

NAMES = ["iterate/a", "iterate/b", "iterate/c"]


def benchmark(*processes, name="iterate/a"):
    return pyperf.Benchmark([pyperf.Run([float(v) for v in values],
                                        metadata={"name": name, "loops": 8},
                                        collect_metadata=False) for values in processes])


def test_a_level_is_the_median_of_the_quiet_values_and_burst_processes_drop_out():
    levels, count = process_levels(benchmark([1.0, 1.1, 1.24, 1.9], [1.3, 1.8], [1.2, 1.2]))
    assert count == 3
    # cut 1.25 x the fastest (1.0): the first keeps 1.0, 1.1, 1.24; the second has nothing
    assert np.exp(levels) == pytest.approx([1.1, 1.2])


def test_nothing_to_test_without_values():
    warmups_only = pyperf.Benchmark([pyperf.Run([], warmups=[(8, 1.0)],
                                                metadata={"name": "iterate/a", "loops": 8},
                                                collect_metadata=False)])
    assert process_levels(warmups_only)[1] == 0
    t = compare_levels(np.array([]), np.log([1.0, 1.1]), Spread(), 0.95)
    assert math.isnan(t.p_value) and math.isnan(t.change)


def test_identical_levels_are_no_change_and_a_clean_shift_is_certain():
    same = compare_levels(np.log([2.0, 2.0]), np.log([2.0, 2.0]), Spread(), 0.95)
    assert same.p_value == 1.0 and same.change == 0.0
    shifted = compare_levels(np.log([2.0, 2.0]), np.log([2.2, 2.2]), Spread(), 0.95)
    assert shifted.p_value == 0.0 and shifted.change == pytest.approx(0.10)


def test_one_quiet_process_on_a_side_is_tested_with_the_pooled_spread():
    base, head = np.log([4.0, 4.1, 3.9, 4.05]), np.log([6.0])
    alone = compare_levels(base, head, Spread(), 0.95)
    pooled = compare_levels(base, head, spread_of(np.log([4.0, 4.2, 3.9]),
                                                  np.log([5.0, 5.2])), 0.95)
    assert alone.p_value < 0.01 and pooled.p_value < 0.01
    assert alone.change == pytest.approx(6.0 / math.exp(np.mean(base)) - 1)
    assert pooled.ci_low < alone.change < pooled.ci_high
    # no spread at all on either side nor in the pool: no test
    assert math.isnan(compare_levels(np.log([4.0]), np.log([6.0]), Spread(), 0.95).p_value)


def wandering_suite(rng, *, processes, scale=1.0):
    """This VM: levels wander 5% between processes, values 0.5% around them, a third of
    the processes inside a 1.6-2x burst."""
    return process_suite(rng, NAMES, processes=processes, scale=scale, burst_share=1 / 3)


def flags(method, seed, **head):
    rng = np.random.default_rng(seed)
    total = 0
    for _ in range(20):
        c = compare.compare_suites(wandering_suite(rng, processes=5),
                                   wandering_suite(rng, processes=5, **head), method=method)
        total += sum(t.verdict != compare.UNCHANGED for t in c.timings)
    return total


def test_wandering_processes_fool_a_test_on_values_but_not_the_level_test():
    # 20 A/A comparisons of 3 benchmarks, 5 processes each: at p < 0.01 the level test
    # may flag about 0.6 of the 60 by chance; ranking the values (statistic median, below
    # 6 processes) calls the wander significant.
    assert flags(compare.Method(), 1) <= 2
    assert flags(compare.Method(statistic="median"), 1) >= 8


def test_the_level_test_sees_a_fifty_percent_slowdown_through_the_wander():
    assert flags(compare.Method(), 2, scale=1.5) == 60
