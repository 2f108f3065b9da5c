"""The representative profiling pass: every collector on the workload, results into a run folder.

Configurations (`plan`): iterate at a small (2^14) and a large (2^20) size, prefetch off and
on, iterator on the stack and on the heap; insert; the Python-layer iterate (per element from
Python) and the pyperf-driver-like loop; the same iterate sizes and prefetch (stack) and insert
for Go 1.24's Swiss map (names start `swiss-`; its callgrind pass only without --quick). Per configuration:

  native layer  -> perf record -g          -> folded/, flame/, pprof/   (time, by sample)
                -> perf stat -x, or, where hardware counters are not supported, cachegrind
                   on a shortened run      -> cachemiss.json / cachemiss.md (misses per element)
  python layer  -> py-spy --native         -> folded/, flame/, pprof/
                -> pyinstrument            -> pyinstrument/*.html|json
  one large iterate -> callgrind           -> a flame graph whose widths are simulated D1 misses

Every tool that is missing or refused says so in one line; the pass goes on with the rest and
profile.json lists, per configuration, its files and the sources that produced them.
"""
from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from mapbench.analysis.counters import cache_levels
from mapbench.analysis.render import cachemiss_tables, level_tables
from mapbench.analysis.atomic import write_atomic
from mapbench.benchmarks.catalog import families
from mapbench.benchmarks.profiling.collectors import (Capture, cachegrind, callgrind, perf_record,
                                                      perf_stat, pyinstrument_tree, pyspy)
from mapbench.benchmarks.profiling import source_lines
from mapbench.benchmarks.store import run_folder

SMALL = 1 << 14
LARGE = 1 << 20
DEFAULT_FREQUENCY = 999


def best_prefetch() -> int:
    try:
        from mapbench.benchmarks.timing.suite import BEST_PREFETCH
        return int(BEST_PREFETCH)
    except Exception:               # no suite (yet): the distance the article found good
        return 8


def _swiss_auto_distance(n: int) -> int:
    from mapbench.native import kernels
    return int(kernels.swiss_auto_distance(n))


@dataclass
class Config:
    op: str = "iterate"
    n: int = SMALL
    storage: str = "stack"
    prefetch: int = 0
    layer: str = "native"
    tools: tuple[str, ...] = ("perf", "cache")      # perf, cache, pyspy, pyinstrument, callgrind
    map: str = "classic"                            # classic (Go 1.19) or swiss (Go 1.24)

    @property
    def name(self) -> str:
        """op-nN[-storage-pfD], with swiss- first for the Swiss map (the classic map's
        names are those of runs from before the Swiss map)."""
        base = f"{self.op}-n{self.n}"
        family = families.of_kernel(self.op)
        if family is not None and family.iterator:
            base += f"-{self.storage}-pf{self.prefetch}"
        if self.map != "classic":
            base = f"{self.map}-{base}"
        return base if self.layer == "native" else f"{self.layer}-{base}"

    def workload(self) -> dict:
        out = {"op": self.op, "n": self.n, "storage": self.storage, "prefetch": self.prefetch,
               "layer": self.layer}
        if self.map != "classic":
            out["map"] = self.map
        return out


def plan(quick: bool = True, only: str | None = None) -> list[Config]:
    """The default pass; `only` keeps the configurations whose name matches the regex."""
    distance = best_prefetch()
    # Heap vs stack is asked without prefetch; the heap iterator with prefetch only in --full.
    configs = [Config("iterate", n, storage, pf)
               for n in (SMALL, LARGE) for pf in (0, distance) for storage in ("stack", "heap")
               if not (quick and storage == "heap" and pf)]
    configs.append(Config("insert", SMALL))
    configs.append(Config("iterate", SMALL, layer="python", tools=("pyspy", "pyinstrument")))
    configs.append(Config("iterate", SMALL, layer="driver", tools=("pyspy",)))
    configs.append(Config("iterate", LARGE, "stack", 0, tools=("callgrind",)))
    # The Swiss map beside the classic one: the same sizes, stack storage (heap vs stack
    # is an iterator question the classic configurations answer), no prefetch and the
    # distance its default (prefetch="auto") picks at the large size.
    swiss_distance = _swiss_auto_distance(LARGE) or distance
    configs += [Config("iterate", n, "stack", pf, map="swiss")
                for n in (SMALL, LARGE) for pf in (0, swiss_distance)]
    configs.append(Config("insert", SMALL, map="swiss"))
    if not quick:  # callgrind at 2^20 takes minutes: the quick pass keeps the classic one
        configs.append(Config("iterate", LARGE, "stack", 0, tools=("callgrind",), map="swiss"))
    if only:
        pattern = re.compile(only)
        configs = [c for c in configs if pattern.search(c.name) or
                   (c.tools == ("callgrind",) and pattern.search("callgrind-" + c.name))]
    return configs


