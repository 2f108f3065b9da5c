"""`perf script` text to folded stacks, frame for frame as stackcollapse-perf.pl.

By default the stacks are the ones Brendan Gregg's stackcollapse-perf.pl
(FlameGraph master) prints for the same input: the process name (`comm`,
spaces made `_`) as the root frame, `+0x..` offsets and argument lists cut,
`[unknown]` replaced by `[module]` where the module is known, only events of
the first event type kept, the last sample dropped if the text stops before
its closing blank line, `--pid`/`--tid`/`--kernel`/`--jit`/`--addrs` as there.

Weights: `weight="samples"` (this function's default, and the profile pass's) counts one per sample, as
stackcollapse-perf.pl did before FlameGraph PR #250 (Sept 2022) and as
inferno-collapse-perf does; `weight="period"` sums the sample period printed in
the event line (`  2004008 cpu-clock:`), 1 where there is none, which is what
FlameGraph master prints (and `mapbench fold`'s default). For `cpu-clock`/`task-clock`
the period is in ns. `java_exact` picks the script's Java rule from before Nov 2023
(see _Folder.header).

Two folders, one behaviour: an engine (use_engine; the CLI installs the C one of
native/src/fold, whose header states its invariants F1-F4) folds when one is given;
`_Folder` below is the specification and the fallback, and the tests run both.

How the Python folder stays usable on hundreds of MB: one pass, no regex per line. A stack
line (`\t  10c0 main+0x50 (/path/walk)`) maps to the same frames wherever it
appears, so each distinct line is parsed once and its frames (already
`;`-joined) are cached; a sample whose lines are all cached is then folded by
C-level calls (split, map over the cache, join), see `_Folder.feed_chunk`.
The perl regexes are re-implemented with str methods that are linear in the
line length, so no input can make them backtrack for ever.

Parser state, as in the perl script: `pname` is the root of the sample being
read (None between samples and for samples of a filtered-out event); `stack`
holds the frame segments of the current sample, leaf first. A blank line ends
a sample: if `pname` is set the stack is counted and both are reset.
"""
from __future__ import annotations

import mmap
import re
from itertools import chain

from mapbench.analysis.stacks.folded import ENCODING, ERRORS

WEIGHTS = ("samples", "period")

_WS = b" \t\n\r\x0b\x0c"  # perl's \s on byte strings
_WS_SET = frozenset(_WS)
_DIGITS = b"0123456789"
_HEX_LOWER = b"0123456789abcdef"
_WORD_SET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_HASH = ord("#")
_LPAREN = ord("(")
_ANON_NS = b"anonymous namespace)"
_WS_RUN = re.compile(rb"[ \t\n\r\x0b\x0c]+")
# After the comm: `\d+` then, optionally, `/` and the tid; then whitespace.
_PID_TID = re.compile(rb"([0-9]+)(?:/+([0-9]*))?[ \t\n\r\x0b\x0c]")
# The usual event line: a one-word comm, then the pid/tid as above.
_COMMON_HEADER = re.compile(rb"([^ \t\n\r\x0b\x0c]{2,})[ \t\n\r\x0b\x0c]+([0-9]+)(?:/+([0-9]*))?[ \t\n\r\x0b\x0c]")
# The usual whole event line, `python  6055 [001] 332.235145:    2004008 cpu-clock:pppH: `:
# the comm and ids as above, then up to the first `:`, the period and the event. Where
# it matches, both perl regexes give these same groups (the `:` before the period is
# the only one their second regex can start at). Lines longer than _USUAL_MAX take the
# general path, which bounds the backtracking of the whitespace runs here.
_USUAL_EVENT_LINE = re.compile(
    rb"([^ \t\n\r\x0b\x0c]{2,})[ \t\n\r\x0b\x0c]+([0-9]+)(?:/+([0-9]*))?[ \t\n\r\x0b\x0c][^:]*:"
    rb"[ \t\n\r\x0b\x0c]*([0-9]+)?[ \t\n\r\x0b\x0c]+([^ \t\n\r\x0b\x0c]+):[ \t\n\r\x0b\x0c]*\Z")
_USUAL_MAX = 256
_JIT_MAP = re.compile(rb"/tmp/perf-[0-9]+\.map")

