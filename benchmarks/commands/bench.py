"""`mapbench bench`: run the pyperf suite, write bench.json + meta.json, print the summary.

    mapbench bench [--fast|--rigorous] [--rounds N] [--full] [--only REGEX] [--out DIR] [--no-peers]
                   [--fresh] [--wait]

The pass runs in rounds: each round runs every benchmark of the matrix once, as its own
pyperf master with one worker process (`python -m benchmarks.suite --bench NAME -p 1`),
and the rounds' runs of a benchmark are merged into one pyperf benchmark, so its worker
processes are spread over the whole pass (see run_suite). Before each process the command
prints "round r of R, benchmark k of N, elapsed, estimate left"; after it, it rewrites
`<out>/<run>/bench.json` atomically with every run so far, so an interrupted run, a
crashed worker or a failing kernel keeps what finished. meta.json's `bench` field records the plan, what
is done, what failed and the status (running, complete, failed, interrupted).
Then the Go peer (if `go` is installed) -> peers.json, then summary.md and plots/.
The run folder is `<out>/<commit12>[-dirty]@<machine>/` (benchmarks/store.py); the command
holds its write lock throughout (benchmarks/store_lock.py: a second writer fails at once,
or queues with --wait). A pass adds to what earlier passes left: the benchmarks it does not
run keep their results, each tagged with its pass (benchmarks/passes.py); --fresh drops them.
Exit status: 0 when every benchmark ran; 1 when some failed, when another process writes
the folder, or when the store cannot be written; 130 when interrupted.
"""
from __future__ import annotations

import datetime
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.benchmarks import gopeers, matrix, meta as metamod, passes, store, store_lock, summary
from mapbench.benchmarks.calibration_file import rounds_note
from mapbench.benchmarks.suite import BEST_PREFETCH, FRESH_MAP_FAMILIES, MODES

WORKER_TIMEOUT_S = 900          # pyperf --timeout: one worker process of one benchmark
MAX_CONSECUTIVE_FAILURES = 3    # then stop: the cause is not one benchmark
LOOPS_RULE = ("fixed, never calibrated: loops = WORK_PER_VALUE[family] / elements per loop, "
              "rounded up to a power of two (benchmarks/matrix.py)")

# Rough cost model (seconds) used only for the "estimate left": scaled by what the
# finished benchmarks really took.
NS_PER_ELEMENT_GUESS = {"iterate": 8, "iterate-growing": 12, "iterinit": 60, "insert": 80,
                        "lookup": 40, "delete": 60, "roofline": 1, "python-iterate": 800,
                        "dict-iterate": 40}
BUILD_NS_PER_ENTRY = {"python-iterate": 200, "dict-iterate": 500, "iterate": 200, "iterinit": 200,
                      "lookup": 250, "roofline": 200, "insert": 0, "delete": 0, "iterate-growing": 0}
# kernels that build a fresh map (untimed) on every loop or call: ns per entry per loop
LOOP_BUILD_NS_PER_ENTRY = {"insert": 30, "delete": 200, "iterate-growing": 0}
CALL_BUILD_NS_PER_ENTRY = {"iterate-growing": 200, "roofline": 30}
PROCESS_START_S = 0.35


@dataclass
class Launch:
    """What one benchmark's pyperf master left: exit status, output, its JSON (if any)."""
    returncode: int
    output: str
    json_text: str | None


Launcher = Callable[[matrix.Benchmark, str, Path], Launch]


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    interrupted: bool = False
    stopped_early: bool = False
    elapsed_s: float = 0.0
    partial: list[str] = field(default_factory=list)   # fewer processes than planned


def estimate_seconds(bench: matrix.Benchmark, mode: str, processes: int | None = None) -> float:
    s = dict(MODES[mode])
    if processes is not None:
        s["processes"] = processes
    if bench.family in FRESH_MAP_FAMILIES:
        s["warmups"] = 0
    per_value = (bench.loops * bench.elements_per_loop * NS_PER_ELEMENT_GUESS[bench.family]
                 + bench.loops * bench.n * LOOP_BUILD_NS_PER_ENTRY.get(bench.family, 0)
                 + bench.n * CALL_BUILD_NS_PER_ENTRY.get(bench.family, 0)) * 1e-9
    per_process = PROCESS_START_S + bench.n * BUILD_NS_PER_ENTRY[bench.family] * 1e-9 \
        + (s["warmups"] + s["values"]) * per_value
    return PROCESS_START_S + s["processes"] * per_process


