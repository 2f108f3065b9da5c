"""The run engine of `mapbench bench`: interleaved rounds of one pyperf worker process each.

Each round runs every benchmark once, as its own pyperf master with one worker process
(`python -m mapbench.benchmarks.timing.suite --bench NAME -p 1`); the rounds' runs of a benchmark
are merged into one pyperf benchmark, so its worker processes are spread over the whole
pass (see run_suite). Before each process it logs "round r of R, benchmark k of N,
elapsed, estimate left"; after it, it rewrites `<run>/bench.json` atomically with every
run so far, so an interrupted run, a crashed worker or a failing kernel keeps what
finished; meta.json's `bench` field records the plan, what is done, what failed and the
status (running, complete, failed, interrupted). The benchmarks of earlier passes in the
folder stay in bench.json until this pass replaces them, and every run is tagged with its
pass (benchmarks/store/passes.py).
"""
from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.catalog import matrix
from mapbench.benchmarks.store import passes
from mapbench.benchmarks.timing.suite import MODES
from mapbench.benchmarks.store import run_folder
from mapbench.benchmarks.timing.rounds import interleave
from mapbench.benchmarks.timing.worker_errors import failure_detail

WORKER_TIMEOUT_S = 900          # pyperf --timeout: one worker process of one benchmark
MAX_CONSECUTIVE_FAILURES = 3    # then stop: the cause is not one benchmark

# The rest of the rough cost model (per family: benchmarks/catalog/families.py, Family.cost).
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
    """Rough seconds of `processes` worker processes of `bench` (only for "estimate left")."""
    s = dict(MODES[mode])
    if processes is not None:
        s["processes"] = processes
    fam = bench.record
    if fam.fresh_map:
        s["warmups"] = 0
    cost = fam.cost
    per_value = (bench.loops * bench.elements_per_loop * cost.ns_per_element
                 + bench.loops * bench.n * cost.loop_build_ns_per_entry
                 + bench.n * cost.call_build_ns_per_entry) * 1e-9
    per_process = PROCESS_START_S + bench.n * cost.build_ns_per_entry * 1e-9 \
        + (s["warmups"] + s["values"]) * per_value
    return PROCESS_START_S + s["processes"] * per_process


def fmt_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"


def launch_pyperf(bench: matrix.Benchmark, mode: str, workdir: Path) -> Launch:
    """Run one worker process of one benchmark through pyperf (a master that spawns it)."""
    return launch_one_process(bench.name, mode, workdir)


def launch_one_process(name: str, mode: str, workdir: Path, env: dict | None = None) -> Launch:
    """`python -m mapbench.benchmarks.timing.suite --bench NAME -p 1`: pyperf's master and one worker with
    the mode's values and warmups; `env` adds to the suite's environment (MAPBENCH_*
    variables reach the worker through --inherit-environ)."""
    out_json = workdir / "one.json"
    if out_json.exists():
        out_json.unlink()
    cmd = [sys.executable, "-m", "mapbench.benchmarks.timing.suite", "--bench", name, "--mode", mode,
           "--processes", "1", "--timeout", str(WORKER_TIMEOUT_S), "--output", str(out_json)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    try:
        output, _ = proc.communicate()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    text = out_json.read_text() if out_json.is_file() else None
    return Launch(proc.returncode, output, text)


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
    over the whole pass instead of back to back: a shared host slows a CPU in bursts (on
    the 2-vCPU KVM guest measured 2026-11-26: 1.6-2x for 0.1 s to about 10 s, about a
    third of the time), and a burst then hits one process of several benchmarks instead
    of every process of one.
    The runs of one benchmark are merged with pyperf's `Benchmark.add_runs`; bench.json
    and meta.json are rewritten after every process. Every run is tagged with `pass_id`;
    the benchmarks of earlier passes in `previous` stay in bench.json until this pass
    has a process of them (benchmarks/store/passes.py)."""
    import pyperf

    launcher = launcher or launch_pyperf
    rounds = resolve_rounds(rounds, mode)

    outcome = Outcome()
    bench_path = run_dir / run_folder.BENCH
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
            for round_no, k, todo_count, bench in interleave(
                    benchmarks, rounds, skip=lambda b: b.name in failed_names):
                rounds_done = max(rounds_done, round_no - 1)     # the rounds before this one are done
                elapsed = time.monotonic() - start
                left = (total_cost - done_cost) * (elapsed / done_cost if done_cost > 0 else 1.0)
                log(f"[round {round_no} of {rounds}, benchmark {k} of {todo_count}] {bench.name}  "
                    f"(elapsed {fmt_duration(elapsed)}, estimate left {fmt_duration(left)})",
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
                    f"{bench.record.element_word} (pyperf timing, mean of "
                    f"{len(values)} values of this process, {bench.loops} loops)", flush=True)
                record("running")
            else:
                rounds_done = rounds
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
    bench_meta["finished"] = now()
    record(status)
    return outcome


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
