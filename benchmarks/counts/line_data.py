"""The count pass's per-line data: lines.json.gz and callgrind/<bench>.out.gz in a run folder.

The count pass (benchmarks/counts/count_pass.py) already has callgrind dump each counted
benchmark's timed region with line information (--dump-line=yes, valgrind's default). This
module keeps what it says per source line:

  - callgrind/<sanitised benchmark name>.out.gz: the raw dump, gzipped (callgrind_annotate
    and kcachegrind read it after gunzip);
  - lines.json.gz: per benchmark, the self cost of every line of the native module's own
    sources (native/src/...) per element, the same divisor as counts.json; one synthetic
    row (line 0, "no_line_info": true) per function for costs without a native line; and
    the text of every source file it names, so a run reads without its checkout.
    Schema in profiles/README.md ("lines.json.gz").

Invariant: for each benchmark, the rows' sums are its "totals" exactly (the parser,
mapbench.analysis.counters.callgrind_lines, refuses a dump whose lines do not add up to
its totals: line); those totals are counts.json's per-element counts of the same dump.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.counters import callgrind_lines
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.counts.line_data_read import LINES_FILE, SCHEMA, bench_file_stem, load_lines
from mapbench.benchmarks.store import run_folder

DUMPS_FOLDER = run_folder.CALLGRIND_DUMPS
LINE_EVENTS = ["Ir", "Dr", "Dw", "D1mr", "D1mw", "DLmr", "DLmw", "Bc", "Bcm"]
SOURCE_MARKER = "native/src/"
NO_LINES_HINT = ("run the count pass for it: `mapbench bench --counts-only --no-peers "
                 "--only REGEX` (per-line data is kept since issue 23)")


def dump_file_name(bench: str) -> str:
    return bench_file_stem(bench) + ".out.gz"


def checkout_source(rel: str) -> Path | None:
    """The installed copy of a native source file (native/src/X -> mapbench/native/src/X)."""
    try:
        import mapbench.native as native
    except ImportError:
        return None
    path = Path(native.__file__).parent / "src" / rel[len(SOURCE_MARKER):]
    return path if rel.startswith(SOURCE_MARKER) and path.is_file() else None


def benchmark_lines(text: str, elements: int) -> tuple[dict, dict[str, Path]]:
    """({"elements", "totals", "lines"}, {repository-relative file: path the debug info
    names}) for one benchmark's dump text."""
    costs = callgrind_lines.parse_lines(text)
    rows, totals = callgrind_lines.per_element_rows(costs, elements, LINE_EVENTS, SOURCE_MARKER)
    files = {}
    for key in costs.costs:
        rel = callgrind_lines.repo_relative(key.file, SOURCE_MARKER)
        if rel is not None:
            files.setdefault(rel, Path(key.file))
    return {"elements": elements, "totals": totals, "lines": rows}, files


def _read_source(rel: str, compiled: Path) -> str | None:
    for path in (compiled, checkout_source(rel)):
        try:
            if path is not None and path.is_file():
                return path.read_text(errors="replace")
        except OSError:
            continue
    return None


def write_lines(run_dir: Path, dumps: dict[str, tuple[str, int]], *, valgrind_version: str,
                order: list[str], keep_earlier: bool = False, log=print) -> dict | None:
    """Keep each dump gzipped and write lines.json.gz from `dumps` ({benchmark: (dump
    text, elements)}). A dump that does not parse is left out, with one line of log.
    Returns the document, or None when no dump had lines."""
    benches, files = {}, {}
    for name in order:
        if name not in dumps:
            continue
        text, elements = dumps[name]
        try:
            entry, named = benchmark_lines(text, elements)
        except InputError as exc:
            log(f"[counts] no per-line data for {name}: {exc}")
            continue
        benches[name] = entry
        for rel, path in named.items():
            files.setdefault(rel, path)
        write_atomic(run_dir / DUMPS_FOLDER / dump_file_name(name),
                     gzip.compress(text.encode("utf-8", "replace"), mtime=0))
    sources = {}
    for rel in sorted(files):
        text = _read_source(rel, files[rel])
        if text is not None:
            sources[rel] = text
    if keep_earlier:
        try:
            earlier = load_lines(run_dir)
        except InputError:
            earlier = None
        for name, entry in ((earlier or {}).get("benchmarks") or {}).items():
            benches.setdefault(name, entry)
        for rel, text in ((earlier or {}).get("sources") or {}).items():
            sources.setdefault(rel, text)
    if not benches:
        return None
    doc = {"schema": SCHEMA,
           "source": f"callgrind ({valgrind_version}) simulated, timed region only",
           "events": LINE_EVENTS, "per": "element", "benchmarks": benches, "sources": sources}
    write_atomic(run_dir / LINES_FILE,
                 gzip.compress(json.dumps(doc, separators=(",", ":")).encode(), mtime=0))
    return doc


def require_lines(run_dir: Path) -> dict:
    """load_lines (the one reader: benchmarks/counts/line_data_read.py), or InputError naming what to run when the run has no per-line data."""
    doc = load_lines(run_dir)
    if doc is None:
        raise InputError(f"{run_dir} has no per-line data ({LINES_FILE}); {NO_LINES_HINT}")
    return doc
