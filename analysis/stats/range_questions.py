"""The range-loop questions of a run (issue 27): does a range that inserts end, and what
does iteration cost after mass deletes; the data the findings, tables and plot share.

Ours come from bench.json: iterate-inserting's worker records yields/n for each of its
seeds (metadata yields_per_n_by_seed, ended_by_seed: exact, the same in every worker);
iterate-after-delete, copy-after-delete and iterate-load are pyperf timings per live
entry, with the shaped map's bytes walked per live entry (metadata). Go's come from
peers.json: iterate-inserting records carry metrics yields/n (the mean over the ops of
the last run of each -count, each op a draw of Go's random hash seed and start),
yields-min/n, yields-max/n and ended/op; the shaped families are ns/op over entries/op
(the live entries). Pure: mappings in, records out.

Invariants: a PER where a side never ended within the cap has `ended` 0; a side whose
seeds or ops split between ending and not has 0 < ended < 1, and its mean is over all.
"""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass

from mapbench import names

INSERTING = "iterate-inserting"
AFTER_DELETE = "iterate-after-delete"
COPY = "copy-after-delete"
LOAD = "iterate-load"


@dataclass(frozen=True)
class Yields:
    """yields/n of one side at one PER: over seeds (ours) or Go's ops."""
    mean: float
    low: float
    high: float
    ended: float          # share of the draws that ended by themselves (1: all, 0: none)
    draws: int

    def word(self) -> str:
        """The cell of a table: the mean, or that it did not end within the cap."""
        if self.ended == 0:
            return "no end"
        text = f"{self.mean:.2f}"
        return text if self.ended == 1 else f"{text} ({self.ended:.0%} ended)"


@dataclass(frozen=True)
class Side:
    """One row of the yields table: ours on a map, or a Go version."""
    label: str            # "ours (classic)", "go1.19 (classic)"
    design: str           # classic or swiss
    ours: bool
    per: dict             # PER -> Yields


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _json_map(text) -> dict:
    try:
        got = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return {}
    return got if isinstance(got, dict) else {}


def our_yields(metadata: dict) -> Yields | None:
    """Yields over the seeds an iterate-inserting worker recorded, or None."""
    ys = [v for v in (_number(x) for x in _json_map(metadata.get("yields_per_n_by_seed")).values())
          if v is not None]
    ended = [v for v in (_number(x) for x in _json_map(metadata.get("ended_by_seed")).values())
             if v is not None]
    if not ys:
        return None
    return Yields(statistics.fmean(ys), min(ys), max(ys),
                  statistics.fmean(ended) if ended else float("nan"), len(ys))


def go_yields(record: dict) -> Yields | None:
    metrics = record.get("metrics") if isinstance(record, dict) else None
    if not isinstance(metrics, dict) or _number(metrics.get("yields/n")) is None:
        return None
    mean = float(metrics["yields/n"])
    iterations = record.get("iterations") or []
    return Yields(mean, _number(metrics.get("yields-min/n")) or mean,
                  _number(metrics.get("yields-max/n")) or mean,
                  _number(metrics.get("ended/op")) if _number(metrics.get("ended/op")) is not None
                  else float("nan"),
                  int(sum(i for i in iterations if isinstance(i, int))))


def go_versions(peers) -> list[dict]:
    if not isinstance(peers, dict):
        return []
    return [v for v in peers.get("versions") or [] if isinstance(v, dict) and isinstance(v.get("benchmarks"), list)]


