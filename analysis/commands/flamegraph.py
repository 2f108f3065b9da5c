"""`mapbench flamegraph FILE|-`: folded stacks to an interactive flame-graph SVG.

Pipes like flamegraph.pl: `mapbench fold perf.txt | mapbench flamegraph - > cpu.svg`.
With `--diff BASE` the SVG is FILE's graph coloured by the change from BASE (red grew,
blue shrank); `--diff-mode` picks leaf (FlameGraph's self-delta) or subtree deltas.
"""
from __future__ import annotations


from mapbench.analysis.commands.streams import add_max_input_argument, read_nonempty, write_output
from mapbench.analysis.input_limit import DEFAULT_MAX_INPUT
from mapbench.analysis.flame.diffflame import MODES, render_diff_svg
from mapbench.analysis.errors import InputError
from mapbench.analysis.flame.first_screen import collapse_unknown_runs, truncate_depth
from mapbench.analysis.flame.flamegraph import DEFAULT_MIN_WIDTH, render_svg
from mapbench.analysis.stacks.folded import decode, read_folded


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "flamegraph", help="folded stacks to an interactive flame-graph SVG (plain or differential)",
        description=__doc__.splitlines()[0])
    p.add_argument("input", metavar="FILE", help="folded stacks (`frame;frame;frame count` lines), or - for stdin")
    p.add_argument("-o", "--output", metavar="OUT", help="write the SVG here instead of stdout")
    p.add_argument("--title", default=None, help="title (default: Flame Graph / Differential Flame Graph)")
    p.add_argument("--subtitle", default=None, help="second line under the title")
    p.add_argument("--width", type=int, default=1200, help="image width in pixels (default 1200)")
    p.add_argument("--min-width", type=float, default=DEFAULT_MIN_WIDTH, metavar="PX",
                   help=f"leave out frames narrower than this many pixels (default {DEFAULT_MIN_WIDTH})")
    p.add_argument("--inverted", action="store_true", help="icicle graph: roots at the top")
    p.add_argument("--reverse", action="store_true",
                   help="callers view: stacks read leaf first, so the bottom row is where time was spent")
    p.add_argument("--max-depth", type=int, default=None, metavar="N",
                   help="cut stacks after N frames from the root (their samples stay in frame N)")
    p.add_argument("--collapse-unknown", action="store_true",
                   help="draw each run of [unknown] frames (failed unwinds) as one frame")
    p.add_argument("--count-name", default="samples", help="what the weights count (default samples)")
    p.add_argument("--diff", metavar="BASE", help="differential graph: FILE is the head, BASE the baseline")
    p.add_argument("--diff-mode", choices=MODES, default="leaf",
                   help="leaf: change of self samples (FlameGraph difffolded); subtree: inclusive change")
    add_max_input_argument(p)
    p.set_defaults(func=run)


def read_profile(path: str, limit: int = DEFAULT_MAX_INPUT) -> dict[str, int]:
    """The folded stacks in `path` (or stdin for "-"; gzip inflated); InputError when there are none."""
    data = read_nonempty(path, limit)
    if b"\0" in data:
        raise InputError(f"{path}: binary data, not folded stacks")
    try:
        stacks = read_folded(decode(data))
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    if not stacks or not any(stacks.values()):
        raise InputError(f"{path}: no samples in the folded stacks")
    return stacks


def run(args) -> int:
    head = read_profile(args.input, args.max_input)
    if args.diff:
        base = read_profile(args.diff, args.max_input)
        if args.collapse_unknown:
            base, head = collapse_unknown_runs(base), collapse_unknown_runs(head)
        if args.max_depth is not None:
            if args.max_depth < 1:
                raise InputError("--max-depth must be 1 or more")
            base, head = truncate_depth(base, args.max_depth), truncate_depth(head, args.max_depth)
        svg = render_diff_svg(base, head, mode=args.diff_mode,
                              title=args.title or "Differential Flame Graph", subtitle=args.subtitle,
                              width=args.width, min_width=args.min_width, inverted=args.inverted,
                              reverse=args.reverse, count_name=args.count_name)
    else:
        svg = render_svg(head, title=args.title or "Flame Graph", subtitle=args.subtitle,
                         width=args.width, min_width=args.min_width, inverted=args.inverted,
                         reverse=args.reverse, count_name=args.count_name,
                         collapse_unknown=args.collapse_unknown, max_depth=args.max_depth)
    write_output(args.output, svg)
    return 0
