"""`mapbench calibrate [--quick]`: the suite proves its own comparisons on this machine.

It times a few iteration benchmarks several times with the same code:
  A1, A2   no slowdown: comparing them (A/A) must flag nothing -- every flag is a false positive;
  S<pct>   with MAPBENCH_INJECT_SLOWDOWN_PCT=<pct>, which makes the native iteration
           kernels spend <pct> percent extra time in `calibration_spin` inside their timed
           region (read by `native` at import; the suite passes MAPBENCH_* variables
           on to pyperf's workers with --inherit-environ): A1 vs S<pct> must flag it.
With a count pass (valgrind installed; benchmarks/counts/calibrate_counts.py) it also
calibrates the counted metric: A/A of counts, and injected *work* (MAPBENCH_INJECT_WORK_PCT
1 and 10) flagged on every benchmark. Exit 0 when the counted metric passes and the timed
A/A flags nothing; without valgrind, exit 0 only when A/A flags nothing and the 10 %
slowdown is flagged on every benchmark.
It prints the false-positive count, the change each injected slowdown measured, the
smallest slowdown detected on every benchmark, and the machine's process noise with the
rounds it estimates a 10% check needs (analysis/process_noise.py); it writes
`<ROOT>/calibration.json` (whose suggested minimum effect `mapbench compare` then uses
by default) and keeps the runs' pyperf suites under `<ROOT>/calibrate/`.

Runs go through the suite script like `mapbench bench`'s (one worker process per
benchmark per round, `python -m mapbench.benchmarks.timing.suite --bench NAME --mode M -p 1`, the same
values and warmups), and the labels are interleaved round by round, so the calibration
measures the noise within one stretch of time. Two runs made minutes apart drift on
top of that; `mapbench compare` raises its threshold by what the control benchmarks
moved between them (analysis/stats/compare.py), which calibrate cannot see.
"""
from __future__ import annotations

import json
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyperf

from mapbench.analysis.stats import compare, formats, process_noise
from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.store import machine as machines, runs as store, lock as store_lock
from mapbench.benchmarks.store.calibration_file import CALIBRATION_FILE
from mapbench.benchmarks.timing.rounds import interleave, rotated
from mapbench.benchmarks.timing.worker_errors import first_error

INJECT_ENV = "MAPBENCH_INJECT_SLOWDOWN_PCT"
REQUIRED_PCT = 10                     # the slowdown that must be flagged for a pass
QUICK_LEVELS = (10, 5, 2)
FULL_LEVELS = (10, 5, 3, 2, 1)
MODE = "quick"                        # what `tox -e bench` records, so what compare judges
# A calibration's timed half judges false positives and power, which needs more processes
# than one quick run spends (4 since the count pass joined tox -e bench): at least this many
# rounds unless --rounds says otherwise. On the 2-vCPU KVM guest, 2026-11-26..12-02: eight
# calibrations at 6-20 rounds flagged nothing in A/A; one at 4 flagged an 11.9% A/A change
# at p = 0.0098.
MIN_DEFAULT_ROUNDS = 6


def calibration_benchmarks(quick: bool) -> list[str]:
    """Iteration benchmarks the slowdown knob affects; small maps in --quick (cheap to build)."""
    from mapbench.benchmarks.timing.suite import BEST_PREFETCH
    names = ["iterate/storage=stack/prefetch=0/n=1024",
             "iterate/storage=stack/prefetch=0/n=16384",
             f"iterate/storage=heap/prefetch={BEST_PREFETCH}/n=16384",
             "iterate/storage=pool/prefetch=0/n=1024",
             "iterate/storage=stack/prefetch=0/n=262144",
             "iterinit/storage=stack/n=1024"]
    if not quick:
        names += [f"iterate/storage=pool/prefetch={BEST_PREFETCH}/n=262144",
                  "iterate/storage=stack/prefetch=0/snapshot=atomic/n=16384",
                  "iterinit/storage=heap/n=16384",
                  "iterate-growing/n=16384"]
    return names


