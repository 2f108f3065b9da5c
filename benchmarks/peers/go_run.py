"""Run the Go peers with every chosen toolchain: peers.json, raw output, Go CPU profiles, flames.

For each toolchain (benchmarks.gotoolchains) the Go module benchmarks/peers/gomap is
copied to a temporary folder (go test writes its test binary there when profiling) and
run twice with `-benchmem -benchtime BENCHTIME -count COUNT`:

  1. the iteration families (`-bench '^BenchmarkMap$/^iter'`) with `-cpuprofile`: Go's own
     pprof profile of the whole test process -> pprof/<label>-iterate.pb.gz, folded by the
     suite's pprof reader (the one `mapbench fold` uses) -> folded/<label>-iterate.folded
     (every sample) -> flame/<label>-iterate.svg (without the untimed map building:
     stacks through BUILD_FRAMES, as `mapbench fold --exclude` drops them);
  2. insert, lookup, delete.

The run folder gets peers/<label>-bench.txt (Go's own output, benchstat reads it) and
peers.json:

  {"format": 2, "source": ..., "sizes": [...], "benchtime": ..., "count": ...,
   "families": {family: what one op is},
   "versions": [{"label": "go1.23", "go_version": "go1.23.9", "map": "classic"|"swiss",
                 "toolchain": where the go binary came from, "commands": [[...], [...]],
                 "raw": "peers/go1.23-bench.txt", "elapsed_s": ..., "problems": [...],
                 "profile": {"pprof": ..., "folded": ..., "flame": ..., "samples": ...,
                             "build_samples_left_out": ..., "top_self": [[function, share
                             of the flame graph's samples], ...]} | None,
                 "benchmarks": [records of mapbench.benchmarks.peers.go_output]}],
   "problems": [one line per toolchain that could not be had]}

A failing `go test` is one line in the version's problems; what it printed before is kept.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.flame.flamegraph import render_svg
from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.fold import filter_stacks
from mapbench.analysis.stacks.folded import format_folded
from mapbench.analysis.stacks.pprof import profile_to_stacks, read_profile
from mapbench.benchmarks.peers import go_output as gopeers, toolchains as gotoolchains
from mapbench.benchmarks.store import run_folder

GO_SOURCE = Path(__file__).resolve().parent / "gomap"
BENCHTIME = "50ms"
COUNT = 3
TIMEOUT_S = 600
ITERATION_BENCH = "^BenchmarkMap$/^iter"
OTHER_BENCH = "^BenchmarkMap$/^(insert|lookup|delete|copy-after-delete)$"
TOP_SELF = 8
# Frames of map_test.go that build maps and keys outside the timer.
BUILD_FRAMES = r"^mapbench/peers/gomap\.(mapOf|growingMapOf|keys)$"


def go_test_command(go: str, bench: str, benchtime: str, count: int, profile: Path | None) -> list[str]:
    cmd = [go, "test", "-run", "^$", "-bench", bench, "-benchmem", "-benchtime", benchtime,
           "-count", str(count), "-timeout", f"{TIMEOUT_S}s"]
    if profile is not None:
        cmd += ["-cpuprofile", str(profile)]
    return cmd


def top_self(stacks: dict[str, int], limit: int = TOP_SELF) -> list[list]:
    """[[leaf function, share of all samples], ...], largest first."""
    total = sum(stacks.values()) or 1
    leaves: dict[str, int] = {}
    for stack, weight in stacks.items():
        leaf = stack.rsplit(";", 1)[-1]
        leaves[leaf] = leaves.get(leaf, 0) + weight
    ranked = sorted(leaves.items(), key=lambda kv: -kv[1])[:limit]
    return [[name, round(weight / total, 4)] for name, weight in ranked]


def profile_views(pprof_path: Path, run_dir: Path, toolchain: gotoolchains.Toolchain) -> dict:
    """Folded stacks and a flame graph of Go's CPU profile; InputError if it has no samples."""
    stacks = profile_to_stacks(read_profile(pprof_path.read_bytes()))
    stacks = {k: v for k, v in stacks.items() if v > 0}
    if not stacks:
        raise InputError(f"{pprof_path}: the Go CPU profile has no samples")
    stem = f"{toolchain.label}-iterate"
    folded = write_atomic(run_dir / "folded" / f"{stem}.folded", format_folded(stacks))
    timed = filter_stacks(stacks, exclude=BUILD_FRAMES)
    if not timed:
        raise InputError(f"{pprof_path}: every sample is in the untimed map building")
    total, kept = sum(stacks.values()), sum(timed.values())
    svg = render_svg(timed, title=f"Go {toolchain.version} ({toolchain.map_design} map): iteration benchmarks",
                     subtitle=f"go test -cpuprofile, pprof -> mapbench fold; {kept} of {total} samples: "
                              f"the untimed map building (mapOf, growingMapOf, keys) left out, GC kept")
    flame = write_atomic(run_dir / "flame" / f"{stem}.svg", svg)
    return {"pprof": pprof_path.relative_to(run_dir).as_posix(),
            "folded": folded.relative_to(run_dir).as_posix(),
            "flame": flame.relative_to(run_dir).as_posix(),
            "samples": total, "build_samples_left_out": total - kept,
            "top_self": top_self(timed)}