# Input is processed in slices of about this many bytes, cut at a newline, so
# a 400 MB file never exists as 5 million line objects at once.
_CHUNK_BYTES = 1 << 18
# Distinct stack lines remembered; beyond this the cache starts afresh.
_CACHE_LIMIT = 1 << 20


class PerfFold:
    """What folding one `perf script` text found.

    A plain class, not a dataclass: `dataclasses` imports `inspect` (and with it ast, dis,
    tokenize), 1.4 MiB of `mapbench fold`'s peak memory, which issue 25 bounds by Perl's.
    Equality compares the fields a fold's result is made of (not the engine's buffers)."""

    __slots__ = ("stacks", "weight", "event", "samples", "filtered_samples", "period_total",
                 "periods", "incomplete_tail", "folded", "distinct_stacks", "engine_folder")
    COMPARED = ("stacks", "weight", "event", "samples", "filtered_samples", "period_total",
                "periods", "incomplete_tail")

    def __init__(self, stacks: dict[str, int], weight: str, event: str | None = None,
                 samples: int = 0, filtered_samples: int = 0, period_total: int = 0,
                 periods: set[int] | None = None, incomplete_tail: bool = False,
                 folded: object = None, distinct_stacks: int = 0, engine_folder: object = None):
        self.stacks = stacks                    # folded stack -> weight
        self.weight = weight                    # "samples" or "period"
        self.event = event                      # the event type kept (the first seen)
        self.samples = samples                  # samples counted
        self.filtered_samples = filtered_samples  # samples of other event types, left out
        self.period_total = period_total        # sum of the periods of the samples counted
        self.periods = set() if periods is None else periods  # distinct periods seen (capped)
        self.incomplete_tail = incomplete_tail  # the text stopped inside a sample (left out, as perl does)
        # With text=True and an engine that writes it: the sorted folded text (a buffer, what
        # format_folded would give), and `stacks` stays empty; `engine_folder` keeps its memory.
        self.folded = folded
        self.distinct_stacks = distinct_stacks  # stacks counted, weight 0 included
        self.engine_folder = engine_folder

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.COMPARED)

    __hash__ = None

    def __repr__(self) -> str:
        return "PerfFold(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self.COMPARED) + ")"


def parse_event_header(line: bytes) -> tuple[bytes, bytes, bytes | None] | None:
    """(comm, pid, tid) of an event line, as perl's `/^(\\S.+?)\\s+(\\d+)\\/*(\\d+)*\\s+/`.

    The comm is the shortest prefix (at least 2 bytes, first not a space) that
    is followed by whitespace, a number, optionally `/number`, and whitespace.
    None when the line is not an event line.
    """
    if not line or line[0] in _WS_SET:
        return None
    common = _COMMON_HEADER.match(line)
    if common is not None:  # a first word of 2+ bytes is the shortest comm perl can take
        return common.group(1), common.group(2), common.group(3) or None
    for run in _WS_RUN.finditer(line, 1):
        start, end = run.span()
        comm_end = max(start, 2)
        if comm_end >= end:
            continue
        ids = _PID_TID.match(line, end)
        if ids is not None:
            return line[:comm_end], ids.group(1), ids.group(2) or None
    return None


def parse_event_name(line: bytes) -> tuple[bytes | None, bytes] | None:
    """(period, event) as perl's `/:\\s*(\\d+)*\\s+(\\S+):\\s*$/`, or None.

    The event is the last word of the line without its final `:`; the period is
    the number between the previous `:` and it (`317.83: 2004008 cpu-clock:`).
    """
    parts = line.rsplit(None, 1)
    if len(parts) != 2:
        return None
    before, word = parts
    if len(word) < 2 or word[-1] != 0x3A:  # ':'
        return None
    if before[-1] == 0x3A:
        return None, word[:-1]
    no_digits = before.rstrip(_DIGITS)
    if len(no_digits) < len(before) and no_digits.rstrip(_WS)[-1:] == b":":
        return before[len(no_digits):], word[:-1]
    return None


