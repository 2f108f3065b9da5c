"""Synthetic pyperf suites whose worker processes behave like this VM's (shared by tests).

Each worker process's values share one level: lognormal around `base * scale` with sd
`level_sd` (the host's speed wanders from process to process); the values scatter
`value_sd` around it; with probability `burst_share` the whole process sits inside a
host burst that slows it by a factor drawn from `burst`.
"""
import math

import numpy as np
import pyperf


def process_suite(rng, names, *, processes, values=5, base=4e-9, scale=1.0, level_sd=0.05,
                  value_sd=0.005, burst_share=0.0, burst=(1.6, 2.0)):
    benches = []
    for name in names:
        runs = []
        for _ in range(processes):
            level = base * scale * math.exp(rng.normal(0, level_sd))
            if burst_share and rng.random() < burst_share:
                level *= rng.uniform(*burst)
            vals = level * np.exp(rng.normal(0, value_sd, size=values))
            runs.append(pyperf.Run([float(v) for v in vals], metadata={"name": name, "loops": 8},
                                   collect_metadata=False))
        benches.append(pyperf.Benchmark(runs))
    return pyperf.BenchmarkSuite(benches)
