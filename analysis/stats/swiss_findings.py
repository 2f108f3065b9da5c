"""The findings that set the two C maps against each other: Go 1.24's Swiss table
against Go 1.19's classic map, benchmark by benchmark within one run (full iteration,
lookups, inserts), tested as every finding is (mapbench.analysis.stats.findings: the
quiet statistic of `mapbench compare`). The classic map's names carry no map=, the Swiss
map's carry map=swiss right after the family; a run without Swiss benchmarks gets none
of these findings."""
from __future__ import annotations

from mapbench.analysis.stats import findings

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


# prefetch="auto" turns the Swiss map's prefetch on from this many entries (swiss.h
# SWISS_PREFETCH_AUTO_MIN_ENTRIES); below it auto runs the very code of prefetch=0.
SWISS_AUTO_MIN_ENTRIES = 2 ** 16


def swiss_prefetch(data: "findings.RunData") -> list["findings.Finding"]:
    """The Swiss map's default iteration (prefetch="auto") against none, where auto is on."""
    pairs = [(n, f"iterate/map=swiss/storage=stack/prefetch=0/n={n}",
              f"iterate/map=swiss/storage=stack/prefetch=auto/n={n}")
             for n in data.sizes("iterate") if n >= SWISS_AUTO_MIN_ENTRIES]
    return findings._by_size(data, "Swiss map: does its default prefetch help?",
                             "prefetch=\"auto\" (64 groups ahead, across tables) against none, "
                             "stack iterator", pairs, as_speedup=True)


def swiss_vs_classic(data: "findings.RunData") -> list["findings.Finding"]:
    out = []
    for topic, what, template, family in PAIRS:
        pairs = [(n, template.format(map="", n=n), template.format(map="map=swiss/", n=n))
                 for n in data.sizes(family)]
        out += findings._by_size(data, topic, what, pairs, as_speedup=True)
    return out
