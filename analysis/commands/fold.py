"""`mapbench fold [FILE|-]`: perf script, py-spy raw or speedscope to folded stacks.

Pipes like FlameGraph's stackcollapse-perf.pl: `mapbench fold perf.txt | mapbench flamegraph - > cpu.svg`.
Also home of the input options the pprof and top commands share.
"""
from __future__ import annotations

import mmap
import sys

from mapbench.analysis.commands.streams import add_max_input_argument, read_input_gzip, write_output
from mapbench.analysis.input_limit import DEFAULT_MAX_INPUT
from mapbench.analysis.errors import InputError
from mapbench.analysis.input_limit import GZIP_MAGIC, bounded, too_big
from mapbench.analysis.stacks.fold import FORMATS, detect_format, filter_stacks, fold_perf_script_detailed, fold_speedscope
from mapbench.analysis.stacks.fold_perf import WEIGHTS, PerfFold, fold_perf_stream
from mapbench.analysis.stacks.fold_pyspy import fold_pyspy_raw
from mapbench.analysis.stacks.folded import decode, encode_folded, format_folded, read_folded

INPUT_FORMATS = FORMATS + ("pprof",)


def _guess_format(data, was_gzip: bool) -> str:
    """detect_format, except that gzip input which is not text is a pprof profile."""
    if not was_gzip:
        return detect_format(data)
    try:
        return detect_format(data)
    except InputError:
        return "pprof"


def add_input_arguments(parser, *, perf_weight: bool = True, default_weight: str = "samples") -> None:
    """The input and folding options that fold, pprof and top share."""
    parser.add_argument("input", nargs="?", default="-", metavar="FILE",
                        help="perf script text, py-spy raw, speedscope JSON, folded stacks or a pprof "
                             "profile (.pb.gz); - or nothing for stdin")
    parser.add_argument("--format", choices=INPUT_FORMATS, default="auto",
                        help="input format (default: guess from the content)")
    perf = parser.add_argument_group("perf script options (as stackcollapse-perf.pl's)")
    perf.add_argument("--pid", action="store_true", help="root frame comm-PID")
    perf.add_argument("--tid", action="store_true", help="root frame comm-PID/TID")
    perf.add_argument("--kernel", action="store_true", help="mark kernel frames with _[k]")
    perf.add_argument("--jit", action="store_true", help="mark JIT frames (/tmp/perf-N.map) with _[j]")
    perf.add_argument("--all", action="store_true", help="all annotations: --kernel --jit")
    perf.add_argument("--addrs", action="store_true", help="[module <address>] where a symbol is unknown")
    perf.add_argument("--comm", metavar="NAME", help="keep only samples of this process name")
    perf.add_argument("--java-names", choices=("prefix", "exact"), default="prefix",
                      help="tidy Java names (Lpkg/Cls; -> pkg/Cls:) where the root starts with java "
                           "(prefix: stackcollapse-perf.pl since Nov 2023, so java-PID with --pid) or is "
                           "exactly java (exact: the older script, and FlameGraph's own test/results)")
    if perf_weight:
        perf.add_argument("--weight", choices=WEIGHTS, default=default_weight,
                          help=f"samples: one per sample, as stackcollapse-perf.pl before Sept 2022 and "
                               f"inferno-collapse-perf; period: the sum of the samples' periods (ns for "
                               f"cpu-clock), as FlameGraph master's stackcollapse-perf.pl, so "
                               f"what its users get today (default: {default_weight})")
    parser.add_argument("--include", metavar="RE", help="keep only stacks with a frame matching RE")
    parser.add_argument("--exclude", metavar="RE", help="drop stacks with a frame matching RE")
    add_max_input_argument(parser)


_STDIN_BLOCK = 1 << 20


def _perf_options(args, text: bool = False) -> dict:
    return {"text": text, "pid": args.pid, "tid": args.tid, "kernel": args.kernel or args.all, "jit": args.jit or args.all,
            "addrs": args.addrs, "weight": getattr(args, "weight", "samples"), "comm": args.comm,
            "java_exact": args.java_names == "exact"}


def _stdin_blocks(head: bytes, limit: int):
    """`head`, then the rest of stdin in blocks; InputError once past `limit` bytes."""
    seen = len(head)
    yield head
    read = sys.stdin.buffer.read
    while block := read(_STDIN_BLOCK):
        seen += len(block)
        if seen > limit:
            raise too_big("stdin", limit, inflated=False)
        yield block


