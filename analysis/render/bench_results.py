"""bench.json reduced to what the summary tables, plots and findings read: one Result per
suite-named benchmark, and the ratios derived from them.

Values are pyperf timings, seconds per element (pyperf `inner_loops` = elements per loop).
Names follow mapbench.names; a benchmark whose name is not a suite name is skipped.
Pure: no files, no processes.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import pyperf

from mapbench import names
from mapbench.names import STORAGES  # noqa: F401 (the tables' storage order)


@dataclass(frozen=True)
class Result:
    """One benchmark of bench.json, reduced to what the tables need."""
    name: str
    family: str
    params: dict
    n: int
    mean: float                 # seconds per element (pyperf value)
    stdev: float
    nvalues: int
    metadata: dict = field(default_factory=dict)
    minimum: float = 0.0        # the fastest timed value (least disturbed by other load)

    @property
    def ns(self) -> float:
        return self.mean * 1e9

    @property
    def min_ns(self) -> float:
        return self.minimum * 1e9


def parse_name(name: str) -> tuple[str, dict, int] | None:
    """(family, {key: value}, n) of a suite name (grammar: mapbench.names), else None."""
    parsed = names.parse_name(name)
    if parsed is None:
        return None
    family, params, n = parsed
    return family, dict(params), n


def results_from_suite(suite: pyperf.BenchmarkSuite) -> dict[str, Result]:
    """name -> Result for every suite-named benchmark with timed values."""
    out = {}
    for bench in suite.get_benchmarks():
        parsed = parse_name(bench.get_name())
        values = bench.get_values()
        if parsed is None or not values:
            continue
        family, params, n = parsed
        out[bench.get_name()] = Result(
            name=bench.get_name(), family=family, params=params, n=n,
            mean=statistics.fmean(values),
            stdev=statistics.stdev(values) if len(values) > 1 else 0.0,
            nvalues=len(values), metadata=dict(bench.get_metadata()), minimum=min(values))
    return out


def load_results(text: str) -> dict[str, Result]:
    return results_from_suite(pyperf.BenchmarkSuite.loads(text))


def sizes(results: dict[str, Result]) -> list[int]:
    return sorted({r.n for r in results.values()})


def best_prefetch(results: dict[str, Result]) -> int | None:
    """The D of `prefetch=D` in the heap/pool variants (the suite runs only 0 and D there)."""
    ds = {int(r.params["prefetch"]) for r in results.values()
          if r.family == "iterate" and r.params.get("storage") in ("heap", "pool")
          and r.params.get("prefetch", "0").isdigit() and r.params.get("prefetch") != "0"}
    if len(ds) == 1:
        return ds.pop()
    ds = {int(r.params["prefetch"]) for r in results.values()
          if r.family == "iterate" and r.params.get("prefetch", "0").isdigit()
          and r.params.get("prefetch") != "0"}
    return min(ds) if len(ds) == 1 else None


def iterate_name(storage: str, prefetch, n: int, atomic: bool = False) -> str:
    """The classic map's full-iteration benchmark (mapbench.names.iterate_name)."""
    return names.iterate_name(storage, prefetch, n, atomic=atomic)


def ratio(results, numerator: str, denominator: str) -> float | None:
    a, b = results.get(numerator), results.get(denominator)
    if a is None or b is None or b.mean == 0:
        return None
    return a.mean / b.mean


def roofline_pct(results, name: str) -> float | None:
    """Roofline time / this benchmark's time, in percent (100% = at the memory limit)."""
    r = results.get(name)
    if r is None:
        return None
    pct = ratio(results, f"roofline/n={r.n}", name)
    return None if pct is None else pct * 100.0


def prefetch_speedup(results, storage: str, distance: int, n: int) -> float | None:
    """ns(prefetch=0) / ns(prefetch=distance): above 1 means prefetch helps."""
    return ratio(results, iterate_name(storage, 0, n), iterate_name(storage, distance, n))
