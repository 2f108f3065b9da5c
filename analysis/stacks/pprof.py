"""Profile dicts to pprof's gzipped `profile.proto`, which `go tool pprof` and speedscope read.

Layout of what we write (see mapbench.analysis.stacks.profile_proto for the message classes):
  - sample_type: `samples/count` first (the folded weights), then `cpu/nanoseconds`
    (weight x period) when the sampling period is known, then any extra types
    (cachegrind events, ...) in the order given;
  - one Mapping (`[folded stacks]`, marked as symbolised: there are no addresses);
  - one Function per distinct (name, file); one Location per distinct
    (function, line), so equal frames share one location id; location and
    function ids count from 1; Sample.location_id lists the leaf first;
  - string_table[0] is "" and every string is stored once;
  - no timestamps, and gzip's mtime is 0: the same stacks give the same bytes.

A frame named like py-spy's `name (file.py:12)` gives a function `name` in
`file.py` and a location at line 12; any other frame is a function with no file.
"""
from __future__ import annotations

import gzip
import re
from collections.abc import Mapping

from mapbench.analysis.errors import InputError
from mapbench.analysis.input_limit import DEFAULT_MAX_INPUT, GZIP_MAGIC, inflate
from mapbench.analysis.stacks.profile_proto import Profile

# `name (file:line)` or `name (file)`, as py-spy and mapbench.analysis.stacks.fold_speedscope name frames.
_FRAME_WITH_SOURCE = re.compile(r"^(.+) \(([^()]+?)(?::(\d+))?\)$")
ValueType = tuple[str, str]
MAPPING_NAME = "[folded stacks]"


def split_frame(frame: str) -> tuple[str, str, int]:
    """(function name, file, line) of a frame; file "" and line 0 where the name has none."""
    match = _FRAME_WITH_SOURCE.match(frame)
    if match is None:
        return frame, "", 0
    name, file, line = match.groups()
    return name, file, int(line) if line else 0


class _Strings:
    """The string table: index 0 is "", each string stored once."""

    def __init__(self, profile) -> None:
        self._table = profile.string_table
        self._index: dict[str, int] = {}
        self.id("")

    def id(self, text: str) -> int:
        index = self._index.get(text)
        if index is None:
            index = self._index[text] = len(self._table)
            # protobuf strings must be valid UTF-8; bytes that were not show as U+FFFD.
            self._table.append(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
        return index


def _value_type(spec, what: str) -> ValueType:
    if isinstance(spec, str):
        return spec, "count"
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(s, str) for s in spec):
        return spec
    raise InputError(f"{what} must be a name or a (type, unit) pair, not {spec!r}")


