"""Text, markdown and HTML of per-line costs: `mapbench list` (pprof -list style) and the
"Where" section of `mapbench compare`.

Every number here is a callgrind simulation of the benchmark's timed region, per element
(lines.json.gz, schema in profiles/README.md); each view says so in its header. Columns:
Ir (instructions), D1 (L1 data misses, read + write), LL (data misses of the count pass's pinned LL model, read +
write), Bcm (mispredicted conditional branches). "." is zero, as in pprof.

Pure: dicts and dataclasses in, text out.
"""
from __future__ import annotations

import html

from mapbench.analysis.stats import line_delta

COLUMNS = ("Ir", "D1", "LL", "Bcm")
UNITS = "callgrind simulation, timed region, per element"
NO_SOURCE = "source text not stored"


def fmt(value: float) -> str:
    if value == 0:
        return "."
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3f}" if abs(value) >= 0.001 else f"{value:.2g}"


def fmt_delta(value: float) -> str:
    return "0" if value == 0 else ("+" if value > 0 else "") + fmt(value)


def _sum(rows: list[dict]) -> dict:
    return {c: sum(line_delta.metric_value(r, c) for r in rows) for c in COLUMNS}


def _cols(values: dict) -> str:
    return "".join(f"{fmt(values[c]):>10}" for c in COLUMNS)


def function_listing(fn: str, rows: list[dict], sources: dict, *, from_checkout=(),
                     metric: str | None = None, top: int | None = None,
                     context: int = 2) -> str:
    """One function's block: header with its totals, then its lines per file (its own file
    first, inlined files after). Without `metric`: source order over each file's costed
    range, with `context` uncosted lines around; with it: only lines where `metric` is
    non-zero, largest first, at most `top`."""
    totals = _sum(rows)
    own = next((r["file"] for r in rows if not r.get("inlined")), rows[0]["file"])
    out = [f"ROUTINE ======================== {fn} in {own}",
           f"  totals ({UNITS}): " + "  ".join(f"{c} {fmt(totals[c])}" for c in COLUMNS),
           f"{'Ir':>10}{'D1':>10}{'LL':>10}{'Bcm':>10}  {'line':>5}  source"]
    files = sorted({r["file"] for r in rows}, key=lambda f: (f != own, f))
    if metric:
        chosen = [r for r in rows if line_delta.metric_value(r, metric) != 0]
        chosen.sort(key=lambda r: -line_delta.metric_value(r, metric))
        for r in chosen[:top] if top else chosen:
            out.append(_row_text(r, sources, with_file=True))
        if not chosen:
            out.append(f"  (no line with non-zero {metric})")
        return "\n".join(out) + "\n"
    for file in files:
        mine = sorted((r for r in rows if r["file"] == file), key=lambda r: r["line"])
        inlined = any(r.get("inlined") for r in mine)
        note = " (inlined into " + fn + ")" if inlined else ""
        if file in from_checkout:
            note += " (source from the checkout: the run stored none)"
        if file not in sources:
            note += f" ({NO_SOURCE})"
        out.append(f"  -- {file}{note}")
        by_line = {r["line"]: r for r in mine}
        text = (sources.get(file) or "").splitlines()
        costed = [n for n in by_line if n > 0]
        if 0 in by_line:
            out.append(_row_text(by_line[0], sources))
        if not costed:
            continue
        if not text:
            for n in sorted(costed):
                out.append(_row_text(by_line[n], sources))
            continue
        show = sorted({k for n in costed for k in range(max(1, n - context),
                                                         min(len(text), n + context) + 1)}
                      | set(costed))
        prev = None
        for n in show:
            if prev is not None and n > prev + 1:
                out.append(f"{'':>40}  {'...':>5}")
            prev = n
            if n in by_line:
                out.append(_row_text(by_line[n], sources))
            else:
                out.append(f"{'.':>10}{'.':>10}{'.':>10}{'.':>10}  {n:>5}  {text[n - 1] if n <= len(text) else ''}")
    return "\n".join(out) + "\n"


def _row_text(row: dict, sources: dict, with_file: bool = False) -> str:
    values = {c: line_delta.metric_value(row, c) for c in COLUMNS}
    mark = " [inlined]" if row.get("inlined") else ""
    if row["line"] == 0:
        return f"{_cols(values)}  {'-':>5}  (no line information){mark}"
    code = line_delta.source_line(sources, row["file"], row["line"])
    where = f"{row['file']}:{row['line']}  " if with_file or code is None else ""
    if code is None:
        return f"{_cols(values)}  {row['line']:>5}  {where}({NO_SOURCE}){mark}"
    return f"{_cols(values)}  {row['line']:>5}  {where}{code.rstrip()}{mark}"


def listing(bench: str, source: str, functions: dict[str, list[dict]], sources: dict, *,
            from_checkout=(), metric: str | None = None, top: int | None = None,
            samples_note: str = "perf samples: none in this run") -> str:
    head = [f"benchmark {bench}: {UNITS} ({source})",
            "columns: Ir instructions, D1 L1 data misses (read+write), LL data misses (read+write) "
            "of the count pass's pinned cache model (a model, not this machine's last level), "
            "Bcm mispredicted conditional branches; '.' is zero",
            samples_note, ""]
    blocks = [function_listing(fn, rows, sources, from_checkout=from_checkout, metric=metric,
                               top=top) for fn, rows in functions.items()]
    return "\n".join(head) + "\n".join(blocks)


