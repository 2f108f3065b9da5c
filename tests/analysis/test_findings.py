"""mapbench.analysis.stats.findings: the answers at the top of report.html and summary.md,
from synthetic runs whose variants differ by a known factor (or not at all)."""
import math
import re

import numpy as np
import pyperf
import pytest

from mapbench.analysis.stats import findings

SIZES = (1024, 16384)


def run_suite(scales: dict[str, float], *, seed=1, processes=6, level_sd=0.02, metadata=None):
    """A suite of `scales` (name -> level factor over 4 ns): worker processes with levels
    that wander `level_sd` (log units), three values each."""
    rng = np.random.default_rng(seed)
    benches = []
    for name, scale in scales.items():
        md = {"name": name, "loops": 8, **(metadata or {}).get(name, {})}
        runs = []
        for _ in range(processes):
            level = 4e-9 * scale * math.exp(rng.normal(0, level_sd))
            runs.append(pyperf.Run([float(v) for v in level * np.exp(rng.normal(0, 0.003, 3))],
                                   metadata=md, collect_metadata=False))
        benches.append(pyperf.Benchmark(runs))
    return pyperf.BenchmarkSuite(benches)


def only(found, topic):
    [f] = [f for f in found if f.topic == topic]
    return f


ALLOCS = {f"iterinit/storage={s}/n={n}": {"allocs_per_op": a, "alloc_bytes_per_op": 96.0 * a}
          for s, a in (("stack", 0.0), ("heap", 1.0), ("pool", 0.0)) for n in SIZES}


def test_heap_init_cost_is_found_with_its_number_interval_and_allocations():
    scales = {}
    for n in SIZES:
        scales |= {f"iterinit/storage=stack/n={n}": 10.0, f"iterinit/storage=heap/n={n}": 14.0,
                   f"iterinit/storage=pool/n={n}": 14.0}
    found = findings.findings(findings.RunData(run_suite(scales, metadata=ALLOCS)))
    heap = only(found, "Heap vs stack iterator")
    assert heap.significance == findings.SIGNIFICANT
    ns = float(re.search(r"heap iterator: \+([\d.]+) ns per init over stack at n=2\^10",
                         heap.sentence).group(1))
    assert ns == pytest.approx(16.0, rel=0.1)                # (14 - 10) x 4 ns
    pct, lo, hi = map(int, re.search(r"\(\+(\d+)%, 95% CI \[\+(\d+)%, \+(\d+)%\], p = ",
                                     heap.sentence).groups())
    assert lo < pct < hi and pct == pytest.approx(40, abs=6)
    assert "1 alloc of 96 B per init vs 0 allocs for stack" in heap.sentence
    assert "2^14 +1" in heap.sentence and "counting allocator" in heap.source
    pool = only(found, "Does pooling pay?")                  # pool as slow as heap: no gain
    assert pool.significance == findings.NOT_SIGNIFICANT
    assert "0 allocs per init vs 1 alloc of 96 B for heap" in pool.sentence


@pytest.mark.parametrize("heap_names", [{"iterate/storage=heap/prefetch=16/n=1024": 1.0},   # --full
                                        {"iterate/storage=heap/prefetch=0/n=1024": 1.0}],   # quick
                         ids=["full", "quick"])
def test_prefetch_that_helps_only_at_the_large_size_says_where(heap_names):
    scales = dict(heap_names)
    for n, gain in zip(SIZES, (1.0, 1.5)):
        scales |= {f"iterate/storage=stack/prefetch=0/n={n}": 1.0,
                   f"iterate/storage=stack/prefetch=16/n={n}": 1.0 / gain,
                   f"iterate/storage=stack/prefetch=0/snapshot=atomic/n={n}": 1.0}
    found = findings.findings(findings.RunData(run_suite(scales)))
    pre = only(found, "Does prefetch help?")
    assert pre.significance == findings.MIXED
    speedup = float(re.search(r"prefetch distance 16 \(stack iterator\): ([\d.]+)x faster at 2\^14",
                              pre.sentence).group(1))
    assert speedup == pytest.approx(1.5, rel=0.05)
    assert "no significant effect at 2^10" in pre.sentence
    snap = only(found, "What does the acquire-ordered snapshot cost?")
    assert snap.significance == findings.NOT_SIGNIFICANT
    assert "no significant effect at 2^10, 2^14" in snap.sentence and "largest change" in snap.sentence