def _fmt_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"


def suite_env() -> dict:
    """Environment of the suite processes: this one. The pyperf workers run with this
    interpreter (`python -m mapbench.benchmarks.suite`), so they import the same installed
    mapbench as this process."""
    return dict(os.environ)


def launch_pyperf(bench: matrix.Benchmark, mode: str, workdir: Path) -> Launch:
    """Run one worker process of one benchmark through pyperf (a master that spawns it)."""
    return launch_one_process(bench.name, mode, workdir)


def launch_one_process(name: str, mode: str, workdir: Path, env: dict | None = None) -> Launch:
    """`python -m benchmarks.suite --bench NAME -p 1`: pyperf's master and one worker with
    the mode's values and warmups; `env` adds to the suite's environment (MAPBENCH_*
    variables reach the worker through --inherit-environ)."""
    out_json = workdir / "one.json"
    if out_json.exists():
        out_json.unlink()
    cmd = [sys.executable, "-m", "mapbench.benchmarks.suite", "--bench", name, "--mode", mode,
           "--processes", "1", "--timeout", str(WORKER_TIMEOUT_S), "--output", str(out_json)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**suite_env(), **(env or {})})
    try:
        output, _ = proc.communicate()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    text = out_json.read_text() if out_json.is_file() else None
    return Launch(proc.returncode, output, text)


EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt)(: .*)?$")


def failure_detail(output: str, tail: int = 4) -> str:
    """The exceptions a failed run raised (a worker's own error first, not only pyperf's
    "worker failed" at the end) and the last lines of its output, indented."""
    lines = output.strip().splitlines()
    found = []
    for line in lines:
        if EXCEPTION_LINE.match(line.strip()) and line.strip() not in found:
            found.append(line.strip())
    shown = found[:3] if found else lines[-tail:]
    return "\n".join("      " + line for line in shown)


def _dump_suite(suite) -> str:
    buf = io.StringIO()
    suite.dump(buf, compact=True)
    return buf.getvalue()


MAX_ROUNDS = 100


def resolve_rounds(rounds: int | None, mode: str) -> int:
    """Worker processes per benchmark: `rounds` (1..MAX_ROUNDS), else the mode's count."""
    if rounds is None:
        return MODES[mode]["processes"]
    if not 1 <= rounds <= MAX_ROUNDS:
        raise InputError(f"--rounds {rounds}: give 1 to {MAX_ROUNDS}")
    return rounds


def merge_process(merged: dict, one) -> None:
    """Add one process's pyperf benchmark to `merged` (name -> Benchmark) by name."""
    name = one.get_name()
    if name in merged:
        merged[name].add_runs(one)
    else:
        merged[name] = one


def read_launch(launch: Launch):
    """(pyperf benchmark, None) from a launch that worked, else (None, what went wrong)."""
    import pyperf

    if launch.returncode != 0 or not launch.json_text:
        detail = failure_detail(launch.output)
        return None, ((f"pyperf exited with status {launch.returncode}" if launch.returncode
                       else "pyperf wrote no result") + (f":\n{detail}" if detail else ""))
    try:
        return pyperf.BenchmarkSuite.loads(launch.json_text).get_benchmarks()[0], None
    except (ValueError, KeyError, IndexError) as exc:
        return None, f"unreadable pyperf result: {exc}"


def _suite_of(results: dict):
    import pyperf
    return pyperf.BenchmarkSuite(list(results.values())) if results else None


