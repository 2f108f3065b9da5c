"""One writer per run folder: an advisory `flock` held for the life of a writing command.

    <run folder>/.writer.lock   text: who holds it (pid, host, command, since)

Invariants:
- `bench`, `profile`, `calibrate` and `history` take LOCK_EX on the lock file of the
  folder they write before their first write there and keep it until they exit. The
  kernel drops the lock when the process dies, `kill -9` included, so a lock is never
  stale and nothing has to clean it up.
- The lock file is never deleted (a process that opened it before the unlink would lock
  a file nobody else sees). Its text is rewritten by each new holder, after it has the
  lock; the one refused reads it to name the holder in its one-line error.
- Readers (`report`, `compare`) take no lock: every file they read is replaced
  atomically (analysis/atomic.py), so they see the old version or the new one. They may
  probe the lock (`writer_of`) to tell a pass that is running from one whose writer died.
- The holder of a run folder's lock may delete temp files an earlier writer left when it
  died (`.<name>.<random>.tmp`, analysis/atomic.py); `compare/` is left alone, since
  compare writes there without the lock.
"""
from __future__ import annotations

import datetime
import fcntl
import json
import os
import shlex
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from mapbench.analysis import errors
from mapbench.analysis.errors import WriteError

LOCK_NAME = ".writer.lock"
# A reader's probe holds the lock for microseconds: try this long before calling it busy.
BUSY_RETRY_S = 0.5
UNLOCKED_SUBFOLDERS = ("compare",)      # written without the lock (by `mapbench compare`)


StoreBusy = errors.StoreBusy      # where the CLI catches it (analysis/errors.py)


def _describe(text: str) -> str:
    try:
        who = json.loads(text)
        return (f"pid {who['pid']} on {who['host']} (`{who['command']}`, since {who['since']})")
    except (ValueError, KeyError, TypeError):
        return "another process (its lock file does not say which)"


def _holder_text(command: str) -> str:
    return json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "command": command,
                       "since": datetime.datetime.now(datetime.timezone.utc)
                       .isoformat(timespec="seconds")}) + "\n"


def command_line() -> str:
    """How this process was started, for the lock file: `mapbench bench --fast ...`."""
    return shlex.join(["mapbench", *sys.argv[1:]])


def _read(fd: int) -> str:
    try:
        return os.pread(fd, 4096, 0).decode("utf-8", "replace")
    except OSError:
        return ""


def _try_lock(fd: int, retry_s: float) -> bool:
    deadline = time.monotonic() + retry_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def _open_lock(folder: Path, lock_name: str) -> int:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.open(folder / lock_name, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WriteError(exc.filename or folder / lock_name, exc.strerror or str(exc)) from exc


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Temp files of atomic writes whose writer died, under `folder` (not compare/)."""
    removed = []
    for tmp in folder.rglob(".*.tmp"):
        if tmp.relative_to(folder).parts[0] in UNLOCKED_SUBFOLDERS or not tmp.is_file():
            continue
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed


@contextmanager
def hold(folder: str | os.PathLike, *, command: str | None = None, wait: bool = False,
         lock_name: str = LOCK_NAME, log=print):
    """Hold `folder`'s write lock for the `with` block. Busy: StoreBusy at once, or with
    `wait` block until the holder exits. Creates the folder; WriteError if it cannot."""
    folder = Path(folder)
    fd = _open_lock(folder, lock_name)
    try:
        if not _try_lock(fd, BUSY_RETRY_S):
            holder = _describe(_read(fd))
            if not wait:
                raise StoreBusy(f"{folder} is being written by {holder}; run this after it "
                                f"ends (or add --wait to queue behind it)")
            log(f"waiting for {holder} to finish writing {folder} ...", flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        text = _holder_text(command or command_line()).encode()
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, text, 0)
        except OSError as exc:
            raise WriteError(folder / lock_name, exc.strerror or str(exc)) from exc
        if lock_name == LOCK_NAME:
            remove_stale_temp_files(folder)
        yield
    finally:
        os.close(fd)                       # releases the lock


def writer_of(folder: str | os.PathLike, lock_name: str = LOCK_NAME) -> str | None:
    """Who writes `folder` now (one phrase), or None when no process holds its lock."""
    try:
        fd = os.open(Path(folder) / lock_name, os.O_RDONLY)
    except OSError:
        return None                        # never locked, or unreadable: nobody we can see
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _describe(_read(fd))
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
