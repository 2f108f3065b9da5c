"""The Go peer: parsing `go test -bench` output, and a tiny real run when go is installed."""
import shutil

import pytest

from mapbench.benchmarks import gopeers

OUTPUT = """goos: linux
goarch: amd64
pkg: mapbench/peers/gomap
cpu: Intel(R) Xeon(R) Processor
BenchmarkRange/n=1024-2         	    8712	     12288 ns/op	       0 B/op	       0 allocs/op
BenchmarkRange/n=1024-2         	    8000	     10240 ns/op	       0 B/op	       0 allocs/op
BenchmarkInsert/n=16384-2       	      82	   1469512 ns/op	 1363023 B/op	     548 allocs/op
BenchmarkLookup/miss/n=4194304-2         	       1	 259909900 ns/op
PASS
ok  	mapbench/peers/gomap	5.610s
"""


def test_parse_merges_counts_and_divides_by_n():
    by_name = {b["name"]: b for b in gopeers.parse_go_bench(OUTPUT)}
    assert set(by_name) == {"range/n=1024", "insert/n=16384", "lookup/miss/n=4194304"}
    rng = by_name["range/n=1024"]
    assert rng["ns_per_op"] == [12288.0, 10240.0] and rng["n"] == 1024
    assert rng["ns_per_element"] == pytest.approx(11.0)
    assert rng["allocs_per_op"] == 0.0
    assert by_name["insert/n=16384"]["allocs_per_op"] == 548.0
    assert by_name["lookup/miss/n=4194304"]["allocs_per_op"] is None


def test_range_break_is_per_init_not_per_entry():
    text = ("BenchmarkRangeBreak/n=4096-2   1000000   30.0 ns/op   0 B/op   0 allocs/op\n"
            "BenchmarkRangeBreak/n=4096-2   1000000   34.0 ns/op   0 B/op   0 allocs/op\n")
    (entry,) = gopeers.parse_go_bench(text)
    assert entry["name"] == "rangebreak/n=4096"
    assert entry["ns_per_element"] == pytest.approx(32.0)   # not divided by n
    assert entry["element"].startswith("iterator init")


def test_lines_that_are_not_benchmarks_are_ignored():
    assert gopeers.parse_go_bench("PASS\nok x 1s\nBenchmarkFoo-2 10 5 ns/op\n") == []


@pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")
def test_a_tiny_real_go_run_reports_range_at_the_asked_size():
    peers = gopeers.run_go_peers([256], benchtime="20x", count=1)
    names = {b["name"] for b in peers["benchmarks"]}
    assert {"range/n=256", "rangebreak/n=256", "insert/n=256", "lookup/hit/n=256",
            "lookup/miss/n=256"} <= names
    assert all(b["ns_per_element"] > 0 for b in peers["benchmarks"])
    assert peers["go_version"].startswith("go1.") and "go test -bench" in peers["source"]
