"""Real `mapbench bench` processes for the store tests (shared): tiny --only subsets, --fast."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ITERATE = r"^iterate/storage=stack/prefetch=0/n=(1024|16384)$"   # the two subsets
LOOKUP = r"^lookup/hit/n=(1024|16384)$"
# For the bench that must still be running when a second one starts: the iteration kernels
# spin 30x their own time (the calibration knob), so it lasts seconds on any machine.
SLOW_ENV = {**os.environ, "MAPBENCH_INJECT_SLOWDOWN_PCT": "3000"}


def bench_cmd(out, only, *extra):
    return [sys.executable, "-m", "mapbench.benchmarks.cli", "bench", "--fast", "--no-peers",
            "--no-plots", "--only", only, "--out", str(out), *extra]


def start(out, only, *extra, env=None, **kw):
    return subprocess.Popen(bench_cmd(out, only, *extra), cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, **kw)


def run(out, only, *extra, env=None, timeout=180, **kw):
    return subprocess.run(bench_cmd(out, only, *extra), cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=timeout, **kw)


def run_folder(out) -> Path:
    (run,) = [p for p in Path(out).iterdir() if p.is_dir()]
    return run


def wait_for(predicate, proc, what, timeout=90):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, f"bench ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.05)


def passes_by_name(run: Path) -> dict[str, str]:
    import pyperf
    suite = pyperf.BenchmarkSuite.load(str(run / "bench.json"))
    return {b.get_name(): b.get_metadata().get("mapbench_pass") for b in suite.get_benchmarks()}


def meta(run: Path) -> dict:
    return json.loads((run / "meta.json").read_text())
