"""Fold speed: `perf script` text of 200,000 synthetic samples (about 400 MB) to folded stacks.

    python -m mapbench.benchmarks.studies.analysis_speed [pyperf options, e.g. --fast -o fold.json]
    python -m mapbench.benchmarks.studies.analysis_speed --memory     # one fold: time, MB/s, peak RSS
    python -m mapbench.benchmarks.studies.analysis_speed --perl /path/to/stackcollapse-perf.pl   # + perl on the same file

The input (`write_synthetic_perf_script`) is deterministic and is written once to a
temporary file (reused while its size matches): samples in the layout `perf script`
prints for `perf record -g` (event line with period, one `\\t addr sym+0xoff (dso)`
line per frame, a blank line), each stack a random walk of depth 15-35 over a call
graph of 3,000 functions in the kernel, libc, libpython and our map module, with 8
call-site offsets per function, so leaf addresses vary as in real captures. The issue's
reference point is stackcollapse-perf.pl on such an input: 15-22 s on a 2-vCPU KVM guest (2026-11);
the goal is 5x faster.

Timing: a pyperf Runner with `bench_time_func`; each worker maps the file read-only
(as `mapbench fold` does) and folds it `loops` times, time.perf_counter around the
folds only. `--memory` folds once in this process and prints the time, MB/s and
ru_maxrss (peak resident set of the process, from getrusage) before and after.
`--perl` times one run of the given stackcollapse-perf.pl on the same file (wall
time with time.perf_counter; CPU time and peak RSS from getrusage(RUSAGE_CHILDREN)).
CPU times are printed too because wall times mean little on a busy shared machine.
"""
from __future__ import annotations

import argparse
import mmap
import os
import random
import resource
import subprocess
import tempfile
import time
from pathlib import Path

SAMPLES = 200_000
SEED = 20_261_126
FUNCTIONS = 3000
_LAYERS = (  # (name pattern, module, base address)
    ("do_syscall_{i}", "[kernel.kallsyms]", 0xFFFFFFFF81000000),
    ("__libc_helper_{i}", "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x27000),
    ("_PyEval_Helper_{i}", "/usr/local/lib/libpython3.11.so.1.0", 0x1C0000),
    ("mapiternext_{i}", "/home/dev/venv/lib/python3.11/site-packages/_mapbench_native.abi3.so", 0x1000),
)


def default_path(samples: int = SAMPLES, seed: int = SEED) -> Path:
    return Path(tempfile.gettempdir()) / f"mapbench-synthetic-perf-script-{samples}-{seed}.txt"


def write_synthetic_perf_script(path: Path, samples: int = SAMPLES, seed: int = SEED) -> int:
    """Write the synthetic `perf script` text to `path`; returns its size in bytes."""
    rng = random.Random(seed)
    frames = []  # per function: 8 ready-made stack lines (one per call-site offset)
    for i in range(FUNCTIONS):
        pattern, module, base = _LAYERS[i % len(_LAYERS)]
        name = pattern.format(i=i)
        start = base + i * 0x400
        frames.append([f"\t{start + off:16x} {name}+0x{off:x} ({module})\n"
                       for off in rng.sample(range(1, 0x3FF), 8)])
    callees = [[rng.randrange(FUNCTIONS) for _ in range(5)] for _ in range(FUNCTIONS)]
    roots = [rng.randrange(FUNCTIONS) for _ in range(3)]
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "w", encoding="ascii", newline="\n") as out:
        clock = 317.834703
        for _ in range(samples):
            clock += 0.002004
            walk = [rng.choice(roots)]
            for _ in range(rng.randint(15, 35) - 1):
                walk.append(rng.choice(callees[walk[-1]]))
            lines = [f"python  6055 {clock:12.6f}:    2004008 cpu-clock:pppH: \n"]
            lines += [rng.choice(frames[f]) for f in reversed(walk)]  # leaf first, as perf prints
            lines.append("\n")
            out.write("".join(lines))
    os.replace(tmp, path)
    return path.stat().st_size


def ensure_input(path: Path) -> int:
    """Create the input file unless a complete one is already there; returns its size."""
    marker = path.with_name(path.name + ".size")
    if path.exists() and marker.exists() and marker.read_text() == str(path.stat().st_size):
        return path.stat().st_size
    size = write_synthetic_perf_script(path)
    marker.write_text(str(size))
    return size


def time_folds(loops: int, path: str) -> float:
    from mapbench.analysis.stacks.fold import fold_perf_script

    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = time.perf_counter()
        for _ in range(loops):
            fold_perf_script(data)
        return time.perf_counter() - start


def measure_once(path: Path, size: int) -> None:
    from mapbench.analysis.stacks.fold import fold_perf_script

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start, cpu_start = time.perf_counter(), time.process_time()
        stacks = fold_perf_script(data)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"input: {path} ({size / 1e6:.0f} MB, {SAMPLES:,} synthetic samples, seed {SEED})")
    print(f"mapbench fold_perf_script, one run (time.perf_counter): {seconds:.2f} s = "
          f"{size / 1e6 / seconds:.0f} MB/s; CPU time (time.process_time) {cpu:.2f} s = "
          f"{size / 1e6 / cpu:.0f} MB/s; {len(stacks):,} unique stacks, {sum(stacks.values()):,} samples")
    print(f"peak RSS of this process (getrusage ru_maxrss): {rss_before:.0f} MiB before, "
          f"{rss_after:.0f} MiB after the fold (file read through mmap)")


def measure_perl(script: str, path: Path, size: int) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(["perl", script, str(path)], stdout=sink, stderr=subprocess.DEVNULL, check=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"stackcollapse-perf.pl {script}, one run (wall, time.perf_counter): {seconds:.2f} s = "
          f"{size / 1e6 / seconds:.0f} MB/s; CPU time (getrusage RUSAGE_CHILDREN) {cpu:.2f} s = "
          f"{size / 1e6 / cpu:.0f} MB/s; peak RSS {after.ru_maxrss / 1024:.0f} MiB")


def main() -> None:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--memory", action="store_true")
    pre.add_argument("--perl", metavar="STACKCOLLAPSE_PERF_PL")
    pre.add_argument("--input", metavar="PATH", type=Path, default=default_path())
    own, rest = pre.parse_known_args()
    if own.memory or own.perl:
        size = ensure_input(own.input)
        if own.memory:
            measure_once(own.input, size)
        if own.perl:
            measure_perl(own.perl, own.input, size)
        return

    import pyperf

    runner = pyperf.Runner(processes=3, values=3, warmups=1, min_time=0.0,
                           program_args=("-m", "mapbench.benchmarks.studies.analysis_speed", "--input", str(own.input)))
    runner.metadata["description"] = (
        f"fold_perf_script of {SAMPLES:,} synthetic perf script samples read through mmap (time.perf_counter)")
    runner.parse_args(rest)
    # The master makes the file once, before the workers start; they find it complete.
    runner.metadata["input_bytes"] = ensure_input(own.input)
    runner.bench_time_func("fold-perf-script-200k-samples", time_folds, str(own.input))


if __name__ == "__main__":
    main()
