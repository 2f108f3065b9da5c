"""The count pass inside `mapbench bench`: `--no-counts`, `--counts-only`, and the hook.

By default `mapbench bench` (and so `tox -e bench`) runs the count pass after the timed
pass: instruction and simulated-cache counts of every C-kernel benchmark it timed, into
counts.json (benchmarks/counts/count_pass.py), then adds them to summary.md and plots/.
`--no-counts` skips it; `--counts-only` runs it alone (no timings, no Go peer).
"""
from __future__ import annotations

from pathlib import Path

from mapbench.benchmarks.counts import count_summary, count_pass as counts
from mapbench.benchmarks.store import meta as metamod


def add_arguments(parser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--no-counts", action="store_true",
                       help="skip the count pass (callgrind instruction and simulated-cache counts)")
    which.add_argument("--counts-only", action="store_true",
                       help="run only the count pass: counts.json, no timings")


def counts_only(benchmarks, run_dir: Path, revision, *, fresh: bool, plots: bool) -> int:
    """`--counts-only`: the count pass alone; meta.json is written only if the run has none."""
    if metamod.read_meta(run_dir) is None:
        metamod.write_meta(run_dir, metamod.collect_meta(revision))
    doc = run_count_pass(benchmarks, run_dir, fresh=fresh)
    summarize(run_dir, plots=plots)
    return 0 if doc is not None and not doc["failed"] else 1


def run_count_pass(benchmarks, run_dir: Path, *, fresh: bool = False) -> dict | None:
    """The count pass, its record in meta.json; the counts document or None. Counts of
    benchmarks this pass did not run stay in counts.json (as bench.json keeps earlier
    passes' results) unless `fresh`."""
    doc = counts.count_pass(benchmarks, run_dir, log=print, keep_earlier=not fresh)
    metamod.update_meta(run_dir, counts=(
        {"status": "none", "file": None} if doc is None else
        {"status": "complete" if not doc["failed"] else "partial", "file": counts.COUNTS_FILE,
         "counted": len(doc["benchmarks"]), "failed": sorted(doc["failed"]),
         "seconds": doc["seconds"]}))
    return doc


def summarize(run_dir: Path, plots: bool) -> None:
    """Print the counts section and add it (and its plot) to the run folder."""
    text, written = count_summary.add_to_summary(run_dir, plots=plots)
    if text:
        print()
        print(text)
    if written:
        print(f"plots: {', '.join(str(p) for p in written)}")
