"""The end-of-run summary of a run folder: tables on stdout + summary.md, plots/*.svg|png.

Reads bench.json (pyperf suite), meta.json (cache sizes, run status) and peers.json
(Go, if it ran); the tables and plots themselves are pure transforms in
mapbench.analysis.render.benchsummary and mapbench.analysis.render.benchplots.
"""
from __future__ import annotations

import json
from pathlib import Path

from mapbench.analysis.render import benchplots, benchsummary
from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from None


def summarize(run_dir: str | Path, *, best_prefetch: int | None = None,
              plots: bool = True) -> tuple[str, list[Path]]:
    """(summary markdown, plot files written) for a run folder; InputError without bench.json."""
    run_dir = Path(run_dir)
    bench_path = run_dir / "bench.json"
    if not bench_path.is_file():
        raise InputError(f"{bench_path} does not exist: no benchmark finished in this run")
    try:
        results = benchsummary.load_results(bench_path.read_text())
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{bench_path} is not a pyperf suite: {exc}") from None
    meta = _read_json(run_dir / "meta.json") or {}
    peers = _read_json(run_dir / "peers.json")
    caches = meta.get("cache_sizes") or {}

    status = (meta.get("bench") or {}).get("status", "unknown")
    head = [f"# mapbench summary: {run_dir}",
            f"bench pass: {status}; {len(results)} benchmarks in bench.json"
            + (f"; machine: {meta['cpu']['model']}" if meta.get("cpu") else "")]
    text = "\n".join(head) + "\n\n" + benchsummary.summary_markdown(
        results, peers=peers, prefetch=best_prefetch)
    write_atomic(run_dir / "summary.md", text)

    written: list[Path] = []
    if plots:
        for stem, formats in benchplots.all_plots(results, caches, best_prefetch, peers).items():
            for fmt, data in formats.items():
                written.append(write_atomic(run_dir / "plots" / f"{stem}.{fmt}", data))
    return text, written
