"""mapbench.analysis.counters.cachemiss: perf stat CSV and cachegrind/callgrind parsing, per-element tables, the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from mapbench.analysis.counters import cachemiss
from mapbench.analysis.counters import cachegrind_out
from mapbench.analysis.render import cachemiss_tables
from mapbench.analysis.stacks import callgrind_stacks
from mapbench.analysis.counters import perf_stat_csv
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.cli import main

_ROOT = Path(__file__).resolve().parents[2]
# The project's own captures (tests/fixtures/record.sh made them; README.md there says how).
FIXTURES = _ROOT / "tests" / "fixtures"
UNSUPPORTED = (FIXTURES / "perf-stat-unsupported.csv").read_text()
ITERATE = (FIXTURES / "cachegrind.out.iterate").read_text()
# The capture: `iterate_main 65536 20`, a classic map of 2^16 keys (made with that hint, so
# 2^14 buckets of 144 bytes: 2.25 MiB, more than the simulated 1 MiB LL) iterated 20 times.
ITERATE_ELEMENTS = 65536 * 20
ITERATION_FUNCTIONS = ["kernel_iterate", "mapiternext", "mapiternext_slow"]
# A pass streams the whole bucket array once: one D1 line of 64 B per 64 B of buckets.
ARRAY_LINES_PER_ELEMENT = (1 << 14) * 144 / 64 / 65536

# `perf stat -x, -e ...` as printed on hardware with counters (man perf-stat, CSV FORMAT):
# value,unit,event,run-time,percent-running,metric-value,metric-unit. LLC-loads was
# multiplexed (running 50% of the time, scaled); LLC-load-misses was never scheduled.
COUNTED = """\
# started on Thu Nov 26 18:00:00 2026

