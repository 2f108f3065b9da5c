"""The Swiss vs classic findings (mapbench.analysis.stats.swiss_findings) on synthetic
runs whose two maps differ by a known factor, or not at all."""
import math
import re

import numpy as np
import pyperf
import pytest

from mapbench.analysis.stats import findings

SIZES = (1024, 16384)


def run_suite(scales: dict[str, float], seed=1, processes=6, level_sd=0.02, metadata=None):
    """name -> level factor over 4 ns; six worker processes of three values each;
    metadata: name -> extra metadata of that benchmark (as the suite's worker adds)."""
    rng = np.random.default_rng(seed)
    benches = []
    for name, scale in scales.items():
        runs = []
        for _ in range(processes):
            level = 4e-9 * scale * math.exp(rng.normal(0, level_sd))
            runs.append(pyperf.Run([float(v) for v in level * np.exp(rng.normal(0, 0.003, 3))],
                                   metadata={"name": name, "loops": 8, **(metadata or {}).get(name, {})},
                                   collect_metadata=False))
        benches.append(pyperf.Benchmark(runs))
    return pyperf.BenchmarkSuite(benches)


def topics(found):
    return {f.topic: f for f in found}


def test_a_faster_swiss_iteration_is_found_per_size_and_equal_lookups_are_not():
    scales = {}
    for n, swiss in zip(SIZES, (0.5, 1.0)):
        scales |= {f"iterate/storage=stack/prefetch=0/n={n}": 1.0,
                   f"iterate/map=swiss/storage=stack/prefetch=0/n={n}": swiss,
                   f"lookup/hit/n={n}": 5.0, f"lookup/map=swiss/hit/n={n}": 5.0}
    found = topics(findings.findings(findings.RunData(run_suite(scales))))
    it = found["Swiss vs classic map: full iteration"]
    assert it.significance == findings.MIXED
    speed = float(re.search(r"([\d.]+)x faster at 2\^10", it.sentence).group(1))
    assert speed == pytest.approx(2.0, rel=0.05)
    assert "no significant effect at 2^14" in it.sentence
    hit = found["Swiss vs classic map: lookups that hit"]
    assert hit.significance == findings.NOT_SIGNIFICANT
    assert "Swiss vs classic map: inserts" not in found  # not in the run: no finding


def test_a_run_without_the_swiss_map_has_none_of_these_findings():
    scales = {f"iterate/storage=stack/prefetch=0/n={n}": 1.0 for n in SIZES}
    assert not [f for f in findings.findings(findings.RunData(run_suite(scales)))
                if f.topic.startswith("Swiss vs classic")]


def test_the_swiss_default_prefetch_is_tested_only_where_auto_turned_it_on():
    scales, metadata = {}, {}
    for n, auto, distance in ((16384, 1.0, 0), (2 ** 16, 0.5, 64), (2 ** 22, 0.3, 64)):
        auto_name = f"iterate/map=swiss/storage=stack/prefetch=auto/n={n}"
        scales |= {f"iterate/map=swiss/storage=stack/prefetch=0/n={n}": 1.0, auto_name: auto}
        metadata[auto_name] = {"prefetch_auto_distance": distance}  # what the worker records
    found = topics(findings.findings(findings.RunData(run_suite(scales, metadata=metadata))))
    pf = found["Swiss map: does its default prefetch help?"]
    assert pf.significance == findings.SIGNIFICANT
    speed = float(re.search(r"([\d.]+)x faster at 2\^22", pf.sentence).group(1))
    assert speed == pytest.approx(1 / 0.3, rel=0.05)
    assert "2^16" in pf.sentence and "2^14" not in pf.sentence  # auto picked 0 at 2^14
    assert "64 groups ahead" in pf.sentence
    # a run that did not record the distance (an older run) gets no such finding
    assert "Swiss map: does its default prefetch help?" not in topics(
        findings.findings(findings.RunData(run_suite(scales))))
