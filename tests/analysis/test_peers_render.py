"""Ours beside every Go version: the peers tables and plot on real go test output."""
import io
from pathlib import Path

import pyperf
import pytest

from mapbench.analysis.render import benchplots, benchsummary, peers, peersplot
from mapbench.benchmarks.peers import go_output as gopeers

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "go"
LABELS = {"go1.19": ("go1.19.8", "classic"), "go1.23": ("go1.23.9", "classic"), "go1.27": ("go1.27.3", "swiss")}


@pytest.fixture(scope="module")
def doc():
    versions = [{"label": label, "go_version": version, "map": design, "toolchain": "fixture",
                 "benchmarks": gopeers.parse_go_bench((FIXTURES / f"{label}-bench.txt").read_text(), label),
                 "problems": [], "elapsed_s": 1.0,
                 "profile": {"flame": f"flame/{label}-iterate.svg",
                             "top_self": [["runtime.mapiternext", 0.5], ["runtime.memhash64", 0.1]]}}
                for label, (version, design) in LABELS.items()]
    return {"format": 2, "count": 2, "versions": versions}


@pytest.fixture(scope="module")
def results():
    means = {"iterate/storage=stack/prefetch=0/n=1024": 5e-9, "iterate/storage=heap/prefetch=0/n=1024": 6e-9,
             "iterinit/storage=stack/n=1024": 40e-9, "lookup/hit/n=1024": 10e-9}
    benches = [pyperf.Benchmark([pyperf.Run([m, m], metadata={"name": name, "unit": "second",
                                                                      "allocs_per_op": 1.0 if "heap" in name else 0.0,
                                                                      "alloc_bytes_per_op": 96.0 if "heap" in name else 0.0},
                                            collect_metadata=False)]) for name, m in means.items()]
    buf = io.StringIO()
    pyperf.BenchmarkSuite(benches).dump(buf)
    return benchsummary.load_results(buf.getvalue())


def rows_of(text, title):
    section = text.split(f"### {title}", 1)[1].split("###", 1)[0]
    return {line.split("|")[1].strip(): [c.strip() for c in line.strip().strip("|").split("|")[1:]]
            for line in section.splitlines() if line.startswith("| ")}


def test_each_family_has_ours_every_version_and_the_ratio(results, doc):
    text = benchsummary.summary_markdown(results, peers=doc)
    rows = rows_of(text, "Go peers: iterate (")
    go = {label: gopeers.parse_go_bench((FIXTURES / f"{label}-bench.txt").read_text(), label) for label in LABELS}
    assert rows["ours: iterate stack prefetch=0"][0] == "5.00"        # columns: n=1024, n=300000
    for label, (version, design) in LABELS.items():
        theirs = next(b for b in go[label] if b["name"] == f"{label}/iterate/n=1024")["ns_per_element"]
        assert rows[f"{version} ({design})"][0] == f"{theirs:.2f}"
        assert rows[f"ours / {label}"][0] == f"{5.0 / theirs:.2f}"
        assert rows[f"ours / {label}"][1] == "-"                       # no ours at n=300000
    func = rows_of(text, "Go peers: iterate-func")
    assert func["go1.19.8 (classic)"] == ["-", "-"] and func["go1.27.3 (swiss)"][0] != "-"
    growing = text.split("### Go peers: iterate-growing", 1)[1].split("###")[0]
    assert "833 entries at n=1024" in growing and "a Swiss map (Go 1.24+) grows a table all at once" in growing


def test_allocs_versions_and_profiles_are_shown(results, doc):
    text = benchsummary.summary_markdown(results, peers=doc)
    allocs = rows_of(text, "Go peers: allocs/op")
    assert allocs["ours: iterate-heap"][0] == "1 (96 B)"
    for label in LABELS:
        assert allocs[f"{label}: iterate-heap"][0].startswith("1 (")
    listed = rows_of(text, "Go peers: the Go versions")
    assert set(listed) - {""} == {"go1.19.8", "go1.23.9", "go1.27.3"}
    assert "flame/go1.27-iterate.svg" in text and "runtime.mapiternext 50%" in text


def test_no_or_broken_peers_add_nothing(results):
    base = benchsummary.summary_markdown(results)
    for broken in (None, [], {"versions": "x"}, {"benchmarks": None}):
        assert benchsummary.summary_markdown(results, peers=broken) == base
    assert peers.versions({"versions": [{"no": "label"}]}) == []


def test_the_peers_plot_draws_every_version(results, doc):
    assert peersplot.has_peers(doc) and not peersplot.has_peers({"versions": []})
    svg = benchplots.render(peersplot.peers_figure(results, doc))["svg"]
    for version in ("go1.19.8", "go1.23.9", "go1.27.3", "ours: iterate stack"):
        assert version.encode() in svg
