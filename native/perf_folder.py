"""The C perf-script folder (native/src/fold/fold_perf.h) as the engine analysis's fold takes.

analysis may not import native (the house rules), so the fold there takes an engine
argument; the CLI (mapbench.benchmarks.cli) and the profile collectors hand it
`PerfFolder`. The engine's contract, which analysis/stacks/fold_perf.py states too:
`PerfFolder(flags..., comm=bytes|None)`, `feed(buffer, start, end)` with whole lines,
`finish(stacks=True)` -> (stacks as (bytes, weight) pairs, or None, stats dict),
`folded_text()` -> the sorted folded text (a buffer over the folder's memory). A number the C folder
cannot hold exactly raises OverflowError (the caller folds in Python instead);
MemoryError when malloc fails.
"""
from __future__ import annotations

from mapbench.native._ffi import ffi, lib


class PerfFolder:
    """One fold of one input; not thread-safe (one caller feeds it in order)."""

    def __init__(self, *, pid: bool = False, tid: bool = False, kernel: bool = False,
                 jit: bool = False, addrs: bool = False, by_period: bool = False,
                 java_exact: bool = False, comm: bytes | None = None) -> None:
        flags = ((lib.PERF_FOLD_PID if pid else 0) | (lib.PERF_FOLD_TID if tid else 0)
                 | (lib.PERF_FOLD_KERNEL if kernel else 0) | (lib.PERF_FOLD_JIT if jit else 0)
                 | (lib.PERF_FOLD_ADDRS if addrs else 0) | (lib.PERF_FOLD_BY_PERIOD if by_period else 0)
                 | (lib.PERF_FOLD_JAVA_EXACT if java_exact else 0))
        handle = lib.perf_folder_new(flags, ffi.NULL if comm is None else comm,
                                     0 if comm is None else len(comm))
        if handle == ffi.NULL:
            raise MemoryError("out of memory starting the native perf folder")
        self._handle = ffi.gc(handle, lib.perf_folder_free)

    def feed(self, buffer, start: int = 0, end: int | None = None) -> None:
        """Fold the whole lines of buffer[start:end] (bytes, bytearray or mmap; not copied)."""
        end = len(buffer) if end is None else end
        if end <= start:
            return
        with ffi.from_buffer("char[]", buffer) as view:
            rc = lib.perf_folder_feed(self._handle, view + start, end - start)
        if rc == lib.PERF_FOLD_TOO_BIG:
            raise OverflowError("a period or weight does not fit in 64 bits")
        if rc == lib.PERF_FOLD_NO_MEMORY:
            raise MemoryError("out of memory in the native perf folder")

    def folded_text(self):
        """The sorted folded text (`stack weight` lines, weight > 0), as format_folded
        writes it; a buffer over C memory, valid while this folder lives (it keeps it)."""
        text = ffi.new("const char **")
        size = ffi.new("size_t *")
        if lib.perf_folder_folded(self._handle, text, size) == lib.PERF_FOLD_NO_MEMORY:
            raise MemoryError("out of memory in the native perf folder")
        return ffi.buffer(text[0], size[0])

    def finish(self, stacks: bool = True):
        """(list of (stack bytes, weight) or None when not `stacks`, stats dict) of what was fed."""
        stats = ffi.new("perf_fold_stats *")
        lib.perf_folder_stats(self._handle, stats)
        stack = ffi.new("const char **")
        size = ffi.new("size_t *")
        weight = ffi.new("uint64_t *")
        handle, unpack, get = self._handle, ffi.buffer, lib.perf_folder_stack
        pairs = None if not stacks else [(unpack(stack[0], size[0])[:], weight[0])
                                         for slot in range(lib.perf_folder_slots(handle))
                                         if get(handle, slot, stack, size, weight)]
        info = {
            "samples": stats.samples,
            "filtered_samples": stats.filtered_samples,
            "period_total": stats.period_total,
            "incomplete_tail": bool(stats.incomplete_tail),
            "event": None if stats.event == ffi.NULL else ffi.buffer(stats.event, stats.event_len)[:],
            "periods": {stats.periods[i] for i in range(stats.n_periods)},
            "distinct_stacks": stats.n_stacks,
        }
        return pairs, info
