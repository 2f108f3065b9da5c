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

from dataclasses import dataclass

from mapbench import names
from mapbench.analysis.render.bench_results import (  # noqa: F401 (the summary's public names)
    STORAGES, Result, best_prefetch, iterate_name, load_results, prefetch_speedup, ratio,
    results_from_suite, roofline_pct, sizes)
from mapbench.analysis.render.maps_summary import classic_vs_swiss
from mapbench.analysis.render.peers import peers_sections
from mapbench.analysis.render.range_tables import range_question_sections
from mapbench.analysis.render.tables import fmt as _fmt, table


def _row_names(label: str, n: int, d: int | None) -> str:
    """The benchmark name behind a row label of the full-iteration table."""
    if label.startswith("iterate-growing"):
        return f"iterate-growing/n={n}"
    if label.startswith("roofline"):
        return names.roofline_name(n)
    parts = label.split()
    atomic = "snapshot=atomic" in parts
    distance = parts[2].split("=")[1]
    return iterate_name(parts[1], distance if distance == "auto" else int(distance), n, atomic)


def _ns_row(results, label: str, names: list[str]) -> tuple[str, list[str]]:
    return label, [_fmt(results[nm].ns if nm in results else None, ".2f") for nm in names]


@dataclass(frozen=True)
class Context:
    """What every section of the summary reads: the results, their sizes as columns, the
    best prefetch distance D of the run, and the Go peers."""
    results: dict
    sizes: list[int]
    columns: list[str]
    distance: int | None
    peers: dict | None

    def present(self, rows):
        """The rows with at least one number."""
        return [r for r in rows if any(c != "-" for c in r[1])]


TIMING = ("pyperf timing: mean of the timed values, ns per map entry; "
          "C kernels timed in C with CLOCK_MONOTONIC")


def auto_prefetch_rule(results: dict[str, Result], sizes_: list[int]) -> str:
    """What prefetch=auto did in this run, from the distance each worker recorded (run
    metadata prefetch_auto_distance), never from a restated constant."""
    picked = {n: r.metadata.get("prefetch_auto_distance")
              for n in sizes_ if (r := results.get(iterate_name("stack", "auto", n))) is not None}
    on = sorted((n, d) for n, d in picked.items() if isinstance(d, int) and d > 0)
    if not picked:
        return "prefetch=auto (the default) picks a distance by size"
    if not on:
        return "prefetch=auto (the default) stayed off at every size of this run"
    return (f"prefetch=auto (the default) picked {' or '.join(sorted({str(d) for _, d in on}))} "
            f"from n={names.size_label(on[0][0])} on in this run, off below (run metadata)")


def full_iteration(c: Context) -> list[str]:
    rows = []
    for storage in STORAGES:
        for p in sorted({0, c.distance} - {None}):
            rows.append(_ns_row(c.results, f"iterate {storage} prefetch={p}",
                                [iterate_name(storage, p, n) for n in c.sizes]))
    rows.append(_ns_row(c.results, "iterate stack prefetch=auto (the default, by size)",
                        [iterate_name("stack", "auto", n) for n in c.sizes]))
    rows.append(_ns_row(c.results, "iterate stack prefetch=0 snapshot=atomic",
                        [iterate_name("stack", 0, n, atomic=True) for n in c.sizes]))
    rows.append(_ns_row(c.results, "iterate-growing (grow half done)",
                        [f"iterate-growing/n={n}" for n in c.sizes]))
    rows.append(_ns_row(c.results, "roofline: sequential read, same bytes",
                        [names.roofline_name(n) for n in c.sizes]))
    rows = c.present(rows)
    if not rows:
        return []
    fastest = []
    for label, _ in rows:
        row_names = [_row_names(label, n, c.distance) for n in c.sizes]
        fastest.append((label, [_fmt(c.results[nm].min_ns if nm in c.results else None, ".2f")
                                for nm in row_names]))
    return [table("Full iteration, ns/element", TIMING, c.columns, rows),
            table("Full iteration, fastest value, ns/element",
                  "pyperf timing: the minimum of the timed values, the one least "
                  "disturbed by other load on the machine (the mean above is what "
                  "`mapbench compare` tests)", c.columns, fastest)]


