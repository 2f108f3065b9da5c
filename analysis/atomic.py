"""Atomic file writes: a temp file in the same folder, fsync, then rename.

A reader (or an interrupted run) sees either the old file or the whole new one,
never half of it. The file ends with the mode a plain `open(path, "w")` would give:
an existing file keeps its mode, a new one gets 0666 minus the process umask (0644
under the usual umask 022). `tempfile.mkstemp` alone would leave every file 0600,
unreadable to anyone else who serves or shares the store.
A write the system refuses (read-only folder, full disk) raises
`errors.WriteError` naming the file, and leaves the old file as it was.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from mapbench.analysis.errors import WriteError

NEW_FILE_MODE = 0o666            # what open() asks for; the umask takes bits away


def current_umask() -> int:
    """The process umask. Linux reports it in /proc/self/status (no change of state);
    elsewhere it is read by setting and restoring it, as os offers no getter."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return NEW_FILE_MODE & ~current_umask()


def write_atomic(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write `data` to `path` atomically; creates parent folders. Returns the path."""
    target = Path(path)
    try:
        return _write(target, data)
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(exc.filename or target, exc.strerror or str(exc)) from exc


def _write(target: Path, data: str | bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    # surrogateescape: names decoded from non-UTF-8 bytes (mapbench.analysis.stacks.folded.decode) are
    # written back as the bytes they came from, never refused.
    payload = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    import tempfile       # here: with its random, shutil, bz2 and lzma, 1.5 MiB of a fold's peak
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fchmod(tmp.fileno(), _mode_for(target))
            os.fsync(tmp.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return target
