"""`mapbench export RUN --format F`: a run's results in another tool's format, on stdout or --to.

Formats (each formatter is in mapbench.analysis.exports):
  benchstat   Go's benchmark text format (`--with-peers`: the Go peers' lines too)
  bmf         Bencher Metric Format JSON
  speedscope  the run's folded stacks as one speedscope file, a profile per configuration
  asv         (STORE, --to DIR) an asv results tree of every run of one machine

Reads the store and never writes into it: a --to inside the store root or the run folder is
refused. A run with no counts exports time only and says so on stderr.
"""
from __future__ import annotations

import sys
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.analysis.exports import benchstat_text, bmf
from mapbench.benchmarks.exports import peer_records, run_records
from mapbench.benchmarks.store import machine as machines, run_folder, runs as store

FORMATS = ("benchstat", "bmf", "speedscope", "asv")


def benchstat_config(run: Path, meta: dict) -> list[tuple[str, str]]:
    goos, goarch = run_records.platform_parts(meta)
    cpu = (meta.get("cpu") or {}).get("model") or "unknown"
    commit = meta.get("commit") or "unknown"
    return [("goos", goos), ("goarch", goarch), ("cpu", cpu), ("pkg", "mapbench"),
            ("commit", f"{commit}{'-dirty' if meta.get('dirty') else ''}"),
            ("machine", store.run_machine(run) or "unrecorded"),
            ("op", "one map element: every unit is per element (ns/op: pyperf timing; "
                   "instructions, misses, est-cycles: callgrind simulation; B/op, allocs/op: "
                   "counting allocator)")]


def _refuse_store(target: Path, *inside: Path) -> None:
    t = target.resolve()
    for folder in inside:
        if t == folder.resolve() or t.is_relative_to(folder.resolve()):
            raise InputError(f"--to {target} is inside {folder}: export never writes into the "
                             "store; name a path outside it")


def _emit(text: str, to: str | None) -> None:
    if to is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {write_atomic(Path(to), text)}", file=sys.stderr)


def export_run(args, fmt: str) -> int:
    root = Path(args.out)
    machine = args.machine or machines.this_machine_id()
    run = run_records.resolve_run(args.run, root, machine)
    if args.to:
        _refuse_store(Path(args.to), root, run)
    if fmt == "speedscope":
        from mapbench.benchmarks.exports import profile_export
        _emit(profile_export.speedscope_text(run), args.to)
        return 0
    records = run_records.read_run(run)
    for note in records.notes:
        print(f"mapbench export: note: {note}", file=sys.stderr)
    benchmarks = list(records.benchmarks)
    if getattr(args, "with_peers", False):
        peers = peer_records.peer_records(run_folder.RunFolder(run).doc(run_folder.PEERS))
        if not peers:
            print(f"mapbench export: note: {run} has no usable {run_folder.PEERS}: no Go lines",
                  file=sys.stderr)
        benchmarks += peers
    if fmt == "benchstat":
        text = benchstat_text.render(benchstat_config(run, records.meta), benchmarks,
                                     records.counted_elements)
    else:
        text = bmf.render(benchmarks)
    _emit(text, args.to)
    return 0


def run(args) -> int:
    fmt = args.format
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt == "asv":
        from mapbench.benchmarks.exports import asv_store
        return asv_store.export_store(args)
    return export_run(args, fmt)
