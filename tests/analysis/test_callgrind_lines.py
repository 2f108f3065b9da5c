"""The per-line parser of callgrind dumps (mapbench.analysis.counters.callgrind_lines), on
real count-pass dumps (tests/fixtures/counts/README.md) and on hand-made ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from mapbench.analysis.counters import callgrind_lines as cl
from mapbench.analysis.counters import counts
from mapbench.analysis.errors import InputError

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "counts"
EVENTS = ["Ir", "Dr", "Dw", "D1mr", "D1mw", "DLmr", "DLmw", "Bc", "Bcm"]


@pytest.mark.parametrize("name", ["callgrind-lines-iterate.out", "callgrind-lines-c0d2bd4.out",
                                  "callgrind-lines-c0d2bd4-parent.out",
                                  "callgrind-lines-iterate-uncompressed.out"])
def test_lines_add_up_to_the_dump_totals_and_to_counts_json(name):
    text = (FIX / name).read_text()
    parsed = cl.parse_lines(text)
    assert parsed.totals is not None and parsed.sums() == parsed.totals
    rows, totals = cl.per_element_rows(parsed, 16384, EVENTS)
    # counts.json's per-element numbers of the same dump are the per-line totals
    expected = counts.per_element(counts.parse_dump(text)["events"], 16384)
    for event in EVENTS:
        assert totals[event] == pytest.approx(expected[event], rel=1e-12)
        assert sum(r[event] for r in rows) == pytest.approx(totals[event], rel=1e-12)
    native = [r for r in rows if r["line"] and not r.get("intrinsic")]
    assert native and all(r["file"].startswith("native/src/") for r in native)
    # the vector loads inlined from the compiler's header keep rows of their own, in the
    # function that inlined them (the classic map's SSE2 tophash loads)
    vector = [r for r in rows if r.get("intrinsic")]
    assert vector and all(r["file"] == "<compiler>/emmintrin.h" and r["line"] > 0 for r in vector)
    assert {r["fn_file"] for r in vector} == {"native/src/classic/iter.c"}
    # the full traversal's own loop is charged to the kernel and its inlined iterator
    assert any(r["inlined"] and r["file"] == "native/src/classic/iter_next.h" for r in native)
    assert any(not r["inlined"] and r["file"] == "native/src/classic/kernels.c" for r in native)


def test_compressed_and_uncompressed_dumps_give_the_same_lines():
    """--compress-strings/--compress-pos change only the spelling: the same run's lines
    match, except the few instructions of the client request that toggles collection
    (count_region.h), which callgrind charges to its start or end line by a hair."""
    a = cl.parse_lines((FIX / "callgrind-lines-iterate.out").read_text())
    b = cl.parse_lines((FIX / "callgrind-lines-iterate-uncompressed.out").read_text())
    keys = {k for k in set(a.costs) | set(b.costs) if not k.file.endswith("count_region.h")}
    assert len(keys) > 100
    assert {k: a.costs.get(k) for k in keys} == {k: b.costs.get(k) for k in keys}
    assert a.totals == b.totals


HAND = """\
events: Ir Dr
fl=(1) /x/native/src/classic/iter.c
fn=(1) walker
10 5 1
+2 3
fi=(2) /x/native/src/classic/iter_next.h
40 7 2
fe=(1)
-1 1
cfi=(1)
cfn=(2) callee
calls=3 100
* 1000 500
+1 2
fn=(2)
100 4
fl=(3) /usr/lib/libc.so
fn=(3) memset
0 9 9
totals: 1027 512
"""


def test_hand_made_dump_relative_positions_inlining_and_calls():
    """A calls= line's next cost line is the callee's inclusive cost, not the caller's:
    with it counted the totals would not match, so parse_lines would refuse the dump."""
    parsed = cl.parse_lines(HAND.replace("1027 512", str(5 + 3 + 7 + 1 + 2 + 4 + 9) + " 12"))
    got = {(k.fn, k.file.rsplit("/", 1)[1], k.line, k.inlined): v[0] for k, v in parsed.costs.items()}
    assert got == {("walker", "iter.c", 10, False): 5, ("walker", "iter.c", 12, False): 3,
                   ("walker", "iter_next.h", 40, True): 7, ("walker", "iter.c", 39, False): 1,
                   ("walker", "iter.c", 40, False): 2, ("callee", "iter.c", 100, False): 4,
                   ("memset", "libc.so", 0, False): 9}
    rows, totals = cl.per_element_rows(parsed, 1, ["Ir"])
    assert {(r["fn"], r["line"]) for r in rows if r.get("no_line_info")} == {("memset", 0)}
    assert totals["Ir"] == sum(r["Ir"] for r in rows) == 31


def test_a_dump_whose_lines_do_not_add_up_is_refused():
    with pytest.raises(InputError, match="do not add up"):
        cl.parse_lines(HAND)          # its totals count the call's inclusive cost
    with pytest.raises(InputError, match="not a callgrind dump"):
        cl.parse_lines("hello\n")
