"""Go's iteration guarantees on native.Map, both kinds (classic and Swiss), under
mutation during iteration, in the middle of a grow (classic) or across table grows and
splits (Swiss): every key present for the whole iteration comes back exactly once with
its live value, a key deleted before it is reached never comes back, no key comes back
twice unless it was deleted and inserted again; start positions vary."""

import gc

import hypothesis.strategies as st
import pytest
from hypothesis import assume, given, settings

from mapbench.native import KINDS, Map, alloc_totals

actions = st.lists(
    st.tuples(st.sampled_from(["delete", "insert", "update", "step"]), st.integers(0, 10**6)),
    max_size=400,
)


def run_iteration(m, model, script, batched):
    """Iterate m while applying script; return (returned [(k, v, model value then)],
    keys deleted [(k, number of entries returned before)], keys ever re-inserted)."""
    present_at_start = set(model)
    returned = []
    deleted_at = {}
    touched = set()  # keys deleted at some point, then maybe inserted again
    fresh = 2**40
    script = list(script)

    def mutate():
        nonlocal fresh
        while script:
            op, r = script.pop(0)
            if op == "step":
                return
            if op == "delete" and model:
                keys = sorted(model)
                k = keys[r % len(keys)]
                del m[k]
                del model[k]
                deleted_at.setdefault(k, len(returned))
                touched.add(k)
            elif op == "insert":
                k = fresh + r
                fresh += 10**6 + 1
                m[k] = r
                model[k] = r
            elif op == "update" and model:
                keys = sorted(model)
                k = keys[r % len(keys)]
                m[k] = r
                model[k] = r

    if batched:
        for keys, vals in m.batches(3):
            for k, v in zip(keys, vals):
                returned.append((k, v, model.get(k)))
            mutate()
    else:
        for k, v in m.items():
            returned.append((k, v, model.get(k)))
            mutate()
    return present_at_start, returned, deleted_at, touched


def check_guarantees(present_at_start, returned, deleted_at, touched):
    keys = [k for k, _, _ in returned]
    counts = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    for k in present_at_start - touched:
        assert counts.get(k) == 1, "stable key %d returned %d times" % (k, counts.get(k, 0))
    for k, n in counts.items():
        if k not in touched:
            assert n == 1, "key %d returned %d times" % (k, n)
    for pos, (k, v, live) in enumerate(returned):
        if k in deleted_at and k in present_at_start:
            # returned after its deletion only if it was inserted again meanwhile
            assert pos < deleted_at[k] or live is not None
        if live is not None:
            assert v == live, "key %d returned with a stale value" % k


def fill_until_a_rehash_is_near(m, model):
    """Insert fresh keys until the next inserts will grow the map: classic, up to the
    load-factor limit; Swiss, until a table (or the small group) has one insert left."""
    s = m.stats()
    if m.kind == "classic":
        for i in range(13 * (1 << s["B"]) // 2 - len(model)):
            m[2**50 + i] = i
            model[2**50 + i] = i
        return
    i = 0
    while m.stats()["min_growth_left"] > 1:
        m[2**50 + i] = i
        model[2**50 + i] = i
        i += 1


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 3000), grow=st.sampled_from(["none", "half", "soon"]),
       script=actions, batched=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_guarantees_under_mutation(kind, n, grow, script, batched, seed):
    assume(grow != "half" or kind == "classic")  # a Swiss map has no half-done grow
    m = Map(seed=seed, kind=kind)
    model = {}
    for i in range(n):
        m[i * 2654435761 % 2**64] = i
        model[i * 2654435761 % 2**64] = i
    if grow == "half":
        m._half_grow()
    elif grow == "soon":
        # the script's inserts start a grow (classic) or a table grow/split (Swiss)
        fill_until_a_rehash_is_near(m, model)
    check_guarantees(*run_iteration(m, model, script, batched))
    assert dict(m.items()) == model


def test_mid_grow_iteration_returns_everything_once():  # classic only: a half-done grow
    m = Map(seed=3)
    m.fill(5000, key_seed=9)
    expected = dict(m.items())
    m._half_grow()
    assert m.stats()["growing"]
    assert all(m[k] == v for k, v in expected.items())  # reads see both halves
    for _ in range(3):
        items = list(m.items())
        assert len(items) == len(expected) and dict(items) == expected
    assert m.stats()["growing"]  # iteration never evacuates


@pytest.mark.parametrize("kind", KINDS)
def test_grow_completing_during_iteration_keeps_old_arrays_alive(kind):
    m = Map(seed=5, kind=kind)
    for i in range(2000):
        m[i] = i
    it = m.items()
    first = [next(it) for _ in range(10)]
    for i in range(2000, 20000):  # several grows complete while `it` is paused
        m[i] = i
    rest = list(it)
    got = dict(first + rest)
    assert set(range(2000)) <= set(got)
    assert all(got[k] == k for k in got)


@pytest.mark.parametrize("kind", KINDS)
def test_start_position_varies(kind):
    m = Map(seed=1, kind=kind)
    m.fill(1000)
    firsts = {next(iter(m)) for _ in range(40)}
    assert len(firsts) > 5
    orders = {tuple(m.keys()) for _ in range(5)}
    assert len(orders) > 1


@pytest.mark.parametrize("kind", KINDS)
def test_iterators_give_back_memory(kind):
    gc.collect()
    before = alloc_totals()
    m = Map(seed=2, kind=kind)
    for i in range(3000):
        m[i] = i
    paused = m.keys()
    next(paused)
    for i in range(3000, 30000):
        m[i] = i
    finished = list(m.items())
    assert len(finished) == 30000
    del paused, m, finished
    gc.collect()
    after = alloc_totals()
    assert after["allocs"] - before["allocs"] == after["frees"] - before["frees"]


@pytest.mark.parametrize("kind", KINDS)
def test_closing_an_iterator_early_releases_it(kind):
    m = Map(seed=2, kind=kind)
    m.fill(500)
    it = m.items()
    next(it)
    it.close()
    assert list(it) == []
    assert len(list(m.items())) == 500


@pytest.mark.parametrize("kind", KINDS)
def test_batches_cover_the_map(kind):
    m = Map(seed=4, kind=kind)
    m.fill(10000, key_seed=3)
    expected = dict(m.items())
    got = {}
    sizes = []
    for keys, vals in m.batches(1024):
        sizes.append(len(keys))
        got.update(zip(keys, vals))
    assert got == expected
    assert max(sizes) == 1024 and sum(sizes) == 10000


@pytest.mark.parametrize("kind", KINDS)
def test_empty_map_iterates_nothing(kind):
    m = Map(kind=kind)
    assert list(m) == [] and list(m.items()) == [] and list(m.batches()) == []
    m[1] = 2
    del m[1]
    assert list(m.values()) == []
