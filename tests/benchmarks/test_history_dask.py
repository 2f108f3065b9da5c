"""`mapbench history` on Dask: a real `dask scheduler` with two `dask worker` processes,
a worker SIGKILLed mid-task, --workers 2 against --workers 1, and a scheduler nobody
runs. The commits are the toy's of tests/history_toy.py (a fake `mapbench bench` that
writes a one-benchmark run in seconds); the Dask processes are real.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyperf
import pytest

from mapbench.benchmarks.cli import main
from tests.history_toy import commit, init_repo, package, pyproject

DASK = Path(sys.executable).with_name("dask")
COUNTS_ONLY = "--counts-only --only '^iterate/'"


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("toyrepo")
    init_repo(repo)
    shas = [commit(repo, {"pyproject.toml": pyproject(), **package((k + 1) * 1e-9, count=40.0 + k)},
                   f"toy {k}") for k in range(3)]
    return repo, shas


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def store_files(store: Path) -> dict:
    """Every file of every run folder: relative path -> bytes (locks left out)."""
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*"))
            if p.is_file() and p.parent != store and not p.name.startswith(".")}


def value_of(run: Path) -> float:
    return pyperf.BenchmarkSuite.load(str(run / "bench.json")).get_benchmarks()[0].get_values()[0]


def assert_each_landed_once(store: Path, shas: list[str]) -> None:
    runs = sorted(p.name for p in store.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert runs == sorted(s[:12] for s in shas)          # one folder per commit, no leftovers
    for k, sha in enumerate(shas):
        run = store / sha[:12]
        assert json.loads((run / "meta.json").read_text())["commit"] == sha
        assert value_of(run) == (k + 1) * 1e-9
        counts = json.loads((run / "counts.json").read_text())
        assert counts["benchmarks"]["iterate/n=1024"]["per_element"]["Ir"] == 40.0 + k


def test_history_through_a_real_dask_scheduler_and_two_workers(repo, tmp_path, capsys):
    repo, shas = repo
    address = f"tcp://127.0.0.1:{free_port()}"
    procs, logs = [], []

    def start(*args):
        log = open(tmp_path / f"dask{len(procs)}.log", "w")
        logs.append(log)
        procs.append(subprocess.Popen([str(DASK), *args], stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True))
    try:
        start("scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
              "--no-dashboard")
        for resources in ("timing=1", None):
            start("worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
                  *(["--resources", resources] if resources else []))
        from distributed import Client
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        store = tmp_path / "profiles"
        rc = main(["history", f"{shas[0]}~1..{shas[-1]}", "--repo", str(repo), "--out", str(store),
                   "--scheduler", address, "--bench-args", COUNTS_ONLY])
        out = capsys.readouterr().out
        assert rc == 0, out
        assert f"the Dask cluster at {address} (2 workers on 1 host)" in out
        assert "3 run, 0 skipped, 0 failed of 3 commits" in out
        assert_each_landed_once(store, shas)
        notes = json.loads((store / "history.json").read_text())
        assert {notes[s]["status"] for s in shas} == {"done"}
        assert all(n["worker"].startswith("tcp://127.0.0.1:") for n in notes.values())
        # Run again: the cluster's machine has them all, nothing is rebuilt.
        rc = main(["history", f"{shas[0]}~1..{shas[-1]}", "--repo", str(repo), "--out", str(store),
                   "--scheduler", address, "--bench-args", COUNTS_ONLY])
        assert "0 run, 3 skipped, 0 failed" in capsys.readouterr().out
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        for log in logs:
            log.close()


def test_a_worker_killed_mid_task_is_retried_and_each_commit_lands_once(repo, tmp_path):
    repo, shas = repo
    pids, store = tmp_path / "pids", tmp_path / "profiles"
    pids.mkdir()
    env = dict(os.environ, HISTORY_TOY_PIDS=str(pids), HISTORY_TOY_SLEEP="3")
    env.pop("PYTHONPATH", None)
    history = subprocess.Popen(
        [sys.executable, "-m", "mapbench", "history", f"{shas[0]}~1..{shas[-1]}", "--repo", str(repo),
         "--out", str(store), "--workers", "2", "--bench-args", COUNTS_ONLY],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while not any(pids.iterdir()):
            assert time.monotonic() < deadline and history.poll() is None, "no bench started"
            time.sleep(0.1)
        first = sorted(pids.iterdir())[0]
        victim_commit, bench_pid = first.name.split(".")
        worker_pid = int(first.read_text())
        os.kill(worker_pid, signal.SIGKILL)                 # the worker running that bench
        out, _ = history.communicate(timeout=240)
    finally:
        if history.poll() is None:
            history.kill()
            history.wait()
    assert history.returncode == 0, out
    assert "3 run, 0 skipped, 0 failed of 3 commits" in out
    assert f"{victim_commit}: retried (attempt 2)" in out
    assert_each_landed_once(store, shas)
    assert not list(store.glob(".landing-*"))
    notes = json.loads((store / "history.json").read_text())
    victim = next(s for s in shas if s.startswith(victim_commit))
    assert notes[victim]["attempts"] == 2
    assert all(notes[s]["attempts"] == 1 for s in shas if s != victim)
    # The killed worker's bench died with it (PR_SET_PDEATHSIG): no orphan left writing.
    time.sleep(0.5)
    assert not Path(f"/proc/{bench_pid}").exists() or \
        Path(f"/proc/{bench_pid}/stat").read_text().split()[2] == "Z"


def test_two_workers_store_what_one_worker_stores(repo, tmp_path, capsys):
    repo, shas = repo
    stores = {n: tmp_path / f"w{n}" for n in (1, 2)}
    for n, store in stores.items():
        rc = main(["history", f"{shas[0]}~1..{shas[-1]}", "--repo", str(repo), "--out", str(store),
                   "--workers", str(n), "--bench-args", COUNTS_ONLY])
        assert rc == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "on 1 local Dask worker (count-only benches, side by side) into" in out
    assert "on 2 local Dask workers (count-only" in out
    one, two = store_files(stores[1]), store_files(stores[2])
    assert one and one == two
    assert_each_landed_once(stores[2], shas)


def test_a_scheduler_nobody_runs_is_one_line_and_exit_2(repo, tmp_path):
    repo, shas = repo
    address = f"tcp://127.0.0.1:{free_port()}"
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([sys.executable, "-m", "mapbench", "history", "HEAD~1..HEAD", "--repo",
                           str(repo), "--out", str(tmp_path / "p"), "--scheduler", address],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"mapbench history: error: cannot reach the Dask scheduler at {address}")
    assert not (tmp_path / "p" / "history.json").exists()


def test_ctrl_c_cancels_what_is_left_and_keeps_what_finished(repo, tmp_path):
    repo, shas = repo
    pids, store = tmp_path / "pids", tmp_path / "profiles"
    pids.mkdir()
    env = dict(os.environ, HISTORY_TOY_PIDS=str(pids), HISTORY_TOY_SLEEP="2")
    env.pop("PYTHONPATH", None)
    history = subprocess.Popen(
        [sys.executable, "-m", "mapbench", "history", f"{shas[0]}~1..{shas[-1]}", "--repo", str(repo),
         "--out", str(store), "--workers", "1", "--bench-args", COUNTS_ONLY],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
        # Ctrl-C as from a terminal: a test run started in the background (`cmd &`, as CI
        # runners may) has SIGINT ignored, and the child would inherit that and rightly
        # ignore it (as `nohup mapbench history &` should)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while not (store / shas[0][:12] / "meta.json").is_file():   # the first has landed
            assert time.monotonic() < deadline and history.poll() is None, "nothing landed"
            time.sleep(0.1)
        os.killpg(history.pid, signal.SIGINT)            # Ctrl-C: the whole process group
        out, err = history.communicate(timeout=60)
    finally:
        if history.poll() is None:
            os.killpg(history.pid, signal.SIGKILL)
            history.wait()
    assert history.returncode == 130, out + err
    assert "interrupted; cancelled" in out
    assert err.strip().splitlines()[-1] == ("mapbench history: interrupted; files already "
                                            "written are kept")
    landed = sorted(p.name for p in store.iterdir() if p.is_dir() and not p.name.startswith("."))
    notes = json.loads((store / "history.json").read_text())
    assert landed == sorted(s[:12] for s in notes) and shas[0][:12] in landed
    assert shas[-1][:12] not in landed                   # cancelled before it ran
    for name in landed:
        assert (store / name / "bench.json").is_file() and (store / name / "meta.json").is_file()
    assert not list(store.glob(".landing-*"))
    time.sleep(1)
    for pidfile in pids.iterdir():                       # the cluster's workers are gone
        assert not Path(f"/proc/{pidfile.read_text()}").exists()
