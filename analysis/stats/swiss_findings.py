"""The findings that set the two C maps against each other: Go 1.24's Swiss table
against Go 1.19's classic map, benchmark by benchmark within one run (full iteration,
lookups, inserts), tested as every finding is (mapbench.analysis.stats.findings: the
quiet statistic of `mapbench compare`). The classic map's names carry no map=, the Swiss
map's carry map=swiss right after the family; a run without Swiss benchmarks gets none
of these findings."""
from __future__ import annotations

from mapbench.analysis.stats import finding_kit as findings

# (topic, what, name template with {map} and {n}, family)
PAIRS = (
    ("Swiss vs classic map: full iteration", "the Swiss map against the classic map, stack "
     "iterator, no prefetch", "iterate/{map}storage=stack/prefetch=0/n={n}", "iterate"),
    ("Swiss vs classic map: lookups that hit", "the Swiss map against the classic map",
     "lookup/{map}hit/n={n}", "lookup"),
    ("Swiss vs classic map: lookups that miss", "the Swiss map against the classic map",
     "lookup/{map}miss/n={n}", "lookup"),
    ("Swiss vs classic map: inserts", "the Swiss map against the classic map, no hint",
     "insert/{map}hint=0/n={n}", "insert"),
)


def _auto_distance(data: "findings.RunData", name: str) -> int | None:
    """The distance prefetch="auto" picked in this run's benchmark `name`, as the worker
    recorded it (metadata prefetch_auto_distance), or None."""
    bench = data.bench(name)
    value = bench.get_metadata().get("prefetch_auto_distance") if bench is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def swiss_prefetch(data: "findings.RunData") -> list["findings.Finding"]:
    """The Swiss map's default iteration (prefetch="auto") against none, at the sizes where
    auto turned prefetch on in this run (below them auto runs the very code of prefetch=0)."""
    pairs, distances = [], set()
    for n in data.sizes("iterate"):
        auto = f"iterate/map=swiss/storage=stack/prefetch=auto/n={n}"
        distance = _auto_distance(data, auto)
        if distance:
            pairs.append((n, f"iterate/map=swiss/storage=stack/prefetch=0/n={n}", auto))
            distances.add(distance)
    ahead = " or ".join(str(d) for d in sorted(distances))
    return findings.by_size(data, "Swiss map: does its default prefetch help?",
                             f"prefetch=\"auto\" ({ahead} groups ahead, across tables) against "
                             "none, stack iterator", pairs, as_speedup=True)


def swiss_vs_classic(data: "findings.RunData") -> list["findings.Finding"]:
    out = []
    for topic, what, template, family in PAIRS:
        pairs = [(n, template.format(map="", n=n), template.format(map="map=swiss/", n=n))
                 for n in data.sizes(family)]
        out += findings.by_size(data, topic, what, pairs, as_speedup=True)
    return out
