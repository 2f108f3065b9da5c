"""callgrind dumps -> self cost per (function, source file, source line): the per-line data.

The callgrind format (https://valgrind.org/docs/manual/cl-format.html), as the count pass's
dumps write it (--dump-line=yes, valgrind's default; --compress-strings and --compress-pos
on, also the defaults):

    events: Ir Dr Dw ...
    fl=(3) /path/of/the/function's/file.c     a function's own file; "(3)" names it from now on
    fn=(7) mapiternext                        a function; later "fn=(7)" alone refers to it
    fi=(4) /path/of/inlined/code.h            cost lines below come from another file
    fe=(3)                                    ... and back (fi= and fe= mean the same)
    123 5 2 0                                 a cost line: position, then costs in events order
    +2 1                                      position relative to the previous one; costs
                                              left out at the end are zero
    * 4                                       the same position again
    cfn=(9) other                             a call: cfn=/cfi=/cfl= name the callee,
    calls=10 45                               calls=COUNT TARGET-POSITION, and the next cost
    +1 900 ...                                line is the call's INCLUSIVE cost at the call
                                              site: never a self cost of the caller's line

The names of files (fl fi fe cfi cfl) share one id space, those of functions (fn cfn)
another, those of objects (ob cob) a third. The positions of the cost line after calls=
take part in relative positions like any cost line (callgrind's dump.c keeps one "last
position"); the TARGET position of calls= does not. Line 0 is callgrind's "no line
information" (code without debug info).

Invariant, checked by `parse_lines`: the sum of the self costs over all (fn, file, line)
equals the dump's `totals:` line when it has one (InputError otherwise: a truncated or
misparsed dump never yields per-line numbers that do not add up).

Pure: text in, dicts out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from mapbench.analysis.errors import InputError

_NAME = re.compile(r"^\((\d+)\)(?: (.*))?$")
_SPACE = {"fl": "file", "fi": "file", "fe": "file", "cfi": "file", "cfl": "file",
          "fn": "fn", "cfn": "fn", "ob": "ob", "cob": "ob"}
NO_LINE = 0               # callgrind's position for code without line information


@dataclass(frozen=True)
class LineKey:
    fn: str               # the function the cost was charged to (inlined code: its caller)
    file: str             # the file the line is in (as the debug info names it)
    line: int             # 0: no line information
    fn_file: str          # the function's own file (fl=): inlined when file differs

    @property
    def inlined(self) -> bool:
        return self.file != self.fn_file


@dataclass
class LineCosts:
    events: list[str]
    costs: dict[LineKey, list[int]] = field(default_factory=dict)
    totals: list[int] | None = None     # the dump's totals: line, when it has one
    trigger: str | None = None

    def sums(self) -> list[int]:
        out = [0] * len(self.events)
        for values in self.costs.values():
            for i, v in enumerate(values):
                out[i] += v
        return out


def _name(value: str, space: str, table: dict) -> str:
    """Resolve callgrind's name compression: "(id) name" defines, "(id)" refers."""
    m = _NAME.match(value)
    if not m:
        return value
    key = (space, m[1])
    if m[2] is not None:
        table[key] = m[2]
        return m[2]
    if key not in table:
        raise InputError(f"callgrind dump: name ({m[1]}) used before it is defined")
    return table[key]


def _position(token: str, last: int) -> int:
    if token == "*":
        return last
    if token[0] in "+-":
        return last + int(token)
    return int(token, 0)


