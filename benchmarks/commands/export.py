"""`mapbench export RUN --format F`: a run's results for benchstat, Bencher, speedscope or asv.

The arguments only; how it works is told in mapbench.benchmarks.exports.export_run.
"""
from __future__ import annotations

from mapbench.benchmarks.exports.export_run import FORMATS, run
from mapbench.benchmarks.store import runs as store


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="write a run's results as benchstat text, Bencher JSON (bmf), "
                       "speedscope or an asv results tree",
        description=__doc__.split("\n\n")[0])
    p.add_argument("run", metavar="RUN", nargs="?",
                   help="run folder or commit-ish (default: the newest run); with --format asv, "
                        "the store root (default: --out)")
    p.add_argument("--format", metavar="F", required=True,
                   help=f"one of {', '.join(FORMATS)}")
    p.add_argument("--to", metavar="PATH", default=None,
                   help="write here instead of stdout (asv: the folder of the asv tree, required); "
                        "never inside the store")
    p.add_argument("--with-peers", action="store_true",
                   help="benchstat/bmf: add the Go peers of the run (peers.json), named so one "
                        "benchstat table puts ours and Go's side by side (-col /impl)")
    p.add_argument("--out", metavar="ROOT", default=str(store.DEFAULT_ROOT),
                   help="store root holding the runs (default: profiles)")
    p.add_argument("--machine", metavar="ID", default=None,
                   help="when RUN is a commit or left out, a run of this machine id "
                        "('any': any machine; default: this machine)")
    p.set_defaults(func=run)
