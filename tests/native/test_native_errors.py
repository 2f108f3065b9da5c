"""Error behaviour of native.Map: key and value types, range, missing keys, and the
native misuse detection (Go's hashWriting checks) surfacing as RuntimeError; both kinds."""

import enum

import pytest

from mapbench.native import KINDS, Map, kernels


class Small(enum.IntEnum):
    ONE = 1


@pytest.mark.parametrize("bad", [-1, 2**64, -(2**70), 2**100])
@pytest.mark.parametrize("kind", KINDS)
def test_out_of_range_ints_overflow(bad, kind):
    m = Map(kind=kind)
    with pytest.raises(OverflowError):
        m[bad] = 1
    with pytest.raises(OverflowError):
        m[1] = bad
    with pytest.raises(OverflowError):
        m[bad]
    with pytest.raises(OverflowError):
        del m[bad]
    assert bad not in m


@pytest.mark.parametrize("bad", ["1", 1.0, None, b"x", True, False, [1]])
@pytest.mark.parametrize("kind", KINDS)
def test_non_ints_are_type_errors(bad, kind):
    m = Map(kind=kind)
    with pytest.raises(TypeError):
        m[bad] = 1
    with pytest.raises(TypeError):
        m[1] = bad
    with pytest.raises(TypeError):
        m[bad]
    with pytest.raises(TypeError):
        bad in m


@pytest.mark.parametrize("kind", KINDS)
def test_extremes_and_int_subclasses_work(kind):
    m = Map(kind=kind)
    m[0] = 2**64 - 1
    m[2**64 - 1] = 0
    m[Small.ONE] = Small.ONE
    assert m[0] == 2**64 - 1 and m[2**64 - 1] == 0 and m[1] == 1
    assert type(m[1]) is int


@pytest.mark.parametrize("kind", KINDS)
def test_missing_key(kind):
    m = Map(kind=kind)
    with pytest.raises(KeyError):
        m[5]
    with pytest.raises(KeyError):
        del m[5]
    assert m.get(5) is None and m.get(5, 7) == 7
    m[5] = 6
    del m[5]
    with pytest.raises(KeyError):
        m[5]


@pytest.mark.parametrize("kind", KINDS)
def test_bad_constructor_arguments(kind):
    with pytest.raises(OverflowError):
        Map(hint=-1, kind=kind)
    with pytest.raises(ValueError):
        Map(prefetch=70000, kind=kind)
    with pytest.raises(TypeError):
        Map(seed="x", kind=kind)


def test_bad_kinds_and_swiss_only_limits():
    for bad in ("Swiss", "hopscotch", None, 1):
        with pytest.raises(ValueError, match="kind must be one of classic, swiss"):
            Map(kind=bad)
    with pytest.raises(ValueError, match="atomic_snapshot"):
        Map(atomic_snapshot=True, kind="swiss")
    with pytest.raises(ValueError, match="no half-done grow"):
        Map(kind="swiss")._half_grow()
    with pytest.raises(ValueError, match="kind must be"):
        kernels.insert(10, 1, kind="robin-hood")
    m = Map(kind="swiss")
    with pytest.raises(ValueError, match="atomic_snapshot"):
        kernels.iterate(m, 1, atomic_snapshot=True)


@pytest.mark.parametrize("kind", KINDS)
def test_native_misuse_detection(kind):
    m = Map(seed=1, kind=kind)
    m.fill(100)
    k = next(iter(m))
    m._debug_set_writing(True)
    with pytest.raises(RuntimeError, match="^concurrent map read and map write$"):
        m[k]
    with pytest.raises(RuntimeError, match="^concurrent map writes$"):
        m[k] = 1
    with pytest.raises(RuntimeError, match="^concurrent map writes$"):
        del m[k]
    with pytest.raises(RuntimeError, match="^concurrent map iteration and map write$"):
        next(iter(m))
    with pytest.raises(RuntimeError, match="^concurrent map iteration and map write$"):
        kernels.iterate(m, 1)
    with pytest.raises(RuntimeError, match="^concurrent map read and map write$"):
        kernels.lookup(m, 1)
    m._debug_set_writing(False)
    assert len(list(m.items())) == 100 and k in m


@pytest.mark.parametrize("kind", KINDS)
def test_detection_mid_iteration(kind):
    m = Map(seed=1, kind=kind)
    m.fill(100)
    it = m.items()
    next(it)
    m._debug_set_writing(True)
    with pytest.raises(RuntimeError, match="iteration and map write"):
        next(it)
    m._debug_set_writing(False)
    assert len(list(it)) == 99
