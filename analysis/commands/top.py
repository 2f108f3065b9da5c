"""`mapbench top FILE|-`: pprof's top table (flat, flat%, sum%, cum, cum%) of any profile input."""
from __future__ import annotations

from mapbench.analysis.commands.fold import add_input_arguments, load_stacks
from mapbench.analysis.commands.streams import write_output
from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.top import SORTS, top_table


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "top", help="pprof-style top table of a profile (folded, perf script, py-spy, speedscope, pprof)",
        description=__doc__.splitlines()[0])
    add_input_arguments(parser)
    parser.add_argument("--sort", choices=SORTS, default="flat", help="order by flat (default) or cum weight")
    parser.add_argument("--nodes", type=int, default=20, metavar="N", help="show N rows (default 20)")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the table here instead of stdout")
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.nodes < 1:
        raise InputError("--nodes must be at least 1")
    stacks, perf = load_stacks(args)
    unit = "samples"
    if perf is not None and args.weight == "period":
        unit = f"{perf.event} period" if perf.event else "period"
    table = top_table(stacks, sort=args.sort, nodes=args.nodes, unit=unit)
    write_output(args.output, table.encode("utf-8", "surrogateescape"))
    return 0
