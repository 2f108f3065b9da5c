"""`mapbench history REV_RANGE`: the quick suite at each commit of a range, into one store.

The arguments only; how it works is told in mapbench.benchmarks.history.commit_history.
"""
from __future__ import annotations

from pathlib import Path

from mapbench.benchmarks.store import runs as store
from mapbench.benchmarks.history.commit_history import run


def register(subparsers) -> None:
    p = subparsers.add_parser("history", help="run the quick suite at each commit of a range",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("rev_range", metavar="REV_RANGE",
                   help="commits as git rev-list takes them, e.g. main~5..main or v1..HEAD")
    p.add_argument("--out", metavar="ROOT", default=str(store.DEFAULT_ROOT),
                   help="store root the runs go to (default: profiles)")
    p.add_argument("--bench-args", metavar="ARGS", default="",
                   help="extra arguments for each commit's `mapbench bench`, one string, "
                        "e.g. \"--fast --only '^iterate/'\"")
    p.add_argument("--retry-failed", action="store_true",
                   help="try again the commits that failed to build in an earlier history run")
    p.add_argument("--wheel-cache", metavar="DIR", type=Path, default=None,
                   help="where the build requirements this environment lacks are kept as wheels, "
                        "so later runs need no network (default: $MAPBENCH_WHEEL_CACHE, else "
                        "~/.cache/mapbench/build-wheels)")
    p.add_argument("--repo", metavar="DIR", default=".",
                   help="the git checkout whose history to walk (default: current folder)")
    p.add_argument("--wait", action="store_true",
                   help="if another history runs on this machine and store, wait for it")
    p.set_defaults(func=run)
