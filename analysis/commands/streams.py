"""Where every analysis command reads its input and writes its output.

FILE or "-" (stdin) in, `-o FILE` (written atomically) or stdout out, always as bytes,
so a pipeline never depends on the locale's encoding:
`mapbench fold perf.txt | mapbench flamegraph - > cpu.svg`.
"""
from __future__ import annotations

import mmap
import os
import stat
import sys

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError


def read_input(path: str):
    """The bytes of `path`, or of stdin for "-". A regular file is memory-mapped, read-only."""
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        info = os.fstat(fh.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > 0:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return fh.read()


def read_nonempty(path: str) -> bytes:
    """The whole input as bytes; InputError when it is empty or only white space."""
    data = read_input(path)
    if isinstance(data, mmap.mmap):
        data = data[:]
    if not data.strip():
        raise InputError(f"{path}: empty input")
    return data


def write_output(path: str | None, data: str | bytes) -> None:
    """Write `data` atomically to `path`, or to stdout when `path` is None or "-"."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if path and path != "-":
        write_atomic(path, data)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
