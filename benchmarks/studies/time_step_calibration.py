"""How often the time-step fit marks a flat noisy series, and how often it finds a real step.

    python -m mapbench.benchmarks.studies.time_step_calibration [--trials 200] [--seed 7]

Synthetic series only (no benchmark runs): for lengths 4 to 24, flat series with noise,
and series with a +25% step in the middle, under two noise models: Gaussian with 5%
standard deviation (this machine's wall-time wander), and "burst" (3% Gaussian plus a
+30% burst in one run of six, the slow-worker bursts of docs/time-noise.md). Prints, per
length, the share of flat series with any mark ("false") and the share of stepped series
marked exactly at the step ("found"), for analysis/stats/time_steps.py's fit and for asv's
own `detect_steps` (with its AR(1) noise term) filtered the same way. The numbers behind
time_steps.MIN_POINTS and the module's claim about the AR(1) term.

Measured 2026-12-07 (the defaults: 200 trials, seed 7), at 4/5/6/8/10/16/24 points:
  Gaussian, this fit:        false 4.5/1.5/2.5/0/1.0/0/0%,   found 58/59/80/81/94/98/97%
  Gaussian, asv detect_steps: false 36/26/11/1.0/0/0/0%,     found 38/37/51/52/47/54/59%
  burst, this fit:           false 3.0/2.5/3.0/3.0/2.5/3.0/0%, found 47/41/44/36/38/48/62%
  burst, asv detect_steps:   false 47/44/22/8.5/7.0/4.0/0%,  found 39/30/33/19/22/29/45%
"""
from __future__ import annotations

import argparse
import random

from mapbench.analysis.stats import time_steps

LENGTHS = (4, 5, 6, 8, 10, 12, 16, 24)


def asv_marks(y: list[float]) -> list[int]:
    from asv.step_detect import detect_steps
    levels = detect_steps(y)
    return [b[0] for a, b in zip(levels, levels[1:])
            if abs(b[2] - a[2]) > max(a[4], b[4], time_steps.THRESHOLD * abs(a[2]))]


def fit_marks(y: list[float]) -> list[int]:
    return [position for position, _, _ in time_steps.series_steps(y)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    models = {"gauss 5%": lambda: rng.gauss(0, 0.05),
              "burst": lambda: rng.gauss(0, 0.03) + (0.3 if rng.random() < 1 / 6 else 0)}
    print(f"{'noise':9} {'points':>6} {'fit false':>9} {'fit found':>9} {'asv false':>9} {'asv found':>9}")
    for label, noise in models.items():
        for m in LENGTHS:
            flat = [[1 + noise() for _ in range(m)] for _ in range(args.trials)]
            half = m // 2
            stepped = [[1 + noise() for _ in range(half)] + [1.25 + noise() for _ in range(m - half)]
                       for _ in range(args.trials)]
            cells = []
            for marks in (fit_marks, asv_marks):
                cells.append(sum(bool(marks(y)) for y in flat) / args.trials)
                cells.append(sum(marks(y) == [half] for y in stepped) / args.trials)
            print(f"{label:9} {m:6d} " + " ".join(f"{c:9.1%}" for c in (cells[0], cells[1], cells[2], cells[3])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