def inserting_sides(metadata_by_name: dict[str, dict], peers) -> dict[int, list[Side]]:
    """{n: [Side, ...]}: ours on each map, then each Go version, where any PER has data."""
    out: dict[int, list[Side]] = {}
    ours: dict[tuple[int, str], dict] = {}
    for name, meta in metadata_by_name.items():
        parsed = names.parse_name(name)
        if parsed is None or parsed[0] != INSERTING:
            continue
        params = dict(parsed[1])
        got = our_yields(meta)
        if got is not None and params.get("per", "").isdigit():
            ours.setdefault((parsed[2], names.map_of(parsed[1])), {})[int(params["per"])] = got
    for (n, design), per in sorted(ours.items(), key=lambda kv: (kv[0][0], names.MAPS.index(kv[0][1]))):
        out.setdefault(n, []).append(Side(f"ours ({design})", design, True, per))
    for version in go_versions(peers):
        by_n: dict[int, dict] = {}
        for record in version["benchmarks"]:
            if not isinstance(record, dict) or record.get("family") != INSERTING:
                continue
            per = str(record.get("params", "")).removeprefix("per=")
            got = go_yields(record)
            if got is not None and per.isdigit() and isinstance(record.get("n"), int):
                by_n.setdefault(record["n"], {})[int(per)] = got
        design = str(version.get("map", "classic"))
        for n, per in by_n.items():
            out.setdefault(n, []).append(Side(f"{version.get('label', 'Go')} ({design})", design, False, per))
    return out


def _ends_sentence(side: Side) -> str:
    pers = sorted(side.per)
    done = [p for p in pers if side.per[p].ended == 1]
    never = [p for p in pers if side.per[p].ended == 0]
    means = [side.per[p].mean for p in done]
    if done and len(done) == len(pers) and max(means) <= 1.25 * min(means):
        return f"{side.label} ends after {min(means):.2f}-{max(means):.2f}n whatever PER"
    parts = [f"{side.per[p].mean:.2f}n at PER={p}" for p in done]
    text = f"{side.label} ends after " + ", ".join(parts) if parts else f"{side.label} never ends"
    if never:
        text += f", and does not end within the cap at PER={','.join(map(str, never))}"
    return text


def inserting_sentence(sides: list[Side], cap_factor: int = 64) -> str:
    """yields/n per PER of every side, then what tells the two designs apart."""
    pers = sorted({p for s in sides for p in s.per})
    rows = "; ".join(f"{s.label} " + "/".join(s.per[p].word() if p in s.per else "-" for p in pers)
                     for s in sides)
    head = (f"yields/n at PER={'/'.join(map(str, pers))} (ours: mean over {max(s.per[p].draws for s in sides if s.ours for p in s.per) if any(s.ours for s in sides) else 0} seeds; "
            f"Go: mean over its ops; no end: still going at {cap_factor}n entries): {rows}")
    ours = [s for s in sides if s.ours]
    return head + ". " + "; ".join(_ends_sentence(s) for s in ours) + (
        ". The classic walk is bounded by the bucket array it started on; the Swiss walk goes "
        "on into tables split after it began and meets the new keys there"
        if {s.design for s in ours} == {"classic", "swiss"} else "")


def agreement(ours: Side, go: Side) -> list[str]:
    """The PERs where ours and Go's same design disagree: one ended within the cap and the
    other did not, or a mean outside the other's range of draws (empty: they agree)."""
    out = []
    for p in sorted(set(ours.per) & set(go.per)):
        a, b = ours.per[p], go.per[p]
        if (a.ended == 0) != (b.ended == 0):
            out.append(f"PER={p}: ours {a.word()}, {go.label} {b.word()}")
        elif a.ended != 0 and not (b.low <= a.mean <= b.high or a.low <= b.mean <= a.high):
            out.append(f"PER={p}: ours {a.mean:.2f} [{a.low:.2f}, {a.high:.2f}], "
                       f"{go.label} {b.mean:.2f} [{b.low:.2f}, {b.high:.2f}]")
    return out


# -- after deletes ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DeleteRow:
    """One map at one n and deleted%: ns per live entry of a traversal after the deletes,
    of the copy (a fresh map of the same len), the copy's own cost, and bytes walked."""
    design: str
    n: int
    deleted: int
    after_ns: float | None
    copied_ns: float | None
    copy_ns: float | None
    after_bytes: float | None
    copied_bytes: float | None
    after_name: str
    copied_name: str

    @property
    def slowdown(self) -> float | None:
        return self.after_ns / self.copied_ns if self.after_ns and self.copied_ns else None

    @property
    def break_even(self) -> float | None:
        """Traversals after which copying has paid for itself (copy / saving per traversal)."""
        if self.after_ns is None or self.copied_ns is None or self.copy_ns is None:
            return None
        saving = self.after_ns - self.copied_ns
        return self.copy_ns / saving if saving > 0 else None


