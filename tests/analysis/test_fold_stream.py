"""perf script text folded as it streams (stdin): same result as the whole file, nothing
written until the end, and the same one-line errors.

`mapbench fold -` reads stdin in blocks (analysis/commands/fold.py) and feeds whole lines
to the folder (fold_perf_stream), so memory follows the distinct stacks, not the text.
"""
from __future__ import annotations

import io
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mapbench.analysis.stacks.fold_perf import fold_perf_script_detailed, fold_perf_stream
from mapbench.analysis.stacks.folded import decode, read_folded
from mapbench.benchmarks.cli import main
from mapbench.native.perf_folder import PerfFolder

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CAPTURES = ["perf-script-c.txt", "perf-script-python-cffi.txt"]


def cut_anywhere(data: bytes, seed: int):
    rng = random.Random(seed)
    at = 0
    while at < len(data):
        size = rng.choice([1, 2, 7, 100, 4096, 65536])
        yield data[at:at + size]
        at += size


@pytest.mark.parametrize("engine", [PerfFolder, None], ids=["C", "Python"])
@pytest.mark.parametrize("name", CAPTURES)
def test_blocks_cut_anywhere_fold_as_the_whole_text(name, engine):
    data = (FIXTURES / name).read_bytes()
    for cut in (0, 13):  # whole, and stopping inside the last sample
        text = data[:len(data) - cut]
        whole = fold_perf_script_detailed(text, engine=None, tid=True, kernel=True, weight="period")
        streamed = fold_perf_stream(cut_anywhere(text, seed=cut), engine=engine, tid=True, kernel=True,
                                    weight="period")
        assert streamed == whole


def test_stdin_folds_as_the_file(monkeypatch, capsysbinary):
    data = (FIXTURES / "perf-script-python-cffi.txt").read_bytes()
    assert main(["fold", "--pid", str(FIXTURES / "perf-script-python-cffi.txt")]) == 0
    from_file = capsysbinary.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["fold", "--pid", "-"]) == 0
    assert capsysbinary.readouterr().out == from_file and read_folded(decode(from_file))


def test_stdin_past_max_input_is_one_line(monkeypatch, capsysbinary):
    data = (FIXTURES / "perf-script-c.txt").read_bytes() * 40
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    monkeypatch.setattr("mapbench.analysis.commands.fold._STDIN_BLOCK", 4096)
    assert main(["fold", "--max-input", "100KB", "-"]) == 2
    err = capsysbinary.readouterr().err.decode().strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mapbench fold: error: stdin") and "Traceback" not in err[0]


def test_stdin_with_a_period_past_64_bits_is_one_line(monkeypatch, capsysbinary):
    """The one case a stream cannot hand to Python (a file can: test_fold_native)."""
    text = b"walk 12 1.0: " + b"9" * 30 + b" cpu-clock:\n\t10c0 main+0x5 (/bin/walk)\n\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    assert main(["fold", "-"]) == 2
    err = capsysbinary.readouterr().err.decode().strip().splitlines()
    assert err == ["mapbench fold: error: stdin: a sample period does not fit in 64 bits; "
                   "fold the text from a file instead"]


def test_a_fold_killed_halfway_leaves_no_output_file(tmp_path):
    """Half the text sent, the fold waiting for the rest, then SIGKILL: no -o file at all."""
    data = (FIXTURES / "perf-script-c.txt").read_bytes()
    out = tmp_path / "cpu.folded"
    fold = subprocess.Popen([sys.executable, "-m", "mapbench", "fold", "-", "-o", str(out)],
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    fold.stdin.write(data[:len(data) // 2])
    fold.stdin.flush()
    # Wait (at most a minute) until the child has read that half and waits for more.
    for _ in range(6000):
        if fold.poll() is not None or _pipe_drained(fold):
            break
        time.sleep(0.01)
    assert fold.poll() is None  # still folding: the kill lands halfway
    fold.send_signal(signal.SIGKILL)
    fold.wait()
    assert fold.returncode == -signal.SIGKILL
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary beside it


def _pipe_drained(process) -> bool:
    """True when nothing is left unread in the child's stdin pipe (Linux FIONREAD)."""
    import fcntl
    import struct
    import termios
    pending = fcntl.ioctl(process.stdin.fileno(), termios.FIONREAD, struct.pack("i", 0))
    return struct.unpack("i", pending)[0] == 0
