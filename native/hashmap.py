"""``Map``: the Python face of the native Go-style maps (uint64 -> uint64): the classic
Go 1.19 map (``kind="classic"``, the default) or Go 1.24's Swiss table (``kind="swiss"``),
behind one API (native/backends.py holds the native functions of each kind).

Every native call runs under the map's lock (an RLock, so a finalizer that runs in the
middle of a method on the same thread cannot deadlock): cffi releases the GIL on each
call, and the C map, like Go's, is not safe for concurrent use. Iteration follows Go,
not dict: the map may be changed while it is iterated; every key present for the whole
iteration is returned exactly once, a key deleted before it is reached is not returned,
keys added meanwhile may or may not be, and each iteration starts at a random place.
An iterator keeps its map alive and gives back the native iterator's references on the
bucket arrays when it finishes, is closed, or is garbage collected. keys(), values(),
items() and iter(m) fetch entries in batches and are rewound before every write made
through this class (pyiter.py), so batching never changes what they return.
"""

import threading

from ._ffi import InvariantViolation, as_u64, check, ffi, lib
from .backends import backend
from .kernels import prefetch_distance
from .pyiter import MapIterator

_MISSING = object()
_WHY_LEN = 256  # bytes for the checker's one-line message


class Map:
    """A uint64 -> uint64 hash map with Go's layout, growth and iteration: Go 1.19's
    classic map (kind="classic") or Go 1.24's Swiss table (kind="swiss")."""

    def __init__(self, hint=0, seed=None, prefetch="auto", atomic_snapshot=False, kind="classic"):
        native = backend(kind)
        hint = as_u64(hint, "hint")
        prefetch = prefetch_distance(prefetch)   # "auto": by size (kernels.prefetch_distance)
        if atomic_snapshot and kind != "classic":
            raise ValueError("atomic_snapshot is the classic iterator's variant (acquire "
                             "loads of B and buckets); the Swiss iterator has no snapshot")
        self._native = native
        self.kind = kind
        self._lock = threading.RLock()
        # id -> weakref of each started, unfinished pyiter.BatchSource: every write
        # rewinds them first (see pyiter), so batching never changes what they return.
        self._live = {}
        self._batch_buffers = None  # made by the first batched iteration (pyiter)
        h = native.new(hint, seed)
        if h == ffi.NULL:
            raise MemoryError("cannot allocate a map for hint %d" % hint)
        self._h = ffi.gc(h, native.destroy)
        self._out = ffi.new("uint64_t *")
        self.prefetch = prefetch
        self.atomic_snapshot = bool(atomic_snapshot)

    # -- element access -------------------------------------------------------------
    def __setitem__(self, key, value):
        key = as_u64(key)
        value = as_u64(value, "value")
        with self._lock:
            if self._live:
                self._rewind_iterators()
            check(self._native.put(self._h, key, value))

    def __getitem__(self, key):
        key = as_u64(key)
        with self._lock:
            if check(self._native.get(self._h, key, self._out)):
                return self._out[0]
        raise KeyError(key)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __delitem__(self, key):
        key = as_u64(key)
        with self._lock:
            if self._live:
                self._rewind_iterators()
            if check(self._native.delete(self._h, key)):
                return
        raise KeyError(key)

    def __contains__(self, key):
        try:
            key = as_u64(key)
        except OverflowError:  # an int outside [0, 2**64) cannot be a key
            return False
        with self._lock:
            return bool(check(self._native.get(self._h, key, self._out)))

    def __len__(self):
        with self._lock:
            return self._native.count(self._h)

    def fill(self, n, key_seed=0):
        """Insert n keys from a fixed stream (native stream_key(key_seed, i) -> value i)."""
        n, key_seed = as_u64(n, "n"), as_u64(key_seed, "key_seed")
        with self._lock:
            self._rewind_iterators()
            self._native.fill(self._h, n, key_seed)

    def stats(self):
        """The native map's state. Both kinds: kind, count. Classic: B, noverflow,
        growing, same_size_grow, nevacuate, buckets, oldbuckets, bucket_bytes,
        array_bytes, overflow_malloced, flags, hash0. Swiss: small, tables,
        global_depth, dir_len, groups, capacity, tombstones, growth_left,
        min_growth_left, group_bytes, grew_while_iterating (a grow or split happened
        while an iterator was live), live_iterators, seed."""
        with self._lock:
            return self._native.stats(self._h)

    def check_invariants(self):
        """Check the native map's structural invariants (native/src/classic/check.c:
        map.h INVARIANT 1, 4-7; native/src/swiss/check.c: swiss.h S1-S3, S5, S6), as
        Go's checkInvariants does in its debug builds. O(entries). Raises
        InvariantViolation (an AssertionError) naming the first invariant that broke
        and where; returns None for a sound map."""
        why = ffi.new("char[]", _WHY_LEN)
        with self._lock:
            code = self._native.check_invariants(self._h, why, _WHY_LEN)
        if code:
            raise InvariantViolation(ffi.string(why).decode(errors="replace"), code)

    # -- iteration ------------------------------------------------------------------
    def _rewind_iterators(self):
        """Before a write: put every live batched iterator back where its caller is."""
        for ref in list(self._live.values()):
            source = ref()
            if source is not None:
                source.rewind()

    def __iter__(self):
        return MapIterator(self, "keys")

    def keys(self):
        return MapIterator(self, "keys")

    def values(self):
        return MapIterator(self, "values")

    def items(self):
        return MapIterator(self, "items")

    def batches(self, size=1024):
        """Yield (keys, values) lists of up to ``size`` entries, one native call each."""
        if int(size) < 1:
            raise ValueError("batch size must be at least 1")
        return BatchIterator(self, int(size))

    def __repr__(self):
        return "<native.Map kind=%s count=%d>" % (self.kind, len(self))

    # -- test hooks -----------------------------------------------------------------
    def _debug_set_writing(self, on):
        """Set or clear the native hashWriting flag, to exercise the misuse checks."""
        with self._lock:
            self._rewind_iterators()
            self._native.set_writing(self._h, bool(on))

    def _tophash_census(self):
        """{tophash value (classic) or control byte (swiss): slots} over the live
        bucket array and its chains, or the live tables."""
        counts = ffi.new("uint64_t[256]")
        census = lib.map_debug_tophash_census if self.kind == "classic" else lib.swiss_debug_ctrl_census
        with self._lock:
            census(self._h, counts)
        return {v: counts[v] for v in range(256) if counts[v]}

    def _debug_corrupt(self, what):
        """Break one invariant on purpose, for the checker's tests; calling it again with
        the same name undoes it (check.c says what each name breaks). Classic:
        "tophash", "count", "empty_rest", "nevacuate". Swiss: "h2", "used", "growth_left",
        "map_used", "directory". ValueError if the map has no place for it."""
        with self._lock:
            self._rewind_iterators()
            if self._native.debug_corrupt(self._h, what.encode()) != 0:
                raise ValueError("cannot corrupt %r in this %s map" % (what, self.kind))

    def _half_grow(self):
        """Classic: start a doubling grow and evacuate half of it (iteration mid-grow).
        A Swiss map rebuilds a table in one step, so it has no such state."""
        if self.kind != "classic":
            raise ValueError("a %s map has no half-done grow" % self.kind)
        with self._lock:
            self._rewind_iterators()
            lib.map_half_grow(self._h)


