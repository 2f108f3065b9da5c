"""mapbench.analysis.render.benchsummary and mapbench.analysis.render.benchplots on synthetic pyperf suites."""
import io
import re

import pyperf
import pytest

from mapbench.analysis.render import benchplots, benchsummary

D = 4


def suite_of(means: dict[str, float], meta: dict[str, dict] | None = None) -> str:
    """bench.json text: each name gets 2 runs x 3 values around mean (seconds/element)."""
    benches = []
    for name, mean in means.items():
        runs = []
        for p in range(2):
            md = {"name": name, "loops": 4, "inner_loops": 1024, "unit": "second"}
            md.update((meta or {}).get(name, {}))
            runs.append(pyperf.Run([mean * (1 + 0.001 * (p + i)) for i in range(3)],
                                   warmups=[(4, mean)], metadata=md, collect_metadata=False))
        benches.append(pyperf.Benchmark(runs))
    buf = io.StringIO()
    pyperf.BenchmarkSuite(benches).dump(buf)
    return buf.getvalue()


def it(storage, p, n, atomic=False):
    return benchsummary.iterate_name(storage, p, n, atomic)


@pytest.fixture
def results():
    means = {}
    for n in (1024, 4096):
        means[it("stack", 0, n)] = 4e-9
        means[it("stack", D, n)] = 2e-9
        means[it("heap", 0, n)] = 5e-9
        means[it("heap", D, n)] = 4e-9
        means[it("stack", 0, n, True)] = 4.4e-9
        means[f"roofline/n={n}"] = 1e-9
        means[f"python-iterate/items/n={n}"] = 100e-9
        means[f"iterinit/storage=heap/n={n}"] = 50e-9
    meta = {it("heap", 0, 1024): {"allocs_per_op": 1.0, "alloc_bytes_per_op": 96.0, "bucket_bytes": 23040},
            it("stack", 0, 4096): {"bucket_bytes": 92160}}
    return benchsummary.load_results(suite_of(means, meta))


def test_names_parse_into_family_params_and_n(results):
    r = results[it("stack", 0, 1024, True)]
    assert (r.family, r.n, r.params) == ("iterate", 1024, {"storage": "stack", "prefetch": "0",
                                                           "snapshot": "atomic"})
    assert results["python-iterate/items/n=1024"].params == {"items": ""}
    assert r.nvalues == 6 and r.ns == pytest.approx(4.4 * 1.0025, rel=1e-3)


def test_non_suite_names_are_ignored():
    assert benchsummary.load_results(suite_of({"something-else": 1e-9, "roofline/n=8": 1e-9})) \
        .keys() == {"roofline/n=8"}


def test_roofline_percent_and_prefetch_speedup(results):
    assert benchsummary.roofline_pct(results, it("stack", 0, 1024)) == pytest.approx(25, rel=1e-2)
    assert benchsummary.roofline_pct(results, it("stack", D, 1024)) == pytest.approx(50, rel=1e-2)
    assert benchsummary.prefetch_speedup(results, "stack", D, 1024) == pytest.approx(2.0, rel=1e-2)
    assert benchsummary.prefetch_speedup(results, "pool", D, 1024) is None
    assert benchsummary.best_prefetch(results) == D


def test_summary_tables_name_their_source_and_show_derived_numbers(results):
    text = benchsummary.summary_markdown(results)
    assert "_source: pyperf timing" in text
    assert "counting allocator" in text
    row = next(line for line in text.splitlines() if line.startswith("| stack prefetch=0 "))
    assert re.search(r"\|\s+25 \|\s+25 \|$", row)               # % of roofline
    speed = next(line for line in text.splitlines() if line.startswith("| stack: prefetch=0 / prefetch=4"))
    assert "2.00" in speed
    alloc = next(line for line in text.splitlines() if line.startswith("| iterate heap (op = 1 traversal)"))
    assert "1 (96 B)" in alloc and alloc.rstrip("| ").endswith("-")   # n=4096 has no count
    assert "pool prefetch" not in text                              # no pool results: no pool rows
    layer = next(line for line in text.splitlines() if line.startswith("| Python layer cost"))
    assert "96.0" in layer or "96.1" in layer                       # 100 ns - 4 ns


def test_an_older_one_version_peers_json_still_sits_next_to_ours(results):
    peers = {"source": "go test -bench", "go_version": "go1.19.8",
             "benchmarks": [{"name": "range/n=1024", "n": 1024, "ns_per_element": 8.0}]}
    text = benchsummary.summary_markdown(results, peers=peers)
    assert "| go1.19.8 (classic)" in text
    ratio = next(line for line in text.splitlines() if line.startswith("| ours / go1.19"))
    assert "0.50" in ratio


