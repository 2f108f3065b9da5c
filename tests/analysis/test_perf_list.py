"""analysis/counters/perf_list.py: the events `perf list` offers, and which one counts each
cache level's misses; with the three states a `perf stat -x,` row can have
(analysis/counters/perf_stat_csv.py) on the level events."""
from pathlib import Path

from mapbench.analysis.counters import perf_list, perf_stat_csv

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def read(name: str) -> str:
    return (FIXTURES / name).read_text()


def rows(name: str) -> list[perf_stat_csv.CounterRow]:
    text = "\n".join(line for line in read(name).splitlines() if perf_stat_csv.looks_like_perf_stat(line))
    return perf_stat_csv.parse_perf_stat_csv(text)


def test_a_vm_without_a_pmu_offers_software_events_only_and_no_level_event():
    offered = perf_list.offered(read("perf-list-no-pmu.txt"))      # real: this project's guest
    assert offered["task-clock"] == "Software event" and offered["cs"] == "Software event"
    assert "all_l2_cache_misses" not in offered                    # a metric (perf stat -M), not an event
    assert not any(kind == "Tracepoint event" for kind in offered.values())
    assert perf_list.level_events(offered, ["L1d", "L2", "L3"]) == {}


def test_a_machine_with_counters_gets_one_event_per_level_from_its_own_list():
    offered = perf_list.offered(read("perf-list-with-pmu.txt"))
    assert offered["L1-dcache-load-misses"] == "Hardware cache event"
    assert offered["l2_rqsts.miss"] == "cache event"
    assert perf_list.level_events(offered, ["L1d", "L2", "L3"]) == {
        "L1d": "L1-dcache-load-misses", "L2": "l2_rqsts.miss", "L3": "LLC-load-misses"}
    # A two-level machine: its L2 is the last level, counted by the generic LLC event.
    assert perf_list.level_events(offered, ["L1d", "L2"]) == {
        "L1d": "L1-dcache-load-misses", "L2": "LLC-load-misses"}
    # No generic LLC event: the generic cache-misses; no l2* event: no L2 column.
    fewer = {k: v for k, v in offered.items() if not k.startswith(("LLC", "l2"))}
    assert perf_list.level_events(fewer, ["L1d", "L2", "L3"]) == {
        "L1d": "L1-dcache-load-misses", "L3": "cache-misses"}


def test_level_event_rows_counted_not_counted_and_not_supported():
    counted = {r.event: r for r in rows("perf-stat-levels-counted.csv")}
    assert counted["l2_rqsts.miss"].counted and counted["l2_rqsts.miss"].value == 1185322
    assert counted["LLC-load-misses"].scaled                        # multiplexed: perf scaled it
    unsupported = {r.event: r for r in rows("perf-stat-levels-unsupported.csv")}   # real capture
    assert [r.status for r in unsupported.values()][:3] == ["not supported"] * 3
    assert unsupported["L1-dcache-load-misses"].value is None
    assert unsupported["task-clock"].counted and unsupported["page-faults"].value > 0
    never = {r.event: r for r in rows("perf-stat-not-counted.csv")}                # real capture
    assert never["task-clock"].status == "not counted" and never["task-clock"].value is None
    assert never["L1-dcache-load-misses"].status == "not supported"
