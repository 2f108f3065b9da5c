"""Runs in the order of their commits, where a history knows it, for trend plots and steps.

A parallel history finishes commits out of order, so meta.json's date (when the bench
ran) does not order a range. history.json records each commit's committer date
(`commit_date`); a run whose commit it names sorts by that, any other run by its meta
date. Both are read as UTC instants, so time-zone offsets do not reorder them.
"""
from __future__ import annotations

import datetime
import json
from pathlib import Path

from mapbench.benchmarks.store import run_folder

EPOCH = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


def _instant(text) -> datetime.datetime:
    try:
        when = datetime.datetime.fromisoformat(str(text))
    except ValueError:
        return EPOCH
    return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)


def commit_order(root: Path, runs: list[Path]) -> list[Path]:
    """`runs` (oldest first by meta date) re-sorted by commit date where history.json has it."""
    try:
        notes = json.loads((Path(root) / run_folder.HISTORY).read_text())
    except (OSError, ValueError):
        notes = {}
    notes = notes if isinstance(notes, dict) else {}

    def key(run: Path):
        meta = run_folder.RunFolder(run).doc(run_folder.META) or {}
        note = notes.get(meta.get("commit")) if isinstance(meta.get("commit"), str) else None
        when = note.get("commit_date") if isinstance(note, dict) else None
        return _instant(when or meta.get("date", ""))
    return sorted(runs, key=key)
