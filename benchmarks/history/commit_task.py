"""One commit of a history, run on a Dask worker: build it, run its own `mapbench bench`, send the run back.

`run_commit(task)` is the function the history client submits (a top-level function of
the installed package, so every worker can import it). It needs nothing of the client's
filesystem: the commit arrives as bytes (shipping.pack_commit), and in a temporary folder
of the worker it is checked out, built into its own venv (commit_build, with the
worker's wheel cache), and benchmarked with that commit's own console script,
`mapbench bench --out TMP_ROOT BENCH_ARGS`; the commit's run folders already in the store
travel with it (`seeds`), so its passes add up in them as they do in a local store
(store/passes.py). The result is plain data (a dict):

    status, note        DONE / BUILD_FAILED / NO_BENCH / BENCH_FAILED and what happened
    runs                {run folder name: tar.gz bytes} of what the bench wrote in TMP_ROOT
    build_log           pip's whole output of a failed build (text), else None
    lines               what the build said, for the client to print
    host, machine, worker, pid, seconds    where and how long it ran

Invariants: the temporary folder is removed when the task ends, however it ends; the bench
process dies with the worker (PR_SET_PDEATHSIG), so a SIGKILLed worker leaves no bench
behind writing into a folder nobody will read. Each start is logged as a Dask event on
TOPIC ({commit, run, worker, host, pid}), so the client counts attempts: a task the scheduler
moved off a lost worker starts twice.
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import tempfile
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from mapbench.benchmarks.history import commit_build, shipping
from mapbench.benchmarks.store import machine as machines, run_folder

TOPIC = "mapbench-history"          # Dask event topic: one event per task start
DONE = "done"
BUILD_FAILED = "build failed"
NO_BENCH = "no mapbench bench at this commit"
BENCH_FAILED = "bench failed"
WORKER_LOST = "worker lost"         # the scheduler gave up after repeated worker deaths
PR_SET_PDEATHSIG = 1


@dataclass
class CommitTask:
    commit: str                      # full sha
    source: bytes                    # shipping.pack_commit
    bench_args: list[str]
    run_id: str = ""                 # the client's, to tell its starts from other clients'
    wheel_cache: str | None = None   # None: the worker's default (commit_build)
    calibration: bytes | None = None  # the store's calibration.json, if it has one
    seeds: dict | None = None        # run folder name -> tar.gz: this commit's runs already
                                     # in the store, which the bench adds its passes to


def _last_lines(text: str, n: int = 2) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return " | ".join(lines[-n:]) if lines else "no output"


def _die_with_parent() -> None:          # runs in the bench process before exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def _announce(commit: str, run_id: str) -> str:
    """Log this start on TOPIC; the worker's address ('' outside a worker)."""
    try:
        from distributed import get_worker
        worker = get_worker()
    except (ImportError, ValueError):
        return ""
    worker.log_event(TOPIC, {"commit": commit, "run": run_id, "worker": worker.address,
                             "host": socket.gethostname(), "pid": os.getpid()})
    return worker.address


def run_commit(task: CommitTask) -> dict:
    started = time.monotonic()
    worker = _announce(task.commit, task.run_id)
    lines: list[str] = []
    result = {"commit": task.commit, "runs": {}, "build_log": None, "lines": lines,
              "host": socket.gethostname(), "machine": machines.this_machine_id(),
              "worker": worker, "pid": os.getpid()}
    work = Path(tempfile.mkdtemp(prefix="mapbench-history-"))
    try:
        status, note = _build_and_bench(task, work, result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result.update(status=status, note=note, seconds=time.monotonic() - started)
    return result


def _build_and_bench(task: CommitTask, work: Path, result: dict) -> tuple[str, str]:
    src, out = work / "src", work / "store"
    out.mkdir()
    if task.calibration is not None:
        (out / run_folder.CALIBRATION).write_bytes(task.calibration)
    for name, blob in (task.seeds or {}).items():
        shipping.unpack_folder(blob, out / name)
    shipping.unpack_commit(task.source, task.commit, src)
    python = commit_build.make_venv(work / "venv")
    cache = Path(task.wheel_cache) if task.wheel_cache else commit_build.default_wheel_cache()
    built = commit_build.build(python, src, cache, say=result["lines"].append)
    if not built.ok:
        result["build_log"] = "".join(built.log) if built.log else None
        return BUILD_FAILED, built.note
    result["lines"].append(built.note)
    if not (src / "benchmarks" / "commands" / "bench.py").is_file():
        return NO_BENCH, "benchmarks/commands/bench.py does not exist there"
    # The commit's own console script: it knows its layout (older commits install
    # top-level packages, newer ones the mapbench namespace).
    script = python.parent / "mapbench"
    if not script.is_file():
        return NO_BENCH, "its install made no `mapbench` command"
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)              # the commit's own code, not the worker's
    bench = subprocess.run([str(script), "bench", "--out", str(out), *task.bench_args],
                           cwd=src, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, preexec_fn=_die_with_parent)
    short = task.commit[:12]
    for run in sorted(out.iterdir()):
        if run.is_dir() and run.name.split("@")[0] == short and (run / run_folder.META).is_file():
            result["runs"][run.name] = shipping.pack_folder(run)
    if not result["runs"]:
        return BENCH_FAILED, f"exit {bench.returncode}: {_last_lines(bench.stdout)}"
    if bench.returncode != 0:
        return BENCH_FAILED, (f"exit {bench.returncode}, partial results kept: "
                              f"{_last_lines(bench.stdout)}")
    return DONE, built.note
