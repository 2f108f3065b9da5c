"""Which pass of `mapbench bench` each compared benchmark came from (benchmarks/store/passes.py).

For `mapbench compare`: restrict a run to one pass (--pass, --base-pass), say when a run
mixes passes or holds one that died, check the pyperf settings benchmark by benchmark
(each against the pass it came from, not only the newest pass), and render the origin of
every benchmark for compare.md and compare.html.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from mapbench.benchmarks.store import passes

SETTINGS_KEYS = ("mode", "pyperf", "rounds")     # of a pass record; must match for a fair test
NAMES_INLINE = 6                                  # list a pass's benchmarks on stdout up to this many


@dataclass
class RunPasses:
    label: str
    groups: list[passes.PassGroup]            # of the benchmarks compared (after --pass)
    all_groups: list[passes.PassGroup]        # of the whole bench.json
    selected: passes.PassGroup | None         # the pass --pass chose, if any

    @property
    def mixed(self) -> bool:
        return len(self.all_groups) > 1

    def origin(self) -> dict[str, passes.PassGroup]:
        return passes.origin_by_name(self.groups)


def load(run: Path, suite, meta: dict, label: str, spec: str | None):
    """(suite, RunPasses): the suite restricted to the pass `spec` names (None: all)."""
    found = passes.groups(run, suite, meta)
    selected = None
    if spec is not None:
        suite, selected = passes.select(suite, found, spec, label)
    groups = [selected] if selected is not None else found
    return suite, RunPasses(label, groups, found, selected)


def _settings(group: passes.PassGroup) -> dict:
    return {k: (group.record or {}).get(k) for k in SETTINGS_KEYS}


def _names(names: list[str]) -> str:
    if len(names) <= NAMES_INLINE:
        return ", ".join(names)
    return ", ".join(names[:NAMES_INLINE]) + f" and {len(names) - NAMES_INLINE} more"


def notes(run: RunPasses) -> list[str]:
    """Warnings for one run: it mixes passes (each pass, its benchmarks), one died, or
    --pass left some out."""
    out = []
    if run.selected is not None:
        left = sum(len(g.names) for g in run.all_groups) - len(run.selected.names)
        out.append(f"{run.label}: only {run.selected.describe()} compared (--pass); "
                   f"{left} benchmarks of other passes left out")
    elif run.mixed:
        out.append(f"{run.label} mixes {len(run.all_groups)} passes of `mapbench bench`: "
                   + "; ".join(f"{g.describe()} [{_names(g.names)}]" for g in run.all_groups)
                   + " (--pass latest or --pass ID to compare one)")
    out += [f"{run.label}: {g.describe()}" for g in run.groups
            if g.dead and not run.mixed and run.selected is None]
    return out


def settings_warnings(base: RunPasses, head: RunPasses) -> list[str]:
    """Benchmarks whose base and head passes ran with other pyperf settings, by pass pair."""
    b_origin, h_origin = base.origin(), head.origin()
    pairs: dict[tuple[str, str], list[str]] = {}
    for name in sorted(set(b_origin) & set(h_origin)):
        b, h = b_origin[name], h_origin[name]
        if _settings(b) != _settings(h):
            pairs.setdefault((b.pass_id, h.pass_id), []).append(name)
    out = []
    for (b_id, h_id), names in pairs.items():
        b = next(g for g in base.groups if g.pass_id == b_id)
        h = next(g for g in head.groups if g.pass_id == h_id)
        diff = [f"{k}: {_settings(b)[k]!r} vs {_settings(h)[k]!r}" for k in SETTINGS_KEYS
                if _settings(b)[k] != _settings(h)[k]]
        out.append(f"pyperf settings differ for {len(names)} benchmark(s) between base pass "
                   f"{b_id} and head pass {h_id} ({'; '.join(diff)}): {_names(names)}")
    return out


def markdown(base: RunPasses, head: RunPasses, names: list[str]) -> str:
    lines = []
    for run in (base, head):
        lines.append(f"- {run.label}:")
        lines += [f"  - {g.describe()}" for g in run.groups]
    lines.append("")
    if base.mixed or head.mixed:
        b_origin, h_origin = base.origin(), head.origin()
        lines += ["| benchmark | base pass | head pass |", "|---|---|---|"]
        lines += [f"| {n} | {b_origin[n].pass_id} | {h_origin[n].pass_id} |"
                  for n in names if n in b_origin and n in h_origin]
    return "\n".join(lines) + "\n"


def html_fragment(base: RunPasses, head: RunPasses, names: list[str]) -> str:
    items = "".join(f"<li>{html.escape(r.label)}:<ul>"
                    + "".join(f"<li>{html.escape(g.describe())}</li>" for g in r.groups)
                    + "</ul></li>" for r in (base, head))
    out = f"<ul>{items}</ul>"
    if base.mixed or head.mixed:
        b_origin, h_origin = base.origin(), head.origin()
        rows = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(b_origin[n].pass_id)}</td>"
                       f"<td>{html.escape(h_origin[n].pass_id)}</td></tr>"
                       for n in names if n in b_origin and n in h_origin)
        out += ("<table><tr><th>benchmark</th><th>base pass</th><th>head pass</th></tr>"
                + rows + "</table>")
    return out