2000000,,cycles,1000000,100.00,,
3000000,,instructions,1000000,100.00,1.50,insn per cycle
40000,,cache-references,1000000,100.00,,
10000,,cache-misses,1000000,100.00,25.000,% of all cache refs
800000,,L1-dcache-loads,1000000,100.00,,
80000,,L1-dcache-load-misses,1000000,100.00,10.00,% of all L1-dcache accesses
6000,,LLC-loads,500000,50.00,,
<not counted>,,LLC-load-misses,0,0.00,,
1.25,msec,task-clock,1250000,100.00,0.900,CPUs utilized
"""


def test_unsupported_fixture_rows():
    rows = perf_stat_csv.parse_perf_stat_csv(UNSUPPORTED)
    assert [r.event for r in rows][:2] == ["cycles", "instructions"]
    assert all(r.status == "not supported" and r.value is None for r in rows[:-1])
    clock = rows[-1]
    fields = UNSUPPORTED.strip().splitlines()[-1].split(",")    # value,unit,event,run time,...
    assert (clock.event, clock.value, clock.unit, clock.status) == ("task-clock", float(fields[0]), "msec", "counted")
    assert clock.metric_unit == "CPUs utilized" and clock.run_time == int(fields[3])


def test_counted_rows_give_per_element_numbers_and_notes():
    rows = perf_stat_csv.parse_perf_stat_csv(COUNTED)
    llc_loads = next(r for r in rows if r.event == "LLC-loads")
    assert llc_loads.scaled and llc_loads.percent_running == 50.0
    config = cachemiss.config_from_perf({"op": "iterate", "n": 1000}, rows, elements=1000)
    m = config["metrics"]
    assert m["instructions_per_element"] == 3000
    assert m["l1d_read_misses_per_element"] == 80
    assert m["cache_misses_per_element"] == 10
    assert m["l1d_miss_rate"] == pytest.approx(0.1)
    assert m["ll_read_misses_per_element"] is None          # not counted
    assert config["source"] == cachemiss.SOURCE_PERF and config["hardware_counters"]
    assert any("LLC-load-misses: not counted" in n for n in config["notes"])
    assert any("LLC-loads" in n and "scaled" in n for n in config["notes"])
    table = cachemiss_tables.summary_table([config])
    assert "perf hardware counter [1]" in table and "| 80.00 |" in table


def test_unsupported_counters_mean_no_hardware_numbers():
    config = cachemiss.config_from_perf({"op": "walk"}, perf_stat_csv.parse_perf_stat_csv(UNSUPPORTED), 100)
    assert not config["hardware_counters"]
    assert all(v is None for v in config["metrics"].values())


def test_interval_and_repeat_columns():
    text = "1.000123,5000,,cache-misses,999000,100.00,,\n1.000123,<not supported>,,cycles,0,100.00,,\n"
    rows = perf_stat_csv.parse_perf_stat_csv(text)
    assert (rows[0].event, rows[0].value) == ("cache-misses", 5000.0)
    assert rows[1].status == "not supported"
    repeated = perf_stat_csv.parse_perf_stat_csv("12345,,instructions,0.52%,1000,100.00,,\n")[0]
    assert repeated.variance_pct == pytest.approx(0.52) and repeated.run_time == 1000


@pytest.mark.parametrize("text", ["", "\n\n# only a comment\n", "hello world\n", "1,2,3\n"])
def test_bad_perf_stat_input_is_an_input_error(text):
    with pytest.raises(InputError):
        perf_stat_csv.parse_perf_stat_csv(text)


@given(st.lists(st.tuples(st.sampled_from(["cycles", "cache-misses", "LLC-load-misses", "r01c2"]),
                          st.one_of(st.integers(0, 10**12), st.just(None)),
                          st.floats(0.01, 100.0, allow_nan=False).map(lambda x: round(x, 2))),
                min_size=1, max_size=8))
def test_perf_stat_rows_round_trip(rows):
    text = "".join(f"{'<not supported>' if v is None else v},,{e},123,{p:.2f},,\n" for e, v, p in rows)
    parsed = perf_stat_csv.parse_perf_stat_csv(text)
    assert [(r.event, None if r.value is None else int(r.value), r.percent_running) for r in parsed] == \
        [(e, v, p) for e, v, p in rows]


def test_cachegrind_fixture_summary_geometry_and_functions():
    profile = cachegrind_out.parse_cachegrind(ITERATE)
    assert profile.tool == "cachegrind" and profile.has_summary
    assert profile.events[:3] == ["Ir", "I1mr", "ILmr"]
    assert profile.caches["D1"] == cachegrind_out.CacheGeometry(32768, 64, 8)
    assert profile.caches["LL"].size == 1 << 20
    # The summary line equals the sum of every function's costs.
    totals = [sum(c[i] for c in profile.self_costs.values()) for i in range(len(profile.events))]
    assert totals == profile.summary
    iteration_misses = sum(profile.function_cost(f, "D1mr") for f in ITERATION_FUNCTIONS)
    # every line of the bucket array missed once per pass, plus a few overflow buckets
    assert 1.0 <= iteration_misses / ITERATE_ELEMENTS / ARRAY_LINES_PER_ELEMENT < 1.1
    assert profile.files["mapiternext"].endswith("classic/iter.c")
    assert "32 KiB 8-way" in profile.source()


def test_kernel_only_costs_exclude_setup():
    profile = cachegrind_out.parse_cachegrind(ITERATE)
    whole = cachemiss.config_from_cachegrind({"op": "iterate"}, profile, ITERATE_ELEMENTS)
    only = cachemiss.config_from_cachegrind({"op": "iterate"}, profile, ITERATE_ELEMENTS,
                                            functions=ITERATION_FUNCTIONS)
    assert only["metrics"]["l1d_read_misses_per_element"] == pytest.approx(ARRAY_LINES_PER_ELEMENT, rel=0.1)
    assert whole["metrics"]["l1d_read_misses_per_element"] > only["metrics"]["l1d_read_misses_per_element"]
    assert "mapiternext_slow only" in only["method"] and "set-up included" in whole["method"]
    attributed = {row["function"] for row in only["functions"]}     # attribution is whole-process
    assert "mapassign" in attributed and not attributed <= set(ITERATION_FUNCTIONS)


CALLGRIND = """\
# callgrind format
version: 1
creator: callgrind-3.19.0
cmd: ./prog
desc: D1 cache: 49152 B, 64 B, 12-way associative
desc: LL cache: 2097152 B, 64 B, 16-way associative
positions: line
events: Ir Dr Dw D1mr D1mw DLmr DLmw
summary: 155 40 10 12 1 6 0

ob=(1) /prog
fl=(1) prog.c
fn=(1) main
10 10 2 1
+1 5
cfn=(2) kernel_iterate
calls=2 20
* 140 38 9 12 1 6 0
fn=(2)
20 30 8 2 2
+5 40 10 3 4 1 3
cfi=(2) map.c
cfn=(3) mapiternext
calls=100 7
* 70 20 4 6 0 3 0
fl=(2)
fn=(3)
7 70 20 4 6 0 3

