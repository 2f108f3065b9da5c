"""What travels between the history client and its Dask workers, as bytes: no shared filesystem.

Client -> worker: one commit as a shallow git repository (`pack_commit`): `git fetch
--depth 1` of that commit alone into a fresh repository, its `.git` as a tar.gz. The
worker checks it out (`unpack_commit`), so the commit's `mapbench bench` sees the real
commit (its run folder is named after it, `git rev-parse HEAD` answers it) although the
worker never sees the client's checkout. The store's calibration.json travels with it.

The commit's run folders already in the store travel along the same way, so its bench
adds to them as it would in the store itself.

Worker -> client: each run folder the bench made, as a tar.gz of its files (`pack_folder`).
The client lands it in the store (`land_run`): extracted into a temporary folder inside
the store root, then, holding the run folder's writer lock (store/lock.py), each entry
renamed into place, meta.json last, so a reader never sees a run whose meta.json is
there before its bench.json. A task that dies sends nothing: no partial run can land.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.benchmarks.store import lock as store_lock, run_folder

LANDING_PREFIX = ".landing-"          # in the store root: a run folder on its way in
LOCK_NAMES = (store_lock.LOCK_NAME,)    # never shipped: each holder makes its own


def _tar(folder: Path, arcname: str = ".") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(folder, arcname=arcname,
                filter=lambda info: None if Path(info.name).name in LOCK_NAMES else info)
    return buf.getvalue()


def _untar(blob: bytes, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        tar.extractall(into, filter="data")


def pack_commit(repo: Path, commit: str) -> bytes:
    """`commit` alone (no history) as a tar.gz of a shallow repository's .git."""
    with tempfile.TemporaryDirectory(prefix="mapbench-ship-") as tmp:
        steps = (["git", "init", "-q", tmp],
                 ["git", "-C", tmp, "fetch", "-q", "--depth", "1", "--no-tags",
                  f"file://{Path(repo).resolve()}", commit])
        for step in steps:
            # A session of its own: Ctrl-C on the client's terminal goes to the client,
            # which cancels the history (exit 130); sent to git too, it killed the fetch
            # half-way and came back first as "unpack-objects failed" (exit 2).
            proc = subprocess.run(step, capture_output=True, text=True, start_new_session=True)
            if proc.returncode != 0:
                lines = proc.stderr.strip().splitlines()
                raise InputError(f"cannot take {commit[:12]} out of {repo}: "
                                 f"{lines[-1] if lines else 'git failed'}")
        return _tar(Path(tmp) / ".git")


def unpack_commit(blob: bytes, commit: str, src: Path) -> None:
    """A checkout of `commit` in `src` (a new folder) from pack_commit's bytes."""
    _untar(blob, src / ".git")
    proc = subprocess.run(["git", "-C", str(src), "checkout", "-q", "--detach", commit],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git checkout {commit[:12]}: {proc.stderr.strip()}")


def pack_folder(folder: Path) -> bytes:
    return _tar(folder)


def unpack_folder(blob: bytes, folder: Path) -> None:
    _untar(blob, folder)


def _put(entry: Path, dest: Path) -> None:
    """Rename `entry` onto `dest`; a folder already there is moved aside and removed."""
    if entry.is_dir() and dest.is_dir():
        aside = dest.with_name(f".{dest.name}.old")
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(dest, aside)
        os.replace(entry, dest)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(entry, dest)


def land_run(root: Path, name: str, blob: bytes) -> Path:
    """Write a shipped run folder into `root/name`, under its writer lock; its path."""
    if not name or "/" in name or name.startswith("."):
        raise RuntimeError(f"a worker sent a run folder with a bad name: {name!r}")
    root.mkdir(parents=True, exist_ok=True)
    landing = Path(tempfile.mkdtemp(prefix=LANDING_PREFIX, dir=root))
    try:
        _untar(blob, landing)
        dest = root / name
        with store_lock.hold(dest, command="mapbench history (landing a run)", wait=True):
            entries = sorted(landing.iterdir(), key=lambda p: p.name == run_folder.META)
            for entry in entries:                       # meta.json last
                _put(entry, dest / entry.name)
        return dest
    finally:
        shutil.rmtree(landing, ignore_errors=True)