def prefetch_sweep(c: Context) -> list[str]:
    swept = sorted({int(r.params["prefetch"]) for r in c.results.values() if r.family == "iterate"
                    and r.params.get("storage") == "stack" and "snapshot" not in r.params
                    and "map" not in r.params and r.params.get("prefetch", "").isdigit()} - {0})
    if not (len(swept) > 1 or (swept and c.distance not in swept)):
        return []
    rows = [(f"stack prefetch={p}: speed-up",
             [_fmt(prefetch_speedup(c.results, "stack", p, n), ".3f") for n in c.sizes]) for p in swept]
    return [table("Prefetch distance sweep, stack storage (x, ns(prefetch=0) / ns(prefetch=D))",
                  "derived from pyperf timings", c.columns, rows)]


def roofline_share(c: Context) -> list[str]:
    rows = []
    for storage in STORAGES:
        for p in sorted({0, c.distance} - {None}):
            rows.append((f"{storage} prefetch={p}",
                         [_fmt(roofline_pct(c.results, iterate_name(storage, p, n)), ".0f") for n in c.sizes]))
    rows.append(("stack snapshot=atomic",
                 [_fmt(roofline_pct(c.results, iterate_name("stack", 0, n, True)), ".0f") for n in c.sizes]))
    rows = c.present(rows)
    if not rows:
        return []
    return [table("% of roofline (roofline ns / iterate ns x 100)",
                  "derived from pyperf timings of roofline/n=N and iterate/...", c.columns, rows)]


def prefetch_gain(c: Context) -> list[str]:
    d = c.distance
    if not d:
        return []
    rows = [(f"{storage}: prefetch=0 / prefetch={d}",
             [_fmt(prefetch_speedup(c.results, storage, d, n), ".3f") for n in c.sizes])
            for storage in STORAGES]
    rows.append(("stack: prefetch=0 / prefetch=auto (the default)",
                 [_fmt(prefetch_speedup(c.results, "stack", "auto", n), ".3f") for n in c.sizes]))
    picked = [c.results.get(iterate_name("stack", "auto", n)) for n in c.sizes]
    rows.append(("auto: distance it picked (run metadata)",
                 ["-" if r is None or "prefetch_auto_distance" not in r.metadata
                  else str(r.metadata["prefetch_auto_distance"]) for r in picked]))
    rows.append(("stack snapshot=atomic / plain (slow-down)",
                 [_fmt(ratio(c.results, iterate_name("stack", 0, n, True), iterate_name("stack", 0, n)), ".3f")
                  for n in c.sizes]))
    rows = c.present(rows)
    if not rows:
        return []
    return [table("Prefetch speed-up (x, above 1 = faster with prefetch)",
                  f"derived from pyperf timings; {auto_prefetch_rule(c.results, c.sizes)} "
                  "(docs/speed-of-the-map.md says why)", c.columns, rows)]


def allocations(c: Context) -> list[str]:
    rows = []
    for label, template in (
            [(f"iterate {s} (op = 1 traversal)", f"iterate/storage={s}/prefetch=0/n={{n}}") for s in STORAGES]
            + [(f"iterinit {s} (op = 1 init)", f"iterinit/storage={s}/n={{n}}") for s in STORAGES]
            + [("python-iterate items (op = 1 traversal)", "python-iterate/items/n={n}"),
               ("python-iterate batched (op = 1 traversal)", "python-iterate/batched/n={n}"),
               ("insert hint=0 (op = n inserts)", "insert/hint=0/n={n}"),
               ("insert hint=1 (op = n inserts)", "insert/hint=1/n={n}")]):
        cells = []
        for n in c.sizes:
            r = c.results.get(template.format(n=n))
            a = None if r is None else r.metadata.get("allocs_per_op")
            b = None if r is None else r.metadata.get("alloc_bytes_per_op")
            cells.append("-" if a is None else f"{a:.3g}" + ("" if b is None else f" ({b:.3g} B)"))
        rows.append((label, cells))
    rows = c.present(rows)
    if not rows:
        return []
    return [table("allocs/op (bytes/op)",
                  "native counting allocator during the timed values (run metadata)", c.columns, rows)]


