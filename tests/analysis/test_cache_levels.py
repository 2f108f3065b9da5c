"""analysis/counters/cache_levels.py and analysis/stats/level_findings.py: the machine's
cache levels as valgrind simulates them, their names, and the finding on where the table
leaves each level (synthetic sweeps and timings)."""
import re

import pytest

from mapbench.analysis.counters import cache_levels
from mapbench.analysis.counters.cachegrind_out import CacheGeometry
from mapbench.analysis.render import level_tables
from mapbench.analysis.stats import findings, level_findings

from tests.analysis.test_findings import run_suite

EPYC = [{"level": 1, "type": "Data", "size_bytes": 32 << 10, "ways": 8, "line_bytes": 64},
        {"level": 1, "type": "Instruction", "size_bytes": 32 << 10, "ways": 8, "line_bytes": 64},
        {"level": 2, "type": "Unified", "size_bytes": 512 << 10, "ways": 8, "line_bytes": 64},
        {"level": 3, "type": "Unified", "size_bytes": 32 << 20, "ways": 16, "line_bytes": 64}]


def test_a_power_of_two_geometry_is_kept_as_is():
    g = CacheGeometry(32 << 20, 64, 16)
    assert cache_levels.nearest_valgrind_geometry(g) == (g, "")
    g20 = CacheGeometry(1310720, 64, 20)         # 1.25 MiB 20-way: 1024 sets, fine for valgrind
    assert cache_levels.nearest_valgrind_geometry(g20) == (g20, "")


def test_an_odd_geometry_is_rounded_to_the_nearest_power_of_two_sets_and_says_so():
    g = CacheGeometry(300 << 20, 64, 12)         # Intel's 300 MiB L3: 409600 sets
    fixed, note = cache_levels.nearest_valgrind_geometry(g)
    sets = fixed.size // (fixed.assoc * fixed.line)
    assert sets & (sets - 1) == 0 and sets * fixed.assoc * fixed.line == fixed.size
    # nearer than either power-of-two set count at the same associativity
    for s in (1 << 18, 1 << 19):
        assert abs(fixed.size - g.size) <= abs(s * 12 * 64 - g.size)
    assert "not a power of two" in note and "simulated as" in note and fixed.describe() in note


def test_levels_name_the_last_level_only_when_it_is_the_last():
    three = cache_levels.simulated_levels(EPYC)
    assert [(lv.name, lv.last) for lv in three] == [("L2", False), ("L3", True)]
    assert three[0].label == "L2 misses"
    assert three[1].label == "L3 misses (last level, to memory)"
    two = cache_levels.simulated_levels(EPYC[:3])
    assert [(lv.name, lv.last, lv.label) for lv in two] == [("L2", True, "L2 misses (last level, to memory)")]


def test_classic_fill_size_is_where_the_bucket_array_first_exceeds_the_level():
    layout = {"bmap": {"size": 144}}
    for size in (32 << 10, 512 << 10, 32 << 20):
        n = cache_levels.fill_size("classic", size, layout)
        assert cache_levels.table_bytes("classic", n, layout) > size
        assert cache_levels.table_bytes("classic", n - 1, layout) <= size


def sweep(step_at: dict[str, int], lines: float = 0.56) -> dict:
    """A synthetic cache_levels.json: each level misses every line from step_at[level] on."""
    sizes = [1 << e for e in (10, 14, 18, 20, 22)]
    rows = [{"map": kind, "n": n, "table_lines_per_element": lines,
             "per_element": {lv: (lines if n >= step_at[lv] else 0.001) for lv in step_at}}
            for kind in ("classic", "swiss") for n in sizes]
    levels = [{"name": "L1d", "label": "L1d misses", "size_bytes": 32 << 10, "machine": "32 KiB"},
              {"name": "L2", "label": "L2 misses", "size_bytes": 512 << 10, "machine": "512 KiB"},
              {"name": "L3", "label": "L3 misses (last level, to memory)", "size_bytes": 32 << 20,
               "machine": "32 MiB", "last": True}]
    return {"levels": levels, "rows": rows, "source": "synthetic"}


def timings(knee_after: int, factor: float) -> dict[str, float]:
    out = {}
    for prefix in ("", "map=swiss/"):
        for e in (10, 14, 18, 22):
            n = 1 << e
            out[f"iterate/{prefix}storage=stack/prefetch=0/n={n}"] = factor if n > knee_after else 1.0
    return out


def test_the_finding_names_each_level_step_and_agrees_with_a_matching_timing_knee():
    doc = sweep({"L1d": 1 << 14, "L2": 1 << 18, "L3": 1 << 22})
    data = findings.RunData(run_suite(timings(1 << 18, 2.5)), levels=doc, layout={"bmap": {"size": 144}})
    found = [f for f in findings.findings(data) if f.topic == level_findings.TOPIC]
    assert len(found) == 2
    classic = found[0].sentence
    assert "L2 misses (512 KiB): step up between 2^14 and 2^18" in classic
    assert "L3 misses (last level, to memory) (32 MiB): step up between 2^20 and 2^22" in classic
    assert "ns/element knees (iterate, stack, no prefetch): 2^18->2^22" in classic
    l3 = re.search(r"L3 misses[^;]*;[^;]*;([^;]*)", classic).group(1)
    assert "agrees" in l3
    assert "does not agree" in re.search(r"L1d misses[^;]*;[^;]*;([^;]*)", classic).group(1)
    assert "last level" not in re.search(r"L2 misses[^;]*", classic).group(0)
    assert found[1].sentence.startswith("Swiss map:")


