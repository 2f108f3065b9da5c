"""`mapbench list` and compare's "Where" section, on run folders built from real count-pass
dumps (tests/fixtures/counts/README.md): c0d2bd4~1 and c0d2bd4."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mapbench.analysis.counters import counts
from mapbench.benchmarks.cli import main
from mapbench.benchmarks.counts import line_data

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "counts"
BENCH = "iterate/storage=stack/prefetch=0/n=1024"
KERNELS = "native/src/classic/kernels.c"


def make_run(root: Path, name: str, dump: str, kernels: str | None, monkeypatch) -> Path:
    """A counts-only run folder: counts.json and lines.json.gz of one real dump; the only
    stored source is kernels.c of that commit (the others are unchanged by c0d2bd4)."""
    run = root / name
    run.mkdir(parents=True)
    (run / "meta.json").write_text(json.dumps({"commit": name, "run_name": name}))
    text = (FIX / dump).read_text()
    entry = counts.benchmark_entry(counts.parse_dump(text)["events"], 16, 16384)
    (run / "counts.json").write_text(json.dumps({
        "schema": 1, "cache_model": {"D1": "32 KiB 8-way 64 B lines"}, "inject_work_pct": 0,
        "benchmarks": {BENCH: entry}, "skipped": {}, "failed": {}}))
    monkeypatch.setattr(line_data, "_read_source",
                        lambda rel, path: (FIX / kernels).read_text() if kernels and rel == KERNELS else None)
    line_data.write_lines(run, {BENCH: (text, 16384)}, valgrind_version="valgrind-3.19.0",
                          order=[BENCH])
    return run


@pytest.fixture
def runs(tmp_path, monkeypatch):
    root = tmp_path / "profiles"
    base = make_run(root, "aaaaaaaaaaaa", "callgrind-lines-c0d2bd4-parent.out",
                    "kernels-c0d2bd4-parent.c", monkeypatch)
    head = make_run(root, "bbbbbbbbbbbb", "callgrind-lines-c0d2bd4.out", "kernels-c0d2bd4.c",
                    monkeypatch)
    monkeypatch.setattr(line_data, "checkout_source", lambda rel: None)
    return root, base, head


def test_list_prints_the_functions_lines_with_their_source(runs, capsys):
    root, _, head = runs
    assert main(["list", "^traverse$", str(head), "--out", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"benchmark {BENCH}" in out and "callgrind simulation, timed region, per element" in out
    assert "perf samples: none in this run" in out
    assert "ROUTINE" in out and "traverse" in out
    assert "while (e.key != NULL && (!limited || n < limit)) {" in out
    # iter_next.h is inlined and its text is not stored: file:line, numbers and a note
    assert "native/src/classic/iter_next.h" in out and "source text not stored" in out
    assert "[inlined]" in out


def test_list_metric_keeps_the_non_zero_lines_largest_first(runs, capsys):
    root, _, head = runs
    assert main(["list", "^traverse$", str(head), "--out", str(root), "--metric", "D1",
                 "--top", "2"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines() if ":" in ln and ln[:10].strip()
            and ln[:10].strip()[0].isdigit()]
    assert 1 <= len(rows) <= 2
    d1 = [float(r[10:20]) for r in rows]
    assert d1 == sorted(d1, reverse=True) and all(v > 0 for v in d1)


def test_list_diff_and_compare_name_the_loop_condition_line(runs, capsys):
    root, base, head = runs
    assert main(["list", "--diff", str(base), str(head), "traverse", "--out", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"{KERNELS}:63->65" in out and "changed" in out and "residual" in out
    assert main(["compare", str(base), str(head), "--out", str(root)]) == 0
    out = capsys.readouterr().out
    assert "where (callgrind" in out and KERNELS in out
    md = (head / "compare" / "vs-aaaaaaaaaaaa" / "compare.md").read_text()
    assert "## Where" in md and f"{KERNELS}:63->65" in md and "n < limit" in md
    html = (head / "compare" / "vs-aaaaaaaaaaaa" / "compare.html").read_text()
    assert "Where" in html and "63-&gt;65" in html


def test_bad_input_is_one_line_and_exit_2(runs, capsys, tmp_path):
    root, base, head = runs
    (head / line_data.LINES_FILE).unlink()
    assert main(["list", "traverse", str(head), "--out", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "mapbench bench --counts-only" in err[0]
    assert main(["list", "no_such_function", str(base), "--out", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no function matches" in err[0]
    assert main(["list", "(", str(base), "--out", str(root)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    # compare goes on without per-line data, and says what to run
    assert main(["compare", str(base), str(head), "--out", str(root)]) == 0
    assert "mapbench bench --counts-only" in capsys.readouterr().out


def test_a_module_without_debug_lines_is_named_as_the_cause(runs, capsys):
    root, _, head = runs
    import gzip
    path = head / line_data.LINES_FILE
    doc = json.loads(gzip.decompress(path.read_bytes()))
    for row in doc["benchmarks"][BENCH]["lines"]:
        row["line"] = 0                      # what a build without -g gives
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    assert main(["list", "traverse", str(head), "--out", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "without -g" in err[0]