class _NativeIteration:
    """A native hiter plus the bookkeeping of Go's lazy stepping: the iterator steps
    past an entry only when the next one is asked for, so a key deleted in between is
    never returned."""

    def __init__(self, m):
        self._map = m
        self._it = None  # allocated on first use: Go starts the iteration at the loop
        self._done = False
        self._step_first = False

    def _start(self):
        native = self._map._native
        self._it = ffi.new(native.iter_type)
        check(native.iter_init(self._it, self._map._h, self._map.prefetch,
                               self._map.atomic_snapshot))

    def close(self):
        """Stop early: give back the native references on the bucket arrays."""
        if self._it is not None and not self._done:
            with self._map._lock:
                self._map._native.iter_release(self._it)
        self._done = True

    def __del__(self):
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __iter__(self):
        return self


class BatchIterator(_NativeIteration):
    def __init__(self, m, size):
        super().__init__(m)
        self._keys = ffi.new("uint64_t[]", size)
        self._vals = ffi.new("uint64_t[]", size)
        self._size = size
        self._err = ffi.new("int *")

    def __next__(self):
        if self._done:
            raise StopIteration
        with self._map._lock:
            if self._it is None:
                self._start()
            n = self._map._native.iter_batch(self._it, self._step_first, self._keys,
                                             self._vals, self._size, self._err)
            check(self._err[0])
            self._step_first = True
            if n == 0:
                self._done = True
                raise StopIteration
            return ffi.unpack(self._keys, n), ffi.unpack(self._vals, n)
