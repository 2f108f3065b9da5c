"""Flame-graph render speed and peak memory on 100,000 unique synthetic stacks.

    python -m benchmarks.render_speed [pyperf options, e.g. --fast -o render.json]
    python -m benchmarks.render_speed --memory         # one render: peak RSS and tracemalloc peak
    python -m benchmarks.render_speed --write-folded /tmp/synthetic.folded   # for flamegraph.pl

The input (`synthetic_stacks`) is deterministic: random walks of depth 8-40 over a call
graph of 3,000 function names whose names look like the real layers (Python frames
`f (mod.py:N)`, libpython, libc, kernel, our map code), each walk a unique stack with
weight 1-3 (about 200,000 samples in all). The issue's reference point is flamegraph.pl
on an input of this size: 28 s and 1.5 GB on a 2-vCPU KVM guest (2026-11); the goal is 5x faster.

Timing: a pyperf Runner with `bench_time_func`; each worker builds the input once
(untimed) and renders it `loops` times with time.perf_counter around the renders only
(flamegraph-render-100k-unique), or parses the folded text and renders it
(flamegraph-read-and-render-100k-unique: what `mapbench flamegraph` does after start-up).
Memory: `--memory` renders once in this process and prints ru_maxrss (the process's
peak resident set, input included, from getrusage) before and after the render, and
the tracemalloc peak of the render alone (Python allocations; tracemalloc slows the
render, so its run is not a timing).
"""
from __future__ import annotations

import argparse
import gc
import random
import resource
import time
import tracemalloc

UNIQUE_STACKS = 100_000
SEED = 20_261_126
_LAYER_NAMES = (
    lambda i: f"py_func_{i} (mod_{i % 37}.py:{i % 500 + 1})",
    lambda i: f"_PyObject_Call_{i}",
    lambda i: f"__libc_helper_{i}",
    lambda i: f"do_syscall_{i}_[k]",
    lambda i: ("mapiternext", "mapiterinit", "hash64", "evacuate", "mapaccess", "mapassign")[i % 6] + f"_{i}",
)


def synthetic_stacks(unique: int = UNIQUE_STACKS, seed: int = SEED) -> dict[str, int]:
    """`unique` distinct folded stacks with weights 1-3, the same for the same arguments."""
    rng = random.Random(seed)
    names = [_LAYER_NAMES[i % len(_LAYER_NAMES)](i) for i in range(3000)]
    callees = [[rng.randrange(len(names)) for _ in range(6)] for _ in names]
    roots = [rng.randrange(len(names)) for _ in range(4)]
    stacks: dict[str, int] = {}
    while len(stacks) < unique:
        node = rng.choice(roots)
        frames = [names[node]]
        for _ in range(rng.randint(8, 40) - 1):
            node = rng.choice(callees[node])
            frames.append(names[node])
        key = ";".join(frames)
        if key not in stacks:
            stacks[key] = rng.randint(1, 3)
    return stacks


def time_renders(loops: int, stacks: dict[str, int]) -> float:
    from mapbench.analysis.flame.flamegraph import render_svg

    start = time.perf_counter()
    for _ in range(loops):
        render_svg(stacks, title="synthetic 100,000 unique stacks")
    return time.perf_counter() - start


def time_read_and_renders(loops: int, text: str) -> float:
    from mapbench.analysis.flame.flamegraph import render_svg
    from mapbench.analysis.stacks.folded import read_folded

    start = time.perf_counter()
    for _ in range(loops):
        render_svg(read_folded(text), title="synthetic 100,000 unique stacks")
    return time.perf_counter() - start


def folded_text(stacks: dict[str, int]) -> str:
    return "".join(f"{k} {v}\n" for k, v in sorted(stacks.items()))


def measure_memory(stacks: dict[str, int]) -> None:
    from mapbench.analysis.flame.flamegraph import render_svg

    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    svg = render_svg(stacks, title="synthetic 100,000 unique stacks")
    seconds = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = len(svg.encode("utf-8"))
    del svg
    gc.collect()
    tracemalloc.start()
    render_svg(stacks, title="synthetic 100,000 unique stacks")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    samples = sum(stacks.values())
    print(f"input: {len(stacks):,} unique stacks, {samples:,} samples (synthetic, seed {SEED})")
    print(f"render time, one run (time.perf_counter): {seconds:.2f} s; SVG {size / 1e6:.1f} MB")
    print(f"peak RSS of this process (getrusage ru_maxrss): {rss_before:.0f} MiB before render "
          f"(input built), {rss_after:.0f} MiB after")
    print(f"peak Python allocations during a render (tracemalloc): {peak / 2**20:.0f} MiB")


def main() -> None:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--memory", action="store_true")
    pre.add_argument("--write-folded", metavar="PATH")
    own, rest = pre.parse_known_args()
    if own.memory or own.write_folded:
        stacks = synthetic_stacks()
        if own.write_folded:
            from mapbench.analysis.atomic import write_atomic

            write_atomic(own.write_folded, folded_text(stacks))
            print(f"wrote {len(stacks):,} stacks to {own.write_folded}")
        if own.memory:
            measure_memory(stacks)
        return

    import pyperf

    runner = pyperf.Runner(processes=3, values=3, warmups=1, min_time=0.0,
                           program_args=("-m", "mapbench.benchmarks.render_speed"))
    runner.metadata["description"] = "render_svg of 100,000 unique synthetic stacks (time.perf_counter)"
    args = runner.parse_args(rest)
    # Only the processes that time build the input; the master just spawns them.
    stacks = synthetic_stacks() if (args.worker or args.in_process) else {}
    runner.bench_time_func("flamegraph-render-100k-unique", time_renders, stacks)
    # The whole `mapbench flamegraph` job minus process start: folded text -> SVG text.
    text = folded_text(stacks) if stacks else ""
    runner.bench_time_func("flamegraph-read-and-render-100k-unique", time_read_and_renders, text)


if __name__ == "__main__":
    main()
