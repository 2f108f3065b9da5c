"""Per-element iteration from Python at C speed, with Go's semantics under mutation.

``keys()``, ``values()``, ``items()`` and ``iter(m)`` return a ``MapIterator``: an
``itertools.chain`` over batches that a ``BatchSource`` fetches from C (one FFI call
per batch, ``mapiter_fill``). Handing out an entry is then ``chain``'s and ``zip``'s C
code, with no Python frame per element; fetching costs one call per batch.

The problem batching creates: between two ``next()`` calls the caller may write to the
map, and Go's guarantees (every key present for the whole iteration exactly once, a key
deleted before it is reached never, live values) are about where the iterator *is*
when the write happens, but the native iterator is up to a batch ahead. So every write
through ``Map`` first calls ``rewind`` on the map's live sources, under the map's lock:

  1. stop the batch: ``del stop[:]`` empties the array the batch's iterator pulls from
     first (``zip`` and ``compress`` pull their first argument first), so the consumer
     takes nothing more from it; one C call, atomic under the GIL even when another
     thread is consuming;
  2. count what the caller took: the second argument (``counter``) is pulled once per
     entry handed out, after the first, so its position says exactly how many;
  3. ``mapiter_rewind`` replays that many steps from the iterator saved before the
     batch. The map has not changed since the batch was fetched, so the replay ends
     exactly where a per-element iterator would be; the write happens after it.
     Only a full batch leaves the native iterator on its last entry (the fill stops
     there without stepping); a batch the end of the iteration cut short has already
     stepped past its last entry to the end, so it is replayed even when the caller
     took every entry: else the rest of the walk (the last bucket's later slots, an
     old bucket evacuated by the write) would happen before the write, and keys the
     write adds there, which a per-element iterator finds, would be missed.

A rewind can only ever drop entries fetched ahead, so an extra one is harmless; a
missing one would break the guarantees, hence *every* write method rewinds. After a
rewind the batch size starts small again, so a loop that writes at every step does not
fetch (and drop) a full batch per entry.

A native error (Go's "concurrent map iteration and map write") is handed to the chain
as an iterator that raises it once, so the chain survives and the next ``next()``
retries the step, as with Go's check, which leaves the iterator where it was.
"""

import array
import itertools
import operator
import weakref

from ._ffi import check, ffi

MAX_BATCH = 1024       # entries per batch: about 2 us of Python per batch, 2 ns per entry
AFTER_WRITE_BATCH = 16 # after a rewind: a loop that writes at every step fetches little
BATCH_GROWTH = 4       # ... and batches grow back by this factor while no write comes
KINDS = ("keys", "values", "items")


def _make_buffers(m):
    """The map's batch buffers (keys, values, error code). One set per map is enough:
    every fill runs under the map's lock and is copied out before the lock goes."""
    keys, vals = ffi.new("uint64_t[]", MAX_BATCH), ffi.new("uint64_t[]", MAX_BATCH)
    m._batch_buffers = (keys, vals, ffi.new("int *"),
                        memoryview(ffi.buffer(keys)), memoryview(ffi.buffer(vals)))
    return m._batch_buffers


def _array(view, n):
    """The first n uint64 values of a buffer view as an array('Q') (one copy, no int
    objects yet)."""
    out = array.array("Q")
    out.frombytes(view[:n * 8])
    return out


def _pulled(counter, n):
    """How many items a batch's counter has handed out: an array iterator's position
    (its __reduce__ is (iter, (array,), index) until it is exhausted, which a stopped
    batch never makes it: zip stops at its first argument), or n - what a repeat has left."""
    if isinstance(counter, itertools.repeat):
        return n - operator.length_hint(counter)
    state = counter.__reduce__()
    return state[2] if len(state) > 2 else n


class _RaiseOnce:
    """An iterator that raises `error` on its first next() and then ends."""

    def __init__(self, error):
        self._error = error

    def __iter__(self):
        return self

    def __next__(self):
        error, self._error = self._error, None
        if error is None:
            raise StopIteration
        raise error


