"""Atomic writes: whole file or the old one, never a temp file left behind."""
import os

import pytest

from mapbench.analysis.atomic import write_atomic


def test_writes_text_and_bytes_and_creates_folders(tmp_path):
    target = tmp_path / "a" / "b" / "f.txt"
    write_atomic(target, "héllo")
    assert target.read_text(encoding="utf-8") == "héllo"
    write_atomic(target, b"\xff\x00")
    assert target.read_bytes() == b"\xff\x00"
    assert os.listdir(target.parent) == ["f.txt"]


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")

    class Boom:  # not str/bytes: the write fails before the rename
        pass

    with pytest.raises(TypeError):
        write_atomic(target, Boom())  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_text_from_non_utf8_bytes_is_written_back_byte_for_byte(tmp_path):
    raw = b"caf\xe9;main 3\n"
    write_atomic(tmp_path / "f.folded", raw.decode("utf-8", "surrogateescape"))
    assert (tmp_path / "f.folded").read_bytes() == raw
