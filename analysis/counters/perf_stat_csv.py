"""`perf stat -x,` CSV rows, parsed (see `man perf-stat`, CSV FORMAT):

    [time,][cpu,]value,unit,event,[variance%,]run-time,percent-running,[metric,metric-unit]

`value` is a number, `<not supported>` (the CPU or VM does not expose the event) or
`<not counted>` (it was never scheduled). `percent-running` below 100 means perf
multiplexed the counter and scaled the count: the row says so. Pure: text in, rows out.
"""
from __future__ import annotations

from dataclasses import dataclass

from mapbench.analysis.errors import InputError

NOT_SUPPORTED = "<not supported>"
NOT_COUNTED = "<not counted>"


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
