"""mapbench.analysis.stats.compare on pyperf suites built with pyperf's own API from known distributions."""
import math

import numpy as np
import pyperf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapbench.analysis.render import compare_html, compare_markdown
from mapbench.analysis.stats import compare, number_deltas
from mapbench.analysis.stats.compare import FASTER, SLOWER, UNCHANGED, Method

NAMES = [f"iterate/storage={s}/prefetch={p}/n={n}"
         for s in ("stack", "heap") for p in (0, 8) for n in (1024, 16384)]


def make_bench(name, rng, *, scale=1.0, noise=0.02, processes=20, values=3, loops=64,
               metadata=None, drift=0.0):
    """A pyperf Benchmark: `processes` runs of `values` values each, lognormal noise per
    value plus a per-process offset (what a shared VM does), median near `scale` * 10 ns."""
    runs = []
    for _ in range(processes):
        offset = rng.normal(0.0, noise / 2)
        vals = 10e-9 * scale * np.exp(rng.normal(offset + drift, noise, size=values))
        md = {"name": name, "loops": loops}
        md.update(metadata or {})
        runs.append(pyperf.Run([float(v) for v in vals], warmups=[(loops, float(vals[0]))],
                               metadata=md, collect_metadata=False))
    return pyperf.Benchmark(runs)


def make_suite(seed, *, names=NAMES, **kw):
    rng = np.random.default_rng(seed)
    return pyperf.BenchmarkSuite([make_bench(n, rng, **kw) for n in names])


def roundtrip(suite, tmp_path, name):
    path = tmp_path / f"{name}.json"
    suite.dump(str(path))
    return pyperf.BenchmarkSuite.load(str(path))


def test_aa_same_distribution_is_no_significant_change(tmp_path):
    base = roundtrip(make_suite(1), tmp_path, "a")
    head = roundtrip(make_suite(2), tmp_path, "b")
    c = compare.compare_suites(base, head)
    assert len(c.timings) == len(NAMES)
    assert [t.verdict for t in c.timings] == [UNCHANGED] * len(NAMES)
    assert c.regressions(0.0) == []
    assert abs(c.geometric_mean - 1.0) < 0.02
    assert c.warnings == []


def test_ten_percent_slowdown_is_flagged_with_its_size():
    c = compare.compare_suites(make_suite(1), make_suite(2, scale=1.10))
    assert {t.verdict for t in c.timings} == {SLOWER}
    for t in c.timings:
        assert 0.06 < t.change < 0.14
        assert t.ci_low <= t.change <= t.ci_high
        assert t.p_value < 0.01
    assert len(c.regressions(5.0)) == len(NAMES)
    assert c.regressions(20.0) == []
    assert 1.06 < c.geometric_mean < 1.14


def test_speedup_lands_in_faster_section():
    c = compare.compare_suites(make_suite(1), make_suite(2, scale=0.85))
    assert len(c.section(FASTER)) == len(NAMES)
    assert c.section(SLOWER) == [] and c.regressions(0.0) == []


def test_significant_shift_below_min_effect_is_not_a_change():
    # Tiny noise: a 1.5 % shift is highly significant, yet under the 3 % minimum effect.
    base = make_suite(1, noise=0.001)
    head = make_suite(2, noise=0.001, scale=1.015)
    c = compare.compare_suites(base, head)
    assert all(t.p_value < 1e-4 for t in c.timings)
    assert {t.verdict for t in c.timings} == {UNCHANGED}
    strict = compare.compare_suites(base, head, method=Method(min_effect=0.01))
    assert {t.verdict for t in strict.timings} == {SLOWER}


def test_large_effect_without_significance_is_not_a_change():
    # One process a side (quiet): no spread anywhere to test the change against.
    c = compare.compare_suites(make_suite(1, processes=1, values=1),
                               make_suite(2, processes=1, values=1, scale=1.5))
    assert {t.verdict for t in c.timings} == {UNCHANGED}
    assert all(t.change > 0.3 and math.isnan(t.p_value) for t in c.timings)
    # Two values a side (median): no Mann-Whitney test can reach p < 0.01.
    c = compare.compare_suites(make_suite(1, processes=2, values=1),
                               make_suite(2, processes=2, values=1, scale=1.5),
                               method=Method(statistic="median"))
    assert {t.verdict for t in c.timings} == {UNCHANGED}
    assert all(t.change > 0.3 for t in c.timings)


