"""The spec reader of tests/benchstat_spec.py on Go's own output (tests/fixtures/go/)."""
from pathlib import Path

from tests.benchstat_spec import parse

GO = Path(__file__).resolve().parents[1] / "fixtures" / "go"


def test_real_go_output_parses_into_every_benchmark_line():
    for path in sorted(GO.glob("go*-bench.txt")):
        text = path.read_text()
        parsed = parse(text)
        lines = [l for l in text.splitlines() if l.startswith("Benchmark")]
        assert len(parsed.results) == len(lines) > 0, path
        assert all(r.config["goos"] == "linux" and r.config["pkg"] == "mapbench/peers/gomap"
                   for r in parsed.results)
        assert all({"ns/op", "B/op", "allocs/op"} <= set(r.values) for r in parsed.results)
        assert "PASS" in parsed.ignored                       # not config, not a result
        first = parsed.results[0]
        assert first.fullname == "Map/iterate/n=1024"          # -2 (GOMAXPROCS) dropped
        assert first.keys == {"n": "1024"}


def test_malformed_lines_are_not_results():
    parsed = parse("goos: linux\nBenchmarkx 1 2 ns/op\nBenchmarkA 1 2\nBenchmarkA x 2 ns/op\n"
                   "BenchmarkA 3 2.5 ns/op\nNotConfig: x\n")
    assert [(r.name, r.iterations, r.values) for r in parsed.results] == [("BenchmarkA", 3, {"ns/op": 2.5})]
    assert parsed.results[0].config == {"goos": "linux"}