def parse_stack_line(line: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(pc, rawfunc, module) as perl's `/^\\s*(\\w+)\\s*(.+) \\((.*)\\)/`, or None.

    The module is between the last ` (` that has a `)` after it and the last `)`;
    the function is what lies between the address and that ` (`.
    """
    body = line.lstrip(_WS)
    pc_start = len(line) - len(body)
    pc_end = pc_start
    size = len(line)
    while pc_end < size and line[pc_end] in _WORD_SET:
        pc_end += 1
    if pc_end == pc_start:
        return None
    close = line.rfind(b")")
    if close < 0:
        return None
    open_ = line.rfind(b" (", 0, close)
    if open_ < pc_end:
        return None
    spaces_end = size - len(line[pc_end:].lstrip(_WS))
    if open_ > spaces_end:
        return line[pc_start:pc_end], line[spaces_end:open_], line[open_ + 2:close]
    if open_ > pc_end:
        # `10c0  (/lib/x.so)`: perl's `\s*` gives back a space so `(.+)` is " ".
        return line[pc_start:pc_end], line[open_ - 1:open_], line[open_ + 2:close]
    if pc_end - pc_start >= 2:
        # `10c0 (/lib/x.so)`: perl's `(\w+)` gives back its last character.
        return line[pc_start:pc_end - 1], line[pc_end - 1:pc_end], line[open_ + 2:close]
    return None


def _cut_argument_list(func: bytes) -> bytes:
    """perl's `s/\\((?!anonymous namespace\\)).*//`: cut at the first other `(`."""
    at = func.find(b"(")
    while at >= 0:
        if not func.startswith(_ANON_NS, at + 1):
            return func[:at]
        at = func.find(b"(", at + 1)
    return func


def frames_of_line(
    pc: bytes, rawfunc: bytes, module: bytes, *,
    java: bool, kernel: bool, jit: bool, addrs: bool,
) -> list[bytes] | None:
    """The frames one stack line adds (outer first for `a->b` inlines), or None to skip it."""
    at = rawfunc.rfind(b"+0x")
    if at >= 0:
        offset = rawfunc[at + 3:]
        if offset and not offset.strip(_HEX_LOWER):
            rawfunc = rawfunc[:at]
    if rawfunc[:1] == b"(":
        return None  # a process name, not a function
    names = rawfunc.split(b"->")
    while names and not names[-1]:
        names.pop()  # perl's split drops trailing empty fields
    frames: list[bytes] = []
    for func in names:
        if func == b"[unknown]":
            if module != b"[unknown]":
                func = module[module.rfind(b"/") + 1:]
            else:
                func = b"unknown"
            func = b"[" + func + b" <" + pc + b">]" if addrs else b"[" + func + b"]"
        # tidy_generic
        func = func.replace(b";", b":")
        go_method = func.find(b".(")
        if go_method < 0 or func.rfind(b").") < go_method + 2:
            func = _cut_argument_list(func)
        func = func.replace(b'"', b"").replace(b"'", b"")
        # tidy_java
        if java and func[:1] == b"L" and b"/" in func:
            func = func[1:]
        # annotations
        if frames:
            if b"_[i]" not in func:
                func += b"_[i]"
        elif kernel and (module[:1] == b"[" or module.endswith(b"vmlinux")) and b"unknown" not in module:
            func += b"_[k]"
        elif jit and _JIT_MAP.search(module) and b"_[j]" not in func:
            func += b"_[j]"
        frames.append(func)
    return frames or None


def _spans(data):
    """Yield (start, end) of slices of `data` of about _CHUNK_BYTES, each ending just after a newline (or at the end).

    A slice is yielded before the next is looked for; once the caller is done with it and
    asks for the next, the pages of an mmap that the slice covered are given back
    (MADV_DONTNEED), so a file's bytes are never all resident at once (F1 of fold_perf.h).
    """
    size = len(data)
    pos = dropped_from = 0
    drop_pages = isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED")
    while pos < size:
        end = pos + _CHUNK_BYTES
        if end < size:
            newline = data.find(b"\n", end)
            end = size if newline < 0 else newline + 1
        else:
            end = size
        yield pos, end
        if drop_pages:
            # From the previous slice's start, not this one's: the kernel's fault-around
            # maps up to 64 KiB of cached pages around each page fault, so reading this
            # slice maps pages of the previous one again; dropped only from `pos` on, they
            # stayed resident, about 10 KiB a slice (an input-sized leak).
            start = pos - pos % mmap.PAGESIZE
            data.madvise(mmap.MADV_DONTNEED, dropped_from, end - dropped_from)
            dropped_from = start
        pos = end


class _Folder:
    """The perl script's line-by-line state machine (see the module docstring).

    Cached segments start with `;` (`;frame;frame`), and a line that adds no frame
    caches as b"", so a stack is `pname + b"".join(segments)`, leaf segment last.
    """

    def __init__(self, *, pid, tid, kernel, addrs, jit, weight, comm, java_exact=False) -> None:
        self.pid, self.tid, self.java_exact = pid, tid, java_exact
        self.options = {"kernel": kernel, "jit": jit, "addrs": addrs}
        self.by_period = weight == "period"
        self.want_comm = None if comm is None else comm.encode(ENCODING, ERRORS)
        self.plain_cache: dict[bytes, bytes] = {}
        self.java_cache: dict[bytes, bytes] = {}
        self.cache = self.plain_cache
        self.counts: dict[bytes, int] = {}
        self.stack: list[bytes] = []
        self.pname: bytes | None = None
        self.period = 1
        self.event_filter: bytes | None = None
        self.result = PerfFold(stacks={}, weight=weight)

    def count(self, tail: bytes) -> None:
        """Count the current sample, whose frames below the root are `tail`, and reset."""
        key = self.pname + tail
        self.counts[key] = self.counts.get(key, 0) + (self.period if self.by_period else 1)
        self.result.samples += 1
        self.result.period_total += self.period
        self.stack = []
        self.pname = None

    def header(self, line: bytes) -> bool:
        """Handle `line` if it is an event line (True); False if it is not one."""
        usual = _USUAL_EVENT_LINE.match(line) if len(line) <= _USUAL_MAX else None
        if usual is not None:  # one regex for both perl regexes, on the usual line
            name, pid_text, tid_text, period_text, event_name = usual.groups()
            event = period_text, event_name
        else:
            parsed = parse_event_header(line)
            if parsed is None:
                return False
            name, pid_text, tid_text = parsed
            event = parse_event_name(line)
        if not tid_text or tid_text == b"0":  # perl: `if (not $tid)`
            pid_text, tid_text = b"?", pid_text
        period = 1
        if event is not None:
            period_text, event_name = event
            if self.event_filter is None:
                self.event_filter = event_name
            elif event_name != self.event_filter:
                # perl: `next` before touching $pname or $m_period.
                self.result.filtered_samples += 1
                return True
            if period_text and period_text != b"0":
                period = int(period_text)
        self.period = period
        if len(self.result.periods) < 64:
            self.result.periods.add(period)
        if self.want_comm is not None and self.want_comm not in (name, name.replace(b" ", b"_")):
            self.pname = None
            self.stack = []
            return True
        if self.tid:
            pname = name + b"-" + pid_text + b"/" + tid_text
        elif self.pid:
            pname = name + b"-" + pid_text
        else:
            pname = name
        self.pname = pname.replace(b" ", b"_")
        # Perl's tidy_java rule, odd or not, on purpose: `$pname =~ m/^java/` since
        # FlameGraph PR #147 (Nov 2023), so `java-PID` roots (--pid/--tid) are tidied too;
        # `$pname eq "java"` before it (java_exact), which FlameGraph's test/results encode.
        java = self.pname == b"java" if self.java_exact else self.pname.startswith(b"java")
        self.cache = self.java_cache if java else self.plain_cache
        return True

    def stack_line(self, line: bytes) -> bytes:
        """The cached segment of a line that is neither blank, comment nor event line."""
        cache = self.cache
        parts = parse_stack_line(line)
        if parts is None:
            segment = b""  # perl warns "Unrecognized line" and skips it
        else:
            frames = frames_of_line(*parts, java=cache is self.java_cache, **self.options)
            segment = b"" if frames is None else b";" + b";".join(frames)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[line] = segment
        return segment

    def feed(self, lines) -> None:
        """Run the state machine over `lines` (chomped, no newline)."""
        for line in lines:
            if not line:
                if self.pname is not None:
                    self.stack.reverse()
                    self.count(b"".join(self.stack))
                continue
            segment = self.cache.get(line)
            if segment is None:
                first = line[0]
                if first == _HASH:
                    continue  # perf's header comments
                if first not in _WS_SET and self.header(line):
                    continue
                if self.pname is None:
                    continue  # perl: `next if not $pname`
                segment = self.stack_line(line)
            if segment and self.pname is not None:
                self.stack.append(segment)

    def feed_chunk(self, chunk: bytes) -> None:
        """Fold a slice of whole lines.

        Fast path: a sample whose event line comes in a clean state (after a blank
        line) and whose stack lines, up to the next blank line, are all cached folds
        with C-level calls (list.index, map over the cache, join). Anything else
        goes through `feed`, line by line; both give the same result, because
        cached lines are plain stack lines.
        """
        lines = chunk.split(b"\n")
        if not lines[-1]:
            lines.pop()  # the text after the final newline is not a line
        size = len(lines)
        find_blank = lines.index
        header = self.header
        counts, counts_get, by_period = self.counts, self.counts.get, self.by_period
        samples = period_total = 0  # counted by the fast path; added to the result at the end
        at = 0
        while at < size:
            line = lines[at]
            if self.pname is None and line and line[0] not in _WS_SET and line[0] != _HASH and header(line):
                try:
                    blank = find_blank(b"", at + 1)
                except ValueError:
                    self.feed(lines[at + 1:])  # the text stops inside this sample
                    break
                pname = self.pname
                if pname is not None:
                    try:  # root, then the stack lines leaf last; TypeError: a line not cached yet
                        key = b"".join(chain((pname,), map(self.cache.get, lines[blank - 1:at:-1])))
                    except TypeError:
                        pass
                    else:  # self.count(), inlined: this runs once per sample
                        period = self.period
                        counts[key] = counts_get(key, 0) + (period if by_period else 1)
                        samples += 1
                        period_total += period
                        self.pname = None
                        at = blank + 1
                        continue
                self.feed(lines[at + 1:blank + 1])
                at = blank + 1
                continue
            try:
                blank = find_blank(b"", at)
            except ValueError:
                blank = size - 1
            self.feed(lines[at:blank + 1])
            at = blank + 1
        self.result.samples += samples
        self.result.period_total += period_total

    def finish(self) -> PerfFold:
        result = self.result
        result.incomplete_tail = self.pname is not None
        result.distinct_stacks = len(self.counts)
        result.event = None if self.event_filter is None else self.event_filter.decode(ENCODING, ERRORS)
        counts = self.counts
        while counts:  # pop as we go, so the bytes keys and the str keys are not all alive at once
            key, value = counts.popitem()
            result.stacks[key.decode(ENCODING, ERRORS)] = value
        return result


# The engine `mapbench` hands every fold (see use_engine); None: the Python folder.
_default_engine = None


def use_engine(engine) -> None:
    """Make `engine` the folder of every later fold that names none (None: Python's).

    An engine is a class like mapbench.native.perf_folder.PerfFolder (analysis may not
    import native, so the CLI installs it): `engine(pid=, tid=, kernel=, jit=, addrs=,
    by_period=, java_exact=, comm=bytes|None)`, then `.feed(buffer, start, end)` over
    whole lines, `.finish(stacks=True)` -> ((stack bytes, weight) pairs or None, stats
    dict with the PerfFold fields) and `.folded_text()` (the sorted folded text). It must fold exactly as _Folder does (the tests run both); where
    it cannot hold a number it raises OverflowError and the fold runs in Python.
    """
    global _default_engine
    _default_engine = engine


def _engine_named(engine):
    """The engine a fold uses: `engine`, or for "default" the one installed by use_engine;
    an installed loader (a function with `lazy_engine = True`) is called once, at the first
    fold, and what it returns (None: Python's folder) replaces it."""
    global _default_engine
    if engine != "default":
        return engine
    if getattr(_default_engine, "lazy_engine", False):
        _default_engine = _default_engine()
    return _default_engine


def _fold_with_engine(engine, data, *, weight, comm, text=False, **options) -> PerfFold:
    folder = engine(by_period=weight == "period", comm=None if comm is None else comm.encode(ENCODING, ERRORS),
                    **options)
    for start, end in _spans(data):
        folder.feed(data, start, end)
    return _result_of(folder, weight, text)


def _result_of(folder, weight: str, text: bool = False) -> PerfFold:
    """The PerfFold of an engine's folder that has been fed everything (text: see PerfFold.folded)."""
    pairs, info = folder.finish(stacks=not text)
    result = PerfFold(stacks={}, weight=weight, samples=info["samples"],
                      filtered_samples=info["filtered_samples"], period_total=info["period_total"],
                      periods=set(info["periods"]), incomplete_tail=info["incomplete_tail"],
                      event=None if info["event"] is None else info["event"].decode(ENCODING, ERRORS),
                      distinct_stacks=info["distinct_stacks"])
    if text:
        result.folded, result.engine_folder = folder.folded_text(), folder
        return result
    stacks = result.stacks
    while pairs:  # pop as we go, so the bytes keys and the str keys are not all alive at once
        key, value = pairs.pop()
        stacks[key.decode(ENCODING, ERRORS)] = value
    return result


def fold_perf_script_detailed(
    data, *, pid: bool = False, tid: bool = False, kernel: bool = False,
    addrs: bool = False, jit: bool = False, weight: str = "samples",
    comm: str | None = None, java_exact: bool = False, engine="default", text: bool = False,
) -> PerfFold:
    """Fold `perf script` output (bytes, bytearray or mmap) and say what was found.

    `engine`: "default" (the one use_engine installed), None (Python), or an engine.
    `text`: an engine may hand back the sorted folded text instead of the stacks
    (PerfFold.folded): no Python object per stack (the Python folder still gives stacks).
    """
    if weight not in WEIGHTS:
        raise ValueError(f"weight must be one of {WEIGHTS}, not {weight!r}")
    if isinstance(data, memoryview):
        data = data.tobytes()
    elif not isinstance(data, (bytes, bytearray, mmap.mmap)):
        raise TypeError(f"perf script text must be bytes, not {type(data).__name__}")
    options = {"pid": pid, "tid": tid, "kernel": kernel, "addrs": addrs, "jit": jit, "java_exact": java_exact}
    engine = _engine_named(engine)
    if engine is not None:
        try:
            return _fold_with_engine(engine, data, weight=weight, comm=comm, text=text, **options)
        except OverflowError:
            pass  # a number past 64 bits: Python's ints hold it (F2 of fold_perf.h)
    folder = _Folder(weight=weight, comm=comm, **options)
    for start, end in _spans(data):
        folder.feed_chunk(bytes(data[start:end]))
    return folder.finish()


def fold_perf_stream(
    blocks, *, pid: bool = False, tid: bool = False, kernel: bool = False,
    addrs: bool = False, jit: bool = False, weight: str = "samples",
    comm: str | None = None, java_exact: bool = False, engine="default", text: bool = False,
) -> PerfFold:
    """fold_perf_script_detailed of text that arrives as `blocks` of bytes cut anywhere (stdin).

    Memory: one block, the part line it ends with, and the distinct stacks; never the
    whole text. A period past 64 bits cannot be handed to Python half-way through a
    stream: that one case is an OverflowError (the file path folds it in Python).
    """
    if weight not in WEIGHTS:
        raise ValueError(f"weight must be one of {WEIGHTS}, not {weight!r}")
    options = {"pid": pid, "tid": tid, "kernel": kernel, "addrs": addrs, "jit": jit, "java_exact": java_exact}
    engine = _engine_named(engine)
    if engine is not None:
        folder = engine(by_period=weight == "period", comm=None if comm is None else comm.encode(ENCODING, ERRORS),
                        **options)
        feed = folder.feed
    else:
        folder = _Folder(weight=weight, comm=comm, **options)
        feed = folder.feed_chunk
    rest = b""
    for block in blocks:
        cut = block.rfind(b"\n") + 1
        if not cut:
            rest += block
            continue
        feed(rest + block[:cut] if rest else block[:cut])
        rest = block[cut:]
    if rest:
        feed(rest)
    if engine is None:
        return folder.finish()
    return _result_of(folder, weight, text)


def fold_perf_script(
    data, *, pid: bool = False, tid: bool = False, kernel: bool = False,
    addrs: bool = False, jit: bool = False, weight: str = "samples",
    comm: str | None = None, java_exact: bool = False, engine="default",
) -> dict[str, int]:
    """Fold `perf script` output into a profile dict (see the module docstring)."""
    return fold_perf_script_detailed(
        data, pid=pid, tid=tid, kernel=kernel, addrs=addrs, jit=jit, weight=weight, comm=comm,
        java_exact=java_exact, engine=engine,
    ).stacks