def test_iterator_setup_and_python_layer_have_their_goal_ratios():
    means = {"iterinit/storage=stack/n=1024": 20e-9, "iterinit/storage=heap/n=1024": 45e-9,
             it("stack", 0, 1024): 4e-9, "python-iterate/items/n=1024": 40e-9,
             "dict-iterate/n=1024": 10e-9}
    results = benchsummary.load_results(suite_of(means))
    peers = {"versions": [{"label": "go1.19", "go_version": "go1.19.8", "map": "classic", "benchmarks": [
        {"name": "go1.19/iterate/n=1024", "n": 1024, "ns_per_element": 16.0},
        {"name": "go1.19/iterinit/n=1024", "n": 1024, "ns_per_element": 30.0}]}]}
    text = benchsummary.summary_markdown(results, peers=peers)
    lines = text.splitlines()

    def rows(prefix):
        return [[c.strip() for c in l.split("|")[2:-1]] for l in lines if l.startswith("| " + prefix)]
    assert rows("ours / go1.19") == [["0.25"], [f"{20 / 30:.2f}"]]     # iterate, iterinit stack
    assert rows("ours heap / go1.19") == [["1.50"]]
    assert rows("ours pool") == []                                     # no pool results
    assert "goal: ours / go1.19 at most 0.33" in text
    assert "1.5 for heap and pool" in text
    assert rows("items / dict.items() (x, goal <= 5)") == [["4.00"]]


def test_prefetch_auto_has_its_rows_and_the_distance_it_picked():
    means = {it("stack", 0, 1024): 4e-9, it("stack", D, 1024): 5e-9,
             it("stack", "auto", 1024): 4e-9, it("stack", 0, 4096): 8e-9,
             it("stack", D, 4096): 6e-9, it("stack", "auto", 4096): 6e-9}
    meta = {it("stack", "auto", 1024): {"prefetch_auto_distance": 0},
            it("stack", "auto", 4096): {"prefetch_auto_distance": D}}
    results = benchsummary.load_results(suite_of(means, meta))
    lines = benchsummary.summary_markdown(results, prefetch=D).splitlines()

    def row(prefix):
        return [c.strip() for c in next(l for l in lines if l.startswith("| " + prefix)).split("|")[2:-1]]
    assert row("stack: prefetch=0 / prefetch=auto") == ["1.000", f"{8 / 6:.3f}"]
    assert row("auto: distance it picked") == ["0", str(D)]
    assert row("iterate stack prefetch=auto") == ["4.01", "6.01"]   # mean of 1.000-1.003x
    svg = benchplots.prefetch_figure(results)
    assert "stack, auto (the default, by size)" in [t.get_text() for t in svg.axes[0].get_legend().get_texts()]


def test_cache_fill_points_interpolate_bucket_bytes():
    results = benchsummary.load_results(suite_of(
        {"roofline/n=1024": 1e-9, "roofline/n=4096": 1e-9},
        {"roofline/n=1024": {"bucket_bytes": 1 << 15}, "roofline/n=4096": {"bucket_bytes": 1 << 17}}))
    fills = benchplots.cache_fill_points(results, {"mid": 1 << 16, "big": 1 << 20, "small": 1 << 14})
    assert fills["mid"] == pytest.approx(2048)
    assert fills["big"] == pytest.approx(4096 * 8)          # extrapolated at the largest map's ratio
    assert fills["small"] == pytest.approx(512)


def test_plots_render_svg_and_png(results):
    plots = benchplots.all_plots(results, {"L1d": 48 << 10, "L2": 2 << 20}, D)
    assert set(plots) == {"ns_per_element", "prefetch_speedup", "storage"}
    for formats in plots.values():
        assert formats["png"].startswith(b"\x89PNG")
        assert b"<svg" in formats["svg"][:2000]
    assert b"pyperf timing" in plots["ns_per_element"]["svg"] or b"pyperf" in plots["ns_per_element"]["svg"]


def test_no_prefetch_results_means_no_prefetch_plot():
    results = benchsummary.load_results(suite_of({it("stack", 0, 1024): 3e-9}))
    assert set(benchplots.all_plots(results, {}, None)) == {"ns_per_element", "storage"}


def test_a_prefetch_sweep_gets_its_own_table():
    means = {it("stack", p, 256): t for p, t in ((0, 4e-9), (2, 3e-9), (D, 2e-9), (16, 8e-9))}
    means[it("heap", D, 256)] = 3e-9
    text = benchsummary.summary_markdown(benchsummary.load_results(suite_of(means)), prefetch=D)
    sweep = text.split("Prefetch distance sweep")[1].split("###")[0]
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
            for line in sweep.splitlines() if line.startswith("| stack")}
    assert rows == {"stack prefetch=2: speed-up": "1.333", f"stack prefetch={D}: speed-up": "2.000",
                    "stack prefetch=16: speed-up": "0.500"}


def test_fastest_value_table_shows_each_benchmarks_minimum(results):
    text = benchsummary.summary_markdown(results)
    fastest = text.split("Full iteration, fastest value")[1].split("###")[0]
    row = next(line for line in fastest.splitlines() if line.startswith("| iterate stack prefetch=0 "))
    assert row.split("|")[2].strip() == "4.00"                   # min of 4e-9 * (1 + 0.001 k)
    atomic = next(line for line in fastest.splitlines() if "snapshot=atomic" in line)
    assert atomic.split("|")[2].strip() == "4.40"
    assert "roofline" in fastest
