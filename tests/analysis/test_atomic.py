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


@pytest.fixture
def umask():
    """Set the process umask for one test; restore it afterwards."""
    saved = os.umask(0o022)
    yield os.umask
    os.umask(saved)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_gets_the_mode_plain_open_gives(tmp_path, umask, mask, expected):
    umask(mask)
    write_atomic(tmp_path / "new.html", "x")
    with open(tmp_path / "plain.html", "w") as plain:
        plain.write("x")
    mode = (tmp_path / "new.html").stat().st_mode & 0o777
    assert mode == expected
    assert mode == (tmp_path / "plain.html").stat().st_mode & 0o777


def test_existing_file_keeps_its_mode_like_plain_open(tmp_path, umask):
    umask(0o022)
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640
