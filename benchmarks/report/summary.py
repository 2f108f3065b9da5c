"""The end-of-run summary of a run folder: tables on stdout + summary.md, plots/*.svg|png.

Reads bench.json (pyperf suite), meta.json (cache sizes, run status) and peers.json
(Go, if it ran); summary.md opens with the run's findings (mapbench.analysis.stats.
findings), then the tables. Tables and plots are pure transforms in
mapbench.analysis.render.benchsummary and mapbench.analysis.render.benchplots.
"""
from __future__ import annotations

from pathlib import Path

import pyperf

from mapbench.analysis.render import benchplots, benchsummary, peersplot, range_tables
from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.analysis.stats import findings
from mapbench.benchmarks.store import passes
from mapbench.benchmarks.store import run_folder


def _read_json(path: Path) -> dict | None:
    """A JSON file of the run: None when missing, InputError when malformed."""
    return run_folder.RunFolder(path.parent).doc_strict(path.name)


def pass_lines(run_dir: Path, suite: pyperf.BenchmarkSuite, meta: dict) -> list[str]:
    """Lines saying that bench.json mixes passes or holds an unfinished one (else none)."""
    found = passes.lines(run_folder.BENCH, passes.groups(run_dir, suite, meta))
    return [line if not line.startswith("  ") else "- " + line.strip() for line in found]


def summarize(run_dir: str | Path, *, best_prefetch: int | None = None,
              plots: bool = True) -> tuple[str, list[Path]]:
    """(summary markdown, plot files written) for a run folder; InputError without bench.json."""
    run_dir = Path(run_dir)
    bench_path = run_dir / run_folder.BENCH
    if not bench_path.is_file():
        raise InputError(f"{bench_path} does not exist: no benchmark finished in this run")
    try:
        suite = pyperf.BenchmarkSuite.loads(bench_path.read_text())
        results = benchsummary.results_from_suite(suite)
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{bench_path} is not a pyperf suite: {exc}") from None
    meta = _read_json(run_dir / run_folder.META) or {}
    peers = _read_json(run_dir / run_folder.PEERS)
    caches = meta.get("cache_sizes") or {}

    status = (meta.get("bench") or {}).get("status", "unknown")
    head = [f"# mapbench summary: {run_dir}",
            f"bench pass: {status}; {len(results)} benchmarks in bench.json"
            + (f"; machine: {meta['cpu']['model']}" if meta.get("cpu") else "")]
    head += pass_lines(run_dir, suite, meta)
    data = findings.RunData(suite, peers, counts=_read_json(run_dir / run_folder.COUNTS),
                            levels=_read_json(run_dir / run_folder.CACHE_LEVELS), layout=meta.get("layout"))
    answers = findings.findings_markdown(findings.findings(data))
    text = "\n".join(head) + "\n\n" + (answers + "\n" if answers else "") + \
        benchsummary.summary_markdown(results, peers=peers, prefetch=best_prefetch)
    write_atomic(run_dir / run_folder.SUMMARY, text)

    written: list[Path] = []
    if plots:
        plots_by_stem = benchplots.all_plots(results, caches, best_prefetch, peers)
        if peersplot.has_peers(peers):
            plots_by_stem["go_peers"] = benchplots.render(peersplot.peers_figure(results, peers))
        inserting = range_tables.inserting_figure(results, peers)
        if inserting is not None:
            plots_by_stem["range_inserting"] = benchplots.render(inserting)
        for stem, formats in plots_by_stem.items():
            for fmt, data in formats.items():
                written.append(write_atomic(run_dir / "plots" / f"{stem}.{fmt}", data))
    return text, written
