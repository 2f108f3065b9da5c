"""The range-loop kernels (native/src/*/range_kernels.c): a range that inserts, with its
cap, exact and fixed by its seed; maps shaped by mass deletes, a copy, or where the load
sits between grows, with their live entries and the bytes a traversal walks; misuse
from Python is a ValueError, never a crash."""

import pytest

from mapbench.native import KINDS, kernels, layout
from mapbench.native._ffi import lib

N = 1024


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("per", [1, 4])
def test_a_range_that_inserts_is_exact_for_its_seed(kind, per):
    runs = [kernels.range_inserting(N, per, seed=s, kind=kind) for s in (3, 3, 4)]
    assert runs[0] == runs[1]                    # the same seed: the very same run
    assert runs[0].ended and runs[0].yields >= N  # every starting key comes back once
    assert runs[0].entries == N + per * runs[0].yields   # put after every yield
    assert {kernels.range_inserting(N, per, seed=s, kind=kind).yields for s in range(1, 9)} != {runs[0].yields}


def test_the_swiss_walk_that_meets_its_own_keys_is_stopped_at_the_cap():
    run = kernels.range_inserting(N, 8, seed=1, kind="swiss")
    assert not run.ended and run.cap == kernels.CAP_FACTOR * N
    assert run.entries <= run.cap < run.entries + 8          # stopped when 8 more would pass it
    assert run.yields == (run.cap - N) // 8 + 1
    assert kernels.range_inserting(N, 8, seed=1, kind="classic").ended   # bounded by its buckets


@pytest.mark.parametrize("kind", KINDS)
def test_a_small_cap_is_a_result_for_either_map(kind):
    run = kernels.range_inserting(N, 8, cap_factor=2, seed=2, kind=kind)
    assert not run.ended and run.entries <= 2 * N


@pytest.mark.parametrize("kind", KINDS)
def test_the_timed_range_counts_starting_entries_and_adds_up_the_yields(kind):
    once = kernels.range_inserting(N, 2, seed=9, kind=kind)
    r = kernels.iterate_inserting(N, 3, per=2, seed=9, kind=kind)
    assert r.elements == 3 * N and r.checksum == 3 * once.yields and r.seconds > 0
    assert r.allocs > 0                          # the inserts grow the map inside the timed region


@pytest.mark.parametrize("bad", [dict(per=0), dict(per=True), dict(per=2.0), dict(per=2, cap_factor=0),
                                 dict(per=2, cap_factor=10 ** 6)])
def test_misuse_of_the_inserting_kernels_is_a_value_error(bad):
    with pytest.raises((ValueError, TypeError)):
        kernels.range_inserting(N, **bad)
    with pytest.raises((ValueError, TypeError)):
        kernels.iterate_inserting(N, 1, **bad)


@pytest.mark.parametrize("call", [
    lambda: kernels.range_inserting(0, 1), lambda: kernels.shape_probe(N, deleted=101),
    lambda: kernels.shape_probe(N, deleted=-1), lambda: kernels.shape_probe(N, fill="half"),
    lambda: kernels.iterate_after_delete(N, 0), lambda: kernels.copy_after_delete(N, 1, deleted="50"),
    lambda: kernels.iterate_load(1 << 30, 1)])
def test_misuse_of_the_shaped_kernels_is_a_value_error(call):
    with pytest.raises((ValueError, TypeError, OverflowError)):
        call()


def _sizes():
    out = layout()
    return out["bmap"]["size"], out["swiss_group"]["size"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("deleted", [0, 50, 90, 99])
def test_after_deletes_the_live_entries_and_the_bytes_walked_follow_the_layout(kind, deleted):
    n = 1 << 14
    bucket, group = _sizes()
    shape = kernels.shape_probe(n, deleted=deleted, kind=kind)
    full = kernels.shape_probe(n, kind=kind)
    assert shape["live"] == n - n * deleted // 100
    assert shape["units"] == full["units"]                   # neither map shrinks
    if kind == "classic":
        assert shape["walk_bytes"] == (shape["units"] + shape["overflow"]) * bucket
    else:
        directory = shape["walk_bytes"] - shape["units"] * group
        assert 0 <= directory <= shape["units"] and directory % 8 == 0
        assert (shape["tombstones"] > 0) == (deleted > 0)
    copied = kernels.shape_probe(n, deleted=deleted, copied=True, kind=kind)
    assert copied["live"] == shape["live"]
    if deleted >= 90:                                        # the copy is sized to its len
        assert copied["walk_bytes"] * 4 < shape["walk_bytes"]
        assert copied.get("tombstones", 0) == 0
    r = kernels.iterate_after_delete(n, 2, deleted=deleted, kind=kind)
    c = kernels.copy_after_delete(n, 2, deleted=deleted, kind=kind)
    assert r.elements == c.elements == 2 * shape["live"]
    keys = {lib.stream_key(1, i) for i in range(n * deleted // 100, n)}
    want = sum(k * 0x9E3779B97F4A7C15 + i for i, k in
               ((i, lib.stream_key(1, i)) for i in range(n * deleted // 100, n))) & (2 ** 64 - 1)
    assert len(keys) == shape["live"] and r.checksum == (2 * want) & (2 ** 64 - 1) == c.checksum


def test_the_classic_load_shapes_sit_at_6_5_and_3_25_entries_per_bucket():
    n = 1 << 14
    before = kernels.shape_probe(n, fill="before-grow", kind="classic")
    after = kernels.shape_probe(n, fill="after-grow", kind="classic")
    assert before["units"] == after["units"] == 4096
    assert before["live"] == 13 * 4096 // 2 and after["live"] == 13 * 2048 // 2 + 1
    assert kernels.iterate_load(n, 2, fill="before-grow").elements == 2 * before["live"]


def test_a_single_swiss_table_sits_at_7_8_before_and_7_16_after_a_grow():
    before = kernels.shape_probe(800, fill="before-grow", kind="swiss")
    after = kernels.shape_probe(800, fill="after-grow", kind="swiss")
    slots = lambda s: s["units"] * 8                          # noqa: E731
    assert before["live"] == 7 * slots(before) // 8 == 896
    assert after["live"] == 7 * slots(after) // 16 + 1 == 449
