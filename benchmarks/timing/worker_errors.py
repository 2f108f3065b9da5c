"""What a failed worker process said: its own exception lines, not only pyperf's wrapper.

pyperf ends a failed worker's output with its own "worker failed with exit code" line; the
worker's exception (a benchmark's error) comes before it. Every reader of worker output
(bench's run engine, calibrate) reads it here.
"""
from __future__ import annotations

import re

EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt)(: .*)?$")
WRAPPER = "failed with exit code"       # pyperf's own line about the worker


def exception_lines(output: str) -> list[str]:
    """Every distinct exception line of the output, in order, the wrapper's last."""
    found = []
    for line in output.strip().splitlines():
        line = line.strip()
        if EXCEPTION_LINE.match(line) and line not in found:
            found.append(line)
    return sorted(found, key=lambda line: WRAPPER in line)


def first_error(output: str) -> str:
    """The worker's own first exception line, else the last line of its output."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    found = exception_lines(output)
    return found[0] if found else (lines[-1] if lines else "no output")


def failure_detail(output: str, tail: int = 4) -> str:
    """Up to three exception lines (the worker's own first), else the last lines, indented."""
    found = exception_lines(output)
    shown = found[:3] if found else output.strip().splitlines()[-tail:]
    return "\n".join("      " + line for line in shown)
