"""cachemiss.md and cachemiss.svg: per-configuration cache-miss metrics
(analysis/counters/cachemiss.py) as a markdown table with each row's source, a
per-function attribution table, and an SVG plot of misses per element against size."""
from __future__ import annotations

import io

from mapbench.analysis.counters.cachegrind_out import SOURCE_CACHEGRIND, SOURCE_CALLGRIND
from mapbench.analysis.counters.cachemiss import METRICS

# Why simulated misses cannot answer "does prefetch hide the misses" (said under every table
# that has simulated rows): valgrind executes software prefetch instructions as no-ops for
# the cache model and models no hardware prefetcher.
SIMULATION_PREFETCH_NOTE = (
    "Simulated counts (cachegrind/callgrind) model no hardware prefetcher and treat software "
    "prefetch instructions as no-ops: they count the misses the demand loads meet, so prefetch "
    "on/off changes the instruction count, not the miss count. Whether prefetch hides the misses' "
    "latency shows in the timings (pyperf) or in hardware counters, not in a simulation.")


def _fmt(value: float | None, rate: bool = False) -> str:
    if value is None:
        return "n/a"
    if rate:
        return f"{value * 100:.2f}%"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.4f}"


TABLE_METRICS = ("instructions_per_element", "l1d_read_misses_per_element",
                 "l2_read_misses_per_element", "l3_read_misses_per_element",
                 "ll_read_misses_per_element", "l1d_miss_rate", "l2_miss_rate", "ll_miss_rate",
                 "cache_misses_per_element", "table_lines_per_element")


def config_label(config: dict) -> str:
    if config.get("name"):
        return str(config["name"])
    parts = [str(config.get("op", "?"))]
    for key in ("map", "n", "storage", "prefetch", "layer"):
        if key in config:
            parts.append(f"{key}={config[key]}")
    return " ".join(parts)


def summary_table(configs: list[dict]) -> str:
    """Markdown: one row per configuration, per-element numbers, each row's source; footnotes
    give each source's detail (cache geometry or counters) and how set-up cost was handled."""
    if not configs:
        return "_no cache-miss measurements_\n"
    shown = [m for m in TABLE_METRICS if any(c["metrics"].get(m) is not None for c in configs)]
    labels = {m: METRICS[m][0] for m in shown}
    for c in configs:                       # a simulated level's name: "(last level)" only if it is
        labels.update({k: v for k, v in (c.get("metric_labels") or {}).items() if k in labels})
    header = ["configuration", "elements"] + [labels[m] for m in shown] + ["source"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(shown) + 1) + ["---"]) + "|"]
    footnotes: list[str] = []
    for config in configs:
        note = f"{config['source_detail']}; {config['method']}"
        if note not in footnotes:
            footnotes.append(note)
        mark = footnotes.index(note) + 1
        cells = [config_label(config), f"{config['elements']:,}"]
        cells += [_fmt(config["metrics"].get(m), rate=m.endswith("rate")) for m in shown]
        cells.append(f"{config['source']} [{mark}]")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for i, note in enumerate(footnotes, 1):
        lines.append(f"[{i}] {note}")
    if any(c["source"] in (SOURCE_CACHEGRIND, SOURCE_CALLGRIND) for c in configs):
        lines += ["", SIMULATION_PREFETCH_NOTE]
    notes = sorted({n for c in configs for n in c.get("notes", [])})
    if notes:
        lines.append("")
        lines.append("Counters that gave no number or were scaled: " + "; ".join(notes))
    lines.append("")
    lines.append("Columns: " + "; ".join(f"{labels[m]} = {METRICS[m][1]}" for m in shown) + ".")
    return "\n".join(lines) + "\n"


def attribution_table(config: dict) -> str:
    rows = config.get("functions") or []
    if not rows:
        return ""
    # The second level's column: "LL read misses" (a model) or the machine level it simulated.
    second = next((k for k in rows[0] if k.endswith(" read misses") and not k.startswith("D1")),
                  "LL read misses")
    lines = [f"Per-function attribution, {config_label(config)} ({config['source_detail']}; self costs, "
             f"{config.get('attribution_scope', 'whole process')}; share = of the whole process's D1 read misses):",
             "",
             f"| function | Ir | D1 read misses | {second} | share of D1 read misses |",
             "|---|---:|---:|---:|---:|"]
    for r in rows:
        share = next((v for k, v in r.items() if k.startswith("share of")), None)
        lines.append(f"| {r['function']} | {r['Ir']:,} | {r['D1 read misses']:,} | {r.get(second, 0):,} "
                     f"| {_fmt(share, rate=True)} |")
    return "\n".join(lines) + "\n"


def plot_misses_per_element(configs: list[dict], metric: str = "l1d_read_misses_per_element",
                            title: str = "Cache misses per element vs map size") -> str:
    """An SVG line plot of `metric` against size, one line per variant (op, storage, prefetch)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    series: dict[str, list[tuple[int, float]]] = {}
    sources = set()
    for c in configs:
        value = c["metrics"].get(metric)
        if value is None or "n" not in c:
            continue
        key = " ".join(f"{k}={c[k]}" for k in ("op", "storage", "prefetch", "layer") if k in c)
        series.setdefault(key, []).append((int(c["n"]), value))
        sources.add(c["source_detail"])
    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    for key in sorted(series):
        points = sorted(series[key])
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=key)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("map size (entries)")
    ax.set_ylabel(METRICS[metric][0])
    ax.set_title(title)
    if series:
        ax.legend(fontsize=7)
    fig.text(0.01, 0.01, "source: " + "; ".join(sorted(sources))[:160], fontsize=6)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
