"""The output store: one folder per run of a commit, `<root>/<commit12>[-dirty]/`.

Layout of a run folder (see profiles/README.md): meta.json, bench.json, folded/,
flame/, pprof/, cachemiss.json, cachemiss.md, plots/, report.html. Every file is
written with `mapbench.analysis.atomic.write_atomic`, so a reader never sees half a file.
"""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mapbench.analysis.errors import InputError

DEFAULT_ROOT = Path("profiles")
COMMIT_CHARS = 12


@dataclass(frozen=True)
class Revision:
    commit: str          # full 40-hex sha, or "unknown" outside a git checkout
    dirty: bool          # uncommitted changes to tracked files

    @property
    def run_name(self) -> str:
        short = self.commit[:COMMIT_CHARS]
        return f"{short}-dirty" if self.dirty else short


def _git(args: list[str], cwd: str | os.PathLike | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise InputError(result.stderr.strip().splitlines()[-1] if result.stderr.strip()
                         else f"git {' '.join(args)} failed")
    return result.stdout.strip()


def current_revision(cwd: str | os.PathLike | None = None) -> Revision:
    """The checkout's HEAD and whether tracked files have uncommitted changes."""
    try:
        commit = _git(["rev-parse", "HEAD"], cwd)
        status = _git(["status", "--porcelain", "--untracked-files=no"], cwd)
    except (InputError, FileNotFoundError):
        return Revision("unknown", False)
    return Revision(commit, bool(status))


def resolve_commit(commitish: str, cwd: str | os.PathLike | None = None) -> str:
    """Full sha for a commit-ish (branch, tag, short sha); InputError if git does not know it."""
    try:
        return _git(["rev-parse", "--verify", "--quiet", f"{commitish}^{{commit}}"], cwd)
    except InputError:
        raise InputError(f"{commitish!r} is neither a run folder nor a commit git knows") from None
    except FileNotFoundError:
        raise InputError("git is not installed; name a run folder instead of a commit") from None


def run_dir(root: str | os.PathLike, revision: Revision) -> Path:
    return Path(root) / revision.run_name


def list_runs(root: str | os.PathLike = DEFAULT_ROOT) -> list[Path]:
    """Run folders under `root` that hold a meta.json, oldest first (by meta date, then mtime)."""
    root = Path(root)
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir() if p.is_dir() and (p / "meta.json").is_file()]

    def sort_key(p: Path):
        try:
            date = json.loads((p / "meta.json").read_text()).get("date", "")
        except (OSError, ValueError):
            date = ""
        return (date, p.stat().st_mtime)

    return sorted(runs, key=sort_key)


def find_run(spec: str, root: str | os.PathLike = DEFAULT_ROOT) -> Path:
    """A run folder from a path to one, or from a commit-ish whose run is in the store."""
    as_path = Path(spec)
    if as_path.is_dir():
        if not (as_path / "meta.json").is_file():
            raise InputError(f"{spec} is a folder but not a mapbench run (no meta.json)")
        return as_path
    commit = resolve_commit(spec)
    for name in (commit[:COMMIT_CHARS], f"{commit[:COMMIT_CHARS]}-dirty"):
        candidate = Path(root) / name
        if (candidate / "meta.json").is_file():
            return candidate
    raise InputError(f"commit {commit[:COMMIT_CHARS]} ({spec}) has no results in {root}/; "
                     f"run `mapbench bench` on it first (or `mapbench history`)")


def newest_run(root: str | os.PathLike = DEFAULT_ROOT) -> Path:
    runs = list_runs(root)
    if not runs:
        raise InputError(f"no runs in {root}/; run `mapbench bench` first")
    return runs[-1]
