"""py-spy's `raw` output (`py-spy record -f raw`) to a profile dict.

py-spy already writes folded stacks, root first: `main (drive.py:10);f (drive.py:5) 26`.
With `--native` C frames come in the same stacks (`kernel_sum (_kdemo.c:587)`);
with `--threads` each stack starts with `thread (0x7F...)`, and with
`--subprocesses` with `process 123:"python x.py"`. A stack py-spy saw with no
frames at all is written ` 5`: it is kept as the empty stack "".
"""
from __future__ import annotations

from analysis.errors import InputError
from analysis.folded import decode, read_folded


def fold_pyspy_raw(data: bytes) -> dict[str, int]:
    """Read py-spy raw text (bytes or str); InputError on a line that is not `stack count`."""
    text = data if isinstance(data, str) else decode(data)
    try:
        return read_folded(text)
    except InputError as exc:
        raise InputError(f"py-spy raw: {exc}") from None
