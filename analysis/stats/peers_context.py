"""Go peers in a comparison of two runs: context, never a verdict.

Go's map is the same code in both runs of a comparison (only ours changed between the
commits), so a change of a Go peer number says how much the machine or the toolchain
moved, not that anything regressed. This module lists the Go records both runs'
peers.json have (matched by name, `go1.23/iterate/n=1024`) with base, head and the
change, and says when the exact Go versions differ. No test, no threshold, no exit status.
"""
from __future__ import annotations

from mapbench.analysis.render import pages
from mapbench.analysis.render.peers import versions
from mapbench.analysis.stats.formats import format_change

TITLE = "Go peers (context only, no verdict)"
HEADER = ("Go benchmark", "base ns/element", "head ns/element", "change")


def context_rows(base_peers: dict | None, head_peers: dict | None) -> tuple[list[tuple], list[str]]:
    """(rows of HEADER, notes) for the Go records in both runs."""
    base_v = {v["label"]: v for v in versions(base_peers)}
    head_v = {v["label"]: v for v in versions(head_peers)}
    rows, notes = [], []
    for label in [label for label in head_v if label in base_v]:
        b, h = base_v[label], head_v[label]
        if b.get("go_version") != h.get("go_version"):
            notes.append(f"{label}: base ran {b.get('go_version')}, head {h.get('go_version')}")
        base_by = {r["name"]: r for r in b.get("benchmarks", []) if "name" in r}
        for record in h.get("benchmarks", []):
            old = base_by.get(record.get("name"))
            if old is None or not old.get("ns_per_element") or record.get("ns_per_element") is None:
                continue
            change = record["ns_per_element"] / old["ns_per_element"] - 1.0
            rows.append((record["name"], f"{old['ns_per_element']:.2f}", f"{record['ns_per_element']:.2f}",
                         format_change(change)))
    return rows, notes


def _intro(notes: list[str]) -> str:
    return ("Source: peers.json of both runs (go test -bench, mean over -count). Go's map did not "
            "change between these runs: a change here is the machine or the toolchain moving, a "
            "yardstick for the noise of ours, and is never tested or counted as a regression."
            + (" Versions differ: " + "; ".join(notes) + "." if notes else ""))


def context_markdown(base_peers: dict | None, head_peers: dict | None) -> str | None:
    rows, notes = context_rows(base_peers, head_peers)
    if not rows:
        return None
    lines = [_intro(notes), "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def context_html(base_peers: dict | None, head_peers: dict | None) -> str | None:
    rows, notes = context_rows(base_peers, head_peers)
    if not rows:
        return None
    return pages.render("peers_context.html.j2", intro=_intro(notes), header=HEADER, rows=rows)
