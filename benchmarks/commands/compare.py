"""`mapbench compare BASE [HEAD]`: did HEAD make the map slower than BASE, and where?

The arguments only; how it works is told in mapbench.benchmarks.comparison.compare_runs.
"""
from __future__ import annotations



from mapbench.analysis.stats import compare
from mapbench.benchmarks.store import runs as store
from mapbench.benchmarks.comparison import count_side as compare_counts, github_comment
from mapbench.benchmarks.comparison.compare_runs import run


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "compare", help="compare two runs: significance, differential flame graphs, cache deltas",
        description=__doc__.split("\n\n")[0])
    p.add_argument("base", metavar="BASE", help="run folder or commit-ish of the baseline")
    p.add_argument("head", metavar="HEAD", nargs="?",
                   help="run folder or commit-ish to judge (default: the newest run)")
    p.add_argument("--out", metavar="ROOT", default=str(store.DEFAULT_ROOT),
                   help="store root holding the runs (default: profiles)")
    p.add_argument("--fail-on-regression", metavar="PCT", type=float, default=None,
                   help="exit 1 if a benchmark is significantly slower by more than PCT percent")
    p.add_argument("--min-effect", metavar="PCT", type=float, default=None,
                   help="smallest change in percent that counts (default: what `mapbench "
                        f"calibrate` measured, else {compare.DEFAULT_MIN_EFFECT * 100:g})")
    p.add_argument("--alpha", type=float, default=compare.DEFAULT_ALPHA,
                   help=f"significance level of the test (default {compare.DEFAULT_ALPHA:g})")
    p.add_argument("--statistic", choices=compare.STATISTICS, default=compare.DEFAULT_STATISTIC,
                   help=compare.STATISTIC_HELP)
    p.add_argument("--allow-other-machine", action="store_true",
                   help="compare runs made on different machines anyway")
    p.add_argument("--machine", metavar="ID", default=None,
                   help="pick runs of this machine id when BASE/HEAD are commits or HEAD is "
                        "left out ('any': any machine; default: this machine for HEAD, HEAD's for BASE)")
    p.add_argument("--pass", dest="head_pass", metavar="PASS", default=None,
                   help="compare only HEAD's benchmarks from one pass of `mapbench bench`: "
                        "'latest' or a pass id (meta.json passes)")
    p.add_argument("--base-pass", metavar="PASS", default=None,
                   help="the same for BASE")
    compare_counts.add_arguments(p)
    github_comment.add_arguments(p)
    p.set_defaults(func=run)
