"""callgrind's collection switched around the kernels' timed regions (the count pass).

Under `valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no`, a count pass
runs, per benchmark::

    with instrumented():          # simulate caches and branches from here (warm-up too)
        kernel(...)               # warm-up: simulated, not collected
        with armed():             # each timed region of the kernels toggles collection
            kernel(...)
        dump(name)                # one callgrind dump file per benchmark

Outside valgrind every call here does nothing (a client request is a few no-op
instructions); `running_on_valgrind()` says which case this is.
"""
from contextlib import contextmanager

from ._ffi import lib


def running_on_valgrind():
    """How many valgrinds deep this process runs (0: natively)."""
    return int(lib.count_running_on_valgrind())


@contextmanager
def instrumented():
    lib.count_set_instrumented(True)
    try:
        yield
    finally:
        lib.count_set_instrumented(False)


@contextmanager
def armed():
    lib.count_set_armed(True)
    try:
        yield
    finally:
        lib.count_set_armed(False)


def dump(name):
    """Write the events collected since the last dump, labelled `name` (ASCII, no newline)."""
    text = str(name)
    if "\n" in text or not text.isascii():
        raise ValueError("a dump label is one line of ASCII")
    lib.count_dump(text.encode("ascii"))
