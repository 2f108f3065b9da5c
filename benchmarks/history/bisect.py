"""`mapbench bisect GOOD BAD --bench REGEX`: the commit between GOOD and BAD that changed a benchmark.

The sequence is GOOD, then `git log --reverse --first-parent GOOD..BAD`. Each commit it
measures is one history task on the Dask cluster (benchmarks/history/fanout.py: built
on a worker, its own `mapbench bench` run there, the run landed in the store and noted
in history.json), with the bench args the metric needs:

    instructions   --counts-only --no-peers --only REGEX    counts.json, Ir per element
                   (callgrind simulation; threshold: the calibrated count threshold of
                   analysis/stats/count_compare.py, default and floor 0.1%)
    time           --no-counts --no-peers --only REGEX      bench.json, pyperf mean
                   (threshold: the store's calibrated minimum effect, else compare's default)

Once it names a commit (instructions), it prints the source lines that account for the
change when both runs kept per-line counts (lines.json.gz; benchmarks/counts/listing.py).

A commit whose run is already in the store (on this machine, or with --scheduler on a
worker's machine) and has the benchmark is read, not built. The search is
analysis/stats/bisection.py: the two ends first, then k commits a step, k = the workers
that may run the task (all of them for counts, the `timing` ones for time), splitting the
range k+1 ways. REGEX must name one benchmark at both ends.

Exit status: 0 when a commit (or, past unmeasurable commits, a range) is named; 1 when
GOOD and BAD do not differ past the threshold.
"""
from __future__ import annotations

import re
import shlex
import time
from pathlib import Path

from mapbench.analysis.counters import counts as countlib
from mapbench.analysis.errors import InputError
from mapbench.analysis.stats import bisection, count_compare
from mapbench.benchmarks.counts import listing
from mapbench.benchmarks.history import cluster, fanout
from mapbench.benchmarks.history.commit_history import git, history_lock, save_build_log, save_note
from mapbench.benchmarks.history.stored_runs import commit_runs
from mapbench.benchmarks.store import calibration_file
from mapbench.benchmarks.store import machine as machines, run_folder

METRICS = ("instructions", "time")
BENCH_ARGS = {"instructions": ["--counts-only", "--no-peers"],
              "time": ["--no-counts", "--no-peers"]}
SOURCES = {"instructions": "instructions/element, callgrind simulation (counts.json Ir)",
           "time": "pyperf mean (bench.json)"}


def sequence(good: str, bad: str, repo: Path) -> list[tuple[str, str]]:
    """[(sha, subject)]: GOOD, then GOOD..BAD along first parents, oldest first."""
    good_sha = git(["rev-parse", "--verify", f"{good}^{{commit}}"], repo)
    bad_sha = git(["rev-parse", "--verify", f"{bad}^{{commit}}"], repo)
    out = git(["log", "--reverse", "--first-parent", "--format=%H %s", f"{good_sha}..{bad_sha}", "--"], repo)
    rest = [(line[:40], line[41:]) for line in out.splitlines() if len(line) >= 40]
    if not rest or rest[-1][0] != bad_sha:
        raise InputError(f"{bad} is not a descendant of {good} along first parents; "
                         f"bisect needs GOOD older than BAD")
    subject = git(["log", "-1", "--format=%s", good_sha], repo)
    return [(good_sha, subject), *rest]


def _one_name(names: list[str], regex: str, where: str) -> str | None:
    hits = sorted(n for n in names if re.search(regex, n))
    if len(hits) > 1:
        raise InputError(f"--bench {regex!r} matches {len(hits)} benchmarks in {where} "
                         f"({', '.join(hits[:4])}{', ...' if len(hits) > 4 else ''}); name one")
    return hits[0] if hits else None


def value_of(run: Path, metric: str, regex: str) -> tuple[str, float] | None:
    """(benchmark, value) of the one benchmark matching `regex` in `run`, else None."""
    folder = run_folder.RunFolder(run)
    if metric == "instructions":
        doc = folder.doc(run_folder.COUNTS) or {}
        entries = doc.get("benchmarks") or {}
        name = _one_name(list(entries), regex, str(run / run_folder.COUNTS))
        value = countlib.metric_value(entries[name], "instructions") if name else None
        return (name, value) if value is not None else None
    suite = folder.suite()
    if suite is None:
        return None
    name = _one_name(suite.get_benchmark_names(), regex, str(run / run_folder.BENCH))
    return (name, suite.get_benchmark(name).mean()) if name else None


def threshold(metric: str, root: Path, machine: str) -> tuple[float, str]:
    if metric == "instructions":
        return count_compare.threshold_from_calibration(calibration_file.read_calibration(root))
    value = calibration_file.default_min_effect(root, machine=machine)
    return value, f"{value:.1%} minimum effect (the store's calibration, else compare's default)"


def run(args) -> int:
    root = Path(args.out)
    machine = machines.this_machine_id()
    with history_lock(root, machine, args.wait):
        return _bisect(args, root, machine)


