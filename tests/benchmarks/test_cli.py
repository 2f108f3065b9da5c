"""The mapbench entry point: help lists the commands, errors are one line, never a traceback."""
import subprocess
import sys

import re

import pytest

from mapbench.benchmarks import cli


def test_help_lists_commands_that_exist(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "usage: mapbench" in out
    subparsers = next(a for a in cli.build_parser()._actions if a.choices and a.dest == "command")
    names = list(subparsers.choices)
    assert len(names) >= len(cli.SUBCOMMAND_MODULES)      # every module registered its command
    for name in names:
        assert re.search(rf"^\s+{re.escape(name)}\s", out, re.M), f"--help does not list {name}"


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([])
    assert exc.value.code == 2
    assert "required" in capsys.readouterr().err


def test_console_module_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mapbench.benchmarks.cli", "--help"],
                            capture_output=True, text=True, cwd=tmp_path,
                            env={"PYTHONPATH": str(__import__("pathlib").Path(cli.__file__).parents[1]),
                                 "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