def other_operations(c: Context) -> list[str]:
    rows = [_ns_row(c.results, f"iterinit {s} (ns per init)", [f"iterinit/storage={s}/n={n}" for n in c.sizes])
            for s in STORAGES]
    rows += [_ns_row(c.results, label, [template.format(n=n) for n in c.sizes]) for label, template in (
        ("insert hint=0", "insert/hint=0/n={n}"), ("insert hint=1", "insert/hint=1/n={n}"),
        ("lookup hit", "lookup/hit/n={n}"), ("lookup miss", "lookup/miss/n={n}"),
        ("delete", "delete/n={n}"))]
    rows = c.present(rows)
    if not rows:
        return []
    return [table("Other operations, ns/element (iterinit: ns per init)", TIMING, c.columns, rows)]


def python_layer(c: Context) -> list[str]:
    results = c.results
    rows = [_ns_row(results, "C kernel: iterate stack prefetch=0", [iterate_name("stack", 0, n) for n in c.sizes]),
            _ns_row(results, "Python: for k, v in m.items()", [f"python-iterate/items/n={n}" for n in c.sizes]),
            _ns_row(results, "Python: m.batches() + zip", [f"python-iterate/batched/n={n}" for n in c.sizes]),
            _ns_row(results, "Python: CPython dict.items()", [f"dict-iterate/n={n}" for n in c.sizes])]
    rows.append(("Python layer cost: items - C (ns)",
                 [_fmt(None if (a := results.get(f"python-iterate/items/n={n}")) is None
                       or (k := results.get(iterate_name("stack", 0, n))) is None else a.ns - k.ns, ".1f")
                  for n in c.sizes]))
    rows.append(("items / dict.items() (x, goal <= 5)",
                 [_fmt(ratio(results, f"python-iterate/items/n={n}", f"dict-iterate/n={n}"), ".2f")
                  for n in c.sizes]))
    rows = c.present(rows)
    if len(rows) <= 1:
        return []
    return [table("Python layer vs C, ns/element",
                  "pyperf timing; python-*/dict-* timed with time.perf_counter around "
                  "the Python loop, C kernel timed in C", c.columns, rows)]


def go_peers(c: Context) -> list[str]:
    return peers_sections(c.results, c.peers, c.sizes, c.columns, table)


def classic_and_swiss(c: Context) -> list[str]:
    maps = classic_vs_swiss(c.results, c.sizes, c.columns, c.distance, c.peers)
    return [maps] if maps else []


def range_questions(c: Context) -> list[str]:
    return range_question_sections(c.results, c.peers)


# The summary's sections in order: each builds its tables from the Context, or none.
SECTIONS = (full_iteration, prefetch_sweep, roofline_share, prefetch_gain, allocations,
            other_operations, python_layer, go_peers, classic_and_swiss, range_questions)


def summary_markdown(results: dict[str, Result], *, peers: dict | None = None,
                     prefetch: int | None = None) -> str:
    """The end-of-run summary: every table whose benchmarks are in `results`."""
    sizes_ = sizes(results)
    context = Context(results, sizes_, [names.size_column(n) for n in sizes_],
                      prefetch if prefetch is not None else best_prefetch(results), peers)
    sections = [text for build in SECTIONS for text in build(context)]
    return "\n\n".join(sections) + "\n"
