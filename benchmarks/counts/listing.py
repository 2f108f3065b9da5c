"""`mapbench list`'s work: pick the run(s), the benchmark and the functions; fill in sources.

    mapbench list REGEX [RUN]            per-line costs of each function matching REGEX
    mapbench list --diff BASE HEAD REGEX the lines that account for a change between runs

Reads lines.json.gz (benchmarks/counts/line_data.py). The default benchmark is the full
iteration (iterate/[map=swiss/]storage=stack/prefetch=0) at the largest counted size whose
rows have a function matching REGEX; when several tie, the one whose matching functions
carry the most instructions. A source file the run did not store is read from the
installed checkout (and the listing says so); when that is missing too, the lines print as
file:line with a note. Bad input is an InputError: one line, exit 2.
"""
from __future__ import annotations

import re
from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.analysis.render import line_listing
from mapbench.analysis.stats import line_delta
from mapbench.benchmarks.counts import line_data
from mapbench.benchmarks.store import run_folder

FULL_ITERATION = re.compile(r"^iterate/(map=swiss/)?storage=stack/prefetch=0/n=(\d+)$")
METRICS = ("Ir", "D1", "LL", "Bcm")


def pick_run(spec: str | None, root: Path, machine: str | None) -> Path:
    """RUN as `mapbench compare` resolves it: a run folder, or a commit-ish's run in the
    store (of this machine unless `machine` says), or the newest run when left out."""
    from mapbench.benchmarks.store import machine as machines, runs as store
    if spec is None:
        return store.newest_run_or_any(root, machine or machines.this_machine_id())[0]
    return store.find_run(spec, root, machine or (None if Path(spec).is_dir()
                                                  else machines.this_machine_id()))


def compile_regex(pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InputError(f"REGEX {pattern!r} is not a regular expression ({exc})") from None


def _n(name: str) -> int:
    m = re.search(r"/n=(\d+)$", name)
    return int(m[1]) if m else 0


def matching_rows(entry: dict, regex: re.Pattern) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in entry.get("lines") or []:
        if regex.search(row["fn"]):
            out.setdefault(row["fn"], []).append(row)
    return out


def pick_bench(doc: dict, regex: re.Pattern, wanted: str | None) -> str:
    benches = doc["benchmarks"]
    if wanted is not None:
        if wanted not in benches:
            raise InputError(f"benchmark {wanted!r} has no per-line data in this run "
                             f"({len(benches)} have: e.g. {next(iter(sorted(benches)), '-')})")
        return wanted
    hits = {name: matching_rows(entry, regex) for name, entry in benches.items()}
    hits = {name: rows for name, rows in hits.items() if rows}
    if not hits:
        raise InputError(f"no function matches {regex.pattern!r} in any benchmark of this run")

    def score(name):
        ir = sum(line_delta.metric_value(r, "Ir") for rows in hits[name].values() for r in rows)
        return (bool(FULL_ITERATION.match(name)), _n(name), ir)
    return max(hits, key=score)


def with_checkout_sources(doc: dict, files) -> tuple[dict, set[str]]:
    """The run's sources, plus the checkout's text of the files it did not store."""
    sources = dict(doc.get("sources") or {})
    filled = set()
    for file in files:
        if file not in sources and (path := line_data.checkout_source(file)) is not None:
            sources[file] = path.read_text(errors="replace")
            filled.add(file)
    return sources, filled


def list_text(run: Path, pattern: str, *, bench: str | None = None, metric: str | None = None,
              top: int | None = None) -> str:
    regex = compile_regex(pattern)
    doc = line_data.require_lines(run)
    name = pick_bench(doc, regex, bench)
    functions = matching_rows(doc["benchmarks"][name], regex)
    if not functions:
        raise InputError(f"no function matches {pattern!r} in benchmark {name}")
    if not any(r["line"] for rows in functions.values() for r in rows):
        raise InputError(f"{name} has no source-line information for {pattern!r}: the native "
                         f"module was built without -g (native/build_map.py CFLAGS); rebuild "
                         f"it and rerun the count pass")
    files = {r["file"] for rows in functions.values() for r in rows}
    sources, filled = with_checkout_sources(doc, files)
    order = sorted(functions, key=lambda fn: -sum(line_delta.metric_value(r, "Ir")
                                                  for r in functions[fn]))
    how = "picked: full iteration at the largest counted size" if bench is None else "--bench"
    return (f"run {run.name}, benchmark {name} ({how})\n"
            + line_listing.listing(name, doc.get("source", "callgrind"),
                                   {fn: functions[fn] for fn in order}, sources,
                                   from_checkout=filled, metric=metric, top=top,
                                   samples_note=samples_note(run)))


def samples_note(run: Path) -> str:
    """What the listing says about perf samples: this version shows none per line."""
    if (run / run_folder.PROFILE).is_file():
        return ("perf samples: this run has a perf capture (mapbench profile), but this "
                "listing does not attribute samples to lines yet")
    return "perf samples: none in this run"


def diff_text(base: Path, head: Path, pattern: str, *, bench: str | None = None,
              metric: str = "Ir", top: int = 15) -> str:
    regex = compile_regex(pattern)
    base_doc, head_doc = line_data.require_lines(base), line_data.require_lines(head)
    names = ([bench] if bench else
             sorted(set(base_doc["benchmarks"]) & set(head_doc["benchmarks"])))
    out = []
    for name in names:
        bd = line_delta.bench_delta(name, base_doc, head_doc)
        if bd is None:
            raise InputError(f"benchmark {name!r} is not in the per-line data of both runs")
        kept = [d for d in bd.lines if regex.search(d.fn)]
        if not kept:
            continue
        if bench is None and not bd.changed():
            continue
        shown = line_delta.BenchLineDelta(bd.name, bd.base_totals, bd.head_totals, kept)
        # the residual of the matching functions alone is the rest of the benchmark
        text = line_listing.delta_text(shown, metric, top, base.name, head.name)
        if len(kept) != len(bd.lines):
            text += (f"  (functions matching {pattern!r} only: the residual includes the "
                     f"other functions' {line_listing.fmt_delta(bd.total_delta(metric) - sum(d.delta(metric) for d in kept) - bd.residual(metric))})\n")
        out.append(text)
    if not out:
        if not any(regex.search(r["fn"]) for doc in (base_doc, head_doc)
                   for e in doc["benchmarks"].values() for r in e.get("lines") or []):
            raise InputError(f"no function matches {pattern!r} in either run")
        return (f"no benchmark's counts changed in functions matching {pattern!r} "
                f"between {base.name} and {head.name} ({line_listing.UNITS})\n")
    return "\n".join(out)
