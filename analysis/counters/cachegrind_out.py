"""valgrind cachegrind/callgrind output files (`--cache-sim=yes`), parsed: the simulated
cache geometry (the `desc:` lines, part of every number's source), the events, each
function's self costs and (callgrind) the caller->callee edges. Pure: text in, a
CachegrindProfile out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from mapbench.analysis.errors import InputError

SOURCE_CACHEGRIND = "cachegrind simulation"
SOURCE_CALLGRIND = "callgrind simulation"


def format_bytes(n: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


# Invariants of CachegrindProfile: every cost vector has len(events) entries; `self_costs`
# holds exclusive costs per function name (summed over files and parts); `calls` holds the
# inclusive cost of each caller->callee edge (callgrind only; empty for cachegrind), which is
# never added into the caller's self cost; `summary` is the file's `summary:`/`totals:` line
# or, when the file has neither, the sum of the self costs (then `has_summary` is False).


@dataclass(frozen=True)
class CacheGeometry:
    size: int        # bytes
    line: int        # bytes
    assoc: int       # ways

    def describe(self) -> str:
        return f"{format_bytes(self.size)} {self.assoc}-way {self.line} B lines"


@dataclass
class CachegrindProfile:
    tool: str                                   # "cachegrind" | "callgrind"
    events: list[str]
    cmd: str = ""
    caches: dict[str, CacheGeometry] = field(default_factory=dict)   # "I1", "D1", "LL"
    self_costs: dict[str, list[int]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)              # function -> first file
    calls: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    call_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    summary: list[int] = field(default_factory=list)
    has_summary: bool = True

    def index(self, event: str) -> int:
        try:
            return self.events.index(event)
        except ValueError:
            raise InputError(f"the {self.tool} output has no {event!r} event "
                             f"(events: {' '.join(self.events)}); run it with --cache-sim=yes") from None

    def total(self, event: str) -> int:
        return self.summary[self.index(event)]

    def function_cost(self, function: str, event: str) -> int:
        costs = self.self_costs.get(function)
        return costs[self.index(event)] if costs else 0

    def inclusive(self, function: str) -> list[int]:
        """Self cost of `function` plus the inclusive cost of every call it makes (callgrind)."""
        total = list(self.self_costs.get(function, [0] * len(self.events)))
        for (caller, _callee), cost in self.calls.items():
            if caller == function:
                total = [a + b for a, b in zip(total, cost)]
        return total

    def source(self) -> str:
        tool = SOURCE_CALLGRIND if self.tool == "callgrind" else SOURCE_CACHEGRIND
        geometry = "; ".join(f"{name} {self.caches[name].describe()}"
                             for name in ("D1", "LL") if name in self.caches)
        return f"{tool} ({geometry})" if geometry else tool


_DESC_CACHE = re.compile(r"^desc:\s*(I1|D1|LL) cache:\s*(\d+) B,\s*(\d+) B,\s*(\d+)-way")
_NAME_REF = re.compile(r"^\((\d+)\)(?:\s(.*))?$")
_FILE_KEYS = {"fl", "fi", "fe", "cfi", "cfl"}
_OBJECT_KEYS = {"ob", "cob"}
_FUNCTION_KEYS = {"fn", "cfn"}


def _expand_name(kind: str, value: str, tables: dict[str, dict[str, str]], lineno: int) -> str:
    """Callgrind name compression: `(id) name` defines id, a later `(id)` refers to it."""
    match = _NAME_REF.match(value)
    if not match:
        return value
    ident, name = match.groups()
    table = tables[kind]
    if name is not None:
        table[ident] = name
        return name
    if ident not in table:
        raise InputError(f"line {lineno}: name id ({ident}) used before it is defined")
    return table[ident]


def _costs(tokens: list[str], nevents: int, lineno: int) -> list[int]:
    if len(tokens) > nevents:
        raise InputError(f"line {lineno}: {len(tokens)} costs but {nevents} events")
    try:
        values = [int(t) for t in tokens]
    except ValueError:
        raise InputError(f"line {lineno}: a cost is not an integer: {' '.join(tokens)[:60]!r}") from None
    return values + [0] * (nevents - len(values))


def _add(target: dict, key, costs: list[int]) -> None:
    current = target.get(key)
    if current is None:
        target[key] = list(costs)
    else:
        for i, c in enumerate(costs):
            current[i] += c


def parse_cachegrind(text: str) -> CachegrindProfile:
    """Parse cachegrind (`cachegrind.out.*`) or callgrind (`callgrind.out.*`) output."""
    if "\x00" in text:
        raise InputError("binary data, not cachegrind/callgrind output")
    tool = "callgrind" if text.lstrip().startswith("# callgrind format") or "\ncreator: callgrind" in text \
        else "cachegrind"
    profile = CachegrindProfile(tool=tool, events=[])
    tables: dict[str, dict[str, str]] = {"file": {}, "object": {}, "fn": {}}
    npositions = 1
    function = None
    current_file = ""
    callee = None
    pending_call: int | None = None     # calls=COUNT seen: the next cost line is that call's cost
    skip_next = False                   # jump=/jcnd= lines are followed by a position line
    summary = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if skip_next:
            skip_next = False
            continue
        head = line[:1]
        if head.isdigit() or head in "+-*" or line.startswith("0x"):
            if not profile.events:
                raise InputError(f"line {lineno}: a cost line before the `events:` line")
            if function is None:
                raise InputError(f"line {lineno}: a cost line before any `fn=`")
            tokens = line.split()
            costs = _costs(tokens[npositions:], len(profile.events), lineno)
            if pending_call is not None:
                edge = (function, callee)
                _add(profile.calls, edge, costs)
                profile.call_counts[edge] = profile.call_counts.get(edge, 0) + pending_call
                pending_call = None
            else:
                _add(profile.self_costs, function, costs)
            continue
        if "=" in line and (":" not in line or line.index("=") < line.index(":")):
            key, value = line.split("=", 1)
            if key in _FILE_KEYS:
                name = _expand_name("file", value, tables, lineno)
                if key == "fl":
                    current_file = name
            elif key in _OBJECT_KEYS:
                _expand_name("object", value, tables, lineno)
            elif key == "fn":
                function = _expand_name("fn", value, tables, lineno)
                profile.files.setdefault(function, current_file)
                profile.self_costs.setdefault(function, [0] * len(profile.events))
            elif key == "cfn":
                callee = _expand_name("fn", value, tables, lineno)
            elif key == "calls":
                if callee is None:
                    raise InputError(f"line {lineno}: `calls=` without a `cfn=` before it")
                try:
                    pending_call = int(value.split()[0])
                except (ValueError, IndexError):
                    raise InputError(f"line {lineno}: bad calls= line: {line[:60]!r}") from None
            elif key in ("jump", "jcnd"):
                skip_next = True
            continue
        if ":" in line:
            key, value = line.split(":", 1)
            value = value.strip()
            if key == "events":
                profile.events = value.split()
            elif key == "positions":
                npositions = len(value.split()) or 1
            elif key == "cmd":
                profile.cmd = value
            elif key == "desc":
                match = _DESC_CACHE.match(line)
                if match:
                    name, size, line_size, assoc = match.groups()
                    profile.caches[name] = CacheGeometry(int(size), int(line_size), int(assoc))
            elif key in ("summary", "totals") and profile.events:
                if summary is None or key == "summary":
                    summary = _costs(value.split(), len(profile.events), lineno)
            continue
        raise InputError(f"line {lineno}: not cachegrind/callgrind output: {line[:60]!r}")
    if not profile.events:
        raise InputError("no `events:` line: not cachegrind/callgrind output")
    if summary is None:
        profile.has_summary = False
        summary = [0] * len(profile.events)
        for costs in profile.self_costs.values():
            summary = [a + b for a, b in zip(summary, costs)]
    profile.summary = summary
    return profile


def looks_like_cachegrind(text: str) -> bool:
    head = text[:4096]
    return "events:" in head and ("desc:" in head or "cmd:" in head or "# callgrind format" in head)
