"""The compiled module and its error codes.

``mapbench.native._mapbench_native`` is the cffi API-mode extension built from native/src by
``pip install .``. Every call into it releases the GIL, so the Python wrappers
serialise access to a map with a lock; the native misuse detection (Go's hashWriting
checks) is turned into RuntimeError here.
"""

try:
    from ._mapbench_native import ffi, lib
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "the compiled module _mapbench_native is missing: install the project with "
        "`pip install .` (it builds native/src with cffi)"
    ) from exc

U64_LIMIT = 1 << 64

# Negated codes returned by the C operations (native/src/classic/map.h MAP_ERR_*).
_ERRORS = {
    1: (RuntimeError, "concurrent map writes"),
    2: (RuntimeError, "concurrent map iteration and map write"),
    3: (RuntimeError, "concurrent map read and map write"),
    4: (MemoryError, "out of memory in the native map"),
}


class InvariantViolation(AssertionError):
    """A native map broke one of its numbered invariants (map.h INVARIANT n, swiss.h
    S<n>); the message is the checker's line naming the invariant and where it broke."""

    def __init__(self, message, invariant):
        super().__init__(message)
        self.invariant = invariant


def check(code):
    """Raise the Python error for a negative C return code; return the code otherwise."""
    if code < 0:
        kind, message = _ERRORS.get(-code, (RuntimeError, "native map error %d" % -code))
        raise kind(message)
    return code


def as_u64(value, what="key"):
    """An int in [0, 2**64): OverflowError outside, TypeError for non-ints (and bools,
    which are ints to Python but never a meaningful uint64 key here)."""
    if type(value) is not int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("%s must be an int, not %s" % (what, type(value).__name__))
        value = int(value)
    if value < 0 or value >= U64_LIMIT:
        raise OverflowError("%s %d is outside [0, 2**64)" % (what, value))
    return value