def test_median_statistic_tests_values_below_six_processes_and_process_means_above():
    median = Method(statistic="median")
    aa = compare.compare_suites(make_suite(1, processes=3), make_suite(2, processes=3), method=median)
    assert {t.sample for t in aa.timings} == {compare.SAMPLE_VALUES}
    assert {t.verdict for t in aa.timings} == {UNCHANGED}
    slow = compare.compare_suites(make_suite(1, processes=3), make_suite(2, processes=3, scale=1.1),
                                  method=median)
    assert {t.verdict for t in slow.timings} == {SLOWER}
    many = compare.compare_suites(make_suite(1, processes=6), make_suite(2, processes=6),
                                  method=median)
    assert {t.sample for t in many.timings} == {compare.SAMPLE_PROCESS_MEANS}


def bursty_suite(seed, *, scale=1.0, processes=5, values=3, burst_share=0.35):
    """What this KVM guest does: each process is quiet (the code's cost, +-4%) or, with
    probability `burst_share`, inside a host burst that slows it 1.6-2x."""
    rng = np.random.default_rng(seed)
    benches = []
    for name in NAMES:
        runs = []
        for _ in range(processes):
            burst = rng.uniform(1.6, 2.0) if rng.random() < burst_share else 1.0
            vals = 10e-9 * scale * burst * np.exp(rng.normal(0, 0.02, size=values))
            runs.append(pyperf.Run([float(v) for v in vals], metadata={"name": name, "loops": 8},
                                   collect_metadata=False))
        benches.append(pyperf.Benchmark(runs))
    return pyperf.BenchmarkSuite(benches)


def test_quiet_statistic_leaves_out_burst_values_and_still_sees_ten_percent():
    aa = [compare.compare_suites(bursty_suite(seed), bursty_suite(seed + 100))
          for seed in range(5)]
    # 40 A/A tests at p < 0.01: 0.4 expected by chance (one seen, +3.9% at p=0.0064)
    assert sum(t.verdict != UNCHANGED for c in aa for t in c.timings) <= 1
    assert all(t.sample == compare.SAMPLE_QUIET for c in aa for t in c.timings)
    # the bursts really were there, and left out: fewer processes kept than ran somewhere
    assert any(t.kept[0] < t.kept[1] or t.kept[2] < t.kept[3] for c in aa for t in c.timings)
    slow = compare.compare_suites(bursty_suite(1), bursty_suite(2, scale=1.10))
    assert {t.verdict for t in slow.timings} == {SLOWER}
    assert all(0.05 < t.change < 0.15 for t in slow.timings)


def test_median_statistic_is_fooled_by_the_same_bursts():
    # Why quiet is the default: ranking every value, bursts decide the verdicts.
    median = Method(statistic="median")
    flagged = sum(t.verdict != UNCHANGED
                  for seed in range(5)
                  for t in compare.compare_suites(bursty_suite(seed), bursty_suite(seed + 100),
                                                  method=median).timings)
    assert flagged > 0


def test_quiet_rows_show_quiet_over_all_processes():
    base, head = bursty_suite(3), bursty_suite(4)
    c = compare.compare_suites(base, head)
    text = compare_markdown.render_markdown(c)
    t = c.timings[0]
    assert f"quiet processes {t.kept[0]}/{t.kept[1]} vs {t.kept[2]}/{t.kept[3]}" in text
    assert t.kept[1] == base.get_benchmark(t.name).get_nrun()
    assert "at most 25% above" in c.method.describe()
    assert "the process, not the value, is the unit" in c.method.describe().lower()


def test_unequal_process_counts_still_compare_and_warn():
    c = compare.compare_suites(make_suite(1, processes=20), make_suite(2, processes=6))
    assert {t.verdict for t in c.timings} == {UNCHANGED}
    assert any("processes differ" in w for w in c.warnings)
    assert {(t.base_processes, t.head_processes) for t in c.timings} == {(20, 6)}


def test_loops_that_differ_are_reported():
    c = compare.compare_suites(make_suite(1, loops=64), make_suite(2, loops=128))
    assert any("loops differ" in w for w in c.warnings)


def test_modes_that_differ_are_reported():
    c = compare.compare_suites(make_suite(1, metadata={"mapbench_mode": "quick"}),
                               make_suite(2, metadata={"mapbench_mode": "rigorous"}))
    assert any("mode" in w and "quick vs rigorous" in w for w in c.warnings)


def test_runs_timed_under_load_are_marked_unreliable():
    quiet = {"load_avg_1min": 0.9, "cpu_count": 2}
    busy = {"load_avg_1min": 5.5, "cpu_count": 2}
    c = compare.compare_suites(make_suite(1, metadata=quiet), make_suite(2, metadata=busy),
                               base_label="quiet", head_label="busy")
    assert c.contended == ["busy"]
    assert any("busy ran on a busy machine" in w and "5.5 on 2 CPUs" in w for w in c.warnings)
    assert "UNRELIABLE: busy ran on a busy machine" in compare_markdown.summary_line(c)
    calm = compare.compare_suites(make_suite(1, metadata=quiet), make_suite(2, metadata=quiet))
    assert calm.contended == [] and calm.warnings == []


