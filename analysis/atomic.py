"""Atomic file writes: a temp file in the same folder, fsync, then rename.

A reader (or an interrupted run) sees either the old file or the whole new one,
never half of it. A write the system refuses (read-only folder, full disk) raises
`errors.WriteError` naming the file, and leaves the old file as it was.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mapbench.analysis.errors import WriteError


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
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return target
