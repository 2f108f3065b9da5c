"""Passes of `mapbench bench` in one run folder, and which pass each benchmark came from.

A pass is one `mapbench bench` command. Invariants:
- bench.json holds, per benchmark, the runs of the newest pass that ran it. Every pyperf
  run carries the metadata `mapbench_pass` = its pass id, so a value's origin travels
  with the value (`python -m pyperf dump` shows it).
- A pass replaces a benchmark's runs of an older pass when its first process of that
  benchmark finishes; it never merges its runs with theirs. Benchmarks it does not run
  stay as they were. `--fresh` drops them, at the pass's first write of bench.json, so a
  pass killed before that leaves the old bench.json whole.
- meta.json `passes`: pass id -> that pass's record (what `bench` held for it: id,
  started, finished, status, mode, pyperf settings, rounds, only, planned, done, failed,
  partial), for every pass with runs in bench.json and for the running one. The record
  is written before the pass's first runs reach bench.json, so a tag always has one.
  `bench` stays the newest pass's record, as before passes existed.
- Runs stored before passes existed carry no tag: the first new pass in their folder
  tags them as pass `legacy-<started>` and files the old `bench` field as its record.
- A pass whose status is still "running" when no process holds the folder's lock
  (benchmarks/store/lock.py) died: killed, or the machine went down. Readers say so;
  the next `bench` in the folder marks it "killed", with its benchmarks that got fewer
  processes than planned listed as `partial`.
"""
from __future__ import annotations

import datetime
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.benchmarks.store import meta as metamod
from mapbench.benchmarks.store.lock import writer_of
from mapbench.benchmarks.store import run_folder

PASS_KEY = "mapbench_pass"          # pyperf metadata of every run in bench.json
LEGACY_PREFIX = "legacy-"
UNRECORDED = "unrecorded"           # a pass id whose record meta.json does not hold
LATEST = "latest"


def new_pass_id(now: datetime.datetime | None = None) -> str:
    """`<UTC start, basic ISO 8601>-<pid>`: sorts by start; unique on one machine."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{os.getpid()}"


def pass_of(bench) -> str | None:
    """The pass id of a pyperf benchmark (None for runs stored before passes)."""
    value = bench.get_metadata().get(PASS_KEY)
    return str(value) if value is not None else None


def tag(bench, pass_id: str):
    """Mark every run of a pyperf benchmark as coming from `pass_id` (in place)."""
    bench.update_metadata({PASS_KEY: pass_id})
    return bench


def _legacy_id(old_bench: dict | None) -> str:
    started = (old_bench or {}).get("started") or UNRECORDED
    return LEGACY_PREFIX + str(started).replace(":", "").replace("+0000", "Z")


def _process_counts(suite) -> dict[str, int]:
    return {b.get_name(): b.get_nrun() for b in suite.get_benchmarks()}


def _load(path: Path, log):
    """The pyperf suite in bench.json, None if there is none; an unreadable one is moved
    aside (kept, never overwritten) and None returned."""
    import pyperf
    if not path.is_file():
        return None
    try:
        return pyperf.BenchmarkSuite.load(str(path))
    except (ValueError, KeyError, TypeError) as exc:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        aside = path.with_name(f"{path.name}.unreadable-{stamp}")
        os.replace(path, aside)
        log(f"note: {path} is not a pyperf suite ({exc}); kept as {aside.name}, not merged")
        return None


@dataclass
class Previous:
    """What earlier passes left in a run folder, for the pass about to run."""
    keep: dict = field(default_factory=dict)       # name -> tagged pyperf.Benchmark
    ids_on_disk: set = field(default_factory=set)   # pass ids with runs in bench.json now


DIFF_KEY = "uncommitted_diff_sha256"     # of a pass record: store.uncommitted_diff_hash


def prepare(run_dir: Path, *, fresh: bool, log=print, diff_hash: str | None = None) -> Previous:
    """Under the folder's lock, before the pass writes meta.json: mark dead passes
    killed, file runs stored before passes as a legacy pass, and return the benchmarks
    the new pass keeps (none with `fresh`)."""
    meta = metamod.read_meta(run_dir) or {}
    records = dict(meta.get("passes") or {})
    suite = _load(run_dir / run_folder.BENCH, log)
    counts = _process_counts(suite) if suite is not None else {}
    keep, ids = {}, set()
    for bench in (suite.get_benchmarks() if suite is not None else []):
        pass_id = pass_of(bench)
        if pass_id is None:
            pass_id = _legacy_id(meta.get("bench"))
            tag(bench, pass_id)
            if pass_id not in records and isinstance(meta.get("bench"), dict):
                records[pass_id] = {**meta["bench"], "id": pass_id}
        ids.add(pass_id)
        keep[bench.get_name()] = bench
    changed = False
    for pass_id, record in records.items():
        if isinstance(record, dict) and record.get("status") == "running":
            rounds = record.get("rounds") or 0
            mine = sorted(n for n, b in keep.items() if pass_of(b) == pass_id)
            record.update(status="killed", partial=[n for n in mine if counts.get(n, 0) < rounds])
            log(f"note: pass {pass_id} (started {record.get('started', '?')}) in {run_dir} did not "
                f"finish: its process died. Its {len(mine)} benchmarks in bench.json are kept, "
                f"{len(record['partial'])} of them with fewer than {rounds} processes (partial)",
                flush=True)
            changed = True
    if changed or records != (meta.get("passes") or {}):
        metamod.update_meta(run_dir, passes={k: v for k, v in records.items() if k in ids})
    other_code = sorted({n for n, b in keep.items()
                         if (records.get(pass_of(b)) or {}).get(DIFF_KEY, diff_hash) != diff_hash})
    if other_code and not fresh:
        log(f"note: {len(other_code)} benchmarks kept in {run_dir / run_folder.BENCH} were measured "
            f"on other uncommitted changes than this pass's (git diff HEAD differs); "
            f"--fresh drops them", flush=True)
    if keep and not fresh:
        log(f"{run_dir / run_folder.BENCH} holds {len(keep)} benchmarks of {len(ids)} earlier "
            f"pass{'es' if len(ids) != 1 else ''}: this pass replaces those it runs and keeps "
            f"the others (--fresh to start over)", flush=True)
    if fresh and keep:
        log(f"--fresh: the {len(keep)} benchmarks of earlier passes in {run_dir / run_folder.BENCH} "
            f"are dropped when this pass writes its first result", flush=True)
    return Previous({} if fresh else keep, ids)


def record(run_dir: Path, pass_id: str, bench_meta: dict, ids_on_disk: set) -> None:
    """meta.json := `bench` and `passes[pass_id]` set to this pass's record; records of
    passes with no runs left in bench.json dropped."""
    meta = metamod.read_meta(run_dir) or {}
    records = {k: v for k, v in (meta.get("passes") or {}).items() if k in ids_on_disk}
    records[pass_id] = dict(bench_meta, id=pass_id)
    metamod.update_meta(run_dir, bench=bench_meta, passes=records)


# --- for readers: summary, report, compare ---------------------------------------------

@dataclass
class PassGroup:
    pass_id: str
    record: dict | None             # meta.json passes[pass_id], None if not recorded
    names: list[str]
    dead: bool = False              # "running" but nobody holds the lock

    @property
    def status(self) -> str:
        if self.record is None:
            return "record not in meta.json"
        status = str(self.record.get("status", "?"))
        return "died while running (no process holds the lock; killed?)" if self.dead else status

    def describe(self) -> str:
        r = self.record or {}
        rounds = r.get("rounds") or (r.get("pyperf") or {}).get("processes")
        bits = [f"{len(self.names)} benchmark{'s' if len(self.names) != 1 else ''}",
                f"mode {r.get('mode', '?')}" + (f", {rounds} rounds" if rounds else ""),
                f"started {r.get('started', '?')}", self.status]
        if r.get("only"):
            bits.insert(2, f"--only {r['only']!r}")
        partial = [n for n in (r.get("partial") or []) if n in self.names]
        if partial:
            bits.append(f"{len(partial)} partial (fewer processes than planned)")
        return f"pass {self.pass_id}: " + ", ".join(bits)


def groups(run_dir: Path, suite, meta: dict | None = None) -> list[PassGroup]:
    """The passes whose runs a run folder's bench.json holds, oldest first."""
    meta = meta if meta is not None else (metamod.read_meta(run_dir) or {})
    records = meta.get("passes") or {}
    by_id: dict[str, list[str]] = {}
    for bench in suite.get_benchmarks():
        pass_id = pass_of(bench) or _legacy_id(meta.get("bench"))
        by_id.setdefault(pass_id, []).append(bench.get_name())
    writing = None
    out = []
    for pass_id, names in by_id.items():
        rec = records.get(pass_id)
        if rec is None and pass_id.startswith(LEGACY_PREFIX) and isinstance(meta.get("bench"), dict):
            rec = meta["bench"]                 # a folder no pass-aware bench has touched
        dead = False
        if isinstance(rec, dict) and rec.get("status") == "running":
            if writing is None:
                writing = writer_of(run_dir) or ""
            dead = not writing
        out.append(PassGroup(pass_id, rec if isinstance(rec, dict) else None, sorted(names), dead))
    return sorted(out, key=lambda g: (str((g.record or {}).get("started", "")), g.pass_id))


