"""Stacks from any supported profiler output, folded into a profile dict.

Formats: `perf script` text (mapbench.analysis.stacks.fold_perf), py-spy raw (mapbench.analysis.stacks.fold_pyspy),
speedscope JSON (mapbench.analysis.stacks.fold_speedscope), and folded stacks themselves. This
module re-exports the folders, guesses the format of an input, and filters
folded stacks by regex.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.fold_perf import PerfFold, fold_perf_script, fold_perf_script_detailed
from mapbench.analysis.stacks.fold_pyspy import fold_pyspy_raw
from mapbench.analysis.stacks.fold_speedscope import fold_speedscope
from mapbench.analysis.stacks.fold_perf import parse_event_header, parse_stack_line
from mapbench.analysis.stacks.folded import decode, read_folded

__all__ = [
    "FORMATS", "PerfFold", "detect_format", "filter_stacks", "fold_any",
    "fold_perf_script", "fold_perf_script_detailed", "fold_pyspy_raw", "fold_speedscope",
]

# What `--format` accepts; "folded" and "pyspy" read the same (py-spy raw is folded text).
FORMATS = ("auto", "perf", "pyspy", "speedscope", "folded")
# How much of the input the format guess looks at.
_SNIFF_BYTES = 1 << 16


def detect_format(data) -> str:
    """Guess "perf", "speedscope" or "folded" from the start of the input.

    speedscope: JSON that mentions speedscope or has `profiles`. perf: the first
    line that is not a `#` comment is an event line and the next one a stack
    line (as inferno does it). folded: a line that ends in ` <count>`. Raises
    InputError when it is none of these.
    """
    head = bytes(data[:_SNIFF_BYTES])
    if not head.strip():
        raise InputError("input is empty")
    start = head.lstrip()
    if start[:1] == b"{":
        if b"speedscope" in head or b'"profiles"' in head:
            return "speedscope"
        raise InputError("input is JSON but not a speedscope profile")
    lines = [line for line in head.split(b"\n") if line.strip() and line[:1] != b"#"]
    if lines and parse_event_header(lines[0]) is not None:
        # An event line followed by a stack line, or by the next event line
        # (`perf record` without -g prints one line per sample).
        if len(lines) == 1 or parse_stack_line(lines[1]) or parse_event_header(lines[1]):
            return "perf"
    first = lines[0].rstrip() if lines else b""
    stack, _, count = first.rpartition(b" ")
    if count.isdigit():
        return "folded"
    if b"\x00" in head:
        raise InputError("input looks binary: not perf script, py-spy raw, speedscope or folded text")
    raise InputError(
        "input format not recognised: expected `perf script` text, py-spy raw, speedscope JSON or folded stacks"
    )


def fold_any(data, fmt: str = "auto", **perf_options) -> dict[str, int]:
    """Fold `data` of format `fmt` ("auto" guesses); perf options go to fold_perf_script."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if fmt == "auto":
        fmt = detect_format(data)
    if fmt == "perf":
        return fold_perf_script(data, **perf_options)
    if fmt == "speedscope":
        return fold_speedscope(bytes(data))
    if fmt == "pyspy":
        return fold_pyspy_raw(bytes(data))
    return read_folded(decode(bytes(data)))


def _compile(pattern: str | None, what: str) -> re.Pattern | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InputError(f"bad {what} regex {pattern!r}: {exc}") from None


def filter_stacks(
    stacks: Mapping[str, int], include: str | None = None, exclude: str | None = None,
) -> dict[str, int]:
    """Keep the stacks that have a frame matching `include` and none matching `exclude`.

    Each regex is searched in each frame on its own (so `^main$` names one
    frame exactly), like `grep` on a folded file but frame-aware. A stack is
    kept or dropped whole: weights are never split.
    """
    keep = _compile(include, "--include")
    drop = _compile(exclude, "--exclude")
    result: dict[str, int] = {}
    for stack, weight in stacks.items():
        frames = stack.split(";")
        if keep is not None and not any(keep.search(frame) for frame in frames):
            continue
        if drop is not None and any(drop.search(frame) for frame in frames):
            continue
        result[stack] = weight
    return result
