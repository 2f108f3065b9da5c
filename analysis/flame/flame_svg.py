"""Write laid-out frames as one self-contained, interactive SVG document.

Safety of names: a frame name is only ever written as XML character data (inside
<title> and <text>), never into an attribute, a style or the script, and always
through `xml_text`, which escapes `&`, `<`, `>` and replaces what XML 1.0 cannot
carry (lone surrogates from surrogateescape'd bytes, control characters,
U+FFFE/U+FFFF) with U+FFFD. So a name like `</script><script>alert(1)</script>` or
`]]>` is shown literally and everything representable reaches the tooltip intact.

Geometry: `XPAD` px margins left and right; the root frame spans the rest. Rows are
FRAME_HEIGHT px; the normal view grows up from the bottom, the icicle view
(`inverted`) grows down from under the title. Coordinates are written with two
decimals, colours and labels are pure functions of the name and width, and frames
come in (depth, start) order, so equal input gives byte-identical output.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable

from mapbench.analysis.flame.flame_assets import CSS, JS
from mapbench.analysis.flame.flame_colors import HIGHLIGHT
from mapbench.analysis.flame.flame_layout import Frame

XPAD = 10
FRAME_HEIGHT = 16
FONT_SIZE = 12
CHAR_WIDTH = FONT_SIZE * 0.59      # Verdana's average advance, as flamegraph.pl assumes
TITLE_ROOM = FONT_SIZE * 3         # above the frames: title and buttons
SUBTITLE_ROOM = FONT_SIZE * 2
FOOTER_ROOM = FONT_SIZE * 2 + 10   # below the frames: the details line

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def displayable(text: str) -> str:
    """`text` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def xml_text(text: str) -> str:
    """`text` as XML character data that reads back as `displayable(text)`."""
    text = displayable(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")     # a raw CR would be normalised to LF
    return text


def fit_label(name: str, width_px: float) -> str:
    """The visible label of a box `width_px` wide: the name, a prefix + "..", or ""."""
    chars = int((width_px - 6) // CHAR_WIDTH)
    if chars < 3:
        return ""
    if len(name) <= chars:
        return name
    return name[: chars - 2] + ".."


def svg_height(max_depth: int, has_subtitle: bool) -> int:
    top = TITLE_ROOM + (SUBTITLE_ROOM if has_subtitle else 0)
    return top + (max_depth + 1) * FRAME_HEIGHT + FOOTER_ROOM


def write_svg(frames: Iterable[Frame], *, total: int, max_depth: int, width: int,
              title: str, subtitle: str | None, inverted: bool,
              fill_of: Callable[[Frame], str], info_of: Callable[[Frame], str]) -> str:
    """The SVG document. `fill_of(frame)` gives the colour and `info_of(frame)` the
    tooltip's second line, which must start with the frame's weight ("1,234 ...")."""
    has_subtitle = bool(subtitle)
    height = svg_height(max_depth, has_subtitle)
    top = TITLE_ROOM + (SUBTITLE_ROOM if has_subtitle else 0)
    span = width - 2 * XPAD
    scale = span / total
    bottom = height - FOOTER_ROOM
    escaped: dict[str, str] = {}

    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n',
        f'<svg version="1.1" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'xmlns="http://www.w3.org/2000/svg">\n',
        f"<style>{CSS}</style>\n",
        f'<script type="text/ecmascript"><![CDATA[{JS}]]></script>\n',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f4f4f4"/>\n',
        f'<text class="title" x="{width / 2:.1f}" y="{FONT_SIZE * 2}">{xml_text(title)}</text>\n',
    ]
    if has_subtitle:
        out.append(f'<text class="subtitle" x="{width / 2:.1f}" y="{FONT_SIZE * 4}">'
                   f"{xml_text(subtitle)}</text>\n")
    out.append(f'<text id="unzoom" class="button off" x="{XPAD}" y="{FONT_SIZE * 2}">Reset Zoom</text>\n')
    out.append(f'<text id="search" class="button" x="{width - XPAD}" y="{FONT_SIZE * 2}">Search</text>\n')
    out.append(f'<text id="details" x="{XPAD}" y="{height - FOOTER_ROOM / 2 + 5:.1f}"> </text>\n')
    out.append(f'<text id="matched" x="{width - XPAD}" y="{height - FOOTER_ROOM / 2 + 5:.1f}"> </text>\n')
    out.append(f'<g id="frames" data-xpad="{XPAD}" data-span="{span}" data-charw="{CHAR_WIDTH:.2f}" '
               f'data-inverted="{1 if inverted else 0}" data-highlight="{HIGHLIGHT}">\n')

    append = out.append
    for frame in frames:
        x = XPAD + frame.start * scale
        w = frame.width * scale
        if inverted:
            y = top + frame.depth * FRAME_HEIGHT
        else:
            y = bottom - (frame.depth + 1) * FRAME_HEIGHT + 1
        name = frame.name
        text = escaped.get(name)
        if text is None:
            text = escaped[name] = xml_text(name)
        label = fit_label(name, w)
        label_text = (text if label == name else xml_text(label)) if label else ""
        group = '<g class="root">' if frame.depth == 0 else "<g>"
        append(f"{group}<title>{text}\n{xml_text(info_of(frame))}</title>"
               f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{FRAME_HEIGHT - 1}" '
               f'fill="{fill_of(frame)}"/><text x="{x + 3:.2f}" y="{y + 11}">{label_text}</text></g>\n')
    out.append("</g>\n</svg>\n")
    return "".join(out)


def format_info(samples: int, total: int, count_name: str) -> str:
    """'1,234 samples, 12.34%': the weight line every tooltip starts with."""
    return f"{samples:,} {count_name}, {100 * samples / total:.2f}%"
