"""The folded-stack format: reading, writing, and the lossless byte round trip."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.folded import decode, encode_folded, format_folded, read_folded, total_weight

frame = st.text(st.characters(blacklist_characters=";\n\r", blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s[:1] != "#")
stack = st.lists(frame, min_size=1, max_size=6).map(";".join)
profiles = st.dictionaries(stack, st.integers(min_value=1, max_value=10**12), max_size=20)


@given(profiles)
def test_format_then_read_gives_the_same_profile(stacks):
    assert read_folded(format_folded(stacks)) == stacks


@given(profiles)
def test_format_writes_one_sorted_line_per_stack(stacks):
    lines = format_folded(stacks).split("\n")[:-1]
    assert len(lines) == len(stacks)
    keys = [line.rsplit(" ", 1)[0].encode("utf-8", "surrogateescape") for line in lines]
    assert keys == sorted(keys)


def test_equal_stacks_add_up_and_zero_weights_are_left_out():
    assert read_folded("a;b 2\na;b 3\nc 0\n") == {"a;b": 5}


def test_comments_blank_lines_and_crlf_are_skipped():
    assert read_folded("# weight: samples\n\na;b 2\r\n   \n") == {"a;b": 2}


def test_frames_may_hold_spaces_and_the_weight_is_the_last_field():
    assert read_folded("<module> (drive.py:14);main (drive.py:10) 7\n") == {"<module> (drive.py:14);main (drive.py:10)": 7}


def test_a_stack_with_no_frames_is_the_empty_stack():
    stacks = read_folded(" 5\na 1\n")
    assert stacks == {"": 5, "a": 1}
    assert total_weight(stacks) == 6


@pytest.mark.parametrize("line", ["a;b", "a;b x", "a;b -3", "a;b 1.5", "a;b ١٢"])
def test_malformed_lines_raise_input_error_with_the_line_number(line):
    with pytest.raises(InputError, match="line 2"):
        read_folded("ok 1\n" + line + "\n")


@given(st.binary(max_size=200))
def test_non_utf8_bytes_survive_decode_and_encode(raw):
    assert encode_folded(decode(raw)) == raw


def test_non_utf8_frame_round_trips_byte_for_byte():
    raw = b"prog;caf\xe9;\xff\xfe 3\n"
    assert encode_folded(format_folded(read_folded(decode(raw)))) == raw
