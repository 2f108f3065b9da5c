"""The count pass: instruction and simulated-cache counts per benchmark, into counts.json.

For every C-kernel benchmark of a selection, the same workload as the timed suite (same n,
map, seeds; fewer loops: counts are per element) runs once under

    setarch -R valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no
        --cache-sim=yes --branch-sim=yes --I1=... --D1=... --LL=...
        python -m mapbench.benchmarks.counts.count_worker NAME ...

per map size one valgrind process for the benchmarks that read one built map (built once,
uninstrumented; each benchmark runs in a child forked from there: benchmarks/counts/count_worker.py)
and one for those that build their own, up to one process per CPU at a time. Collection is on only inside the kernels' timed regions (client
requests, native/src/common/count_region.h), so set-up, Python and the clock reads are
not counted. Deterministic by construction: ASLR off (setarch -R), a fixed minimal
environment and working folder for the child (FIXED_ENV), fixed seeds, a fixed simulated
cache geometry (CACHE_MODEL, not this machine's, so counts compare across the changing
CPUs of a cloud VM); glibc's malloc thresholds pinned (GLIBC_TUNABLES) so no dynamic
threshold decides between heap and mmap. Two runs of one commit give equal counts.

Then the hardware path (perf stat -e instructions:u,cycles:u, benchmarks/counts/hardware.py) where
the CPU exposes those counters; where it does not, one line says so.

A missing valgrind, a crash under valgrind, or a benchmark without counts is one line, and
the run goes on: counts.json records what is missing and why.
"""
from __future__ import annotations

import concurrent.futures
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.counters import counts as countmetrics
from mapbench.analysis.counters.cachegrind_out import CacheGeometry
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.counts import count_worker, fingerprint
from mapbench.benchmarks.catalog import families, matrix
from mapbench.benchmarks.profiling.collectors import find_tool, last_line, workload_report
from mapbench.benchmarks.profiling.collectors.cachegrind import available as valgrind_available
from mapbench.benchmarks.profiling.collectors.cachegrind import model_options
from mapbench.benchmarks.store import run_folder

COUNTS_FILE = run_folder.COUNTS
SCHEMA = 1
# A fixed geometry, so counts are comparable whichever CPU the VM got: a common x86 core's
# L1s and a 2 MiB per-core L2 as the simulated last level (valgrind simulates two levels).
CACHE_MODEL = {"I1": CacheGeometry(32 * 1024, 64, 8), "D1": CacheGeometry(32 * 1024, 64, 8),
               "LL": CacheGeometry(2 * 1024 * 1024, 64, 16)}
# The child's whole environment. PATH only for tools the interpreter may look for; no
# user variables (their size moves the stack, and with it the simulated cache sets).
FIXED_ENV = {
    "PATH": "/usr/bin:/bin",
    "LC_ALL": "C",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072",
}
FIXED_CWD = "/"
WORK_ENV = "MAPBENCH_INJECT_WORK_PCT"       # passed on: the counted calibration knob
VALGRIND_TIMEOUT_S = 1500


def valgrind_options(model: dict[str, CacheGeometry] = CACHE_MODEL) -> list[str]:
    options, _ = model_options(model)
    return ["--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
            "--cache-sim=yes", "--branch-sim=yes", *options]


def child_env(inject_work_pct: str | None = None) -> dict[str, str]:
    env = dict(FIXED_ENV)
    if os.environ.get("PYTHONPATH"):        # where the package comes from, if not installed
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    if inject_work_pct:
        env[WORK_ENV] = inject_work_pct
    return env


