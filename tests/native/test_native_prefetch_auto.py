"""prefetch="auto", the default: a distance chosen by the size of the bucket array."""
import pytest

from mapbench.native import Map, kernels


def test_auto_is_off_for_small_arrays_and_on_past_the_threshold():
    small = Map(seed=1)
    small.fill(1 << 14)                        # 2^12 buckets, 590 KB
    assert kernels.auto_prefetch(small) == 0
    big = Map(hint=1 << 22, seed=1)            # 2^20 buckets (151 MB), allocated, not filled
    assert big.stats()["bucket_bytes"] >= 64 << 20
    assert kernels.auto_prefetch(big) == 16


def test_swiss_auto_is_off_below_2_to_16_entries_and_on_from_there():
    m = Map(seed=1, kind="swiss")
    m.fill((1 << 16) - 1)
    assert kernels.auto_prefetch(m) == 0
    m[2**63] = 1
    assert len(m) == 1 << 16 and kernels.auto_prefetch(m) == 64
    folded = kernels.iterate(m, 1, prefetch=0).checksum
    assert kernels.iterate(m, 1, prefetch="auto").checksum == folded


def test_auto_iterates_everything_like_any_distance():
    m = Map(hint=1 << 22, seed=2)
    m.fill(5000, key_seed=3)
    expected = dict(m.items())
    folded = kernels.iterate(m, 1, prefetch=0).checksum
    assert kernels.iterate(m, 1, prefetch="auto").checksum == folded
    assert dict(Map.items(m)) == expected and m.prefetch == kernels.prefetch_distance("auto")


@pytest.mark.parametrize("bad", [-1, 65535, 70000, True, 2.0, "fast"])
def test_bad_distances_are_value_errors(bad):
    with pytest.raises(ValueError):
        kernels.prefetch_distance(bad)
    with pytest.raises(ValueError):
        Map(prefetch=bad)
