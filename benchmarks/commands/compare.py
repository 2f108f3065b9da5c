"""`mapbench compare BASE [HEAD]`: did HEAD make the map slower than BASE, and where?

BASE and HEAD are run folders or commit-ishes whose run is in the store (HEAD defaults to
the newest run); commit-ishes pick runs of this machine (HEAD) and of HEAD's machine (BASE)
unless --machine names another. When a run folder mixes passes of `mapbench bench`, the
output says which pass each benchmark came from; --pass/--base-pass compare one pass. Writes, into HEAD's run folder under `compare/vs-<BASE run>/` (or
`vs-<store>-<run>` when both are runs of one commit in two stores): compare.md, compare.html, `diffflame/<configuration>.svg` for each profiled
configuration folded in both runs, the cache-miss deltas from both cachemiss.json, and
the Go peers of both peers.json as context (mapbench.analysis.stats.peers_context: no verdict).
The statistics are mapbench.analysis.stats.compare's (a test + a minimum effect), stated in
the output. `--fail-on-regression PCT` exits 1 when a benchmark is significantly slower
by more than PCT percent: the CI gate. When both runs have counts.json, the counted
metrics are compared too (exactly, benchmarks/comparison/count_side.py) and, by
default, decide the verdict and the gate (`--metric`); runs with counts but no
bench.json are compared on counts alone.
"""
from __future__ import annotations



from mapbench.analysis.stats import compare
from mapbench.benchmarks.store import runs as store
from mapbench.benchmarks.comparison import count_side as compare_counts
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
    p.set_defaults(func=run)
