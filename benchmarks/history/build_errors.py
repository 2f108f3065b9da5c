"""The one line of a failed pip build that says what went wrong.

pip wraps a build backend's output in a box and ends with its own advice:

      ╰─> [14 lines of output]
          ...the backend's (setuptools, gcc, cffi) output...
          error: invalid command 'bdist_wheel'
          [end of output]
      note: This is an issue with the package mentioned above, not pip.
      hint: See above for details.

The line that matters is the backend's first error inside the box (a compiler's
`file.c:12:5: error: ...`, distutils' `error: ...`, a Python `SomethingError: ...`), not
pip's closing lines. Without a box (pip's own failures: no matching distribution, no
network) it is pip's first `ERROR:` line. Older pips that print no box still get the
backend's first error line, then the last line as a last resort.
"""
from __future__ import annotations

import re

BOX_START = re.compile(r"\[\d+ lines? of output\]\s*$")
BOX_END = "[end of output]"
# `file.c:1:23: error:`, `fatal error:`, `error: ...`, `error[E0425]:` -- but not `-Werror`.
TOOL_ERROR = re.compile(r"(?i)(?:^|[\s:])(?:fatal )?error(?:\[\w+\])?:")
# A Python exception line at the end of a traceback: `ModuleNotFoundError: ...`.
PYTHON_ERROR = re.compile(r"^[\w.]*(?:Error|Exception)\b(?::|$)")
# pip's own summaries of a subprocess failure: they say where, not what.
PIP_GENERIC = re.compile(r"^(?:error: [a-z-]+$|ERROR: Failed building wheel|ERROR: Failed to build"
                         r"|ERROR: Could not build wheels)")
MAX_CHARS = 400


def _is_error(line: str) -> bool:
    return bool(TOOL_ERROR.search(line) or PYTHON_ERROR.match(line))


def _box(lines: list[str]) -> list[str]:
    """The lines of pip's first backend-output box, or [] where there is none."""
    for start, line in enumerate(lines):
        if BOX_START.search(line):
            body = []
            for inner in lines[start + 1:]:
                if inner == BOX_END:
                    break
                body.append(inner)
            return body
    return []


def first_error(output: str) -> str:
    """The error line that matters in pip's combined output; "no output" for none."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        return "no output"
    box = _box(lines)
    if box:
        found = next((line for line in box if _is_error(line)), box[-1])
    else:
        pip_errors = [line for line in lines if line.startswith("ERROR:") and not PIP_GENERIC.match(line)]
        if pip_errors:
            found = pip_errors[0][len("ERROR:"):].strip()
        else:
            found = next((line for line in lines if _is_error(line) and not PIP_GENERIC.match(line)),
                         lines[-1])
    return found if len(found) <= MAX_CHARS else found[:MAX_CHARS - 3] + "..."
