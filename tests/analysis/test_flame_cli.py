"""`mapbench flamegraph`: files and pipes in, SVG out, one-line errors for bad input."""
from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mapbench.benchmarks.cli import main

NS = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).resolve().parents[2]
FOLDED = "main;kernel_iterate;mapiternext 80\nmain;kernel_iterate;hash64 20\n"


def frame_names(svg: str) -> set[str]:
    root = ET.fromstring(svg.encode())
    box = next(g for g in root.iter(f"{NS}g") if g.get("id") == "frames")
    return {g.find(f"{NS}title").text.rsplit("\n", 1)[0] for g in box.findall(f"{NS}g")}


def test_file_to_output_file_with_options(tmp_path):
    src = tmp_path / "in.folded"
    src.write_text(FOLDED)
    out = tmp_path / "flame" / "out.svg"
    rc = main(["flamegraph", str(src), "-o", str(out), "--title", "T", "--subtitle", "S",
               "--width", "800", "--inverted", "--count-name", "cycles"])
    assert rc == 0
    svg = out.read_text()
    assert 'width="800"' in svg and "80 cycles, 80.00%" in svg
    assert frame_names(svg) == {"all", "main", "kernel_iterate", "mapiternext", "hash64"}


def test_pipe_stdin_to_stdout_keeps_non_utf8_bytes_representable():
    data = b"main;caf\xe9;mapiternext 3\nmain;ok 1\n"
    proc = subprocess.run([sys.executable, "-m", "mapbench.benchmarks.cli", "flamegraph", "-", "--reverse"],
                          input=data, capture_output=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    names = frame_names(proc.stdout.decode("utf-8"))
    assert "caf\ufffd" in names and "mapiternext" in names


def test_diff_mode_from_the_command_line(tmp_path, capsysbinary):
    base = tmp_path / "base.folded"
    head = tmp_path / "head.folded"
    base.write_text("main;a 50\nmain;b 50\n")
    head.write_text("main;a 90\nmain;b 10\n")
    assert main(["flamegraph", str(head), "--diff", str(base), "--diff-mode", "subtree"]) == 0
    svg = capsysbinary.readouterr().out.decode()
    assert "subtree mode" in svg and "+40.00 points" in svg


@pytest.mark.parametrize("content, message", [
    (b"", "empty input"),
    (b"   \n\n", "empty input"),
    (b"\x00\x01\x02garbage\xff", "binary"),
    (b"main;a 10\nthis line has no count\n", "line 2"),
    (b"main;a 0\n", "no samples"),
])
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, capsys, content, message):
    src = tmp_path / "bad.folded"
    src.write_bytes(content)
    assert main(["flamegraph", str(src)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err


def test_missing_base_file_is_a_clear_error(tmp_path, capsys):
    src = tmp_path / "in.folded"
    src.write_text(FOLDED)
    assert main(["flamegraph", str(src), "--diff", str(tmp_path / "nope.folded")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600)])
def test_output_file_is_as_readable_as_the_umask_says(tmp_path, mask, expected):
    """`mapbench flamegraph -o` in a fresh process whose umask is set before it starts."""
    src = tmp_path / "in.folded"
    src.write_text(FOLDED)
    out = tmp_path / "x.svg"
    subprocess.run([sys.executable, "-m", "mapbench", "flamegraph", str(src), "-o", str(out)],
                   check=True, cwd=tmp_path, preexec_fn=lambda: os.umask(mask))
    assert out.stat().st_mode & 0o777 == expected
