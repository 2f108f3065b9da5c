"""counts.json reaches summary.md, the counts plot and report.html; a broken one is a note."""
import json

from mapbench.analysis.counters import counts
from mapbench.benchmarks.counts import count_summary
from mapbench.benchmarks.report import run_report as report_cmd

NAMES = [f"iterate/storage=stack/prefetch=0/n={n}" for n in (1024, 16384)]


def write_counts(run):
    run.mkdir(parents=True, exist_ok=True)
    (run / "meta.json").write_text(json.dumps({"commit": "abc"}))
    doc = {"benchmarks": {n: counts.benchmark_entry({"Ir": 56000 + i, "Dr": 9000, "D1mr": 300}, 1, 1000)
                          for i, n in enumerate(NAMES)},
           "cache_model": {"D1": "32 KiB 8-way 64 B lines"}, "skipped": {}, "failed": {}}
    (run / "counts.json").write_text(json.dumps(doc))


def test_summary_gets_one_counts_section_and_a_plot(tmp_path):
    run = tmp_path / "run"
    write_counts(run)
    (run / "summary.md").write_text("# mapbench summary\n\ntimed tables\n")
    for _ in range(2):                                   # rerunning replaces, never duplicates
        text, plots = count_summary.add_to_summary(run, plots=True)
    summary = (run / "summary.md").read_text()
    assert summary.count(count_summary.COUNTS_HEADING) == 1 and "timed tables" in summary
    assert "| iterate/storage=stack/prefetch=0/n=1024 | - | 56 |" in summary
    assert {p.name for p in plots} == {"counts_per_element.svg", "counts_per_element.png"}
    assert b"instructions/element" in (run / "plots" / "counts_per_element.svg").read_bytes()


def test_report_shows_counts_and_notes_a_broken_file(tmp_path):
    run = tmp_path / "run"
    write_counts(run)
    page = report_cmd.write_run_report(run).read_text()
    assert "Counted metrics" in page and "<td>56</td>" in page and "counts.json" in page
    (run / "counts.json").write_text("{not json")
    page = report_cmd.write_run_report(run).read_text()
    assert "counts.json is not valid JSON" in page
