"""Go's `for k, v := range m` in peers.json, whichever form the file has.

Form 1 (one Go toolchain): {"go_version": ..., "benchmarks": [{"name": "range/n=N", ...}]}.
Form 2 (several): {"versions": [{"label": "go1.23", "go_version": ..., "benchmarks":
[{"name": "go1.23/iterate/n=N", ...}]}]}. A record has "n", "ns_per_op" (one per
`-count` run) and/or "ns_per_element" (their mean / n). Anything else is skipped.
"""
from __future__ import annotations

import re

_ITERATE = re.compile(r"^(?:range|(?:[^/]+/)?iterate)/n=(\d+)$")


def _seconds_per_element(record: dict, n: int) -> list[float]:
    """One value per -count run (ns_per_op / n), else the one mean; [] when unusable."""
    per_op = record.get("ns_per_op")
    if isinstance(per_op, list) and per_op and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in per_op):
        return [v * 1e-9 / n for v in per_op]
    mean = record.get("ns_per_element")
    return [mean * 1e-9] if isinstance(mean, (int, float)) and mean > 0 else []


def _by_size(records) -> dict[int, list[float]]:
    out = {}
    for record in records if isinstance(records, list) else []:
        match = _ITERATE.match(str(record.get("name", ""))) if isinstance(record, dict) else None
        if match:
            values = _seconds_per_element(record, int(match.group(1)))
            if values:
                out[int(match.group(1))] = values
    return out


def go_range(peers) -> list[tuple[str, dict[int, list[float]]]]:
    """[(Go version, {n: seconds per element, one value per -count run})], in file order;
    versions without a usable iteration record are left out."""
    if not isinstance(peers, dict):
        return []
    if isinstance(peers.get("versions"), list):
        entries = [(str(v.get("go_version") or v.get("label") or "Go"), v.get("benchmarks"))
                   for v in peers["versions"] if isinstance(v, dict)]
    else:
        entries = [(str(peers.get("go_version") or "Go"), peers.get("benchmarks"))]
    return [(version, sizes) for version, records in entries if (sizes := _by_size(records))]
