"""Matching per-line costs across two commits (mapbench.analysis.stats.line_delta): by
function and source text, not line number; deltas add up to the benchmark's delta."""
from __future__ import annotations

from pathlib import Path

import pytest

from mapbench.analysis.counters import callgrind_lines as cl
from mapbench.analysis.render import line_listing
from mapbench.analysis.stats import line_delta as ld

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "counts"
EVENTS = ["Ir", "Dr", "Dw", "D1mr", "D1mw", "DLmr", "DLmw", "Bc", "Bcm"]
KERNELS = "native/src/classic/kernels.c"
BENCH = "iterate/storage=stack/prefetch=0/n=1024"


def doc_of(dump: str, kernels: str) -> dict:
    rows, totals = cl.per_element_rows(cl.parse_lines((FIX / dump).read_text()), 16384, EVENTS)
    return {"benchmarks": {BENCH: {"elements": 16384, "totals": totals, "lines": rows}},
            "sources": {KERNELS: (FIX / kernels).read_text()}}


def test_c0d2bd4_names_the_loop_condition_line():
    """c0d2bd4 changed the full traversal's loop condition in kernels.c (and moved it down
    two lines): the matched lines name it, and they add up to the benchmark's delta."""
    base = doc_of("callgrind-lines-c0d2bd4-parent.out", "kernels-c0d2bd4-parent.c")
    head = doc_of("callgrind-lines-c0d2bd4.out", "kernels-c0d2bd4.c")
    (bd,) = ld.changed_benchmarks(base, head)
    total = bd.total_delta("Ir")
    assert -2.5 < total < -1.5                       # the issue's ~-2 instructions/element
    assert abs(sum(d.delta("Ir") for d in bd.lines) - total) <= 0.005 * abs(total)
    assert abs(bd.residual("Ir")) < 1e-9
    top = bd.top("Ir", 3)
    loop = [d for d in top if d.row["file"] == KERNELS]
    assert loop, [d.where for d in top]
    (d,) = loop
    assert d.status == ld.CHANGED and "n < limit" in d.base_text and "limited" in d.head_text
    assert d.base["line"] != d.head["line"]           # the edit above moved it
    assert d.delta("Ir") < -0.5
    text = line_listing.delta_text(bd)
    assert f"{KERNELS}:{d.base['line']}->{d.head['line']}" in text and "residual" in text
    # every other kernels.c line that kept its text matched, though it moved
    moved = [x for x in bd.lines if x.status == ld.SAME and x.row["file"] == KERNELS
             and x.base["line"] != x.head["line"]]
    assert moved


def row(fn, line, ir, file="f.c"):
    return {"fn": fn, "file": file, "line": line, "inlined": False, "Ir": ir}


def toy(rows, src):
    return {"benchmarks": {"b": {"totals": {"Ir": sum(r["Ir"] for r in rows)}, "lines": rows}},
            "sources": {"f.c": src}}


def test_toy_edits_shift_add_remove_and_duplicates():
    base_src = "int f() {\n  x++;\n  y++;\n  x++;\n  old();\n}\n"
    head_src = "// a comment above\nint f() {\n  x++;\n  y++;\n  new();\n  x++;\n}\n"
    base = toy([row("f", 2, 1.0), row("f", 3, 2.0), row("f", 4, 3.0), row("f", 5, 4.0),
                row("g", 0, 0.5)], base_src)
    head = toy([row("f", 3, 1.0), row("f", 4, 2.5), row("f", 5, 7.0), row("f", 6, 3.0),
                row("h", 0, 0.25)], head_src)
    bd = ld.bench_delta("b", base, head)
    by = {(d.status, (d.base or {}).get("line"), (d.head or {}).get("line")): d.delta() for d in bd.lines}
    assert by[(ld.SAME, 2, 3)] == 0                    # x++ (first) matched across the shift
    assert by[(ld.SAME, 3, 4)] == 0.5                  # y++
    assert by[(ld.SAME, 4, 6)] == 0                    # x++ (second): duplicates in order
    assert by[(ld.REMOVED, 5, None)] == -4.0           # old();
    assert by[(ld.ADDED, None, 5)] == 7.0              # new();
    assert by[(ld.REMOVED, 0, None)] == -0.5 and by[(ld.ADDED, None, 0)] == 0.25
    assert sum(d.delta() for d in bd.lines) == pytest.approx(bd.total_delta()) == 3.25
    assert bd.residual() == pytest.approx(0)
    assert [d.status for d in bd.top(limit=2)] == [ld.ADDED, ld.REMOVED]


def test_a_replaced_line_pairs_as_changed_and_missing_text_keys_by_line():
    base = toy([row("f", 1, 2.0), row("f", 2, 1.0)], "a = 1;\nb = 2;\n")
    head = toy([row("f", 1, 2.0), row("f", 2, 3.0)], "a = 1;\nb = 3;\n")
    bd = ld.bench_delta("b", base, head)
    assert [(d.status, d.delta()) for d in bd.lines] == [(ld.SAME, 0), (ld.CHANGED, 2.0)]
    base["sources"], head["sources"] = {}, {}
    bd = ld.bench_delta("b", base, head)
    assert [d.status for d in bd.lines] == [ld.SAME, ld.SAME]
    md = line_listing.where_markdown([bd])
    assert "f.c:2" in md and "source text not stored" in md
