"""The range-loop families in the suite's worker, the count pass and the Go peers'
plumbing: yields/n recorded per seed and the same in every worker, the shaped maps'
live entries and bytes walked in the metadata, a count-pass row per benchmark, Go's
extra metrics parsed, and the Swiss load counts handed to Go."""
from __future__ import annotations

import io
import json

import pytest

from mapbench.benchmarks.catalog import families, matrix
from mapbench.benchmarks.counts import count_worker
from mapbench.benchmarks.peers import go_output, go_run, toolchains
from mapbench.benchmarks.timing import suite_worker
from mapbench.native import kernels


@pytest.mark.parametrize("kind", ["classic", "swiss"])
def test_the_worker_records_yields_per_seed_exactly_and_times_per_starting_entry(kind):
    bench = matrix.parse_name(f"iterate-inserting/map={kind}/per=4/n=256")
    func, meta = suite_worker.make_workload(bench)
    _, again = suite_worker.make_workload(bench)
    by_seed = json.loads(meta["yields_per_n_by_seed"])
    assert meta["yields_per_n_by_seed"] == again["yields_per_n_by_seed"]     # every worker agrees
    assert len(by_seed) == len(families.INSERTING_SEEDS)
    assert by_seed["3"] == round(kernels.range_inserting(256, 4, seed=3, kind=kind).yields_per_n, 6)
    assert meta["cap_entries"] == 64 * 256 and set(json.loads(meta["ended_by_seed"]).values()) <= {0, 1}
    assert func(2) > 0                       # the elements check: 2 loops x 256 starting entries


@pytest.mark.parametrize("name", ["iterate-after-delete/map=classic/deleted=90/n=1024",
                                  "iterate-after-delete/map=swiss/deleted=99/copied/n=1024",
                                  "copy-after-delete/map=swiss/deleted=50/n=1024",
                                  "iterate-load/map=classic/fill=before-grow/n=1024",
                                  "iterate-load/map=swiss/fill=after-grow/n=1024"])
def test_shaped_workloads_time_per_live_entry_and_say_the_bytes_walked(name):
    bench = matrix.parse_name(name)
    func, meta = suite_worker.make_workload(bench)
    assert meta["live_entries"] == bench.elements_per_loop
    assert meta["bytes_walked_per_live_entry"] == round(meta["walk_bytes"] / meta["live_entries"], 3)
    assert func(bench.loops) > 0            # the kernel processed loops x live entries


def test_the_count_pass_has_a_row_for_each_question_family():
    names = ["iterate-inserting/map=swiss/per=2/n=256", "iterate-after-delete/map=classic/deleted=50/n=256",
             "copy-after-delete/map=classic/deleted=90/n=256", "iterate-load/map=swiss/fill=before-grow/n=256"]
    out = io.StringIO()
    assert count_worker.run(names, out=out, isolate=False) == 0
    rows = {r["name"]: r for r in map(json.loads, out.getvalue().splitlines())}
    assert set(rows) == set(names)
    for name, row in rows.items():
        bench = matrix.parse_name(name)
        assert row["elements"] == row["loops"] * bench.elements_per_loop
    assert rows[names[0]]["loops"] == 1                       # a range that inserts: one loop


def test_go_output_keeps_the_inserting_metrics():
    text = ("BenchmarkMap/iterate-inserting/per=8/n=1024-2   16  21805818 ns/op  0 ended/op  7.876 "
            "yields-max/n  7.876 yields-min/n  7.876 yields/n  4729876 B/op  530 allocs/op\n")
    [record] = go_output.parse_go_bench(text, "go1.27")
    assert record["family"] == "iterate-inserting" and record["params"] == "per=8"
    assert record["metrics"] == {"yields/n": 7.876, "yields-min/n": 7.876, "yields-max/n": 7.876, "ended/op": 0.0}


def test_a_swiss_toolchain_gets_the_c_maps_load_counts_and_the_suites_sizes():
    swiss = toolchains.Toolchain("go1.27", "go1.27.3", "go", "test")
    classic = toolchains.Toolchain("go1.19", "go1.19.8", "go", "test")
    sizes = {"inserting": [1024], "shaped": [16384]}
    env = go_run.question_env(swiss, sizes)
    after = kernels.shape_probe(16384, fill="after-grow", seed=families.MAP_SEED, kind="swiss")["live"]
    before = kernels.shape_probe(16384, fill="before-grow", seed=families.MAP_SEED, kind="swiss")["live"]
    assert env["MAPBENCH_GO_LOAD"] == f"16384:{after}:{before}"
    assert env["MAPBENCH_GO_INSERTING_SIZES"] == "1024" and env["MAPBENCH_GO_SHAPED_SIZES"] == "16384"
    assert "MAPBENCH_GO_LOAD" not in go_run.question_env(classic, sizes)
    assert go_run.question_env(swiss, None) == {}
