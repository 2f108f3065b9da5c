"""A comparison as the Markdown of a pull-request comment (`mapbench compare --format github`).

Layout, for a reader who sees the first line in a notification and opens the rest if needed:
  1. the verdict, one line: what the deciding metric says (counts: callgrind, exact; time:
     pyperf and its test) and the gate's outcome when --fail-on-regression was given;
  2. a table of the changed benchmarks only (base, head, change), largest change first;
  3. when the runs have per-line data, `<details>` with the lines that account for the
     changes (compare's "Where" section);
  4. `<details>`: every benchmark of the deciding metric, the other metrics' summary lines,
     the method and the warnings.

Pure: a Verdict built from the comparison objects in, Markdown out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mapbench.analysis.stats.compare import FASTER, SLOWER, UNCHANGED

MARK = {"fail": ":x:", "more": ":warning:", "less": ":white_check_mark:", "same": ":heavy_minus_sign:"}


@dataclass(frozen=True)
class Row:
    name: str
    base: str
    head: str
    change: float
    verdict: str                 # compare's SLOWER / FASTER / UNCHANGED


@dataclass
class Verdict:
    base_label: str
    head_label: str
    metric: str                  # what decided, in words with its source
    words: tuple[str, str, str]  # (plural more, plural less, singular less): counts say
                                 # "do more work", "do less work", "does less work"
    rows: list[Row]
    gate_pct: float | None = None
    gate_failed: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)      # Markdown paragraphs for <details>
    where: tuple[str, str] | None = None     # (title, Markdown): the lines behind the changes


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def verdict_line(v: Verdict) -> str:
    more_word, less_word, less_one = v.words
    n = len(v.rows)
    more = [r for r in v.rows if r.verdict == SLOWER]
    less = [r for r in v.rows if r.verdict == FASTER]
    if v.gate_failed:
        head = (f"{MARK['fail']} **{len(v.gate_failed)} of {n} benchmarks {more_word} by more "
                f"than {v.gate_pct:g}%**")
    elif more:
        head = f"{MARK['more']} **{len(more)} of {n} benchmarks {more_word}**"
        head += f", {len(less)} {less_word}" if less else ""
    elif less and len(less) == n:
        head = f"{MARK['less']} **every benchmark measured {less_one}** ({n} of {n})"
    elif less:
        head = f"{MARK['less']} **{len(less)} of {n} benchmarks {less_word}**, none {more_word}"
    else:
        head = f"{MARK['same']} **no benchmark changed** ({n} benchmarks)"
    gate = ""
    if v.gate_pct is not None:
        gate = " · gate failed" if v.gate_failed else f" · gate passed ({v.gate_pct:g}%)"
    return f"{head} · {v.metric} · {v.head_label} vs {v.base_label}{gate}"


def _table(rows: list[Row]) -> list[str]:
    lines = ["| benchmark | base | head | change |", "|---|---:|---:|---:|"]
    lines += [f"| `{_md_cell(r.name)}` | {r.base} | {r.head} | {r.change:+.2%} |" for r in rows]
    return lines


def render(v: Verdict) -> str:
    changed = sorted((r for r in v.rows if r.verdict != UNCHANGED), key=lambda r: -abs(r.change))
    out = [verdict_line(v), ""]
    if changed:
        out += [f"Changed ({len(changed)} of {len(v.rows)}), {v.metric}:", ""] + _table(changed) + [""]
    if v.where:
        out += ["<details>", f"<summary>{v.where[0]}</summary>", "", v.where[1].strip(), "", "</details>", ""]
    out += ["<details>", f"<summary>All {len(v.rows)} benchmarks, method and notes</summary>", ""]
    out += _table(sorted(v.rows, key=lambda r: r.name)) + [""]
    for paragraph in v.details:
        out += [paragraph, ""]
    out += ["</details>", ""]
    return "\n".join(out)
