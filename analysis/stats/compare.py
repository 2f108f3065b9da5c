"""Compare two pyperf suites benchmark by benchmark: a verdict that holds on a noisy machine.

Why not pyperf's `compare_to`: its Student t-test treats every value as independent,
misreports when the two runs have different sample counts, and on a 2-core VM flags the
ordinary drift between two runs as significant. Here, per benchmark:

- the sample (statistic "quiet", the default) is one level per worker process: the
  median of its quiet values, those at most QUIET_FACTOR above the run's fastest. On a
  shared machine the host's noise only ever adds time, often as bursts that slow a CPU for
  seconds; a process a burst covers from start to end has no quiet value and is left out
  (counted in the table). How noisy a machine is belongs to a measurement of it:
  `mapbench calibrate` writes one, and the method text quotes it. `mapbench bench` runs a benchmark's
  processes in rounds spread over the whole pass, so some of them are quiet whatever the
  bursts do. The values of one process share the host's state, so the process is the
  unit of evidence (analysis/stats/quiet_levels.py);
- the test is a two-sided t test on the levels (log units), significant when p < alpha,
  with the spread pooled over the comparison's benchmarks; the effect is the ratio of the
  levels' geometric means, head / base, with a t interval. Statistic "median" ranks every
  value (or one mean per process, with MIN_PROCESSES or more) with a Mann-Whitney U test
  and a percentile-bootstrap interval of the ratio of medians;
- a change counts only when it is significant AND at least `min_effect` in size: a
  shift smaller than the machine's run-to-run drift is not a change, however small p is.

Counts (allocs/op, bytes/op, and any benchmark whose unit is not seconds) are exact:
they are compared for equality, never tested.

Everything here is a pure transform: suites in, a `Comparison` out. Its renderings are
analysis/render/compare_markdown.py and compare_html.py; the deltas of two JSON documents
(cache misses) are analysis/stats/number_deltas.py.
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pyperf

from mapbench.analysis.stats.formats import format_change
from mapbench.analysis.stats.quiet_levels import (PRIOR_DOF, QUIET_FACTOR, Spread, compare_levels,
                                   process_levels, spread_of)

SLOWER = "slower"
FASTER = "faster"
UNCHANGED = "no significant change"
VERDICTS = (SLOWER, FASTER, UNCHANGED)

DEFAULT_ALPHA = 0.01
DEFAULT_MIN_EFFECT = 0.03          # 3 %: above the A/A drift `mapbench calibrate` measures here
DEFAULT_CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20260101          # fixed, so the same two suites always render the same CI
MODE_KEY = "mapbench_mode"          # the suite's preset of processes/values/warmups
# Control benchmarks time no code of ours (CPython's own dict): whatever they move between
# two runs is the machine's drift, not a change of the code. A comparison's minimum effect
# is raised to DRIFT_MARGIN x the largest control change, so a change counts only when it
# is clearly larger than the drift the same two runs show. DRIFT_MARGIN was set from two
# quick runs of one commit (6 rounds each, quiet statistic) on a 2-vCPU KVM guest,
# 2026-11-26, `mapbench compare` of the two: the controls moved by up to 18.8% and the
# largest change of any other benchmark was 16%.
CONTROL_PREFIXES = ("dict-iterate/",)
DRIFT_MARGIN = 2.0
MIN_PROCESSES = 6                  # per side, to test process means (6 vs 6: p can reach 0.002)
SAMPLE_PROCESS_MEANS = "process means"
SAMPLE_VALUES = "values"
SAMPLE_FASTEST = "fastest values"
SAMPLE_QUIET = "quiet processes"
STATISTICS = ("quiet", "median", "min")
DEFAULT_STATISTIC = "quiet"
STATISTIC_HELP = (f"quiet (default): t test on one level per worker process (the median of "
                  f"its values within {(QUIET_FACTOR - 1) * 100:.0f}%% of the run's fastest), "
                  "ratio of their geometric means -- leaves out the processes a host-noise "
                  "burst hit; median: Mann-Whitney U on all values (process means with 6+ "
                  "processes), ratio of medians; min: permutation test on the ratio of the "
                  "fastest values")
PERMUTATIONS = 4000

# Benchmark metadata that are exact counts from the counting allocator (issue 3), plus any
# key that reads as a count per operation.
_COUNT_KEY = re.compile(r"(^|_)(allocs?|frees|alloc_bytes)(_|$)|_per_op$|_per_loop$")
# Metadata that describe one benchmark's configuration rather than its result; they differ
# legitimately between runs only if the suite changed, so they are compared like counts.
_CONFIG_KEYS = ("n", "bucket_bytes", "buckets", "load_factor", "noverflow", "overflow_buckets",
                "table_bytes", "tables", "global_depth")  # the last three: also the Swiss map's


@dataclass(frozen=True)
class Method:
    """The test and thresholds; rendered into every report so the verdict can be checked.

    statistic "quiet" (default): t test on one level per worker process (the median of
    its values within QUIET_FACTOR of the run's fastest), change = ratio of the levels'
    geometric means (analysis/stats/quiet_levels.py). statistic "median": Mann-Whitney U on
    process means or all values, change = ratio of medians. statistic "min": change =
    ratio of the fastest values, tested by a permutation test on that ratio -- interference
    from other work only ever adds time, so on a shared machine the fastest value is the
    steadiest estimate of the code's cost.
    """
    alpha: float = DEFAULT_ALPHA
    min_effect: float = DEFAULT_MIN_EFFECT       # fraction: 0.03 is 3 %
    confidence: float = DEFAULT_CONFIDENCE
    statistic: str = DEFAULT_STATISTIC
    # What the store's own calibration measured of this machine's noise (a sentence), or
    # what to run to measure it; quoted by the method text, never a constant of ours.
    machine_noise: str = ""

    def __post_init__(self):
        if self.statistic not in STATISTICS:
            raise ValueError(f"statistic must be one of {STATISTICS}, not {self.statistic!r}")

    def describe(self) -> str:
        if self.statistic == "quiet":
            test = (f"Two-sided t test, significant when p < {self.alpha:g}, on one level per "
                    f"worker process: the median of its quiet values, those at most "
                    f"{(QUIET_FACTOR - 1):.0%} above the run's fastest (host noise only adds "
                    f"time; a process that a slow burst covers from start to end is left out, "
                    f"counted in 'test on'"
                    + (f"; {self.machine_noise}" if self.machine_noise else "")
                    + f"). The process, not the value, is the "
                    f"unit: the values of one process share the host's state. change = ratio "
                    f"of the geometric means of the levels (head / base) with a "
                    f"{self.confidence:.0%} t interval; the levels' spread is the benchmark's "
                    f"own pooled with the whole comparison's ({PRIOR_DOF} degrees of freedom "
                    f"of weight; analysis/stats/quiet_levels.py)")
        elif self.statistic == "min":
            test = (f"Two-sided permutation test ({PERMUTATIONS} label shuffles of all timed "
                    f"values) of the ratio of the fastest values, significant when p < "
                    f"{self.alpha:g}; change = fastest head value / fastest base value (no "
                    f"interval)")
        else:
            test = (f"Two-sided Mann-Whitney U test, significant when p < {self.alpha:g}, on "
                    f"the per-process means (one per pyperf worker process) when both runs "
                    f"have at least {MIN_PROCESSES} processes, else on all timed values; "
                    f"change = ratio of the sample medians (head / base) with a "
                    f"{self.confidence:.0%} percentile-bootstrap interval")
        return (f"{test}; a benchmark is called faster or slower only when significant AND "
                f"the change is at least {self.min_effect:.1%}. Counts (allocs/op, bytes/op) "
                f"are compared exactly.")


@dataclass(frozen=True)
class Settings:
    """How pyperf sampled one benchmark: must match between runs for a fair comparison."""
    processes: int
    values_per_process: tuple[int, ...]    # distinct counts seen
    loops: tuple[int, ...]                 # distinct outer loop counts seen
    warmups: tuple[int, ...]               # distinct warmup counts seen


@dataclass(frozen=True)
class TimingChange:
    name: str
    unit: str
    base_median: float        # median of the sample, pyperf timing (seconds per element here)
    head_median: float
    change: float             # head / base - 1
    ci_low: float             # bootstrap interval of the change
    ci_high: float
    p_value: float            # two-sided; nan when there is nothing to test against
    base_processes: int
    head_processes: int
    verdict: str
    sample: str = SAMPLE_PROCESS_MEANS    # what the test ranked: process means or values
    kept: tuple[int, int, int, int] | None = None   # quiet: quiet/all processes, base, head

    @property
    def ratio(self) -> float:
        return 1.0 + self.change


@dataclass(frozen=True)
class CountChange:
    name: str
    key: str                  # metadata key, or "value" for a count-unit benchmark
    base: object
    head: object

    @property
    def equal(self) -> bool:
        return self.base == self.head


@dataclass
class Comparison:
    base_label: str
    head_label: str
    method: Method
    timings: list[TimingChange] = field(default_factory=list)
    counts: list[CountChange] = field(default_factory=list)
    only_base: list[str] = field(default_factory=list)
    only_head: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    contended: list[str] = field(default_factory=list)   # labels of runs made under load
    control_drift: float | None = None     # largest |change| of a control benchmark
    min_effect: float | None = None        # the one used: method's, or raised by the drift

    @property
    def unreliable_reasons(self) -> list[str]:
        return [f"{label} ran on a busy machine" for label in self.contended]

    @property
    def raised_by_drift(self) -> bool:
        return self.min_effect is not None and self.min_effect > self.method.min_effect

    def section(self, verdict: str) -> list[TimingChange]:
        rows = [t for t in self.timings if t.verdict == verdict]
        return sorted(rows, key=lambda t: -abs(t.change))

    @property
    def geometric_mean(self) -> float | None:
        """Geometric mean of head/base over all timed benchmarks (1.0 = no change overall)."""
        ratios = [t.ratio for t in self.timings if t.ratio > 0]
        if not ratios:
            return None
        return math.exp(sum(math.log(r) for r in ratios) / len(ratios))

    def regressions(self, pct: float) -> list[TimingChange]:
        """Significant slowdowns larger than `pct` percent: what a CI gate fails on."""
        return [t for t in self.section(SLOWER) if t.change * 100.0 > pct]

    @property
    def changed_counts(self) -> list[CountChange]:
        return [c for c in self.counts if not c.equal]


# -- sampling -------------------------------------------------------------------------

def process_means(bench: pyperf.Benchmark) -> list[float]:
    """One number per worker process: the mean of its values (calibration runs have none)."""
    return [sum(run.values) / len(run.values) for run in bench.get_runs() if run.values]


def sampling_settings(bench: pyperf.Benchmark) -> Settings:
    runs = [run for run in bench.get_runs() if run.values]
    return Settings(
        processes=len(runs),
        values_per_process=tuple(sorted({len(r.values) for r in runs})),
        loops=tuple(sorted({int(r.get_loops()) for r in runs})),
        warmups=tuple(sorted({len(r.warmups) for r in runs})),
    )


def _change_interval(base: np.ndarray, head: np.ndarray, confidence: float) -> tuple[float, float]:
    if len(base) < 2 or len(head) < 2:
        return (math.nan, math.nan)

    def ratio_of_medians(h, b, axis=-1):
        return np.median(h, axis=axis) / np.median(b, axis=axis)

    if np.all(base == base[0]) and np.all(head == head[0]):
        value = head[0] / base[0] - 1.0
        return (value, value)
    from scipy import stats  # ~1 s to import: only when a comparison runs

    result = stats.bootstrap((head, base), ratio_of_medians, vectorized=True, paired=False,
                             confidence_level=confidence, n_resamples=BOOTSTRAP_RESAMPLES,
                             method="percentile", random_state=BOOTSTRAP_SEED)
    return (float(result.confidence_interval.low) - 1.0,
            float(result.confidence_interval.high) - 1.0)


def min_ratio_permutation_p(b: np.ndarray, h: np.ndarray) -> float:
    """Two-sided permutation p-value of |log(min h / min b)| over random relabellings."""
    pooled = np.concatenate([b, h])
    if np.all(pooled == pooled[0]):
        return 1.0
    observed = abs(math.log(h.min() / b.min()))
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    shuffled = rng.permuted(np.tile(pooled, (PERMUTATIONS, 1)), axis=1)
    ratios = np.abs(np.log(shuffled[:, len(b):].min(axis=1) / shuffled[:, :len(b)].min(axis=1)))
    return float((1 + np.count_nonzero(ratios >= observed * (1 - 1e-12))) / (PERMUTATIONS + 1))


def _verdict(p_value: float, change: float, method: Method,
             min_effect: float | None = None) -> str:
    min_effect = method.min_effect if min_effect is None else min_effect
    significant = p_value < method.alpha           # False for nan
    if significant and change >= min_effect:
        return SLOWER
    if significant and change <= -min_effect:
        return FASTER
    return UNCHANGED


def compare_timing(name: str, base: pyperf.Benchmark, head: pyperf.Benchmark,
                   method: Method, prior: Spread = Spread()) -> TimingChange:
    """One benchmark's verdict; `prior` is the spread of quiet levels pooled over the
    comparison (statistic quiet, see analysis/stats/quiet_levels.py)."""
    nb, nh = len(process_means(base)), len(process_means(head))
    b_all = np.asarray(base.get_values(), dtype=float)
    h_all = np.asarray(head.get_values(), dtype=float)
    if method.statistic == "min":
        base_min, head_min = float(b_all.min()), float(h_all.min())
        change = head_min / base_min - 1.0 if base_min > 0 else math.nan
        p_value = (min_ratio_permutation_p(b_all, h_all)
                   if len(b_all) >= 2 and len(h_all) >= 2 and base_min > 0 else math.nan)
        return TimingChange(name, base.get_unit(), base_min, head_min, change, math.nan,
                            math.nan, p_value, nb, nh, _verdict(p_value, change, method),
                            SAMPLE_FASTEST)
    if method.statistic == "quiet":
        (lb, nb_all), (lh, nh_all) = process_levels(base), process_levels(head)
        t = compare_levels(lb, lh, prior, method.confidence)
        return TimingChange(name, base.get_unit(), t.base_centre, t.head_centre, t.change,
                            t.ci_low, t.ci_high, t.p_value, nb, nh,
                            _verdict(t.p_value, t.change, method), SAMPLE_QUIET,
                            (len(lb), nb_all, len(lh), nh_all))
    if min(nb, nh) >= MIN_PROCESSES:
        sample = SAMPLE_PROCESS_MEANS
        b = np.asarray(process_means(base), dtype=float)
        h = np.asarray(process_means(head), dtype=float)
    else:
        sample = SAMPLE_VALUES
        b, h = b_all, h_all
    base_median, head_median = float(np.median(b)), float(np.median(h))
    change = head_median / base_median - 1.0 if base_median > 0 else math.nan
    if len(b) < 2 or len(h) < 2:
        p_value = math.nan
    elif np.all(np.concatenate([b, h]) == b[0]):
        p_value = 1.0                   # identical samples: nothing to test
    else:
        from scipy.stats import mannwhitneyu

        p_value = float(mannwhitneyu(h, b, alternative="two-sided").pvalue)
    ci_low, ci_high = _change_interval(b, h, method.confidence)
    return TimingChange(name, base.get_unit(), base_median, head_median, change, ci_low,
                        ci_high, p_value, nb, nh, _verdict(p_value, change, method), sample)


def contention(suite: pyperf.BenchmarkSuite) -> tuple[float, int] | None:
    """(highest 1-min load average, CPUs) when some run of the suite was timed while the
    load exceeded the CPU count (pyperf records both per run), else None. The benchmark
    itself accounts for about 1 of that load (the pyperf master waits)."""
    worst, cpus = 0.0, None
    for bench in suite.get_benchmarks():
        for run in bench.get_runs():
            md = run.get_metadata()
            if "load_avg_1min" in md and "cpu_count" in md:
                worst = max(worst, float(md["load_avg_1min"]))
                cpus = int(md["cpu_count"])
    if cpus is not None and worst > cpus:
        return worst, cpus
    return None


def _is_count_key(key: str) -> bool:
    return bool(_COUNT_KEY.search(key)) or key in _CONFIG_KEYS


def _count_values(bench: pyperf.Benchmark):
    values = sorted(set(bench.get_values()))
    return values[0] if len(values) == 1 else tuple(values)


def quiet_spread(base: pyperf.BenchmarkSuite, head: pyperf.BenchmarkSuite,
                 names) -> Spread:
    """The spread of quiet process levels pooled over every timed benchmark of both runs."""
    total = Spread()
    for name in names:
        b, h = base.get_benchmark(name), head.get_benchmark(name)
        if b.get_unit() == h.get_unit() == "second":
            total += spread_of(process_levels(b)[0], process_levels(h)[0])
    return total


def compare_suites(base: pyperf.BenchmarkSuite, head: pyperf.BenchmarkSuite, *,
                   method: Method = Method(), base_label: str = "base",
                   head_label: str = "head") -> Comparison:
    """Join two suites by benchmark name and compare each benchmark present in both."""
    result = Comparison(base_label, head_label, method)
    base_names = set(base.get_benchmark_names())
    head_names = set(head.get_benchmark_names())
    result.only_base = sorted(base_names - head_names)
    result.only_head = sorted(head_names - base_names)
    settings_differ: dict[str, list[str]] = {}
    prior = quiet_spread(base, head, base_names & head_names) \
        if method.statistic == "quiet" else Spread()
    for name in sorted(base_names & head_names):
        b, h = base.get_benchmark(name), head.get_benchmark(name)
        if b.get_unit() != h.get_unit():
            result.warnings.append(f"{name}: unit differs ({b.get_unit()} vs {h.get_unit()}); "
                                   f"not compared")
            continue
        if b.get_unit() == "second":
            result.timings.append(compare_timing(name, b, h, method, prior))
            sb, sh = sampling_settings(b), sampling_settings(h)
            for attr in ("processes", "values_per_process", "loops", "warmups"):
                vb, vh = getattr(sb, attr), getattr(sh, attr)
                if vb != vh:
                    settings_differ.setdefault(attr, []).append(f"{name} ({vb} vs {vh})")
            mode_b, mode_h = b.get_metadata().get(MODE_KEY), h.get_metadata().get(MODE_KEY)
            if mode_b != mode_h:
                settings_differ.setdefault("mode (--fast/--rigorous)", []).append(
                    f"{name} ({mode_b} vs {mode_h})")
        else:
            result.counts.append(CountChange(name, "value", _count_values(b), _count_values(h)))
        mb, mh = b.get_metadata(), h.get_metadata()
        for key in sorted(set(mb) | set(mh)):
            if _is_count_key(key) and key in mb and key in mh:
                result.counts.append(CountChange(name, key, mb[key], mh[key]))
    for label, suite in ((base_label, base), (head_label, head)):
        busy = contention(suite)
        if busy is not None:
            load, cpus = busy
            result.contended.append(label)
            result.warnings.append(
                f"{label} ran on a busy machine: 1-minute load average up to {load:g} on "
                f"{cpus} CPUs (pyperf metadata load_avg_1min, cpu_count). Other work competed "
                f"for the CPUs, which inflates times by an unknown and changing amount: "
                f"treat the verdicts as unreliable and rerun both runs on a quiet machine.")
    result.min_effect = method.min_effect
    controls = [t for t in result.timings
                if t.name.startswith(CONTROL_PREFIXES) and math.isfinite(t.change)]
    if controls:
        worst = max(controls, key=lambda t: abs(t.change))
        result.control_drift = abs(worst.change)
        floor = DRIFT_MARGIN * result.control_drift
        if floor > method.min_effect:
            result.min_effect = floor
            result.timings = [dataclasses.replace(
                t, verdict=_verdict(t.p_value, t.change, method, floor)) for t in result.timings]
            result.warnings.append(
                f"the control benchmarks (CPython's own dict, no mapbench code) moved by up to "
                f"{result.control_drift:.1%} between the runs ({worst.name} "
                f"{format_change(worst.change)}): the machine itself ran differently, so this "
                f"comparison counts only changes of at least {DRIFT_MARGIN:g} x that, "
                f"{floor:.1%}. Smaller changes cannot be told from the drift; compare runs made "
                f"on a quieter machine, or check a suspected change with `mapbench calibrate`.")
    for attr, where in settings_differ.items():
        label = attr.replace("_", " ")
        shown = ", ".join(where[:3]) + (f", and {len(where) - 3} more" if len(where) > 3 else "")
        result.warnings.append(
            f"pyperf {label} differ between the runs for {len(where)} benchmark(s): {shown}. "
            f"Rerun both with the same mode (--fast/--rigorous) for a fair comparison.")
    if result.only_base:
        result.warnings.append(f"{len(result.only_base)} benchmark(s) only in {base_label}")
    if result.only_head:
        result.warnings.append(f"{len(result.only_head)} benchmark(s) only in {head_label}")
    return result
