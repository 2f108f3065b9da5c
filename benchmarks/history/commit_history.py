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

import datetime
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.history import commit_build
from mapbench.benchmarks.store import machine as machines, runs as store, lock as store_lock
from mapbench.benchmarks.store import run_folder

NOTES_FILE = run_folder.HISTORY          # in the store root: commit -> what happened (and where)
NOTES_LOCK = ".history.json.lock"     # held while history.json is read and rewritten
BUILD_LOGS = "history-logs"         # in the store root: <commit12>.build.log of a failed build
BUILD_FAILED = "build failed"
NO_BENCH = "no mapbench bench at this commit"
BENCH_FAILED = "bench failed"
DONE = "done"
SKIP_ON_RESUME = (BUILD_FAILED, NO_BENCH)


def git(args: list[str], cwd: Path) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise InputError(f"git {' '.join(args)}: {lines[-1] if lines else 'failed'}")
    return proc.stdout.strip()


def commits_in(rev_range: str, repo: Path) -> list[tuple[str, str]]:
    """(sha, subject) oldest first, as `git rev-list --reverse REV_RANGE` orders them."""
    out = git(["log", "--reverse", "--format=%H %s", rev_range, "--"], repo)
    commits = [(line[:40], line[41:]) for line in out.splitlines() if len(line) >= 40]
    if not commits:
        raise InputError(f"{rev_range!r} names no commits (try OLD..NEW, e.g. HEAD~3..HEAD)")
    return commits


def commit_runs(root: Path, commit: str, machine: str) -> list[Path]:
    """Run folders of this commit (clean checkout) measured on `machine`, with or without
    the machine in their name (commits from before machine ids write `<commit12>/`)."""
    short = commit[:store.COMMIT_CHARS]
    return [run for run in (root / f"{short}{store.MACHINE_SEP}{machine}", root / short)
            if (run / run_folder.META).is_file() and store.run_machine(run) in (machine, None)]


def run_complete(root: Path, commit: str, machine: str) -> bool:
    """The store holds a finished bench run of this commit (clean checkout) on `machine`."""
    for run in commit_runs(root, commit, machine):
        if not (run / run_folder.BENCH).is_file():
            continue
        try:
            bench = json.loads((run / run_folder.META).read_text()).get("bench") or {}
        except ValueError:
            continue
        if bench.get("status", "complete") in ("complete", "failed"):
            return True
    return False


def load_notes(root: Path) -> dict:
    try:
        doc = json.loads((root / NOTES_FILE).read_text())
        return doc if isinstance(doc, dict) else {}
    except (OSError, ValueError):
        return {}


def save_note(root: Path, commit: str, status: str, note: str, seconds: float,
              machine: str | None = None) -> None:
    # Histories of other machines may share the store: read-modify-write under a lock.
    with store_lock.hold(root, lock_name=NOTES_LOCK, wait=True):
        notes = load_notes(root)
        notes[commit] = {"status": status, "note": note, "seconds": round(seconds, 1),
                         "machine": machine, "date": datetime.datetime.now(
                             datetime.timezone.utc).isoformat(timespec="seconds")}
        write_atomic(root / NOTES_FILE, json.dumps(notes, indent=2, sort_keys=True) + "\n")


def _last_lines(text: str, n: int = 2) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-n:]) if lines else "no output"


def save_build_log(root: Path, commit: str, log: list[str]) -> Path:
    path = root / BUILD_LOGS / f"{commit[:store.COMMIT_CHARS]}.build.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, "".join(log))
    return path


def build_and_bench(commit: str, repo: Path, root: Path, bench_args: list[str],
                    work: Path, wheel_cache: Path, machine: str, say=print) -> tuple[str, str]:
    """(status, note) for one commit, run in `work` (a fresh temporary folder)."""
    src = work / "src"
    git(["worktree", "add", "--detach", "--quiet", str(src), commit], repo)
    try:
        python = commit_build.make_venv(work / "venv")
        built = commit_build.build(python, src, wheel_cache, say)
        if not built.ok:
            log = save_build_log(root, commit, built.log) if built.log else None
            return BUILD_FAILED, built.note + (f" (pip's output: {log})" if log else "")
        say(built.note)
        if not (src / "benchmarks" / "commands" / "bench.py").is_file():
            return NO_BENCH, "benchmarks/commands/bench.py does not exist there"
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)          # the worktree's own code, not this checkout's
        # The commit's own console script: it knows its layout (older commits install
        # top-level packages, newer ones the mapbench namespace).
        script = python.parent / "mapbench"
        if not script.is_file():
            return NO_BENCH, "its install made no `mapbench` command"
        bench = subprocess.run([str(script), "bench",
                                "--out", str(root.resolve()), *bench_args],
                               cwd=src, env=env, stdout=None, stderr=subprocess.PIPE, text=True)
        if bench.returncode == 130:
            raise KeyboardInterrupt
        if not commit_runs(root, commit, machine):
            return BENCH_FAILED, f"exit {bench.returncode}: {_last_lines(bench.stderr)}"
        if bench.returncode != 0:
            return BENCH_FAILED, (f"exit {bench.returncode}, partial results kept: "
                                  f"{_last_lines(bench.stderr)}")
        return DONE, built.note
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(src)], cwd=repo,
                       capture_output=True)
        subprocess.run(["git", "worktree", "prune"], cwd=repo, capture_output=True)


def run(args) -> int:
    root = Path(args.out)
    machine = machines.this_machine_id()
    with store_lock.hold(root, lock_name=f".history{store.MACHINE_SEP}{machine}.lock",
                         wait=args.wait):
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
    wheel_cache = args.wheel_cache or commit_build.default_wheel_cache()
    counts = {"ran": 0, "skipped": 0, "failed": 0}
    started = time.monotonic()
    others = sorted(set(store.machines_in(root)) - {machine})
    print(f"history: {len(commits)} commits on machine {machine} into {root}/"
          + (f" (the store also holds runs of {', '.join(others)})" if others else ""), flush=True)
    for k, (commit, subject) in enumerate(commits, 1):
        head = f"history: commit {k} of {len(commits)} {commit[:12]} {subject[:60]!r}"
        if run_complete(root, commit, machine):
            print(f"{head}: already in {root}/, skipped", flush=True)
            counts["skipped"] += 1
            continue
        previous = notes.get(commit, {})
        if previous.get("status") in SKIP_ON_RESUME and not args.retry_failed:
            print(f"{head}: skipped, {previous['status']} before ({previous.get('note', '')}); "
                  f"--retry-failed to try again", flush=True)
            counts["skipped"] += 1
            continue
        print(f"{head}: building", flush=True)
        t0 = time.monotonic()
        work = Path(tempfile.mkdtemp(prefix="mapbench-history-"))
        try:
            status, note = build_and_bench(commit, top, root, bench_args, work, wheel_cache, machine,
                                           say=lambda line, head=head: print(f"{head}: {line}", flush=True))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        save_note(root, commit, status, note, time.monotonic() - t0, machine)
        if status == DONE:
            counts["ran"] += 1
            print(f"{head}: done in {time.monotonic() - t0:.0f} s", flush=True)
        else:
            counts["failed"] += 1
            print(f"{head}: {status}: {note}", flush=True)
    print(f"history: {counts['ran']} run, {counts['skipped']} skipped, {counts['failed']} "
          f"failed of {len(commits)} commits in {time.monotonic() - started:.0f} s; "
          f"notes in {root / NOTES_FILE}; `mapbench report --out {root}` for the index")
    return 0
