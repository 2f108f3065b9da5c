"""Each family's workload calls its kernel and reports seconds, counts and map metadata."""
import pytest

pytest.importorskip("mapbench.native._mapbench_native")

from mapbench.benchmarks.catalog import families, matrix
from mapbench.benchmarks.timing import suite  # noqa: E402

ONE_PER_FAMILY = [
    "iterate/storage=stack/prefetch=0/n=1024",
    "iterate/storage=heap/prefetch=4/n=1024",
    "iterate/storage=pool/prefetch=0/n=1024",
    "iterate/storage=stack/prefetch=0/snapshot=atomic/n=1024",
    "iterinit/storage=heap/n=1024",
    "iterate-growing/n=1024",
    "insert/hint=1/n=1024",
    "lookup/miss/n=1024",
    "delete/n=1024",
    "roofline/n=1024",
    "python-iterate/items/n=1024",
    "python-iterate/batched/n=1024",
    "dict-iterate/n=1024",
    "iterate/map=swiss/storage=pool/prefetch=4/n=1024",
    "iterinit/map=swiss/storage=heap/n=1024",
    "iterate-growing/map=swiss/n=1024",
    "insert/map=swiss/hint=0/n=1024",
    "lookup/map=swiss/hit/n=1024",
    "delete/map=swiss/n=1024",
    "roofline/map=swiss/n=1024",
]


@pytest.mark.parametrize("name", ONE_PER_FAMILY)
def test_workload_times_its_kernel_and_counts_loops(name):
    bench = matrix.parse_name(name)
    func, meta = suite.make_workload(bench)
    suite.COUNTS.reset()
    seconds = func(2)
    assert seconds > 0
    assert suite.COUNTS.loops == 2
    assert meta["n"] == 1024 and meta["op"] == bench.op and meta["timer"]
    if bench.family in ("iterate", "iterinit", "lookup", "roofline", "python-iterate"):
        if bench.param("map") == "swiss":
            # groups of 136 bytes for 8 slots, filled to at most 7/8
            assert meta["map"] == "swiss" and meta["table_bytes"] >= 1024 * 8 // 7 // 8 * 136
            assert 0 < meta["load_factor"] <= 7 / 8
        else:
            assert meta["bucket_bytes"] == meta["table_bytes"] >= 1024 // 8 * 144 // 2
            assert 0 < meta["load_factor"] <= 6.5


def test_allocation_counts_follow_iterator_storage():
    per_op = {}
    for storage in ("stack", "heap", "pool"):
        func, _ = suite.make_workload(matrix.parse_name(f"iterinit/storage={storage}/n=1024"))
        func(8)                                  # warm the pool
        suite.COUNTS.reset()
        func(16)
        per_op[storage] = suite.COUNTS.allocs / suite.COUNTS.loops
    assert per_op == {"stack": 0, "heap": 1, "pool": 0}


def test_swiss_names_time_the_swiss_map():
    _, meta = suite.make_workload(matrix.parse_name("iterate/map=swiss/storage=stack/prefetch=0/n=4096"))
    _, classic = suite.make_workload(matrix.parse_name("iterate/storage=stack/prefetch=0/n=4096"))
    assert meta["map"] == "swiss" and "map" not in classic
    assert meta["tables"] >= 1 and "B" not in meta


def test_workers_build_identical_maps():
    a = families.build_map(4096)
    b = families.build_map(4096)
    assert a.stats()["bucket_bytes"] == b.stats()["bucket_bytes"]
    assert sorted(a.items()) == sorted(b.items())
