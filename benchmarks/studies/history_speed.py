"""History wall time with one Dask worker against N: does the fan-out pay, and do the counts agree?

    python -m mapbench.benchmarks.studies.history_speed RANGE [--repo DIR] [--workers 2]
        [--bench-args "--counts-only --no-peers --only '^iterate/storage=stack/prefetch=0/n=1024$'"]

Runs `mapbench history RANGE --workers 1` and then `--workers N` (issue 29's goal: at most
0.6x the sequential wall time on 2 cores), each into a fresh temporary store, as
subprocesses of this interpreter, timed with time.perf_counter around each whole command
(cluster start and stop included). Then compares the two stores' counts.json, benchmark
by benchmark, number for number, and prints both times, their ratio and whether the counts
are equal. A study, not a test: wall time on a shared machine wanders (about 5% here,
more when other work runs), so report the machine's load beside the ratio. --keep DIR
keeps both stores; where the counts differ, the first differences are printed.

Measured 2026-12-06, 2-vCPU KVM guest shared with other sessions, issue 29's bench args:
  2ae3ca3~6..2ae3ca3 (11 commits): --workers 1 187 s, --workers 2 107 s, ratio 0.57
  (an earlier try, before the wheel cache was warm: 304 s / 133 s, 0.44); 2ae3ca3~4..2ae3ca3
  (4 commits, load average about 7): 181 s / 123 s, 0.68. Ir and every simulated cache
  event equal number for number; Bcm (simulated mispredicted branches) differed by 1 of
  about 1545 in 4 of 11 commits under --workers 2, on both workers, and never in three
  sequential repeats of one of those commits. Explained since (docs/counted-metrics.md,
  "Address layout"): simulated misses and Bcm depend on the counted process's address
  layout, which the interpreter's path and import path move even with ASLR off; so the
  study judges Ir, Dr, Dw, Bc, loops and elements exactly and lists the layout-sensitive
  events (analysis/counters/count_agreement.py) without judging them. The layout input
  that differed between the two histories was found on 2026-12-07: the commit venv's .pth
  copied a Dask worker's sys.path (its scratch folders, the client's working folder /tmp),
  and what /tmp held moved the heap (benchmarks/history/commit_build.visible_paths). After
  that fix, 327c59d~3..c903bc3 (4 commits, both workers used, load average 4.9): every event
  of every run equal, 0 layout-sensitive differences (145 s / 147 s under that load).
  Then issue 29's own range, HEAD~12..HEAD at 5b6b07f (12 first-parent commits, load average
  2.5): --workers 1 267 s, --workers 2 155 s, ratio 0.58; every event of all 12 runs equal.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mapbench.analysis.counters import count_agreement
from mapbench.benchmarks.store import run_folder

DEFAULT_ARGS = "--counts-only --no-peers --only '^iterate/storage=stack/prefetch=0/n=1024$'"


def history(rev_range: str, repo: str, out: Path, workers: int, bench_args: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mapbench", "history", rev_range, "--repo", repo,
                           "--out", str(out), "--workers", str(workers),
                           f"--bench-args={bench_args}"], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"history --workers {workers} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    print(proc.stdout.strip().splitlines()[-1])
    return seconds


def counts(store: Path) -> dict:
    """run folder name -> counts.json's benchmarks, for every run in the store."""
    return {run.name: json.loads((run / run_folder.COUNTS).read_text()).get("benchmarks")
            for run in sorted(store.iterdir()) if (run / run_folder.COUNTS).is_file()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev_range", metavar="RANGE")
    parser.add_argument("--repo", default=".")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bench-args", default=DEFAULT_ARGS)
    parser.add_argument("--keep", metavar="DIR", default=None,
                        help="write the two stores under DIR (w1/, wN/) and keep them")
    args = parser.parse_args()
    with (contextlib.nullcontext(args.keep) if args.keep
          else tempfile.TemporaryDirectory(prefix="history-speed-")) as tmp:
        stores = {n: Path(tmp) / f"w{n}" for n in (1, args.workers)}
        times = {n: history(args.rev_range, args.repo, store, n, args.bench_args)
                 for n, store in stores.items()}
        one, many = counts(stores[1]), counts(stores[args.workers])
    found = count_agreement.differences(one, many)
    load = os.getloadavg()
    print(f"history {args.rev_range}: --workers 1 {times[1]:.0f} s, --workers {args.workers} "
          f"{times[args.workers]:.0f} s (wall, time.perf_counter around each command), ratio "
          f"{times[args.workers] / times[1]:.2f}; {len(one)} runs with counts, counts "
          f"{'layout-free events (Ir, Dr, Dw, Bc) equal number for number' if found.agree else 'DIFFER'}"
          f" ({len(found.layout)} layout-sensitive differences); load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")
    for line in found.exact[:20]:
        print(f"  differs: {line}")
    for line in found.layout[:20]:
        print(f"  layout-sensitive (not judged): {line}")
    return 0 if found.agree else 1


if __name__ == "__main__":
    sys.exit(main())
