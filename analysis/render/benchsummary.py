"""Summary tables of a bench.json: ns/element by size and variant, and what derives from it.

Input is a pyperf BenchmarkSuite (bench.json) whose benchmark names follow the suite's
`family/param=value/.../n=N` pattern and whose values are seconds per element (pyperf
`inner_loops` = elements per loop). Everything here is a pure transform; each table
says where its numbers come from:
  - ns/element: pyperf timing (mean of the timed values; C kernels time themselves with
    CLOCK_MONOTONIC, the python-*/dict-* families with time.perf_counter);
  - allocs/op, bytes/op: the native counting allocator (run metadata);
  - Go: `go test -bench` (peers.json, every Go version; tables in mapbench.analysis.render.peers).
Derived numbers: % of roofline = roofline ns / variant ns (100% = as fast as a plain
sequential read of the same bytes); prefetch speed-up = ns(prefetch=0) / ns(prefetch=D).
These tables are the classic map's (names without map=); the Swiss map's benchmarks
(map=swiss) are set beside them by maps_summary.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

import pyperf

from mapbench.analysis.render.peers import peers_sections

NAME_RE = re.compile(r"^(?P<family>[a-z-]+)(?P<params>(/[^/]+)*)/n=(?P<n>\d+)$")

# The iterator storages in the order the tables show them (the suite's order: native.kernels
# and benchmarks.families hold the same names; analysis imports neither, a test holds them equal).
STORAGES = ("stack", "heap", "pool")


@dataclass(frozen=True)
class Result:
    """One benchmark of bench.json, reduced to what the tables need."""
    name: str
    family: str
    params: dict
    n: int
    mean: float                 # seconds per element (pyperf value)
    stdev: float
    nvalues: int
    metadata: dict = field(default_factory=dict)
    minimum: float = 0.0        # the fastest timed value (least disturbed by other load)

    @property
    def ns(self) -> float:
        return self.mean * 1e9

    @property
    def min_ns(self) -> float:
        return self.minimum * 1e9


def parse_name(name: str) -> tuple[str, dict, int] | None:
    match = NAME_RE.match(name)
    if not match:
        return None
    params = {}
    for part in match["params"].split("/")[1:]:
        key, _, value = part.partition("=")
        params[key] = value
    return match["family"], params, int(match["n"])


def results_from_suite(suite: pyperf.BenchmarkSuite) -> dict[str, Result]:
    """name -> Result for every suite-named benchmark with timed values."""
    out = {}
    for bench in suite.get_benchmarks():
        parsed = parse_name(bench.get_name())
        values = bench.get_values()
        if parsed is None or not values:
            continue
        family, params, n = parsed
        out[bench.get_name()] = Result(
            name=bench.get_name(), family=family, params=params, n=n,
            mean=statistics.fmean(values),
            stdev=statistics.stdev(values) if len(values) > 1 else 0.0,
            nvalues=len(values), metadata=dict(bench.get_metadata()), minimum=min(values))
    return out


def load_results(text: str) -> dict[str, Result]:
    return results_from_suite(pyperf.BenchmarkSuite.loads(text))


def sizes(results: dict[str, Result]) -> list[int]:
    return sorted({r.n for r in results.values()})


def best_prefetch(results: dict[str, Result]) -> int | None:
    """The D of `prefetch=D` in the heap/pool variants (the suite runs only 0 and D there)."""
    ds = {int(r.params["prefetch"]) for r in results.values()
          if r.family == "iterate" and r.params.get("storage") in ("heap", "pool")
          and r.params.get("prefetch", "0").isdigit() and r.params.get("prefetch") != "0"}
    if len(ds) == 1:
        return ds.pop()
    ds = {int(r.params["prefetch"]) for r in results.values()
          if r.family == "iterate" and r.params.get("prefetch", "0").isdigit()
          and r.params.get("prefetch") != "0"}
    return min(ds) if len(ds) == 1 else None


def iterate_name(storage: str, prefetch: int, n: int, atomic: bool = False) -> str:
    snap = "/snapshot=atomic" if atomic else ""
    return f"iterate/storage={storage}/prefetch={prefetch}{snap}/n={n}"


def ratio(results, numerator: str, denominator: str) -> float | None:
    a, b = results.get(numerator), results.get(denominator)
    if a is None or b is None or b.mean == 0:
        return None
    return a.mean / b.mean


def roofline_pct(results, name: str) -> float | None:
    """Roofline time / this benchmark's time, in percent (100% = at the memory limit)."""
    r = results.get(name)
    if r is None:
        return None
    pct = ratio(results, f"roofline/n={r.n}", name)
    return None if pct is None else pct * 100.0


def prefetch_speedup(results, storage: str, distance: int, n: int) -> float | None:
    """ns(prefetch=0) / ns(prefetch=distance): above 1 means prefetch helps."""
    return ratio(results, iterate_name(storage, 0, n), iterate_name(storage, distance, n))


