"""Every reader of the suite, fed seeded byte mutations of real captures, fails only with InputError.

Readers: perf script, py-spy raw, speedscope, pprof (gzipped and plain profile.proto),
cachegrind/callgrind and `perf stat -x,` CSV, each through the function its command calls.
The mutations (byte flips, "interesting" tokens, deleted, doubled and cut spans) come from
a fixed seed, MUTATIONS per reader: the test is bounded and every failure reproduces.
"""
from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from mapbench.analysis.commands.cachemiss import summarize
from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.fold import fold_perf_script_detailed, fold_speedscope
from mapbench.analysis.stacks.fold_pyspy import fold_pyspy_raw
from mapbench.analysis.stacks.folded import decode, read_folded
from mapbench.analysis.stacks.pprof import build_profile, profile_to_stacks, read_profile
from mapbench.analysis.stacks.top import top_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MUTATIONS = 200
TOKENS = [b"\x00", b"\xff\xfe", b"-1", b"99999999999999999999999", b";", b"\n", b" ", b"{", b"}", b"[",
          b"nan", b"1e400", b"<not supported>", b",", b"\"", b"fn=", b"(0x0)", b":", b"\t", b"\x80"]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """1 to 4 random edits of `data`."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buf:
            buf += rng.choice(TOKENS)
            continue
        at = rng.randrange(len(buf))
        span = rng.randint(1, min(64, len(buf) - at))
        op = rng.randrange(5)
        if op == 0:
            buf[at] = rng.randrange(256)
        elif op == 1:
            buf[at:at] = rng.choice(TOKENS)
        elif op == 2:
            del buf[at:at + span]
        elif op == 3:
            buf[at:at] = buf[at:at + span]
        else:
            del buf[at:]
    return bytes(buf)


def _perf(data: bytes) -> object:
    return fold_perf_script_detailed(data).stacks


def _pprof(data: bytes) -> object:
    return top_table(profile_to_stacks(read_profile(data)), sort="flat", nodes=10, unit="samples")


def _cachemiss(data: bytes) -> object:
    return summarize(data.decode("utf-8", errors="replace"), 1000)


def _pprof_bytes(plain: bool) -> bytes:
    stacks = fold_perf_script_detailed((FIXTURES / "perf-script-python-cffi.txt").read_bytes()).stacks
    packed = build_profile(stacks, period_ns=1000, extra_sample_types={"D1mr": dict.fromkeys(stacks, 1)})
    return gzip.decompress(packed) if plain else packed


READERS = {
    "perf script (C)": (_perf, lambda: (FIXTURES / "perf-script-c.txt").read_bytes()),
    "perf script (python)": (_perf, lambda: (FIXTURES / "perf-script-python-cffi.txt").read_bytes()),
    "py-spy raw": (fold_pyspy_raw, lambda: (FIXTURES / "pyspy-native-raw.txt").read_bytes()),
    "speedscope": (fold_speedscope, lambda: (FIXTURES / "pyspy-speedscope.json").read_bytes()),
    "folded": (lambda d: read_folded(decode(d)), lambda: (FIXTURES / "perf-script-c.perl.folded").read_bytes()),
    "pprof (plain)": (_pprof, lambda: _pprof_bytes(plain=True)),
    "pprof (gzip)": (_pprof, lambda: _pprof_bytes(plain=False)),
    "cachegrind": (_cachemiss, lambda: (FIXTURES / "cachegrind.out.iterate").read_bytes()),
    "callgrind": (_cachemiss, lambda: (FIXTURES / "counts" / "callgrind-dump-iterate-heap.out").read_bytes()),
    "perf stat": (_cachemiss, lambda: (FIXTURES / "perf-stat-unsupported.csv").read_bytes()),
}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_mutated_captures_give_input_error_or_a_result(reader):
    read, original = READERS[reader]
    data = original()
    try:
        read(data)  # the unmutated capture reads (perf stat's has no counted values: an InputError)
    except InputError:
        assert reader == "perf stat"
    rng = random.Random(f"mapbench-fuzz-{reader}")
    refused = 0
    for number in range(MUTATIONS):
        mutated = mutate(data, rng)
        try:
            read(mutated)
        except InputError:
            refused += 1
        except Exception as exc:  # anything else is a bug in the reader
            pytest.fail(f"{reader}: mutation {number} raised {type(exc).__name__}: {exc}")
    # Some mutations must get past the first check, or the fuzz tests nothing but it (gzip's
    # CRC refuses every mutation of a gzipped profile: that reader is fuzzed plain too).
    assert refused < MUTATIONS or reader in ("perf stat", "pprof (gzip)")
