"""Where a change in counts comes from: the per-line costs of one benchmark in two runs, matched.

Input: two lines.json.gz documents (schema in profiles/README.md; per element, callgrind
simulation of the timed region) and a benchmark both have. Lines are matched across the
two commits by function and source text, not by line number, so an edit above a line
does not break the match:

  - per function, each run's costed lines in source order (file, line), each keyed by
    (file, the line's text with whitespace collapsed); the two key sequences are aligned
    as `diff` aligns lines (difflib.SequenceMatcher, no junk heuristic), so duplicate
    texts within a function match in order;
  - an aligned pair is "same" (equal text) or "changed" (a replaced block: the i-th line
    removed pairs with the i-th line added, as a diff shows an edited line); what is left
    over is "removed" (base only) or "added" (head only);
  - a line whose source text is not stored is keyed by its file:line instead;
  - the synthetic rows without line information (line 0) match by function.

Invariant: every row of either run lands in exactly one LineDelta, so the deltas of a
benchmark add up to the difference of its totals; `residual` is what is left (float
rounding, or rows whose totals disagree with their own sum in a corrupted file) and is
always stated.

Pure: dicts in, dataclasses out.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
MISS_GROUPS = {"D1": ("D1mr", "D1mw"), "LL": ("DLmr", "DLmw")}


def metric_value(row: dict | None, metric: str) -> float:
    """Ir, Dr, ... or D1 / LL (read + write misses) of a row; 0 for a missing row."""
    if row is None:
        return 0.0
    keys = MISS_GROUPS.get(metric, (metric,))
    return float(sum(row.get(k, 0.0) or 0.0 for k in keys))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def source_line(sources: dict, file: str, line: int) -> str | None:
    text = sources.get(file)
    if text is None or line <= 0:
        return None
    lines = text.splitlines()
    return lines[line - 1] if line <= len(lines) else None


@dataclass
class LineDelta:
    fn: str
    status: str                       # same | changed | added | removed
    base: dict | None                 # the base run's row (None: added)
    head: dict | None                 # the head run's row (None: removed)
    base_text: str | None = None
    head_text: str | None = None

    def delta(self, metric: str = "Ir") -> float:
        return metric_value(self.head, metric) - metric_value(self.base, metric)

    @property
    def row(self) -> dict:
        return self.head or self.base

    @property
    def where(self) -> str:
        r = self.row
        return f"{r['file']}:{r['line']}" if r["line"] else f"{r['file']} (no line info)"

    @property
    def text(self) -> str | None:
        return self.head_text if self.head_text is not None else self.base_text


@dataclass
class BenchLineDelta:
    name: str
    base_totals: dict
    head_totals: dict
    lines: list[LineDelta] = field(default_factory=list)

    def total_delta(self, metric: str = "Ir") -> float:
        return metric_value(self.head_totals, metric) - metric_value(self.base_totals, metric)

    def residual(self, metric: str = "Ir") -> float:
        return self.total_delta(metric) - sum(d.delta(metric) for d in self.lines)

    def changed(self, metrics=("Ir", "D1", "LL", "Bcm")) -> bool:
        return any(self.total_delta(m) != 0 for m in metrics)

    def top(self, metric: str = "Ir", limit: int | None = 10) -> list[LineDelta]:
        moved = [d for d in self.lines if d.delta(metric) != 0]
        moved.sort(key=lambda d: (-abs(d.delta(metric)), d.where))
        return moved if limit is None else moved[:limit]

    def by_function(self, metric: str = "Ir") -> list[tuple[str, float]]:
        out: dict[str, float] = {}
        for d in self.lines:
            out[d.fn] = out.get(d.fn, 0.0) + d.delta(metric)
        return sorted(((fn, v) for fn, v in out.items() if v != 0), key=lambda x: -abs(x[1]))


def _keyed(rows: list[dict], sources: dict) -> list[tuple[tuple, dict, str | None]]:
    out = []
    for row in sorted(rows, key=lambda r: (r["file"], r["line"])):
        text = source_line(sources, row["file"], row["line"])
        if row["line"] == 0:
            key = (row["file"], "<no line info>")
        elif text is None:
            key = (row["file"], f"<line {row['line']}>")
        else:
            key = (row["file"], normalise(text))
        out.append((key, row, text))
    return out


def match_function(fn: str, base_rows: list[dict], head_rows: list[dict], base_sources: dict,
                   head_sources: dict) -> list[LineDelta]:
    a, b = _keyed(base_rows, base_sources), _keyed(head_rows, head_sources)
    matcher = difflib.SequenceMatcher(None, [k for k, _, _ in a], [k for k, _, _ in b],
                                      autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [LineDelta(fn, SAME, a[i][1], b[j][1], a[i][2], b[j][2])
                    for i, j in zip(range(i1, i2), range(j1, j2))]
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        out += [LineDelta(fn, CHANGED, a[i1 + k][1], b[j1 + k][1], a[i1 + k][2], b[j1 + k][2])
                for k in range(pairs)]
        out += [LineDelta(fn, REMOVED, a[i][1], None, a[i][2], None) for i in range(i1 + pairs, i2)]
        out += [LineDelta(fn, ADDED, None, b[j][1], None, b[j][2]) for j in range(j1 + pairs, j2)]
    return out


def bench_delta(name: str, base_doc: dict, head_doc: dict) -> BenchLineDelta | None:
    """The matched lines of benchmark `name`, or None when one of the runs lacks it."""
    be, he = (base_doc.get("benchmarks") or {}).get(name), (head_doc.get("benchmarks") or {}).get(name)
    if be is None or he is None:
        return None
    base_src, head_src = base_doc.get("sources") or {}, head_doc.get("sources") or {}
    by_fn: dict[str, tuple[list, list]] = {}
    for row in be.get("lines") or []:
        by_fn.setdefault(row["fn"], ([], []))[0].append(row)
    for row in he.get("lines") or []:
        by_fn.setdefault(row["fn"], ([], []))[1].append(row)
    out = BenchLineDelta(name, be.get("totals") or {}, he.get("totals") or {})
    for fn in sorted(by_fn):
        out.lines += match_function(fn, *by_fn[fn], base_src, head_src)
    return out


def changed_benchmarks(base_doc: dict, head_doc: dict) -> list[BenchLineDelta]:
    """bench_delta of every benchmark both runs have whose totals differ, in name order."""
    names = sorted(set(base_doc.get("benchmarks") or {}) & set(head_doc.get("benchmarks") or {}))
    found = [bench_delta(n, base_doc, head_doc) for n in names]
    return [d for d in found if d is not None and d.changed()]