def lines(run_label: str, found: list[PassGroup]) -> list[str]:
    """One line per pass when a run mixes passes or has an unfinished one; else none."""
    troubled = [g for g in found if g.dead or (g.record or {}).get("status") in ("killed", "interrupted")]
    if len(found) <= 1 and not troubled:
        return []
    head = (f"{run_label} mixes {len(found)} passes of `mapbench bench`" if len(found) > 1
            else f"{run_label}: its pass did not finish")
    out = [head] + [f"  {g.describe()}" for g in found]
    diffs = {g.record[DIFF_KEY] for g in found if DIFF_KEY in (g.record or {})}
    if len(diffs) > 1:
        out.append("  the passes measured different uncommitted changes (meta.json passes "
                   f"{DIFF_KEY}: {', '.join(sorted(str(d) for d in diffs))})")
    return out


def origin_by_name(found: list[PassGroup]) -> dict[str, PassGroup]:
    return {name: g for g in found for name in g.names}


def select(suite, found: list[PassGroup], spec: str, label: str):
    """The suite restricted to one pass: `latest` (newest started) or a pass id (or a
    unique prefix of one). InputError naming the passes there when none matches."""
    import pyperf
    if not found:
        raise InputError(f"{label} has no benchmarks")
    if spec == LATEST:
        chosen = found[-1]
    else:
        matches = [g for g in found if g.pass_id == spec] or \
                  [g for g in found if g.pass_id.startswith(spec)]
        if len(matches) != 1:
            raise InputError(f"{label} has {'no' if not matches else 'more than one'} pass "
                             f"{spec!r}; its passes: {', '.join(g.pass_id for g in found)}")
        chosen = matches[0]
    keep = set(chosen.names)
    return pyperf.BenchmarkSuite([b for b in suite.get_benchmarks() if b.get_name() in keep]), chosen


def dump_suite(benchmarks) -> str:
    """bench.json text for pyperf benchmarks (compact, as `mapbench bench` writes it)."""
    import pyperf
    buf = io.StringIO()
    pyperf.BenchmarkSuite(list(benchmarks)).dump(buf, compact=True)
    return buf.getvalue()
