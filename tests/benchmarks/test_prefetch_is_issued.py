"""Software prefetch really runs: the count pass sees its instructions.

A prefetch has no effect a functional test can observe, so a compiler that drops it (GCC
once judged an out-of-line chunk-prefetch helper free of side effects and deleted every
call; prefetch=auto then counted exactly what prefetch=0 counts) leaves every other test
green. Callgrind counts the prefetch instructions and the address arithmetic around them,
so a walk with prefetch on must execute more instructions per element than the same walk
with it off, and "auto" must count what the distance it resolves to counts.
"""
import shutil

import pytest

from mapbench.benchmarks.catalog import matrix
from mapbench.benchmarks.counts import count_pass as counts

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None,
                                reason="needs valgrind (apt install valgrind)")

# Sizes where prefetch is on: the Swiss map's auto distance is 64 groups from 2^16
# entries (native/src/swiss/swiss.h); the classic map's auto needs a 64 MiB bucket array,
# too big to count here, so its explicit distance 16 is counted instead.
CLASSIC_OFF = "iterate/storage=stack/prefetch=0/n=16384"
CLASSIC_ON = "iterate/storage=stack/prefetch=16/n=16384"
SWISS_OFF = "iterate/map=swiss/storage=stack/prefetch=0/n=65536"
SWISS_AUTO = "iterate/map=swiss/storage=stack/prefetch=auto/n=65536"
SWISS_64 = "iterate/map=swiss/storage=stack/prefetch=64/n=65536"

# At least half an instruction per element: a bucket (8 slots, load 6.5 at most) or a
# group (8 slots, load 7/8 at most) needs one prefetch per 64-byte line it spans, which
# is more than 1/8 of a prefetch per element, plus its address arithmetic. Measured
# 2026-12-07: classic +3.2, Swiss +4.9 instructions per element.
AT_LEAST = 0.5


def test_prefetch_on_executes_instructions_that_prefetch_off_does_not(tmp_path):
    names = [CLASSIC_OFF, CLASSIC_ON, SWISS_OFF, SWISS_AUTO, SWISS_64]
    doc = counts.count_pass([matrix.parse_name(n) for n in names], tmp_path,
                            log=lambda *a, **k: None, hardware=False, lines=False)
    assert not doc["failed"]
    ir = {n: doc["benchmarks"][n]["per_element"]["Ir"] for n in names}
    assert ir[CLASSIC_ON] - ir[CLASSIC_OFF] >= AT_LEAST, ir
    assert ir[SWISS_AUTO] - ir[SWISS_OFF] >= AT_LEAST, ir
    # auto at 2^16 is the 64-group distance: the same walk, instruction for instruction
    assert ir[SWISS_AUTO] == pytest.approx(ir[SWISS_64], rel=1e-5), ir