def run_suite(benchmarks: list[matrix.Benchmark], run_dir: Path, mode: str, *,
              launcher: Launcher | None = None, log=print, bench_meta: dict | None = None,
              rounds: int | None = None, previous: passes.Previous | None = None,
              pass_id: str | None = None) -> Outcome:
    """Run the benchmarks in `rounds` interleaved rounds of one pyperf worker process each.

    Round r runs one process of every benchmark, so a benchmark's processes are spread
    over the whole pass instead of back to back: this VM's host slows a vCPU by 1.6-2x in
    bursts of 0.1 s to about 10 s (about a third of the time, measured 2026-11-26), and a
    burst then hits one process of several benchmarks instead of every process of one.
    The runs of one benchmark are merged with pyperf's `Benchmark.add_runs`; bench.json
    and meta.json are rewritten after every process. Every run is tagged with `pass_id`;
    the benchmarks of earlier passes in `previous` stay in bench.json until this pass
    has a process of them (benchmarks/passes.py)."""
    import pyperf

    launcher = launcher or launch_pyperf
    rounds = resolve_rounds(rounds, mode)

    outcome = Outcome()
    bench_path = run_dir / "bench.json"
    previous = previous or passes.Previous()
    pass_id = pass_id or passes.new_pass_id()
    ids_on_disk = set(previous.ids_on_disk)
    results: dict[str, pyperf.Benchmark] = {}
    bench_meta = dict(bench_meta or {})
    one_process_cost = {b.name: estimate_seconds(b, mode, processes=1) for b in benchmarks}
    total_cost = rounds * sum(one_process_cost.values())
    start = time.monotonic()
    done_cost = 0.0
    consecutive_failures = 0
    failed_names: set[str] = set()
    rounds_done = 0

    def record(status: str) -> None:
        bench_meta.update({"status": status, "done": list(outcome.done), "failed": list(outcome.failed),
                           "rounds": rounds, "rounds_done": rounds_done,
                           "elapsed_s": round(time.monotonic() - start, 1)})
        passes.record(run_dir, pass_id, bench_meta, ids_on_disk)

    def save() -> None:
        """bench.json := earlier passes' benchmarks this pass has not replaced, then every
        finished process of the benchmarks still in the pass."""
        kept = {name: b for name, b in previous.keep.items() if name not in results}
        kept.update({b.name: results[b.name] for b in benchmarks if b.name in results})
        if kept:
            write_atomic(bench_path, _dump_suite(_suite_of(kept)))
            ids_on_disk.clear()
            ids_on_disk.update(passes.pass_of(b) for b in kept.values())

    def fail(bench: matrix.Benchmark, error: str) -> None:
        outcome.failed.append({"name": bench.name, "error": error})
        failed_names.add(bench.name)
        if results.pop(bench.name, None) is not None:      # a failed benchmark keeps no runs
            save()
        log(f"    FAILED {bench.name}: {error}", flush=True)

    record("running")
    try:
        with tempfile.TemporaryDirectory(prefix="mapbench-bench-") as tmp:
            for round_no in range(1, rounds + 1):
                todo = [b for b in benchmarks if b.name not in failed_names]
                for k, bench in enumerate(todo, 1):
                    elapsed = time.monotonic() - start
                    left = (total_cost - done_cost) * (elapsed / done_cost if done_cost > 0 else 1.0)
                    log(f"[round {round_no} of {rounds}, benchmark {k} of {len(todo)}] {bench.name}  "
                        f"(elapsed {_fmt_duration(elapsed)}, estimate left {_fmt_duration(left)})",
                        flush=True)
                    one, error = read_launch(launcher(bench, mode, Path(tmp)))
                    done_cost += one_process_cost[bench.name]
                    if one is not None:
                        try:
                            passes.tag(one, pass_id)
                            merge_process(results, one)
                        except ValueError as exc:      # pyperf: incompatible metadata
                            one, error = None, f"unreadable pyperf result: {exc}"
                    if error:
                        fail(bench, error)
                        consecutive_failures += 1
                        record("running")
                        if consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
                            outcome.stopped_early = True
                            log(f"    stopping: the last {consecutive_failures} benchmarks all failed",
                                flush=True)
                            break
                        continue
                    consecutive_failures = 0
                    save()
                    if round_no == rounds:
                        outcome.done.append(bench.name)
                    values = one.get_values()
                    log(f"    {sum(values) / len(values) * 1e9:.3f} ns per "
                        f"{'init' if bench.family == 'iterinit' else 'element'} (pyperf timing, mean of "
                        f"{len(values)} values of this process, {bench.loops} loops)", flush=True)
                    record("running")
                if outcome.stopped_early:
                    break
                rounds_done = round_no
    except KeyboardInterrupt:
        # Ctrl-C during a process or between two (while writing bench.json or logging):
        # every process that finished goes into bench.json, whenever the interrupt came.
        outcome.interrupted = True
        save()
    if outcome.interrupted or outcome.stopped_early:
        # Benchmarks with fewer processes than planned stay in bench.json, marked partial.
        outcome.partial = sorted(name for name in results if name not in outcome.done)
        bench_meta["partial"] = outcome.partial
    outcome.elapsed_s = time.monotonic() - start
    if outcome.interrupted:
        status = "interrupted"
    elif outcome.failed:
        status = "failed"
    else:
        status = "complete"
    bench_meta["finished"] = _now()
    record(status)
    return outcome


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench", help="run the pyperf benchmark suite",
        description="Run the pyperf suite over load sizes and iterator variants; write "
                    "<out>/<commit12>[-dirty]/bench.json + meta.json, print a summary, draw plots.")
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
    parser.add_argument("--no-peers", action="store_true", help="skip the Go peer benchmark")
    parser.add_argument("--no-plots", action="store_true", help="skip the matplotlib plots")
    parser.add_argument("--fresh", action="store_true",
                        help="start the run folder's bench.json over: drop the benchmarks of "
                             "earlier passes (default: keep those this pass does not run)")
    parser.add_argument("--wait", action="store_true",
                        help="if another process writes the run folder, wait for it instead "
                             "of failing")
    parser.set_defaults(func=run)


