"""benchmarks/profiling/collectors/perf_levels.py and the level sweep's hardware columns.

With this machine's real perf: a machine without counters (the project's KVM guest) gets
one line naming the events and their `<not supported>` state, and the level table says
so in one line, no column of zeros. A machine with counters cannot be had here, so the
counted path runs the real workload under a stand-in `perf` (a script answering `perf list`
with tests/fixtures/perf-list-with-pmu.txt and `perf stat -x,` with rows in perf's format
whose counts grow with the elements the workload reports).
"""
import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from mapbench.analysis.render import level_tables
from mapbench.benchmarks.profiling import level_sweep
from mapbench.benchmarks.profiling.collectors import perf_levels

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LEVELS = ["L1d", "L2", "L3"]
RATES = {"L1-dcache-load-misses": 0.5, "l2_rqsts.miss": 0.25, "LLC-load-misses": 0.125}


def sim_doc(rows, hardware) -> dict:
    levels = [{"name": name, "label": f"{name} misses", "machine": "m", "size_bytes": 1 << 20}
              for name in LEVELS]
    return {"levels": levels, "rows": rows, "hardware": hardware, "source": "callgrind simulation"}


@pytest.mark.skipif(shutil.which("perf") is None, reason="perf not installed (linux-perf)")
def test_real_perf_says_in_one_line_why_there_are_no_hardware_columns():
    found = perf_levels.events_for(LEVELS)
    if found.events:                             # a machine with counters: they are named
        assert not found.why and set(found.events) <= set(LEVELS)
        return
    assert "<not supported>" in found.why or "<not counted>" in found.why
    assert "L1-dcache-load-misses" in found.why and "\n" not in found.why
    rows = [{"map": "classic", "n": 1024, "per_element": {"L1d": 0.5, "L2": 0.1, "L3": 0.0}}]
    md = level_tables.levels_markdown(sim_doc(rows, found.to_json()))
    header = next(line for line in md.splitlines() if line.startswith("| map"))
    assert "perf hardware counter" not in header and "(simulated)" in header
    [line] = [ln for ln in md.splitlines() if ln.startswith("perf hardware counters:")]
    assert "<not supported>" in line and "simulation only" in line


FAKE_PERF = textwrap.dedent("""\
    #!{python}
    import json, subprocess, sys
    args = sys.argv[1:]
    if args[0] == "list":
        print(open({listing!r}).read()); sys.exit(0)
    events = args[args.index("-e") + 1].split(",")
    done = subprocess.run(args[args.index("--") + 1:], capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    elements = 0
    for line in done.stdout.splitlines():
        if line.startswith("{{"):
            elements = json.loads(line).get("elements", 0)
    rates = {rates!r}
    for event in events:
        sys.stderr.write(f"{{int(elements * rates.get(event, 0)) + 5000}},,{{event}},1000,100.00,,\\n")
    sys.exit(done.returncode)
""")


def test_counted_levels_become_perf_hardware_counter_columns_beside_the_simulated_ones(tmp_path):
    perf = tmp_path / "perf"
    perf.write_text(FAKE_PERF.format(python=sys.executable, listing=str(FIXTURES / "perf-list-with-pmu.txt"),
                                     rates=RATES))
    perf.chmod(0o755)
    rows = [{"map": "classic", "n": 1024, "per_element": {"L1d": 0.6, "L2": 0.3, "L3": 0.01}}]
    record = level_sweep.hardware_counts(rows, LEVELS, str(perf), say=lambda *_: None)
    assert record["events"] == {"L1d": "L1-dcache-load-misses", "L2": "l2_rqsts.miss",
                                "L3": "LLC-load-misses"}
    counted = rows[0]["hardware_per_element"]
    for level, event in record["events"].items():
        assert counted[level] == pytest.approx(RATES[event], rel=1e-3)   # set-up cancelled
    md = level_tables.levels_markdown(sim_doc(rows, record))
    header = next(line for line in md.splitlines() if line.startswith("| map"))
    assert "L2 misses/elem (perf hardware counter l2_rqsts.miss)" in header
    assert "L2 read misses/elem (simulated)" in header
    cells = [c.strip() for c in next(ln for ln in md.splitlines() if ln.startswith("| classic")).strip("|").split("|")]
    assert cells[5:8] == ["0.5000", "0.2500", "0.1250"]
    assert "perf hardware counter columns: L1d = L1-dcache-load-misses" in md
    json.dumps(record)                            # stored in cache_levels.json as is