# -- text tables -----------------------------------------------------------------------

def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(title: str, source: str, columns: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """A markdown table with a title line and a source line."""
    header = ["", *columns]
    body = [[label, *cells] for label, cells in rows]
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(str(c).rjust(w) if i else str(c).ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([f"### {title}", f"_source: {source}_", "", line(header), sep,
                      *(line(r) for r in body)])


def _row_names(label: str, n: int, d: int | None) -> str:
    """The benchmark name behind a row label of the full-iteration table."""
    if label.startswith("iterate-growing"):
        return f"iterate-growing/n={n}"
    if label.startswith("roofline"):
        return f"roofline/n={n}"
    parts = label.split()
    atomic = "snapshot=atomic" in parts
    distance = parts[2].split("=")[1]
    return iterate_name(parts[1], distance if distance == "auto" else int(distance), n, atomic)


def _ns_row(results, label: str, names: list[str]) -> tuple[str, list[str]]:
    return label, [_fmt(results[nm].ns if nm in results else None, ".2f") for nm in names]


def summary_markdown(results: dict[str, Result], *, peers: dict | None = None,
                     prefetch: int | None = None) -> str:
    """The end-of-run summary: every table whose benchmarks are in `results`."""
    ns_ = sizes(results)
    cols = [f"n=2^{n.bit_length() - 1}" if n & (n - 1) == 0 else f"n={n}" for n in ns_]
    d = prefetch if prefetch is not None else best_prefetch(results)
    storages = STORAGES
    timing = ("pyperf timing: mean of the timed values, ns per map entry; "
              "C kernels timed in C with CLOCK_MONOTONIC")
    sections = []

    rows = []
    for storage in storages:
        for p in sorted({0, d} - {None}):
            rows.append(_ns_row(results, f"iterate {storage} prefetch={p}",
                                [iterate_name(storage, p, n) for n in ns_]))
    rows.append(_ns_row(results, "iterate stack prefetch=auto (the default, by size)",
                        [iterate_name("stack", "auto", n) for n in ns_]))
    rows.append(_ns_row(results, "iterate stack prefetch=0 snapshot=atomic",
                        [iterate_name("stack", 0, n, atomic=True) for n in ns_]))
    rows.append(_ns_row(results, "iterate-growing (grow half done)",
                        [f"iterate-growing/n={n}" for n in ns_]))
    rows.append(_ns_row(results, "roofline: sequential read, same bytes",
                        [f"roofline/n={n}" for n in ns_]))
    rows = [r for r in rows if any(c != "-" for c in r[1])]
    if rows:
        sections.append(table("Full iteration, ns/element", timing, cols, rows))
        fastest = []
        for label, _ in rows:
            names = [name for name in (_row_names(label, n, d) for n in ns_)]
            fastest.append((label, [_fmt(results[nm].min_ns if nm in results else None, ".2f")
                                    for nm in names]))
        sections.append(table("Full iteration, fastest value, ns/element",
                              "pyperf timing: the minimum of the timed values, the one least "
                              "disturbed by other load on the machine (the mean above is what "
                              "`mapbench compare` tests)", cols, fastest))

    swept = sorted({int(r.params["prefetch"]) for r in results.values() if r.family == "iterate"
                    and r.params.get("storage") == "stack" and "snapshot" not in r.params
                    and r.params.get("prefetch", "").isdigit()} - {0})
    if len(swept) > 1 or (swept and d not in swept):
        rows = [(f"stack prefetch={p}: speed-up",
                 [_fmt(prefetch_speedup(results, "stack", p, n), ".3f") for n in ns_]) for p in swept]
        sections.append(table("Prefetch distance sweep, stack storage (x, ns(prefetch=0) / ns(prefetch=D))",
                              "derived from pyperf timings", cols, rows))

    rows = []
    for storage in storages:
        for p in sorted({0, d} - {None}):
            rows.append((f"{storage} prefetch={p}",
                         [_fmt(roofline_pct(results, iterate_name(storage, p, n)), ".0f") for n in ns_]))
    rows.append(("stack snapshot=atomic",
                 [_fmt(roofline_pct(results, iterate_name("stack", 0, n, True)), ".0f") for n in ns_]))
    rows = [r for r in rows if any(c != "-" for c in r[1])]
    if rows:
        sections.append(table("% of roofline (roofline ns / iterate ns x 100)",
                              "derived from pyperf timings of roofline/n=N and iterate/...", cols, rows))

    if d:
        rows = [(f"{storage}: prefetch=0 / prefetch={d}",
                 [_fmt(prefetch_speedup(results, storage, d, n), ".3f") for n in ns_])
                for storage in storages]
        rows.append(("stack: prefetch=0 / prefetch=auto (the default)",
                     [_fmt(prefetch_speedup(results, "stack", "auto", n), ".3f") for n in ns_]))
        picked = [results.get(iterate_name("stack", "auto", n)) for n in ns_]
        rows.append(("auto: distance it picked (run metadata)",
                     ["-" if r is None or "prefetch_auto_distance" not in r.metadata
                      else str(r.metadata["prefetch_auto_distance"]) for r in picked]))
        rows.append(("stack snapshot=atomic / plain (slow-down)",
                     [_fmt(ratio(results, iterate_name("stack", 0, n, True), iterate_name("stack", 0, n)), ".3f")
                      for n in ns_]))
        rows = [r for r in rows if any(c != "-" for c in r[1])]
        if rows:
            sections.append(table("Prefetch speed-up (x, above 1 = faster with prefetch)",
                                  "derived from pyperf timings; prefetch=auto (the default) is "
                                  "16 from a 64 MiB bucket array, off below, as measured per size "
                                  "(docs/speed-of-the-map.md); the distance it picked is run "
                                  "metadata", cols, rows))

    alloc_rows = []
    for label, template in (
            [(f"iterate {s} (op = 1 traversal)", f"iterate/storage={s}/prefetch=0/n={{n}}") for s in storages]
            + [(f"iterinit {s} (op = 1 init)", f"iterinit/storage={s}/n={{n}}") for s in storages]
            + [("python-iterate items (op = 1 traversal)", "python-iterate/items/n={n}"),
               ("python-iterate batched (op = 1 traversal)", "python-iterate/batched/n={n}"),
               ("insert hint=0 (op = n inserts)", "insert/hint=0/n={n}"),
               ("insert hint=1 (op = n inserts)", "insert/hint=1/n={n}")]):
        cells = []
        for n in ns_:
            r = results.get(template.format(n=n))
            a = None if r is None else r.metadata.get("allocs_per_op")
            b = None if r is None else r.metadata.get("alloc_bytes_per_op")
            if a is None:
                cells.append("-")
            else:
                cells.append(f"{a:.3g}" + ("" if b is None else f" ({b:.3g} B)"))
        alloc_rows.append((label, cells))
    alloc_rows = [r for r in alloc_rows if any(c != "-" for c in r[1])]
    if alloc_rows:
        sections.append(table("allocs/op (bytes/op)",
                              "native counting allocator during the timed values (run metadata)",
                              cols, alloc_rows))

    rows = [_ns_row(results, f"iterinit {s} (ns per init)", [f"iterinit/storage={s}/n={n}" for n in ns_])
            for s in storages]
    rows += [_ns_row(results, label, [template.format(n=n) for n in ns_]) for label, template in (
        ("insert hint=0", "insert/hint=0/n={n}"), ("insert hint=1", "insert/hint=1/n={n}"),
        ("lookup hit", "lookup/hit/n={n}"), ("lookup miss", "lookup/miss/n={n}"),
        ("delete", "delete/n={n}"))]
    rows = [r for r in rows if any(c != "-" for c in r[1])]
    if rows:
        sections.append(table("Other operations, ns/element (iterinit: ns per init)", timing, cols, rows))

    rows = [_ns_row(results, "C kernel: iterate stack prefetch=0", [iterate_name("stack", 0, n) for n in ns_]),
            _ns_row(results, "Python: for k, v in m.items()", [f"python-iterate/items/n={n}" for n in ns_]),
            _ns_row(results, "Python: m.batches() + zip", [f"python-iterate/batched/n={n}" for n in ns_]),
            _ns_row(results, "Python: CPython dict.items()", [f"dict-iterate/n={n}" for n in ns_])]
    rows.append(("Python layer cost: items - C (ns)",
                 [_fmt(None if (a := results.get(f"python-iterate/items/n={n}")) is None
                       or (c := results.get(iterate_name("stack", 0, n))) is None else a.ns - c.ns, ".1f")
                  for n in ns_]))
    rows.append(("items / dict.items() (x, goal <= 5)",
                 [_fmt(ratio(results, f"python-iterate/items/n={n}", f"dict-iterate/n={n}"), ".2f")
                  for n in ns_]))
    rows = [r for r in rows if any(c != "-" for c in r[1])]
    if len(rows) > 1:
        sections.append(table("Python layer vs C, ns/element",
                              "pyperf timing; python-*/dict-* timed with time.perf_counter around "
                              "the Python loop, C kernel timed in C", cols, rows))

    sections += peers_sections(results, peers, ns_, cols, table)
    from mapbench.analysis.render.maps_summary import classic_vs_swiss  # it imports this module
    maps = classic_vs_swiss(results, ns_, cols, d, peers)
    if maps:
        sections.append(maps)
    return "\n\n".join(sections) + "\n"
