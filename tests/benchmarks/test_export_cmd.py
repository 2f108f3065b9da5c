"""`mapbench export`: benchstat text and Bencher JSON of run folders holding real pyperf suites,
counts.json and the Go peers of tests/fixtures/go, read back with readers written from the specs."""
import json
import math
import statistics
from pathlib import Path

import jsonschema
import pyperf
import pytest

from mapbench.benchmarks.cli import main
from mapbench.benchmarks.peers.go_output import parse_go_bench

from tests.benchmarks.test_compare_cmd import NAMES, write_run
from tests.benchmarks.test_compare_counts_cmd import counts_only_run, write_counts
from tests.benchstat_spec import parse

GO = Path(__file__).resolve().parents[1] / "fixtures" / "go"
IR = {n: 50.0 + i for i, n in enumerate(NAMES)}


def write_peers(run: Path) -> None:
    versions = [{"label": "go1.19", "go_version": "go1.19.8", "map": "classic",
                 "benchmarks": parse_go_bench((GO / "go1.19-bench.txt").read_text(), "go1.19")},
                {"label": "go1.27", "go_version": "go1.27.3", "map": "swiss",
                 "benchmarks": parse_go_bench((GO / "go1.27-bench.txt").read_text(), "go1.27")}]
    (run / "peers.json").write_text(json.dumps({"format": 2, "versions": versions}))


@pytest.fixture
def run(tmp_path):
    root = tmp_path / "profiles"
    folder = write_run(root, "aaaaaaaaaaaa", seed=1, date="2026-01-01T00:00:00+00:00")
    write_counts(folder, IR)
    write_peers(folder)
    return root, folder


