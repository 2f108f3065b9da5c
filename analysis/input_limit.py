"""Input that cannot exhaust memory: a size limit, and gzip inflated in a stream under it.

A 3 MB `.pb.gz` can inflate to 3 GB (a "gzip bomb"); `gzip.decompress` would try to
hold all of it. Here gzip input is inflated in two streamed passes:

  1. count: inflate in chunks of at most `CHUNK` bytes, keeping none of them, until the
     stream ends or the count passes the limit (then InputError, one line). Memory is
     O(CHUNK) whatever the input claims.
  2. keep: only an input that passed 1 is inflated again, into memory; it is at most
     `limit` bytes.

Invariants: no call here holds more than `limit + CHUNK` inflated bytes; every refusal is
an InputError whose message names the input, its limit and the option that raises it
(`--max-input`). Multi-member gzip (as `cat a.gz b.gz` makes) counts as one stream, as
`gzip -d` reads it. Pure: no files are opened here.
"""
from __future__ import annotations

import re
import zlib

from mapbench.analysis.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
DEFAULT_MAX_INPUT = 1 << 30  # 1 GiB, inflated
CHUNK = 1 << 20
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1000, "kib": 1 << 10, "m": 1 << 20, "mb": 1000 ** 2,
          "mib": 1 << 20, "g": 1 << 30, "gb": 1000 ** 3, "gib": 1 << 30, "t": 1 << 40, "tib": 1 << 40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(text: str) -> int:
    """Bytes in a size such as `1GiB`, `512M`, `200MB`, `4096` (K/M/G alone are binary)."""
    match = _SIZE.match(str(text))
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise InputError(f"--max-input: {text!r} is not a size (e.g. 1GiB, 512M, 200MB, 4096)")
    size = int(float(match.group(1)) * _UNITS[unit])
    if size < 1:
        raise InputError(f"--max-input: {text!r} must be at least 1 byte")
    return size


def format_size(size: int) -> str:
    """`1 GiB`, `512 MiB`, `300 KiB` or `12 bytes`: a limit as a person reads it."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def too_big(name: str, limit: int, *, inflated: bool) -> InputError:
    what = "inflates to more than" if inflated else "is larger than"
    return InputError(f"{name} {what} {format_size(limit)}, the input limit; "
                      "raise it with --max-input SIZE if the file is genuine")


def _members(data, limit: int, name: str, keep: bool):
    """Inflate every gzip member of `data`; yield chunks (kept or not); refuse past `limit`."""
    view = memoryview(data)
    total = 0
    while len(view):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = view
        while True:
            try:
                chunk = inflater.decompress(pending, CHUNK)
            except zlib.error as exc:
                raise InputError(f"{name}: broken gzip data ({exc})") from None
            pending = inflater.unconsumed_tail
            total += len(chunk)
            if total > limit:
                raise too_big(name, limit, inflated=True)
            if keep and chunk:
                yield chunk
            if inflater.eof:
                break
            if not pending and not chunk:
                raise InputError(f"{name}: gzip data ends early (truncated file)")
        view = memoryview(inflater.unused_data)
        # gzip -d ignores trailing zero padding after the last member; so do we.
        if not bytes(view).strip(b"\0"):
            break
        if bytes(view[:2]) != GZIP_MAGIC:
            raise InputError(f"{name}: trailing bytes after the gzip data")


def inflate(data, *, limit: int = DEFAULT_MAX_INPUT, name: str = "input") -> bytes:
    """The inflated bytes of gzip `data`, or InputError (one line) past `limit` or when broken."""
    for _ in _members(data, limit, name, keep=False):
        pass
    return b"".join(_members(data, limit, name, keep=True))


def bounded(data, *, limit: int = DEFAULT_MAX_INPUT, name: str = "input"):
    """`data` itself, inflated when it starts with gzip's magic; InputError past `limit`."""
    if bytes(data[:2]) == GZIP_MAGIC:
        return inflate(data, limit=limit, name=name)
    if len(data) > limit:
        raise too_big(name, limit, inflated=False)
    return data
