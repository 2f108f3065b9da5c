"""One run folder, `<root>/<commit12>[-dirty]@<machine>/`: the names of its files and their loaders.

The only place that spells a run folder's file names (profiles/README.md documents each):
every other module asks a RunFolder for a path or a loaded document. Loaders come in two
strengths, as their callers need them:
  - lenient (`doc`, `suite`): a missing, unreadable or malformed file is None; for context
    (a report still shows what the run has, a summary works without peers.json);
  - strict (`doc_strict`, `suite_strict`): missing is None (or InputError for the suite),
    a malformed file is InputError with its path, for a command whose answer depends on it
    (compare, summary).
Readers never write; writers go through `mapbench.analysis.atomic.write_atomic`.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyperf

from mapbench.analysis.errors import InputError

BENCH = "bench.json"            # the pyperf suite (mapbench bench)
META = "meta.json"              # machine, code and tools (store/meta.py)
PEERS = "peers.json"            # the Go peers (peers/go_run.py)
COUNTS = "counts.json"          # the count pass (counts/count_pass.py)
LINES = "lines.json.gz"         # the count pass's per-source-line costs (gzip JSON)
CALLGRIND_DUMPS = "callgrind"   # folder: each counted benchmark's callgrind dump, gzipped
PROFILE = "profile.json"        # the profile pass's index (profiling/profile_pass.py)
CACHEMISS = "cachemiss.json"    # misses per element per configuration (profile pass)
CACHEMISS_MD = "cachemiss.md"
CACHE_LEVELS = "cache_levels.json"  # the level sweep: misses per element at each cache level
SUMMARY = "summary.md"          # the end-of-run summary (report/summary.py)
REPORT = "report.html"          # mapbench report
HISTORY = "history.json"        # at the store root: what history did per commit
CALIBRATION = "calibration.json"  # at the store root: mapbench calibrate

# What `mapbench report` links as the run's data files, in this order.
DATA_FILES = (BENCH, META, PROFILE, PEERS, CACHEMISS, CACHEMISS_MD, CACHE_LEVELS, SUMMARY, COUNTS)


def _load_json(path: Path, strict: bool) -> dict | None:
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        if strict:
            raise InputError(f"{path} is not valid JSON ({exc})") from None
        return None
    if not isinstance(doc, dict):
        if strict:
            raise InputError(f"{path} is not a JSON object")
        return None
    return doc


@dataclass(frozen=True)
class RunFolder:
    """A run folder by its path; nothing is read until asked."""
    path: Path

    def __init__(self, path: str | os.PathLike):
        object.__setattr__(self, "path", Path(path))

    def file(self, name: str) -> Path:
        return self.path / name

    def has(self, name: str) -> bool:
        return self.file(name).is_file()

    def doc(self, name: str) -> dict | None:
        """A JSON file of the run, or None when missing, unreadable or not an object."""
        return _load_json(self.file(name), strict=False)

    def doc_strict(self, name: str) -> dict | None:
        """A JSON file of the run, None when missing; InputError when it is not valid."""
        return _load_json(self.file(name), strict=True)

    def suite(self) -> pyperf.BenchmarkSuite | None:
        """bench.json as a pyperf suite, or None when missing or unreadable."""
        path = self.file(BENCH)
        if not path.is_file():
            return None
        try:
            return pyperf.BenchmarkSuite.load(str(path))
        except (ValueError, KeyError, TypeError, OSError):
            return None

    def suite_strict(self) -> pyperf.BenchmarkSuite:
        """bench.json as a pyperf suite; InputError naming what to run when it is missing,
        or what is wrong when it cannot be read."""
        path = self.file(BENCH)
        if not path.is_file():
            raise InputError(f"{self.path} has no {BENCH}; run `mapbench bench` for it first")
        try:
            return pyperf.BenchmarkSuite.load(str(path))
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise InputError(f"{path} is not a pyperf suite ({exc})") from None
