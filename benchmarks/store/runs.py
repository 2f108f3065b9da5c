"""The output store: one folder per commit and machine, `<root>/<commit12>[-dirty]@<machine>/`.

The machine id (benchmarks/store/machine.py) keeps two machines writing one store (a CI
fleet, a network folder) out of each other's folders. Folders stored before machine ids,
`<root>/<commit12>[-dirty]/`, still load: their machine is derived from their meta.json.
One command at a time writes a run folder (benchmarks/store/lock.py); several passes of
`mapbench bench` add up in one folder (benchmarks/store/passes.py).

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
from mapbench.benchmarks.store import machine as machines
from mapbench.benchmarks.store import run_folder

DEFAULT_ROOT = Path("profiles")
COMMIT_CHARS = 12
MACHINE_SEP = "@"              # <commit12>[-dirty]@<machine>
ANY_MACHINE = "any"            # --machine any: runs of every machine


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


def uncommitted_diff_hash(cwd: str | os.PathLike | None = None) -> str | None:
    """sha256 (12 hex) of `git diff HEAD` over tracked files: which uncommitted code a
    `-dirty` run measured. None for a clean checkout or outside git."""
    import hashlib
    try:
        diff = subprocess.run(["git", "diff", "HEAD", "--binary"], cwd=cwd, capture_output=True)
    except FileNotFoundError:
        return None
    if diff.returncode != 0 or not diff.stdout:
        return None
    return hashlib.sha256(diff.stdout).hexdigest()[:12]


def resolve_commit(commitish: str, cwd: str | os.PathLike | None = None) -> str:
    """Full sha for a commit-ish (branch, tag, short sha); InputError if git does not know it."""
    try:
        return _git(["rev-parse", "--verify", "--quiet", f"{commitish}^{{commit}}"], cwd)
    except InputError:
        raise InputError(f"{commitish!r} is neither a run folder nor a commit git knows") from None
    except FileNotFoundError:
        raise InputError("git is not installed; name a run folder instead of a commit") from None


def run_dir(root: str | os.PathLike, revision: Revision, machine: str | None = None) -> Path:
    """`<root>/<commit12>[-dirty]@<machine>`; machine defaults to this machine's id."""
    return Path(root) / f"{revision.run_name}{MACHINE_SEP}{machine or machines.this_machine_id()}"


def _read_meta(run: Path) -> dict:
    try:
        doc = json.loads((run / run_folder.META).read_text())
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def run_machine(run: Path) -> str | None:
    """The machine a run folder was measured on: meta.json's, else the folder name's."""
    found = machines.id_of_meta(_read_meta(run))
    if found is None and MACHINE_SEP in run.name:
        found = run.name.split(MACHINE_SEP, 1)[1]
    return found


def _on_machine(run: Path, machine: str | None) -> bool:
    if machine in (None, ANY_MACHINE):
        return True
    found = run_machine(run)
    return found is None or found == machine


def list_runs(root: str | os.PathLike = DEFAULT_ROOT, machine: str | None = None) -> list[Path]:
    """Run folders under `root` that hold a meta.json, oldest first (by meta date, then
    mtime); only those of `machine` (and those that do not say) when it is given."""
    root = Path(root)
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir() if p.is_dir() and (p / run_folder.META).is_file()
            and _on_machine(p, machine)]

    def sort_key(p: Path):
        return (str(_read_meta(p).get("date", "")), p.stat().st_mtime)

    return sorted(runs, key=sort_key)


def machines_in(root: str | os.PathLike) -> dict[str, int]:
    """{machine id: number of runs} in the store ("unrecorded" for runs that do not say)."""
    counts: dict[str, int] = {}
    for run in list_runs(root):
        key = run_machine(run) or "unrecorded"
        counts[key] = counts.get(key, 0) + 1
    return counts


def _other_machines(runs: list[Path], machine: str) -> str:
    found = sorted({run_machine(r) or "unrecorded" for r in runs})
    return (f"not from machine {machine} (this one unless --machine says otherwise) but from "
            f"{', '.join(found)}; pass --machine ID (or --machine any), or name the run folder")


def find_run(spec: str, root: str | os.PathLike = DEFAULT_ROOT, machine: str | None = None) -> Path:
    """A run folder from a path to one, or from a commit-ish whose run is in the store
    (of `machine` when given: a clean run before a dirty one, then the newest)."""
    as_path = Path(spec)
    if as_path.is_dir():
        if not (as_path / run_folder.META).is_file():
            raise InputError(f"{spec} is a folder but not a mapbench run (no meta.json)")
        return as_path
    commit = resolve_commit(spec)
    short = commit[:COMMIT_CHARS]
    of_commit = [r for r in list_runs(root) if r.name.split(MACHINE_SEP, 1)[0] in (short, f"{short}-dirty")]
    if not of_commit:
        raise InputError(f"commit {short} ({spec}) has no results in {root}/; "
                         f"run `mapbench bench` on it first (or `mapbench history`)")
    mine = [r for r in of_commit if _on_machine(r, machine)]
    if not mine:
        raise InputError(f"commit {short} ({spec}) has results in {root}/ "
                         + _other_machines(of_commit, machine))
    clean = [r for r in mine if not r.name.split(MACHINE_SEP, 1)[0].endswith("-dirty")]
    return (clean or mine)[-1]


def newest_run(root: str | os.PathLike = DEFAULT_ROOT, machine: str | None = None) -> Path:
    runs = list_runs(root)
    if not runs:
        raise InputError(f"no runs in {root}/; run `mapbench bench` first")
    mine = [r for r in runs if _on_machine(r, machine)]
    if not mine:
        raise InputError(f"the runs in {root}/ are " + _other_machines(runs, machine))
    return mine[-1]


def newest_run_or_any(root: str | os.PathLike, machine: str | None) -> tuple[Path, str | None]:
    """The newest run of `machine`; when the store has none of it (a store copied from
    CI, looked at elsewhere), the newest run of any machine and a note that says so."""
    try:
        return newest_run(root, machine), None
    except InputError:
        if not list_runs(root):
            raise
    run = newest_run(root)
    return run, (f"note: no run of machine {machine} in {root}/; using the newest run, "
                 f"{run.name}, of machine {run_machine(run) or 'unrecorded'}")
