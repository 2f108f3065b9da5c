"""Python's batched iteration (native/pyiter.py) returns exactly what a per-element
iteration returns, whatever is written between two next() calls: the reference is
`m.batches(1)`, which steps the native iterator one entry per call, lazily, as Go does.
Both map kinds. Also: retry after a misuse error, close(), the four kinds, a writer in
another thread."""

import gc
import threading

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from mapbench.native import Map, alloc_totals, seed_fastrand

ops = st.lists(st.tuples(st.sampled_from(["delete", "insert", "update", "next", "next"]),
                         st.integers(0, 10**6)), max_size=300)


def build(n, grow, seed, kind="classic"):
    m = Map(seed=seed, kind=kind)
    for i in range(n):
        m[i * 2654435761 % 2**64] = i
    if grow == "half":
        m._half_grow()
    return m


def run(m, entries, script):
    """Walk `entries` (an iterator of (k, v)), applying the script's writes between
    entries (a "next" op ends the writes after one entry)."""
    out = []
    fresh = 2**41
    script = list(script)
    for k, v in entries:
        out.append((k, v))
        while script:
            op, r = script.pop(0)
            if op == "next":
                break
            if op == "insert":
                m[fresh + r] = r
                fresh += 10**6 + 1
                continue
            keys = sorted(m.keys())
            if keys and op == "delete":
                del m[keys[r % len(keys)]]
            elif keys:
                m[keys[r % len(keys)]] = r
    return out


def per_element(m):
    for keys, values in m.batches(1):
        yield keys[0], values[0]


def _batched_and_stepped(n, grow, script, seed, start, kind="classic"):
    a = build(n, grow, seed, kind)
    seed_fastrand(start)
    got = run(a, a.items(), list(script))
    b = build(n, grow, seed, kind)
    seed_fastrand(start)                     # the same random start for both
    want = run(b, per_element(b), list(script))
    return got, want, a, b


# A write after the last entry of a batch that the end of the iteration cut short: the
# fill had already stepped to the end, so the rest of the walk (here the old bucket the
# insert evacuates, or the small Swiss group's later slots) ran before the write and the
# inserted key, which the per-element iterator returns, was missed (pyiter.rewind).
@pytest.mark.parametrize("kind, grow", [("classic", "half"), ("swiss", "none")])
def test_write_after_the_last_entry_of_a_short_batch(kind, grow):
    got, want, _, _ = _batched_and_stepped(1, grow, [("insert", 0)], 0, 0, kind)
    assert len(want) == 2              # the per-element side does return the inserted key
    assert got == want


# derandomize: the same examples on every run, so a CI run never meets a new example by
# chance (the case above was found that way); drop derandomize locally to search afresh.
@settings(max_examples=150, deadline=None, derandomize=True)
@given(n=st.integers(0, 2500), shape=st.sampled_from([("classic", "none"), ("classic", "half"),
                                                     ("swiss", "none")]),
       script=ops, seed=st.integers(0, 2**32 - 1), start=st.integers(0, 2**63))
def test_batched_items_match_per_element_steps(n, shape, script, seed, start):
    kind, grow = shape                 # a Swiss map has no half-done grow
    got, want, a, b = _batched_and_stepped(n, grow, script, seed, start, kind)
    assert got == want
    assert dict(a.items()) == dict(b.items())


def test_rewind_mid_batch_keeps_every_stable_key_once():
    m = Map(seed=7)
    m.fill(5000, key_seed=2)
    stable = set(m.keys())
    seen = []
    for i, (k, v) in enumerate(m.items()):
        seen.append(k)
        if i % 97 == 5:                       # write in the middle of a batch
            m[2**60 + i] = i
    counts = {}
    for k in seen:
        counts[k] = counts.get(k, 0) + 1
    assert all(counts.get(k) == 1 for k in stable)


@pytest.mark.parametrize("kind", ["keys", "values", "items", "iter"])
def test_every_kind_covers_the_map(kind):
    m = Map(seed=3)
    m.fill(3000, key_seed=5)
    expected = dict(m.items())
    got = {"keys": lambda: sorted(m.keys()), "values": lambda: sorted(m.values()),
           "items": lambda: sorted(m.items()), "iter": lambda: sorted(iter(m))}[kind]()
    want = {"keys": sorted(expected), "values": sorted(expected.values()),
            "items": sorted(expected.items()), "iter": sorted(expected)}[kind]
    assert got == want


def test_empty_start_buckets_and_overflow_chains():
    # Deleting most keys leaves empty buckets and chains: every random start (the start
    # bucket is entered by mapiterinit itself) must still give each key exactly once.
    m = Map(seed=11)
    for i in range(4000):
        m[i] = i
    for i in range(0, 4000, 1):
        if i % 13:
            del m[i]
    expected = sorted(m.keys())
    for _ in range(200):
        assert sorted(m.keys()) == expected
    firsts = {next(iter(m)) for _ in range(200)}
    assert len(firsts) > 20


def test_failed_start_is_retried():
    m = Map(seed=1)
    m.fill(300)
    it = m.items()
    m._debug_set_writing(True)
    with pytest.raises(RuntimeError, match="iteration and map write"):
        next(it)
    m._debug_set_writing(False)
    assert len(dict(it)) == 300


def test_close_mid_batch_and_memory():
    gc.collect()
    before = alloc_totals()
    m = Map(seed=2)
    m.fill(4000)
    it = m.items()
    next(it)
    for i in range(4000, 40000):             # grows complete while `it` holds a batch
        m[i] = i
    it.close()
    assert list(it) == []
    del it, m
    gc.collect()
    after = alloc_totals()
    assert after["allocs"] - before["allocs"] == after["frees"] - before["frees"]


def test_writer_thread_never_duplicates_stable_keys():
    m = Map(seed=9)
    m.fill(20000, key_seed=4)
    stable = set(m.keys())
    stop = threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            m[2**62 + i] = i                  # new keys only: the stable ones stay
            if i % 3 == 0 and i:
                del m[2**62 + i - 1]
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        seen = [k for k, _ in m.items()]
    finally:
        stop.set()
        t.join()
    counts = {}
    for k in seen:
        counts[k] = counts.get(k, 0) + 1
    assert all(counts.get(k) == 1 for k in stable)
