"""A counts-only store (what `mapbench history --bench-args --counts-only` leaves) has a history:
the index counts each run's benchmarks as counted, links a report page per run and its
comparisons, and each family's trend plot draws instructions and estimated cycles per
element for every run, with no time panel where no run has timings."""
import json
import re
from pathlib import Path

from mapbench.analysis.counters import counts
from mapbench.analysis.render import history
from mapbench.benchmarks.cli import main

NAMES = [f"iterate/storage={s}/prefetch=0/n={n}" for s in ("stack", "heap") for n in (1024, 16384)]
COMMITS = ["a1a1a1a1a1a1", "b2b2b2b2b2b2", "c3c3c3c3c3c3"]


def counts_only_store(root: Path) -> list[Path]:
    """Three runs, oldest first, each with meta.json and counts.json only; Ir per element grows."""
    runs = []
    for day, commit in enumerate(COMMITS, start=1):
        run = root / commit
        run.mkdir(parents=True)
        (run / "meta.json").write_text(json.dumps({
            "commit": commit * 3 + "abcd", "run_name": commit, "dirty": False,
            "date": f"2026-01-0{day}T00:00:00+00:00", "machine": {"id": "testbox"}}))
        doc = {"schema": 1, "cache_model": {"D1": "32 KiB 8-way 64 B lines"}, "inject_work_pct": 0,
               "benchmarks": {name: counts.benchmark_entry(
                   {"Ir": (50 + 5 * day) * 16384, "Dr": 9000, "D1mr": 300 * day}, 16, 16384)
                   for name in NAMES},
               "skipped": {}, "failed": {}}
        (run / "counts.json").write_text(json.dumps(doc))
        runs.append(run)
    return runs


def test_a_counts_only_history_has_a_history(tmp_path, capsys):
    root = tmp_path / "profiles"
    runs = counts_only_store(root)
    assert main(["compare", str(runs[0]), str(runs[2]), "--out", str(root)]) == 0
    assert main(["report", str(runs[2]), "--out", str(root), "--machine", "testbox"]) == 0
    capsys.readouterr()
    for run in runs:                                          # a report page per run
        assert (run / "report.html").is_file(), run
    page = (root / "index.html").read_text()
    for commit in COMMITS:
        assert f'<a href="{commit}/report.html">{commit}</a>' in page
    assert page.count(f"<td>{len(NAMES)} counted (no timings)</td>") == 3
    assert "benchmarks 0" not in page and "<td>0</td>" not in page
    assert f'href="{COMMITS[2]}/compare/vs-{COMMITS[0]}/compare.html"' in page
    assert "No results." not in page
    plot = re.search(r'src="(history/iterate\.svg)"', page)
    assert plot, page
    svg = (root / plot.group(1)).read_text()
    assert "instructions/element" in svg and "estimated cycles/element" in svg
    assert "(pyperf)" not in svg                              # no timings: no time panel


def test_counts_only_points_carry_every_run_and_both_counted_metrics(tmp_path):
    runs = counts_only_store(tmp_path)
    docs = [json.loads((run / "counts.json").read_text()) for run in runs]
    hist = history.family_history([None, None, None], docs)
    points = hist["iterate"]["storage=stack/prefetch=0"][1024]
    assert [p.run for p in points] == [0, 1, 2]
    assert all(p.ns is None for p in points)
    assert [p.counts[history.INSTRUCTIONS] for p in points] == [55.0, 60.0, 65.0]
    assert all(history.CYCLES in p.counts for p in points)
