"""mapbench.benchmarks.profiling.workload: one configuration per process, a JSON report of what it did."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest



def _native_ok() -> bool:
    try:
        from mapbench.native import Map, kernels  # noqa: F401
        return True
    except ImportError:
        return False


needs_native = pytest.mark.skipif(not _native_ok(), reason="the native map is not built (pip install .)")


def run_workload(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mapbench.benchmarks.profiling.workload", *args], capture_output=True,
                          text=True, timeout=120)


@needs_native
@pytest.mark.parametrize("op", ["iterate", "lookup", "insert", "iterate_growing"])
def test_the_swiss_map_workload(op):
    done = run_workload("--op", op, "--map", "swiss", "--n", "3000", "--loops", "2")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["map_kind"] == "swiss" and report["elements"] == 6000
    if op in ("iterate", "lookup"):  # the workload built the map: its table is reported
        table = report["map"]
        assert table["kind"] == "swiss" and table["count"] == 3000
        assert table["table_bytes"] == table["groups"] * table["group_size"] == table["groups"] * 136
    bad = run_workload("--op", "iterate", "--map", "robin-hood", "--loops", "1")
    assert bad.returncode != 0 and "--map" in bad.stderr and "Traceback" not in bad.stderr


@needs_native
@pytest.mark.parametrize("storage,prefetch", [("stack", 0), ("heap", 4), ("pool", 0)])
def test_fixed_loops_report_elements(storage, prefetch):
    done = run_workload("--op", "iterate", "--n", "1000", "--storage", storage, "--prefetch", str(prefetch),
                        "--loops", "3")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["elements"] == 3000 and report["loops"] == 3
    assert (report["storage"], report["prefetch"], report["layer"]) == (storage, prefetch, "native")
    assert report["kernel_seconds"] > 0 and report["pid"] > 0
    table = report["map"]
    assert table["count"] == 1000 and table["buckets"] == 1 << table["B"] and table["bucket_size"] > 0


@needs_native
def test_python_layer_and_driver_count_every_element():
    for layer in ("python", "driver"):
        done = run_workload("--op", "iterate", "--n", "500", "--layer", layer, "--loops", "2")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout.strip().splitlines()[-1])
        assert report["elements"] == 1000 and report["layer"] == layer


@needs_native
def test_duration_runs_at_least_one_loop():
    done = run_workload("--op", "insert", "--n", "2000", "--seconds", "0.2")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loops"] >= 1 and report["elements"] == report["loops"] * 2000
    assert report["wall_seconds"] >= 0.2


@pytest.mark.parametrize("args", [["--n", "0"], ["--loops", "-1"], ["--prefetch", "-2"],
                                  ["--seconds", "0"], ["--op", "insert", "--layer", "python"],
                                  ["--op", "nope"]])
def test_bad_arguments_are_one_clear_line(args):
    done = run_workload(*args)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "error" in done.stderr