def test_counts_are_compared_exactly():
    names = NAMES[:2]
    base = make_suite(1, names=names, metadata={"allocs_per_op": 0, "bytes_per_op": 0})
    head = pyperf.BenchmarkSuite([
        make_bench(names[0], np.random.default_rng(3),
                   metadata={"allocs_per_op": 1, "bytes_per_op": 96}),
        make_bench(names[1], np.random.default_rng(4),
                   metadata={"allocs_per_op": 0, "bytes_per_op": 0}),
    ])
    c = compare.compare_suites(base, head)
    changed = {(x.name, x.key): (x.base, x.head) for x in c.changed_counts}
    assert changed == {(names[0], "allocs_per_op"): (0, 1), (names[0], "bytes_per_op"): (0, 96)}
    assert len(c.counts) == 4
    md = compare_markdown.render_markdown(c)
    assert "allocs_per_op" in md and "2 of 4 counts identical" in md


def test_count_unit_benchmark_is_compared_by_value_not_tested():
    def count_bench(value):
        runs = [pyperf.Run([value], metadata={"name": "allocs/iterate/n=1024", "unit": "integer"},
                           collect_metadata=False) for _ in range(3)]
        return pyperf.BenchmarkSuite([pyperf.Benchmark(runs)])
    c = compare.compare_suites(count_bench(2), count_bench(3))
    assert c.timings == []
    assert [(x.key, x.base, x.head, x.equal) for x in c.counts] == [("value", 2, 3, False)]


def test_geometric_mean_is_over_all_ratios():
    c = compare.compare_suites(make_suite(1, noise=0.001), make_suite(2, noise=0.001))
    expected = math.exp(sum(math.log(t.ratio) for t in c.timings) / len(c.timings))
    assert c.geometric_mean == pytest.approx(expected)


def test_benchmarks_in_one_run_only_are_listed():
    c = compare.compare_suites(make_suite(1, names=NAMES[:3]), make_suite(2, names=NAMES[1:4]))
    assert c.only_base == [NAMES[0]] and c.only_head == [NAMES[3]]
    assert len(c.timings) == 2
    md = compare_markdown.render_markdown(c, extra_sections=[("Cache", "body")])
    assert f"only in base: {NAMES[0]}" in md and "## Cache" in md


def test_markdown_and_html_put_each_benchmark_in_its_section():
    names = NAMES[:4]
    rng = np.random.default_rng(5)
    base = make_suite(1, names=names)
    head = pyperf.BenchmarkSuite([make_bench(names[0], rng, scale=1.2),
                                  make_bench(names[1], rng, scale=0.8),
                                  make_bench(names[2], rng), make_bench(names[3], rng)])
    c = compare.compare_suites(base, head, base_label="aaa", head_label="bbb<x>")
    md = compare_markdown.render_markdown(c)
    slower_part = md.split("## Slower (1)")[1].split("## Faster")[0]
    assert names[0] in slower_part and names[1] not in slower_part
    assert "t test" in md and "3.0%" in md
    page = compare_html.render_html(c, flame_graphs=[("iterate n=1024", "diffflame/a.svg")])
    assert f'<tr class="slower" data-benchmark="{names[0]}"' in page
    assert f'<tr class="faster" data-benchmark="{names[1]}"' in page
    assert "bbb&lt;x&gt;" in page and "bbb<x>" not in page
    assert 'src="diffflame/a.svg"' in page


def test_number_deltas_match_by_path():
    base = {"configs": [{"name": "n=1024", "l1d_misses_per_element": 0.5, "source": "cachegrind"},
                        {"name": "n=4096", "l1d_misses_per_element": 1.0}], "ok": True}
    head = {"configs": [{"name": "n=4096", "l1d_misses_per_element": 1.5},
                        {"name": "n=1024", "l1d_misses_per_element": 0.5}]}
    deltas = {d.path: d for d in number_deltas.number_deltas(base, head)}
    assert set(deltas) == {"configs/n=1024/l1d_misses_per_element",
                           "configs/n=4096/l1d_misses_per_element"}
    assert deltas["configs/n=4096/l1d_misses_per_element"].change == pytest.approx(0.5)
    assert deltas["configs/n=1024/l1d_misses_per_element"].change == 0.0
    md = compare_markdown.deltas_markdown(list(deltas.values()), source="cachegrind simulation")
    assert md.index("n=4096") < md.index("n=1024")


samples = st.lists(st.floats(1.0, 2.0), min_size=2, max_size=12)


