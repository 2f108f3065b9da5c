"""What keeping per-line data costs the count pass (issue 23, part 7): time and bytes.

    python -m mapbench.benchmarks.studies.line_data_cost [--only REGEX] [--repeat 2]

Runs the count pass (benchmarks/counts/count_pass.py, hardware counters off) on the
selected benchmarks with and without per-line data (`lines=True/False`), alternating, in
temporary run folders, and prints each pass's wall seconds and its valgrind CPU seconds
(getrusage of the children), their ratios, and the bytes lines.json.gz and callgrind/ add.
Wall time on a shared 2-vCPU machine wanders; CPU seconds less so. Measured 2026-12 on
the 2-vCPU KVM guest: see the commit that added this file.
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from mapbench.benchmarks.catalog import matrix
from mapbench.benchmarks.counts import count_pass, line_data

DEFAULT_ONLY = r"^iterate/storage=stack/prefetch=0/n=(1024|16384|262144)$"


def _cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=DEFAULT_ONLY, help=f"benchmarks (default {DEFAULT_ONLY})")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    benches = matrix.select(matrix.build_matrix(0), args.only)
    results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    size = 0
    with tempfile.TemporaryDirectory(prefix="mapbench-linecost-") as tmp:
        for i in range(args.repeat):
            for lines in (False, True):
                run = Path(tmp) / f"{i}-{int(lines)}"
                run.mkdir()
                t0, c0 = time.monotonic(), _cpu()
                count_pass.count_pass(benches, run, log=lambda *a, **k: None, hardware=False,
                                      lines=lines)
                results[lines].append((time.monotonic() - t0, _cpu() - c0))
                if lines:
                    size = (run / line_data.LINES_FILE).stat().st_size + sum(
                        p.stat().st_size for p in (run / line_data.DUMPS_FOLDER).iterdir())
    for lines in (False, True):
        walls = ", ".join(f"{w:.1f}" for w, _ in results[lines])
        cpus = ", ".join(f"{c:.1f}" for _, c in results[lines])
        print(f"per-line data {'on ' if lines else 'off'}: wall s {walls}; valgrind CPU s {cpus}")
    best = {k: (min(w for w, _ in v), min(c for _, c in v)) for k, v in results.items()}
    print(f"{len(benches)} benchmarks; ratio on/off (best of {args.repeat}): wall "
          f"{best[True][0] / best[False][0]:.3f}, CPU {best[True][1] / best[False][1]:.3f}; "
          f"lines.json.gz + callgrind/ add {size / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
