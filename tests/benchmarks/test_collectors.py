"""Collectors: missing tools give one line and no exception; cache geometry; real valgrind runs."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mapbench.analysis.counters import cachegrind_out
from mapbench.analysis.stacks import callgrind_stacks
from mapbench.analysis.counters import perf_stat_csv
from mapbench.analysis.counters import cache_levels
from mapbench.analysis.counters.cachegrind_out import CacheGeometry
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.profiling.collectors import (cachegrind, callgrind, perf_record, perf_stat,
                                                      pyinstrument_tree, pyspy, workload_report)

CONFIG = {"op": "iterate", "n": 1024, "storage": "stack", "prefetch": 0, "layer": "native"}


@pytest.mark.parametrize("run", [
    lambda out: perf_record.record(CONFIG, out, "x", binary="/nonexistent/perf"),
    lambda out: perf_stat.stat(CONFIG, out, "x", binary="/nonexistent/perf"),
    lambda out: pyspy.record(CONFIG, out, "x", binary="/nonexistent/py-spy"),
    lambda out: cachegrind.simulate(CONFIG, out, "x", binary="/nonexistent/valgrind"),
    lambda out: callgrind.record(CONFIG, out, "x", binary="/nonexistent/valgrind"),
    lambda out: pyinstrument_tree.record(CONFIG, out, "x", python="/nonexistent/python"),
], ids=["perf-record", "perf-stat", "py-spy", "cachegrind", "callgrind", "pyinstrument"])
def test_missing_tool_is_one_line_and_no_files(tmp_path, run):
    capture = run(tmp_path)
    assert not capture.ok and capture.files == {}
    assert capture.message and "\n" not in capture.message
    assert "nonexistent" in capture.message or "not installed" in capture.message or "did not run" in capture.message


def test_tools_looked_up_on_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))          # an empty PATH: no perf, no valgrind
    assert "not found" in perf_record.available("perf")
    assert "not found" in perf_stat.available("perf")
    assert "not found" in cachegrind.available("valgrind")
    assert "not found" in pyspy.available("py-spy")


@pytest.mark.skipif(shutil.which("perf") is None, reason="perf is not installed")
def test_perf_stat_availability_is_decided_and_stated():
    why = perf_stat.available()
    assert why is None or ("hardware counters" in why and "\n" not in why)


def test_perf_stat_difference_cancels_setup():
    row = perf_stat_csv.CounterRow
    long = [row("cache-misses", 1500.0, "", "counted", percent_running=100.0),
            row("cycles", None, "", "not supported")]
    short = [row("cache-misses", 500.0, "", "counted", percent_running=80.0),
             row("cycles", None, "", "not supported")]
    diff = perf_stat.difference(long, short)
    assert diff[0].value == 1000.0 and diff[0].percent_running == 80.0
    assert diff[1].status == "not supported" and diff[1].value is None


def test_table_lines_per_element_counts_buckets_and_overflow():
    from mapbench.benchmarks.profiling.collectors import table_lines_per_element
    report = {"map": {"count": 16384, "buckets": 4096, "noverflow": 83, "bucket_size": 144}}
    assert table_lines_per_element(report) == pytest.approx((4096 + 83) * 144 / 64 / 16384)
    assert table_lines_per_element(report, line=128) == pytest.approx(table_lines_per_element(report) / 2)
    assert table_lines_per_element({"map": None}) is None and table_lines_per_element(None) is None
    swiss = {"map": {"kind": "swiss", "count": 16384, "groups": 4096, "group_size": 136,
                     "table_bytes": 4096 * 136}}
    assert table_lines_per_element(swiss) == pytest.approx(4096 * 136 / 64 / 16384)


def test_workload_report_is_last_json_line():
    assert workload_report(b"noise\n{\"elements\": 5}\n") == {"elements": 5}
    assert workload_report(b"no json here\n") is None


def _fake_sysfs(root: Path, entries):
    for i, (level, kind, size, ways, line) in enumerate(entries):
        d = root / f"index{i}"
        d.mkdir(parents=True)
        for name, value in (("level", level), ("type", kind), ("size", size),
                            ("ways_of_associativity", ways), ("coherency_line_size", line)):
            (d / name).write_text(f"{value}\n")


def test_machine_model_reads_l1d_and_l2_from_sysfs(tmp_path):
    _fake_sysfs(tmp_path, [(1, "Data", "48K", 12, 64), (1, "Instruction", "32K", 8, 64),
                           (2, "Unified", "2048K", 16, 64), (3, "Unified", "307200K", 20, 64)])
    model = cachegrind.machine_model(tmp_path)
    assert model == {"D1": CacheGeometry(48 << 10, 64, 12), "I1": CacheGeometry(32 << 10, 64, 8),
                     "LL": CacheGeometry(2 << 20, 64, 16)}


def test_geometry_rounded_to_the_nearest_one_valgrind_accepts_and_said():
    l3 = CacheGeometry(300 << 20, 64, 20)                 # 245760 sets
    fixed, note = cachegrind.valgrind_geometry(l3)
    # 2^18 sets x 19 ways x 64 B = 304 MiB: nearer 300 MiB than 160 MiB (2^17 sets, 20-way,
    # the old round-down) or 320 MiB (2^18 sets, 20-way).
    assert (fixed.size, fixed.assoc, fixed.line) == (262144 * 19 * 64, 19, 64)
    assert "245760 sets" in note and "not a power of two" in note and "nearest" in note
    # One rule: the level sweep's rounding gives the same answer.
    assert (fixed, note) == cache_levels.nearest_valgrind_geometry(l3)


@pytest.mark.parametrize("geometry", [CacheGeometry(1280 << 10, 64, 20),    # Intel's L2: 1.25 MiB 20-way
                                      CacheGeometry(48 << 10, 64, 12)])     # Intel's L1d: 48 KiB 12-way
def test_odd_ways_with_power_of_two_sets_are_kept_by_both_rules(geometry):
    assert cachegrind.valgrind_geometry(geometry) == (geometry, "")
    assert cache_levels.nearest_valgrind_geometry(geometry) == (geometry, "")
    options, notes = cachegrind.model_options({"D1": geometry})
    assert options == [f"--D1={geometry.size},{geometry.assoc},64"] and notes == []


def test_parse_cache_model():
    model = cachegrind.parse_model("D1=32K,8,64:LL=1048576,16,64")
    assert model["D1"] == CacheGeometry(32768, 64, 8) and model["LL"].size == 1 << 20
    for bad in ("", "D1=1,2", "L3=1,2,3", "D1=a,b,c"):
        with pytest.raises(InputError):
            cachegrind.parse_model(bad)


WALK_C = r"""
#include <stdlib.h>
#include <stdio.h>
__attribute__((noinline)) long walk(const char *p, long n, long stride) {
    long s = 0;
    for (long i = 0; i < n; i += stride) s += p[i];
    return s;
}
int main(void) {
    long n = 4L << 20;                       /* 4 MiB: larger than any simulated LL below */
    char *p = calloc(n, 1);
    long s = walk(p, n, 64);
    printf("%ld\n", s);
    return 0;
}
"""


@pytest.fixture(scope="module")
def walk_program(tmp_path_factory):
    if shutil.which("valgrind") is None or shutil.which("gcc") is None:
        pytest.skip("valgrind or gcc is not installed")
    d = tmp_path_factory.mktemp("walk")
    (d / "walk.c").write_text(WALK_C)
    subprocess.run(["gcc", "-O1", "-g", "-fno-omit-frame-pointer", "-o", str(d / "walk"), str(d / "walk.c")],
                   check=True)
    return d / "walk"


@pytest.mark.parametrize("tool", ["cachegrind", "callgrind"])
def test_valgrind_accepts_the_model_and_counts_one_miss_per_line(walk_program, tmp_path, tool):
    # The 300 MiB L3 geometry must be rounded for valgrind to accept it; the D1 one is exact.
    model = {"D1": CacheGeometry(48 << 10, 64, 12), "LL": CacheGeometry(1 << 20, 64, 16)}
    options, notes = cachegrind.model_options({**model, "I1": CacheGeometry(32 << 10, 64, 8)})
    out = tmp_path / f"{tool}.out"
    done = subprocess.run(["valgrind", f"--tool={tool}", "--cache-sim=yes", *options,
                           f"--{tool}-out-file={out}", str(walk_program)], capture_output=True)
    assert done.returncode == 0, done.stderr[-500:]
    profile = cachegrind_out.parse_cachegrind(out.read_text())
    assert profile.tool == tool and profile.caches["D1"] == model["D1"]
    lines = (4 << 20) // 64
    assert profile.function_cost("walk", "D1mr") == pytest.approx(lines, rel=0.01)
    assert profile.function_cost("walk", "DLmr") == pytest.approx(lines, rel=0.01)
    if tool == "callgrind":
        stacks = callgrind_stacks.callgrind_stacks(profile, "D1mr")
        walk = sum(v for k, v in stacks.items() if k.endswith("main;walk"))
        assert walk == pytest.approx(lines, rel=0.01)


def test_rounded_l3_geometry_runs_in_valgrind(walk_program, tmp_path):
    options, notes = cachegrind.model_options({"D1": CacheGeometry(48 << 10, 64, 12),
                                               "LL": CacheGeometry(300 << 20, 64, 20)})
    assert notes and "LL" in notes[0]
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=yes", *options,
                           f"--cachegrind-out-file={tmp_path / 'cg'}", str(walk_program)], capture_output=True)
    assert done.returncode == 0, done.stderr[-500:]
    assert cachegrind_out.parse_cachegrind((tmp_path / "cg").read_text()).caches["LL"].size == 304 << 20


def test_intel_odd_geometries_run_in_valgrind_as_they_are(walk_program, tmp_path):
    # 48 KiB 12-way L1d and 1.25 MiB 20-way L2 (64 and 1024 sets): valgrind takes them unrounded.
    model = {"D1": CacheGeometry(48 << 10, 64, 12), "LL": CacheGeometry(1280 << 10, 64, 20)}
    options, notes = cachegrind.model_options(model)
    assert notes == []
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=yes", *options,
                           f"--cachegrind-out-file={tmp_path / 'cg'}", str(walk_program)], capture_output=True)
    assert done.returncode == 0, done.stderr[-500:]
    caches = cachegrind_out.parse_cachegrind((tmp_path / "cg").read_text()).caches
    assert caches["D1"] == model["D1"] and caches["LL"] == model["LL"]
