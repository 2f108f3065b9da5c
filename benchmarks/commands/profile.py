"""`mapbench profile`: the representative profiling pass, or custom configurations, into a run folder.

    mapbench profile                          # the default pass (see benchmarks.profiling)
    mapbench profile --quick --only 'iterate-n16384'
    mapbench profile --op iterate --n 65536 --storage heap --prefetch 8
"""
from __future__ import annotations

from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.benchmarks.profiling import profile_pass as profiling
from mapbench.benchmarks.store import runs as store, lock as store_lock
from mapbench.benchmarks.profiling.collectors import cachegrind
from mapbench.benchmarks.profiling.workload import OPS, STORAGES, LAYERS


def register(subparsers) -> None:
    p = subparsers.add_parser("profile", help="profile the workload with perf, py-spy, pyinstrument, cachegrind",
                              description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(store.DEFAULT_ROOT), metavar="ROOT",
                   help="output store root (default profiles/); results go to "
                        "ROOT/<commit12>[-dirty]@<machine>/")
    p.add_argument("--wait", action="store_true",
                   help="if another process writes the run folder, wait for it instead of failing")
    p.add_argument("--quick", action="store_true", help="shorter sampling runs (0.5 s instead of 2 s each)")
    p.add_argument("--only", metavar="REGEX", help="profile only the default configurations whose name matches")
    p.add_argument("--frequency", type=int, default=profiling.DEFAULT_FREQUENCY, metavar="HZ",
                   help=f"perf sampling frequency (default {profiling.DEFAULT_FREQUENCY})")
    p.add_argument("--call-graph", choices=("fp", "dwarf"), default="fp",
                   help="perf unwinding: frame pointers (default) or DWARF")
    p.add_argument("--cache-model", metavar="D1=size,assoc,line:LL=...",
                   help="cachegrind's simulated caches (default: this machine's L1d and L2)")
    p.add_argument("--no-levels", action="store_true",
                   help="skip the level sweep (simulated misses at each cache level of this machine, "
                        "every suite size; on by default for the default pass without --only)")
    custom = p.add_argument_group("a custom configuration (instead of the default pass)")
    custom.add_argument("--op", choices=OPS)
    custom.add_argument("--n", type=int, default=None)
    custom.add_argument("--storage", choices=STORAGES, default="stack")
    custom.add_argument("--prefetch", type=int, default=0)
    custom.add_argument("--layer", choices=LAYERS, default="native")
    custom.add_argument("--map", choices=("classic", "swiss"), default="classic",
                        help="the map: Go 1.19's classic map or Go 1.24's Swiss table")
    custom.add_argument("--tools", default=None,
                        help="comma list of perf,cache,pyspy,pyinstrument,callgrind (default: by layer)")
    p.set_defaults(func=run)


def custom_config(args) -> profiling.Config:
    if args.n is not None and args.n <= 0:
        raise InputError("--n must be positive")
    if args.prefetch < 0:
        raise InputError("--prefetch must be 0 (off) or a positive distance")
    default_tools = ("perf", "cache") if args.layer == "native" else ("pyspy", "pyinstrument")
    tools = tuple(t.strip() for t in args.tools.split(",")) if args.tools else default_tools
    unknown = set(tools) - {"perf", "cache", "pyspy", "pyinstrument", "callgrind"}
    if unknown:
        raise InputError(f"--tools: unknown tool(s) {', '.join(sorted(unknown))}")
    return profiling.Config(args.op or "iterate", args.n or profiling.SMALL, args.storage, args.prefetch,
                            args.layer, tools, map=args.map)


def run(args) -> int:
    if args.frequency <= 0:
        raise InputError("--frequency must be positive")
    model = cachegrind.parse_model(args.cache_model) if args.cache_model else None
    options = profiling.Options(quick=args.quick, frequency=args.frequency, call_graph=args.call_graph,
                                cache_model=model)
    options.levels = not (args.no_levels or args.only or args.op or args.n is not None or model)
    if args.op or args.n is not None:
        if args.only:
            raise InputError("--only selects among the default configurations; drop it with --op/--n")
        configs = [custom_config(args)]
    else:
        configs = profiling.plan(quick=args.quick, only=args.only)
        if not configs:
            raise InputError(f"--only {args.only!r} matches no configuration")
    out = store.run_dir(Path(args.out), store.current_revision())
    with store_lock.hold(out, wait=args.wait):
        profiling.run_pass(out, configs, options)
    return 0
