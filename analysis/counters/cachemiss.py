"""Cache-miss summaries from `perf stat -x,` CSV and from cachegrind/callgrind output.

Two sources, never mixed up:

* **perf hardware counter** -- `perf stat -x,` rows (see `man perf-stat`, CSV FORMAT):
  `[time,][cpu,]value,unit,event,[variance%,]run-time,percent-running,[metric,metric-unit]`.
  `value` is a number, `<not supported>` (the CPU or VM does not expose the event) or
  `<not counted>` (it was never scheduled). `percent-running` below 100 means perf
  multiplexed the counter and scaled the count: the row says so.
* **cachegrind simulation** -- valgrind's cachegrind or callgrind with `--cache-sim=yes`:
  deterministic counts from a simulated cache whose geometry (the `desc:` lines) is part
  of every number's source.

A *configuration* is one workload run (op, size, storage, prefetch, ...) with the number of
elements its timed region processed; `config_from_perf` and `config_from_cachegrind` turn a
capture into a JSON-ready dict whose `metrics` are per element and whose `source`/`method`
say where each number came from. `summary_table` renders a list of them as markdown.

Pure transforms only: text in, values and text out; no subprocesses.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from mapbench.analysis.errors import InputError

NOT_SUPPORTED = "<not supported>"
NOT_COUNTED = "<not counted>"

SOURCE_PERF = "perf hardware counter"
SOURCE_CACHEGRIND = "cachegrind simulation"
SOURCE_CALLGRIND = "callgrind simulation"

# Why simulated misses cannot answer "does prefetch hide the misses" (said under every table
# that has simulated rows): valgrind executes software prefetch instructions as no-ops for
# the cache model and models no hardware prefetcher.
SIMULATION_PREFETCH_NOTE = (
    "Simulated counts (cachegrind/callgrind) model no hardware prefetcher and treat software "
    "prefetch instructions as no-ops: they count the misses the demand loads meet, so prefetch "
    "on/off changes the instruction count, not the miss count. Whether prefetch hides the misses' "
    "latency shows in the timings (pyperf) or in hardware counters, not in a simulation.")


# ---------------------------------------------------------------------------------------
# perf stat -x, CSV


@dataclass(frozen=True)
class CounterRow:
    """One `perf stat -x,` row. `value` is None unless `status == "counted"`."""
    event: str
    value: float | None
    unit: str                        # "" for plain counts, "msec" for task-clock, ...
    status: str                      # "counted" | "not supported" | "not counted"
    run_time: int | None = None      # counter run time (ns)
    percent_running: float | None = None   # < 100: multiplexed, value was scaled by perf
    variance_pct: float | None = None      # with `perf stat -r N`
    metric_value: float | None = None
    metric_unit: str = ""

    @property
    def counted(self) -> bool:
        return self.status == "counted"

    @property
    def scaled(self) -> bool:
        return self.counted and self.percent_running is not None and self.percent_running < 100.0


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _is_value(text: str) -> bool:
    return text in (NOT_SUPPORTED, NOT_COUNTED) or _number(text) is not None


def _is_unit(text: str) -> bool:
    return not text.startswith("<") and _number(text) is None


def _is_event(text: str) -> bool:
    return bool(text) and _number(text) is None and not text.startswith("<")


def _parse_counter_line(fields: list[str], lineno: int) -> CounterRow:
    # Optional leading fields (interval time stamp, CPU/core/socket id, aggregate count)
    # come before the value; the value is the first field followed by a unit and an event.
    for start in range(len(fields) - 2):
        if _is_value(fields[start]) and _is_unit(fields[start + 1]) and _is_event(fields[start + 2]):
            break
    else:
        raise InputError(f"line {lineno}: not a `perf stat -x,` row (value,unit,event,...): "
                         f"{','.join(fields)[:80]!r}")
    raw_value, unit, event = fields[start:start + 3]
    rest = fields[start + 3:]
    variance = None
    if rest and rest[0].endswith("%"):
        variance = _number(rest[0][:-1])
        rest = rest[1:]
    run_time = int(_number(rest[0])) if rest and _number(rest[0]) is not None else None
    percent = _number(rest[1]) if len(rest) > 1 else None
    metric_value = _number(rest[2]) if len(rest) > 2 else None
    metric_unit = rest[3].strip() if len(rest) > 3 else ""
    if raw_value == NOT_SUPPORTED:
        status, value = "not supported", None
    elif raw_value == NOT_COUNTED:
        status, value = "not counted", None
    else:
        status, value = "counted", float(raw_value)
    return CounterRow(event=event, value=value, unit=unit.strip(), status=status,
                      run_time=run_time, percent_running=percent, variance_pct=variance,
                      metric_value=metric_value, metric_unit=metric_unit)


def parse_perf_stat_csv(text: str) -> list[CounterRow]:
    """Rows of `perf stat -x,` output; comment (`#`) and blank lines are skipped."""
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        rows.append(_parse_counter_line(line.split(","), lineno))
    if not rows:
        raise InputError("no `perf stat -x,` counter rows in the input")
    return rows


def looks_like_perf_stat(text: str) -> bool:
    """True when the first meaningful line parses as a `perf stat -x,` row."""
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            _parse_counter_line(line.split(","), lineno)
        except InputError:
            return False
        return True
    return False


# ---------------------------------------------------------------------------------------
# cachegrind / callgrind output
#
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


# ---------------------------------------------------------------------------------------
# Per-configuration metrics (JSON-ready dicts)

# metric key -> (column header, what it is)
METRICS = {
    "instructions_per_element": ("instr/elem", "instructions executed per element"),
    "l1d_read_misses_per_element": ("L1d read misses/elem", "L1 data-cache read (load) misses per element"),
    "ll_read_misses_per_element": ("LL read misses/elem", "last-level-cache read (load) misses per element"),
    "l1d_misses_per_element": ("L1d misses/elem", "L1 data-cache misses, reads + writes, per element"),
    "l1d_miss_rate": ("L1d miss rate", "L1d misses / L1d accesses"),
    "ll_miss_rate": ("LL miss rate", "LL data misses / data accesses (global rate)"),
    "cache_misses_per_element": ("cache-misses/elem", "perf's generic cache-misses event per element"),
    "table_lines_per_element": ("table lines/elem", "cache lines the map's buckets (incl. overflow) span, "
                                "per entry: one pass's streaming minimum, computed from map.stats() and "
                                "layout(), not measured"),
}

CACHEGRIND_EVENTS = ("Ir", "Dr", "Dw", "D1mr", "D1mw", "DLmr", "DLmw")


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


def cachegrind_costs(profile: CachegrindProfile, functions: list[str] | None = None,
                     inclusive: bool = False) -> dict[str, int]:
    """Event totals: the whole program, or the summed costs of `functions`.

    With `inclusive` (callgrind only) each function counts with all it calls."""
    if functions is None:
        vector = profile.summary
    else:
        vector = [0] * len(profile.events)
        for name in functions:
            costs = profile.inclusive(name) if inclusive else profile.self_costs.get(name)
            if costs:
                vector = [a + b for a, b in zip(vector, costs)]
    return {event: vector[i] for i, event in enumerate(profile.events)}


def metrics_from_cachegrind_costs(costs: dict[str, int], elements: int) -> dict[str, float | None]:
    missing = [e for e in CACHEGRIND_EVENTS if e not in costs]
    if missing:
        raise InputError(f"cache events missing ({' '.join(missing)}): run with --cache-sim=yes")
    if elements <= 0:
        raise InputError("elements must be positive to give per-element numbers")
    accesses = costs["Dr"] + costs["Dw"]
    l1d = costs["D1mr"] + costs["D1mw"]
    ll = costs["DLmr"] + costs["DLmw"]
    return {
        "instructions_per_element": costs["Ir"] / elements,
        "l1d_read_misses_per_element": costs["D1mr"] / elements,
        "ll_read_misses_per_element": costs["DLmr"] / elements,
        "l1d_misses_per_element": l1d / elements,
        "l1d_miss_rate": _ratio(l1d, accesses),
        "ll_miss_rate": _ratio(ll, accesses),
        "cache_misses_per_element": None,
    }


def metrics_from_perf(rows: list[CounterRow], elements: int) -> tuple[dict[str, float | None], list[str]]:
    """Per-element metrics from perf counters, and a note per counter that gave no number."""
    if elements <= 0:
        raise InputError("elements must be positive to give per-element numbers")
    values: dict[str, float] = {}
    notes = []
    for row in rows:
        if row.counted:
            values[row.event] = row.value  # type: ignore[assignment]
            if row.scaled:
                notes.append(f"{row.event}: counted {row.percent_running:.2f}% of the time, scaled by perf")
        else:
            notes.append(f"{row.event}: {row.status}")

    def per(event: str) -> float | None:
        v = values.get(event)
        return None if v is None else v / elements

    return {
        "instructions_per_element": per("instructions"),
        "l1d_read_misses_per_element": per("L1-dcache-load-misses"),
        "ll_read_misses_per_element": per("LLC-load-misses"),
        "l1d_misses_per_element": None,
        "l1d_miss_rate": _ratio(values.get("L1-dcache-load-misses"), values.get("L1-dcache-loads")),
        "ll_miss_rate": _ratio(values.get("LLC-load-misses"), values.get("LLC-loads")),
        "cache_misses_per_element": per("cache-misses"),
    }, notes


def subtract_costs(long: dict[str, int], short: dict[str, int]) -> dict[str, int]:
    """Costs of the extra work of the longer run: cancels set-up common to both runs."""
    return {k: long[k] - short.get(k, 0) for k in long}


def config_from_perf(config: dict, rows: list[CounterRow], elements: int,
                     method: str = "whole workload process (set-up included)") -> dict:
    metrics, notes = metrics_from_perf(rows, elements)
    counted = any(r.counted and r.event not in ("task-clock", "cpu-clock") for r in rows)
    return {**config, "elements": elements, "source": SOURCE_PERF,
            "source_detail": "perf stat -x, " + ",".join(r.event for r in rows),
            "method": method, "metrics": metrics, "notes": notes,
            "hardware_counters": counted,
            "counters": [{"event": r.event, "value": r.value, "unit": r.unit, "status": r.status,
                          "percent_running": r.percent_running} for r in rows]}


def config_from_cachegrind(config: dict, profile: CachegrindProfile, elements: int,
                           functions: list[str] | None = None, inclusive: bool = False,
                           method: str | None = None, attribution_limit: int = 8,
                           attribution_functions: list[str] | None = None) -> dict:
    costs = cachegrind_costs(profile, functions, inclusive)
    if method is None:
        if functions is None:
            method = "whole program (set-up included)"
        else:
            kind = "inclusive" if inclusive else "self"
            method = f"{kind} costs of {', '.join(functions)} only (set-up excluded)"
    return {**config, "elements": elements, "source": profile.source().split(" (")[0],
            "source_detail": profile.source(), "method": method,
            "metrics": metrics_from_cachegrind_costs(costs, elements), "notes": [],
            "costs": costs, "functions": function_attribution(profile, elements, limit=attribution_limit,
                                                               functions=attribution_functions),
            "attribution_scope": "whole process" if attribution_functions is None else "map code only"}


def function_attribution(profile: CachegrindProfile, elements: int, limit: int = 8,
                         event: str = "D1mr", functions: list[str] | None = None) -> list[dict]:
    """Functions (all, or those in `functions`) with the most `event` (self cost), with their
    misses per element; shares are of the whole program's `event`."""
    i = profile.index(event)
    total = profile.summary[i] or 1
    pool = profile.self_costs if functions is None else [f for f in functions if f in profile.self_costs]
    names = sorted(pool, key=lambda f: (-profile.self_costs[f][i], f))[:limit]
    out = []
    for name in names:
        costs = dict(zip(profile.events, profile.self_costs[name]))
        if costs[event] == 0:
            break
        out.append({"function": name, "file": profile.files.get(name, ""), "Ir": costs.get("Ir", 0),
                    "D1 read misses": costs.get("D1mr", 0), "LL read misses": costs.get("DLmr", 0),
                    "D1 read misses/elem": costs.get("D1mr", 0) / elements if elements else None,
                    f"share of {event}": costs[event] / total})
    return out


