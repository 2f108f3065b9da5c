"""A run's folded stacks (`folded/<configuration>.folded`, mapbench profile and the Go peers)
as one speedscope file (mapbench.analysis.exports.speedscope), a profile per configuration,
in file-name order. A run without folded stacks is an InputError naming the command to run."""
from __future__ import annotations

import sys
from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.analysis.exports import speedscope
from mapbench.analysis.stacks.folded import decode, read_folded

FOLDED_FOLDER = "folded"


def speedscope_text(run: Path) -> str:
    files = sorted((Path(run) / FOLDED_FOLDER).glob("*.folded"))
    if not files:
        raise InputError(f"{run} has no {FOLDED_FOLDER}/*.folded; run `mapbench profile` "
                         "(or `mapbench bench` with the Go peers) for it first")
    profiles = {p.stem: read_folded(decode(p.read_bytes())) for p in files}
    text, left_out = speedscope.render(profiles, name=Path(run).name)
    if left_out:
        print(f"mapbench export: note: {left_out} samples with no frames left out "
              "(a sampled speedscope profile has no empty stack)", file=sys.stderr)
    return text
