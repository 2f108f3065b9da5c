"""`mapbench report [RUN]`: report.html for a run, index.html over the store.

RUN is a run folder or a commit-ish whose run is in the store (default: the newest run of
this machine; --machine picks another). The index lists every run with its machine; its
history plots cover the runs of RUN's machine only.
This command reads the run folder's files into an `mapbench.analysis.render.report.RunView` and writes
what mapbench.analysis.render.report renders: `<run>/report.html` (findings from
mapbench.analysis.stats.findings first), `<root>/index.html` and one history plot per
benchmark family, `<root>/history/<family>.svg`. The layout table comes from meta.json's `layout`
(the shape of `native.layout()`), else from the installed native module, labelled so.
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
