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

from pathlib import Path

import pyperf

from mapbench.analysis.render import history, report
from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.stats import count_compare, count_steps, findings, time_steps
from mapbench.benchmarks.history import run_order
from mapbench.benchmarks.store import calibration_file
from mapbench.benchmarks.store import machine as machines, passes, runs as store
from mapbench.benchmarks.store import run_folder

HISTORY_FOLDER = "history"


def _read_json(path: Path) -> dict | None:
    return run_folder.RunFolder(path.parent).doc(path.name)


def _load_suite(path: Path) -> pyperf.BenchmarkSuite | None:
    return run_folder.RunFolder(path.parent).suite()


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
              notes: list[str], levels: dict | None = None, layout: dict | None = None,
              lines: dict | None = None) -> tuple[list[findings.Finding], str]:
    """(the run's findings, the note on their test); a failure becomes a note, not a crash."""
    if suite is None:
        return [], ""
    data = findings.RunData(suite, peers, counts=counts, levels=levels, layout=layout, lines=lines)
    try:
        found = findings.findings(data)
    except Exception as exc:                                # noqa: BLE001 - keep the report
        notes.append(f"findings unavailable: {type(exc).__name__}: {exc}")
        return [], ""
    return found, findings.method_note(data.method) if found else ""


def _lines(run: Path, notes: list[str]) -> dict | None:
    """The run's per-line data (lines.json.gz), or None; damaged data becomes a note."""
    from mapbench.analysis.errors import InputError
    from mapbench.benchmarks.counts.line_data_read import load_lines
    try:
        return load_lines(run)
    except InputError as exc:
        notes.append(str(exc))
        return None


def collect_run(run: Path) -> report.RunView:
    meta = _read_json(run / run_folder.META) or {}
    suite = _load_suite(run / run_folder.BENCH)
    notes = []
    if (run / run_folder.BENCH).is_file() and suite is None:
        notes.append("bench.json is not a readable pyperf suite")
    if suite is not None:
        notes += [line.strip() for line in passes.lines(run_folder.BENCH, passes.groups(run, suite, meta))]
    profile = _read_json(run / run_folder.PROFILE) or {}
    notes += [str(m) for m in profile.get("messages", [])]
    peers = _read_json(run / run_folder.PEERS)
    found, method_note = _findings(suite, peers, _read_json(run / run_folder.COUNTS), notes,
                                   _read_json(run / run_folder.CACHE_LEVELS), meta.get("layout"),
                                   _lines(run, notes))
    layout, layout_source = _layout(meta)
    cachemiss_md = (run / run_folder.CACHEMISS_MD).read_text() if (run / run_folder.CACHEMISS_MD).is_file() else None
    files = _rel(run, [run / name for name in run_folder.DATA_FILES])
    files += _rel(run, (run / "pprof").glob("*.pb.gz"))
    files += _rel(run, (run / "pyinstrument").glob("*.html"))
    files += _rel(run, (run / "folded").glob("*.folded"))
    files += _rel(run, (run / "peers").glob("*.txt"))
    return report.RunView(
        name=run.name, meta=meta, suite=suite, summary_md=_summary(suite, peers),
        cachemiss_md=cachemiss_md, counts_md=_counts(run, notes), layout=layout,
        layout_source=layout_source,
        plots=_plots(run), flames=_rel(run, (run / "flame").glob("*.svg")), files=files,
        compares=_rel(run, (run / "compare").glob("*/compare.html")), notes=notes,
        findings=found, findings_method=method_note)


def _counts(run: Path, notes: list[str]) -> str | None:
    """The counted-metrics table of counts.json (benchmarks/counts/count_summary.py), or None."""
    from mapbench.analysis.errors import InputError
    from mapbench.benchmarks.counts import count_summary
    from mapbench.benchmarks.counts.count_pass import load_counts
    try:
        doc = load_counts(run)
    except InputError as exc:
        notes.append(str(exc))
        return None
    if doc is None:
        return None
    return count_summary.section(run, doc).split("\n", 2)[2]      # without the heading


def write_run_report(run: Path) -> Path:
    count_profiles(run)
    return write_atomic(run / run_folder.REPORT, report.render_run_report(collect_run(run)))


def count_profiles(run: Path) -> None:
    """pprof/counts-<bench>.pb.gz from the run's per-line data, where it has some."""
    from mapbench.analysis.errors import InputError
    from mapbench.benchmarks.counts.line_data_read import write_count_profiles
    try:
        write_count_profiles(run)
    except InputError as exc:
        import sys
        print(f"mapbench report: {exc}; no per-line pprof profiles", file=sys.stderr)


