"""`mapbench report [RUN]`: report.html for a run, index.html over the store.

The arguments only; how it works is told in mapbench.benchmarks.report.run_report.
"""
from __future__ import annotations



from mapbench.benchmarks.store import runs as store
from mapbench.benchmarks.report.run_report import run


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="write report.html for a run and index.html over the store",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("run", metavar="RUN", nargs="?",
                   help="run folder or commit-ish (default: the newest run)")
    p.add_argument("--out", metavar="ROOT", default=str(store.DEFAULT_ROOT),
                   help="store root (default: profiles)")
    p.add_argument("--machine", metavar="ID", default=None,
                   help="when RUN is a commit or left out, a run of this machine id "
                        "('any': any machine; default: this machine)")
    p.set_defaults(func=run)
