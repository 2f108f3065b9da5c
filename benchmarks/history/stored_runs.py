"""A commit's runs in the store, on a machine: what history skips and what bisect reads.

A run counts for (commit, machine) when its folder is `<commit12>@<machine>` or, for
commits from before machine ids, `<commit12>`, it holds a meta.json, and its machine (from
meta.json) is that machine or unrecorded. Only clean checkouts: `-dirty` runs never match.
"""
from __future__ import annotations

import json
from pathlib import Path

from mapbench.benchmarks.store import runs as store
from mapbench.benchmarks.store import run_folder


def commit_runs(root: Path, commit: str, machine: str) -> list[Path]:
    """Run folders of this commit (clean checkout) measured on `machine`, with or without
    the machine in their name (commits from before machine ids write `<commit12>/`)."""
    short = commit[:store.COMMIT_CHARS]
    return [run for run in (root / f"{short}{store.MACHINE_SEP}{machine}", root / short)
            if (run / run_folder.META).is_file() and store.run_machine(run) in (machine, None)]


def run_complete(root: Path, commit: str, machine: str, counts_only: bool = False) -> bool:
    """The store holds a finished bench run of this commit (clean checkout) on `machine`;
    with `counts_only`, a finished count pass (counts.json, meta.json `counts.status`)."""
    for run in commit_runs(root, commit, machine):
        needs = run_folder.COUNTS if counts_only else run_folder.BENCH
        if not (run / needs).is_file():
            continue
        try:
            meta = json.loads((run / run_folder.META).read_text())
        except ValueError:
            continue
        record = (meta.get("counts") if counts_only else meta.get("bench")) or {}
        if not isinstance(record, dict):
            continue
        if record.get("status", "complete") in ("complete", "failed"):
            return True
    return False
