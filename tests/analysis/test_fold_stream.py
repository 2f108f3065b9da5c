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


def _mapping_rss_kib(path: Path) -> int:
    """Resident KiB of this process's mappings of `path` (/proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if line[:1] in "0123456789abcdef" and "-" in line.split()[0]:
            inside = line.rstrip().endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux /proc/self/smaps")
def test_a_mapped_input_is_never_resident_beyond_a_few_slices(tmp_path):
    """A file folds through an mmap slice by slice, each slice's pages given back after it:
    after the last slice, the mapping holds about one slice, whatever the file's length.
    The kernel maps up to 64 KiB of cached pages around each fault ("fault-around"), so
    reading a slice maps the tail of the one before again; giving back only from the
    slice's own start once left ~10 KiB a slice resident (16 MiB on this 64 MB file)."""
    import mmap
    from mapbench.analysis.stacks import fold_perf
    sample = (b"python 1234/1234 1.000001: 250000 cpu-clock:u:\n"
              + b"".join(b"\t    7f00%08x frame_%d+0x1 (/usr/lib/libx.so)\n" % (i, i) for i in range(20))
              + b"\n")
    path = tmp_path / "perf.txt"
    with path.open("wb") as out:
        for _ in range(64 * 1024 * 1024 // (len(sample) * 1024) + 1):
            out.write(sample * 1024)
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        slices = 0
        for start, end in fold_perf._spans(data):
            data[start:end:4096]              # read every page of the slice, as a fold does
            slices += 1
        resident = _mapping_rss_kib(path)
    assert slices > 200
    assert resident <= 2 * fold_perf._CHUNK_BYTES // 1024 + 256, resident
