"""`mapbench export STORE --format asv --to DIR`: every commit of one machine as an asv results tree.

The runs of the machine (--machine; default this machine, or the store's only machine) are
read with run_records; dirty runs and runs of an unknown commit are left out (asv keys
results by commit), and of several runs of one commit the newest is kept. asv.conf.json's
`repo` is the git checkout the command runs in (asv publish orders commits by it) and its
`branches` that checkout's branch. Then `asv publish --config DIR/asv.conf.json` and
`asv preview` build and serve asv's site. Nothing is written into the store.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.analysis.exports import asv_results
from mapbench.benchmarks.exports import run_records
from mapbench.benchmarks.store import machine as machines, runs as store

RESULTS = "results"
CONF = "asv.conf.json"


def _git(args: list[str]) -> str | None:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True)
    except FileNotFoundError:
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def _machine(root: Path, requested: str | None) -> str:
    found = store.machines_in(root)
    if not found:
        raise InputError(f"no runs in {root}/; run `mapbench bench` (or `mapbench history`) first")
    wanted = requested or machines.this_machine_id()
    if wanted in found:
        return wanted
    if requested is None and len(found) == 1:
        return next(iter(found))
    raise InputError(f"the store {root}/ has no runs of machine {wanted} (it has "
                     + ", ".join(f"{m} ({n})" for m, n in sorted(found.items()))
                     + "); pass --machine ID")


def _date_ms(meta: dict, run: Path) -> int:
    try:
        return int(datetime.fromisoformat(str(meta.get("date"))).timestamp() * 1000)
    except ValueError:
        return int(run.stat().st_mtime * 1000)


def collect(root: Path, machine: str) -> tuple[list[asv_results.Commit], dict, list[str]]:
    """(commits oldest first, the newest run's meta, notes)."""
    by_commit: dict[str, asv_results.Commit] = {}
    notes, meta = [], {}
    for run in store.list_runs(root, machine):
        if store.run_machine(run) != machine:
            continue
        try:
            records = run_records.read_run(run)
        except InputError as exc:
            notes.append(f"left out {run.name}: {exc}")
            continue
        commit = str(records.meta.get("commit") or "")
        if records.meta.get("dirty") or len(commit) != 40:
            notes.append(f"left out {run.name}: " + ("uncommitted changes (a -dirty run)"
                         if records.meta.get("dirty") else "no commit hash in its meta.json"))
            continue
        python = ".".join(str((records.meta.get("python") or {}).get("version") or "3").split(".")[:2])
        by_commit[commit] = asv_results.Commit(commit, _date_ms(records.meta, run), python,
                                               records.benchmarks)
        meta = records.meta
        notes += [f"{run.name}: {n}" for n in records.notes]
    if not by_commit:
        raise InputError(f"no clean run of a known commit of machine {machine} in {root}/: "
                         "nothing asv can key by commit")
    return sorted(by_commit.values(), key=lambda c: c.date_ms), meta, notes


def export_store(args) -> int:
    if not args.to:
        raise InputError("--format asv needs --to DIR, the folder of the asv tree")
    root, to = Path(args.run or args.out), Path(args.to)
    if to.resolve().is_relative_to(root.resolve()):
        raise InputError(f"--to {to} is inside the store {root}: export never writes into the store")
    machine = _machine(root, args.machine)
    commits, meta, notes = collect(root, machine)
    for note in notes:
        print(f"mapbench export: note: {note}", file=sys.stderr)
    repo = _git(["rev-parse", "--show-toplevel"])
    if repo is None:
        repo = "."
        print("mapbench export: note: not in a git checkout; set asv.conf.json `repo` to the "
              "checkout the commits come from before `asv publish`", file=sys.stderr)
    branch = _git(["rev-parse", "--abbrev-ref", "HEAD"])
    dump = lambda doc: json.dumps(doc, indent=2, sort_keys=True) + "\n"        # noqa: E731
    write_atomic(to / CONF, dump(asv_results.conf("mapbench", repo, [branch] if branch else ["main"])))
    described = asv_results.machine_json(machine, meta, *run_records.platform_parts(meta))
    write_atomic(to / RESULTS / machine / asv_results.MACHINE_FILE, dump(described))
    params = {k: v for k, v in described.items() if k != "version"}
    for c in commits:
        write_atomic(to / RESULTS / asv_results.results_filename(machine, c.commit, c.python),
                     dump(asv_results.results_json(c, machine, params)))
    write_atomic(to / RESULTS / asv_results.BENCHMARKS_FILE, dump(asv_results.benchmarks_json(commits)))
    print(f"wrote {to} ({len(commits)} commits of machine {machine}); then: "
          f"asv publish --config {to / CONF} && asv preview --config {to / CONF}", file=sys.stderr)
    return 0
