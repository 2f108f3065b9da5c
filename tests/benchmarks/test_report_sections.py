"""A failure inside a section of report.html must fail a test, not hide behind a note.

`mapbench report` keeps going when one view of a damaged run cannot be drawn (it says so
in a note); the reverse side of that promise is this test: on a sound run every section
renders, so a bug in the summary tables or a finder shows here as a failure.
"""
from mapbench.analysis.render import benchsummary
from mapbench.analysis.stats import findings
from mapbench.benchmarks.report import run_report

from tests.benchmarks.test_compare_cmd import write_run
from tests.benchmarks.test_compare_counts_cmd import NAMES, write_counts


def _sound_run(tmp_path):
    run = write_run(tmp_path / "profiles", "aaaaaaaaaaaa", seed=1, date="2026-01-01T00:00:00+00:00")
    write_counts(run, {n: 40.0 for n in NAMES})
    return run


def _failures(view) -> list[str]:
    said = list(view.notes) + [view.summary_md or ""]
    return [s for s in said if "unavailable" in s]


def test_every_section_of_a_sound_run_renders(tmp_path):
    view = run_report.collect_run(_sound_run(tmp_path))
    assert _failures(view) == []
    assert view.summary_md and "Full iteration, ns/element" in view.summary_md


def test_a_broken_summary_section_is_seen(tmp_path, monkeypatch):
    def broken(context):
        raise TypeError("a bug in a section")
    monkeypatch.setattr(benchsummary, "SECTIONS", benchsummary.SECTIONS + (broken,))
    assert any("a bug in a section" in s for s in _failures(run_report.collect_run(_sound_run(tmp_path))))


def test_a_broken_finder_is_seen(tmp_path, monkeypatch):
    def broken(data):
        raise KeyError("a bug in a finder")
    monkeypatch.setattr(findings, "FINDERS", findings.FINDERS + [broken])
    assert any("a bug in a finder" in s for s in _failures(run_report.collect_run(_sound_run(tmp_path))))
