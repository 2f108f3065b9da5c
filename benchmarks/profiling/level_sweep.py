"""The level sweep: simulated misses per element at every cache level of this machine, per size.

valgrind simulates D1 and one "LL". For each level above L1 (benchmarks/store/meta.py
read_caches; analysis/counters/cache_levels.py), the sweep runs full iteration (stack
iterator, no prefetch) of both maps at every size of the timed suite (matrix.QUICK_SIZES or
FULL_SIZES) plus the profile pass's sizes, under

    setarch -R valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no --cache-sim=yes
        --I1=<machine L1i> --D1=<machine L1d> --LL=<machine L2, then L3> ...
        python -m mapbench.benchmarks.profiling.level_worker NAME [NAME ...]

one process per (level, map) over every size (level_worker.py; the count pass's process and
count_one: benchmarks/counts/count_pass.py run_group), so only the
kernel's timed region is simulated, after one warm-up loop; building the map is not, which
keeps a 2^22 map affordable. D1 misses are the same in every pass (same D1); the LL misses of
the pass with LL = level X are "X misses". Prefetch and heap/stack variants are left out:
the simulation treats software prefetch as a no-op and the table walked is the same.

Beside the simulation, where this machine has hardware counters, the same kernel runs under
`perf stat` with each level's cache-miss event as this machine's `perf list` offers it
(collectors/perf_levels.py): `hardware_per_element` per row, and `hardware` in the document
says which events, or in one line why there are none (`<not supported>` in a VM).

Writes LEVELS_FILE into the run folder: {"levels": [Level.to_json()], "rows": [{"map", "n",
"benchmark", "elements", "per_element": {"L1d": x, "L2": y, "L3": z}, "instructions_per_element",
"table_lines_per_element" (predicted from the layout), "hardware_per_element": {level: x} (only
where counters count)}], "hardware": perf_levels.LevelEvents.to_json(), "source", "seconds"}.
Nothing is written when valgrind is missing or every process failed (one line says why).
"""
from __future__ import annotations

import concurrent.futures
import json
import tempfile
import time
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.counters import cache_levels
from mapbench.benchmarks.catalog import matrix
from mapbench.benchmarks.store import run_folder

LEVELS_FILE = run_folder.CACHE_LEVELS
WORKER = "mapbench.benchmarks.profiling.level_worker"
SOURCE = ("callgrind simulation of the kernel's timed region only (count worker, one warm-up "
          "loop), LL set to each level of this machine in turn")


def sweep_sizes(quick: bool, extra: tuple[int, ...] = ()) -> list[int]:
    """The timed suite's sizes and the profile pass's (`extra`), sorted."""
    return sorted(set(matrix.QUICK_SIZES if quick else matrix.FULL_SIZES) | set(extra))


def benchmark_name(kind: str, n: int) -> str:
    return f"iterate/{'map=swiss/' if kind == 'swiss' else ''}storage=stack/prefetch=0/n={n}"


