"""py-spy raw and speedscope folding, format detection, and the include/exclude filters."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.fold import detect_format, filter_stacks, fold_any, fold_pyspy_raw, fold_speedscope

_ROOT = Path(__file__).resolve().parents[2]
# The project's own captures (tests/fixtures/record.sh made them; README.md there says how).
FIXTURES = _ROOT / "tests" / "fixtures"
PYTHON_ITERATION = re.compile(r"Workload\.step \([^)]*workload\.py:\d+\);MapIterator\.__next__ \([^)]*hashmap\.py:\d+\)")


def raw_total(data: bytes) -> int:
    """The samples py-spy wrote: the count at the end of each raw line, added up."""
    return sum(int(line.rsplit(b" ", 1)[1]) for line in data.splitlines() if line.strip())


def test_pyspy_raw_fixture_keeps_python_frames_with_file_and_line():
    data = (FIXTURES / "pyspy-raw.txt").read_bytes()
    stacks = fold_pyspy_raw(data)
    assert sum(stacks.values()) == raw_total(data)
    assert any(PYTHON_ITERATION.search(stack) and stack.endswith(")") for stack in stacks)


def test_pyspy_native_fixture_has_c_frames_under_python_frames():
    data = (FIXTURES / "pyspy-native-raw.txt").read_bytes()
    stacks = fold_pyspy_raw(data)
    assert sum(stacks.values()) == raw_total(data)
    into_c = [s for s in stacks if PYTHON_ITERATION.search(s) and ";_cffi_f_mapiter_step (" in s]
    assert any(re.search(r";mapiter_step \(iter\.c:\d+\);mapiternext\w* \(iter\.c:\d+\)", s) for s in into_c)
    # unnamed native frames keep their module but lose the ASLR address
    assert b"0x7f" in data and not any(re.search(r"\b0x[0-9a-f]{6,}", s) for s in stacks)


def test_pyspy_thread_roots_and_empty_stacks_are_kept():
    raw = b'process 12:"python x.py";thread (0x7F01);main (x.py:3) 4\n 2\nthread (0x7F02) 1\n'
    assert fold_pyspy_raw(raw) == {'process 12:"python x.py";thread (0x7F01);main (x.py:3)': 4,
                                   "": 2, "thread (0x7F02)": 1}


def test_pyspy_raw_bad_line_is_an_input_error():
    with pytest.raises(InputError, match="py-spy raw: line 1"):
        fold_pyspy_raw(b"main (x.py:3)\n")


def test_speedscope_fixture_counts_every_sample_once():
    data = (FIXTURES / "pyspy-speedscope.json").read_bytes()
    document = json.loads(data)
    stacks = fold_speedscope(data)
    assert sum(stacks.values()) == sum(len(p["samples"]) for p in document["profiles"])
    assert any(PYTHON_ITERATION.search(stack) for stack in stacks)


def speedscope(profiles, frames=({"name": "a"}, {"name": "b", "file": "f.py", "line": 3})) -> bytes:
    return json.dumps({"shared": {"frames": list(frames)}, "profiles": profiles}).encode()


def test_speedscope_evented_profile_weighs_time_on_top_in_nanoseconds():
    events = [{"type": "O", "at": 0, "frame": 0}, {"type": "O", "at": 1, "frame": 1},
              {"type": "C", "at": 3, "frame": 1}, {"type": "C", "at": 4, "frame": 0}]
    data = speedscope([{"type": "evented", "name": "t", "unit": "milliseconds", "events": events}])
    assert fold_speedscope(data) == {"a": 2_000_000, "a;b (f.py:3)": 2_000_000}


def test_speedscope_roots_name_each_profile():
    data = speedscope([{"type": "sampled", "name": "T1", "samples": [[0, 1]], "weights": [1]},
                       {"type": "sampled", "name": "T2", "samples": [[0]], "weights": [1]}])
    assert fold_speedscope(data, roots=True) == {"T1;a;b (f.py:3)": 1, "T2;a": 1}


@pytest.mark.parametrize("data", [b"{", b"[]", b'{"profiles": []}', speedscope([{"type": "sampled", "samples": [[5]]}]),
                                  speedscope([{"type": "sampled", "samples": [[-1]]}]),
                                  speedscope([{"type": "weird"}])])
def test_bad_speedscope_is_an_input_error(data):
    with pytest.raises(InputError, match="speedscope"):
        fold_speedscope(data)


@pytest.mark.parametrize("name, fmt", [("perf-script-c.txt", "perf"), ("perf-script-python-cffi.txt", "perf"),
                                       ("pyspy-raw.txt", "folded"), ("pyspy-native-raw.txt", "folded"),
                                       ("pyspy-speedscope.json", "speedscope")])
def test_format_detection_on_the_captures(name, fmt):
    assert detect_format((FIXTURES / name).read_bytes()) == fmt


@pytest.mark.parametrize("data, message", [(b"", "empty"), (b"  \n", "empty"), (b"\x00\x01\x02garbage", "binary"),
                                           (b"hello world\n", "not recognised"), (b'{"a": 1}', "JSON")])
def test_detection_rejects_what_it_cannot_fold(data, message):
    with pytest.raises(InputError, match=message):
        fold_any(data)


STACKS = {"p;main;hash64": 5, "p;main;mapiternext": 3, "p;gc": 2}


def test_include_keeps_stacks_with_a_matching_frame():
    assert filter_stacks(STACKS, include="^main$") == {"p;main;hash64": 5, "p;main;mapiternext": 3}


def test_exclude_drops_stacks_with_a_matching_frame():
    assert filter_stacks(STACKS, exclude="iter") == {"p;main;hash64": 5, "p;gc": 2}


def test_bad_regex_is_an_input_error():
    with pytest.raises(InputError, match="--include"):
        filter_stacks(STACKS, include="(")


@given(st.dictionaries(st.text("abc;", min_size=1, max_size=8), st.integers(1, 100)), st.sampled_from("abc"))
def test_include_and_exclude_split_the_total(stacks, letter):
    kept = filter_stacks(stacks, include=letter)
    dropped = filter_stacks(stacks, exclude=letter)
    assert sum(kept.values()) + sum(dropped.values()) == sum(stacks.values())
    assert kept.keys().isdisjoint(dropped.keys())


def test_unnamed_native_frames_lose_their_aslr_address_so_runs_line_up():
    run1 = b"0x7ff23a64524a (libc.so.6);main (w.py:1);kernel (k.c:3) 4\n"
    run2 = b"0x7f11f804524a (libc.so.6);main (w.py:1);kernel (k.c:3) 6\n"
    assert fold_pyspy_raw(run1).keys() == fold_pyspy_raw(run2).keys() == {
        "[unknown] (libc.so.6);main (w.py:1);kernel (k.c:3)"}
    # two unnamed addresses of one library in one stack set merge; thread ids are kept
    merged = fold_pyspy_raw(b"thread (0x7F12);0xdead (libfoo.so) 3\nthread (0x7F12);0xbeef (libfoo.so) 2\n")
    assert merged == {"thread (0x7F12);[unknown] (libfoo.so)": 5}