def _bisect(args, root: Path, machine: str) -> int:
    try:
        re.compile(args.bench)
        extra = shlex.split(args.bench_args)
    except re.error as exc:
        raise InputError(f"--bench {args.bench!r} is not a regular expression: {exc}") from None
    except ValueError as exc:
        raise InputError(f"--bench-args: {exc}") from None
    top = Path(git(["rev-parse", "--show-toplevel"], Path(args.repo)))
    seq = sequence(args.good, args.bad, top)
    bench_args = [*BENCH_ARGS[args.metric], "--only", args.bench, *extra]
    limit, origin = threshold(args.metric, root, machine)
    started = time.monotonic()
    with cluster.open_cluster(args.workers, args.scheduler) as client:
        machines_here = cluster.worker_machines(client) if args.scheduler else {machine}
        k = (len(cluster.worker_hosts(client)) if cluster.counts_only(bench_args)
             else cluster.timing_capacity(client))
        if k == 0:
            raise InputError(f"no worker offers the `{cluster.TIMING}` resource a timed bench "
                             f"needs; start one per host with --resources \"{cluster.TIMING}=1\"")
        runner = fanout.CommitRunner(client, root, top, bench_args, args.wheel_cache,
                                     save_note, save_build_log, machines_here)
        print(f"bisect: {len(seq) - 1} commits after {seq[0][0][:12]} up to {seq[-1][0][:12]}; "
              f"{args.metric} of {args.bench!r} ({SOURCES[args.metric]}), threshold "
              f"{limit:.2%} ({origin}); {k} task(s) a step on {cluster.describe(client, args.scheduler)}",
              flush=True)
        values: dict[int, float] = {}
        names: set[str] = set()
        unmeasurable: dict[int, str] = {}
        built: list[int] = []

        runs: dict[int, Path] = {}

        def stored(i: int):
            for m in sorted(machines_here):
                for run in commit_runs(root, seq[i][0], m):
                    got = value_of(run, args.metric, args.bench)
                    if got:
                        runs[i] = run
                        return got
            return None

        def measure(indices: list[int], step: str) -> None:
            need = [i for i in indices if stored(i) is None]
            kept = len(indices) - len(need)
            print(f"bisect: {step}: {len(indices)} commit(s), {len(need)} to build"
                  + (f", {kept} already in the store" if kept else ""), flush=True)
            heads = {seq[i][0]: f"bisect: {seq[i][0][:12]} {seq[i][1][:60]!r}" for i in need}
            notes = runner.run([seq[i] for i in need], heads)
            built.extend(need)
            for i in indices:
                got = stored(i)
                if got:
                    names.add(got[0])
                    values[i] = got[1]
                else:
                    note = notes.get(seq[i][0], {})
                    unmeasurable[i] = (f"{note.get('status')}: {note.get('note')}" if note
                                       else "no such benchmark in its run")
                    print(f"bisect: {seq[i][0][:12]} could not be measured "
                          f"({unmeasurable[i]}); left out", flush=True)

        last = len(seq) - 1
        measure([0, last], "the two ends")
        for end, label in ((0, "GOOD"), (last, "BAD")):
            if end in unmeasurable:
                raise InputError(f"{label} {seq[end][0][:12]} could not be measured: "
                                 f"{unmeasurable[end]}")
        if len(names) > 1:
            raise InputError(f"--bench {args.bench!r} names different benchmarks at the two "
                             f"ends ({', '.join(sorted(names))}); anchor it (^...$)")
        base = values[0]
        if not bisection.differs(base, values[last], limit):
            print(f"bisect: no change past {limit:.2%} between GOOD and BAD: "
                  f"{_fmt(base)} -> {_fmt(values[last])} ({_pct(base, values[last])}); "
                  f"built {len(built)} commit(s) in {time.monotonic() - started:.0f} s")
            return 1
        lo, hi, step = 0, last, 1
        while True:
            picks = bisection.probes(lo, hi, k, set(unmeasurable))
            if not picks:
                break
            measure(picks, f"step {step}, between {seq[lo][0][:12]} and {seq[hi][0][:12]}")
            lo, hi = bisection.narrow(lo, hi, {i: values[i] for i in picks if i in values},
                                      base, limit)
            step += 1
    name = names.pop()
    tail = (f"built {len(built)} of {len(seq)} commits, ends included, in "
            f"{time.monotonic() - started:.0f} s; runs in {root}/")
    change = f"{_fmt(values[lo])} -> {_fmt(values[hi])} ({_pct(values[lo], values[hi])})"
    if hi == lo + 1:
        sha, subject = seq[hi]
        print(f"bisect: the first commit that changes {name} past {limit:.2%}: {sha[:12]} "
              f"{subject!r}: {args.metric} {change}, {SOURCES[args.metric]}; {tail}")
        if args.metric == "instructions":
            print(culprit_lines(runs[lo], runs[hi], name), end="")
    else:
        skipped = ", ".join(seq[i][0][:12] for i in range(lo + 1, hi))
        print(f"bisect: {name} changes between {seq[lo][0][:12]} and {seq[hi][0][:12]} "
              f"{seq[hi][1]!r}: {args.metric} {change}; the commits between could not be "
              f"measured ({skipped}); {tail}")
    return 0


def culprit_lines(before: Path, after: Path, bench: str, top: int = 8) -> str:
    """The source lines that account for the change (`mapbench list --diff`, callgrind
    per-line counts of the two runs), or one line on why there are none."""
    try:
        text = listing.diff_text(before, after, ".", bench=bench, metric="Ir", top=top)
    except InputError as exc:
        return f"bisect: no per-line attribution ({exc})\n"
    return (f"bisect: the lines that account for it (`mapbench list --diff {before.name} "
            f"{after.name} .`):\n{text}")


def _fmt(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 100 else f"{value:,.0f}"


def _pct(before: float, after: float) -> str:
    return f"{(after / before - 1) * 100:+.1f}%" if before else "from 0"