def _fold_stdin_stream(args, limit: int, text: bool):
    """perf script text on stdin, folded as it arrives (memory: the stacks, not the text);
    (None, head) when stdin is something else, whose first bytes are `head`."""
    head = sys.stdin.buffer.read(_STDIN_BLOCK)
    if args.format not in ("auto", "perf") or head[:2] == GZIP_MAGIC:
        return None, head
    if args.format == "auto":
        try:
            if detect_format(head) != "perf":
                return None, head
        except InputError:
            return None, head
    try:
        return fold_perf_stream(_stdin_blocks(head, limit), **_perf_options(args, text)), head
    except OverflowError:
        raise InputError("a sample period does not fit in 64 bits; fold the text from a file instead") from None


def _read_stdin_rest(head: bytes, limit: int):
    data = head + sys.stdin.buffer.read(max(limit + 1 - len(head), 0))
    if len(data) > limit:
        raise too_big("stdin", limit, inflated=False)
    return bounded(data, limit=limit, name="stdin"), head[:2] == GZIP_MAGIC


def load_stacks(args, text: bool = False) -> tuple[dict[str, int], PerfFold | None]:
    """Read and fold the input named by `args`; InputError when it holds no samples.

    text=True: perf script may come back as PerfFold.folded (sorted folded text, no
    stacks dict) where no --include/--exclude needs the stacks.
    """
    text = text and not args.include and not args.exclude
    name = "stdin" if args.input == "-" else args.input
    fmt = args.format
    limit = getattr(args, "max_input", DEFAULT_MAX_INPUT)
    perf = None
    if args.input == "-":
        try:
            perf, head = _fold_stdin_stream(args, limit, text)
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
    if perf is not None:
        fmt, stacks = "perf", perf.stacks
    else:
        data, was_gzip = _read_stdin_rest(head, limit) if args.input == "-" else read_input_gzip(args.input, limit)
        stacks, fmt, perf = _fold_data(name, data, was_gzip, fmt, args, text)
    truncated = perf is not None and perf.incomplete_tail
    stacks = filter_stacks(stacks, include=args.include, exclude=args.exclude)
    if not stacks and not (perf is not None and perf.folded is not None and perf.distinct_stacks):
        detail = ""
        if perf is not None and args.comm and perf.samples == 0:
            detail = f" of process {args.comm!r}"
        elif args.include or args.exclude:
            detail = " left after --include/--exclude"
        elif truncated:
            detail = " (the text stops inside its first sample)"
        raise InputError(f"{name}: no samples{detail} found in the {fmt} input")
    if truncated:
        print(f"mapbench: note: {name} stops inside a sample; that last sample is left out",
              file=sys.stderr)
    return stacks, perf


def _fold_data(name: str, data, was_gzip: bool, fmt: str, args, text: bool):
    """(stacks, format, PerfFold or None) of the whole input `data`."""
    perf = None
    try:
        if fmt == "auto":
            fmt = _guess_format(data, was_gzip)
        if fmt == "perf":
            perf = fold_perf_script_detailed(data, **_perf_options(args, text))
            stacks = perf.stacks
        elif fmt == "speedscope":
            stacks = fold_speedscope(bytes(data))
        elif fmt == "pyspy":
            stacks = fold_pyspy_raw(bytes(data))
        elif fmt == "pprof":
            # imported here: protobuf is about 8 MiB of a fold's peak memory, and only a
            # pprof input needs it
            from mapbench.analysis.stacks.pprof import profile_to_stacks, read_profile
            stacks = profile_to_stacks(read_profile(bytes(data)))
        else:
            stacks = read_folded(decode(bytes(data)))
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    finally:
        if isinstance(data, mmap.mmap):
            data.close()
    return stacks, fmt, perf


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "fold", help="perf script / py-spy / speedscope to folded stacks (like stackcollapse-perf.pl)",
        description=__doc__.splitlines()[0])
    # period by default: what today's stackcollapse-perf.pl prints (FlameGraph PR #250).
    add_input_arguments(parser, default_weight="period")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the folded stacks here instead of stdout")
    parser.add_argument("--collapse-unknown", action="store_true",
                        help="write each run of [unknown] frames as one frame `[unknown] ×N` "
                             "(default: stackcollapse-perf.pl's output, byte for byte)")
    parser.set_defaults(func=run)


def run(args) -> int:
    stacks, perf = load_stacks(args, text=not args.collapse_unknown)
    if perf is not None and perf.folded is not None:  # the C folder wrote it, sorted as format_folded
        write_output(args.output, perf.folded)
        return 0
    if args.collapse_unknown:
        from mapbench.analysis.flame.first_screen import collapse_unknown_runs
        stacks = collapse_unknown_runs(stacks)
    write_output(args.output, encode_folded(format_folded(stacks)))
    return 0
