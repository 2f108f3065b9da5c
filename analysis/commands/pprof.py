"""`mapbench pprof FILE|- -o OUT`: any input `mapbench fold` reads, to a gzipped pprof profile.

Sample types: samples/count, and cpu/nanoseconds when the input is perf script of
a `cpu-clock` or `task-clock` event with one sampling period (or --period-ns is given).
Read it with `go tool pprof -top OUT` or open it in speedscope.
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
    parser.set_defaults(func=run)


def run(args) -> int:
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
