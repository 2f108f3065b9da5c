"""The native invariant checkers (Map.check_invariants: native/src/classic/check.c for
map.h INVARIANT 1, 4-7, native/src/swiss/check.c for swiss.h S1-S3, S5, S6): silent on
every state the public API reaches, and, on a map broken on purpose through the
Map._debug_corrupt hook, an InvariantViolation whose one line names the invariant that
broke and where. A checker that always passed, or blamed the wrong invariant, fails
here. Each corruption is its own inverse: undoing it makes the map sound again (and
safe to destroy)."""

import random

import pytest

from mapbench.native import KINDS, InvariantViolation, Map


def filled(kind, n, seed=1, **kw):
    m = Map(seed=seed, kind=kind, **kw)
    m.fill(n)
    return m


def churned(kind):
    """Inserts and deletes mixed, so the maps keep EMPTY_ONE slots, overflow chains,
    tombstones and split tables."""
    m = Map(seed=5, kind=kind)
    rnd = random.Random(5)
    live = []
    for i in range(6000):
        k = rnd.randrange(1 << 64) if i % 2 else rnd.randrange(4000)
        m[k] = i
        live.append(k)
        if i % 3 == 0:
            victim = live.pop(rnd.randrange(len(live)))
            if victim in m:
                del m[victim]
    return m


def half_grown():
    m = filled("classic", 5000)
    m._half_grow()
    assert m.stats()["growing"]
    return m


def emptied_mid_grow_and_refilled():
    """Deleting the last entry reseeds hash0 (as Go); mid-grow, the keys left behind in
    evacuated old buckets hash differently after that."""
    m = Map(hint=100000, seed=3)        # many buckets, few keys: the grow outlasts them
    for k in range(200):
        m[k] = k
    m._half_grow()
    for k in range(200):
        del m[k]
    for k in range(10**6, 10**6 + 50):
        m[k] = k
    assert m.stats()["growing"] and len(m) == 50
    return m


def emptied(kind):
    m = filled(kind, 3000)
    for k in list(m):
        del m[k]
    return m


def iterated_while_growing(kind):
    m = filled(kind, 900)
    it = m.keys()
    next(it)
    m.fill(3000, key_seed=9)   # grows (classic) or rebuilds tables (swiss) under it
    next(it)
    return m, it