# -- the verdict (pure) -----------------------------------------------------------------

@dataclass
class Calibration:
    """What the A/A and injected comparisons showed."""
    aa: compare.Comparison
    injected: dict[int, compare.Comparison] = field(default_factory=dict)
    required_pct: int = REQUIRED_PCT
    noise: process_noise.ProcessNoise | None = None   # from A1 and A2's worker processes
    rounds: int = 0                                   # processes per benchmark and label

    @property
    def rounds_needed(self) -> int | None:
        """Estimated rounds for the required slowdown to be flagged on every benchmark."""
        if self.noise is None:
            return None
        return process_noise.rounds_needed(self.noise, self.required_pct / 100,
                                           self.aa.method.alpha)

    @property
    def false_positives(self) -> list[compare.TimingChange]:
        return [t for t in self.aa.timings if t.verdict != compare.UNCHANGED]

    def detected(self, pct: int) -> bool:
        """Every benchmark flagged slower with `pct` injected."""
        c = self.injected.get(pct)
        return bool(c and c.timings) and all(t.verdict == compare.SLOWER for t in c.timings)

    @property
    def smallest_detected(self) -> int | None:
        found = [pct for pct in sorted(self.injected) if self.detected(pct)]
        # Smallest level such that it and every larger level tried were detected.
        smallest = None
        for pct in sorted(self.injected, reverse=True):
            if pct not in found:
                break
            smallest = pct
        return smallest

    @property
    def aa_max_change(self) -> float:
        changes = [abs(t.change) for t in self.aa.timings if math.isfinite(t.change)]
        return max(changes, default=0.0)

    @property
    def suggested_min_effect_pct(self) -> float:
        """1.5 x the largest A/A drift, rounded up to half a percent, at least the default."""
        floor = compare.DEFAULT_MIN_EFFECT * 100
        return max(floor, math.ceil(self.aa_max_change * 100 * 1.5 * 2) / 2)

    @property
    def passed(self) -> bool:
        return not self.false_positives and self.detected(self.required_pct)

    def lines(self) -> list[str]:
        out = [f"method: {self.aa.method.describe()}",
               f"A/A ({self.aa.base_label} vs {self.aa.head_label}, same code): "
               f"false positives: {len(self.false_positives)} of {len(self.aa.timings)} benchmarks; "
               f"largest A/A change {self.aa_max_change * 100:.1f}% (pyperf timing)"]
        for t in self.aa.timings:
            out.append(f"  A/A  {t.name}: {formats.format_change(t.change)} "
                       f"p={t.p_value:.2g} -> {t.verdict}")
        for pct in sorted(self.injected, reverse=True):
            c = self.injected[pct]
            flagged = sum(t.verdict == compare.SLOWER for t in c.timings)
            out.append(f"injected {pct}% ({INJECT_ENV}={pct}): flagged slower on {flagged} of "
                       f"{len(c.timings)} benchmarks")
            for t in c.timings:
                out.append(f"  +{pct}%  {t.name}: measured {formats.format_change(t.change)} "
                           f"p={t.p_value:.2g} -> {t.verdict}")
        busy = sorted({label for c in (self.aa, *self.injected.values()) for label in c.contended})
        if busy:
            out.append(f"warning: runs {', '.join(busy)} were timed on a busy machine (1-min load "
                       f"average above the CPU count, pyperf metadata): this calibration measures "
                       f"the other load as much as the suite; rerun on a quiet machine")
        smallest = self.smallest_detected
        out.append("smallest injected slowdown flagged on every benchmark: "
                   + (f"{smallest}%" if smallest is not None else "none of those tried"))
        out.extend(self.noise_lines())
        out.append(f"suggested --min-effect for this machine: {self.suggested_min_effect_pct:g}% "
                   f"(1.5 x the largest A/A change, at least {compare.DEFAULT_MIN_EFFECT * 100:g}%); "
                   + ("not adopted by `mapbench compare` (busy machine)" if busy else
                      "`mapbench compare` on this store uses it by default"))
        verdict = "PASS" if self.passed else "FAIL"
        why = []
        if self.false_positives:
            why.append(f"A/A flagged {len(self.false_positives)} benchmark(s)")
        if not self.detected(self.required_pct):
            why.append(f"the injected {self.required_pct}% slowdown was not flagged on every "
                       f"benchmark")
        out.append(f"calibrate: {verdict}" + (f" ({'; '.join(why)})" if why else
                                              f" (A/A clean, {self.required_pct}% flagged)"))
        return out

    def noise_lines(self) -> list[str]:
        n = self.noise
        if n is None or not n.processes:
            return []
        out = [f"process noise (A1 and A2, pyperf timing): {n.quiet_processes} of {n.processes} "
               f"worker processes had quiet values, the others ran inside a slow burst of the "
               f"host from start to end; "
               + (f"the quiet processes' level varies by {n.level_sd * 100:.1f}% (sd, pooled "
                  f"over {n.benchmarks} benchmarks)" if n.level_sd is not None else
                  "too few quiet processes to measure how their level varies")]
        needed = self.rounds_needed
        if needed is None:
            return out
        what = (f"estimate: flagging a {self.required_pct}% slowdown on all {n.benchmarks} "
                f"benchmarks {process_noise.ALL_FLAGGED:.0%} of the time (p < "
                f"{self.aa.method.alpha:g}) needs ")
        from mapbench.benchmarks.timing.run_engine import MAX_ROUNDS
        if needed > MAX_ROUNDS:
            out.append(what + f"more than {MAX_ROUNDS} rounds here ({needed}; normal "
                       f"approximation, analysis/process_noise.py): this machine is too "
                       f"noisy for {self.required_pct}% comparisons")
        else:
            out.append(what + f"about {needed} rounds here (normal approximation, "
                       f"analysis/process_noise.py); this calibration ran {self.rounds}"
                       + (f": try `mapbench calibrate --quick --rounds {needed}` and compare "
                          f"runs of `mapbench bench --rounds {needed}`"
                          if needed > self.rounds else ""))
        return out

    def to_json(self) -> dict:
        def rows(c):
            return [{"name": t.name, "change": t.change, "p_value": t.p_value,
                     "ci": [t.ci_low, t.ci_high], "verdict": t.verdict, "test_on": t.sample}
                    for t in c.timings]
        busy = sorted({label for c in (self.aa, *self.injected.values()) for label in c.contended})
        return {"passed": self.passed, "method": self.aa.method.describe(), "busy_runs": busy,
                "min_effect_pct": self.aa.method.min_effect * 100,
                "false_positives": len(self.false_positives),
                "aa_max_change_pct": self.aa_max_change * 100,
                "smallest_detected_pct": self.smallest_detected,
                "suggested_min_effect_pct": self.suggested_min_effect_pct,
                "process_noise": None if self.noise is None else {
                    "processes": self.noise.processes,
                    "quiet_processes": self.noise.quiet_processes,
                    "quiet_level_sd_pct": (None if self.noise.level_sd is None
                                           else self.noise.level_sd * 100),
                    "rounds": self.rounds,
                    "rounds_needed_estimate": self.rounds_needed},
                "aa": rows(self.aa),
                "injected": {str(p): rows(c) for p, c in sorted(self.injected.items())}}


