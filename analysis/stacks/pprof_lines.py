"""Samples whose frames know their source lines, to a gzipped pprof `profile.proto`.

What `go tool pprof -list FUNC`, `-weblist`, `-http`'s source view and `-diff_base` read:
each Location carries one Line per function at that place (innermost inlined function
first, the function it was inlined into last, as profile.proto orders them), each Line
names a Function(name, filename, start_line) and its line number; a Location has the
address of its frame where the data has one, and a Mapping naming the module it is in.

Invariants of what `build_line_profile` writes (the same as mapbench.analysis.stacks.pprof):
  - one Mapping per module name, in first-seen order, ids from 1, each marked as
    symbolised (has_functions/filenames/line_numbers, has_inline_frames where a frame
    had more than one line), so pprof never looks for the binary to symbolise again;
    memory_start 0 and file_offset 0: addresses are module-relative (perf script's);
  - one Function per (name, file), one Location per (mapping, address, lines): a frame
    without an address (a simulated per-line table) is keyed by its lines alone, so
    two profiles of the same code share function/file/line identities and
    `-diff_base` subtracts line from line;
  - Sample.location_id is leaf first; string_table[0] is ""; no timestamps; gzip mtime 0.
"""
from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.pprof import _Strings, _value_type
from mapbench.analysis.stacks.profile_proto import Profile


@dataclass(frozen=True)
class SourceLine:
    """One function at one place: `line` 0 and `file` "" where they are not known."""
    function: str
    file: str = ""
    line: int = 0
    start_line: int = 0                 # the line its definition starts on, 0 if not known


@dataclass(frozen=True)
class Frame:
    """One frame of a stack: its module, its module-relative address (0: none) and its
    source lines, innermost inlined function first."""
    module: str
    address: int
    lines: tuple[SourceLine, ...]


@dataclass(frozen=True)
class Sample:
    frames: tuple[Frame, ...]           # leaf first
    values: tuple[int, ...]             # one per sample type


def build_line_profile(
    samples: Iterable[Sample], sample_types: Sequence, *, period: tuple[str, str, int] | None = None,
    default_sample_type: str | None = None, comments: Sequence[str] = (), main_module: str | None = None,
) -> bytes:
    """Gzipped profile.proto of `samples` (see the module docstring).

    `sample_types`: names or (type, unit) pairs, one per value of every sample;
    `period`: (type, unit, amount) of one sample, e.g. ("cpu", "nanoseconds", 1001001);
    `main_module`: the mapping to list first (pprof names the profile's `File:` after it).
    """
    types = [_value_type(kind, "a sample type") for kind in sample_types]
    if not types:
        raise InputError("a profile needs at least one sample type")
    profile = Profile()
    strings = _Strings(profile)
    for kind, unit in types:
        profile.sample_type.add(type=strings.id(kind), unit=strings.id(unit))
    if period is not None:
        profile.period_type.type = strings.id(period[0])
        profile.period_type.unit = strings.id(period[1])
        profile.period = int(period[2])
    profile.default_sample_type = strings.id(default_sample_type or types[0][0])
    for comment in comments:
        profile.comment.append(strings.id(comment))

    mappings: dict[str, object] = {}
    functions: dict[tuple[str, str], int] = {}
    locations: dict[tuple, int] = {}

    def mapping_of(module: str):
        entry = mappings.get(module)
        if entry is None:
            entry = mappings[module] = profile.mapping.add(
                id=len(mappings) + 1, filename=strings.id(module), has_functions=True,
                has_filenames=True, has_line_numbers=True)
        return entry

    def function_id(line: SourceLine) -> int:
        key = (line.function, line.file)
        known = functions.get(key)
        if known is None:
            known = functions[key] = len(functions) + 1
            profile.function.add(id=known, name=strings.id(line.function), system_name=strings.id(line.function),
                                 filename=strings.id(line.file), start_line=max(0, int(line.start_line)))
        return known

    def location_id(frame: Frame) -> int:
        key = (frame.module, frame.address, frame.lines) if frame.address else ("", 0, frame.lines)
        known = locations.get(key)
        if known is not None:
            return known
        mapping = mapping_of(frame.module)
        if frame.address:
            mapping.memory_limit = max(mapping.memory_limit, frame.address + 1)
        if len(frame.lines) > 1:
            mapping.has_inline_frames = True
        known = locations[key] = len(locations) + 1
        entry = profile.location.add(id=known, mapping_id=mapping.id, address=frame.address)
        for line in frame.lines or (SourceLine(f"[{frame.module}]"),):
            entry.line.add(function_id=function_id(line), line=max(0, int(line.line)))
        return known

    if main_module:
        mapping_of(main_module)
    for sample in samples:
        if len(sample.values) != len(types):
            raise InputError(f"a sample has {len(sample.values)} values for {len(types)} sample types")
        if not any(sample.values):
            continue
        out = profile.sample.add()
        out.location_id.extend(location_id(frame) for frame in sample.frames)
        out.value.extend(int(v) for v in sample.values)
    return gzip.compress(profile.SerializeToString(), mtime=0)


def function_start_line(source: str | None, name: str, first_line: int) -> int:
    """The line a C function's definition starts on: the last line at or above
    `first_line` (a line the function's code is on) that starts at column 0 and holds
    `name(`; 0 when the source is missing or has no such line."""
    if not source or first_line <= 0:
        return 0
    pattern = re.compile(rf"^[A-Za-z_].*\b{re.escape(name)}\s*\(")
    lines = source.splitlines()
    for number in range(min(first_line, len(lines)), 0, -1):
        if pattern.match(lines[number - 1]):
            return number
    return 0


def start_lines(lines: Iterable[SourceLine], sources: Mapping[str, str]) -> dict[tuple[str, str], int]:
    """(function, file) -> its start line, from the source text of each file (see
    function_start_line), searching up from the first line the data has of it."""
    first: dict[tuple[str, str], int] = {}
    for line in lines:
        if line.line > 0:
            key = (line.function, line.file)
            first[key] = min(first.get(key, line.line), line.line)
    return {key: function_start_line(sources.get(key[1]), key[0], number) for key, number in first.items()}
