"""speedscope JSON (`py-spy record -f speedscope`, and other exporters) to a profile dict.

A speedscope file holds `shared.frames` (name, file, line) and one or more
profiles. A `sampled` profile lists each sample as frame indexes, root first:
each sample weighs 1 (a sample count, like the other folders here; py-spy's
`weights` are the seconds between samples). An `evented` profile lists open and
close events; each stack weighs the time it was on top, in integer units of the
profile's `unit` (nanoseconds for time units, so `seconds` becomes ns).
Frames are named as py-spy raw names them: `name (file:line)`.
"""
from __future__ import annotations

import json

from mapbench.analysis.errors import InputError

_NS_PER_UNIT = {"nanoseconds": 1, "microseconds": 1_000, "milliseconds": 1_000_000, "seconds": 1_000_000_000}


def _frame_names(frames) -> list[str]:
    names = []
    for frame in frames:
        if not isinstance(frame, dict) or not isinstance(frame.get("name"), str):
            raise InputError("speedscope: each entry of shared.frames needs a string `name`")
        name = frame["name"].replace(";", ":").replace("\n", " ")
        file = frame.get("file")
        line = frame.get("line")
        if isinstance(file, str) and file:
            file = file.replace(";", ":").replace("\n", " ")
            name = f"{name} ({file}:{line})" if isinstance(line, int) else f"{name} ({file})"
        names.append(name)
    return names


def _add(stacks: dict[str, int], key: str, weight: int) -> None:
    if weight > 0:
        stacks[key] = stacks.get(key, 0) + weight


def _fold_sampled(profile: dict, names: list[str], root: list[str], stacks: dict[str, int]) -> None:
    samples = profile.get("samples")
    if not isinstance(samples, list):
        raise InputError("speedscope: a sampled profile needs a `samples` list")
    for sample in samples:
        if not isinstance(sample, list) or not all(type(i) is int and i >= 0 for i in sample):
            raise InputError("speedscope: each sample must be a list of frame indexes")
        _add(stacks, ";".join(root + [names[i] for i in sample]), 1)


def _fold_evented(profile: dict, names: list[str], root: list[str], stacks: dict[str, int]) -> None:
    events = profile.get("events")
    if not isinstance(events, list):
        raise InputError("speedscope: an evented profile needs an `events` list")
    scale = _NS_PER_UNIT.get(profile.get("unit"), 1)
    open_frames: list[int] = []
    last_at = None
    for event in events:
        if not isinstance(event, dict) or event.get("type") not in ("O", "C"):
            raise InputError("speedscope: each event needs type `O` or `C`, `at` and `frame`")
        at = event.get("at")
        frame = event.get("frame")
        if not isinstance(at, (int, float)) or type(frame) is not int or frame < 0:
            raise InputError("speedscope: each event needs a number `at` and a frame index")
        if last_at is not None and open_frames:
            _add(stacks, ";".join(root + [names[i] for i in open_frames]), round((at - last_at) * scale))
        last_at = at
        if event["type"] == "O":
            open_frames.append(frame)
        elif open_frames:
            open_frames.pop()


def fold_speedscope(data: bytes, *, roots: bool = False) -> dict[str, int]:
    """Fold every profile of a speedscope file; `roots=True` adds each profile's name as root."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"speedscope: not JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("profiles"), list):
        raise InputError("speedscope: no `profiles` list (is this a speedscope file?)")
    shared = document.get("shared")
    frames = shared.get("frames") if isinstance(shared, dict) else None
    if not isinstance(frames, list):
        raise InputError("speedscope: no `shared.frames` list")
    names = _frame_names(frames)
    stacks: dict[str, int] = {}
    for profile in document["profiles"]:
        if not isinstance(profile, dict):
            raise InputError("speedscope: each profile must be an object")
        root = [str(profile.get("name", "")).replace(";", ":").replace("\n", " ")] if roots else []
        try:
            if profile.get("type") == "evented":
                _fold_evented(profile, names, root, stacks)
            elif profile.get("type") == "sampled":
                _fold_sampled(profile, names, root, stacks)
            else:
                raise InputError(f"speedscope: unknown profile type {profile.get('type')!r}")
        except (IndexError, TypeError):
            raise InputError("speedscope: a sample or event names a frame index that does not exist") from None
    return stacks
