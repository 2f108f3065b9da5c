"""Export records -> Go's benchmark text format, the input of benchstat.

The format is Go proposal 14313 (golang.org/design/14313-benchmark-format), with the
`Unit` metadata lines golang.org/x/perf/benchfmt reads:

    key: value                                   configuration, for every result after it
    Unit instructions/op assume=exact            how benchstat should treat a unit
    BenchmarkName <iterations> <value> <unit> [<value> <unit>...]

A configuration key starts with a lower-case letter and holds no space and no upper-case
letter. A result line splits on white space into an even number (>= 4) of fields; its
name starts with `Benchmark` and an upper-case letter.

Names: `BenchmarkMap/<family>/impl=<impl>/<params>/n=<N>`, the Go peers' own layout
(`BenchmarkMap/iterate/n=1024`, benchmarks/peers/gomap) with the suite's `key=value`
parts kept and `impl=` saying whose code ran (`mapbench`, or a Go version). benchstat
slices on any of them: `benchstat -col /impl x.txt` puts ours and Go's side by side,
one row per `<family>/<params>/n=N` (benchstat leaves the column key out of the row name).

`op` is one element in every unit (see export_records). One result line per pyperf value,
with the benchmark's exact counts and allocations repeated on each (as `go test -benchmem`
repeats B/op); a benchmark with counts but no timings gets one line of counts.
The configuration is written once, at the top: benchstat's default table key is the
configuration, and a change half-way would split ours and Go's into two tables.
"""
from __future__ import annotations

import math
import re

from mapbench import names
from mapbench.analysis.errors import InputError
from mapbench.analysis.exports.export_records import (ALLOC_UNITS, COUNTED_UNITS, TIME_UNIT,
                                                      ExportBenchmark)

PREFIX = "BenchmarkMap"
CONFIG_KEY_RE = re.compile(r"^[a-z][^\sA-Z]*$")
EXACT_UNITS = tuple(COUNTED_UNITS) + ALLOC_UNITS     # counted, not sampled: assume=exact


def go_name(name: str, impl: str) -> str:
    """The benchstat name of a suite benchmark run by `impl`."""
    parsed = names.parse_name(name)
    if parsed is None:
        family, _, rest = name.partition("/")
        parts = [family, f"impl={impl}"] + ([rest] if rest else [])
    else:
        family, params, n = parsed
        parts = [family, f"impl={impl}", *(f"{k}={v}" if v != "" else k for k, v in params), f"n={n}"]
    return re.sub(r"\s", "_", f"{PREFIX}/" + "/".join(parts))


def _number(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _pairs(units: dict[str, float]) -> list[str]:
    return [f"{_number(v)} {u}" for u, v in units.items() if math.isfinite(v)]


def result_lines(bench: ExportBenchmark, counted_elements: int = 1) -> list[str]:
    """One line per timing value (with the exact units on each), else one line of counts."""
    name = go_name(bench.name, bench.impl)
    exact = _pairs({**bench.counts, **bench.allocs})
    lines = [f"{name}\t{max(1, int(n))}\t" + "\t".join([f"{_number(s * 1e9)} {TIME_UNIT}"] + exact)
             for s, n in bench.times if math.isfinite(s)]
    if not lines and exact:
        lines.append(f"{name}\t{max(1, int(counted_elements))}\t" + "\t".join(exact))
    return lines


def config_lines(config: list[tuple[str, str]]) -> list[str]:
    out = []
    for key, value in config:
        if not CONFIG_KEY_RE.match(key):
            raise InputError(f"benchstat configuration key {key!r} must start with a lower-case "
                             "letter and hold no space or upper-case letter")
        out.append(f"{key}: {' '.join(str(value).split())}")
    return out


def render(config: list[tuple[str, str]], benchmarks: list[ExportBenchmark],
           counted_elements: dict[str, int] | None = None) -> str:
    """The whole file: configuration, Unit declarations for the exact units present, results."""
    elements = counted_elements or {}
    present = {u for b in benchmarks for u in (*b.counts, *b.allocs)}
    lines = config_lines(config)
    lines += [f"Unit {u} assume=exact" for u in EXACT_UNITS if u in present]
    for b in benchmarks:
        lines += result_lines(b, elements.get(b.name, 1))
    return "\n".join(lines) + "\n"
