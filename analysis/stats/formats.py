"""How the comparisons print numbers: pyperf times with their unit, relative changes, p."""
from __future__ import annotations

import math


def format_seconds(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    for scale, unit in ((1e-9, "ns"), (1e-6, "us"), (1e-3, "ms")):
        if abs(value) < scale * 1000:
            return f"{value / scale:.4g} {unit}"
    return f"{value:.4g} s"


def format_change(change: float) -> str:
    return "n/a" if not math.isfinite(change) else f"{change * 100:+.1f}%"


def format_p(p: float) -> str:
    return "n/a" if not math.isfinite(p) else f"{p:.2g}"