def run(args) -> int:
    mode = "fast" if args.fast else "rigorous" if args.rigorous else "quick"
    rounds = resolve_rounds(args.rounds, mode)
    benchmarks = matrix.select(matrix.build_matrix(BEST_PREFETCH, full=args.full), args.only)
    revision = store.current_revision()
    run_dir = store.run_dir(args.out, revision)
    with store_lock.hold(run_dir, wait=args.wait):
        return _run_locked(args, mode, rounds, benchmarks, revision, run_dir)


def _run_locked(args, mode, rounds, benchmarks, revision, run_dir: Path) -> int:
    pass_id = passes.new_pass_id()
    diff_hash = store.uncommitted_diff_hash() if revision.dirty else None
    previous = passes.prepare(run_dir, fresh=args.fresh, log=print, diff_hash=diff_hash)
    bench_meta = {
        "id": pass_id, "fresh": bool(args.fresh), passes.DIFF_KEY: diff_hash,
        "mode": mode, "full": bool(args.full), "only": args.only, "best_prefetch": BEST_PREFETCH,
        "pyperf": {**MODES[mode], "processes": rounds,
                   "processes_rule": "one per round; each round runs every benchmark once",
                   "loops": LOOPS_RULE, "timeout_s": WORKER_TIMEOUT_S,
                   "warmups_of_fresh_map_families": {f: 0 for f in FRESH_MAP_FAMILIES}},
        "planned": [b.name for b in benchmarks],
        "loops_by_benchmark": {b.name: b.loops for b in benchmarks},
        "unit": "seconds per element (pyperf inner_loops = elements per loop)",
        "started": _now(),
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
    print(f"bench pass: {kept} of {len(benchmarks)} benchmarks in {_fmt_duration(outcome.elapsed_s)}",
          flush=True)
    if outcome.interrupted:
        print(f"mapbench bench: interrupted; {run_dir / 'bench.json'} keeps every process that "
              f"finished: {kept} benchmarks with all {rounds} rounds, {len(outcome.partial)} with fewer "
              f"(listed as partial in meta.json)", file=sys.stderr)
        return 130

    if not args.no_peers and not outcome.stopped_early:
        run_peers(benchmarks, run_dir)

    if kept:
        text, plots = summary.summarize(run_dir, best_prefetch=BEST_PREFETCH, plots=not args.no_plots)
        print()
        print(text)
        if plots:
            print(f"plots: {', '.join(str(p) for p in plots)}")
    if outcome.failed:
        names = ", ".join(f["name"] for f in outcome.failed)
        print(f"mapbench bench: error: {len(outcome.failed)} benchmark(s) failed: {names}"
              + ("; stopped early" if outcome.stopped_early else "")
              + f". {kept} results kept in {run_dir / 'bench.json'}", file=sys.stderr)
        return 1
    return 0


def run_peers(benchmarks: list[matrix.Benchmark], run_dir: Path) -> None:
    """The Go peer at the sizes of the iterate benchmarks that ran; peers.json."""
    sizes = sorted({b.n for b in benchmarks if b.family == "iterate"})
    if not sizes:
        return
    print(f"[peer] Go: go test -bench at n = {', '.join(map(str, sizes))} ...", flush=True)
    t0 = time.monotonic()
    try:
        peers = gopeers.run_go_peers(sizes)
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
        print(f"[peer] Go benchmark failed, summary without it: {exc}", file=sys.stderr, flush=True)
        return
    if peers is None:
        print("[peer] go is not installed (or benchmarks/peers/gomap is missing): no Go numbers")
        return
    write_atomic(run_dir / "peers.json", json.dumps(peers, indent=2) + "\n")
    print(f"[peer] Go done in {_fmt_duration(time.monotonic() - t0)} -> {run_dir / 'peers.json'}",
          flush=True)
