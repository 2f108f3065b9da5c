"""Iteration in groups of buckets (iter.c, INVARIANT 3) against Go's per-bucket rules:
a same-size grow that starts while the iterator holds a group of buckets makes it
enter the rest of them the way Go does (old bucket, checkBucket), and the guarantees
hold; groups stop at overflow chains, at the wrap point and at the start bucket."""

import random

import pytest

from mapbench.native import Map
from mapbench.native._ffi import lib

B = 4  # 16 buckets: two groups of 8


def keys_in_bucket(hash0, bucket, count, rnd, taken):
    out = []
    while len(out) < count:
        k = rnd.getrandbits(64)
        if k not in taken and lib.hash64(k, hash0) & ((1 << B) - 1) == bucket:
            out.append(k)
            taken.add(k)
    return out


@pytest.mark.parametrize("seed", range(16))
def test_same_size_grow_during_iteration(seed):
    rnd = random.Random(seed)
    m = Map(hint=100, seed=seed)
    assert m.stats()["B"] == B
    hash0 = m.stats()["hash0"]
    taken = set()
    model = {}
    for b in range(1 << B):  # 1 to 6 entries in every bucket, no overflow bucket
        for k in keys_in_bucket(hash0, b, rnd.randint(1, 6), rnd, taken):
            m[k] = b
            model[k] = b
    present_at_start = set(model)
    deleted, returned, same_size_grows = set(), [], 0
    batch, target = [], 0
    lib.fastrand_seed(seed)  # the start bucket and offset: reproducible
    for k, v in m.items():
        returned.append(k)
        assert k not in deleted, "a key deleted before it was reached came back"
        assert v == model[k], "stale value"
        # churn: 8 fresh keys into one bucket (one more overflow bucket), deleted
        # again at the next step, so overflow buckets pile up at a constant count and
        # a same-size grow starts mid-iteration
        for d in batch:
            del m[d]
            del model[d]
            deleted.add(d)
        batch = keys_in_bucket(hash0, target, 8, rnd, taken)
        for nk in batch:
            m[nk] = 7
            model[nk] = 7
        target = (target + 5) % (1 << B)
        s = m.stats()
        assert s["B"] == B  # never a doubling grow
        same_size_grows += s["growing"] and s["same_size_grow"]
    assert same_size_grows > 0
    assert len(returned) == len(set(returned)), "a key came back twice"
    stable = present_at_start - deleted
    assert stable <= set(returned), "a key present all along was not returned"
    assert dict(m.items()) == model


def test_groups_cover_every_start_position():
    # a map whose buckets are all in use: every start bucket and offset, many times
    m = Map(seed=3)
    m.fill(1000, key_seed=5)
    expected = dict(m.items())
    for _ in range(200):
        assert dict(m.items()) == expected
        assert sum(1 for _ in m.keys()) == len(expected)