def parse_lines(text: str) -> LineCosts:
    """One callgrind dump -> self costs per (fn, file, line). InputError when it is not a
    callgrind dump, or its lines do not add up to its totals."""
    names: dict[tuple[str, str], str] = {}
    events: list[str] | None = None
    positions = ["line"]
    result: LineCosts | None = None
    fn = fn_file = cur_file = "???"
    last = [0, 0]                        # last position per positions column
    after_call = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        head = line[0]
        if head.isdigit() or head in "+-*":
            if result is None:
                raise InputError("callgrind dump: a cost line before the 'events:' line")
            tokens = line.split()
            npos = len(positions)
            pos = [_position(tokens[i], last[i]) for i in range(npos)]
            last[:npos] = pos
            if after_call:               # the call's inclusive cost: not this line's own
                after_call = False
                continue
            where = pos[positions.index("line")] if "line" in positions else NO_LINE
            key = LineKey(fn, cur_file, where, fn_file)
            slot = result.costs.setdefault(key, [0] * len(events))
            for i, v in enumerate(tokens[npos:npos + len(events)]):
                slot[i] += int(v)
            continue
        key_part, sep, value = line.partition("=")
        if sep and key_part in _SPACE:
            resolved = _name(value.strip(), _SPACE[key_part], names)
            if key_part == "fl":
                fn_file = cur_file = resolved
            elif key_part in ("fi", "fe"):
                cur_file = resolved
            elif key_part == "fn":
                fn = resolved
                cur_file = fn_file
            continue
        if line.startswith("calls="):
            after_call = True
        elif line.startswith("events:"):
            events = line.split()[1:]
            result = LineCosts(events)
        elif line.startswith("positions:"):
            positions = line.split()[1:] or ["line"]
            last = [0] * len(positions)
        elif line.startswith("totals:") and result is not None:
            values = [int(v) for v in line.split()[1:]]
            result.totals = values + [0] * (len(result.events) - len(values))
        elif line.startswith("desc: Trigger:") and result is not None:
            result.trigger = line.split(":", 2)[2].strip()
        elif line.startswith("desc: Trigger:"):
            pass
    if result is None:
        raise InputError("not a callgrind dump (no 'events:' line)")
    if result.totals is not None and result.sums() != result.totals[:len(result.events)]:
        raise InputError("callgrind dump: the per-line self costs do not add up to its "
                         "'totals:' line (a truncated file?)")
    return result


def repo_relative(path: str, marker: str = "native/src/") -> str | None:
    """The repository-relative path of a native source file ("native/src/classic/iter.c")
    from whatever path the debug info holds (absolute, or relative to the build folder);
    None for a file outside the native module's own sources (libc, CPython, headers of
    the system)."""
    at = path.replace("\\", "/").rfind(marker)
    return path[at:] if at >= 0 else None


# The compiler's intrinsic headers (emmintrin.h, ...): code inlined from them keeps its own
# row, named "<compiler>/emmintrin.h", so a vector load is not lost in "no line info".
INTRINSIC_HEADER = re.compile(r"[a-z0-9]*intrin\.h$")
COMPILER_HEADER = "<compiler>/"


def per_element_rows(costs: LineCosts, elements: int, keep_events: list[str],
                     marker: str = "native/src/") -> tuple[list[dict], dict[str, float]]:
    """Rows of lines.json.gz for one benchmark: each native source line's self costs per
    element, plus one row per function ("file": its own file or the raw path, "line": 0)
    for costs without a native line (no line info, or code of another library charged to
    a frame: libc's memset called from inside the timed region has its own function).
    The rows add up to the totals returned beside them (every cost of the dump lands in
    exactly one row)."""
    if elements <= 0:
        raise InputError("a counted benchmark processed no elements")
    index = [costs.events.index(e) if e in costs.events else None for e in keep_events]
    rows: dict[tuple, dict] = {}
    for key, values in costs.costs.items():
        rel = repo_relative(key.file, marker)
        intrinsic = rel is None and key.line != NO_LINE and INTRINSIC_HEADER.search(key.file)
        if rel is not None and key.line != NO_LINE:
            ident = (key.fn, rel, key.line)
            row = rows.setdefault(ident, {"fn": key.fn, "file": rel, "line": key.line,
                                          "inlined": key.inlined})
        elif intrinsic:              # an SSE/AVX intrinsic inlined from the compiler's header
            name = f"{COMPILER_HEADER}{intrinsic.group(0)}"
            ident = (key.fn, name, key.line)
            row = rows.setdefault(ident, {"fn": key.fn, "file": name, "line": key.line,
                                          "inlined": True, "intrinsic": True,
                                          "fn_file": repo_relative(key.fn_file, marker) or key.fn_file})
        else:                        # one synthetic row per function: no native line
            own = repo_relative(key.fn_file, marker) or key.fn_file
            ident = (key.fn, own, NO_LINE)
            row = rows.setdefault(ident, {"fn": key.fn, "file": own, "line": NO_LINE,
                                          "inlined": False, "no_line_info": True})
        for name, i in zip(keep_events, index):
            row[name] = row.get(name, 0) + (values[i] if i is not None else 0)
    totals = {name: 0 for name in keep_events}
    out = []
    for ident in sorted(rows, key=lambda k: (k[1], k[2], k[0])):
        row = rows[ident]
        for name in keep_events:
            totals[name] += row[name]
            row[name] = row[name] / elements
        out.append(row)
    return out, {name: v / elements for name, v in totals.items()}
