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
from mapbench.analysis.input_limit import DEFAULT_MAX_INPUT, bounded, parse_size, too_big


def add_max_input_argument(parser) -> None:
    """`--max-input SIZE`: the most bytes a command reads (gzip input: inflated)."""
    parser.add_argument("--max-input", type=parse_size, default=DEFAULT_MAX_INPUT, metavar="SIZE",
                        help="refuse input larger than this, gzip input once inflated "
                             "(default 1GiB; e.g. 200MB, 4GiB)")


def read_input(path: str, limit: int = DEFAULT_MAX_INPUT):
    """read_input_gzip's bytes alone."""
    return read_input_gzip(path, limit)[0]


def read_input_gzip(path: str, limit: int = DEFAULT_MAX_INPUT):
    """(bytes, whether they were gzip): the bytes of `path`, or of stdin for "-", gzip inflated; InputError past `limit` bytes.

    A regular file that is not gzip is memory-mapped, read-only; gzip input is inflated
    in a stream under the limit (mapbench.analysis.input_limit)."""
    name = "stdin" if path == "-" else path
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > 0:
                data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            else:
                data = fh.read(limit + 1)
    if len(data) > limit:
        raise too_big(name, limit, inflated=False)
    return bounded(data, limit=limit, name=name), bytes(data[:2]) == b"\x1f\x8b"


def read_nonempty(path: str, limit: int = DEFAULT_MAX_INPUT) -> bytes:
    """The whole input as bytes; InputError when it is empty or only white space."""
    data = read_input(path, limit)
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
