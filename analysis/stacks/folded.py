"""The folded-stack text format: one `frame;frame;frame weight` line per stack.

This is the interface between collection and analysis, as in Brendan Gregg's
FlameGraph tools. In Python a profile is a `dict[str, int]` that maps the
`;`-joined stack, root first, to its weight (samples, or a period sum).

Invariants of a profile dict:
  - weights are positive integers; a stack never appears twice (weights add up);
  - the empty stack "" is allowed and means "samples with no frames" (py-spy
    writes them as ` 5`; flamegraph.pl counts them in the total only);
  - frame names never contain a newline; a `;` always separates frames.

Bytes that are not UTF-8 travel as lone surrogates (Python's "surrogateescape"),
so `encode_folded(format_folded(...))` gives back the exact input bytes.
"""
from __future__ import annotations

from collections.abc import Mapping

from mapbench.analysis.errors import InputError

# How text with bytes that are not UTF-8 is decoded and encoded, losslessly.
ENCODING = "utf-8"
ERRORS = "surrogateescape"
_WHITESPACE = " \t\r\x0b\x0c"


def decode(data: bytes) -> str:
    """Bytes of a profile to text, keeping any non-UTF-8 byte intact."""
    return bytes(data).decode(ENCODING, ERRORS)


def encode_folded(text: str) -> bytes:
    """Text of a folded profile back to its exact bytes."""
    return text.encode(ENCODING, ERRORS)


def read_folded(text: str) -> dict[str, int]:
    """Parse folded lines into a profile dict.

    Blank lines and lines starting with `#` are skipped. The weight is the last
    space-separated field and must be a non-negative integer; equal stacks add
    up; stacks of weight 0 are left out. A malformed line raises InputError
    naming its line number.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = decode(text)
    stacks: dict[str, int] = {}
    get = stacks.get
    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip(_WHITESPACE)
        if not line or line[0] == "#":
            continue
        stack, sep, count = line.rpartition(" ")
        # A weight is plain ASCII digits: int() alone would also take "1_000" or "٣".
        if not sep or not count.isascii() or not count.isdigit():
            shown = line if len(line) <= 60 else line[:57] + "..."
            raise InputError(
                f"line {number} is not folded stacks (`frame;frame count`): {shown!r}"
            )
        weight = int(count)
        if weight:
            stack = stack.rstrip(_WHITESPACE)
            stacks[stack] = get(stack, 0) + weight
    return stacks


def format_folded(stacks: Mapping[str, int]) -> str:
    """Profile dict to folded text: one line per stack, weights > 0.

    Sorted by the stack's bytes, as stackcollapse-perf.pl's `sort { $a cmp $b }`
    does, so our output and FlameGraph's compare equal line for line.
    """
    ordered = sorted(stacks.items(), key=lambda item: item[0].encode(ENCODING, ERRORS))
    return "".join([f"{stack} {weight}\n" for stack, weight in ordered if weight > 0])


def total_weight(stacks: Mapping[str, int]) -> int:
    """Sum of all weights of a profile."""
    return sum(stacks.values())