@given(samples, samples, st.floats(0.01, 1000.0))
@settings(max_examples=60, deadline=None)
def test_verdict_needs_significance_and_effect_and_ignores_units(base, head, scale):
    def suite(vals, k):
        runs = [pyperf.Run([v * k], metadata={"name": "b", "loops": 1}, collect_metadata=False)
                for v in vals]
        return pyperf.BenchmarkSuite([pyperf.Benchmark(runs)])
    method = Method()
    t = compare.compare_suites(suite(base, 1e-8), suite(head, 1e-8)).timings[0]
    if t.verdict != UNCHANGED:
        assert t.p_value < method.alpha and abs(t.change) >= method.min_effect
    if t.verdict == SLOWER:
        assert t.change > 0
    scaled = compare.compare_suites(suite(base, 1e-8 * scale), suite(head, 1e-8 * scale))
    assert scaled.timings[0].verdict == t.verdict


def interfered_suite(seed, *, scale=1.0, processes=10, values=5):
    """Values at a steady floor (the code's cost) plus one-sided interference: half of the
    processes run 5-60 % slower, as when other jobs share the CPUs."""
    rng = np.random.default_rng(seed)
    benches = []
    for name in NAMES[:4]:
        runs = []
        for i in range(processes):
            slow = 1.0 + (rng.uniform(0.05, 0.6) if rng.random() < 0.5 else 0.0)
            vals = 10e-9 * scale * slow * (1 + np.abs(rng.normal(0, 0.003, size=values)))
            runs.append(pyperf.Run([float(v) for v in vals], metadata={"name": name, "loops": 8},
                                   collect_metadata=False))
        benches.append(pyperf.Benchmark(runs))
    return pyperf.BenchmarkSuite(benches)


def test_min_statistic_sees_through_one_sided_interference():
    method = Method(statistic="min")
    aa = compare.compare_suites(interfered_suite(1), interfered_suite(2), method=method)
    assert {t.verdict for t in aa.timings} == {UNCHANGED}
    assert all(abs(t.change) < 0.01 for t in aa.timings)
    slow = compare.compare_suites(interfered_suite(1), interfered_suite(2, scale=1.1),
                                  method=method)
    assert {t.verdict for t in slow.timings} == {SLOWER}
    assert all(0.09 < t.change < 0.11 for t in slow.timings)
    assert {t.sample for t in slow.timings} == {compare.SAMPLE_FASTEST}
    assert "permutation test" in compare_markdown.render_markdown(slow)


def test_min_ratio_permutation_p_is_small_only_for_separated_floors():
    rng = np.random.default_rng(0)
    a, b = 1 + rng.random(20), 1 + rng.random(20)
    assert compare.min_ratio_permutation_p(a, b) > 0.01
    assert compare.min_ratio_permutation_p(a, b + 0.5) < 0.01
    assert compare.min_ratio_permutation_p(np.ones(5), np.ones(5)) == 1.0
    with pytest.raises(ValueError):
        Method(statistic="mean")


def test_control_drift_raises_the_minimum_effect_of_that_comparison():
    names = NAMES[:3] + ["dict-iterate/n=1024"]
    steady = compare.compare_suites(make_suite(1, names=names), make_suite(2, names=names))
    assert steady.min_effect == compare.DEFAULT_MIN_EFFECT and not steady.raised_by_drift
    assert steady.control_drift is not None and steady.control_drift < 0.03
    # The machine drifted: CPython's dict (no code of ours) 20% slower; one benchmark 30%
    # slower, one 2.5x slower, one unchanged.
    scale = {names[0]: 1.3, names[1]: 2.5, names[2]: 1.0, names[3]: 1.2}
    rng = np.random.default_rng(3)
    head = pyperf.BenchmarkSuite([make_bench(n, rng, scale=scale[n]) for n in names])
    c = compare.compare_suites(make_suite(1, names=names), head)
    assert 0.17 < c.control_drift < 0.23 and c.raised_by_drift
    assert c.min_effect == pytest.approx(compare.DRIFT_MARGIN * c.control_drift)
    verdicts = {t.name: t.verdict for t in c.timings}
    assert verdicts[names[1]] == SLOWER                   # far beyond the drift
    assert verdicts[names[0]] == UNCHANGED                # within 2 x the drift
    assert verdicts[names[3]] == UNCHANGED and verdicts[names[2]] == UNCHANGED
    assert any("control benchmarks (CPython's own dict" in w for w in c.warnings)
    assert "raised from 3.0% by the control benchmarks' drift" in compare_markdown.summary_line(c)
    floor_text = f"the minimum effect is {c.min_effect:.1%}: 2 x the control benchmarks"
    assert floor_text in compare_markdown.render_markdown(c) and floor_text in compare_html.render_html(c)
    # without the control in the suites, the 30% would have counted
    plain = compare.compare_suites(make_suite(1, names=names[:3]),
                                   pyperf.BenchmarkSuite([head.get_benchmark(n) for n in names[:3]]))
    assert {t.name: t.verdict for t in plain.timings}[names[0]] == SLOWER