"""Iterator set-up (issue 27, part 3): what the faster set-up must keep.

The Swiss set-up does its first step inline and enters the start group alone, then the
next group, before 64-slot chunks (swiss/iter.c enter_chunk); heap iterators come from
malloc + zeroing instead of calloc, stack and pooled ones are zeroed with vector stores
(common/alloc.c, common/iter_pool.h). None of it may change which entry an iteration
starts at (Go's random start, drawn from fastrand) or the guarantees of a walk that
meets deletes right after its set-up, when its chunks are single groups."""

import random

import pytest

from mapbench.native import Map, kernels
from mapbench.native._ffi import lib

U64 = 2**64
SIZES = (9, 100, 3000, 20000)  # the small group's first table, one table, several, many


def fold(k, v):
    return (k * 0x9E3779B97F4A7C15 + v) % U64  # common/timing.h, the kernels' checksum


@pytest.mark.parametrize("kind", ["classic", "swiss"])
@pytest.mark.parametrize("storage", ["stack", "heap", "pool"])
def test_set_up_returns_the_walks_first_entry_whatever_the_storage(kind, storage):
    for n in SIZES:
        m = Map(seed=3, kind=kind)
        m.fill(n, key_seed=n)
        for seed in range(40):
            lib.fastrand_seed(seed)
            first = next(iter(m.items()))
            lib.fastrand_seed(seed)
            result = kernels.iter_init(m, 1, storage)
            assert result.checksum == fold(*first), (n, seed)


def test_swiss_start_group_then_next_group_then_chunks_cover_every_slot_once():
    """Tables of 8 to 1024 slots (hints), every start position: a walk that deletes
    keys it has not reached right after its first and second entries (while it is in
    the single-group chunks) never returns them, and returns every other key once."""
    for hint, n in ((0, 9), (14, 14), (28, 28), (56, 56), (0, 120), (0, 900), (0, 5000)):
        for seed in range(60):
            m = Map(hint=hint, seed=seed, kind="swiss")
            m.fill(n, key_seed=seed + 1)
            start = set(m.keys())
            rnd = random.Random(seed)
            lib.fastrand_seed(seed)
            returned, deleted = [], set()
            for k in m.keys():
                assert k not in deleted, "a key deleted before it was reached came back"
                returned.append(k)
                if len(returned) in (1, 2):
                    unseen = sorted(start - set(returned) - deleted)
                    for d in rnd.sample(unseen, min(3, len(unseen))):
                        del m[d]
                        deleted.add(d)
            assert len(returned) == len(set(returned)), "a key came back twice"
            assert set(returned) == start - deleted, (hint, n, seed)