def build_profile(
    stacks: Mapping[str, int], *, sample_type=("samples", "count"), period_ns: float | None = None,
    extra_sample_types: Mapping | None = None, comments: tuple[str, ...] = (),
) -> bytes:
    """Gzipped profile.proto of `stacks` (see the module docstring).

    `extra_sample_types` maps a type (`"D1mr"` or `("D1mr", "count")`) to its
    own `{stack: value}` dict; a stack missing from one of the dicts gets 0 there.
    """
    main_type = _value_type(sample_type, "sample_type")
    extras = [(_value_type(kind, "an extra sample type"), values) for kind, values in (extra_sample_types or {}).items()]
    if period_ns is not None:
        if isinstance(period_ns, bool) or not isinstance(period_ns, (int, float)) or not period_ns >= 0.5:
            raise InputError(f"period must be a positive number of nanoseconds, not {period_ns!r}")
        period_ns = round(period_ns)  # profile.proto holds integers

    profile = Profile()
    strings = _Strings(profile)
    types = [main_type] + ([("cpu", "nanoseconds")] if period_ns else []) + [kind for kind, _ in extras]
    for kind, unit in types:
        profile.sample_type.add(type=strings.id(kind), unit=strings.id(unit))
    if period_ns:
        profile.period_type.type = strings.id("cpu")
        profile.period_type.unit = strings.id("nanoseconds")
        profile.period = period_ns
        profile.default_sample_type = strings.id("cpu")
    else:
        profile.period_type.type = strings.id(main_type[0])
        profile.period_type.unit = strings.id(main_type[1])
        profile.period = 1
        profile.default_sample_type = strings.id(main_type[0])
    for comment in comments:
        profile.comment.append(strings.id(comment))

    # One mapping for everything, marked fully symbolised, so pprof neither
    # looks for a binary nor tries to symbolise addresses we do not have.
    profile.mapping.add(
        id=1, filename=strings.id(MAPPING_NAME), has_functions=True,
        has_filenames=True, has_line_numbers=True,
    )
    functions: dict[tuple[str, str], int] = {}
    locations: dict[tuple[int, int], int] = {}
    location_of_frame: dict[str, int] = {}

    def location_id(frame: str) -> int:
        known = location_of_frame.get(frame)
        if known is not None:
            return known
        name, file, line = split_frame(frame)
        function = functions.get((name, file))
        if function is None:
            function = functions[(name, file)] = len(functions) + 1
            profile.function.add(
                id=function, name=strings.id(name), system_name=strings.id(name), filename=strings.id(file)
            )
        location = locations.get((function, line))
        if location is None:
            location = locations[(function, line)] = len(locations) + 1
            entry = profile.location.add(id=location, mapping_id=1)
            entry.line.add(function_id=function, line=line)
        location_of_frame[frame] = location
        return location

    all_stacks = dict.fromkeys(stacks)
    for _, values in extras:
        all_stacks.update(dict.fromkeys(values))
    for stack in sorted(all_stacks):
        weight = int(stacks.get(stack, 0))
        values = [weight] + ([weight * period_ns] if period_ns else [])
        values += [int(extra.get(stack, 0)) for _, extra in extras]
        if not any(values):
            continue
        frames = stack.split(";") if stack else []
        sample = profile.sample.add()
        sample.location_id.extend([location_id(frame) for frame in reversed(frames)])
        sample.value.extend(values)
    return gzip.compress(profile.SerializeToString(), mtime=0)


def read_profile(data: bytes, limit: int = DEFAULT_MAX_INPUT):
    """Parse a (gzipped or plain) profile.proto into a Profile message; InputError if it is not one.

    Gzip is inflated in a stream and refused past `limit` bytes (mapbench.analysis.input_limit)."""
    raw = inflate(data, limit=limit, name="profile") if data[:2] == GZIP_MAGIC else data
    try:
        profile = Profile()
        profile.ParseFromString(raw)
    except Exception as exc:  # gzip, zlib and protobuf each raise their own kinds
        raise InputError(f"not a pprof profile: {exc}") from None
    return profile


def profile_to_stacks(profile, index: int = 0) -> dict[str, int]:
    """Folded stacks of sample type `index` of a Profile message (functions only, root first).

    Every index is checked against the table it points into: a string index past the
    string table, a line's function_id or a sample's location_id that names nothing,
    or a sample with too few values is an InputError naming the broken field."""
    table = profile.string_table
    names = {}
    for number, function in enumerate(profile.function):
        if not 0 <= function.name < len(table):
            raise InputError(f"function[{number}] (id {function.id}).name: string index {function.name} "
                             f"is outside the string table ({len(table)} strings)")
        names[function.id] = table[function.name]
    frames = {}
    for number, location in enumerate(profile.location):
        for line in location.line:
            if line.function_id not in names:
                raise InputError(f"location[{number}] (id {location.id}).line.function_id: "
                                 f"no function has id {line.function_id}")
        frames[location.id] = [names[line.function_id] for line in reversed(location.line)]
    stacks: dict[str, int] = {}
    for number, sample in enumerate(profile.sample):
        for loc in sample.location_id:
            if loc not in frames:
                raise InputError(f"sample[{number}].location_id: no location has id {loc}")
        if len(sample.value) <= index:
            raise InputError(f"sample[{number}].value: {len(sample.value)} values, "
                             f"sample type {index} asked for")
        path = [name for loc in reversed(sample.location_id) for name in frames[loc]]
        key = ";".join(path)
        stacks[key] = stacks.get(key, 0) + sample.value[index]
    return stacks
