"""pprof profile.proto output, read back with the protobuf library."""
from __future__ import annotations

import gzip

import pytest
from hypothesis import given, strategies as st

from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.pprof import build_profile, profile_to_stacks, read_profile, split_frame

STACKS = {"prog;main (drive.py:10);f (drive.py:5)": 3, "prog;main (drive.py:10)": 2, "prog;main (drive.py:11);f (drive.py:5)": 1}


def strings_of(profile, values):
    return [profile.string_table[v] for v in values]


def test_sample_types_count_first_then_cpu_when_the_period_is_known():
    profile = read_profile(build_profile(STACKS, period_ns=2_004_008))
    assert [strings_of(profile, (t.type, t.unit)) for t in profile.sample_type] == [["samples", "count"], ["cpu", "nanoseconds"]]
    assert strings_of(profile, (profile.period_type.type, profile.period_type.unit)) == ["cpu", "nanoseconds"]
    assert profile.period == 2_004_008
    assert sorted(tuple(s.value) for s in profile.sample) == [(1, 2_004_008), (2, 4_008_016), (3, 6_012_024)]


def test_without_a_period_there_is_only_the_count():
    profile = read_profile(build_profile(STACKS))
    assert len(profile.sample_type) == 1 and profile.string_table[0] == ""


def test_functions_carry_file_and_line_and_locations_are_shared():
    profile = read_profile(build_profile(STACKS))
    table = profile.string_table
    functions = {f.id: (table[f.name], table[f.filename]) for f in profile.function}
    assert sorted(functions.values()) == [("f", "drive.py"), ("main", "drive.py"), ("prog", "")]
    lines = sorted((functions[loc.line[0].function_id][0], loc.line[0].line) for loc in profile.location)
    assert lines == [("f", 5), ("main", 10), ("main", 11), ("prog", 0)]
    assert len(set(table)) == len(table)


def test_leaf_is_first_and_the_stacks_read_back_equal():
    profile = read_profile(build_profile({"a;b;c": 4}))
    (sample,) = profile.sample
    names = {f.id: profile.string_table[f.name] for f in profile.function}
    by_location = {loc.id: names[loc.line[0].function_id] for loc in profile.location}
    assert [by_location[i] for i in sample.location_id] == ["c", "b", "a"]


frames = st.text("abcdef_<>:. ()0123456789", min_size=1, max_size=10)
profiles = st.dictionaries(st.lists(frames, min_size=1, max_size=5).map(";".join), st.integers(1, 10**9), max_size=15)


@given(profiles)
def test_round_trip_keeps_total_and_is_byte_reproducible(stacks):
    data = build_profile(stacks, period_ns=10)
    assert data == build_profile(stacks, period_ns=10)
    back = profile_to_stacks(read_profile(data))
    assert sum(back.values()) == sum(stacks.values())
    assert sorted(s.count(";") for s in back) == sorted(s.count(";") for s in stacks)


def test_extra_sample_types_hold_their_own_values():
    data = build_profile({"walk;main;chase": 10}, sample_type=("Ir", "count"),
                         extra_sample_types={"D1mr": {"walk;main;chase": 7}, ("DLmr", "count"): {"walk;main": 2}})
    profile = read_profile(data)
    assert [profile.string_table[t.type] for t in profile.sample_type] == ["Ir", "D1mr", "DLmr"]
    assert sorted(tuple(s.value) for s in profile.sample) == [(0, 0, 2), (10, 7, 0)]


def test_non_utf8_names_do_not_break_the_profile():
    data = build_profile({"caf\udce9;x": 1})
    assert "caf\ufffd" in read_profile(data).string_table


@pytest.mark.parametrize("frame, parts", [("main (drive.py:10)", ("main", "drive.py", 10)),
                                          ("kernel_sum (_kdemo.c:587)", ("kernel_sum", "_kdemo.c", 587)),
                                          ("0x7f7b (libc.so.6)", ("0x7f7b", "libc.so.6", 0)),
                                          ("chase", ("chase", "", 0)), ("f(int)", ("f(int)", "", 0))])
def test_split_frame(frame, parts):
    assert split_frame(frame) == parts


def test_garbage_is_not_a_profile():
    with pytest.raises(InputError, match="not a pprof profile"):
        read_profile(gzip.compress(b"\xff\xff\xff\xff"))
    for bad in (-1, 0, float("nan"), "10"):
        with pytest.raises(InputError, match="period"):
            build_profile(STACKS, period_ns=bad)


def test_a_fractional_period_is_rounded_to_whole_nanoseconds():
    assert read_profile(build_profile(STACKS, period_ns=2004008.4)).period == 2004008
