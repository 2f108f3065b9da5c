"""A real, tiny `mapbench bench`: pyperf workers, bench.json that pyperf check accepts."""
import os
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mapbench.native._mapbench_native")

ROOT = Path(__file__).resolve().parents[2]
ONLY = r"^(iterate/storage=heap/prefetch=0|python-iterate/items)/n=1024$"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("store")
    proc = subprocess.run([sys.executable, "-m", "mapbench.benchmarks.cli", "bench", "--fast", "--only", ONLY,
                           "--out", str(out), "--no-peers"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    run.joinpath("stdout.txt").write_text(proc.stdout)
    return run


def test_pyperf_check_accepts_bench_json(run_dir):
    proc = subprocess.run([sys.executable, "-m", "pyperf", "check", str(run_dir / "bench.json")],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "ERROR" not in proc.stdout, proc.stdout + proc.stderr


def test_bench_json_holds_per_element_values_and_counts(run_dir):
    import pyperf
    suite = pyperf.BenchmarkSuite.load(str(run_dir / "bench.json"))
    bench = suite.get_benchmark("iterate/storage=heap/prefetch=0/n=1024")
    md = bench.get_metadata()
    assert md["inner_loops"] == 1024 and md["loops"] == 4096       # fixed loops, per-element values
    assert md["allocs_per_op"] == 1.0 and md["alloc_bytes_per_op"] > 0
    assert md["bucket_bytes"] > 0 and md["n"] == 1024 and md["mapbench_mode"] == "fast"
    from mapbench.benchmarks.timing.suite import MODES
    fast = MODES["fast"]                          # one worker process per round
    assert bench.get_nrun() == fast["processes"]
    assert all(len(run.values) == fast["values"] for run in bench.get_runs())
    assert 1e-10 < bench.mean() < 1e-6                              # seconds per element
    if len(os.sched_getaffinity(0)) > 1:           # each worker pinned to one CPU (its own pick)
        cpus = {str(c) for c in os.sched_getaffinity(0)}
        assert all(run.get_metadata()["cpu_affinity"] in cpus for run in bench.get_runs())
    py = suite.get_benchmark("python-iterate/items/n=1024").get_metadata()
    assert "perf_counter" in py["timer"]


def test_meta_summary_and_plots_are_written(run_dir):
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["bench"]["status"] == "complete" and len(meta["bench"]["done"]) == 2
    assert "compiler" in meta["build"] and meta["cache_sizes"]
    stdout = (run_dir / "stdout.txt").read_text()
    assert "[round 3 of 3, benchmark 2 of 2]" in stdout and "allocs/op" in stdout and "counting allocator" in stdout
    assert (run_dir / "summary.md").read_text().startswith("# mapbench summary")
    assert (run_dir / "plots" / "ns_per_element.png").stat().st_size > 1000


def _bench_proc(out, only, env=None):
    return subprocess.Popen([sys.executable, "-m", "mapbench.benchmarks.cli", "bench", "--fast", "--only", only,
                             "--out", str(out), "--no-peers", "--no-plots"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_sigint_as_a_terminal_gives_it)


def _sigint_as_a_terminal_gives_it():
    """A test run started in the background (`cmd &` in a script, nohup) inherits SIGINT
    ignored, and Python then never installs its KeyboardInterrupt handler: give the bench
    the default disposition a user's terminal gives it."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_keeps_finished_benchmarks_and_exits_130(tmp_path):
    import os
    import signal
    import time

    import pyperf
    proc = _bench_proc(tmp_path, r"^iterate/.*/n=1024$")
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("*/bench.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    # Signal state of the run before Ctrl-C: if it ever ignores SIGINT, the failure says so.
    status = Path(f"/proc/{proc.pid}/status")
    signal_state = [line for line in (status.read_text().splitlines() if status.exists() else [])
                    if line.startswith(("SigBlk", "SigIgn", "SigCgt"))]
    os.killpg(proc.pid, signal.SIGINT)             # Ctrl-C reaches the whole process group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (signal_state, err, out[-2000:])
    assert "interrupted" in err and "keeps every process that finished" in err
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    kept = pyperf.BenchmarkSuite.load(str(run / "bench.json")).get_benchmark_names()
    meta = json.loads((run / "meta.json").read_text())
    assert meta["bench"]["status"] == "interrupted" and kept
    # every benchmark in bench.json either finished all its rounds or is listed as partial
    assert sorted(kept) == sorted(meta["bench"]["done"] + meta["bench"]["partial"])


def test_crashing_workers_give_a_clear_error_and_exit_1(tmp_path):
    import os
    env = dict(os.environ, MAPBENCH_INJECT_SLOWDOWN_PCT="not-a-number")   # native refuses to import
    proc = _bench_proc(tmp_path, r"/n=1024$", env=env)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    assert "benchmark(s) failed" in err and "stopped early" in err
    assert "MAPBENCH_INJECT_SLOWDOWN_PCT" in out                  # the workers' own error is shown
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    meta = json.loads((run / "meta.json").read_text())
    assert meta["bench"]["status"] == "failed" and len(meta["bench"]["failed"]) == 3
    assert not (run / "bench.json").exists()