def evaluate(a1: pyperf.BenchmarkSuite, a2: pyperf.BenchmarkSuite,
             slowed: dict[int, pyperf.BenchmarkSuite], method: compare.Method,
             required_pct: int = REQUIRED_PCT) -> Calibration:
    aa = compare.compare_suites(a1, a2, method=method, base_label="A1", head_label="A2")
    injected = {pct: compare.compare_suites(a1, suite, method=method, base_label="A1",
                                            head_label=f"S{pct}")
                for pct, suite in slowed.items()}
    names = [t.name for t in aa.timings]
    noise = process_noise.measure([a1, a2], names) if names else None
    rounds = max((a1.get_benchmark(n).get_nrun() for n in names), default=0)
    return Calibration(aa, injected, required_pct, noise, rounds)


# -- running the suite ------------------------------------------------------------------

def run_process(name: str, *, mode: str, slowdown_pct: int, label: str,
                tmp: Path) -> pyperf.Benchmark:
    """One pyperf worker process of one benchmark through the suite script, the way
    `mapbench bench` runs it, with the slowdown knob set (0 = off)."""
    from mapbench.benchmarks.timing.run_engine import launch_one_process

    launch = launch_one_process(name, mode, tmp, env={INJECT_ENV: str(slowdown_pct)})
    if launch.returncode != 0 or not launch.json_text:
        raise InputError(f"{label}: benchmark {name} failed (exit {launch.returncode}): "
                         + first_error(launch.output))
    return pyperf.BenchmarkSuite.loads(launch.json_text).get_benchmarks()[0]


