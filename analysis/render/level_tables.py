"""The level sweep (cache_levels.json, benchmarks/profiling/level_sweep.py) as a markdown
section of cachemiss.md and as plots/cache_levels.svg: simulated read misses per element
against n, one line per cache level of the machine, each level's capacity marked as the
size where the predicted table fills it (analysis/counters/cache_levels.py). Pure."""
from __future__ import annotations

import io

from mapbench.analysis.counters import cache_levels

PLOT_FILE = "cache_levels.svg"
MAPS = (("classic", "classic map (Go 1.19)"), ("swiss", "Swiss map (Go 1.24)"))
COLOURS = ("tab:blue", "tab:orange", "tab:red", "tab:purple")


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    return "0" if value == 0 else f"{value:.4f}" if value < 1 else f"{value:.2f}"


def _levels(doc: dict) -> list[dict]:
    return [lv for lv in doc.get("levels", []) if isinstance(lv, dict) and lv.get("name")]


def hardware_events(doc: dict) -> dict[str, str]:
    """{level: perf event} of the levels perf counted on this machine (cache_levels.json
    `hardware`, benchmarks/profiling/collectors/perf_levels.py); {} where none."""
    record = doc.get("hardware")
    events = record.get("events") if isinstance(record, dict) else None
    return {k: v for k, v in events.items() if isinstance(v, str)} if isinstance(events, dict) else {}


def hardware_line(doc: dict) -> str:
    """One line on the perf hardware counters: which events, or why there are none."""
    record = doc.get("hardware")
    if not isinstance(record, dict):
        return ""
    events = hardware_events(doc)
    if events:
        return ("perf hardware counter columns: " + ", ".join(f"{lv} = {ev}" for lv, ev in events.items())
                + f" (this machine's perf list); {record.get('source', 'perf stat')}"
                + (f"; {'; '.join(record['notes'])}" if record.get("notes") else "") + ".")
    return (f"perf hardware counters: {record.get('why_not') or 'none'}; the columns are "
            "simulation only (no hardware counter columns).")


def levels_markdown(doc: dict) -> str:
    """Per map: one row per size, a column per level (named; 'last level' only if it is),
    and beside them a "perf hardware counter" column per level the machine counts."""
    levels = _levels(doc)
    hardware = hardware_events(doc)
    out = ["## Misses per element at every cache level of this machine", ""]
    header = ["map", "n"] + [f"{lv['label'].replace(' misses', ' read misses')}/elem (simulated)" for lv in levels]
    header += [f"{lv} misses/elem (perf hardware counter {ev})" for lv, ev in hardware.items()]
    header += ["table lines/elem (predicted)", "instr/elem"]
    out += ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    for row in doc.get("rows", []):
        per = row.get("per_element", {})
        cells = [row["map"], f"2^{row['n'].bit_length() - 1}" if row["n"] & (row["n"] - 1) == 0 else str(row["n"])]
        cells += [_fmt(per.get(lv["name"])) for lv in levels]
        counted = row.get("hardware_per_element") or {}
        cells += [_fmt(counted.get(lv)) for lv in hardware]
        cells += [_fmt(row.get("table_lines_per_element")), _fmt(row.get("instructions_per_element"))]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append(f"Source: {doc.get('source', 'callgrind simulation')}; {doc.get('metric', 'read misses per element')}. "
               "Each level's column comes from its own pass (valgrind simulates D1 and one LL): "
               + "; ".join(f"{lv['name']}: this machine's {lv.get('machine')}, simulated as {lv.get('simulated', lv.get('machine'))}"
                           + (f" ({lv['rounding']})" if lv.get("rounding") else "") for lv in levels)
               + f". Table lines: {doc.get('table_lines_source', 'predicted')}.")
    if hardware_line(doc):
        out += ["", hardware_line(doc)]
    return "\n".join(out) + "\n"


def levels_plot(doc: dict, layout: dict | None = None,
                measured: dict[str, list[tuple[int, float]]] | None = None) -> str:
    """SVG: per map a panel, misses/element vs n, a line per level, dotted verticals where
    the table fills each level: from `measured` table bytes (bench.json, the ns/element
    plot's marks) where given, else predicted from the layout (cache_levels.fill)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    levels = _levels(doc)
    rows = doc.get("rows", [])
    fig = Figure(figsize=(9, 4))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (kind, title) in zip(axes, MAPS):
        mine = sorted((r for r in rows if r.get("map") == kind), key=lambda r: r["n"])
        for colour, lv in zip(COLOURS, levels):
            points = [(r["n"], r["per_element"].get(lv["name"])) for r in mine]
            points = [(n, v) for n, v in points if v is not None]
            if points:
                ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=colour,
                        label=lv["label"], gid=f"level-{lv['name']}")
            fill, _ = cache_levels.fill(kind, int(lv["size_bytes"]), layout, measured)
            ax.axvline(fill, color=colour, linestyle=":", linewidth=1, gid=f"fill-{lv['name']}")
            ax.annotate(f"{lv['name']} full", xy=(fill, 1), xycoords=("data", "axes fraction"),
                        xytext=(2, -2), textcoords="offset points", va="top", fontsize=7, color=colour)
        lines = [(r["n"], r.get("table_lines_per_element")) for r in mine if r.get("table_lines_per_element")]
        if lines:
            ax.plot([p[0] for p in lines], [p[1] for p in lines], color="grey", linestyle="--",
                    linewidth=1, label="table lines/elem (predicted)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("map size (entries)")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=6)
    axes[0].set_ylabel("simulated read misses per element")
    how = "measured table bytes" if measured else "table predicted from the layout"
    fig.suptitle(f"Cache misses per element at each level of this machine (dotted: where the table fills it, {how})",
                 fontsize=9)
    fig.text(0.01, 0.01, "source: " + str(doc.get("source", ""))[:170], fontsize=6)
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
