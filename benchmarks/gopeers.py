"""The Go peer: Go's own map measured by `go test -bench`, next to ours (peers.json).

Runs benchmarks/peers/gomap/map_test.go (for k, v := range m over map[uint64]uint64,
`for k := range m { break }`, insert and lookup hit/miss) at the suite's sizes, only when `go` is installed, and
turns its output into peers.json:

  {"source": "go test -bench ...", "go_version": "go1.19.8", "command": [...],
   "file": "benchmarks/peers/gomap/map_test.go",
   "benchmarks": [{"name": "range/n=1024", "n": 1024, "ns_per_op": [..one per -count..],
                   "ns_per_element": mean ns/op / n (rangebreak: mean ns/op, one init),
                   "element": what one element is, "allocs_per_op": ..., "bytes_per_op": ...}]}
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

GO_SOURCE = Path("benchmarks") / "peers" / "gomap"
BENCHTIME = "100ms"
COUNT = 3
TIMEOUT_S = 300
# Families whose op is not a pass over n entries: their "element" is the op itself
# (rangebreak: one `for k := range m { break }`, next to the suite's iterinit/...).
PER_OP_FAMILIES = ("rangebreak",)

# BenchmarkRange/n=1024-2   	    8712	     12130 ns/op	       0 B/op	       0 allocs/op
LINE_RE = re.compile(r"^Benchmark(?P<family>\w+)/(?P<sub>\S+?)(-\d+)?\s+(?P<iters>\d+)\s+"
                     r"(?P<ns>[\d.]+) ns/op(?:\s+(?P<bytes>[\d.]+) B/op\s+(?P<allocs>[\d.]+) allocs/op)?")


def source_dir() -> Path | None:
    """The Go module: next to this file (source tree), else under the current folder."""
    for candidate in (Path(__file__).resolve().parent / "peers" / "gomap", Path.cwd() / GO_SOURCE):
        if (candidate / "map_test.go").is_file():
            return candidate
    return None


def parse_go_bench(text: str) -> list[dict]:
    """Benchmarks of `go test -bench` output, repeated -count lines merged per name."""
    runs: dict[str, dict] = {}
    for line in text.splitlines():
        match = LINE_RE.match(line.strip())
        if not match:
            continue
        sub = match["sub"]
        n_match = re.search(r"n=(\d+)$", sub)
        if not n_match:
            continue
        name = f"{match['family'].lower()}/{sub}"
        entry = runs.setdefault(name, {"name": name, "n": int(n_match.group(1)), "ns_per_op": [],
                                       "iterations": [], "bytes_per_op": None, "allocs_per_op": None})
        entry["ns_per_op"].append(float(match["ns"]))
        entry["iterations"].append(int(match["iters"]))
        if match["allocs"] is not None:
            entry["bytes_per_op"] = float(match["bytes"])
            entry["allocs_per_op"] = float(match["allocs"])
    for entry in runs.values():
        per_op = entry["name"].split("/")[0] in PER_OP_FAMILIES
        entry["ns_per_element"] = statistics.fmean(entry["ns_per_op"]) / (1 if per_op else entry["n"])
        entry["element"] = "iterator init (one op)" if per_op else "map entry (ns/op / n)"
    return list(runs.values())


def go_version(go: str) -> str | None:
    try:
        out = subprocess.run([go, "version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"go version (go\S+)", out)
    return match.group(1) if match else None


def run_go_peers(sizes: list[int], *, benchtime: str = BENCHTIME, count: int = COUNT) -> dict | None:
    """Run the Go benchmarks; None when go or the source is missing. Raises RuntimeError
    with go's output when `go test` fails."""
    go = shutil.which("go")
    src = source_dir()
    if go is None or src is None:
        return None
    cmd = [go, "test", "-run", "^$", "-bench", ".", "-benchtime", benchtime, "-count", str(count)]
    env = dict(os.environ)
    env.update({"MAPBENCH_GO_SIZES": ",".join(str(n) for n in sizes),
                "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GO111MODULE": "on", "CGO_ENABLED": "0"})
    tmp = None
    if "GOCACHE" not in env and not env.get("HOME"):
        tmp = tempfile.mkdtemp(prefix="mapbench-gocache-")
        env["GOCACHE"] = tmp
        env["GOPATH"] = tmp
    try:
        result = subprocess.run(cmd, cwd=src, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
        raise RuntimeError(f"go test -bench failed (exit {result.returncode}):\n{tail}")
    benchmarks = parse_go_bench(result.stdout)
    version = go_version(go)
    return {
        "source": f"go test -bench ({version}), benchmarks/peers/gomap/map_test.go",
        "go_version": version,
        "command": cmd,
        "benchtime": benchtime,
        "count": count,
        "file": str(GO_SOURCE / "map_test.go"),
        "element": "map entry: ns/op divided by n",
        "benchmarks": benchmarks,
    }
