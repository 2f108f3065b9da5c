"""`mapbench history REV_RANGE`: the quick suite at each commit of a range, into one store.

For each commit of `git rev-list --reverse REV_RANGE` (oldest first), in a temporary
folder: `git worktree add --detach`, a fresh venv that sees this interpreter's packages
(so the dependencies need no network), the commit's declared build backend taken from
this environment, else the suite's wheel cache, else pip's indexes (see
benchmarks/history/commit_build.py), `pip install --no-deps --no-build-isolation` of the worktree
(which builds its native module), then that commit's own `mapbench bench --out ROOT` with
cwd in the worktree, so the run lands in `ROOT/<commit12>@<machine>/` (`ROOT/<commit12>/`
for commits from before machine ids). The worktree and venv are removed afterwards. A
failed build's note is the backend's first error line; pip's whole output is kept in
`ROOT/history-logs/<commit12>.build.log`.

One history per machine and store at a time (the lock `ROOT/.history@<machine>.lock`);
each commit's bench also locks its own run folder, so a `mapbench bench` of the same
commit at the same time fails instead of mixing with it.

Resumable: a commit whose run on this machine is already complete is skipped, and so is
one that failed to build before (recorded in `ROOT/history.json`; --retry-failed tries
again). Stop it any time; run the same command again to go on.
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