@dataclass
class Options:
    quick: bool = True
    frequency: int = DEFAULT_FREQUENCY
    call_graph: str = "fp"
    cache_model: dict | None = None        # None: this machine's L1d + L2 (cachegrind.machine_model)
    perf: str = "perf"
    valgrind: str = "valgrind"
    pyspy: str | None = None
    levels: bool = False                   # the level sweep (level_sweep.py) after the configurations

    @property
    def seconds(self) -> float:
        return 0.5 if self.quick else 2.0


def cache_loops(config: Config) -> int:
    """A shortened run for the simulator: about 4 * 2^14 elements at least, 2 passes at most sizes."""
    if config.op == "insert":
        return 2
    return max(2, (4 * SMALL) // max(config.n, 1))


@dataclass
class Pass:
    out: Path
    options: Options
    messages: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    entries: list[dict] = field(default_factory=list)
    cache_configs: list[dict] = field(default_factory=list)
    perf_stat_why: str | None = None
    _checked_perf_stat: bool = False
    levels_doc: dict | None = None
    level_seconds: float = 0.0

    def say(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    def note(self, capture: Capture) -> None:
        if capture.message and capture.message not in self.messages:
            self.messages.append(capture.message)
            self.say(f"  {capture.message}")

    # -- views of folded stacks ---------------------------------------------------------
    def write_views(self, name: str, stacks: dict[str, int], source: str, title: str, *,
                    count_name: str = "samples", period_ns: float | None = None) -> dict[str, str]:
        from mapbench.analysis.flame.flamegraph import render_first_screen_svg
        from mapbench.analysis.stacks.folded import format_folded
        from mapbench.analysis.stacks.pprof import build_profile

        files = {}
        header = f"# {source}\n"
        files["folded"] = write_atomic(self.out / "folded" / f"{name}.folded", header + format_folded(stacks))
        # Opens on its content: unknown towers collapsed, an icicle where the usual
        # layout would put the root below a 1400x900 window (analysis/flame/first_screen.py).
        svg = render_first_screen_svg(stacks, title=title, subtitle=source, count_name=count_name)
        files["flame"] = write_atomic(self.out / "flame" / f"{name}.svg", svg)
        if count_name == "samples":
            pb = build_profile(stacks, period_ns=period_ns)
        else:
            pb = build_profile(stacks, sample_type=(count_name, "count"))
        files["pprof"] = write_atomic(self.out / "pprof" / f"{name}.pb.gz", pb)
        return {k: str(v.relative_to(self.out)) for k, v in files.items()}

    # -- one configuration ----------------------------------------------------------------
    def profile(self, config: Config) -> dict:
        opts = self.options
        entry = {"name": config.name, "config": config.workload(), "files": {}, "sources": {}}
        wl = config.workload()
        if "perf" in config.tools:
            cap = perf_record.record(wl, self.out, config.name, seconds=opts.seconds, frequency=opts.frequency,
                                     call_graph=opts.call_graph, binary=opts.perf)
            self.note(cap)
            if cap.ok and cap.data:
                entry["files"].update(self.write_views(
                    config.name, cap.data, cap.source, f"{config.name}: CPU time (perf)",
                    period_ns=round(1e9 / opts.frequency)))
                entry["files"]["perf_script"] = str(cap.files["perf_script"].relative_to(self.out))
                # pprof/<name>.pb.gz again, from the addresses: source lines of the native module.
                for message in source_lines.write_perf_pprof(
                        self.out, config.name, cap.files["perf_script"], (cap.workload or {}).get("pid"),
                        period_ns=round(1e9 / opts.frequency), source=cap.source):
                    if message not in self.messages:
                        self.messages.append(message)
                        self.say(f"  {message}")
                entry["sources"]["time"] = cap.source
                entry["workload"] = cap.workload
        if "cache" in config.tools:
            summary = self.cache(config, wl)
            if summary:
                entry["sources"]["cache"] = summary["source_detail"]
                entry["cache_method"] = summary["method"]
        if "pyspy" in config.tools:
            cap = pyspy.record(wl, self.out, config.name, seconds=max(opts.seconds, 1.0), binary=opts.pyspy)
            self.note(cap)
            if cap.ok and cap.data:
                entry["files"].update(self.write_views(config.name, cap.data, cap.source,
                                                       f"{config.name}: Python + native (py-spy)",
                                                       period_ns=round(1e9 / 250)))
                entry["files"]["pyspy_raw"] = str(cap.files["pyspy_raw"].relative_to(self.out))
                entry["sources"]["time"] = cap.source
                entry["workload"] = cap.workload
        if "pyinstrument" in config.tools:
            cap = pyinstrument_tree.record(wl, self.out, config.name, seconds=opts.seconds)
            self.note(cap)
            if cap.ok:
                for kind in ("html", "json"):
                    entry["files"][f"pyinstrument_{kind}"] = str(cap.files[kind].relative_to(self.out))
                entry["sources"]["call_tree"] = cap.source
        if "callgrind" in config.tools:
            name = "callgrind-" + config.name
            cap = callgrind.record(wl, self.out, name, loops=cache_loops(config), model=opts.cache_model,
                                   binary=opts.valgrind)
            self.note(cap)
            entry["name"] = name
            if cap.ok:
                _, stacks = cap.data
                entry["files"].update(self.write_views(name, stacks, cap.source,
                                                       f"{config.name}: simulated D1 read misses (callgrind)",
                                                       count_name="D1_read_misses"))
                entry["files"]["callgrind"] = str(cap.files["callgrind"].relative_to(self.out))
                entry["sources"]["cache_misses"] = cap.source
        for tool in ("time", "cache", "call_tree", "cache_misses"):
            if tool in entry["sources"]:
                self.sources.setdefault(tool, entry["sources"][tool])
        return entry

    def cache(self, config: Config, wl: dict) -> dict | None:
        opts = self.options
        if not self._checked_perf_stat:
            self._checked_perf_stat = True
            self.perf_stat_why = perf_stat.available(opts.perf)
            if self.perf_stat_why:
                self.messages.append(f"perf stat: {self.perf_stat_why}; falling back to cachegrind simulation")
                self.say(f"  {self.messages[-1]}")
        summary = None
        if not self.perf_stat_why:
            loops = cache_loops(config)
            cap = perf_stat.stat(wl, self.out, config.name, loops=(loops, loops * 5), binary=opts.perf)
            self.note(cap)
            if cap.ok:
                summary = cap.data
        if summary is None:
            model, level = opts.cache_model, None
            if model is None:       # this machine's L1s, and its L2 named as what valgrind's LL is
                model, level = machine_l2_model()
            cap = cachegrind.simulate(wl, self.out, config.name, loops=cache_loops(config),
                                      model=model, binary=opts.valgrind)
            self.note(cap)
            if cap.ok:
                summary = cachegrind.summarize(cap, wl)
                summary["files"] = {"cachegrind": str(cap.files["cachegrind"].relative_to(self.out))}
                if level is not None:
                    cache_levels.name_simulated_ll(summary, level)
        if summary:
            summary["name"] = config.name
            self.cache_configs.append(summary)
        return summary

    # -- outputs ----------------------------------------------------------------------------
    def write_summaries(self) -> None:
        configs = merge_by_name(load_json_list(self.out / run_folder.CACHEMISS, "configurations"), self.cache_configs)
        if configs:
            write_atomic(self.out / run_folder.CACHEMISS,
                         json.dumps({"configurations": configs}, indent=2, sort_keys=True) + "\n")
            md = ["# Cache misses per element", "", cachemiss_tables.summary_table(configs)]
            if self.levels_doc:
                md += [level_tables.levels_markdown(self.levels_doc)]
            for config in configs:
                table = cachemiss_tables.attribution_table(config)
                if table:
                    md += [table]
            write_atomic(self.out / run_folder.CACHEMISS_MD, "\n".join(md))
            write_atomic(self.out / "plots" / "cachemiss.svg", cachemiss_tables.plot_misses_per_element(configs))
        entries = merge_by_name(load_json_list(self.out / run_folder.PROFILE, "configurations"), self.entries)
        index = {"configurations": entries, "sources": self.sources, "messages": self.messages,
                 "options": {"frequency_hz": self.options.frequency, "call_graph": self.options.call_graph,
                             "quick": self.options.quick}}
        if self.levels_doc:
            index["level_sweep"] = {"file": run_folder.CACHE_LEVELS, "plot": f"plots/{level_tables.PLOT_FILE}",
                                    "seconds": round(self.level_seconds, 1)}
        write_atomic(self.out / run_folder.PROFILE, json.dumps(index, indent=2, sort_keys=True) + "\n")
        self.record_counters()

    def record_counters(self) -> None:
        """meta.json's `counters`: whether perf's hardware cache counters worked, and what stood in."""
        if not (self.out / run_folder.META).is_file() or not self._checked_perf_stat:
            return
        from mapbench.benchmarks.store.meta import update_meta

        update_meta(self.out, counters={
            "hardware": self.perf_stat_why is None,
            "events": list(perf_stat.EVENTS),
            "why_not": self.perf_stat_why,
            "cache_source": self.sources.get("cache"),
        })


def machine_l2_model() -> tuple[dict, cache_levels.Level | None]:
    """(valgrind model, the level its LL is): this machine's I1/D1 and its L2 as LL."""
    from mapbench.benchmarks.store.meta import read_caches

    model = cachegrind.machine_model()
    levels = cache_levels.simulated_levels(read_caches())
    if not levels:
        return model, None
    model["LL"] = levels[0].simulated
    return model, levels[0]


def run_level_sweep(state: "Pass") -> None:
    """Every level of this machine at every suite size (level_sweep.py), with its plot."""
    from mapbench.benchmarks.profiling import level_sweep
    from mapbench.benchmarks.store.meta import read_caches, read_meta

    meta = read_meta(state.out) or {}
    caches = meta.get("caches") or read_caches()
    layout = meta.get("layout") if isinstance(meta.get("layout"), dict) else None
    start = time.monotonic()
    state.say("profile: level sweep (simulated misses at each cache level of this machine)")
    doc = level_sweep.run_sweep(state.out, level_sweep.sweep_sizes(state.options.quick, (SMALL, LARGE)),
                                caches, layout=layout, valgrind=state.options.valgrind, say=state.say,
                                perf=state.options.perf)
    state.level_seconds = time.monotonic() - start
    if doc:
        state.levels_doc = doc
        measured = cache_levels.measured_table_points(run_folder.RunFolder(state.out).suite())
        write_atomic(state.out / "plots" / level_tables.PLOT_FILE, level_tables.levels_plot(doc, layout, measured))


def load_json_list(path: Path, key: str) -> list[dict]:
    try:
        return list(json.loads(path.read_text()).get(key, []))
    except (OSError, ValueError, AttributeError):
        return []


def merge_by_name(old: list[dict], new: list[dict]) -> list[dict]:
    """Earlier results stay unless this pass measured the same configuration again."""
    names = {e["name"] for e in new}
    return [e for e in old if e.get("name") not in names] + new


def run_pass(out: Path, configs: list[Config], options: Options) -> Pass:
    """Profile every configuration into `out`; progress on stderr; returns the pass record."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state = Pass(out, options)
    start = time.monotonic()
    for k, config in enumerate(configs, 1):
        label = ("callgrind-" if config.tools == ("callgrind",) else "") + config.name
        state.say(f"profile: step {k} of {len(configs)}: {label} "
                  f"({', '.join(config.tools)}) [{time.monotonic() - start:.0f} s elapsed]")
        state.entries.append(state.profile(config))
    if options.levels:
        run_level_sweep(state)
    state.write_summaries()
    state.say(f"profile: {len(configs)} configuration(s) in {time.monotonic() - start:.0f} s -> {out}")
    for kind, source in sorted(state.sources.items()):
        state.say(f"  source of {kind.replace('_', ' ')}: {source}")
    return state
