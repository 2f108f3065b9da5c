"""`mapbench report [RUN]`: report.html for a run, index.html over the store.

RUN is a run folder or a commit-ish whose run is in the store (default: the newest run).
This command reads the run folder's files into an `mapbench.analysis.render.report.RunView` and writes
what mapbench.analysis.render.report renders: `<run>/report.html` (findings from
mapbench.analysis.stats.findings first), `<root>/index.html` and one history plot per
benchmark family, `<root>/history/<family>.svg`. The layout table comes from meta.json's `layout`
(the shape of `native.layout()`), else from the installed native module, labelled so.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyperf

from mapbench.analysis.render import history, report
from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.stats import findings
from mapbench.benchmarks import store

HISTORY_FOLDER = "history"


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="write report.html for a run and index.html over the store",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("run", metavar="RUN", nargs="?",
                   help="run folder or commit-ish (default: the newest run)")
    p.add_argument("--out", metavar="ROOT", default=str(store.DEFAULT_ROOT),
                   help="store root (default: profiles)")
    p.set_defaults(func=run)


def _read_json(path: Path) -> dict | None:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _load_suite(path: Path) -> pyperf.BenchmarkSuite | None:
    if not path.is_file():
        return None
    try:
        return pyperf.BenchmarkSuite.load(str(path))
    except (ValueError, KeyError, TypeError, OSError):
        return None


def _rel(run: Path, paths) -> list[str]:
    return sorted(p.relative_to(run).as_posix() for p in paths if p.is_file())


def _plots(run: Path) -> list[str]:
    """SVG where there is one, else PNG, per plot name."""
    chosen = {}
    for path in sorted((run / "plots").glob("*")):
        if path.suffix in report.PLOT_SUFFIXES and path.is_file():
            if path.stem not in chosen or path.suffix == ".svg":
                chosen[path.stem] = path
    return _rel(run, chosen.values())


def _layout(meta: dict) -> tuple[dict | None, str]:
    if isinstance(meta.get("layout"), dict):
        return meta["layout"], "meta.json `layout`, recorded with the run"
    try:
        from mapbench.native import layout
        return layout(), "the installed native module now (not recorded with this run)"
    except Exception:                                       # noqa: BLE001 - optional view
        return None, ""


def _summary(suite: pyperf.BenchmarkSuite | None, peers: dict | None) -> str | None:
    if suite is None:
        return None
    try:
        from mapbench.analysis.render import benchsummary
        return benchsummary.summary_markdown(benchsummary.results_from_suite(suite), peers=peers)
    except Exception as exc:                                # noqa: BLE001 - keep the report
        return f"(summary tables unavailable: {type(exc).__name__}: {exc})"


def _findings(suite: pyperf.BenchmarkSuite | None, peers: dict | None, counts: dict | None,
              notes: list[str]) -> tuple[list[findings.Finding], str]:
    """(the run's findings, the note on their test); a failure becomes a note, not a crash."""
    if suite is None:
        return [], ""
    data = findings.RunData(suite, peers, counts=counts)
    try:
        found = findings.findings(data)
    except Exception as exc:                                # noqa: BLE001 - keep the report
        notes.append(f"findings unavailable: {type(exc).__name__}: {exc}")
        return [], ""
    return found, findings.method_note(data.method) if found else ""


def collect_run(run: Path) -> report.RunView:
    meta = _read_json(run / "meta.json") or {}
    suite = _load_suite(run / "bench.json")
    notes = []
    if (run / "bench.json").is_file() and suite is None:
        notes.append("bench.json is not a readable pyperf suite")
    profile = _read_json(run / "profile.json") or {}
    notes += [str(m) for m in profile.get("messages", [])]
    peers = _read_json(run / "peers.json")
    found, method_note = _findings(suite, peers, _read_json(run / "counts.json"), notes)
    layout, layout_source = _layout(meta)
    cachemiss_md = (run / "cachemiss.md").read_text() if (run / "cachemiss.md").is_file() else None
    files = _rel(run, [run / name for name in ("bench.json", "meta.json", "profile.json", "peers.json",
                                               "cachemiss.json", "cachemiss.md", "summary.md")])
    files += _rel(run, (run / "pprof").glob("*.pb.gz"))
    files += _rel(run, (run / "pyinstrument").glob("*.html"))
    files += _rel(run, (run / "folded").glob("*.folded"))
    files += _rel(run, (run / "peers").glob("*.txt"))
    return report.RunView(
        name=run.name, meta=meta, suite=suite, summary_md=_summary(suite, peers),
        cachemiss_md=cachemiss_md, layout=layout, layout_source=layout_source,
        plots=_plots(run), flames=_rel(run, (run / "flame").glob("*.svg")), files=files,
        compares=_rel(run, (run / "compare").glob("*/compare.html")), notes=notes,
        findings=found, findings_method=method_note)


def write_run_report(run: Path) -> Path:
    return write_atomic(run / "report.html", report.render_run_report(collect_run(run)))


def write_index(root: Path) -> Path:
    runs = [report.IndexRun(p.name, _read_json(p / "meta.json") or {},
                            _load_suite(p / "bench.json"), (p / "report.html").is_file(),
                            _rel(root, (p / "compare").glob("*/compare.html")))
            for p in store.list_runs(root)]
    labels = [r.name for r in runs]
    plots = []
    counts = [_read_json(p / "counts.json") for p in store.list_runs(root)]
    for family, variants in history.family_history([r.suite for r in runs], counts).items():
        rel = f"{HISTORY_FOLDER}/{history.family_slug(family)}.svg"
        write_atomic(root / rel, history.plot_family_svg(family, variants, labels))
        plots.append((family, rel))
    return write_atomic(root / "index.html", report.render_index(runs, plots))


def run(args) -> int:
    root = Path(args.out)
    target = store.find_run(args.run, root) if args.run else store.newest_run(root)
    if not target.resolve().is_relative_to(root.resolve()):
        print(f"note: {target} is outside the store {root}/; index.html covers {root}/ only")
    path = write_run_report(target)
    print(f"wrote {path}")
    if root.is_dir():
        print(f"wrote {write_index(root)} ({len(store.list_runs(root))} runs)")
    return 0
