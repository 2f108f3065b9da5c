"""The count pass's per-line costs (one benchmark of lines.json.gz) to a pprof profile.

Input: one benchmark entry of lines.json.gz (schema 1, documented in profiles/README.md):
    {"elements": int, "totals": {EVENT: per element},
     "lines": [{"fn", "file", "line", "inlined", EVENT: per element, ...}]}
plus the file's "sources" ({file: text}, for the functions' start lines) and "source".

Output: sample types, each a count over the whole timed region (the per-element value
times `elements`, rounded; the profile's comments say so and give `elements`, so per
element is value / elements):
    instructions   Ir
    d1_misses      D1mr + D1mw   (simulated L1 data cache, reads and writes)
    ll_misses      DLmr + DLmw   (the count pass's pinned last-level model, not this machine's LLC)
    branch_misses  Bcm           (conditional branches mispredicted, callgrind's predictor)
One sample per (function, file, line), its one Location keyed by those three and no
address (the data has none), in a mapping named after the native module, so
`go tool pprof -list mapiternext` prints per-line values and `-diff_base` subtracts the
same line of two commits. A line marked inlined stays with the function the table names
for it (callgrind -g attributes inlined code to the line it came from).
"""
from __future__ import annotations

from collections.abc import Mapping

from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.pprof_lines import Frame, Sample, SourceLine, build_line_profile, start_lines

MODULE = "_mapbench_native (count pass, callgrind)"
# (sample type, unit, the per-line events summed into it)
SAMPLE_TYPES = (
    ("instructions", "count", ("Ir",)),
    ("d1_misses", "count", ("D1mr", "D1mw")),
    ("ll_misses", "count", ("DLmr", "DLmw")),
    ("branch_misses", "count", ("Bcm",)),
)


def _number(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def line_profile(bench: str, entry: Mapping, *, sources: Mapping[str, str] | None = None,
                 source: str = "callgrind, timed region only") -> bytes:
    """Gzipped profile.proto of one benchmark's per-line table (see the module docstring)."""
    if not isinstance(entry, Mapping) or not isinstance(entry.get("lines"), list):
        raise InputError(f"{bench}: no per-line table (lines) in this benchmark's entry")
    elements = entry.get("elements")
    if isinstance(elements, bool) or not isinstance(elements, int) or elements <= 0:
        raise InputError(f"{bench}: elements must be a positive integer, not {elements!r}")
    rows = []
    for row in entry["lines"]:
        if not isinstance(row, Mapping) or not isinstance(row.get("fn"), str):
            raise InputError(f"{bench}: a per-line row without a function name: {row!r}")
        line = row.get("line")
        line = line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else 0
        rows.append((SourceLine(row["fn"], str(row.get("file") or ""), line), row))
    starts = start_lines((line for line, _ in rows), sources or {})

    samples = []
    for line, row in rows:
        line = SourceLine(line.function, line.file, line.line, starts.get((line.function, line.file), 0))
        values = tuple(round(sum(_number(row.get(event)) for event in events) * elements)
                       for _, _, events in SAMPLE_TYPES)
        samples.append(Sample((Frame(MODULE, 0, (line,)),), values))
    comments = (
        f"mapbench count pass: {bench}; source: {source}",
        f"values are totals over the timed region: per element x {elements} elements "
        f"(divide by {elements} for per element)",
        "instructions = Ir; d1_misses = D1mr + D1mw; ll_misses = DLmr + DLmw "
        "(LL is the count pass's pinned cache model, not this machine's LLC); branch_misses = Bcm",
    )
    return build_line_profile(samples, [(kind, unit) for kind, unit, _ in SAMPLE_TYPES], comments=comments)


def benchmark_entry(doc: Mapping, bench: str) -> Mapping:
    """One benchmark's entry of a lines.json.gz document; InputError naming the ones there are."""
    benches = doc.get("benchmarks") if isinstance(doc, Mapping) else None
    if not isinstance(benches, Mapping) or not benches:
        raise InputError("the per-line data holds no benchmarks")
    if bench not in benches:
        some = ", ".join(sorted(benches)[:5])
        raise InputError(f"no per-line data for benchmark {bench!r}; there is data for: {some}"
                         + (" ..." if len(benches) > 5 else ""))
    return benches[bench]
