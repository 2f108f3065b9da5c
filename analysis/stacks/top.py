"""pprof's `-top` text table from a profile dict.

For each frame name (a node): flat = weight of the stacks whose leaf it is;
cum = weight of the stacks it appears in, counted once per stack however often
a recursive stack repeats it. Columns as `go tool pprof -top` prints them:
flat, flat%, sum% (running total of flat%), cum, cum%, name. Percentages are of
the total weight; the table shows the first `nodes` rows after sorting.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mapbench.analysis.errors import InputError

SORTS = ("flat", "cum")


@dataclass(frozen=True)
class Node:
    name: str
    flat: int
    cum: int


def node_weights(stacks: Mapping[str, int]) -> list[Node]:
    """flat and cum weight of every frame name, in no particular order."""
    flat: dict[str, int] = {}
    cum: dict[str, int] = {}
    for stack, weight in stacks.items():
        if not stack:
            continue  # samples with no frames count in the total only
        frames = stack.split(";")
        leaf = frames[-1]
        flat[leaf] = flat.get(leaf, 0) + weight
        for name in set(frames):
            cum[name] = cum.get(name, 0) + weight
    return [Node(name, flat.get(name, 0), total) for name, total in cum.items()]


def _percent(part: int, total: int) -> str:
    """As pprof's measurement.Percentage: `100%`, `12.34%`, or 2 significant digits below 1%."""
    ratio = abs(100.0 * part / total) if total else 0.0
    if 99.95 <= ratio <= 100.05:
        return "100%"
    if ratio >= 1.0:
        return f"{ratio:.2f}%"
    return f"{ratio:.2g}%"


def top_table(stacks: Mapping[str, int], *, sort: str = "flat", nodes: int = 20, unit: str = "") -> str:
    """The text table; `unit` (e.g. "samples") is shown in the first line."""
    if sort not in SORTS:
        raise InputError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if nodes < 1:
        raise InputError(f"the node limit must be at least 1, not {nodes}")
    total = sum(stacks.values())
    table = node_weights(stacks)
    if sort == "flat":
        table.sort(key=lambda n: (-n.flat, -n.cum, n.name))
    else:
        table.sort(key=lambda n: (-n.cum, -n.flat, n.name))
    shown = table[:nodes]
    shown_flat = sum(n.flat for n in shown)
    what = f" {unit}" if unit else ""
    lines = [
        f"Showing nodes accounting for {shown_flat}{what}, {_percent(shown_flat, total)} of {total}{what} total",
    ]
    if len(shown) < len(table):
        lines.append(f"Showing top {len(shown)} nodes out of {len(table)}")
    lines.append(f"{'flat':>10} {'flat%':>6} {'sum%':>6} {'cum':>10} {'cum%':>6}")
    running = 0
    for node in shown:
        running += node.flat
        lines.append(
            f"{node.flat:>10} {_percent(node.flat, total):>6} {_percent(running, total):>6} "
            f"{node.cum:>10} {_percent(node.cum, total):>6}  {node.name}"
        )
    return "\n".join(lines) + "\n"
