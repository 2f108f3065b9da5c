"""Export records of several commits -> the files of an asv results tree (asv 0.6, `asv publish`).

    asv.conf.json                               version 1: project, repo, branches, dirs
    results/benchmarks.json                     version 2: {name: {type, unit, version, ...}}
    results/<machine>/machine.json              version 1: the machine's description
    results/<machine>/<commit8>-<env>.json      version 2: one per commit and environment

Benchmarks, every one per element, named `<measure>.<suite name>` (asv's tree groups on
the part before the first dot):
  - `time.<name>`, type `time`, unit seconds: the median of the pyperf values (one element),
    the values kept as asv `samples`;
  - `instructions.<name>`, `d1_misses.<name>`, `ll_misses.<name>`, `est_cycles.<name>`,
    type `track` (asv's type for a number that is not a time): the exact callgrind counts.
A results row follows asv's `result_columns`: [result], params (none), version,
started_at (ms), duration (s), then stats (none) and samples.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from mapbench.analysis.exports.export_records import ExportBenchmark

TRACKS = {"instructions/op": "instructions", "D1-misses/op": "d1_misses",
          "LL-misses/op": "ll_misses", "est-cycles/op": "est_cycles"}
TRACK_UNITS = {"instructions/op": "instructions/element (callgrind)",
               "D1-misses/op": "D1 misses/element (callgrind simulation)",
               "LL-misses/op": "LL misses/element (callgrind simulation)",
               "est-cycles/op": "estimated cycles/element (callgrind model)"}
RESULT_COLUMNS = ["result", "params", "version", "started_at", "duration", "stats_ci_99_a",
                  "stats_ci_99_b", "stats_q_25", "stats_q_75", "stats_number", "stats_repeat",
                  "samples", "profile"]
MACHINE_FILE = "machine.json"
BENCHMARKS_FILE = "benchmarks.json"
VERSION = "mapbench-1"          # a benchmark's version: asv drops results whose version differs


@dataclass
class Commit:
    commit: str                  # full hash
    date_ms: int                 # when it was measured (ms since the epoch)
    python: str                  # "3.11"
    benchmarks: list[ExportBenchmark]


def env_name(python: str) -> str:
    return f"mapbench-py{python}"


def results_filename(machine: str, commit: str, python: str) -> str:
    return f"{machine}/{commit[:8]}-{env_name(python)}.json"


def asv_values(bench: ExportBenchmark) -> dict[str, tuple[float, list[float] | None, str, str]]:
    """{asv name: (value, samples or None, type, unit)} of one record."""
    out = {}
    times = [s for s, _ in bench.times]
    if times:
        out[f"time.{bench.name}"] = (statistics.median(times), times, "time", "seconds")
    for unit, prefix in TRACKS.items():
        if unit in bench.counts:
            out[f"{prefix}.{bench.name}"] = (bench.counts[unit], None, "track", TRACK_UNITS[unit])
    return out


def conf(project: str, repo: str, branches: list[str]) -> dict:
    return {"version": 1, "project": project, "project_url": "#", "repo": repo,
            "branches": branches, "environment_type": "existing", "results_dir": "results",
            "html_dir": "html", "show_commit_url": "#"}


def machine_json(machine: str, meta: dict, os_name: str, arch: str) -> dict:
    cpu = meta.get("cpu") or {}
    return {"version": 1, "machine": machine, "cpu": str(cpu.get("model") or ""),
            "num_cpu": str(cpu.get("logical_cpus") or ""), "arch": arch, "os": os_name,
            "ram": ""}


def benchmarks_json(commits: list[Commit]) -> dict:
    doc: dict = {}
    for c in commits:
        for b in c.benchmarks:
            for name, (_, _, kind, unit) in asv_values(b).items():
                doc[name] = {"name": name, "type": kind, "unit": unit, "version": VERSION,
                             "param_names": [], "params": [], "timeout": 60,
                             "code": f"mapbench benchmark {b.name} ({kind}, per element)"}
    doc["version"] = 2
    return doc


def results_json(c: Commit, machine: str, machine_params: dict) -> dict:
    results = {}
    for b in c.benchmarks:
        for name, (value, samples, _, _) in asv_values(b).items():
            row = [[value], [], VERSION, c.date_ms, 0.0] + [None] * 6 + [[samples] if samples else None]
            while row and row[-1] is None:
                row.pop()
            results[name] = row
    return {"version": 2, "commit_hash": c.commit, "env_name": env_name(c.python),
            "date": c.date_ms, "params": {**machine_params, "machine": machine, "python": c.python},
            "python": c.python, "requirements": {}, "env_vars": {},
            "result_columns": RESULT_COLUMNS, "results": results, "durations": {}}
