"""Read a run's per-line data (lines.json.gz, written by the count pass; schema 1 in
profiles/README.md) and write the pprof profiles made from it.

`load_lines(run)`: the document, or None where the run has no per-line data; a file that
is there but damaged is an InputError (one line). `write_count_profiles(run)`: one
pprof/counts-<benchmark>.pb.gz per benchmark (mapbench.analysis.counters.line_pprof),
so `go tool pprof -list mapiternext RUN/pprof/counts-...pb.gz` shows the count pass's
instructions and misses line by line.
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.store import run_folder

LINES_FILE = run_folder.LINES
PPROF_FOLDER = "pprof"
COUNT_PROFILE = "counts-{bench}.pb.gz"
SCHEMA = 1


def bench_file_stem(bench: str) -> str:
    """A benchmark name as a file name: each run of characters other than [A-Za-z0-9.=-]
    made one _ (the count pass's dumps and the count profiles are named by it)."""
    return re.sub(r"[^A-Za-z0-9.=-]+", "_", bench).strip("_")


def profile_file_name(bench: str) -> str:
    """counts-<bench_file_stem>.pb.gz"""
    return COUNT_PROFILE.format(bench=bench_file_stem(bench))


def read_lines_file(path: Path) -> dict:
    """The parsed per-line document at `path`; InputError when it is not one."""
    try:
        doc = json.loads(gzip.decompress(Path(path).read_bytes()))
    except (OSError, EOFError, ValueError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: not readable per-line data ({exc})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA or not isinstance(doc.get("benchmarks"), dict):
        raise InputError(f"{path}: not per-line data of schema {SCHEMA}")
    return doc


def load_lines(run: Path) -> dict | None:
    path = Path(run) / LINES_FILE
    return read_lines_file(path) if path.is_file() else None


def write_count_profiles(run: Path, doc: dict | None = None) -> list[Path]:
    """pprof/counts-<bench>.pb.gz for every benchmark of the run's per-line data; [] without it."""
    from mapbench.analysis.counters.line_pprof import line_profile

    doc = doc if doc is not None else load_lines(run)
    if doc is None:
        return []
    sources = doc.get("sources") if isinstance(doc.get("sources"), dict) else {}
    written = []
    for bench, entry in sorted(doc["benchmarks"].items()):
        data = line_profile(bench, entry, sources=sources, source=str(doc.get("source") or "callgrind"))
        written.append(write_atomic(Path(run) / PPROF_FOLDER / profile_file_name(bench), data))
    return written
