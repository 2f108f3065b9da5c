"""The HTML page every mapbench page uses: one inline style sheet, escaped tables, no scripts."""
from __future__ import annotations

import html

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;max-width:78em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:right;font-variant-numeric:tabular-nums}
th:first-child,td:first-child{text-align:left}
tr.slower td{background:#fde2e1} tr.faster td{background:#e0f5e0}
.warn{background:#fff6d5;padding:.5em 1em;border-left:4px solid #e0b000}
.method{color:#555;font-size:.9em}
img.flame{max-width:100%;border:1px solid #ddd}
img.plot{max-width:100%} figure{display:inline-block;margin:.5em;vertical-align:top}
table.env th{text-align:left;vertical-align:top} pre{margin:0;font-size:.85em}
"""


def html_table(header, rows, *, row_classes=None, row_attrs=None) -> str:
    """An HTML table from plain cells (escaped); optional per-row class and data attributes."""
    parts = ["<table>", "<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
             + "</tr>"]
    for i, row in enumerate(rows):
        attrs = ""
        if row_classes:
            attrs += f' class="{html.escape(row_classes[i])}"'
        if row_attrs:
            attrs += "".join(f' {k}="{html.escape(str(v))}"' for k, v in row_attrs[i].items())
        parts.append(f"<tr{attrs}>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row)
                     + "</tr>")
    parts.append("</table>")
    return "\n".join(parts)


def page(title: str, body: str) -> str:
    """A complete, self-contained HTML page (inline style, no scripts, no network)."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n"
            f"<body>\n{body}\n</body></html>\n")