def delete_rows(ns_by_name: dict[str, float], metadata_by_name: dict[str, dict]) -> list[DeleteRow]:
    """Every (map, n, deleted) of iterate-after-delete in the run."""
    out = []
    for name in sorted(ns_by_name):
        parsed = names.parse_name(name)
        if parsed is None or parsed[0] != AFTER_DELETE or "copied" in dict(parsed[1]):
            continue
        params, n = dict(parsed[1]), parsed[2]
        design = names.map_of(parsed[1])
        d = params.get("deleted", "0")
        copied = names.format_name(AFTER_DELETE, [("map", design), ("deleted", d), ("copied", "")], n)
        copy = names.format_name(COPY, [("map", design), ("deleted", d)], n)
        out.append(DeleteRow(design, n, int(d) if d.isdigit() else 0, ns_by_name.get(name),
                             ns_by_name.get(copied), ns_by_name.get(copy),
                             _number(metadata_by_name.get(name, {}).get("bytes_walked_per_live_entry")),
                             _number(metadata_by_name.get(copied, {}).get("bytes_walked_per_live_entry")),
                             name, copied))
    return sorted(out, key=lambda r: (names.MAPS.index(r.design) if r.design in names.MAPS else 9, r.n, r.deleted))


def go_shaped_ns(peers) -> dict[str, dict[str, float]]:
    """{go label: {family/params/n=N: ns per entry (ns/op / entries/op)}} of the shaped families."""
    out: dict[str, dict[str, float]] = {}
    for version in go_versions(peers):
        label = f"{version.get('label', 'Go')} ({version.get('map', '?')})"
        for record in version["benchmarks"]:
            if isinstance(record, dict) and record.get("family") in (AFTER_DELETE, COPY, LOAD):
                ns = _number(record.get("ns_per_element"))
                if ns is not None:
                    key = "/".join(p for p in (record["family"], record.get("params", ""), f"n={record.get('n')}") if p)
                    out.setdefault(label, {})[key] = ns
    return out


def delete_sentence(rows: list[DeleteRow], go: dict[str, dict[str, float]]) -> str:
    """Per map and n: ns per live entry after the deletes against the copy, bytes walked,
    the copy's cost and when it pays; then Go's same shapes."""
    parts = []
    for design in names.MAPS:
        for n in sorted({r.n for r in rows if r.design == design}):
            mine = [r for r in rows if r.design == design and r.n == n and r.after_ns is not None]
            if not mine:
                continue
            cells = []
            for r in mine:
                cell = f"{r.deleted}% deleted {r.after_ns:.1f} ns"
                if r.copied_ns is not None:
                    cell += f" vs {r.copied_ns:.1f} on a copy ({r.slowdown:.1f}x)"
                if r.after_bytes is not None:
                    cell += f", {r.after_bytes:.0f} B walked"
                    if r.copied_bytes is not None:
                        cell += f" vs {r.copied_bytes:.0f}"
                if r.copy_ns is not None:
                    cell += f", copy {r.copy_ns:.1f} ns/entry"
                    if r.break_even is not None:
                        cell += f" (pays after {r.break_even:.1f} traversals)"
                cells.append(cell)
            parts.append(f"ours {design} at {names.size_label(n)}, per live entry: " + "; ".join(cells))
    for label, by in go.items():
        cells = []
        for key in sorted(by):
            if key.startswith(AFTER_DELETE + "/") and "/copied" not in key:
                copied = key.replace("/n=", "/copied/n=")
                d = key.split("deleted=")[1].split("/")[0]
                cell = f"{d}% {by[key]:.1f} ns"
                if copied in by:
                    cell += f" vs {by[copied]:.1f} on a copy ({by[key] / by[copied]:.1f}x)"
                cells.append(cell + f" at n={names.size_label(int(key.rsplit('=', 1)[1]))}")
        if cells:
            parts.append(f"{label}: " + "; ".join(cells))
    advice = ("Neither map shrinks: a traversal walks every bucket or group the map ever grew to, "
              "so its cost per live entry climbs with the share deleted; copying into a new map "
              "(make(map, len(m)) and a range that puts) gives a map sized to its len")
    return "; ".join(parts) + ". " + advice if parts else ""
