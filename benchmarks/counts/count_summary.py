"""The counted metrics in a run's summary.md and plots/: counts.json beside bench.json.

Adds (or replaces) the section COUNTS_HEADING of summary.md: per benchmark, ns/element
(pyperf timing, when bench.json has it) beside instructions, estimated cycles, simulated
misses and mispredicts per element (analysis/counters/counts.py), and draws
plots/counts_per_element.{svg,png} (analysis/render/countplots.py).
"""
from __future__ import annotations

from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.counters import counts as countmetrics
from mapbench.benchmarks.counts.count_pass import load_counts
from mapbench.benchmarks.store import run_folder

COUNTS_HEADING = "## Counted metrics (callgrind count pass)"


def ns_per_element(run_dir: Path) -> dict[str, float]:
    """name -> mean ns/element of bench.json (empty without one)."""
    path = Path(run_dir) / run_folder.BENCH
    if not path.is_file():
        return {}
    from mapbench.analysis.render import benchsummary
    try:
        results = benchsummary.load_results(path.read_text())
    except (ValueError, KeyError, TypeError):
        return {}
    return {name: r.ns for name, r in results.items()}


def section(run_dir: Path, doc: dict) -> str:
    return f"{COUNTS_HEADING}\n\n{countmetrics.summary_markdown(doc, ns_per_element(run_dir))}"


def add_to_summary(run_dir: Path, *, plots: bool = True) -> tuple[str, list[Path]]:
    """(the section's text, plot files) for a run with counts.json; ("", []) without."""
    run_dir = Path(run_dir)
    doc = load_counts(run_dir)
    if doc is None:
        return "", []
    text = section(run_dir, doc)
    path = run_dir / run_folder.SUMMARY
    old = path.read_text() if path.is_file() else f"# mapbench summary: {run_dir}\n\n"
    if COUNTS_HEADING in old:
        old = old[:old.index(COUNTS_HEADING)]
    write_atomic(path, old.rstrip("\n") + "\n\n" + text)
    written = []
    if plots:
        from mapbench.analysis.render import countplots
        for stem, formats in countplots.count_plots(doc, ns_per_element(run_dir)).items():
            for fmt, data in formats.items():
                written.append(write_atomic(run_dir / "plots" / f"{stem}.{fmt}", data))
    return text, written