def test_ours_against_go_is_the_ratio_of_ns_per_element():
    scales = {f"iterate/storage=stack/prefetch=0/n={n}": 1.0 for n in SIZES}   # 4 ns/element
    peers = {"go_version": "go1.19.8", "source": "go test -bench", "benchmarks": [
        {"name": f"range/n={n}", "n": n, "ns_per_op": [8.0 * n, 8.1 * n, 7.9 * n],
         "ns_per_element": 8.0} for n in SIZES]}
    go = only(findings.findings(findings.RunData(run_suite(scales), peers)), "Ours against Go's map")
    ratios = [float(x) for x in re.findall(r"([\d.]+)x at 2\^", go.sentence)]
    assert ratios == [pytest.approx(0.5, rel=0.05)] * 2
    assert go.significance == findings.SIGNIFICANT and "go1.19.8" in go.sentence
    assert "peers.json" in go.source


def test_a_run_without_the_pairs_has_no_findings_and_no_markdown():
    suite = run_suite({"roofline/n=1024": 1.0, "iterate/storage=stack/prefetch=0/n=1024": 1.0})
    assert findings.findings(findings.RunData(suite)) == []
    assert findings.findings(findings.RunData(suite, {"benchmarks": []})) == []
    assert findings.findings_markdown([]) == ""


def test_too_few_processes_is_untested_not_significant():
    scales = {"iterinit/storage=stack/n=1024": 1.0, "iterinit/storage=heap/n=1024": 2.0}
    heap = only(findings.findings(findings.RunData(run_suite(scales, processes=1))),
                "Heap vs stack iterator")
    assert heap.significance == findings.UNTESTED
    assert "too few quiet processes" in heap.sentence


def test_markdown_lists_every_finding_with_its_word_and_the_method():
    scales = {"iterinit/storage=stack/n=1024": 1.0, "iterinit/storage=heap/n=1024": 1.5,
              "iterinit/storage=pool/n=1024": 1.0}
    found = findings.findings(findings.RunData(run_suite(scales)))
    md = findings.findings_markdown(found)
    assert md.startswith("## Findings\n")
    items = [line for line in md.splitlines() if line.startswith("- **")]
    assert len(items) == len(found) == 2
    assert all(re.search(r"; \*\*(significant|not significant)\*\*\. _Source: ", i) for i in items)
    assert "p < 0.01" in md and "at least 3%" in md


@pytest.mark.parametrize("peers", [
    {"benchmarks": [{"name": "range/n=1024", "ns_per_op": ["x"], "ns_per_element": None}]},
    {"benchmarks": [{"name": "range/n=1024", "ns_per_op": [-1.0]}]},
    {"benchmarks": "not a list"}, ["not", "a", "dict"]])
def test_damaged_peers_give_no_go_finding_and_no_exception(peers):
    suite = run_suite({"iterate/storage=stack/prefetch=0/n=1024": 1.0})
    assert findings.ours_vs_go(findings.RunData(suite, peers)) == []


def test_go_with_one_mean_per_size_still_gives_the_ratio():
    suite = run_suite({"iterate/storage=stack/prefetch=0/n=1024": 1.0})     # 4 ns/element
    peers = {"benchmarks": [{"name": "range/n=1024", "n": 1024, "ns_per_element": 2.0}]}
    [go] = findings.ours_vs_go(findings.RunData(suite, peers))
    assert float(re.search(r"([\d.]+)x at 2\^10", go.sentence).group(1)) == pytest.approx(2.0, rel=0.05)