def aslr_prefix(setarch: str = "setarch") -> tuple[list[str], str]:
    """(command prefix, what it does) for running without address randomisation."""
    path = find_tool(setarch)
    if path is None:
        return [], "ASLR left on: setarch not found (util-linux)"
    try:
        done = subprocess.run([path, "-R", "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], f"ASLR left on: setarch -R does not run ({exc})"
    if done.returncode != 0:
        return [], f"ASLR left on: setarch -R failed ({last_line(done.stderr)})"
    return [path, "-R"], "ASLR off (setarch -R)"


def plan(benchmarks: list[matrix.Benchmark]) -> tuple[dict[tuple, list[str]], dict[str, str]]:
    """({(n, shared map?, map kind): benchmark names}, {name: why no counts}) in the
    matrix's order. One valgrind process per key: the benchmarks that read one built map
    (of one kind: classic or Swiss) share it; those that build their own maps run in a
    process of their own, so the halves of a large size run on both CPUs."""
    groups: dict[tuple, list[str]] = {}
    skipped = {}
    for b in benchmarks:
        if count_worker.is_counted(b):
            key = (b.n, count_worker.shares_map(b), families.map_kind(b))
            groups.setdefault(key, []).append(b.name)
        else:
            skipped[b.name] = ("a Python-layer benchmark: its count is CPython's interpreter, "
                               "not the map, and costs minutes under callgrind")
    return groups, skipped


def run_group(names: list[str], out_dir: Path, *, valgrind: str, prefix: list[str],
              env: dict, timeout: float = VALGRIND_TIMEOUT_S,
              model: dict[str, CacheGeometry] = CACHE_MODEL,
              worker: str = "mapbench.benchmarks.counts.count_worker",
              texts: dict | None = None) -> tuple[dict, dict]:
    """One valgrind process for the benchmarks of one map size: ({name: entry}, {name: why}).
    `model`: the simulated caches (the profile pass's level sweep gives the machine's).
    With `texts`, each counted benchmark's dump text and elements go into it (per-line data,
    benchmarks/counts/line_data.py)."""
    n = matrix.parse_name(names[0]).n
    out_dir.mkdir(parents=True, exist_ok=True)
    pattern = out_dir / f"callgrind.n{n}.%p.out"         # one folder per process
    cmd = [*prefix, valgrind, *valgrind_options(model), f"--callgrind-out-file={pattern}",
           sys.executable, "-m", worker, *names]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, cwd=FIXED_CWD)
    except subprocess.TimeoutExpired:
        return {}, {name: f"valgrind timed out after {timeout:.0f} s" for name in names}
    except OSError as exc:
        return {}, {name: f"valgrind did not start ({exc})" for name in names}
    reports = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        report = workload_report(line)
        if report and report.get("name") in names:
            reports[report["name"]] = report
    dumps = {}
    for path in sorted(out_dir.glob(f"callgrind.n{n}.*.out*")):
        try:
            dump = countmetrics.parse_dump(path.read_text(errors="replace"))
        except InputError:
            continue
        label = countmetrics.client_request_name(dump["trigger"])
        if label in names:
            dumps[label] = dump
            dump["path"] = path
    entries, failed = {}, {}
    error = _worker_error(done.stderr) if done.returncode != 0 else ""
    for name in names:
        if name in reports and name in dumps:
            r = reports[name]
            entries[name] = countmetrics.benchmark_entry(dumps[name]["events"], r["loops"],
                                                         r["elements"])
            if texts is not None:
                texts[name] = (dumps[name]["path"].read_text(errors="replace"), r["elements"])
        else:
            failed[name] = ("crashed or failed under valgrind"
                            + (f" (exit {done.returncode}: {error})" if error else ""))
    return entries, failed


def count_pass(benchmarks: list[matrix.Benchmark], run_dir: Path, *, log=print,
               valgrind: str = "valgrind", setarch: str = "setarch", jobs: int | None = None,
               perf: str = "perf", inject_work_pct: int | None = None,
               hardware: bool = True, keep_earlier: bool = False,
               lines: bool = True) -> dict | None:
    """Run the count pass for `benchmarks`, write <run_dir>/counts.json; the document, or
    None when nothing could be counted (then no file is written). The injected work is
    `inject_work_pct`, else MAPBENCH_INJECT_WORK_PCT of this process; `hardware=False`
    skips the perf stat path; `lines=False` keeps no per-line data (lines.json.gz,
    callgrind/: benchmarks/counts/line_data.py). With `keep_earlier`, the benchmarks of an earlier counts.json
    in run_dir that this pass did not count are kept (same simulated caches and injected
    work only), listed under `kept_from_earlier`."""
    from mapbench.benchmarks.counts import hardware as hwcounts

    started = time.monotonic()
    cpu_before = _children_cpu_seconds()
    groups, skipped = plan(benchmarks)
    if not groups:
        log("[counts] no C-kernel benchmark in this selection: no count pass")
        return None
    why = valgrind_available(valgrind)
    if why:
        log(f"[counts] {why}: no instruction or simulated-cache counts (timings only)")
        return None
    prefix, aslr = aslr_prefix(setarch)
    work = (str(inject_work_pct) if inject_work_pct is not None
            else os.environ.get(WORK_ENV, "").strip()) or None
    if work == "0":
        work = None
    env = child_env(work)
    total = sum(len(v) for v in groups.values())
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(groups)))
    log(f"[counts] callgrind count pass: {total} benchmarks in {len(groups)} valgrind processes "
        f"(per map size, one for the benchmarks sharing a built map and one for those building "
        f"their own; {jobs} at a time); {aslr}", flush=True)
    entries, failed, texts = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="mapbench-counts-") as tmp:
        # Largest maps first: they take longest, so the pool finishes sooner.
        order = sorted(groups, reverse=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(run_group, groups[key],
                                   Path(tmp) / f"n{key[0]}-{int(key[1])}-{key[2]}",
                                   valgrind=find_tool(valgrind), prefix=prefix, env=env,
                                   texts=texts if lines else None): key
                       for key in order}
            for future in concurrent.futures.as_completed(futures):
                n, shared, kind = futures[future]
                got, bad = future.result()
                entries.update(got)
                failed.update(bad)
                log(f"[counts] n={n} {kind} ({'shared map' if shared else 'own maps'}): "
                    f"{len(got)} counted"
                    + (f", {len(bad)} failed: {next(iter(bad.values()))}" if bad else "")
                    + f" ({time.monotonic() - started:.0f} s)", flush=True)
    if not entries:
        log("[counts] every benchmark failed under valgrind: no counts.json")
        return None
    order = [b.name for b in benchmarks]
    doc = {
        "schema": SCHEMA,
        "source": (f"{countmetrics.SOURCE}: valgrind {_valgrind_version(valgrind)} "
                   "--tool=callgrind --cache-sim=yes --branch-sim=yes, collected only inside "
                   "the kernels' timed regions (client requests)"),
        "cache_model": {k: g.describe() for k, g in CACHE_MODEL.items()},
        "fingerprint": fingerprint.fingerprint(_valgrind_version(valgrind),
                                               {k: g.describe() for k, g in CACHE_MODEL.items()}),
        "valgrind_options": valgrind_options(),
        "determinism": {"aslr": aslr, "env": env, "cwd": FIXED_CWD,
                        "map_seed": _suite_seeds()[0], "key_seed": _suite_seeds()[1],
                        "fastrand_seed": count_worker.FASTRAND_SEED,
                        "isolation": "one forked child per benchmark from the process that "
                                     "built its map"},
        "loops_rule": (f"count loops = {count_worker.COUNT_WORK} elements / elements per loop, "
                       "a power of two, at least 1 (benchmarks/counts/count_worker.py); n as timed"),
        "inject_work_pct": int(work) if work and work.isdigit() else 0,
        "estimated_cycles": {"formula": countmetrics.CYCLES_FORMULA,
                             "source": countmetrics.CYCLES_SOURCE},
        "events": countmetrics.EVENT_MEANING,
        "benchmarks": {name: entries[name] for name in order if name in entries},
        "skipped": skipped,
        "failed": failed,
    }
    if keep_earlier:
        _keep_earlier(doc, run_dir, log)
    if lines:
        from mapbench.benchmarks.counts import line_data
        kept = line_data.write_lines(run_dir, texts, valgrind_version=_valgrind_version(valgrind),
                                     order=order, keep_earlier=keep_earlier, log=log)
        if kept:
            log(f"[counts] per-line costs of {len(kept['benchmarks'])} benchmarks -> "
                f"{run_dir / line_data.LINES_FILE}", flush=True)
    if hardware:
        doc["hardware"] = hwcounts.hardware_pass([b for b in benchmarks if b.name in entries],
                                                 log=log, perf=perf)
    doc["seconds"] = round(time.monotonic() - started, 1)
    doc["cpu_seconds"] = round(_children_cpu_seconds() - cpu_before, 1)
    doc["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    write_atomic(run_dir / COUNTS_FILE, json.dumps(doc, indent=2) + "\n")
    log(f"[counts] {len(entries)} benchmarks counted in {doc['seconds']:.0f} s "
        f"({doc['cpu_seconds']:.0f} CPU-seconds of valgrind and workers) -> "
        f"{run_dir / COUNTS_FILE}", flush=True)
    return doc


def _worker_error(stderr: bytes) -> str:
    """The count worker's own error line (a benchmark's exception), else the last line."""
    text = stderr.decode("utf-8", "replace")
    own = [ln.strip() for ln in text.splitlines() if ln.startswith("count_worker:")]
    return own[0][:200] if own else last_line(stderr)


def _keep_earlier(doc: dict, run_dir: Path, log) -> None:
    """Carry over an earlier counts.json's benchmarks that this pass did not count."""
    try:
        earlier = load_counts(run_dir)
    except InputError as exc:
        log(f"[counts] the earlier {COUNTS_FILE} is not kept: {exc}")
        return
    if not earlier:
        return
    if (earlier.get("cache_model") != doc["cache_model"]
            or earlier.get("inject_work_pct", 0) != doc["inject_work_pct"]):
        log(f"[counts] the earlier {COUNTS_FILE} simulated other caches or injected other work: "
            f"its benchmarks are not kept")
        return
    kept = {name: entry for name, entry in earlier["benchmarks"].items()
            if name not in doc["benchmarks"] and name not in doc["failed"]}
    if kept:
        doc["benchmarks"].update(kept)
        doc["kept_from_earlier"] = sorted(kept)
        log(f"[counts] kept {len(kept)} benchmarks counted by an earlier pass "
            f"(`--fresh` drops them)")


def _children_cpu_seconds() -> float:
    """User + system CPU time of this process's waited-for children (the valgrinds)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _suite_seeds() -> tuple[int, int]:
    from mapbench.benchmarks.catalog.families import KEY_SEED, MAP_SEED
    return MAP_SEED, KEY_SEED


def _valgrind_version(valgrind: str) -> str:
    try:
        done = subprocess.run([find_tool(valgrind) or valgrind, "--version"], capture_output=True,
                              timeout=30, text=True)
        return done.stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def load_counts(run: Path) -> dict | None:
    """A run's counts.json, or None when it has none; InputError when it is unreadable."""
    path = Path(run) / COUNTS_FILE
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text())
    except ValueError as exc:
        raise InputError(f"{path} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), dict):
        raise InputError(f"{path} is not a mapbench counts.json (no 'benchmarks')")
    return doc