# ---------------------------------------------------------------------------------------
# Rendering


def format_bytes(n: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


def _fmt(value: float | None, rate: bool = False) -> str:
    if value is None:
        return "n/a"
    if rate:
        return f"{value * 100:.2f}%"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.4f}"


TABLE_METRICS = ("instructions_per_element", "l1d_read_misses_per_element",
                 "ll_read_misses_per_element", "l1d_miss_rate", "ll_miss_rate",
                 "cache_misses_per_element", "table_lines_per_element")


def config_label(config: dict) -> str:
    if config.get("name"):
        return str(config["name"])
    parts = [str(config.get("op", "?"))]
    for key in ("n", "storage", "prefetch", "layer"):
        if key in config:
            parts.append(f"{key}={config[key]}")
    return " ".join(parts)


def summary_table(configs: list[dict]) -> str:
    """Markdown: one row per configuration, per-element numbers, each row's source; footnotes
    give each source's detail (cache geometry or counters) and how set-up cost was handled."""
    if not configs:
        return "_no cache-miss measurements_\n"
    shown = [m for m in TABLE_METRICS if any(c["metrics"].get(m) is not None for c in configs)]
    header = ["configuration", "elements"] + [METRICS[m][0] for m in shown] + ["source"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(shown) + 1) + ["---"]) + "|"]
    footnotes: list[str] = []
    for config in configs:
        note = f"{config['source_detail']}; {config['method']}"
        if note not in footnotes:
            footnotes.append(note)
        mark = footnotes.index(note) + 1
        cells = [config_label(config), f"{config['elements']:,}"]
        cells += [_fmt(config["metrics"].get(m), rate=m.endswith("rate")) for m in shown]
        cells.append(f"{config['source']} [{mark}]")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for i, note in enumerate(footnotes, 1):
        lines.append(f"[{i}] {note}")
    if any(c["source"] in (SOURCE_CACHEGRIND, SOURCE_CALLGRIND) for c in configs):
        lines += ["", SIMULATION_PREFETCH_NOTE]
    notes = sorted({n for c in configs for n in c.get("notes", [])})
    if notes:
        lines.append("")
        lines.append("Counters that gave no number or were scaled: " + "; ".join(notes))
    lines.append("")
    lines.append("Columns: " + "; ".join(f"{METRICS[m][0]} = {METRICS[m][1]}" for m in shown) + ".")
    return "\n".join(lines) + "\n"


