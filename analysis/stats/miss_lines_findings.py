"""The finding "where the misses are", one per map: for full iteration (stack iterator, no
prefetch) at each size the count pass counted, the source lines that carry at least
HOT_SHARE of the simulated D1 and LL misses, each named by the load it performs
(mapbench.analysis.counters.load_names: "tophash[i] load", "control word", ...).

Fed from the run's per-line data (lines.json.gz, RunData.lines): callgrind's simulation
of the timed region only. D1 is the simulated L1 data cache; LL is the count pass's
pinned last-level model (the same geometry on every machine, so runs compare), not this
machine's LLC. Misses are reads + writes (D1mr + D1mw, DLmr + DLmw), per element.
The numbers are exact simulation counts: nothing is tested, the significance word says so.
"""
from __future__ import annotations

from collections.abc import Mapping

from mapbench.analysis.counters.load_names import describe_row
from mapbench.analysis.stats import finding_kit as findings

HOT_SHARE = 0.80                  # the lines named carry at least this share of a level's misses
MOST_LINES = 5                    # at most this many named per size and level; the rest counted
LEVELS = (("D1", ("D1mr", "D1mw")), ("LL", ("DLmr", "DLmw")))
# (map label, benchmark name prefix; the size follows)
MAPS = (("classic map", "iterate/storage=stack/prefetch=0/n="),
        ("Swiss map", "iterate/map=swiss/storage=stack/prefetch=0/n="))
SOURCE = ("callgrind simulation, timed region (lines.json.gz, the count pass); misses = reads + writes; "
          "D1 = simulated L1 data cache; LL = the count pass's pinned cache model, not this machine's LLC")


def _value(row: Mapping, events) -> float:
    return sum(float(row.get(e) or 0) for e in events if isinstance(row.get(e), (int, float)))


def hot_lines(entry: Mapping, events, share: float = HOT_SHARE) -> tuple[float, list[tuple[Mapping, float]]]:
    """(misses per element of the benchmark, [(line row, its misses per element)]): the
    fewest lines, largest first, whose misses reach `share` of the total."""
    rows = [(row, _value(row, events)) for row in entry.get("lines", []) if isinstance(row, Mapping)]
    rows = sorted((r for r in rows if r[1] > 0), key=lambda r: (-r[1], r[0].get("file", ""), r[0].get("line", 0)))
    totals = entry.get("totals") if isinstance(entry.get("totals"), Mapping) else {}
    total = _value(totals, events) or sum(v for _, v in rows)
    hot, covered = [], 0.0
    for row, value in rows:
        if total <= 0 or covered >= share * total:
            break
        hot.append((row, value))
        covered += value
    return total, hot


def _code(sources: Mapping, row: Mapping) -> str | None:
    text = sources.get(row.get("file")) if isinstance(sources, Mapping) else None
    line = row.get("line")
    if not isinstance(text, str) or not isinstance(line, int) or line < 1:
        return None
    lines = text.splitlines()
    return lines[line - 1] if line <= len(lines) else None


def _level_words(level: str, entry: Mapping, events, sources: Mapping) -> str:
    total, hot = hot_lines(entry, events)
    if total <= 0 or not hot:
        return f"no {level} misses"
    shown = hot[:MOST_LINES]
    parts = []
    for row, value in shown:
        place = f"{str(row.get('file', '?')).rsplit('/', 1)[-1]}:{row.get('line', '?')}"
        inlined = ", inlined" if row.get("inlined") else ""
        parts.append(f"{place} {describe_row(row, _code(sources, row))} ({100 * value / total:.0f}%{inlined})")
    rest = f" and {len(hot) - len(shown)} more line(s)" if len(hot) > len(shown) else ""
    share = sum(v for _, v in hot) / total
    return (f"{level} {total:.3g} misses/element, {100 * share:.0f}% on " + "; ".join(parts) + rest)


def where_the_misses_are(data: "findings.RunData") -> list["findings.Finding"]:
    doc = getattr(data, "lines", None)
    benches = doc.get("benchmarks") if isinstance(doc, Mapping) else None
    if not isinstance(benches, Mapping):
        return []
    sources = doc.get("sources") if isinstance(doc.get("sources"), Mapping) else {}
    out = []
    for label, prefix in MAPS:
        sizes = sorted(int(name[len(prefix):]) for name in benches
                       if name.startswith(prefix) and name[len(prefix):].isdigit())
        if not sizes:
            continue
        clauses = []
        for n in sizes:
            entry = benches[f"{prefix}{n}"]
            levels = [_level_words(level, entry, events, sources) for level, events in LEVELS]
            clauses.append(f"at n={findings.size_label(n)}: " + "; ".join(levels))
        sentence = (f"full iteration of the {label} (stack iterator, no prefetch), the lines that carry "
                    f"{100 * HOT_SHARE:.0f}% of the misses: " + ". ".join(clauses))
        out.append(findings.Finding(f"Where the misses are: {label}", sentence, findings.UNTESTED, SOURCE))
    return out
