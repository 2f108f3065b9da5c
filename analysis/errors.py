"""The one exception type that means "the input or the request is wrong".

Commands turn it into a one-line message and a non-zero exit; anything else that
escapes is a bug in mapbench, not in the user's input.
"""


class InputError(Exception):
    """Bad input or a request that cannot be met; the message is shown as is."""


class WriteError(OSError):
    """A file of the store could not be written (read-only folder, full disk, quota).

    Raised by `atomic.write_atomic` with the path and the system's reason; the file it
    was replacing is left as it was. Commands show it as one line and exit 1."""

    def __init__(self, path, reason: str):
        super().__init__(f"cannot write {path}: {reason}")
        self.path = str(path)
        self.reason = reason


class StoreBusy(Exception):
    """Another process writes the folder; the message names it. Shown as one line, exit 1.

    Raised by benchmarks/store/lock.py; defined here, with the other errors the CLI shows
    as one line, so that the CLI need not import the lock (and its socket, json and
    pathlib) for commands that never take it."""
