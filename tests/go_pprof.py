"""Run the real `go tool pprof` on a profile our code wrote, and read its `-list` output.

Tests that use it skip with the reason where `go` is missing (Debian: apt install golang-go).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

GO = shutil.which("go")
# `-list` rows: flat, cum, `NNN:` and the code; "." where a value is zero.
_ROW = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\d+):(.*)$")


def need_go() -> str:
    if GO is None:
        pytest.skip("needs the go toolchain for `go tool pprof` (apt install golang-go)")
    return GO


def pprof(*args: str, cwd: Path, home: Path) -> str:
    """stdout of `go tool pprof ARGS` run in `cwd`; a non-zero exit fails the test with stderr."""
    env = {**os.environ, "HOME": str(home), "GOCACHE": str(home / "gocache"), "PPROF_TMPDIR": str(home)}
    done = subprocess.run([need_go(), "tool", "pprof", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def listed_lines(text: str) -> dict[int, tuple[str, str, str]]:
    """{line number: (flat, cum, code)} of every row `-list` printed with a non-zero flat value."""
    out = {}
    for row in text.splitlines():
        match = _ROW.match(row)
        if match and match.group(1) != ".":
            out[int(match.group(3))] = (match.group(1), match.group(2), match.group(4))
    return out
