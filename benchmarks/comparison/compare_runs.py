"""`mapbench compare BASE [HEAD]`: did HEAD make the map slower than BASE, and where?

BASE and HEAD are run folders or commit-ishes whose run is in the store (HEAD defaults to
the newest run); commit-ishes pick runs of this machine (HEAD) and of HEAD's machine (BASE)
unless --machine names another. When a run folder mixes passes of `mapbench bench`, the
output says which pass each benchmark came from; --pass/--base-pass compare one pass. Writes, into HEAD's run folder under `compare/vs-<BASE run>/` (or
`vs-<store>-<run>` when both are runs of one commit in two stores): compare.md, compare.html, `diffflame/<configuration>.svg` for each profiled
configuration folded in both runs, the cache-miss deltas from both cachemiss.json, and
the Go peers of both peers.json as context (mapbench.analysis.stats.peers_context: no verdict).
The statistics are mapbench.analysis.stats.compare's (a test + a minimum effect), stated in
the output. `--fail-on-regression PCT` exits 1 when a benchmark is significantly slower
by more than PCT percent: the CI gate. When both runs have counts.json, the counted
metrics are compared too (exactly, benchmarks/comparison/count_side.py) and, by
default, decide the verdict and the gate (`--metric`); runs with counts but no
bench.json are compared on counts alone.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import pyperf
from markupsafe import Markup

from mapbench.analysis.render import compare_html, compare_markdown, pages
from mapbench.analysis.stats import compare, formats, number_deltas, peers_context
from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.comparison import compare_passes
from mapbench.benchmarks.store import machine as machines, runs as store
from mapbench.benchmarks.store.calibration_file import (CALIBRATION_FILE, calibrated_on,
                                                        default_min_effect, machine_noise_note)
from mapbench.benchmarks.comparison import count_side as compare_counts
from mapbench.benchmarks.store import run_folder
from mapbench.benchmarks.comparison.where_lines import where_section

COMPARE_FOLDER = "compare"
# meta.json fields (benchmarks/store/meta.py) that identify the machine; compared when both have them.
MACHINE_FIELDS = (("cpu", "model"), ("cpu", "logical_cpus"), ("cache_sizes",))
# pyperf's own metadata that identify the machine (older runs without meta.json's cpu).
PYPERF_MACHINE_KEYS = ("cpu_model_name", "cpu_count")
# meta.json fields that say how pyperf sampled; they should match for a fair comparison.
SETTINGS_FIELDS = (("bench", "mode"), ("bench", "pyperf"), ("bench", "settings"))
_MISSING = object()


def load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        raise InputError(f"{path} is not valid JSON ({exc})") from None


def load_suite(run: Path) -> pyperf.BenchmarkSuite:
    return run_folder.RunFolder(run).suite_strict()


def _field(meta: dict, path: tuple[str, ...]):
    value = meta
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _field_differences(base_meta: dict, head_meta: dict, fields) -> list[str]:
    diffs = []
    for path in fields:
        b, h = _field(base_meta, path), _field(head_meta, path)
        if b is not _MISSING and h is not _MISSING and b != h:
            diffs.append(f"meta.json {'.'.join(path)}: {b!r} vs {h!r}")
    return diffs


def machine_differences(base_meta: dict, head_meta: dict, base_suite, head_suite) -> list[str]:
    diffs = _field_differences(base_meta, head_meta, MACHINE_FIELDS)
    if not diffs:
        bm, hm = base_suite.get_metadata(), head_suite.get_metadata()
        diffs = [f"pyperf {key}: {bm[key]!r} vs {hm[key]!r}" for key in PYPERF_MACHINE_KEYS
                 if key in bm and key in hm and bm[key] != hm[key]]
    return diffs


def settings_differences(base_meta: dict, head_meta: dict) -> list[str]:
    return [f"pyperf settings differ, {d}"
            for d in _field_differences(base_meta, head_meta, SETTINGS_FIELDS)]


def diff_flames(base: Path, head: Path, out_dir: Path, base_label: str, head_label: str) -> tuple[list[tuple[str, str]], str, list[str]]:
    """Differential flame graphs for configurations folded in both runs.
    Returns (config, relative svg path) pairs, a markdown section and notes."""
    # folded/go*.folded are the Go peers' pprof samples: context, not perf samples of ours.
    common = sorted({p.stem for p in (base / "folded").glob("*.folded") if not p.stem.startswith("go")}
                    & {p.stem for p in (head / "folded").glob("*.folded")})
    if not common:
        return [], "", []
    try:
        from mapbench.analysis.flame import diffflame, first_screen
        from mapbench.analysis.stacks.folded import read_folded
    except ImportError as exc:
        return [], "", [f"differential flame graphs skipped: {exc}"]
    pairs, md = [], []
    for config in common:
        b = read_folded((base / "folded" / f"{config}.folded").read_text())
        h = read_folded((head / "folded" / f"{config}.folded").read_text())
        # As the profile pass draws them: unknown towers as one frame, deep graphs as icicles.
        b, h = first_screen.collapse_unknown_runs(b), first_screen.collapse_unknown_runs(h)
        svg = diffflame.render_diff_svg(
            b, h, title=f"{config}: {head_label} vs {base_label}",
            subtitle="perf samples; red = more in head, blue = fewer (frame width: head)",
            inverted=first_screen.draw_inverted(h))
        rel = f"diffflame/{config}.svg"
        write_atomic(out_dir / rel, svg)
        pairs.append((config, rel))
        md += [f"### {config}", "", f"![{config}]({rel})", "",
               diffflame.diff_table(b, h, limit=10), ""]
    return pairs, "\n".join(md), []


def recorded_sources(doc, key: str = "source_detail", fallback: str = "source") -> list[str]:
    """Distinct values of the `source_detail` (else `source`) fields anywhere in a JSON doc."""
    found: dict[str, list[str]] = {key: [], fallback: []}

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in found and isinstance(v, str) and v not in found[k]:
                    found[k].append(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(doc)
    return found[key] or found[fallback]


def cache_deltas(base: Path, head: Path) -> list[number_deltas.NumberDelta]:
    b, h = base / run_folder.CACHEMISS, head / run_folder.CACHEMISS
    if not (b.is_file() and h.is_file()):
        return []
    deltas = number_deltas.number_deltas(load_json(b), load_json(h))
    # Raw event totals scale with how long each run simulated; the per-element metrics
    # (and per-function misses per element) are what compares across runs.
    per_element = [d for d in deltas if "/metrics/" in d.path or d.path.endswith("/elem")
                   or "per_element" in d.path]
    return per_element or deltas


def _peers(run: Path) -> dict | None:
    """peers.json of a run, or None when it is missing or unreadable (it is only context)."""
    return run_folder.RunFolder(run).doc(run_folder.PEERS)


def compare_runs(base: Path, head: Path, method: compare.Method, *,
                 allow_other_machine: bool = False, base_pass: str | None = None,
                 head_pass: str | None = None,
                 extra: list[tuple[str, str, str]] = ()) -> tuple[compare.Comparison, Path]:
    """Compare two run folders; write the files into HEAD. Returns the comparison and folder."""
    if base.resolve() == head.resolve():
        raise InputError(f"BASE and HEAD are the same run ({head}); name two different runs")
    base_meta, head_meta = load_json(base / run_folder.META), load_json(head / run_folder.META)
    base_suite, head_suite = load_suite(base), load_suite(head)
    machine = machine_differences(base_meta, head_meta, base_suite, head_suite)
    if machine and not allow_other_machine:
        raise InputError(f"{base.name} and {head.name} were measured on different machines ("
                         + "; ".join(machine)
                         + "): their times are not comparable (--allow-other-machine to force)")
    base_label, head_label = base.name, head.name
    if base_label == head_label:             # the same commit measured twice, in two stores
        base_label, head_label = (f"{base.parent.name}/{base.name}",
                                  f"{head.parent.name}/{head.name}")
    base_suite, base_passes = compare_passes.load(base, base_suite, base_meta, f"base {base_label}", base_pass)
    head_suite, head_passes = compare_passes.load(head, head_suite, head_meta, f"head {head_label}", head_pass)
    cmp = compare.compare_suites(base_suite, head_suite, method=method,
                                 base_label=base_label, head_label=head_label)
    if not cmp.timings and not cmp.counts:
        raise InputError(f"{base.name} and {head.name} have no benchmark in common "
                         f"({len(cmp.only_base)} only in base, {len(cmp.only_head)} only in head); "
                         f"nothing to compare")
    if base_passes.mixed or head_passes.mixed or base_pass or head_pass:
        # The newest pass's settings (meta.json bench) are not those of every benchmark.
        cmp.warnings[:0] = compare_passes.settings_warnings(base_passes, head_passes)
    else:
        cmp.warnings[:0] = settings_differences(base_meta, head_meta)
    cmp.warnings[:0] = compare_passes.notes(base_passes) + compare_passes.notes(head_passes)
    if machine:
        cmp.warnings.insert(0, "different machines: " + "; ".join(machine))
    elif store.run_machine(base) not in (None, store.run_machine(head)) and store.run_machine(head):
        cmp.warnings.insert(0, f"two machine ids, {store.run_machine(base)} and "
                               f"{store.run_machine(head)}, with the same CPU model and caches: "
                               f"twins of a fleet compare, but one machine's runs compare best")
    out_dir = head / COMPARE_FOLDER / f"vs-{base_label.replace('/', '-')}"
    flames, flames_md, notes = diff_flames(base, head, out_dir, base_label, head_label)
    cmp.warnings += notes
    deltas = cache_deltas(base, head)
    sources = (recorded_sources(load_json(head / run_folder.CACHEMISS)) if deltas else [])
    source = ("cachemiss.json of both runs: " + "; ".join(sources) if sources else
              "cachemiss.json of both runs (perf hardware counters or cachegrind simulation)")
    compared = sorted({t.name for t in cmp.timings})
    md_extra = [("Passes of `mapbench bench` (benchmarks/store/passes.py)",
                 compare_passes.markdown(base_passes, head_passes, compared))]
    html_extra = [("Passes of mapbench bench",
                   compare_passes.html_fragment(base_passes, head_passes, compared))]
    md_extra += [(title, md) for title, md, _ in extra]
    html_extra += [(title, body) for title, _, body in extra]
    if flames_md:
        md_extra.append(("Differential flame graphs (perf samples)", flames_md))
    if deltas:
        md_extra.append(("Cache-miss deltas", compare_markdown.deltas_markdown(deltas, source=source)))
        html_extra.append(("Cache-miss deltas", compare_html.deltas_html(deltas, source=source)))
    base_peers, head_peers = _peers(base), _peers(head)
    if (peers_md := peers_context.context_markdown(base_peers, head_peers)) is not None:
        md_extra.append((peers_context.TITLE, peers_md))
        html_extra.append((peers_context.TITLE, peers_context.context_html(base_peers, head_peers)))
    write_atomic(out_dir / "compare.md", compare_markdown.render_markdown(cmp, extra_sections=md_extra))
    write_atomic(out_dir / "compare.html",
                 compare_html.render_html(cmp, flame_graphs=flames, extra_html=html_extra))
    return cmp, out_dir


def run_labels(base: Path, head: Path) -> tuple[str, str]:
    if base.name == head.name:               # the same commit measured twice, in two stores
        return f"{base.parent.name}/{base.name}", f"{head.parent.name}/{head.name}"
    return base.name, head.name


def compare_counts_only(base: Path, head: Path, side, extra=()) -> Path:
    """compare.md/.html with the counted metrics alone (runs without bench.json)."""
    if base.resolve() == head.resolve():
        raise InputError(f"BASE and HEAD are the same run ({head}); name two different runs")
    base_label, head_label = run_labels(base, head)
    out_dir = head / COMPARE_FOLDER / f"vs-{base_label.replace('/', '-')}"
    title = f"{head_label} vs {base_label}: counted metrics"
    write_atomic(out_dir / "compare.md", f"# {title}\n\n{side.markdown()}"
                 + "".join(f"\n## {t}\n\n{md}\n" for t, md, _ in extra))
    body = Markup(f"<h1>{html.escape(title)}</h1>\n{side.html()}"
                  + "".join(f"\n<h2>{html.escape(t)}</h2>\n{h}" for t, _, h in extra))
    write_atomic(out_dir / "compare.html", pages.render("base.html.j2", title=title, body=body))
    return out_dir


def pick_runs(base_spec: str, head_spec: str | None, root: Path, machine: str | None) -> tuple[Path, Path]:
    """BASE and HEAD run folders. A folder names its run; a commit (or a left-out HEAD)
    picks a run of `machine`, else of the machine of the run named by a folder, else of
    this machine: times of two machines are not comparable."""
    if Path(base_spec).is_dir():
        base = store.find_run(base_spec, root)
        on = machine or store.run_machine(base) or machines.this_machine_id()
        head = store.find_run(head_spec, root, on) if head_spec else store.newest_run(root, on)
        return base, head
    on = machine or machines.this_machine_id()
    if head_spec:
        head = store.find_run(head_spec, root, on)
    elif machine:
        head = store.newest_run(root, on)
    else:
        head, note = store.newest_run_or_any(root, on)
        if note:
            print(note)
    on = machine or store.run_machine(head) or on
    return store.find_run(base_spec, root, on), head


def run(args, found: dict | None = None) -> int:
    """The command; `found` (when given) receives base, head, side and cmp for a renderer."""
    if getattr(args, "output_format", "text") == "github" and found is None:
        from mapbench.benchmarks.comparison.github_comment import run_github
        return run_github(args, run)
    found = {} if found is None else found
    root = Path(args.out)
    base, head = pick_runs(args.base, args.head, root, args.machine)
    side = compare_counts.count_side(base, head, root, args.metric)
    found.update(base=base, head=head, side=side)
    extra = [("Counted metrics (callgrind)", side.markdown(), side.html())] if side.comparisons else []
    where, where_lines = where_section(base, head)
    found["where"] = where
    if side.decides and not ((base / run_folder.BENCH).is_file() and (head / run_folder.BENCH).is_file()):
        out_dir = compare_counts_only(base, head, side, [where] if where else [])
        compare_counts.print_side(side)
        for line in where_lines:
            print(line)
        print(f"wrote {out_dir / 'compare.md'} and {out_dir / 'compare.html'} (no timings: "
              f"not both runs have bench.json)")
        return count_gate(side, args.fail_on_regression)
    if args.min_effect is not None and args.min_effect < 0:
        raise InputError("--min-effect must be a percentage >= 0")
    if args.min_effect is not None:
        min_effect, origin = args.min_effect / 100.0, "--min-effect"
    else:
        on = store.run_machine(head)
        min_effect = default_min_effect(root, args.statistic, machine=on)
        origin = ("default" if min_effect == compare.DEFAULT_MIN_EFFECT
                  else f"measured by `mapbench calibrate`, {root / CALIBRATION_FILE}")
        if calibrated_on(root) not in (None, on) and on is not None:
            origin += (f" ({root / CALIBRATION_FILE} was measured on machine "
                       f"{calibrated_on(root)}, not HEAD's {on})")
    method = compare.Method(alpha=args.alpha, min_effect=min_effect, statistic=args.statistic,
                            machine_noise=machine_noise_note(root, machine=store.run_machine(head)))
    cmp, out_dir = compare_runs(base, head, method, allow_other_machine=args.allow_other_machine,
                                base_pass=args.base_pass, head_pass=args.head_pass,
                                extra=extra + ([where] if where else []))
    found["cmp"] = cmp
    print(f"{cmp.head_label} vs {cmp.base_label}: {compare_markdown.summary_line(cmp)}")
    print(f"method: {method.describe()}")
    print(f"minimum effect {min_effect * 100:g}%: {origin}"
          + (f"; raised to {cmp.min_effect:.1%} for this comparison by the control benchmarks' "
             f"drift of {cmp.control_drift:.1%} (x{compare.DRIFT_MARGIN:g})"
             if cmp.raised_by_drift else ""))
    for w in cmp.warnings:
        print(f"warning: {w}")
    for t in cmp.section(compare.SLOWER):
        print(f"  slower  {t.name}: {formats.format_change(t.change)} "
              f"(p={t.p_value:.2g}, pyperf timing {formats.format_seconds(t.base_median)} -> "
              f"{formats.format_seconds(t.head_median)})")
    for t in cmp.section(compare.FASTER):
        print(f"  faster  {t.name}: {formats.format_change(t.change)} (p={t.p_value:.2g})")
    for x in cmp.changed_counts:
        print(f"  count changed  {x.name} {x.key}: {x.base} -> {x.head} (counting allocator)")
    if side.comparisons:
        compare_counts.print_side(side)
    for line in where_lines:
        print(line)
    print(f"wrote {out_dir / 'compare.md'} and {out_dir / 'compare.html'}")
    if side.decides:
        return count_gate(side, args.fail_on_regression)
    if args.fail_on_regression is not None:
        bad = cmp.regressions(args.fail_on_regression)
        if bad:
            print(f"regression gate: {len(bad)} benchmark(s) significantly slower by more than "
                  f"{args.fail_on_regression:g}% (pyperf timing): " + ", ".join(t.name for t in bad))
            return 1
    return 0


def count_gate(side, pct: float | None) -> int:
    """Exit status of `--fail-on-regression PCT` on the counted metric that decides."""
    if pct is None:
        return 0
    bad = side.regressions(pct)
    if bad:
        print(f"regression gate ({side.decided_by}/element, callgrind count): {len(bad)} "
              f"benchmark(s) did more than {pct:g}% more work: "
              + ", ".join(f"{d.name} ({d.change:+.2%})" for d in bad))
        return 1
    print(f"regression gate ({side.decided_by}/element, callgrind count): no benchmark did more "
          f"than {pct:g}% more work")
    return 0
