"""What every matplotlib figure of the suite shares: a headless pyplot, and a series of
one benchmark per size (mean ns/element with its standard deviation) from the results."""
from __future__ import annotations


def pyplot():
    """matplotlib's pyplot on the Agg backend, imported on first use: it costs about a
    second, which every `mapbench` command would otherwise pay at start-up."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


SOURCE = "pyperf timing (C kernels, CLOCK_MONOTONIC), mean ± stdev"


def series(results, names_by_n):
    """(sizes, mean ns/element, stdev ns) of the benchmarks named per size that `results` has."""
    xs, ys, es = [], [], []
    for n, name in names_by_n:
        r = results.get(name)
        if r is not None:
            xs.append(n)
            ys.append(r.ns)
            es.append(r.stdev * 1e9)
    return xs, ys, es
