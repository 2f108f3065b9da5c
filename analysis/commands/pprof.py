"""`mapbench pprof FILE|- -o OUT`: any input `mapbench fold` reads, to a gzipped pprof profile.

Sample types: samples/count, and cpu/nanoseconds when the input is perf script of
a `cpu-clock` or `task-clock` event with one sampling period (or --period-ns is given).
Read it with `go tool pprof -top OUT` or open it in speedscope.

`mapbench pprof --from-lines RUN/lines.json.gz --bench NAME -o OUT`: instead, one benchmark of
the count pass's per-line data as a profile with source lines (instructions, D1/LL misses,
branch mispredicts: mapbench.analysis.counters.line_pprof), for `go tool pprof -list FUNC OUT`.
"""
from __future__ import annotations

from mapbench.analysis.commands.fold import add_input_arguments, load_stacks
from mapbench.analysis.commands.streams import write_output
from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.pprof import build_profile

# perf events whose period is a time in nanoseconds.
_TIME_EVENTS = ("cpu-clock", "task-clock")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "pprof", help="folded stacks (or perf script, py-spy, speedscope) to a gzipped pprof profile",
        description=__doc__.splitlines()[0])
    add_input_arguments(parser, perf_weight=False)
    parser.add_argument("-o", "--output", metavar="OUT", required=True,
                        help="the .pb.gz file to write (- for stdout)")
    parser.add_argument("--period-ns", type=int, metavar="NS",
                        help="sampling period in ns: adds the cpu/nanoseconds sample type")
    lines = parser.add_argument_group("per-line data of the count pass (instead of FILE)")
    lines.add_argument("--from-lines", metavar="LINES_JSON_GZ",
                       help="a run's lines.json.gz: write one benchmark's per-line costs as the profile")
    lines.add_argument("--bench", metavar="NAME", help="the benchmark (with --from-lines)")
    parser.set_defaults(func=run)


def run_from_lines(args) -> int:
    import json
    from pathlib import Path

    from mapbench.analysis.counters.line_pprof import benchmark_entry, line_profile

    if not args.bench:
        raise InputError("--from-lines needs --bench NAME (the benchmark to export)")
    path = Path(args.from_lines)
    if path.is_dir():
        raise InputError(f"{path} is a folder: give its per-line file, e.g. {path}/lines.json.gz")
    from mapbench.analysis.input_limit import inflate

    data = path.read_bytes()
    if data[:2] != b"\x1f\x8b":
        raise InputError(f"{path}: not gzipped per-line JSON")
    try:
        doc = json.loads(inflate(data, limit=args.max_input, name=str(path)))
    except ValueError as exc:
        raise InputError(f"{path}: not gzipped per-line JSON ({exc})") from None
    entry = benchmark_entry(doc, args.bench)
    sources = doc.get("sources") if isinstance(doc.get("sources"), dict) else {}
    write_output(args.output, line_profile(args.bench, entry, sources=sources,
                                           source=str(doc.get("source") or "callgrind")))
    return 0


def run(args) -> int:
    if getattr(args, "from_lines", None):
        return run_from_lines(args)
    stacks, perf = load_stacks(args)
    period_ns = args.period_ns
    comments = [f"made by mapbench pprof from {args.input}; samples/count = number of samples"]
    if period_ns is not None and period_ns <= 0:
        raise InputError("--period-ns must be a positive number of nanoseconds")
    if period_ns is None and perf is not None and perf.event:
        event = perf.event.split(":")[0]
        if event in _TIME_EVENTS and len(perf.periods) == 1:
            period_ns = next(iter(perf.periods))
            comments.append(f"cpu/nanoseconds = samples x the {event} period {period_ns} ns from perf script")
    write_output(args.output, build_profile(stacks, period_ns=period_ns, comments=tuple(comments)))
    return 0