totals: 155 40 10 12 1 6 0
"""


def test_callgrind_name_compression_and_call_costs():
    profile = cachegrind_out.parse_cachegrind(CALLGRIND)
    assert profile.tool == "callgrind"
    assert set(profile.self_costs) == {"main", "kernel_iterate", "mapiternext"}
    assert profile.self_costs["main"] == [15, 2, 1, 0, 0, 0, 0]
    assert profile.self_costs["kernel_iterate"] == [70, 18, 5, 6, 1, 3, 0]
    assert profile.calls[("kernel_iterate", "mapiternext")][0] == 70
    assert profile.call_counts[("kernel_iterate", "mapiternext")] == 100
    assert profile.inclusive("kernel_iterate") == profile.calls[("main", "kernel_iterate")]
    assert profile.files["mapiternext"] == "map.c"
    costs = cachemiss.cachegrind_costs(profile, ["kernel_iterate"], inclusive=True)
    assert costs["D1mr"] == 12 and costs["Ir"] == 140


@pytest.mark.parametrize("text", [
    "", "just text\n", "events: Ir\nfn=f\n1 x\n", "events: Ir\n1 2\n",
    "events: Ir D1mr\nfn=(4)\n1 2\n", "events: Ir\nfn=f\n1 2 3\n", "\x00\x01events: Ir",
])
def test_bad_cachegrind_input_is_an_input_error(text):
    with pytest.raises(InputError):
        cachegrind_out.parse_cachegrind(text)


def test_missing_cache_events_say_so():
    profile = cachegrind_out.parse_cachegrind("events: Ir\nfn=f\n1 5\n")
    assert not profile.has_summary and profile.summary == [5]
    with pytest.raises(InputError, match="cache-sim"):
        cachemiss.config_from_cachegrind({}, profile, 1)


def test_plot_is_svg_with_one_line_per_variant():
    profile = cachegrind_out.parse_cachegrind(ITERATE)
    configs = [cachemiss.config_from_cachegrind({"op": "iterate", "n": n, "prefetch": pf}, profile, n)
               for n in (1024, 4096) for pf in (0, 8)]
    svg = cachemiss_tables.plot_misses_per_element(configs)
    assert svg.lstrip().startswith("<?xml") and "prefetch=8" in svg and "prefetch=0" in svg


def test_cli_cachegrind_json_and_markdown(tmp_path, capsys):
    src = tmp_path / "cg.out"
    src.write_text(ITERATE)
    out = tmp_path / "out.json"
    assert main(["cachemiss", str(src), "--elements", str(ITERATE_ELEMENTS), "--functions", "^(kernel_iterate|mapiternext.*)$",
                 "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["metrics"]["l1d_read_misses_per_element"] == pytest.approx(ARRAY_LINES_PER_ELEMENT, rel=0.1)
    assert data["source"] == cachegrind_out.SOURCE_CACHEGRIND
    assert main(["cachemiss", str(src)]) == 0
    text = capsys.readouterr().out
    assert "cachegrind simulation" in text and "| mapiternext_slow |" in text


def test_cli_perf_csv_and_bad_input(tmp_path, capsys):
    csv = tmp_path / "stat.csv"
    csv.write_text(COUNTED)
    assert main(["cachemiss", str(csv), "--elements", "1000"]) == 0
    assert "perf hardware counter" in capsys.readouterr().out
    bad = tmp_path / "bad"
    bad.write_bytes(b"\xff\xfe garbage\n")
    assert main(["cachemiss", str(bad)]) == 2
    assert main(["cachemiss", str(csv), "--functions", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 2 and "Traceback" not in err


def test_callgrind_stacks_weight_paths_by_misses_and_keep_totals():
    profile = cachegrind_out.parse_cachegrind(CALLGRIND)
    stacks = callgrind_stacks.callgrind_stacks(profile, "D1mr")
    assert stacks == {"main;kernel_iterate": 6, "main;kernel_iterate;mapiternext": 6}
    assert sum(callgrind_stacks.callgrind_stacks(profile, "Ir").values()) == profile.total("Ir")


def test_callgrind_stacks_from_a_root_show_its_subtree_only():
    profile = cachegrind_out.parse_cachegrind(CALLGRIND)
    stacks = callgrind_stacks.callgrind_stacks(profile, "Ir", roots=["kernel_iterate"])
    assert stacks == {"kernel_iterate": 70, "kernel_iterate;mapiternext": 70}


def test_cli_refuses_a_perf_stat_with_no_hardware_numbers(tmp_path, capsys):
    csv = tmp_path / "unsupported.csv"
    csv.write_text(UNSUPPORTED)
    assert main(["cachemiss", str(csv), "--elements", "100000"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "cycles (not supported)" in err and "cachegrind" in err