class BatchSource:
    """The native side of one iteration: an iterator of batch iterators (for chain)."""

    def __init__(self, m, kind):
        if kind not in KINDS:
            raise ValueError("kind must be one of %s" % ", ".join(KINDS))
        self._map = m
        self._kind = kind
        self._its = None           # iterator[2]: [0] live, [1] saved before the batch
        self._size = MAX_BATCH
        self._step_first = False   # Go's lazy step: step past the last entry first
        self._done = False
        # (stop array, counter iterator, n, step_first used, whether the fill stepped
        # past the batch's last entry to the end of the iteration)
        self._batch = None

    def __iter__(self):
        return self

    def __next__(self):
        """The next batch as a C iterator; StopIteration at the end."""
        m = self._map
        with m._lock:
            if self._done:
                raise StopIteration
            if self._its is None:  # Go starts the iteration at the loop, not at range()
                native = m._native    # the map's kind (native/backends.py)
                self._its = ffi.new(native.iter_pair_type)
                m._live[id(self)] = weakref.ref(self)
                code = native.iter_init(self._its, m._h, m.prefetch, m.atomic_snapshot)
                if code < 0:       # it holds nothing: the retry starts it again
                    self._its = None
                    del m._live[id(self)]
                    return self._failed(code)
            its, size = self._its, self._size
            keys, vals, err, key_view, val_view = m._batch_buffers or _make_buffers(m)
            n = m._native.iter_fill(its, its + 1, self._step_first, keys, vals, size, err)
            if n == 0 and err[0] < 0:   # nothing taken: the step can be retried
                self._batch = None
                return self._failed(err[0])
            if n == 0:
                self._finish()
                raise StopIteration
            ended = its[0].key == ffi.NULL   # iter_batch.h: NULL only at the end
            first, self._step_first = self._step_first, True
            self._size = min(size * BATCH_GROWTH, MAX_BATCH)
            # The batch's entries are copied into arrays (a memcpy); the int objects are
            # made one at a time as they are handed out, as a dict's iteration hands out
            # existing ones (a list of ints made up front costs a third more).
            kind = self._kind
            if kind == "items":
                stop, values = _array(key_view, n), _array(val_view, n)
                counter = iter(values)
                batch = zip(iter(stop), counter)
            else:
                stop = _array(key_view if kind == "keys" else val_view, n)
                counter = itertools.repeat(True, n)
                batch = itertools.compress(iter(stop), counter)
            self._batch = (stop, counter, n, first, ended)
            return batch

    def _failed(self, code):
        try:
            check(code)
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, not swallowed
            return _RaiseOnce(exc)
        return iter(())

    def rewind(self):
        """Put the native iterator where the caller is (the map lock is held)."""
        batch, self._batch = self._batch, None
        if batch is None or self._done:
            return
        stop, counter, n, first, ended = batch
        del stop[:]                                   # 1. the batch stops here
        taken = _pulled(counter, n)                   # 2. entries handed out
        self._size = AFTER_WRITE_BATCH
        if taken == n and not ended:                  # the iterator is on the last entry
            return
        steps = taken - 1 + first if taken else 0
        check(self._map._native.iter_rewind(self._its, self._its + 1, steps))  # 3. replay
        self._step_first = first if taken == 0 else True

    def _finish(self):
        self._done = True
        if self._batch is not None:
            del self._batch[0][:]      # what was fetched ahead is not handed out either
            self._batch = None
        self._map._live.pop(id(self), None)
        if self._its is not None:
            self._map._native.iter_release(self._its)
            self._map._native.iter_release(self._its + 1)

    def close(self):
        """Stop early: give back the native references on the bucket arrays."""
        with self._map._lock:
            if not self._done:
                self._finish()

    def __del__(self):
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


class MapIterator(itertools.chain):
    """An iterator over a Map's keys, values or (key, value) items: ``chain``'s C code
    over the batches of a BatchSource (see the module docstring)."""

    __slots__ = ("_source",)

    def __new__(cls, m, kind):
        source = BatchSource(m, kind)
        self = super().from_iterable(source)
        self._source = source
        return self

    def close(self):
        """Stop early: give back the native references on the bucket arrays."""
        self._source.close()