def question_env(toolchain: gotoolchains.Toolchain, question_sizes: dict[str, list[int]] | None) -> dict:
    """The environment of range_test.go's question families: the sizes each runs at (the
    suite's), and for a Swiss toolchain the load shapes' entry counts, taken from the C
    Swiss map (its tables split one at a time past 1024 slots, which Go code cannot see)."""
    if question_sizes is None:
        return {}
    env = {f"MAPBENCH_GO_{key.upper()}_SIZES": ",".join(map(str, ns)) or "0"
           for key, ns in question_sizes.items()}
    if toolchain.map_design == "swiss" and question_sizes.get("shaped"):
        from mapbench.benchmarks.catalog.families import MAP_SEED
        from mapbench.native import kernels
        env["MAPBENCH_GO_LOAD"] = ",".join(
            f"{n}:{kernels.shape_probe(n, fill='after-grow', seed=MAP_SEED, kind='swiss')['live']}:"
            f"{kernels.shape_probe(n, fill='before-grow', seed=MAP_SEED, kind='swiss')['live']}"
            for n in question_sizes["shaped"])
    return env


def run_toolchain(toolchain: gotoolchains.Toolchain, sizes: list[int], run_dir: Path, *,
                  benchtime: str = BENCHTIME, count: int = COUNT, log=print,
                  question_sizes: dict[str, list[int]] | None = None) -> dict:
    """Both go test runs of one toolchain; the version's entry of peers.json. question_sizes
    ({"inserting": [n, ...], "shaped": [...]}) picks the sizes of range_test.go's families
    (None: each up to its own maximum)."""
    env = gotoolchains.go_env()
    env["MAPBENCH_GO_SIZES"] = ",".join(str(n) for n in sizes)
    env.update(question_env(toolchain, question_sizes))
    t0 = time.monotonic()
    entry = {"label": toolchain.label, "go_version": toolchain.version, "map": toolchain.map_design,
             "toolchain": toolchain.origin, "commands": [], "problems": [], "profile": None,
             "benchmarks": []}
    raw_text = []
    warm = gotoolchains.cache_root() / "warm" / toolchain.version
    if not warm.exists():
        log(f"[peer] {toolchain.label}: first run of {toolchain.version}: go compiles the runtime and the "
            f"packages the benchmarks use into its build cache first (a minute or two, once)")
    with tempfile.TemporaryDirectory(prefix="mapbench-gomap-") as tmp:
        src = Path(tmp) / "gomap"
        shutil.copytree(GO_SOURCE, src)
        profile_tmp = Path(tmp) / "cpu.pb.gz"
        for what, bench, profile in (("iteration", ITERATION_BENCH, profile_tmp),
                                     ("insert/lookup/delete", OTHER_BENCH, None)):
            cmd = go_test_command(toolchain.go, bench, benchtime, count, profile)
            entry["commands"].append(cmd)
            log(f"[peer] {toolchain.label}: go test -bench {bench} ({what}) ...")
            try:
                result = subprocess.run(cmd, cwd=src, env=env, capture_output=True, text=True,
                                        timeout=TIMEOUT_S + 60)
                out, rc = result.stdout, result.returncode
                err = result.stderr
            except subprocess.TimeoutExpired as exc:
                out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
                rc, err = None, f"timed out after {TIMEOUT_S + 60} s"
            except OSError as exc:
                out, rc, err = "", None, str(exc)
            raw_text.append(out)
            entry["benchmarks"] += gopeers.parse_go_bench(out, toolchain.label)
            if rc != 0:
                tail = [ln for ln in (out + "\n" + err).strip().splitlines() if ln.strip()][-1:] or [""]
                entry["problems"].append(f"go test ({what}) failed"
                                         + (f" (exit {rc})" if rc is not None else "") + f": {tail[0].strip()}")
        if profile_tmp.is_file() and profile_tmp.stat().st_size:
            pprof_path = write_atomic(run_dir / "pprof" / f"{toolchain.label}-iterate.pb.gz",
                                      profile_tmp.read_bytes())
            try:
                entry["profile"] = profile_views(pprof_path, run_dir, toolchain)
            except InputError as exc:
                entry["problems"].append(str(exc))
    if entry["benchmarks"]:
        warm.parent.mkdir(parents=True, exist_ok=True)
        warm.touch()
    raw = write_atomic(run_dir / "peers" / f"{toolchain.label}-bench.txt", "".join(raw_text))
    entry["raw"] = raw.relative_to(run_dir).as_posix()
    entry["elapsed_s"] = round(time.monotonic() - t0, 1)
    for problem in entry["problems"]:
        log(f"[peer] {toolchain.label}: {problem}")
    return entry


def run_peers(run_dir: Path, sizes: list[int], spec: str = gotoolchains.DEFAULT_SPEC, *,
              benchtime: str = BENCHTIME, count: int = COUNT, log=print,
              question_sizes: dict[str, list[int]] | None = None) -> dict | None:
    """Every toolchain of `spec` at `sizes`; writes peers.json (None when no Go could run)."""
    t0 = time.monotonic()
    toolchains, problems = gotoolchains.resolve(spec, log=log)
    for problem in problems:
        log(f"[peer] skipped: {problem}")
    if toolchains:
        log(f"[go] toolchains ready in {time.monotonic() - t0:.0f} s: "
            + ", ".join(f"{t.version} ({t.map_design}, {t.origin.split(' (')[0]})" for t in toolchains))
    doc = {"format": 2,
           "source": "go test -bench -benchmem, benchmarks/peers/gomap/map_test.go",
           "sizes": sizes, "benchtime": benchtime, "count": count,
           "element": "ns/op divided by the entries an op touches (iterinit: ns per set-up); "
                      "mean of the -count repeats",
           "families": gopeers.FAMILIES, "versions": [], "problems": problems}
    for toolchain in toolchains:
        doc["versions"].append(run_toolchain(toolchain, sizes, run_dir, benchtime=benchtime,
                                             count=count, log=log, question_sizes=question_sizes))
        write_atomic(run_dir / run_folder.PEERS, json.dumps(doc, indent=2) + "\n")
    if not doc["versions"]:
        return None
    return doc
