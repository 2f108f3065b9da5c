"""`mapbench calibrate [--quick]`: the suite proves its own comparisons on this machine.

The arguments only; how it works is told in mapbench.benchmarks.timing.calibration.
"""
from __future__ import annotations



from mapbench.analysis.stats import compare
from mapbench.benchmarks.store import runs as store
from mapbench.benchmarks.timing.calibration import FULL_LEVELS, MIN_DEFAULT_ROUNDS, MODE, QUICK_LEVELS, calibration_benchmarks, run


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calibrate", help="A/A and injected-slowdown runs: does compare hold on this machine?",
        description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help=f"{len(calibration_benchmarks(True))} benchmarks, slowdowns "
                        f"{', '.join(map(str, QUICK_LEVELS))}%% (a few minutes)")
    p.add_argument("--only", metavar="REGEX", default=None,
                   help="calibrate on these benchmark names instead (regular expression over "
                        "the suite's names)")
    p.add_argument("--levels", metavar="PCT,PCT", default=None,
                   help="injected slowdowns to try, in percent (default: "
                        f"{','.join(map(str, QUICK_LEVELS))} with --quick, else "
                        f"{','.join(map(str, FULL_LEVELS))})")
    p.add_argument("--mode", default=MODE, choices=("fast", "quick", "rigorous"),
                   help=f"pyperf preset of the suite (default {MODE}, what `mapbench bench` uses)")
    p.add_argument("--rounds", type=int, metavar="N", default=None,
                   help="worker processes per benchmark and label, one per round (default: the "
                        f"mode's, as `mapbench bench`, and at least {MIN_DEFAULT_ROUNDS}; compare "
                        "with `mapbench bench --rounds N`)")
    p.add_argument("--min-effect", metavar="PCT", type=float,
                   default=compare.DEFAULT_MIN_EFFECT * 100,
                   help=f"minimum effect compare uses (default {compare.DEFAULT_MIN_EFFECT * 100:g})")
    p.add_argument("--statistic", choices=compare.STATISTICS, default=compare.DEFAULT_STATISTIC,
                   help=compare.STATISTIC_HELP)
    p.add_argument("--out", metavar="ROOT", default=str(store.DEFAULT_ROOT),
                   help="store root: calibration.json and calibrate/ go here (default: profiles)")
    p.add_argument("--no-counts", action="store_true",
                   help="calibrate the timed metric only (no callgrind count passes)")
    p.add_argument("--wait", action="store_true",
                   help="if another calibrate writes this store, wait for it instead of failing")
    p.set_defaults(func=run)
