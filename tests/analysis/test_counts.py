"""Counted metrics from callgrind dumps: parsing, the estimated-cycles model, the table."""
from pathlib import Path

import pytest

from mapbench.analysis.counters import counts
from mapbench.analysis.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "counts"


def test_real_dump_totals_are_its_cost_lines_and_name_the_benchmark():
    dump = counts.parse_dump((FIXTURES / "callgrind-dump-iterate-heap.out").read_text())
    assert counts.client_request_name(dump["trigger"]) == "iterate/storage=heap/prefetch=16/n=1024"
    # The file's own totals: line, checked by parse_dump against the sum of its cost lines.
    assert dump["events"]["Ir"] == 986079 and dump["events"]["Bcm"] == 2288
    assert dump["caches"]["D1"].startswith("49152 B")


def test_termination_dump_has_no_client_request_and_zero_events():
    dump = counts.parse_dump((FIXTURES / "callgrind-dump-termination.out").read_text())
    assert counts.client_request_name(dump["trigger"]) is None
    assert not any(dump["events"].values())


def test_a_truncated_dump_is_an_input_error():
    text = (FIXTURES / "callgrind-dump-iterate-heap.out").read_text()
    cut = text[: len(text) // 2] + "\ntotals: 986079 223498 92082\n"
    with pytest.raises(InputError, match="totals"):
        counts.parse_dump(cut)
    with pytest.raises(InputError, match="not a callgrind dump"):
        counts.parse_dump("hello\n")


def test_inclusive_call_costs_are_not_added_twice():
    text = ("events: Ir Dr\nfn=(1) a\n1 10 2\ncalls=1 5\n2 100 40\nfn=(2) b\n5 100 40\n"
            "totals: 110 42\n")
    assert counts.parse_dump(text)["events"] == {"Ir": 110, "Dr": 42}


def test_estimated_cycles_follow_the_stated_formula():
    # 100 instructions, 30 reads, 10 writes; 4 L1 misses of which 1 also missed LL.
    events = {"Ir": 100, "Dr": 30, "Dw": 10, "I1mr": 1, "D1mr": 2, "D1mw": 1,
              "ILmr": 0, "DLmr": 1, "DLmw": 0}
    l1_hits, ll_hits, ram = 140 - 4, 4 - 1, 1
    assert counts.estimated_cycles(events) == l1_hits + 5 * ll_hits + 35 * ram
    entry = counts.benchmark_entry(events, loops=2, elements=4)
    assert entry["per_element"]["Ir"] == 25
    assert entry["per_element"][counts.CYCLES] == counts.estimated_cycles(events) / 4
    assert counts.metric_value(entry, "instructions") == 25
    with pytest.raises(InputError):
        counts.benchmark_entry(events, loops=1, elements=0)


def test_summary_table_puts_time_beside_counts_and_states_sources():
    entry = counts.benchmark_entry({"Ir": 5000, "Dr": 1000, "D1mr": 20}, 1, 100)
    doc = {"benchmarks": {"iterate/storage=stack/prefetch=0/n=100": entry},
           "cache_model": {"D1": "32 KiB 8-way 64 B lines"},
           "skipped": {"dict-iterate/n=100": "a Python-layer benchmark"},
           "hardware": {"status": "not used: <not supported> on this machine"}}
    text = counts.summary_markdown(doc, {"iterate/storage=stack/prefetch=0/n=100": 3.25})
    row = next(line for line in text.splitlines() if line.startswith("| iterate/"))
    assert "| 3.250 | 50 |" in row
    assert "32 KiB 8-way" in text and "No counts for dict-iterate/n=100" in text
    assert "<not supported>" in text and "prefetch" in text
