"""What a source line of the maps loads, named from its text: "tophash[i] load", "overflow
pointer", "control word", ...: the words the article's questions use.

RULES is read top down and the first rule whose pattern is found in the line's code
names it; a line that names both a key and a value slot is "key and value loads". A line
no rule matches has no name (None): its caller shows the code instead. The names say
which memory a line reads, read from the code of native/src/{classic,swiss}; they are
not measured. Add a name by adding a rule.
"""
from __future__ import annotations

import re

# (pattern, name): the structural loads first (they often mention keys or slots too).
RULES: tuple[tuple[str, str], ...] = (
    (r"\bfold\(", "key and value loads (read where the kernel folds them into its checksum)"),
    (r"\boverflow\b", "overflow pointer"),
    (r"tophash", "tophash[i] load"),
    (r"\bctrl\b|CTRL_|control|full_slots", "control word"),
    (r"director(y|ies)|\bdir(Len|Idx|Offset)?\b|globalDepth", "directory load"),
    (r"lengthMask|->capacity|->groups|localDepth|->index\b|swiss_table\b", "table header"),
    (r"\bbuckets\b|oldbuckets|->B\b", "bucket array header"),
)
_KEY = re.compile(r"\bkeys?\b|->key\b|\*k\b")
_VALUE = re.compile(r"\belems?\b|->elem\b|\bvalues?\b|\*e\b")
_SLOT = re.compile(r"\bslots?\b")
_COMPILED = tuple((re.compile(pattern), name) for pattern, name in RULES)


def load_name(code: str | None) -> str | None:
    """The load a line of C performs, by its text (see RULES); None when no rule knows it."""
    if not code:
        return None
    text = code.split("/*", 1)[0].split("//", 1)[0]        # comments name other things
    for pattern, name in _COMPILED:
        if pattern.search(text):
            return name
    key, value = bool(_KEY.search(text)), bool(_VALUE.search(text))
    if key and value:
        return "key and value loads"
    if key:
        return "key load"
    if value:
        return "value load"
    if _SLOT.search(text):
        return "slot load"
    return None


# The maps' only vector loads (native/src): the Swiss map's control words (_mm_loadl_epi64 of
# g.ctrl in swiss/iter.c), the classic map's tophash bytes (of b.tophash in classic/iter.c).
INTRINSIC_LOADS = {"native/src/swiss/": "control word (SSE2 load of ctrl)",
                   "native/src/classic/": "tophash[i] load (SSE2 load of tophash)"}


def describe_row(row, code: str | None) -> str:
    """describe_line, and for a row inlined from the compiler's intrinsic headers the vector
    load it is, by the map whose function it is in."""
    if isinstance(row, dict) and row.get("intrinsic"):
        own = str(row.get("fn_file") or "")
        for folder, name in INTRINSIC_LOADS.items():
            if own.startswith(folder):
                return name
        return f"vector load inlined from {row.get('file')}"
    return describe_line(code)


def describe_line(code: str | None) -> str:
    """The load's name, else the code itself in backquotes, else "(source not stored)"."""
    name = load_name(code)
    if name:
        return name
    text = (code or "").strip()
    return f"`{text}`" if text else "(source not stored)"