# -- deltas (compare's "Where" section, `mapbench list --diff`) --

def _code(d: line_delta.LineDelta) -> str:
    if d.status == line_delta.CHANGED and d.base_text is not None and d.head_text is not None:
        return f"{d.base_text.strip()}  ->  {d.head_text.strip()}"
    text = d.text
    if d.row["line"] == 0:
        return "(no line information)"
    return text.strip() if text is not None else f"({NO_SOURCE})"


def _where(d: line_delta.LineDelta) -> str:
    if d.base and d.head and d.base["line"] != d.head["line"]:
        return f"{d.head['file']}:{d.base['line']}->{d.head['line']}"
    return d.where


def delta_text(bd: line_delta.BenchLineDelta, metric: str = "Ir", limit: int = 10,
               base_label: str = "base", head_label: str = "head") -> str:
    total = bd.total_delta(metric)
    out = [f"{bd.name}: {metric}/element {fmt(line_delta.metric_value(bd.base_totals, metric))} "
           f"-> {fmt(line_delta.metric_value(bd.head_totals, metric))} ({fmt_delta(total)}; "
           f"{UNITS}; {base_label} -> {head_label})",
           f"  lines account for {fmt_delta(total - bd.residual(metric))}, residual "
           f"{bd.residual(metric):+.3g}"]
    for fn, v in bd.by_function(metric)[:5]:
        out.append(f"  function {fn}: {fmt_delta(v)}")
    for d in bd.top(metric, limit):
        out.append(f"  {fmt_delta(d.delta(metric)):>9}  {fmt(line_delta.metric_value(d.base, metric)):>8} -> "
                   f"{fmt(line_delta.metric_value(d.head, metric)):<8} {d.status:<8} {d.fn}  "
                   f"{_where(d)}  {_code(d)}" + (" [inlined]" if d.row.get("inlined") else ""))
    return "\n".join(out) + "\n"


def where_markdown(deltas: list[line_delta.BenchLineDelta], metric: str = "Ir", limit: int = 10,
                   source: str = "") -> str:
    out = [f"Per-line costs of each benchmark whose counts changed ({UNITS}; {source}). Lines "
           "are matched by function and source text, not line number; `changed` pairs an "
           "edited line with its old text. Deltas add up to the benchmark's delta; the "
           "residual is stated.", ""]
    for bd in deltas:
        total = bd.total_delta(metric)
        out += [f"#### {bd.name}", "",
                f"{metric}/element {fmt(line_delta.metric_value(bd.base_totals, metric))} -> "
                f"{fmt(line_delta.metric_value(bd.head_totals, metric))} ({fmt_delta(total)}); "
                f"the lines below and the rest add up to it, residual {bd.residual(metric):+.3g}.",
                "", f"| delta {metric}/element | before -> after | status | function | file:line | code |",
                "|---:|---|---|---|---|---|"]
        for d in bd.top(metric, limit):
            code = _code(d).replace("|", "\\|")
            out.append(f"| {fmt_delta(d.delta(metric))} | {fmt(line_delta.metric_value(d.base, metric))} -> "
                       f"{fmt(line_delta.metric_value(d.head, metric))} | {d.status} | {d.fn} | "
                       f"{_where(d)} | `{code}` |")
        out.append("")
    return "\n".join(out)


def where_html(deltas: list[line_delta.BenchLineDelta], metric: str = "Ir", limit: int = 10,
               source: str = "") -> str:
    e = html.escape
    out = [f"<p>Per-line costs of each benchmark whose counts changed ({e(UNITS)}; {e(source)}). "
           "Lines are matched by function and source text, not line number. Deltas add up to "
           "the benchmark's delta; the residual is stated.</p>"]
    for bd in deltas:
        total = bd.total_delta(metric)
        out.append(f"<h4>{e(bd.name)}</h4><p>{e(metric)}/element "
                   f"{e(fmt(line_delta.metric_value(bd.base_totals, metric)))} -&gt; "
                   f"{e(fmt(line_delta.metric_value(bd.head_totals, metric)))} ({e(fmt_delta(total))}), "
                   f"residual {bd.residual(metric):+.3g}</p>")
        out.append(f"<table><tr><th>delta {e(metric)}/element</th><th>before -&gt; after</th>"
                   "<th>status</th><th>function</th><th>file:line</th><th>code</th></tr>")
        for d in bd.top(metric, limit):
            out.append(f"<tr><td>{e(fmt_delta(d.delta(metric)))}</td><td>"
                       f"{e(fmt(line_delta.metric_value(d.base, metric)))} -&gt; "
                       f"{e(fmt(line_delta.metric_value(d.head, metric)))}</td><td>{e(d.status)}</td>"
                       f"<td>{e(d.fn)}</td><td>{e(_where(d))}</td><td><code>{e(_code(d))}</code></td></tr>")
        out.append("</table>")
    return "\n".join(out)
