"""`mapbench calibrate [--quick]`: the suite proves its own comparisons on this machine.

It times a few iteration benchmarks several times with the same code:
  A1, A2   no slowdown: comparing them (A/A) must flag nothing -- every flag is a false positive;
  S<pct>   with MAPBENCH_INJECT_SLOWDOWN_PCT=<pct>, which makes the native iteration
           kernels spend <pct> percent extra time in `calibration_spin` inside their timed
           region (read by `native` at import; the suite passes MAPBENCH_* variables
           on to pyperf's workers with --inherit-environ): A1 vs S<pct> must flag it.
With a count pass (valgrind installed; benchmarks/counts/calibrate_counts.py) it also
calibrates the counted metric: A/A of counts, and injected *work* (MAPBENCH_INJECT_WORK_PCT
1 and 10) flagged on every benchmark. Exit 0 when the counted metric passes and the timed
A/A flags nothing; without valgrind, exit 0 only when A/A flags nothing and the 10 %
slowdown is flagged on every benchmark.
It prints the false-positive count, the change each injected slowdown measured, the
smallest slowdown detected on every benchmark, and the machine's process noise with the
rounds it estimates a 10% check needs (analysis/process_noise.py); it writes
`<ROOT>/calibration.json` (whose suggested minimum effect `mapbench compare` then uses
by default) and keeps the runs' pyperf suites under `<ROOT>/calibrate/`.

Runs go through the suite script like `mapbench bench`'s (one worker process per
benchmark per round, `python -m mapbench.benchmarks.timing.suite --bench NAME --mode M -p 1`, the same
values and warmups), and the labels are interleaved round by round, so the calibration
measures the noise within one stretch of time. Two runs made minutes apart drift on
top of that; `mapbench compare` raises its threshold by what the control benchmarks
moved between them (analysis/stats/compare.py), which calibrate cannot see.
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
