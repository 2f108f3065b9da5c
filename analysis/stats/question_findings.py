"""The findings of the range-loop questions (issue 27): "Does a range loop that inserts
end?" (yields/n per PER, ours on each map beside every Go version of the run) and "What
does iteration cost after mass deletes?" (ns per live entry against a copy of the same
len, the bytes walked, and the copy's own cost). The numbers come from
mapbench.analysis.stats.range_questions; yields/n is exact per seed (counted, never
tested); the after-delete times are tested as every finding's are (the quiet statistic
of `mapbench compare`, after-delete against the copy)."""
from __future__ import annotations

from mapbench.analysis.stats import finding_kit as kit
from mapbench.analysis.stats import range_questions as rq

INSERTING_TOPIC = "Does a range loop that inserts end?"
DELETE_TOPIC = "What does iteration cost after mass deletes?"


def _metadata(data: kit.RunData) -> dict[str, dict]:
    return {b.get_name(): dict(b.get_metadata()) for b in data.suite.get_benchmarks()}


def does_inserting_end(data: kit.RunData) -> list[kit.Finding]:
    meta = _metadata(data)
    sides = rq.inserting_sides(meta, data.peers)
    out = []
    cap = next((m.get("cap_factor") for m in meta.values() if m.get("cap_factor")), 64)
    for n in sorted(sides):
        if not any(s.ours for s in sides[n]):
            continue
        sentence = f"n={kit.size_label(n)}: " + rq.inserting_sentence(sides[n], cap)
        gaps = [g for o in sides[n] if o.ours for go in sides[n] if not go.ours and go.design == o.design
                for g in rq.agreement(o, go)]
        if any(not s.ours for s in sides[n]):
            sentence += ("; ours and Go's same design agree at every PER" if not gaps
                         else "; ours and Go differ: " + "; ".join(gaps))
        source = ("yields/n: exact counts of the C kernels (native/src/*/range_kernels.c) for each "
                  "seed of the suite's worker (bench.json metadata), not a timing and never tested"
                  + ("; Go: go test -bench, metric yields/n over its ops (peers.json)"
                     if any(not s.ours for s in sides[n]) else ""))
        out.append(kit.Finding(INSERTING_TOPIC, sentence, kit.UNTESTED, source))
    return out


def iteration_after_deletes(data: kit.RunData) -> list[kit.Finding]:
    results = {b.get_name(): b for b in data.suite.get_benchmarks()
               if b.get_name().split("/")[0] in (rq.AFTER_DELETE, rq.COPY) and b.get_values()}
    if not results:
        return []
    ns = {name: b.mean() * 1e9 for name, b in results.items()}
    rows = rq.delete_rows(ns, _metadata(data))
    sentence = rq.delete_sentence(rows, rq.go_shaped_ns(data.peers))
    if not sentence:
        return []
    words = [kit.significance(t) for r in rows if (t := data.test(r.copied_name, r.after_name)) is not None]
    return [kit.Finding(DELETE_TOPIC, sentence, kit.overall(words) if words else kit.UNTESTED,
                        kit.TIMING_SOURCE + "; bytes walked: the shaped map's buckets and overflow "
                        "buckets (classic) or groups and directory (Swiss), from the layout "
                        "(bench.json metadata); Go: go test -bench (peers.json), ns/op over the live entries")]
