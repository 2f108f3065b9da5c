"""analysis/process_noise: the process-level noise of A/A runs and the rounds it asks for."""
import math

import numpy as np
import pyperf
import pytest

from mapbench.analysis.stats import compare, process_noise
from tests.process_suites import process_suite

NAMES = ["iterate/a", "iterate/b", "iterate/c"]


def one_benchmark(*processes, name="iterate/a"):
    """A suite of one benchmark whose worker processes timed these values."""
    return pyperf.BenchmarkSuite([pyperf.Benchmark(
        [pyperf.Run([float(v) for v in values], metadata={"name": name, "loops": 8},
                    collect_metadata=False) for values in processes])])


def noisy_suite(rng, *, processes, level_sd, burst_share=0.0, scale=1.0):
    """Each process at its own level (sd level_sd), values 0.5% around it, a share of
    the processes inside a 1.8x burst."""
    return process_suite(rng, NAMES, processes=processes, level_sd=level_sd, scale=scale,
                         burst_share=burst_share, burst=(1.8, 1.8))


def test_level_sd_and_quiet_share_come_from_the_processes():
    rng = np.random.default_rng(7)
    runs = [noisy_suite(rng, processes=60, level_sd=0.04, burst_share=0.3) for _ in range(2)]
    noise = process_noise.measure(runs, NAMES)
    assert noise.processes == 2 * 3 * 60 and noise.benchmarks == 3
    assert 0.6 < noise.quiet_fraction < 0.8
    assert 0.032 < noise.level_sd < 0.048


def test_burst_values_inside_a_quiet_process_do_not_move_its_level():
    suite = one_benchmark([4e-9, 4.01e-9, 4.02e-9], [4.1e-9, 4.1e-9, 7.5e-9, 7.9e-9])
    noise = process_noise.measure([suite], ["iterate/a"])
    assert noise.quiet_processes == 2
    # levels log(4.01) and log(4.1): 2.2% apart, not pulled toward the 7.5-7.9 burst values
    assert noise.level_sd == pytest.approx(abs(math.log(4.1 / 4.01)) / math.sqrt(2), rel=1e-6)


def test_a_process_entirely_in_a_burst_is_not_quiet():
    suite = one_benchmark([4e-9, 4e-9], [7.2e-9, 7.4e-9], [4.2e-9, 4.3e-9])
    noise = process_noise.measure([suite], ["iterate/a"])
    assert (noise.processes, noise.quiet_processes) == (3, 2)


def test_no_spread_without_two_quiet_processes():
    noise = process_noise.measure([one_benchmark([4e-9, 4.1e-9])], ["iterate/a"])
    assert noise.level_sd is None
    assert process_noise.rounds_needed(noise, 0.10, 0.01) is None


def test_rounds_grow_with_the_spread_and_the_burst_share():
    base = process_noise.ProcessNoise(100, 100, 0.03, 6)
    r = process_noise.rounds_needed(base, 0.10, 0.01)
    assert 3 <= r <= 8
    # twice the spread: about four times the quiet processes
    wider = process_noise.ProcessNoise(100, 100, 0.06, 6)
    assert 3 * r <= process_noise.rounds_needed(wider, 0.10, 0.01) <= 5 * r
    # half the processes lost to bursts: about twice the rounds
    bursty = process_noise.ProcessNoise(100, 50, 0.03, 6)
    assert 1.6 * r <= process_noise.rounds_needed(bursty, 0.10, 0.01) <= 3 * r
    # half the effect: about four times
    assert process_noise.rounds_needed(base, 0.05, 0.01) >= 3 * r
    # more benchmarks that must all be flagged: more rounds
    assert process_noise.rounds_needed(process_noise.ProcessNoise(100, 100, 0.03, 60),
                                       0.10, 0.01) > r


def test_beyond_the_cap_says_so():
    hopeless = process_noise.ProcessNoise(100, 10, 0.5, 6)
    assert process_noise.rounds_needed(hopeless, 0.10, 0.01, most=100) == 101


def flagged_share(rounds, level_sd, burst_share, trials, rng):
    """How often compare's default statistic flags a 10% slowdown on every benchmark."""
    hits = 0
    for _ in range(trials):
        base = noisy_suite(rng, processes=rounds, level_sd=level_sd, burst_share=burst_share)
        head = noisy_suite(rng, processes=rounds, level_sd=level_sd, burst_share=burst_share,
                           scale=1.10)
        c = compare.compare_suites(base, head)
        hits += all(t.verdict == compare.SLOWER for t in c.timings)
    return hits / trials


def test_the_estimate_is_enough_for_the_comparison_and_a_third_of_it_is_not():
    # Ground truth from compare itself on simulated runs with this noise (the VM's: 5%
    # level spread, a third of the processes in a burst).
    rng = np.random.default_rng(11)
    aa = [noisy_suite(rng, processes=40, level_sd=0.05, burst_share=1 / 3) for _ in range(2)]
    needed = process_noise.rounds_needed(process_noise.measure(aa, NAMES), 0.10, 0.01)
    assert 8 <= needed <= 30
    # aimed at 0.9: all three benchmarks flagged in at least 3 of 4 comparisons
    assert flagged_share(needed, 0.05, 1 / 3, 40, rng) >= 0.75
    assert flagged_share(max(2, needed // 3), 0.05, 1 / 3, 40, rng) <= 0.5
