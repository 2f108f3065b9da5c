"""`mapbench list REGEX [RUN]`: per-line costs of the map's functions, in the style of pprof -list.

    mapbench list mapiternext                      newest run, full iteration, largest size
    mapbench list 'swiss_iter' RUN --bench NAME --metric D1 --top 10
    mapbench list --diff BASE HEAD 'kernel_iterate'  the lines that account for a change

RUN (and BASE, HEAD) are run folders or commit-ishes whose run is in the store (--out), as
for `mapbench compare`. Numbers are callgrind simulations of the timed region, per element
(lines.json.gz of the count pass; benchmarks/counts/listing.py does the work).
"""
from __future__ import annotations

from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.benchmarks.counts import listing
from mapbench.benchmarks.store import runs as store


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "list", help="per-line instructions, cache misses and mispredicts of matching functions "
                     "(pprof -list style; callgrind count pass)",
        description=__doc__.split("\n\n")[0])
    p.add_argument("args", nargs="+", metavar="ARG",
                   help="REGEX [RUN]; with --diff: BASE HEAD REGEX")
    p.add_argument("--diff", action="store_true",
                   help="BASE HEAD REGEX: the lines that account for each changed benchmark")
    p.add_argument("--bench", metavar="NAME", default=None,
                   help="benchmark to list (default: full iteration at the largest counted size "
                        "whose functions match)")
    p.add_argument("--metric", choices=listing.METRICS, default=None,
                   help="show only lines where this is non-zero, largest first (with --diff: "
                        "the delta to rank by, default Ir)")
    p.add_argument("--top", metavar="N", type=int, default=None,
                   help="at most N lines per function (with --metric; --diff: default 15)")
    p.add_argument("--out", metavar="ROOT", default=str(store.DEFAULT_ROOT),
                   help="store root holding the runs (default: profiles)")
    p.add_argument("--machine", metavar="ID", default=None,
                   help="pick runs of this machine id when RUN is a commit ('any': any machine)")
    p.set_defaults(func=run)


def run(args) -> int:
    root = Path(args.out)
    if args.top is not None and args.top < 1:
        raise InputError("--top must be at least 1")
    if args.diff:
        if len(args.args) != 3:
            raise InputError("--diff takes BASE HEAD REGEX")
        base_spec, head_spec, pattern = args.args
        machine = args.machine or store.ANY_MACHINE
        text = listing.diff_text(listing.pick_run(base_spec, root, machine), listing.pick_run(head_spec, root, machine),
                                 pattern, bench=args.bench, metric=args.metric or "Ir",
                                 top=args.top or 15)
    else:
        if len(args.args) > 2:
            raise InputError("list takes REGEX [RUN] (or --diff BASE HEAD REGEX)")
        pattern = args.args[0]
        spec = args.args[1] if len(args.args) == 2 else None
        text = listing.list_text(listing.pick_run(spec, root, args.machine), pattern, bench=args.bench,
                                 metric=args.metric, top=args.top)
    print(text, end="")
    return 0
