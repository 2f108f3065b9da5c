"""pprof profiles with source lines: the count pass's per-line table (lines.json.gz schema 1)
and perf script samples, read back by the real `go tool pprof -list`/`-raw`/`-diff_base`."""
from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import pytest

from mapbench.analysis.counters.line_pprof import benchmark_entry, line_profile
from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.perf_samples import lookup_address, parse_perf_samples, perf_line_profile
from mapbench.analysis.stacks.pprof import read_profile
from mapbench.analysis.stacks.pprof_lines import SourceLine, function_start_line
from mapbench.benchmarks.cli import main
from tests.go_pprof import listed_lines, pprof

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ITER_C = "native/src/classic/iter.c"
BENCH = "iterate/storage=stack/prefetch=0/n=1024"


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def lines_doc() -> dict:
    """A lines.json.gz document (schema 1) over the real iter.c: three lines of mapiternext_slow."""
    source = (ROOT / ITER_C).read_text()
    tophash = _line_of(source, "uint8_t top = bb->tophash[offi];")
    key = _line_of(source, "uint64_t *k = &bb->keys[offi];")
    overflow = _line_of(source, "if (b != NULL) b = b[glen - 1].overflow;")
    rows = [
        {"fn": "mapiternext_slow", "file": ITER_C, "line": tophash, "inlined": False,
         "Ir": 2.5, "D1mr": 0.125, "D1mw": 0.0, "DLmr": 0.0625, "DLmw": 0.0, "Bcm": 0.01},
        {"fn": "mapiternext_slow", "file": ITER_C, "line": key, "inlined": False, "Ir": 1.0, "D1mr": 0.25},
        {"fn": "mapiternext_slow", "file": ITER_C, "line": overflow, "inlined": True, "Ir": 0.5, "Bcm": 0.02},
    ]
    return {"schema": 1, "source": "callgrind (valgrind test) simulated, timed region only",
            "events": ["Ir", "Dr", "Dw", "D1mr", "D1mw", "DLmr", "DLmw", "Bc", "Bcm"], "per": "element",
            "benchmarks": {BENCH: {"elements": 4096, "totals": {"Ir": 4.0, "D1mr": 0.375}, "lines": rows}},
            "sources": {ITER_C: source}}


def test_count_profile_lists_mapiternext_line_by_line_in_go_pprof(tmp_path):
    doc = lines_doc()
    path = tmp_path / "counts.pb.gz"
    path.write_bytes(line_profile(BENCH, doc["benchmarks"][BENCH], sources=doc["sources"]))
    rows = doc["benchmarks"][BENCH]["lines"]
    shown = listed_lines(pprof("-list", "mapiternext", str(path), cwd=ROOT, home=tmp_path))
    source = doc["sources"][ITER_C].splitlines()
    assert set(shown) == {row["line"] for row in rows}
    for row in rows:      # the totals over the timed region: per element x elements
        flat, _, code = shown[row["line"]]
        assert int(flat) == round(row["Ir"] * 4096)
        assert code.strip() == source[row["line"] - 1].strip()
    misses = listed_lines(pprof("-sample_index=d1_misses", "-list", "mapiternext", str(path), cwd=ROOT, home=tmp_path))
    assert {n: int(v[0]) for n, v in misses.items()} == {rows[0]["line"]: 512, rows[1]["line"]: 1024}
    raw = pprof("-raw", str(path), cwd=ROOT, home=tmp_path)
    assert "instructions/count" in raw and "ll_misses/count" in raw and "divide by 4096" in raw


def test_diff_base_subtracts_the_same_line_of_two_profiles(tmp_path):
    base = lines_doc()
    head = copy.deepcopy(base)
    changed = head["benchmarks"][BENCH]["lines"][1]
    changed["Ir"] = 3.0                                    # +2 instructions/element on one line
    for name, doc in (("base", base), ("head", head)):
        (tmp_path / f"{name}.pb.gz").write_bytes(line_profile(BENCH, doc["benchmarks"][BENCH], sources=doc["sources"]))
    diff = listed_lines(pprof("-list", "mapiternext", "-diff_base", str(tmp_path / "base.pb.gz"),
                              str(tmp_path / "head.pb.gz"), cwd=ROOT, home=tmp_path))
    assert {n: int(v[0]) for n, v in diff.items()} == {changed["line"]: 2 * 4096}


def test_bad_per_line_input_is_one_clear_error():
    with pytest.raises(InputError, match="elements"):
        line_profile(BENCH, {"elements": 0, "lines": []})
    with pytest.raises(InputError, match="no per-line data for benchmark 'nope'"):
        benchmark_entry(lines_doc(), "nope")


def test_mapbench_pprof_from_lines_writes_the_profile_and_names_a_missing_benchmark(tmp_path, capsys):
    lines = tmp_path / "lines.json.gz"
    lines.write_bytes(gzip.compress(json.dumps(lines_doc()).encode()))
    out = tmp_path / "x.pb.gz"
    assert main(["pprof", "--from-lines", str(lines), "--bench", BENCH, "-o", str(out)]) == 0
    profile = read_profile(out.read_bytes())
    assert [profile.string_table[t.type] for t in profile.sample_type] == [
        "instructions", "d1_misses", "ll_misses", "branch_misses"]
    assert main(["pprof", "--from-lines", str(lines), "--bench", "nope", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope" in err[0]


def test_perf_samples_keep_addresses_modules_and_resolved_lines():
    text = (FIXTURES / "perf-script-c.txt").read_bytes()
    samples, event = parse_perf_samples(text)
    assert event.split(":")[0] == "cpu-clock" and samples
    module = "/home/dev/demo/iterate_main"
    leaf = next(s for s in samples if s.frames[0].module == module)
    first = leaf.frames[0]
    resolved = {(module, lookup_address(0, first.address)): (
        SourceLine("inner", "demo/map.c", 40, 30), SourceLine(first.symbol, "demo/map.c", 12, 10))}
    profile = read_profile(perf_line_profile(samples, resolved, period_ns=2004008, main_module=module))
    table = profile.string_table
    assert table[profile.mapping[0].filename] == module and profile.mapping[0].has_inline_frames
    location = next(loc for loc in profile.location if loc.address == first.address and len(loc.line) == 2)
    functions = {f.id: f for f in profile.function}
    names = [(table[functions[line.function_id].name], table[functions[line.function_id].filename], line.line,
              functions[line.function_id].start_line) for line in location.line]
    assert names == [("inner", "demo/map.c", 40, 30), (first.symbol, "demo/map.c", 12, 10)]
    assert sum(s.value[0] for s in profile.sample) == len(samples)


def test_function_start_line_is_the_definition_above_the_code():
    source = "int x;\nstatic int walk(int a) {\n    return walk2(a);\n}\n"
    assert function_start_line(source, "walk", 3) == 2
    assert function_start_line(source, "absent", 3) == 0
    assert function_start_line(None, "walk", 3) == 0
