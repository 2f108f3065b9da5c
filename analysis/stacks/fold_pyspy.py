"""py-spy's `raw` output (`py-spy record -f raw`) to a profile dict.

py-spy already writes folded stacks, root first: `main (drive.py:10);f (drive.py:5) 26`.
With `--native` C frames come in the same stacks (`kernel_sum (_kdemo.c:587)`);
with `--threads` each stack starts with `thread (0x7F...)`, and with
`--subprocesses` with `process 123:"python x.py"`. A stack py-spy saw with no
frames at all is written ` 5`: it is kept as the empty stack "".

A native frame py-spy could not name is written as its address and library,
`0x7ff23a64524a (libc.so.6)`. Under ASLR that address differs in every process, so
two profiles of the same code would never share the frame (a differential flame graph
showed it as +100% / -100%): it becomes `[unknown] (libc.so.6)`, as perf writes an
unnamed symbol.
"""
from __future__ import annotations

import re

from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.folded import decode, read_folded

UNNAMED_NATIVE_FRAME = re.compile(r"(?<![^;])0x[0-9a-fA-F]+ (\([^;()]*\))(?=;|$)")


def name_unnamed_frames(stack: str) -> str:
    return UNNAMED_NATIVE_FRAME.sub(r"[unknown] \1", stack)


def fold_pyspy_raw(data: bytes) -> dict[str, int]:
    """Read py-spy raw text (bytes or str); InputError on a line that is not `stack count`."""
    text = data if isinstance(data, str) else decode(data)
    try:
        folded = read_folded(text)
    except InputError as exc:
        raise InputError(f"py-spy raw: {exc}") from None
    out: dict[str, int] = {}
    for stack, count in folded.items():
        # The regex only where it can match: it was half the time of a large raw file.
        key = name_unnamed_frames(stack) if "0x" in stack else stack
        out[key] = out.get(key, 0) + count
    return out
