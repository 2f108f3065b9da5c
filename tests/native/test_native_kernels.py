"""The timed C kernels of both kinds of map: what they count and fold, not how fast
they are."""

import pytest

from mapbench.native import KINDS, STORAGES, Map, kernels, layout
from mapbench.native._ffi import lib

MASK = 2**64 - 1


def fold_sum(items):
    return sum(k * 0x9E3779B97F4A7C15 + v for k, v in items) & MASK


def stream(seed, n):
    return [(lib.stream_key(seed, i), i) for i in range(n)]


ITER_SIZE = {"classic": "hiter", "swiss": "swiss_iter"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("storage", STORAGES)
@pytest.mark.parametrize("prefetch,atomic", [(0, False), (4, True), (16, False)])
def test_iterate_folds_every_entry(kind, storage, prefetch, atomic):
    atomic = atomic and kind == "classic"  # the Swiss iterator has no snapshot variant
    m = Map(seed=11, kind=kind)
    m.fill(3000, key_seed=5)
    r = kernels.iterate(m, 4, storage=storage, prefetch=prefetch, atomic_snapshot=atomic)
    assert r.elements == 4 * 3000
    assert r.checksum == (4 * fold_sum(m.items())) & MASK
    assert r.checksum == (4 * fold_sum(stream(5, 3000))) & MASK


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [1, 8, 9, 50, 700, 40000])
@pytest.mark.parametrize("prefetch", [0, 1, 8, 64, 300])
def test_iterate_folds_every_entry_at_every_size_and_distance(kind, n, prefetch):
    # Sizes from the small map's group through tables smaller than a chunk to ~80 full
    # tables; distances inside a table, across the jump to the next table (the Swiss
    # prefetch runs ahead over it) and longer than a whole table.
    m = Map(seed=3, kind=kind)
    m.fill(n, key_seed=8)
    r = kernels.iterate(m, 2, prefetch=prefetch)
    assert r.elements == 2 * n
    assert r.checksum == (2 * fold_sum(stream(8, n))) & MASK


@pytest.mark.parametrize("kind", KINDS)
def test_allocations_per_traversal(kind):
    m = Map(seed=1, kind=kind)
    m.fill(2000)
    assert kernels.iterate(m, 10, "stack").allocs == 0
    heap = kernels.iterate(m, 10, "heap")
    assert heap.allocs == 10 and heap.alloc_bytes == 10 * layout()[ITER_SIZE[kind]]["size"]
    kernels.iterate(m, 1, "pool")  # warm-up
    assert kernels.iterate(m, 10, "pool").allocs == 0
    assert kernels.iter_init(m, 10, "heap").allocs == 10
    assert kernels.iter_init(m, 10, "pool").allocs == 0


POOL_CHECK = {"classic": lib.iter_pool_check_zeroed, "swiss": lib.swiss_iter_pool_check_zeroed}


@pytest.mark.parametrize("kind", KINDS)
def test_pool_never_hands_out_a_stale_iterator(kind):
    m = Map(seed=1, kind=kind)
    m.fill(5000)
    kernels.iter_init(m, 5, "pool")      # put back mid-iteration
    assert POOL_CHECK[kind]()
    kernels.iterate(m, 3, "pool")        # put back at the end
    assert POOL_CHECK[kind]()
    for i in range(5000, 20000):         # grow away from the arrays it walked
        m[i] = i
    r = kernels.iterate(m, 2, "pool")
    assert r.elements == 2 * len(m)
    assert r.checksum == (2 * fold_sum(m.items())) & MASK


@pytest.mark.parametrize("kind", KINDS)
def test_iter_init_counts_loops(kind):
    m = Map(seed=1, kind=kind)
    m.fill(100)
    r = kernels.iter_init(m, 50)
    assert r.elements == 50
    assert kernels.iter_init(Map(kind=kind), 3).checksum == 0