def run_sweep(out: Path, sizes: list[int], caches: list[dict], *, layout: dict | None = None,
              valgrind: str = "valgrind", jobs: int = 2, say=print, perf: str | None = "perf") -> dict | None:
    """Simulate every (level, map, size); count them with perf where the machine can (not
    with `perf=None`); write LEVELS_FILE; the document, or None."""
    from mapbench.benchmarks.counts import count_pass
    from mapbench.benchmarks.profiling.collectors import find_tool
    from mapbench.benchmarks.profiling.collectors.cachegrind import available

    levels = cache_levels.simulated_levels(caches)
    d1 = cache_levels.l1d(caches)
    if not levels or d1 is None:
        say("  level sweep: this machine's cache sizes are unreadable (sysfs): no level sweep")
        return None
    why = available(valgrind)
    if why:
        say(f"  level sweep: {why}; no simulated misses per level")
        return None
    prefix, aslr = count_pass.aslr_prefix()
    env = count_pass.child_env()
    d1_sim, d1_note = cache_levels.nearest_valgrind_geometry(d1)
    started = time.monotonic()
    tasks = [(level, kind) for kind in ("classic", "swiss") for level in levels]
    say(f"  level sweep: {len(tasks)} callgrind processes ({len(levels)} level(s) x 2 maps, "
        f"{len(sizes)} sizes each, {jobs} at a time); {aslr}")
    results: dict[tuple[str, str, int], dict] = {}
    failures = []
    with tempfile.TemporaryDirectory(prefix="mapbench-levels-") as tmp:
        def one(task):
            level, kind = task
            names = [benchmark_name(kind, n) for n in sorted(sizes)]
            model = {"I1": d1_sim, "D1": d1_sim, "LL": level.simulated}
            got, bad = count_pass.run_group(names, Path(tmp) / f"{level.name}-{kind}",
                                            valgrind=find_tool(valgrind), prefix=prefix, env=env,
                                            model=model, worker=WORKER)
            return task, got, bad

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for (level, kind), got, bad in pool.map(one, tasks):
                for n in sizes:
                    name = benchmark_name(kind, n)
                    if name in got:
                        results[(level.name, kind, n)] = got[name]
                    else:
                        failures.append(f"{level.name} {name}: {bad.get(name, 'no output')}")
    if not results:
        say(f"  level sweep: every process failed ({failures[0] if failures else 'no output'})")
        return None
    rows = []
    for kind in ("classic", "swiss"):
        for n in sorted(sizes):
            entries = {lv.name: results.get((lv.name, kind, n)) for lv in levels}
            first = next((e for e in entries.values() if e), None)
            if first is None:
                continue
            per = {"L1d": first["per_element"].get("D1mr")}
            for name, entry in entries.items():
                per[name] = entry["per_element"].get("DLmr") if entry else None
            rows.append({"map": kind, "n": n, "benchmark": benchmark_name(kind, n),
                         "elements": first["elements"], "per_element": per,
                         "instructions_per_element": first["per_element"].get("Ir"),
                         "table_lines_per_element": cache_levels.lines_per_element(
                             kind, n, d1.line, layout)})
    hardware = hardware_counts(rows, ["L1d"] + [lv.name for lv in levels], perf, say) if perf else None
    seconds = round(time.monotonic() - started, 1)
    doc = {"levels": [{"name": "L1d", "label": cache_levels.level_label("L1d", False), "last": False,
                       "size_bytes": d1.size, "ways": d1.assoc, "line_bytes": d1.line,
                       "machine": d1.describe(), "simulated": d1_sim.describe(),
                       "simulated_bytes": d1_sim.size, "rounding": d1_note}]
                     + [lv.to_json() for lv in levels],
           "rows": rows, "source": SOURCE, "metric": "read misses (Dr misses: D1mr, DLmr) per element",
           "table_lines_source": "predicted from the layout (analysis/counters/cache_levels.py)",
           "failed": failures, "seconds": seconds, "aslr": aslr}
    if hardware is not None:
        doc["hardware"] = hardware
    write_atomic(Path(out) / LEVELS_FILE, json.dumps(doc, indent=2, sort_keys=True) + "\n")
    say(f"  level sweep: {len(rows)} rows in {seconds:.0f} s -> {LEVELS_FILE}"
        + (f"; {len(failures)} failed: {failures[0]}" if failures else ""))
    return doc


def hardware_counts(rows: list[dict], levels: list[str], perf: str, say=print) -> dict:
    """Add `hardware_per_element` to each row where perf counts this machine's cache events;
    the document's `hardware` record (events, or why none)."""
    from mapbench.benchmarks.profiling.collectors import perf_levels

    found = perf_levels.events_for(levels, perf)
    record = found.to_json()
    if found.why:
        say(f"  level sweep: {found.why}; simulated misses only")
        return record
    say("  level sweep: perf hardware counters " + ", ".join(f"{lv} {ev}" for lv, ev in found.events.items()))
    notes = []
    for row in rows:
        values, note = perf_levels.measure(found.events, row["map"], row["n"], perf)
        if values:
            row["hardware_per_element"] = values
        if note:
            notes.append(note)
    record["notes"] = notes
    return record


def load(run_dir: Path) -> dict | None:
    try:
        doc = json.loads((Path(run_dir) / LEVELS_FILE).read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("rows"), list) else None
