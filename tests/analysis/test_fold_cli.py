"""`mapbench fold`, `mapbench pprof` and `mapbench top` through benchmarks.cli.main."""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from mapbench.analysis.stacks.fold import fold_perf_script
from mapbench.analysis.stacks.folded import decode, read_folded
from mapbench.analysis.stacks.pprof import profile_to_stacks, read_profile
from mapbench.benchmarks.cli import main

_ROOT = Path(__file__).resolve().parents[2]
# The project's own captures (tests/fixtures/record.sh made them; README.md there says how).
FIXTURES = _ROOT / "tests" / "fixtures"
C_SCRIPT = FIXTURES / "perf-script-c.txt"


def feed_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def one_line_error(capsysbinary, command: str) -> str:
    err = capsysbinary.readouterr().err.decode()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mapbench {command}: error: ") and "Traceback" not in err
    return lines[0]


def test_fold_file_to_stdout_equals_the_library(capsysbinary):
    assert main(["fold", str(C_SCRIPT)]) == 0
    out = capsysbinary.readouterr().out
    # period by default, as today's stackcollapse-perf.pl; --weight samples as before it
    assert read_folded(decode(out)) == fold_perf_script(C_SCRIPT.read_bytes(), weight="period")
    assert main(["fold", "--weight", "samples", str(C_SCRIPT)]) == 0
    assert read_folded(decode(capsysbinary.readouterr().out)) == fold_perf_script(C_SCRIPT.read_bytes())


def test_fold_stdin_to_file_with_options(monkeypatch, tmp_path):
    feed_stdin(monkeypatch, C_SCRIPT.read_bytes())
    out = tmp_path / "c.folded"
    assert main(["fold", "-", "-o", str(out), "--tid", "--kernel", "--weight", "period", "--exclude", "^mapiternext$"]) == 0
    stacks = read_folded(out.read_text())
    tid = re.search(rb"^iterate_main +(\d+) ", C_SCRIPT.read_bytes(), re.M)[1].decode()
    assert stacks and all(s.startswith(f"iterate_main-?/{tid};") and ";mapiternext;" not in s + ";"
                          for s in stacks)
    assert all(w % (10**9 // 499) == 0 for w in stacks.values())      # 499 Hz cpu-clock periods


def test_fold_then_top_then_pprof_pipe(monkeypatch, tmp_path, capsysbinary):
    folded = b"prog;main;hash64 6\nprog;main 4\n"
    feed_stdin(monkeypatch, folded)
    assert main(["top", "-", "--sort", "cum", "--nodes", "2"]) == 0
    table = capsysbinary.readouterr().out.decode()
    assert "main" in table and "hash64" not in table
    source = tmp_path / "in.folded"
    source.write_bytes(folded)
    target = tmp_path / "out.pb.gz"
    assert main(["pprof", str(source), "-o", str(target), "--period-ns", "1000"]) == 0
    profile = read_profile(target.read_bytes())
    assert profile_to_stacks(profile) == {"prog;main;hash64": 6, "prog;main": 4}
    assert main(["top", str(target), "--nodes", "1"]) == 0
    assert "hash64" in capsysbinary.readouterr().out.decode()


def test_pprof_of_perf_script_has_cpu_time_from_the_period(tmp_path):
    target = tmp_path / "c.pb.gz"
    assert main(["pprof", str(C_SCRIPT), "-o", str(target)]) == 0
    profile = read_profile(target.read_bytes())
    assert [profile.string_table[t.type] for t in profile.sample_type] == ["samples", "cpu"]
    assert profile.period == 2004008


def test_truncated_perf_script_folds_the_complete_samples_and_says_so(monkeypatch, capsysbinary):
    feed_stdin(monkeypatch, b"prog 1 1.0: 1 cpu-clock:\n\t1 a (/x)\n\nprog 1 1.1: 1 cpu-clock:\n\t1 b (/")
    assert main(["fold"]) == 0
    captured = capsysbinary.readouterr()
    assert captured.out == b"prog;a 1\n" and b"left out" in captured.err


def test_non_utf8_bytes_pass_through_unchanged(monkeypatch, capsysbinary):
    feed_stdin(monkeypatch, b"pr\xf6g 1 1.0: cpu-clock:\n\t1 caf\xe9 (/x)\n\n")
    assert main(["fold", "-"]) == 0
    assert capsysbinary.readouterr().out == b"pr\xf6g;caf\xe9 1\n"


@pytest.mark.parametrize("command", ["fold", "top", "pprof"])
@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (bytes(range(256)) * 4, "binary"),
    (b"this is not a profile\n", "not recognised"),
    (b"a;b 1\nbroken line\n", "line 2"),
    (b"prog 1 1.0: 1 cpu-clock:\n", "no samples"),
])
def test_bad_input_is_one_line_and_exit_2(monkeypatch, capsysbinary, tmp_path, command, data, message):
    feed_stdin(monkeypatch, data)
    extra = ["-o", str(tmp_path / "x.pb.gz")] if command == "pprof" else []
    assert main([command, "-", *extra]) == 2
    assert message in one_line_error(capsysbinary, command)
    assert not (tmp_path / "x.pb.gz").exists()


def test_missing_file_and_bad_regex(capsysbinary, tmp_path):
    assert main(["fold", str(tmp_path / "nope.txt")]) == 2
    assert "no such file" in one_line_error(capsysbinary, "fold")
    source = tmp_path / "in.folded"
    source.write_bytes(b"a;b 1\n")
    assert main(["fold", str(source), "--include", "("]) == 2
    assert "--include" in one_line_error(capsysbinary, "fold")
    assert main(["top", str(source), "--nodes", "0"]) == 2
    assert "--nodes" in one_line_error(capsysbinary, "top")
