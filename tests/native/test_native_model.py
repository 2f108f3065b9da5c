"""Model-based tests: random sequences of inserts, updates, deletes, lookups, grows
and iterations on native.Map, checked against a dict, across many grows (up to a few
thousand keys, so B reaches 9, or a Swiss map splits into several tables) and after
deleting back down; both kinds. After every rule the native checker
(Map.check_invariants: map.h INVARIANT 1, 4-7; swiss.h S1-S3, S5, S6) checks the
map's structure, as Go's debug builds run checkInvariants after writes: one pass over
the map, cheap beside the rule itself, so it runs always (under `tox -e asan` too)."""

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from mapbench.native import Map

U64 = 2**64
small_keys = st.integers(0, 400)
any_keys = st.one_of(small_keys, st.integers(0, U64 - 1))
values = st.integers(0, U64 - 1)


class MapVersusDict(RuleBasedStateMachine):
    kind = "classic"

    def __init__(self):
        super().__init__()
        self.m = Map(seed=7, kind=self.kind)
        self.model = {}
        self.next_bulk = 10**6

    @rule(k=any_keys, v=values)
    def assign(self, k, v):
        self.m[k] = v
        self.model[k] = v

    @rule(n=st.integers(1, 600))
    def insert_many(self, n):
        # fresh keys: crosses load-factor thresholds and so grows, mid-grow writes
        for i in range(n):
            k = self.next_bulk + i * 7919
            self.m[k] = i
            self.model[k] = i
        self.next_bulk += n * 7919

    @rule(k=any_keys)
    def delete(self, k):
        if k in self.model:
            del self.m[k]
            del self.model[k]
        else:
            try:
                del self.m[k]
            except KeyError:
                pass
            else:
                raise AssertionError("deleted a key that was never there")

    @precondition(lambda self: len(self.model) > 0)
    @rule(fraction=st.floats(0.3, 1.0), data=st.data())
    def delete_down(self, fraction, data):
        keys = sorted(self.model)
        doomed = data.draw(st.permutations(keys))[: int(len(keys) * fraction)]
        for k in doomed:
            del self.m[k]
            del self.model[k]

    @rule(k=any_keys)
    def lookup(self, k):
        assert self.m.get(k) == self.model.get(k)
        assert (k in self.m) == (k in self.model)

    @precondition(lambda self: len(self.model) > 0)
    @rule(data=st.data())
    def lookup_present(self, data):
        k = data.draw(st.sampled_from(sorted(self.model)))
        assert self.m[k] == self.model[k]

    @rule()
    def lookup_all(self):
        for k, v in self.model.items():
            assert self.m[k] == v

    @precondition(lambda self: self.kind == "classic")
    @rule()
    def half_grow(self):
        self.m._half_grow()

    @rule()
    def iterate(self):
        items = list(self.m.items())
        assert len(items) == len(self.model)
        assert dict(items) == self.model

    @rule(steps=st.integers(0, 50))
    def abandon_iteration(self, steps):
        it = self.m.keys()
        for _ in zip(range(steps), it):
            pass
        # dropped unfinished: its references on the bucket arrays go back

    @invariant()
    def structure_is_sound(self):
        self.m.check_invariants()  # InvariantViolation names the first broken invariant

    @invariant()
    def sizes_agree(self):
        s = self.m.stats()
        assert len(self.m) == s["count"] == len(self.model)
        if self.kind == "classic":
            if s["count"] > 8:  # Go never lets the load exceed 6.5 per bucket
                assert s["count"] <= 13 * (1 << s["B"]) // 2
            assert s["growing"] == (s["oldbuckets"] > 0)
        else:
            # the control bytes agree with the counts: full slots are the entries,
            # DELETED (0xFE) the tombstones (which the small map never keeps)
            census = self.m._tophash_census()
            assert sum(n for c, n in census.items() if c < 0x80) == s["count"]
            assert census.get(0xFE, 0) == s["tombstones"]
            assert sum(census.values()) == s["capacity"] == 8 * s["groups"]
            if s["tables"]:
                assert s["tables"] <= s["dir_len"] == 1 << s["global_depth"]
                # 7/8 load: nothing fills more than 7/8 of the slots
                assert s["count"] + s["tombstones"] <= 7 * s["capacity"] // 8


class SwissMapVersusDict(MapVersusDict):
    kind = "swiss"


for machine in (MapVersusDict, SwissMapVersusDict):
    machine.TestCase.settings = settings(max_examples=100, stateful_step_count=50, deadline=None)
TestMapVersusDict = MapVersusDict.TestCase
TestSwissMapVersusDict = SwissMapVersusDict.TestCase


EMPTY_REST, EMPTY_ONE = 0, 1


def test_deleting_everything_leaves_only_empty_rest():
    m = Map(seed=3)
    keys = list(range(0, 20000, 7))
    for k in keys:
        m[k] = k
    slots = sum(m._tophash_census().values())
    for k in keys:
        del m[k]
    assert m._tophash_census() == {EMPTY_REST: slots}
    assert len(m) == 0 and list(m) == []


def test_deleting_some_marks_empty_one_before_live_slots():
    m = Map(seed=3)
    for k in range(3000):
        m[k] = k
    for k in range(0, 3000, 2):
        del m[k]
    census = m._tophash_census()
    assert census.get(EMPTY_ONE, 0) > 0
    assert sum(n for v, n in census.items() if v >= 5) == 1500
    assert sorted(m) == list(range(1, 3000, 2))