def _index_meta(run: Path) -> dict:
    meta = _read_json(run / run_folder.META) or {}
    if not isinstance(meta.get("machine"), dict):         # stored before machine ids
        meta["machine"] = {"id": store.run_machine(run) or "unrecorded"}
    return meta


def write_missing_reports(root: Path, done: Path) -> int:
    """report.html for each stored run that has none (a `mapbench history` leaves its runs
    without one, counts-only runs included); the number written."""
    written = 0
    for run_path in store.list_runs(root):
        if run_path.resolve() == done.resolve() or (run_path / run_folder.REPORT).is_file():
            continue
        write_run_report(run_path)
        written += 1
    return written


def counted_benchmarks(doc) -> int:
    benches = doc.get("benchmarks") if isinstance(doc, dict) else None
    return len(benches) if isinstance(benches, dict) else 0


def write_index(root: Path, machine: str | None = None) -> Path:
    """index.html over every run; history plots of the runs of `machine` (None: all), in
    commit order where history.json knows it, with the count steps (callgrind) and the
    time steps (pyperf, a change-point fit: analysis/stats/time_steps.py) marked."""
    stored = run_order.commit_order(root, store.list_runs(root))
    all_counts = [_read_json(p / run_folder.COUNTS) for p in stored]
    runs = [report.IndexRun(p.name, _index_meta(p),
                            _load_suite(p / run_folder.BENCH), (p / run_folder.REPORT).is_file(),
                            _rel(root, (p / "compare").glob("*/compare.html")),
                            counted_benchmarks(doc))
            for p, doc in zip(stored, all_counts)]
    mine = [machine is None or r.meta["machine"]["id"] in (machine, "unrecorded") for r in runs]
    plotted = [r for r, m in zip(runs, mine) if m]
    labels = [r.name for r in plotted]
    plots = []
    counts = [doc for doc, m in zip(all_counts, mine) if m]
    limit, origin = count_compare.threshold_from_calibration(
        calibration_file.read_calibration(root))
    steps = count_steps.steps(list(zip(labels, counts)), limit)
    marks = {(s.benchmark, s.index) for s in steps}
    timed = time_steps.time_steps([(r.name, _times(r.suite)) for r in plotted])
    time_marks = {(s.benchmark, s.index) for s in timed.steps}
    for family, variants in history.family_history([r.suite for r in plotted], counts).items():
        rel = f"{HISTORY_FOLDER}/{history.family_slug(family)}.svg"
        write_atomic(root / rel, history.plot_family_svg(family, variants, labels, steps=marks,
                                                         time_steps=time_marks))
        plots.append((family, rel))
    return write_atomic(root / "index.html", report.render_index(
        runs, plots, plots_machine=machine, steps=steps,
        steps_threshold=f"{limit:.2%} ({origin})", time_steps=timed))


def _times(suite) -> dict[str, float] | None:
    """ns/element (median, pyperf timing) of each timed benchmark of a run's suite."""
    if suite is None:
        return None
    return {bench.get_name(): report.ns_per_element(bench) for bench in suite.get_benchmarks()
            if bench.get_values() and bench.get_unit() == "second"}


def run(args) -> int:
    root = Path(args.out)
    machine = args.machine or machines.this_machine_id()
    if args.run:
        target = store.find_run(args.run, root, machine)
    else:
        target, note = store.newest_run_or_any(root, machine)
        if note and args.machine is None:
            print(note)
        elif note:
            target = store.newest_run(root, machine)    # --machine named: no fallback
    if not target.resolve().is_relative_to(root.resolve()):
        print(f"note: {target} is outside the store {root}/; index.html covers {root}/ only")
    path = write_run_report(target)
    print(f"wrote {path}")
    if root.is_dir():
        missing = write_missing_reports(root, target)
        if missing:
            print(f"wrote report.html of {missing} more run(s) that had none, so the index links every run")
    if root.is_dir():
        plotted = store.run_machine(target)
        counts = store.machines_in(root)
        print(f"wrote {write_index(root, plotted)} ({len(store.list_runs(root))} runs of "
              f"{len(counts)} machine(s): "
              + ", ".join(f"{m} {n}" for m, n in sorted(counts.items()))
              + (f"; history plots of machine {plotted}" if plotted else "") + ")")
    return 0