def test_no_timing_knee_means_no_agreement_and_no_sweep_means_no_finding():
    doc = sweep({"L1d": 1 << 14, "L2": 1 << 18, "L3": 1 << 22})
    flat = findings.RunData(run_suite(timings(1 << 30, 1.0)), levels=doc)
    sentence = level_findings.cache_level_crossovers(flat)[0].sentence
    assert "agrees" not in sentence and "knees (iterate, stack, no prefetch): none" in sentence
    assert level_findings.cache_level_crossovers(findings.RunData(run_suite(timings(1 << 18, 2.0)))) == []


def test_the_plot_has_a_line_and_a_fill_mark_per_level(tmp_path):
    svg = level_tables.levels_plot(sweep({"L1d": 1 << 14, "L2": 1 << 18, "L3": 1 << 22}))
    path = tmp_path / level_tables.PLOT_FILE
    path.write_text(svg)
    text = path.read_text()
    for level in ("L1d", "L2", "L3"):
        assert text.count(f'id="level-{level}"') == 2      # one per map panel
        assert text.count(f'id="fill-{level}"') == 2
    assert "L3 misses (last level, to memory)" in text
    md = level_tables.levels_markdown(sweep({"L1d": 1 << 14, "L2": 1 << 18, "L3": 1 << 22}))
    header = next(line for line in md.splitlines() if line.startswith("| map"))
    cells = [c.strip() for c in header.strip("|").split("|")]
    assert cells[3] == "L2 read misses/elem (simulated)"
    assert cells[4] == "L3 read misses (last level, to memory)/elem (simulated)"


def test_the_finding_puts_perf_hardware_counts_beside_the_simulated_ones_or_says_why_not():
    doc = sweep({"L1d": 1 << 14, "L2": 1 << 18, "L3": 1 << 22})
    for row in doc["rows"]:
        row["hardware_per_element"] = {"L2": 0.56 if row["n"] >= 1 << 20 else 0.001}
    doc["hardware"] = {"events": {"L2": "l2_rqsts.miss"}, "why_not": "", "source": "perf"}
    data = findings.RunData(run_suite(timings(1 << 18, 2.5)), levels=doc)
    [classic, _] = level_findings.cache_level_crossovers(data)
    assert ("perf hardware counter misses/elem: L2 (l2_rqsts.miss): step up between 2^18 and 2^20"
            in classic.sentence)
    doc["hardware"] = {"events": {}, "why_not": "L1-dcache-load-misses <not supported>"}
    for row in doc["rows"]:
        del row["hardware_per_element"]
    [classic, _] = level_findings.cache_level_crossovers(findings.RunData(run_suite(timings(1 << 18, 2.5)),
                                                                          levels=doc))
    assert "perf hardware counter" not in classic.sentence
    assert "perf hardware counters: L1-dcache-load-misses <not supported>" in classic.source


def test_fill_sizes_come_from_measured_table_bytes_where_the_run_has_them_as_the_plot_marks():
    from mapbench.analysis.render import bench_results, benchplots
    # A classic table measured 10% larger than the layout predicts (overflow buckets, say).
    names = {n: f"iterate/storage=stack/prefetch=0/n={n}" for n in (1 << e for e in (10, 14, 18, 22))}
    metadata = {name: {"table_bytes": cache_levels.table_bytes("classic", n) * 1.1,
                       "bucket_bytes": cache_levels.table_bytes("classic", n) * 1.1}
                for n, name in names.items()}
    suite = run_suite(timings(1 << 18, 2.5), metadata=metadata)
    measured = cache_levels.measured_table_points(suite)
    assert [n for n, _ in measured["classic"]] == sorted(names) and "swiss" not in measured
    doc = sweep({"L1d": 1 << 14, "L2": 1 << 18, "L3": 1 << 22})
    l2 = 512 << 10
    n, source = cache_levels.fill("classic", l2, None, measured)
    assert source == cache_levels.MEASURED
    assert n != cache_levels.fill_size("classic", l2)
    # The ns/element plot's mark for the same cache is the same number.
    results = bench_results.results_from_suite(suite)
    assert benchplots.cache_fill_points(results, {"L2": l2})["L2"] == pytest.approx(n)
    [classic, swiss] = level_findings.cache_level_crossovers(findings.RunData(suite, levels=doc))
    assert f"the table fills it at n~{level_findings._approx(n)} (measured table bytes" in classic.sentence
    assert "bench.json table_bytes" in classic.source
    assert "(predicted," in swiss.sentence               # no Swiss table bytes measured
    assert cache_levels.fill("swiss", l2, None, measured)[1] == cache_levels.PREDICTED
