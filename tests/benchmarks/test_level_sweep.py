"""benchmarks/profiling/level_sweep.py for real: callgrind at two LL geometries (a small "L2"
and a larger "L3"), full iteration of a map whose table lies between the two sizes."""
import json
import shutil

import pytest

from mapbench.benchmarks.profiling import level_sweep

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")

# A made-up machine: L1d 32 KiB, L2 64 KiB, L3 4 MiB. A classic map of 2^12 entries has
# 2^10 buckets of 144 B = 144 KiB: larger than this L2, smaller than this L3.
CACHES = [{"level": 1, "type": "Data", "size_bytes": 32 << 10, "ways": 8, "line_bytes": 64},
          {"level": 2, "type": "Unified", "size_bytes": 64 << 10, "ways": 8, "line_bytes": 64},
          {"level": 3, "type": "Unified", "size_bytes": 4 << 20, "ways": 16, "line_bytes": 64}]


def test_the_l3_pass_misses_less_than_the_l2_pass_for_a_table_between_them(tmp_path):
    n = 1 << 12
    doc = level_sweep.run_sweep(tmp_path, [n], CACHES, layout={"bmap": {"size": 144}}, say=lambda *_: None)
    assert doc is not None and not doc["failed"]
    written = json.loads((tmp_path / level_sweep.LEVELS_FILE).read_text())
    assert [lv["label"] for lv in written["levels"]] == [
        "L1d misses", "L2 misses", "L3 misses (last level, to memory)"]
    for row in written["rows"]:
        per, lines = row["per_element"], row["table_lines_per_element"]
        assert per["L2"] > 0.5 * lines           # the table does not fit the 64 KiB level
        assert per["L3"] < per["L2"] / 10        # ... and fits the 4 MiB one
        assert per["L1d"] >= per["L2"]           # D1 is the same in both passes
    assert {r["map"] for r in written["rows"]} == {"classic", "swiss"}
    # perf hardware counters: named events where this machine counts, else one line why not.
    hardware = written["hardware"]
    assert hardware["events"] or ("<not supported>" in hardware["why_not"] or "not found" in hardware["why_not"]
                                  or "<not counted>" in hardware["why_not"])
