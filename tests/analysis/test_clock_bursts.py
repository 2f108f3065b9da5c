"""The clock study's summary: which clock sees the bursts, and what /proc said meanwhile."""
from mapbench.analysis.stats import clock_bursts


def sample(mono, thread, tsc=None, steal=0, delay=0):
    return {"monotonic_ns": mono, "thread_cpu_ns": thread, "tsc": tsc if tsc is not None else mono * 2.5,
            "steal_ticks": steal, "run_delay_ns": delay}


def test_stolen_bursts_show_in_wall_time_only():
    quiet = [sample(4.0 + i * 0.001, 4.0 + i * 0.001) for i in range(40)]
    stolen = [sample(7.5, 4.05, steal=3) for _ in range(10)]     # not running: CPU time stays
    s = clock_bursts.summarize(quiet + stolen)
    assert s["clocks"]["monotonic_ns"]["calls_in_bursts"] == 10
    assert s["clocks"]["thread_cpu_ns"]["calls_in_bursts"] == 0
    assert s["monotonic_bursts"]["also_in_thread_cpu_bursts"] == 0
    assert s["monotonic_bursts"]["also_in_tsc_bursts"] == 10
    assert s["monotonic_bursts"]["steal_ticks"] == 30 and s["quiet_calls"]["steal_ticks"] == 0
    assert s["monotonic_bursts"]["median_thread_cpu_over_monotonic"] < 0.6
    assert (s["clocks"]["thread_cpu_ns"]["rounds_for_10pct"]
            < s["clocks"]["monotonic_ns"]["rounds_for_10pct"])


def test_a_slower_cpu_shows_in_every_clock():
    quiet = [sample(4.0, 4.0) for _ in range(40)]
    slow = [sample(7.0, 6.9) for _ in range(10)]              # running, but slower
    s = clock_bursts.summarize(quiet + slow)
    assert s["monotonic_bursts"]["also_in_thread_cpu_bursts"] == 10
    assert clock_bursts.summarize([]) == {"calls": 0}
