"""The counting allocator's per-thread blocks: totals include threads that exited (their
blocks are handed to the next thread, never lost), and a thread's own counts are its."""
import threading

from mapbench.native import Map, alloc_totals, kernels


def build_and_drop():
    m = Map(seed=1)
    m.fill(3000)
    del m


def delta(before, after):
    return {k: after[k] - before[k] for k in before}


def test_totals_keep_the_counts_of_threads_that_exited():
    before = alloc_totals()
    build_and_drop()
    one = delta(before, alloc_totals())
    assert one["allocs"] > 0 and one["allocs"] == one["frees"]
    before = alloc_totals()
    for _ in range(12):                  # one after another: each exits before the next
        t = threading.Thread(target=build_and_drop)
        t.start()
        t.join()
    threads = [threading.Thread(target=build_and_drop) for _ in range(6)]
    for t in threads:                    # and some at once
        t.start()
    for t in threads:
        t.join()
    assert delta(before, alloc_totals()) == {k: 18 * v for k, v in one.items()}


def test_a_kernel_counts_only_its_own_thread():
    m = Map(seed=2)
    m.fill(1000)
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            build_and_drop()

    t = threading.Thread(target=churn)
    t.start()
    try:
        results = [kernels.iter_init(m, 64, storage="heap") for _ in range(5)]
    finally:
        stop.set()
        t.join()
    assert all(r.allocs == 64 and r.alloc_bytes == 64 * 96 for r in results)
