"""`mapbench bisect GOOD BAD --bench REGEX`: the first commit between GOOD and BAD that changed a benchmark.

The arguments only; how it searches is told in mapbench.benchmarks.history.bisect.
"""
from __future__ import annotations

from pathlib import Path

from mapbench.benchmarks.commands.history import add_cluster_arguments
from mapbench.benchmarks.history.bisect import METRICS, run
from mapbench.benchmarks.store import runs as store


def register(subparsers) -> None:
    p = subparsers.add_parser("bisect", help="find the commit that changed a benchmark",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("good", metavar="GOOD", help="a commit before the change")
    p.add_argument("bad", metavar="BAD", help="a later commit after it")
    p.add_argument("--bench", metavar="REGEX", required=True,
                   help="the one benchmark to follow, e.g. '^iterate/storage=stack/prefetch=0/n=1024$'")
    p.add_argument("--metric", choices=METRICS, default="instructions",
                   help="instructions: callgrind's count per element (default; exact, so "
                        "commits run in parallel); time: pyperf's mean, timed one per host")
    p.add_argument("--out", metavar="ROOT", default=str(store.DEFAULT_ROOT),
                   help="store root whose runs are reused and where new ones go (default: profiles)")
    p.add_argument("--bench-args", metavar="ARGS", default="",
                   help="more arguments for each commit's `mapbench bench`, one string")
    p.add_argument("--wheel-cache", metavar="DIR", type=Path, default=None,
                   help="build requirements kept as wheels (as for `mapbench history`)")
    p.add_argument("--repo", metavar="DIR", default=".",
                   help="the git checkout to search (default: current folder)")
    p.add_argument("--wait", action="store_true",
                   help="if a history or bisect runs on this machine and store, wait for it")
    add_cluster_arguments(p)
    p.set_defaults(func=run)
