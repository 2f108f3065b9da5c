"""The count pass's hooks in the native module, run natively: they change no result."""
import pytest

from mapbench.native import Map, count_region, kernels, seed_fastrand


@pytest.fixture
def small_map():
    m = Map(seed=7)
    m.fill(3000, key_seed=3)
    return m


def test_client_requests_are_no_ops_outside_valgrind(small_map):
    assert count_region.running_on_valgrind() == 0
    plain = kernels.iterate(small_map, 3)
    with count_region.instrumented(), count_region.armed():
        armed = kernels.iterate(small_map, 3)
        count_region.dump("iterate/test")
    assert (armed.elements, armed.checksum) == (plain.elements, plain.checksum)
    with pytest.raises(ValueError):
        count_region.dump("two\nlines")


@pytest.mark.parametrize("pct", [1, 10, 250])
def test_injected_work_keeps_elements_and_checksums(small_map, pct):
    base_iter = kernels.iterate(small_map, 2, storage="heap", prefetch=4)
    seed_fastrand(99)                    # iterinit's checksum is the random first entry
    base_init = kernels.iter_init(small_map, 50, storage="pool")
    base_grow = kernels.iterate_growing(2000, 2, seed=5)
    kernels.set_inject_work_pct(pct)
    try:
        more_iter = kernels.iterate(small_map, 2, storage="heap", prefetch=4)
        seed_fastrand(99)
        more_init = kernels.iter_init(small_map, 50, storage="pool")
        more_grow = kernels.iterate_growing(2000, 2, seed=5)
    finally:
        kernels.set_inject_work_pct(0)
    for a, b in ((base_iter, more_iter), (base_init, more_init), (base_grow, more_grow)):
        assert (a.elements, a.checksum) == (b.elements, b.checksum)
    # The heap iterator of each extra partial traversal is allocated inside the timed region.
    assert more_iter.allocs == base_iter.allocs * 2


def test_bad_work_env_is_rejected(monkeypatch):
    monkeypatch.setenv(kernels.WORK_ENV, "ten")
    with pytest.raises(ValueError, match="MAPBENCH_INJECT_WORK_PCT must be an integer"):
        kernels._read_pct_env(kernels.WORK_ENV)
    monkeypatch.setenv(kernels.WORK_ENV, "-1")
    with pytest.raises(ValueError, match=r"\[0, 100000\]"):
        kernels._read_pct_env(kernels.WORK_ENV)