def run_all(names: list[str], order: list[tuple[str, int]], *, mode: str, out_dir: Path,
            rounds: int | None = None) -> dict[str, pyperf.BenchmarkSuite]:
    """Every benchmark under every label, in rounds like `mapbench bench`: each round
    runs one process of every (benchmark, label), labels in an order that rotates from
    round to round, so the host's slow bursts hit the runs being compared alike."""
    from mapbench.benchmarks.timing.run_engine import merge_process, resolve_rounds

    rounds = resolve_rounds(rounds, mode)
    merged: dict[str, dict[str, pyperf.Benchmark]] = {label: {} for label, _ in order}
    with tempfile.TemporaryDirectory(prefix="mapbench-calibrate-") as tmp:
        for r, i, count, name in interleave(names, rounds):
            labels = rotated(order, r - 1)
            print(f"calibrate: round {r} of {rounds}, benchmark {i} of {count} "
                  f"{name}: " + " ".join(label for label, _ in labels), flush=True)
            for label, pct in labels:
                merge_process(merged[label], run_process(name, mode=mode, slowdown_pct=pct,
                                                         label=label, tmp=Path(tmp)))
    suites = {label: pyperf.BenchmarkSuite([benches[n] for n in names])
              for label, benches in merged.items()}
    for label, suite in suites.items():
        write_atomic(out_dir / f"{label}.json", json.dumps(_suite_json(suite)))
    return suites


def _suite_json(suite: pyperf.BenchmarkSuite) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        suite.dump(tmp.name, replace=True)
        return json.loads(Path(tmp.name).read_text())


def parse_levels(text: str | None, quick: bool) -> list[int]:
    if text is None:
        return list(QUICK_LEVELS if quick else FULL_LEVELS)
    try:
        levels = sorted({int(x) for x in text.split(",") if x.strip()}, reverse=True)
    except ValueError:
        raise InputError(f"--levels {text!r}: give whole percentages like 10,5,2") from None
    if not levels or any(p <= 0 or p > 1000 for p in levels):
        raise InputError(f"--levels {text!r}: each level must be between 1 and 1000")
    return levels


def select_names(quick: bool, only: str | None) -> list[str]:
    if only is None:
        return calibration_benchmarks(quick)
    from mapbench.benchmarks.catalog import matrix
    from mapbench.benchmarks.timing import suite
    return [b.name for b in matrix.select(matrix.build_matrix(suite.BEST_PREFETCH, full=True),
                                          only)]


def run(args) -> int:
    started = time.monotonic()
    root = Path(args.out)
    names = select_names(args.quick, args.only)
    levels = parse_levels(args.levels, args.quick)
    if args.min_effect < 0:
        raise InputError("--min-effect must be a percentage >= 0")
    from mapbench.benchmarks.timing.run_engine import resolve_rounds
    rounds = resolve_rounds(args.rounds, args.mode)
    if args.rounds is None:
        rounds = max(rounds, MIN_DEFAULT_ROUNDS)
    method = compare.Method(min_effect=args.min_effect / 100.0, statistic=args.statistic)
    out_dir = root / "calibrate"
    with store_lock.hold(out_dir, wait=args.wait):      # calibrate/ and calibration.json
        return _run_locked(args, started, root, names, levels, rounds, method, out_dir)


