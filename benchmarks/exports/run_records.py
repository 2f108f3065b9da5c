"""A run folder -> export records (mapbench.analysis.exports.export_records), read-only.

Timings come from bench.json (one value per pyperf value, warm-ups left out: each value
is seconds per element over `loops x inner_loops` elements), counts from counts.json
(`per_element`), allocations from the counting allocator's pyperf metadata. A run with
counts but no bench.json (`mapbench bench --counts-only`) exports counts only; a run
with no counts exports time only, and `notes` says so. Nothing here writes.
"""
from __future__ import annotations

import platform as host
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.analysis.exports.export_records import ExportBenchmark, counted_units
from mapbench.benchmarks.counts.count_pass import load_counts
from mapbench.benchmarks.store import run_folder, runs as store

GOARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i686": "386"}
ALLOC_KEYS = {"B/op": "alloc_bytes_per_op", "allocs/op": "allocs_per_op"}   # pyperf metadata


@dataclass
class RunRecords:
    run: Path
    meta: dict
    benchmarks: list[ExportBenchmark] = field(default_factory=list)
    counted_elements: dict[str, int] = field(default_factory=dict)
    counts_doc: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def has_counts(self) -> bool:
        return self.counts_doc is not None


def _times(bench) -> list[tuple[float, int]]:
    out = []
    for r in bench.get_runs():
        if not r.values:
            continue
        elements = r.get_total_loops()
        out += [(float(v), elements) for v in r.values]
    return out


def _allocs(bench) -> dict[str, float]:
    md = bench.get_metadata()
    runs = bench.get_runs()
    per_loop = max(1, int(runs[0].get_inner_loops())) if runs else 1     # elements of one loop
    return {unit: float(md[key]) / per_loop for unit, key in ALLOC_KEYS.items()
            if isinstance(md.get(key), (int, float))}


def read_run(run: Path) -> RunRecords:
    """Every benchmark of a run, timings beside counts; InputError when it has neither."""
    folder = run_folder.RunFolder(run)
    suite = folder.suite_strict() if folder.has(run_folder.BENCH) else None
    counts = load_counts(run)
    if suite is None and counts is None:
        raise InputError(f"{run} has neither {run_folder.BENCH} nor {run_folder.COUNTS}; "
                         "run `mapbench bench` for it first")
    records = RunRecords(run, folder.doc(run_folder.META) or {}, counts_doc=counts)
    by_name: dict[str, ExportBenchmark] = {}
    if suite is not None:
        for bench in suite.get_benchmarks():
            by_name[bench.get_name()] = ExportBenchmark(bench.get_name(), _times(bench), allocs=_allocs(bench))
    else:
        records.notes.append(f"{run} has no {run_folder.BENCH} (a --counts-only run): exporting counts only")
    if counts is None:
        records.notes.append(f"{run} has no {run_folder.COUNTS}: exporting time only (no "
                             "instructions, misses or estimated cycles)")
    for name, entry in sorted(((counts or {}).get("benchmarks") or {}).items()):
        if not isinstance(entry, dict):
            continue
        record = by_name.setdefault(name, ExportBenchmark(name))
        record.counts = counted_units(entry.get("per_element") or {})
        records.counted_elements[name] = int(entry.get("elements") or 1)
    records.benchmarks = [by_name[n] for n in sorted(by_name)]
    return records


def resolve_run(spec: str | None, root: Path, machine: str | None) -> Path:
    """RUN as `mapbench report` reads it: a run folder or a commit-ish, else the newest run."""
    if spec:
        return store.find_run(spec, root, machine)
    run, note = store.newest_run_or_any(root, machine)
    if note:
        print(f"mapbench export: {note}", file=sys.stderr)
    return run


def platform_parts(meta: dict) -> tuple[str, str]:
    """(goos, goarch) of the run's machine from pyperf's `platform` metadata, else this host."""
    platform = str((meta.get("pyperf_metadata") or {}).get("platform") or "")
    goos = platform.split("-", 1)[0].lower() if platform else host.system().lower()
    arch = next((GOARCH[p] for p in platform.split("-") if p in GOARCH), None)
    return goos or "unknown", arch or GOARCH.get(host.machine(), host.machine() or "unknown")