def export(capsys, *argv) -> tuple[int, str, str]:
    rc = main(["export", *map(str, argv)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_benchstat_has_every_unit_one_line_per_pyperf_value_and_exact_counts(run, capsys):
    root, folder = run
    rc, out, err = export(capsys, folder, "--format", "benchstat", "--out", root)
    assert rc == 0, err
    parsed = parse(out)
    assert not [l for l in parsed.ignored if l.strip()]          # every line is config, Unit or result
    suite = pyperf.BenchmarkSuite.load(str(folder / "bench.json"))
    for bench in suite.get_benchmarks():
        name = bench.get_name()
        family, _, rest = name.partition("/")
        lines = [r for r in parsed.results if r.fullname == f"Map/{family}/impl=mapbench/{rest}"]
        assert sorted(r.values["ns/op"] for r in lines) == pytest.approx(sorted(v * 1e9 for v in bench.get_values()))
        assert {r.iterations for r in lines} == {4096 * 1024}      # loops x inner loops: elements
        assert {r.values["instructions/op"] for r in lines} == {int(IR[name] * 16384) / 16384}
        assert {r.values["D1-misses/op"] for r in lines} == {0.0}
        assert all({"LL-misses/op", "est-cycles/op", "allocs/op"} <= set(r.values) for r in lines)
        assert {r.values["allocs/op"] for r in lines} == {0.0}
        assert not any("B/op" in r.values for r in lines)          # the metadata has no alloc_bytes_per_op
        assert lines[0].keys == {"impl": "mapbench", **dict(p.split("=") for p in rest.split("/"))}
    for unit in ("instructions/op", "D1-misses/op", "LL-misses/op", "est-cycles/op", "allocs/op"):
        assert parsed.units[unit] == {"assume": "exact"}
    assert "ns/op" not in parsed.units                           # sampled: benchstat's statistics
    config = parsed.results[0].config
    assert config["pkg"] == "mapbench" and config["commit"] == "aaaaaaaaaaaa" * 4
    assert config["cpu"] == "Test CPU @ 2.0GHz" and config["goos"] and config["goarch"]


def test_with_peers_puts_ours_and_go_in_one_table(run, capsys):
    root, folder = run
    rc, out, err = export(capsys, folder, "--format", "benchstat", "--with-peers", "--out", root)
    assert rc == 0, err
    parsed = parse(out)
    assert len({tuple(sorted(r.config.items())) for r in parsed.results}) == 1     # one table
    # benchstat -col /impl: rows are .fullname without impl=, columns the impl values.
    table = {}
    for r in parsed.results:
        table.setdefault(r.row_without("impl"), {}).setdefault(r.keys["impl"], []).append(r)
    row = table["Map/iterate/storage=stack/prefetch=0/n=1024"]
    assert set(row) == {"mapbench", "go1.19"}
    go = [r.values["ns/op"] for r in row["go1.19"]]
    assert go == pytest.approx([20781 / 1024, 15731 / 1024])     # Go's ns/op per traversal, per element
    assert [r.iterations for r in row["go1.19"]] == [2563 * 1024, 2864 * 1024]
    assert set(table["Map/iterate/storage=heap/prefetch=0/n=1024"]) == {"mapbench", "go1.19"}
    assert "go1.27" in table["Map/iterate/map=swiss/storage=stack/prefetch=0/n=1024"]
    heap = table["Map/iterate/storage=heap/prefetch=0/n=1024"]["go1.19"][0]
    assert heap.values["B/op"] == pytest.approx(128 / 1024) and heap.values["allocs/op"] == pytest.approx(1 / 1024)


def test_run_without_counts_exports_time_only_and_says_so(run, capsys):
    root, folder = run
    (folder / "counts.json").unlink()
    rc, out, err = export(capsys, folder, "--format", "benchstat", "--out", root)
    assert rc == 0
    assert "no counts.json: exporting time only" in err
    parsed = parse(out)
    assert parsed.results and all("instructions/op" not in r.values for r in parsed.results)
    assert "instructions/op" not in parsed.units


def test_counts_only_run_exports_one_line_of_counts(tmp_path, capsys):
    root = tmp_path / "profiles"
    folder = counts_only_run(root, "bbbbbbbbbbbb", IR)
    rc, out, err = export(capsys, folder, "--format", "benchstat", "--out", root)
    assert rc == 0 and "exporting counts only" in err
    parsed = parse(out)
    assert len(parsed.results) == len(NAMES)
    assert all(r.iterations == 16384 and "ns/op" not in r.values for r in parsed.results)


def test_bad_input_is_one_line_and_exit_2_and_the_store_is_not_written(run, tmp_path, capsys):
    root, folder = run
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    rc, _, err = export(capsys, folder, "--format", "csv", "--out", root)
    assert rc == 2 and err.count("\n") == 1 and "unknown format 'csv'" in err
    rc, _, err = export(capsys, tmp_path / "nowhere", "--format", "benchstat", "--out", root)
    assert rc == 2 and err.count("\n") == 1
    rc, _, err = export(capsys, folder, "--format", "bmf", "--to", folder / "x.json", "--out", root)
    assert rc == 2 and "never writes into the store" in err
    rc, _, err = export(capsys, folder, "--format", "bmf", "--to", tmp_path / "x.json", "--out", root)
    assert rc == 0 and (tmp_path / "x.json").is_file()
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


# Bencher Metric Format, from https://bencher.dev/docs/reference/bencher-metric-format/: an
# object of benchmark names, each an object of measure slugs, each a Metric with a number
# `value` and optional number `lower_value` / `upper_value`.
BMF_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "minProperties": 1,
    "additionalProperties": {
        "type": "object",
        "minProperties": 1,
        "propertyNames": {"pattern": "^[a-z0-9-]+$"},
        "additionalProperties": {
            "type": "object",
            "required": ["value"],
            "properties": {"value": {"type": "number"}, "lower_value": {"type": "number"},
                           "upper_value": {"type": "number"}},
            "additionalProperties": False,
        },
    },
}


def test_bmf_validates_and_holds_the_t_interval_and_exact_counts(run, capsys):
    root, folder = run
    rc, out, err = export(capsys, folder, "--format", "bmf", "--with-peers", "--out", root)
    assert rc == 0, err
    doc = json.loads(out)
    jsonschema.validate(doc, BMF_SCHEMA)
    suite = pyperf.BenchmarkSuite.load(str(folder / "bench.json"))
    for bench in suite.get_benchmarks():
        entry = doc[bench.get_name()]
        ns = [v * 1e9 for v in bench.get_values()]
        lat = entry["latency"]
        assert lat["value"] == pytest.approx(statistics.fmean(ns))
        assert lat["lower_value"] < lat["value"] < lat["upper_value"]
        half = lat["upper_value"] - lat["value"]
        # t(0.975, n-1) x stdev / sqrt(n): the half-width over the standard error is Student's t.
        t = half / (statistics.stdev(ns) / math.sqrt(len(ns)))
        assert 2.0 < t < 2.4                                   # n = 9 values: t(0.975, 8) = 2.306
        assert entry["instructions"] == {"value": int(IR[bench.get_name()] * 16384) / 16384}
    assert "go1.19/iterate/storage=stack/prefetch=0/n=1024" in doc