def test_sizes_are_named_as_spans_of_measured_neighbours():
    measured = [2 ** e for e in (10, 14, 18, 22)]
    assert findings.ranges([2 ** 10, 2 ** 14, 2 ** 18], measured) == "2^10-2^18"
    assert findings.ranges([2 ** 10, 2 ** 18, 2 ** 22], measured) == "2^10, 2^18, 2^22"
    assert findings.ranges([2 ** 18, 2 ** 22], measured) == "2^18, 2^22"


def test_several_go_versions_each_get_their_ratio():
    suite = run_suite({f"iterate/storage=stack/prefetch=0/n={n}": 1.0 for n in SIZES})
    peers = {"format": 2, "versions": [
        {"label": label, "go_version": f"{label}.1", "benchmarks": [
            {"name": f"{label}/iterate/n={n}", "n": n, "ns_per_op": [ns * n * f for f in (1, 1.01, 0.99)]}
            for n in SIZES] + [{"name": f"{label}/insert/hint=0/n=1024", "n": 1024, "ns_per_op": [1.0]}]}
        for label, ns in (("go1.19", 8.0), ("go1.24", 2.0))]}
    [go] = findings.ours_vs_go(findings.RunData(suite, peers))
    body = go.sentence.split("(below 1: ours is faster): ", 1)[1]
    by_version = dict(part.split(": ", 1) for part in body.split("; "))
    assert list(by_version) == ["go1.19.1", "go1.24.1"]
    assert [float(x) for x in re.findall(r"([\d.]+)x at", by_version["go1.19.1"])] == \
        [pytest.approx(0.5, rel=0.05)] * 2
    assert [float(x) for x in re.findall(r"([\d.]+)x at", by_version["go1.24.1"])] == \
        [pytest.approx(2.0, rel=0.05)] * 2
    assert go.significance == findings.SIGNIFICANT


def test_a_prefetch_that_hurts_is_called_slower_by_its_factor():
    scales = {"iterate/storage=heap/prefetch=8/n=1024": 1.0,
              "iterate/storage=stack/prefetch=0/n=1024": 1.0,
              "iterate/storage=stack/prefetch=8/n=1024": 1.4}
    [pre] = findings.prefetch(findings.RunData(run_suite(scales)))
    slower, lo, hi = map(float, re.search(r"([\d.]+)x slower at 2\^10 \(.*CI \[([\d.]+)x, ([\d.]+)x\]",
                                          pre.sentence).groups())
    assert slower == pytest.approx(1.4, rel=0.05) and lo < slower < hi
    assert pre.significance == findings.SIGNIFICANT and "distance 8" in pre.sentence


def test_instruction_counts_stand_beside_the_times_when_the_run_has_them():
    scales = {"iterate/storage=heap/prefetch=16/n=1024": 1.0,
              "iterate/storage=stack/prefetch=0/n=1024": 1.0,
              "iterate/storage=stack/prefetch=16/n=1024": 1.0,
              "iterinit/storage=stack/n=1024": 10.0, "iterinit/storage=heap/n=1024": 14.0}
    counts = {"benchmarks": {
        "iterate/storage=stack/prefetch=0/n=1024": {"per_element": {"Ir": 20.0}},
        "iterate/storage=stack/prefetch=16/n=1024": {"per_element": {"Ir": 22.0}},
        "iterinit/storage=stack/n=1024": {"per_element": {"Ir": 100.0}},
        "iterinit/storage=heap/n=1024": {"per_element": {"Ir": 250.0}}}}
    data = findings.RunData(run_suite(scales), counts=counts)
    [pre] = findings.prefetch(data)
    assert "20 -> 22 instructions/element (+10.0%) at 2^10" in pre.sentence
    assert "callgrind" in pre.source
    [heap] = findings.heap_vs_stack(data)
    assert "100 -> 250 instructions per init (+150.0%)" in heap.sentence
    without = findings.prefetch(findings.RunData(run_suite(scales), counts={"benchmarks": []}))
    assert "instructions" not in without[0].sentence and "callgrind" not in without[0].source