def attribution_table(config: dict) -> str:
    rows = config.get("functions") or []
    if not rows:
        return ""
    lines = [f"Per-function attribution, {config_label(config)} ({config['source_detail']}; self costs, "
             f"{config.get('attribution_scope', 'whole process')}; share = of the whole process's D1 read misses):",
             "",
             "| function | Ir | D1 read misses | LL read misses | share of D1 read misses |",
             "|---|---:|---:|---:|---:|"]
    for r in rows:
        share = next((v for k, v in r.items() if k.startswith("share of")), None)
        lines.append(f"| {r['function']} | {r['Ir']:,} | {r['D1 read misses']:,} | {r['LL read misses']:,} "
                     f"| {_fmt(share, rate=True)} |")
    return "\n".join(lines) + "\n"


def plot_misses_per_element(configs: list[dict], metric: str = "l1d_read_misses_per_element",
                            title: str = "Cache misses per element vs map size") -> str:
    """An SVG line plot of `metric` against size, one line per variant (op, storage, prefetch)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    series: dict[str, list[tuple[int, float]]] = {}
    sources = set()
    for c in configs:
        value = c["metrics"].get(metric)
        if value is None or "n" not in c:
            continue
        key = " ".join(f"{k}={c[k]}" for k in ("op", "storage", "prefetch", "layer") if k in c)
        series.setdefault(key, []).append((int(c["n"]), value))
        sources.add(c["source_detail"])
    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    for key in sorted(series):
        points = sorted(series[key])
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=key)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("map size (entries)")
    ax.set_ylabel(METRICS[metric][0])
    ax.set_title(title)
    if series:
        ax.legend(fontsize=7)
    fig.text(0.01, 0.01, "source: " + "; ".join(sorted(sources))[:160], fontsize=6)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


# ---------------------------------------------------------------------------------------
# Callgrind call paths -> folded stacks weighted by a cache event


def callgrind_stacks(profile: CachegrindProfile, event: str = "D1mr", min_fraction: float = 1e-4,
                     max_depth: int = 64, roots: list[str] | None = None) -> dict[str, int]:
    """Folded stacks (root first) whose weights are `event` counts, from callgrind's call graph.

    Callgrind keeps costs per caller->callee edge, not per full call path, so the paths are
    rebuilt from the roots down by the gprof assumption: a function's inclusive cost splits
    over its callees in the same proportions whatever called it (exact for functions with a
    single caller, such as the map kernels and their helpers; an estimate elsewhere). Then
    each function's paths are scaled so they sum to its own (self) cost exactly, which undoes
    the double counting callgrind's cycles (e.g. `(below main)`) bring in. Branches under
    `min_fraction` of the total and recursive re-entries are not expanded; a function reached
    by none of the kept paths shows under `[path not rebuilt]`.

    With `roots`, only the subtrees of those functions are shown (each root at its inclusive
    cost; e.g. the cffi wrapper of a kernel), which skips the interpreter's recursive frames
    where the proportional assumption is weakest."""
    i = profile.index(event)
    own = {f: c[i] for f, c in profile.self_costs.items()}
    inclusive = dict(own)
    callees: dict[str, list[tuple[str, int]]] = {}
    called: set[str] = set()
    for (caller, callee), cost in profile.calls.items():
        inclusive[caller] = inclusive.get(caller, 0) + cost[i]
        callees.setdefault(caller, []).append((callee, cost[i]))
        if caller != callee:
            called.add(callee)
    total = sum(own.values())
    if total <= 0:
        return {}
    floor = total * min_fraction
    paths: dict[tuple[str, ...], float] = {}

    def expand(path: tuple[str, ...], weight: float) -> None:
        function = path[-1]
        whole = inclusive.get(function, 0)
        if whole <= 0:
            return
        scale = weight / whole
        if own.get(function):
            paths[path] = paths.get(path, 0.0) + own[function] * scale
        if len(path) >= max_depth:
            return
        for callee, cost in sorted(callees.get(function, ())):
            share = cost * scale
            if share >= floor and callee not in path:
                expand(path + (callee,), share)

    if roots is not None:
        floor = sum(inclusive.get(r, 0) for r in roots) * min_fraction
        for root in roots:
            expand((root,), inclusive.get(root, 0))
        out_subtree: dict[str, int] = {}
        for path, weight in paths.items():
            if round(weight) > 0:
                out_subtree[";".join(path)] = round(weight)
        return out_subtree
    for root in sorted(f for f in inclusive if f not in called and inclusive[f] > 0):
        expand((root,), inclusive[root])
    reached: dict[str, float] = {}
    for path, weight in paths.items():
        reached[path[-1]] = reached.get(path[-1], 0.0) + weight
    out: dict[str, int] = {}
    for path, weight in paths.items():
        value = round(weight * own[path[-1]] / reached[path[-1]])
        if value > 0:
            key = ";".join(path)
            out[key] = out.get(key, 0) + value
    for function, cost in own.items():
        if cost > 0 and function not in reached:
            key = f"[path not rebuilt];{function}"
            out[key] = out.get(key, 0) + cost
    return out
