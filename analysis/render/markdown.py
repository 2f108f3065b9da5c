"""The .md files mapbench writes (summary.md, cachemiss.md, compare.md) as HTML fragments.

CommonMark through markdown-it-py, with its GitHub-style pipe tables switched on; raw
HTML in the input is escaped, never passed through. Headings move down one level
(`#` becomes <h2>): inside a page, the page's own <h1> is the run.
"""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

HEADING_SHIFT = 1


def _shift_headings(state) -> None:
    """A core rule: every heading token's tag one level down, capped at h6."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1:]) + HEADING_SHIFT)}"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.core.ruler.push("mapbench_shift_headings", _shift_headings)
    return md


def to_html(text: str) -> str:
    """CommonMark + pipe tables -> an HTML fragment (input HTML escaped)."""
    return _parser().render(text)
