"""`mapbench history REV_RANGE`: the quick suite at each commit of a range, into one store.

Every commit of `git rev-list --reverse --first-parent REV_RANGE` (oldest first: the
mainline, as asv's range and `mapbench bisect` walk it; a merged branch's own commits are
not visited, its merge commit is) is one task on a Dask
cluster (benchmarks/history/cluster.py: an embedded LocalCluster of --workers processes,
or --scheduler's): the commit travels to a worker as a shallow git repository, is built
there in its own temporary venv (benchmarks/history/commit_build.py: the commit's declared
build backend from the worker's environment, else its wheel cache, else pip's indexes),
and benchmarked with its own `mapbench bench` (benchmarks/history/commit_task.py). The run
folder comes back as bytes and lands in `ROOT/<commit12>@<machine>/` (`ROOT/<commit12>/`
for commits from before machine ids), the layout a single `mapbench bench` writes
(benchmarks/history/shipping.py, fanout.py). `--workers 1` is the same code path. A
failed build's note is the backend's first error line; pip's whole output is kept in
`ROOT/history-logs/<commit12>.build.log`. Count-only bench args run side by side;
timed ones one per host (the `timing` worker resource).

One history per client machine and store at a time (the lock `ROOT/.history@<machine>.lock`);
each landing run folder is written under its own writer lock, so a `mapbench bench` of the
same commit at the same time cannot mix with it.

Resumable: a commit whose run on this machine (with --scheduler: on a worker's machine)
is already complete is skipped, and so is
one that failed to build before (recorded in `ROOT/history.json`; --retry-failed tries
again). Stop it any time; run the same command again to go on.
"""
from __future__ import annotations

import datetime
import json
import shlex
import subprocess
import time
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.history import cluster, commit_task, fanout
from mapbench.benchmarks.history.stored_runs import run_complete
from mapbench.benchmarks.store import machine as machines, runs as store, lock as store_lock
from mapbench.benchmarks.store import run_folder

NOTES_FILE = run_folder.HISTORY          # in the store root: commit -> what happened (and where)
NOTES_LOCK = ".history.json.lock"     # held while history.json is read and rewritten
BUILD_LOGS = "history-logs"         # in the store root: <commit12>.build.log of a failed build
BUILD_FAILED, NO_BENCH = commit_task.BUILD_FAILED, commit_task.NO_BENCH
BENCH_FAILED, DONE = commit_task.BENCH_FAILED, commit_task.DONE
SKIP_ON_RESUME = (BUILD_FAILED, NO_BENCH)


def git(args: list[str], cwd: Path) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise InputError(f"git {' '.join(args)}: {lines[-1] if lines else 'failed'}")
    return proc.stdout.strip()


def commits_in(rev_range: str, repo: Path) -> list[tuple[str, str]]:
    """(sha, subject) oldest first along first parents, as `git rev-list --reverse
    --first-parent REV_RANGE` orders them (asv's ranges do the same)."""
    out = git(["log", "--reverse", "--first-parent", "--format=%H %s", rev_range, "--"], repo)
    commits = [(line[:40], line[41:]) for line in out.splitlines() if len(line) >= 40]
    if not commits:
        raise InputError(f"{rev_range!r} names no commits (try OLD..NEW, e.g. HEAD~3..HEAD)")
    return commits


def load_notes(root: Path) -> dict:
    try:
        doc = json.loads((root / NOTES_FILE).read_text())
        return doc if isinstance(doc, dict) else {}
    except (OSError, ValueError):
        return {}


def save_note(root: Path, commit: str, status: str, note: str, seconds: float,
              machine: str | None = None, **where) -> dict:
    # Histories of other machines may share the store: read-modify-write under a lock.
    with store_lock.hold(root, lock_name=NOTES_LOCK, wait=True):
        notes = load_notes(root)
        notes[commit] = {"status": status, "note": note, "seconds": round(seconds, 1),
                         "machine": machine, "date": datetime.datetime.now(
                             datetime.timezone.utc).isoformat(timespec="seconds"), **where}
        write_atomic(root / NOTES_FILE, json.dumps(notes, indent=2, sort_keys=True) + "\n")
        return notes[commit]


def _last_lines(text: str, n: int = 2) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-n:]) if lines else "no output"


def save_build_log(root: Path, commit: str, log: list[str]) -> Path:
    path = root / BUILD_LOGS / f"{commit[:store.COMMIT_CHARS]}.build.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, "".join(log))
    return path


def history_lock(root: Path, machine: str, wait: bool):
    """One history (or bisect) per machine and store at a time: `ROOT/.history@<machine>.lock`."""
    return store_lock.hold(root, lock_name=f".history{store.MACHINE_SEP}{machine}.lock", wait=wait)


def run(args) -> int:
    root = Path(args.out)
    machine = machines.this_machine_id()
    with history_lock(root, machine, args.wait):
        return _run_locked(args, root, machine)


def _run_locked(args, root: Path, machine: str) -> int:
    repo = Path(args.repo)
    try:
        bench_args = shlex.split(args.bench_args)
    except ValueError as exc:
        raise InputError(f"--bench-args: {exc}") from None
    top = Path(git(["rev-parse", "--show-toplevel"], repo))
    commits = commits_in(args.rev_range, top)
    notes = load_notes(root)
    wheel_cache = args.wheel_cache
    started = time.monotonic()
    with cluster.open_cluster(args.workers, args.scheduler) as client:
        machines_here = cluster.worker_machines(client) if args.scheduler else {machine}
        where = cluster.describe(client, args.scheduler)
        if not cluster.counts_only(bench_args) and cluster.timing_capacity(client) == 0:
            raise InputError(f"these bench args time, and no worker of {where} offers the "
                             f"`{cluster.TIMING}` resource: start one worker per host with "
                             f"--resources \"{cluster.TIMING}=1\", or add --counts-only")
        others = sorted(set(store.machines_in(root)) - machines_here)
        mode = ("count-only benches, side by side" if cluster.counts_only(bench_args)
                else f"timed benches, one at a time per `{cluster.TIMING}` worker")
        print(f"history: {len(commits)} commits on {where} ({mode}) into {root}/"
              + (f" (the store also holds runs of {', '.join(others)})" if others else ""),
              flush=True)
        heads, todo, skipped = {}, [], 0
        for k, (commit, subject) in enumerate(commits, 1):
            head = f"history: commit {k} of {len(commits)} {commit[:12]} {subject[:60]!r}"
            heads[commit] = head
            if any(run_complete(root, commit, m, cluster.counts_only(bench_args))
                   for m in machines_here):
                print(f"{head}: already in {root}/, skipped", flush=True)
                skipped += 1
                continue
            previous = notes.get(commit, {})
            if previous.get("status") in SKIP_ON_RESUME and not args.retry_failed:
                print(f"{head}: skipped, {previous['status']} before ({previous.get('note', '')}); "
                      f"--retry-failed to try again", flush=True)
                skipped += 1
                continue
            todo.append((commit, subject))
        runner = fanout.CommitRunner(client, root, top, bench_args, wheel_cache,
                                     save_note, save_build_log, machines_here)
        results = runner.run(todo, heads)
    ran = sum(1 for note in results.values() if note["status"] == DONE)
    print(f"history: {ran} run, {skipped} skipped, {len(results) - ran} "
          f"failed of {len(commits)} commits in {time.monotonic() - started:.0f} s; "
          f"notes in {root / NOTES_FILE}; `mapbench report --out {root}` for the index")
    return 0
