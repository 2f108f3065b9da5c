"""An exact Go-order oracle for keys inserted while the classic map is walked.

Go 1.19's mapiternext reads b.tophash[offi] for every slot of every bucket when the walk
gets there, and b.overflow when a bucket's slots are done, so a key inserted during a
range comes back iff its slot is still ahead of the walk: in a later bucket, in a later
slot of the current bucket, or in an overflow bucket appended to a chain the walk has not
finished. In a map that neither grows nor loses an entry, slots never move: a second walk
of the final map from the same start (the same fastrand seed, so the same start bucket and
slot offset) lists every slot in Go's walk order, which decides, for each key inserted
after yield t, whether Go returns it.

Our iterator caches the occupied slots of up to 8 buckets (a group, map.h INVARIANT 3)
when it enters them; before INVARIANT 8 it missed every key inserted into the group ahead
of the walk, and every key in an overflow bucket appended to a group bucket other than the
last. The inserts here are aimed: into the bucket of the key just returned (its remaining
slots, or an overflow bucket appended to the current chain once it is full), into the
buckets up to 7 ahead (inside the current group or the next), in bursts that give a bucket
ahead an overflow chain, and into the bucket just behind (never returned).
"""
import random

import pytest

from mapbench.native import Map
from mapbench.native._ffi import lib

B = 6                     # 64 buckets: 8 groups of 8
HINT = 400                # 6.5 * 64 = 416 entries before a doubling grow
STOP = 400                # no insert past this many entries: the map never grows


def _key_in(bucket, hash0, rnd, taken):
    while True:
        k = rnd.getrandbits(62) | 1 << 62
        if k not in taken and lib.hash64(k, hash0) & ((1 << B) - 1) == bucket:
            taken.add(k)
            return k


@pytest.mark.parametrize("seed", range(8))
def test_keys_inserted_ahead_of_the_walk_come_back_as_in_go(seed):
    rnd = random.Random(seed)
    m = Map(hint=HINT, seed=seed)
    assert m.stats()["B"] == B
    hash0 = m.stats()["hash0"]
    mask = (1 << B) - 1
    taken, chain_len = set(), [0] * (1 << B)
    for b in range(1 << B):           # 0 to 3 entries a bucket: room ahead in most
        for _ in range(rnd.randint(0, 3)):
            m[_key_in(b, hash0, rnd, taken)] = 0
            chain_len[b] += 1

    lib.fastrand_seed(seed)
    yields, inserted_after, in_overflow, kind = [], {}, set(), {}

    def insert(bucket, after, what):
        k = _key_in(bucket, hash0, rnd, taken)
        m[k] = 1
        inserted_after[k] = after
        kind[k] = what
        if chain_len[bucket] >= 8:    # no deletes: a chain fills its slots in order
            in_overflow.add(k)
        chain_len[bucket] += 1

    for k, _ in m.items():
        yields.append(k)
        if len(m) >= STOP - 12:
            continue
        here = lib.hash64(k, hash0) & mask
        insert(here, k, "same bucket")
        insert((here + rnd.randint(1, 7)) & mask, k, "a bucket ahead")
        insert((here - 1) & mask, k, "the bucket behind")
        if len(yields) % 9 == 0:      # a burst: an overflow chain on a bucket ahead
            ahead = (here + rnd.randint(1, 6)) & mask
            for _ in range(max(1, 9 - chain_len[ahead])):
                insert(ahead, k, "burst ahead")
        if len(yields) % 13 == 0:     # and on the current bucket
            for _ in range(max(1, 9 - chain_len[here])):
                insert(here, k, "burst here")
    s = m.stats()
    assert s["B"] == B and not s["growing"]          # no grow: slots never moved

    lib.fastrand_seed(seed)
    order = {k: i for i, (k, _) in enumerate(m.items())}
    assert len(order) == len(m)
    positions = [order[k] for k in yields]
    assert positions == sorted(positions), "the walk's order changed under inserts"
    assert len(set(yields)) == len(yields)
    ahead = {k for k, after in inserted_after.items() if order[k] > order[after]}
    returned = set(yields) & set(inserted_after)
    missed, extra = ahead - returned, returned - ahead
    assert not missed and not extra, (
        f"{len(missed)} keys inserted ahead of the walk were missed "
        f"({sorted({kind[k] for k in missed})}, {len(missed & in_overflow)} in overflow buckets), "
        f"{len(extra)} behind it came back")
    # not vacuous: each way of landing ahead happened, and keys behind were skipped
    for what in ("same bucket", "a bucket ahead", "burst ahead", "burst here"):
        assert any(kind[k] == what for k in ahead), what
    assert len(ahead & in_overflow) > 5
    assert any(kind[k] == "the bucket behind" for k in set(inserted_after) - ahead)
