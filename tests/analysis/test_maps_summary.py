"""The classic vs Swiss table and plot (analysis/render/maps_summary.py, maps_figure.py) on
synthetic pyperf suites and peers: which rows, which ratios, which Go is the Swiss one."""
import io

import pyperf

from mapbench.analysis.render import benchplots, benchsummary, maps_summary

D = 4


def suite_of(means: dict[str, float]) -> str:
    benches = []
    for name, mean in means.items():
        md = {"name": name, "loops": 4, "inner_loops": 1024, "unit": "second"}
        runs = [pyperf.Run([mean] * 3, warmups=[(4, mean)], metadata=md, collect_metadata=False)]
        benches.append(pyperf.Benchmark(runs))
    buf = io.StringIO()
    pyperf.BenchmarkSuite(benches).dump(buf)
    return buf.getvalue()


def run_results(swiss=True):
    means = {}
    for n in (1024, 4096):
        means[f"iterate/storage=stack/prefetch=0/n={n}"] = 4e-9
        means[f"iterate/storage=stack/prefetch={D}/n={n}"] = 3e-9
        means[f"lookup/hit/n={n}"] = 20e-9
        means[f"roofline/n={n}"] = 1e-9
        if swiss:
            means[f"iterate/map=swiss/storage=stack/prefetch=0/n={n}"] = 5e-9
            means[f"iterate/map=swiss/storage=stack/prefetch=auto/n={n}"] = 3e-9
            means[f"lookup/map=swiss/hit/n={n}"] = 10e-9
            means[f"roofline/map=swiss/n={n}"] = 2e-9
    return benchsummary.load_results(suite_of(means))


def versions_form(*entries):
    """peers.json as benchmarks/peers/go_run.py writes it: one entry per Go version."""
    out = []
    for version, kind, ns in entries:
        label = version[:6]
        out.append({"label": label, "go_version": version, "map": kind,
                    "benchmarks": [{"name": f"{label}/iterate/n={n}", "n": n, "ns_per_element": ns}
                                   for n in (1024, 4096)]})
    return {"versions": out}


def peers(version, ns):
    """A one-version peers.json; Go 1.24+ runs the Swiss map."""
    return versions_form((version, "swiss" if version >= "go1.24" else "classic", ns))


def rows_of(text):
    return {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in text.splitlines() if line.startswith("| ")}


def test_swiss_names_put_map_after_the_family():
    assert maps_summary.swiss_name("iterate/storage=stack/prefetch=0/n=8") == \
        "iterate/map=swiss/storage=stack/prefetch=0/n=8"
    assert maps_summary.swiss_name("roofline/n=8") == "roofline/map=swiss/n=8"


def test_table_sets_the_maps_side_by_side_with_ratios():
    text = benchsummary.summary_markdown(run_results(), peers=peers("go1.24.4", 20.0), prefetch=D)
    rows = rows_of(text.split("Classic vs Swiss")[1])
    assert rows["classic: iterate stack prefetch=0"] == ["4.00", "4.00"]
    assert rows["Swiss: iterate stack prefetch=0"] == ["5.00", "5.00"]
    ordered = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")]
    ratios = [c.strip() for line in text.split("Classic vs Swiss")[1].splitlines()
              if line.startswith("|   Swiss / classic") for c in line.split("|")[2:-1]]
    # iterate 5/4; auto: the run has no classic prefetch=auto, so no ratio; lookup hit 10/20
    assert ratios == ["1.25", "1.25", "-", "-", "0.50", "0.50"]
    assert ordered.index("Swiss / classic") == ordered.index("Swiss: iterate stack prefetch=0") + 1
    assert rows["Swiss: lookup hit"] == ["10.00", "10.00"]
    # the goals are the default iteration's (prefetch=auto); prefetch=0 is shown, no goal
    assert rows["Swiss: iterate stack prefetch=auto (the default)"] == ["3.00", "3.00"]
    assert rows["Swiss iterate prefetch=auto (default) / its roofline (goal <= 2 at 2^22)"] == ["1.50", "1.50"]
    assert rows["Swiss iterate prefetch=0 / its roofline"] == ["2.50", "2.50"]
    assert rows["go1.24.4 (Swiss map): for k, v := range m"] == ["20.00", "20.00"]
    assert rows["  Swiss iterate prefetch=auto (default) / Go (goal <= 0.5)".strip()] == ["0.15", "0.15"]
    assert rows["Swiss iterate prefetch=0 / Go"] == ["0.25", "0.25"]
    assert "Swiss: delete" not in rows  # no such benchmark in the run: no row


def test_an_older_go_is_labelled_classic_and_gets_no_swiss_goal():
    both = versions_form(("go1.19.8", "classic", 30.0), ("go1.27.3", "swiss", 15.0))
    runs = maps_summary.go_runs(both)
    assert [(label, swiss) for label, swiss, _ in runs] == [
        ("go1.19.8 (classic map)", False), ("go1.27.3 (Swiss map)", True)]
    text = maps_summary.classic_vs_swiss(run_results(), [1024, 4096], ["a", "b"], D, both)
    rows = rows_of(text)
    assert rows["go1.27.3 (Swiss map): for k, v := range m"] == ["15.00", "15.00"]
    assert rows["Swiss iterate prefetch=auto (default) / Go (goal <= 0.5)"] == ["0.20", "0.20"]
    assert rows["Swiss iterate prefetch=0 / Go"] == ["0.33", "0.33"]
    text = maps_summary.classic_vs_swiss(run_results(), [1024, 4096], ["a", "b"], D, peers("go1.19.8", 30.0))
    assert "classic map): for k, v" in text and "/ Go (goal" not in text
    assert maps_summary.go_runs(None) == [] and maps_summary.go_runs({"benchmarks": []}) == []
    # the first peers.json format (one Go, range/n=N) still reads, as that Go's classic map
    old = {"go_version": "go1.19.8", "benchmarks": [{"name": "range/n=1024", "n": 1024, "ns_per_element": 9.0}]}
    [(label, swiss, by_name)] = maps_summary.go_runs(old)
    assert (label, swiss, by_name["iterate/n=1024"]["ns_per_element"]) == ("go1.19.8 (classic map)", False, 9.0)


def test_no_swiss_benchmarks_no_table_and_no_plot():
    results = run_results(swiss=False)
    assert maps_summary.classic_vs_swiss(results, [1024, 4096], ["a", "b"], D) is None
    assert "Classic vs Swiss" not in benchsummary.summary_markdown(results, prefetch=D)
    assert "classic_vs_swiss" not in benchplots.all_plots(results, prefetch=D)


def test_plot_draws_both_maps_and_go():
    plots = benchplots.all_plots(run_results(), prefetch=D, peers=peers("go1.24.4", 20.0))
    svg = plots["classic_vs_swiss"]["svg"].decode()
    for label in ("classic: iterate stack prefetch=0", "Swiss: iterate stack prefetch=0",
                  "Swiss: roofline (its table bytes)", "go1.24.4 (Swiss map): for range"):
        assert label in svg