def test_iterate_growing_sees_a_half_done_grow():  # classic
    r = kernels.iterate_growing(6000, 3, seed=9)
    assert r.elements == 3 * 6000
    assert r.checksum == (3 * fold_sum(stream(9, 6000))) & MASK
    assert kernels.iterate_growing(6000, 1, storage="pool", prefetch=2, seed=9).checksum == \
        fold_sum(stream(9, 6000))


@pytest.mark.parametrize("n", [1, 8, 9, 5000, 40000])
@pytest.mark.parametrize("storage", STORAGES)
def test_swiss_iterate_growing_spans_a_table_rebuild(n, storage):
    # the inserted entries may or may not come back; the n originals exactly once each
    r = kernels.iterate_growing(n, 3, storage=storage, prefetch=2, seed=9, kind="swiss")
    assert r.elements == 3 * n
    assert r.checksum == (3 * fold_sum(stream(9, n))) & MASK
    if storage == "stack":
        assert r.allocs == 0  # the inserts' tables are not counted: they are untimed


@pytest.mark.parametrize("kind", KINDS)
def test_insert_with_and_without_hint(kind):
    plain = kernels.insert(10000, 2, kind=kind)
    hinted = kernels.insert(10000, 2, hint=True, kind=kind)
    assert plain.elements == hinted.elements == 20000
    assert plain.checksum == hinted.checksum == 20000  # final counts, summed
    assert hinted.allocs < plain.allocs               # a hinted map never grows


@pytest.mark.parametrize("kind", KINDS)
def test_lookup_hits_and_misses(kind):
    m = Map(seed=2, kind=kind)
    m.fill(4000, key_seed=1)
    hit = kernels.lookup(m, 2)
    assert hit.elements == 8000 and hit.checksum == (2 * fold_sum(m.items())) & MASK
    miss = kernels.lookup(m, 2, hit=False)
    assert miss.elements == 8000 and miss.checksum == 0


@pytest.mark.parametrize("kind", KINDS)
def test_delete_all(kind):
    r = kernels.delete(5000, 2, seed=4, kind=kind)
    assert r.elements == 10000 and r.checksum == 10000 and r.allocs == 0


def test_roofline_reads_every_word():
    r = kernels.roofline(8 * 1000, 3)
    assert r.elements == 3000
    assert r.checksum == (3 * sum(i * 0x9E3779B97F4A7C15 for i in range(1000))) & MASK


def test_bad_arguments():
    m = Map()
    with pytest.raises(ValueError):
        kernels.iterate(m, 1, storage="register")
    with pytest.raises(ValueError):
        kernels.iterate(m, 0)
    with pytest.raises(ValueError):
        kernels.iterate(m, 1, prefetch=-1)
    with pytest.raises(OverflowError):
        kernels.insert(-5, 1)


def _run_with_slowdown(value, code):
    import os
    import subprocess
    import sys
    env = dict(os.environ, MAPBENCH_INJECT_SLOWDOWN_PCT=value)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)


def test_slowdown_knob_keeps_results_and_rejects_garbage():
    code = ("from mapbench.native import Map, kernels\n"
            "m = Map(seed=1); m.fill(1000)\n"
            "a = kernels.iterate(m, 3); b = kernels.iter_init(m, 3)\n"
            "c = kernels.iterate_growing(1000, 2, seed=2)\n"
            "s = Map(seed=1, kind='swiss'); s.fill(1000)\n"
            "d = kernels.iterate(s, 2)\n"
            "print(a.elements, a.checksum == 3 * sum(k * 0x9E3779B97F4A7C15 + v "
            "for k, v in m.items()) % 2**64, b.elements, c.elements, d.elements)\n")
    ok = _run_with_slowdown("50", code)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == ["3000", "True", "3", "2000", "2000"]
    bad = _run_with_slowdown("lots", "import mapbench.native")
    assert bad.returncode != 0 and "MAPBENCH_INJECT_SLOWDOWN_PCT" in bad.stderr
