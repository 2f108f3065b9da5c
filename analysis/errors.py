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