SOUND = {
    "empty": lambda kind: Map(kind=kind),
    "presized": lambda kind: Map(hint=5000, kind=kind),
    "one entry": lambda kind: filled(kind, 1),
    "small": lambda kind: filled(kind, 8),
    "grown": lambda kind: filled(kind, 20000),
    "churned": churned,
    "emptied": emptied,
    "iterated while growing": lambda kind: iterated_while_growing(kind)[0],
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("state", sorted(SOUND))
def test_sound_maps_pass(kind, state):
    SOUND[state](kind).check_invariants()


def test_a_map_emptied_and_reseeded_mid_grow_passes():
    emptied_mid_grow_and_refilled().check_invariants()


def test_a_half_done_grow_passes_and_so_does_every_write_that_finishes_it():
    m = half_grown()
    m.check_invariants()
    k = 0
    while m.stats()["growing"]:    # each write evacuates up to two old buckets
        m[10**9 + k] = k
        k += 1
        m.check_invariants()
    assert k > 1


def test_a_same_size_grow_passes_from_start_to_end():
    # Churn at a steady count just under the load factor: overflow buckets pile up until
    # noverflow >= 2^B starts a same-size grow (EVACUATED_X only).
    rnd = random.Random(2)
    m = Map(seed=4)
    live = []
    while len(m) < 6 * 64 + 20:
        live.append(rnd.getrandbits(64))
        m[live[-1]] = 1
    for _ in range(50000):
        j = rnd.randrange(len(live))
        del m[live[j]]
        live[j] = rnd.getrandbits(64)
        m[live[j]] = 1
        if m.stats()["same_size_grow"]:
            break
    assert m.stats()["same_size_grow"]
    while m.stats()["growing"]:
        m.check_invariants()
        live.append(rnd.getrandbits(64))
        m[live[-1]] = 1
    m.check_invariants()


def test_a_write_flag_left_set_is_no_structural_fault():
    for kind in KINDS:
        m = filled(kind, 100)
        m._debug_set_writing(True)
        m.check_invariants()
        m._debug_set_writing(False)


# kind, how to make the map, what to corrupt, the invariant, a regex on the message
CORRUPTIONS = [
    ("classic", lambda: filled("classic", 100), "tophash", 4,
     r"^INVARIANT 4 \(placement\): bucket \d+ chain position \d+ slot \d: tophash \d+, "
     r"but key \d+ has tophash \d+$"),
    ("classic", half_grown, "tophash", 4,
     r"^INVARIANT 4 \(placement\): old bucket \d+ .*tophash"),
    ("classic", lambda: filled("classic", 100), "count", 5,
     r"^INVARIANT 5 \(count\): count 101 but 100 live slots$"),
    ("classic", lambda: filled("classic", 100), "empty_rest", 6,
     r"^INVARIANT 6 \(chains\): bucket \d+ chain position \d+ slot \d: live entry after "
     r"an EMPTY_REST slot$"),
    ("classic", half_grown, "empty_rest", 6, r"^INVARIANT 6 \(chains\): old bucket \d+ "),
    ("classic", half_grown, "nevacuate", 7,
     r"^INVARIANT 7 \(evacuation\): nevacuate \d+ outside \[0, 1024\) while growing$"),
    ("swiss", lambda: filled("swiss", 5), "h2", 5,
     r"^INVARIANT S5 \(control bytes\): small group slot \d: control byte H2 0x[0-9a-f]{2}, "
     r"but key \d+ has H2 0x[0-9a-f]{2}$"),
    ("swiss", lambda: filled("swiss", 5000), "h2", 5,
     r"^INVARIANT S5 \(control bytes\): table \d+ group \d+ slot \d: control byte H2"),
    ("swiss", lambda: filled("swiss", 5000), "used", 2,
     r"^INVARIANT S2 \(table counts\): table 0: used \d+ but \d+ full slots$"),
    ("swiss", lambda: filled("swiss", 5000), "growth_left", 2,
     r"^INVARIANT S2 \(table counts\): table 0: growthLeft \d+, want \d+ "),
    ("swiss", lambda: churned("swiss"), "growth_left", 2, r"^INVARIANT S2 \(table counts\): table 0: growthLeft"),
    ("swiss", lambda: filled("swiss", 5000), "map_used", 6,
     r"^INVARIANT S6 \(map count\): map used 5001 but its tables' used sum to 5000$"),
    ("swiss", lambda: filled("swiss", 5), "map_used", 6,
     r"^INVARIANT S6 \(map count\): map used \d but the small group has \d full slots$"),
    ("swiss", lambda: filled("swiss", 5000), "directory", 1,
     r"^INVARIANT S1 \(directory\): directory entry 0: its table's index is \d+, not the "
     r"first entry that holds it$"),
]


@pytest.mark.parametrize("kind, make, what, invariant, message", CORRUPTIONS,
                         ids=["%s-%s-%d" % (c[0], c[2], i) for i, c in enumerate(CORRUPTIONS)])
def test_a_corrupted_map_is_caught_and_the_broken_invariant_named(kind, make, what, invariant,
                                                                 message):
    m = make()
    assert m.kind == kind
    m.check_invariants()
    m._debug_corrupt(what)
    try:
        with pytest.raises(InvariantViolation, match=message) as caught:
            m.check_invariants()
    finally:
        m._debug_corrupt(what)     # undo: the map must be sound again to be destroyed
    assert caught.value.invariant == invariant
    assert isinstance(caught.value, AssertionError) and "\n" not in str(caught.value)
    m.check_invariants()


def test_unknown_or_impossible_corruptions_are_refused():
    with pytest.raises(ValueError, match="cannot corrupt 'tophash'"):
        Map(kind="classic")._debug_corrupt("tophash")        # no bucket array yet
    with pytest.raises(ValueError, match="cannot corrupt 'directory'"):
        filled("swiss", 5)._debug_corrupt("directory")        # the small map has none
    with pytest.raises(ValueError):
        filled("swiss", 5000)._debug_corrupt("no such thing")