def _run_locked(args, started, root, names, levels, rounds, method, out_dir) -> int:
    print(f"calibrate: {len(names)} benchmarks x {2 + len(levels)} runs (A1, A2, "
          + ", ".join(f"+{p}%" for p in levels) + f"), pyperf mode {args.mode}, {rounds} rounds",
          flush=True)
    order = [("A1", 0)] + [(f"S{levels[0]}", levels[0]), ("A2", 0)] + \
            [(f"S{p}", p) for p in levels[1:]]
    suites = run_all(names, order, mode=args.mode, out_dir=out_dir, rounds=rounds)
    result = evaluate(suites["A1"], suites["A2"], {p: suites[f"S{p}"] for p in levels}, method,
                      required_pct=REQUIRED_PCT if REQUIRED_PCT in levels else max(levels))
    for line in result.lines():
        print(line)
    counted = None
    if not args.no_counts:
        from mapbench.benchmarks.counts.calibrate_counts import calibrate_counts
        counted = calibrate_counts(names)
        for line in (counted.lines() if counted else
                     ["counts: no count pass here (see the line above): the verdict is the "
                      "timed calibration's alone"]):
            print(line)
    doc = result.to_json()
    if counted is not None:
        doc["counts"] = counted.to_json()
    doc.update({"benchmarks": names, "mode": args.mode, "rounds": rounds, "levels": levels,
                "statistic": args.statistic,
                "seconds": round(time.monotonic() - started, 1),
                "commit": store.current_revision().run_name,
                "machine": machines.this_machine()})
    passed = overall_pass(result, counted)
    doc["passed_overall"] = passed           # `passed` stays the timed half's verdict
    write_atomic(root / CALIBRATION_FILE, json.dumps(doc, indent=2) + "\n")
    print(f"calibrate: wrote {root / CALIBRATION_FILE} ({doc['seconds']} s)")
    print(f"calibrate: {'PASS' if passed else 'FAIL'} overall: " + overall_reason(result, counted))
    return 0 if passed else 1


def busy_runs(timed: Calibration) -> list[str]:
    """The timed runs pyperf saw on a busy machine (load average above the CPU count)."""
    return sorted({label for c in (timed.aa, *timed.injected.values()) for label in c.contended})


def overall_pass(timed: Calibration, counted) -> bool:
    """With a count pass: counts pass and the timed A/A is clean (the timed power is
    reported, not required: `mapbench compare` decides on counts by default); a timed A/A
    made on a busy machine measured the other load, so it is reported but not judged.
    Without a count pass: the timed calibration's own verdict."""
    if counted is None:
        return timed.passed
    return counted.passed and (not timed.false_positives or bool(busy_runs(timed)))


def overall_reason(timed: Calibration, counted) -> str:
    if counted is None:
        return ("timed calibration only (no count pass): " + ("A/A clean and the required "
                "slowdown flagged" if timed.passed else "see the timed verdict above"))
    parts = ["counted metric " + ("passed" if counted.passed else "FAILED")]
    if not timed.false_positives:
        parts.append("the timed A/A flagged nothing")
    elif busy_runs(timed):
        parts.append(f"the timed A/A flagged {len(timed.false_positives)} benchmark(s) but was "
                     f"timed on a busy machine (runs {', '.join(busy_runs(timed))}): not judged, "
                     f"rerun on a quiet machine to calibrate time")
    else:
        parts.append(f"the timed A/A FLAGGED {len(timed.false_positives)} benchmark(s)")
    return "; ".join(parts) + " (the time metric's power is reported above)"
