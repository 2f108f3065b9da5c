"""The family table is the one description of a family: a new record reaches the matrix,
the names, the loop rule, the cost estimate, the worker and the cache collector."""
import dataclasses
import re
from types import SimpleNamespace

import pytest

from mapbench import names
from mapbench.analysis.render import benchsummary
from mapbench.benchmarks.catalog import families, matrix
from mapbench.benchmarks.timing import run_engine
from mapbench.benchmarks.profiling.collectors import cachegrind
from mapbench.benchmarks.timing.suite import BEST_PREFETCH


def test_records_are_unique_and_each_runs_a_kernel_or_a_python_loop():
    names = [f.name for f in families.FAMILIES]
    kernels = [f.kernel for f in families.FAMILIES if f.kernel]
    assert len(set(names)) == len(names) and len(set(kernels)) == len(kernels)
    for f in families.FAMILIES:
        assert (f.kernel is not None) != (f.python_loop is not None), f.name
        assert f.kernel_input in ("map", "entries", "map_bytes")
        assert f.element in ("map entry", "iterator init")


def test_kernel_functions_match_the_kernels_own_c_symbol():
    for f in families.FAMILIES:
        if f.kernel:
            assert re.search(f.kernel_functions, f"kernel_{f.kernel}"), f.name
            assert not re.search(f.kernel_functions, "mapiterinit_fill_only"), f.name


def test_every_room_names_the_same_storages():
    native = pytest.importorskip("mapbench.native")
    assert names.STORAGES == families.STORAGES == native.STORAGES == benchsummary.STORAGES


def test_every_kernel_exists_in_native():
    pytest.importorskip("mapbench.native._mapbench_native")
    from mapbench.native import kernels
    for f in families.FAMILIES:
        if f.kernel:
            assert callable(getattr(kernels, f.kernel)), f.kernel


@pytest.fixture
def new_family(monkeypatch):
    """A family added as one record: iterate's kernel under a new name, one variant, 2^14 only."""
    iterate = families.family("iterate")
    record = dataclasses.replace(
        iterate, name="iterate-twice", op="two full traversals", work_per_value=2 ** 20,
        name_params=lambda n, d, full: [(("storage", "heap"),)], max_n=2 ** 14,
        cost=families.Cost(ns_per_element=16, build_ns_per_entry=200), kernel="iterate_twice",
        kernel_functions=r"^kernel_iterate_twice$")
    monkeypatch.setattr(families, "FAMILIES", families.FAMILIES + (record,))
    monkeypatch.setattr(families, "BY_NAME", {**families.BY_NAME, record.name: record})
    monkeypatch.setattr(families, "BY_KERNEL", {**families.BY_KERNEL, record.kernel: record})
    return record


def test_a_new_record_reaches_matrix_names_loops_and_estimate(new_family):
    benches = matrix.build_matrix(BEST_PREFETCH)
    mine = [b for b in benches if b.family == "iterate-twice"]
    assert [b.name for b in mine] == ["iterate-twice/storage=heap/n=1024", "iterate-twice/storage=heap/n=16384"]
    bench = matrix.parse_name("iterate-twice/storage=heap/n=1024")
    assert bench.op == "two full traversals" and bench.loops == 2 ** 20 // 1024
    assert run_engine.estimate_seconds(bench, "fast") > run_engine.PROCESS_START_S
    profile = SimpleNamespace(self_costs={"kernel_iterate_twice": [5], "kernel_iterate": [7],
                                          "mapassign": [9]})
    assert cachegrind.kernel_functions(profile, "iterate_twice") == ["kernel_iterate_twice"]


def test_a_new_record_runs_in_the_worker(new_family, monkeypatch):
    pytest.importorskip("mapbench.native._mapbench_native")
    from mapbench.benchmarks.timing import suite_worker
    from mapbench.native import kernels
    seen = []

    def iterate_twice(m, loops, storage="stack"):          # its kernel: takes no prefetch
        seen.append(storage)
        return kernels.iterate(m, loops, storage=storage)
    monkeypatch.setattr(kernels, "iterate_twice", iterate_twice, raising=False)
    func, meta = suite_worker.make_workload(matrix.parse_name("iterate-twice/storage=heap/n=1024"))
    suite_worker.COUNTS.reset()
    assert func(2) > 0
    assert suite_worker.COUNTS.loops == 2 and suite_worker.COUNTS.allocs == 2   # one heap iterator per loop
    assert meta["op"] == "two full traversals" and meta["bucket_bytes"] > 0
    assert seen == ["heap"]                      # its keyword parameters, by name, from the name
