"""Error behaviour of native.Map: key and value types, range, missing keys, and the
native misuse detection (Go's hashWriting checks) surfacing as RuntimeError."""

import enum

import pytest

from mapbench.native import Map, kernels


class Small(enum.IntEnum):
    ONE = 1


@pytest.mark.parametrize("bad", [-1, 2**64, -(2**70), 2**100])
def test_out_of_range_ints_overflow(bad):
    m = Map()
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
def test_non_ints_are_type_errors(bad):
    m = Map()
    with pytest.raises(TypeError):
        m[bad] = 1
    with pytest.raises(TypeError):
        m[1] = bad
    with pytest.raises(TypeError):
        m[bad]
    with pytest.raises(TypeError):
        bad in m


def test_extremes_and_int_subclasses_work():
    m = Map()
    m[0] = 2**64 - 1
    m[2**64 - 1] = 0
    m[Small.ONE] = Small.ONE
    assert m[0] == 2**64 - 1 and m[2**64 - 1] == 0 and m[1] == 1
    assert type(m[1]) is int


def test_missing_key():
    m = Map()
    with pytest.raises(KeyError):
        m[5]
    with pytest.raises(KeyError):
        del m[5]
    assert m.get(5) is None and m.get(5, 7) == 7
    m[5] = 6
    del m[5]
    with pytest.raises(KeyError):
        m[5]


def test_bad_constructor_arguments():
    with pytest.raises(OverflowError):
        Map(hint=-1)
    with pytest.raises(ValueError):
        Map(prefetch=70000)
    with pytest.raises(TypeError):
        Map(seed="x")


def test_native_misuse_detection():
    m = Map(seed=1)
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


def test_detection_mid_iteration():
    m = Map(seed=1)
    m.fill(100)
    it = m.items()
    next(it)
    m._debug_set_writing(True)
    with pytest.raises(RuntimeError, match="iteration and map write"):
        next(it)
    m._debug_set_writing(False)
    assert len(list(it)) == 99
