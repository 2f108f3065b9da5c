"""Markdown tables with a title and a source line: the one table shape of summary.md,
compare.md and the peers' sections (every table says where its numbers come from)."""
from __future__ import annotations


def fmt(value: float | None, spec: str) -> str:
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
