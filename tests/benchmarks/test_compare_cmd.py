"""`mapbench compare` on run folders holding real pyperf suites, folded stacks and cache data."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyperf
import pytest

from mapbench.benchmarks.cli import main

NAMES = [f"iterate/storage={s}/prefetch=0/n={n}" for s in ("stack", "heap") for n in (1024, 16384)]
MACHINE = {"cpu": {"model": "Test CPU @ 2.0GHz", "logical_cpus": 2},
           "cache_sizes": {"L1d": 49152, "L2": 2097152, "LLC": 314572800}}
FOLDED_BASE = ("python;kernel_iterate;mapiternext 900\n"
               "python;kernel_iterate;mapiterinit 100\n")
FOLDED_SLOW = ("python;kernel_iterate;mapiternext 900\n"
               "python;kernel_iterate;mapiterinit 100\n"
               "python;kernel_iterate;calibration_spin 100\n")


def write_run(root: Path, name: str, *, seed: int, scale: float = 1.0, date: str,
              machine=MACHINE, folded=FOLDED_BASE, processes=3, mode="quick") -> Path:
    rng = np.random.default_rng(seed)
    benches = []
    for bench_name in NAMES:
        runs = []
        for _ in range(processes):
            offset = rng.normal(0, 0.01)
            values = 2e-9 * scale * np.exp(rng.normal(offset, 0.02, size=3))
            runs.append(pyperf.Run([float(v) for v in values],
                                   metadata={"name": bench_name, "loops": 4096,
                                             "inner_loops": 1024, "allocs_per_op": 0.0,
                                             "mapbench_mode": mode},
                                   collect_metadata=False))
        benches.append(pyperf.Benchmark(runs))
    run = root / name
    run.mkdir(parents=True)
    pyperf.BenchmarkSuite(benches).dump(str(run / "bench.json"))
    meta = {"commit": name * 4, "dirty": False, "run_name": name, "date": date,
            "bench": {"mode": mode}, **machine}
    (run / "meta.json").write_text(json.dumps(meta))
    (run / "folded").mkdir()
    (run / "folded" / "iterate-n1024.folded").write_text(folded)
    (run / "cachemiss.json").write_text(json.dumps(
        {"configs": [{"name": "iterate/n=1024", "D1_misses_per_element": 0.13 * scale,
                      "source": "cachegrind simulation"}]}))
    return run


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "profiles"
    base = write_run(root, "aaaaaaaaaaaa", seed=1, date="2026-01-01T00:00:00+00:00")
    return root, base


def test_aa_is_no_significant_change_and_gate_passes(store, capsys):
    root, base = store
    head = write_run(root, "bbbbbbbbbbbb", seed=2, date="2026-01-02T00:00:00+00:00")
    rc = main(["compare", str(base), str(head), "--out", str(root), "--fail-on-regression", "5"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "0 slower, 0 faster, 4 no significant change" in out
    md = (head / "compare" / "vs-aaaaaaaaaaaa" / "compare.md").read_text()
    assert "## Slower (0)" in md and "## No significant change (4)" in md
    assert "t test" in md


def test_slowdown_is_flagged_gated_and_shown_in_the_flame_graph(store, capsys):
    root, base = store
    head = write_run(root, "cccccccccccc", seed=2, scale=1.10, date="2026-01-03T00:00:00+00:00",
                     folded=FOLDED_SLOW)
    # HEAD defaults to the newest run of the store.
    rc = main(["compare", str(base), "--out", str(root), "--fail-on-regression", "5"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "4 slower" in out and "regression gate: 4 benchmark(s)" in out
    folder = head / "compare" / "vs-aaaaaaaaaaaa"
    svg = (folder / "diffflame" / "iterate-n1024.svg").read_text()
    assert "calibration_spin" in svg
    md = (folder / "compare.md").read_text()
    assert "calibration_spin" in md.split("Differential flame graphs")[1]
    assert "D1_misses_per_element" in md
    assert "Source: cachemiss.json of both runs: cachegrind simulation" in md
    page = (folder / "compare.html").read_text()
    assert page.count('<tr class="slower"') == 4
    assert 'src="diffflame/iterate-n1024.svg"' in page
    # The same comparison with a gate above the change passes.
    assert main(["compare", str(base), str(head), "--out", str(root),
                 "--fail-on-regression", "25"]) == 0


def test_min_effect_option_and_calibration_file_set_the_threshold(store, capsys):
    root, base = store
    head = write_run(root, "dddddddddddd", seed=2, scale=1.10, date="2026-01-03T00:00:00+00:00")
    assert main(["compare", str(base), str(head), "--out", str(root), "--min-effect", "20",
                 "--fail-on-regression", "5"]) == 0
    assert "20.0%" in capsys.readouterr().out
    (root / "calibration.json").write_text(json.dumps({"suggested_min_effect_pct": 15,
                                                       "statistic": "quiet"}))
    assert main(["compare", str(base), str(head), "--out", str(root),
                 "--fail-on-regression", "5"]) == 0
    assert "15.0%" in capsys.readouterr().out
    # a calibration of another statistic (files without the key are "median") says nothing
    (root / "calibration.json").write_text(json.dumps({"suggested_min_effect_pct": 15}))
    assert main(["compare", str(base), str(head), "--out", str(root),
                 "--fail-on-regression", "5"]) == 1
    (root / "calibration.json").write_text(json.dumps({"suggested_min_effect_pct": 15,
                                                       "busy_runs": ["A1"]}))
    assert main(["compare", str(base), str(head), "--out", str(root),
                 "--fail-on-regression", "5"]) == 1        # busy calibration: default 3 %


def test_runs_from_different_machines_are_refused(store, capsys):
    root, base = store
    other = dict(MACHINE, cpu={"model": "Other CPU", "logical_cpus": 2})
    head = write_run(root, "eeeeeeeeeeee", seed=2, machine=other, date="2026-01-04T00:00:00+00:00")
    assert main(["compare", str(base), str(head), "--out", str(root)]) == 2
    err = capsys.readouterr().err
    assert "different machines" in err and "Other CPU" in err
    assert main(["compare", str(base), str(head), "--out", str(root),
                 "--allow-other-machine"]) == 0


def test_differing_pyperf_settings_are_warned_about(store, capsys):
    root, base = store
    head = write_run(root, "ffffffffffff", seed=2, processes=6, mode="rigorous",
                     date="2026-01-05T00:00:00+00:00")
    assert main(["compare", str(base), str(head), "--out", str(root)]) == 0
    out = capsys.readouterr().out
    assert "warning: pyperf settings differ, meta.json bench.mode: 'quick' vs 'rigorous'" in out
    assert "processes differ" in out


def test_commit_without_results_and_missing_bench_json_say_so(store, capsys):
    root, base = store
    assert main(["compare", "HEAD", str(base), "--out", str(root)]) == 2
    assert "has no results" in capsys.readouterr().err
    empty = root / "000000000000"
    empty.mkdir()
    (empty / "meta.json").write_text(json.dumps({"date": "2026-02-01"}))
    assert main(["compare", str(base), str(empty), "--out", str(root)]) == 2
    assert "has no bench.json" in capsys.readouterr().err
    assert main(["compare", str(base), str(base), "--out", str(root)]) == 2
    assert "same run" in capsys.readouterr().err
    other = root / "111111111111"
    other.mkdir()
    (other / "meta.json").write_text(json.dumps({"date": "2026-02-02"}))
    runs = [pyperf.Run([1e-9, 2e-9], metadata={"name": "roofline/n=1024", "loops": 1},
                       collect_metadata=False)]
    pyperf.BenchmarkSuite([pyperf.Benchmark(runs)]).dump(str(other / "bench.json"))
    assert main(["compare", str(base), str(other), "--out", str(root)]) == 2
    assert "no benchmark in common" in capsys.readouterr().err


def test_same_commit_in_two_stores_is_labelled_by_store(tmp_path, capsys):
    a = write_run(tmp_path / "first", "aaaaaaaaaaaa", seed=1, date="2026-01-01")
    b = write_run(tmp_path / "second", "aaaaaaaaaaaa", seed=2, date="2026-01-01")
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "second")]) == 0
    assert "second/aaaaaaaaaaaa vs first/aaaaaaaaaaaa: 0 slower" in capsys.readouterr().out
    assert (b / "compare" / "vs-first-aaaaaaaaaaaa" / "compare.html").is_file()


def test_cli_subprocess_exit_status(store):
    root, base = store
    head = write_run(root, "abcabcabcabc", seed=2, scale=1.2, date="2026-01-06T00:00:00+00:00")
    proc = subprocess.run([sys.executable, "-m", "mapbench.benchmarks.cli", "compare", str(base), str(head),
                           "--out", str(root), "--fail-on-regression", "10"],
                          capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert proc.returncode == 1, proc.stderr
    assert "slower  iterate/storage=stack/prefetch=0/n=1024: +" in proc.stdout


def test_min_statistic_option_is_used_and_stated(store, capsys):
    root, base = store
    head = write_run(root, "987987987987", seed=2, scale=1.10, date="2026-01-07T00:00:00+00:00")
    assert main(["compare", str(base), str(head), "--out", str(root), "--statistic", "min"]) == 0
    out = capsys.readouterr().out
    assert "permutation test" in out
    md = (head / "compare" / "vs-aaaaaaaaaaaa" / "compare.md").read_text()
    assert "fastest values" in md


def test_go_peers_are_context_never_a_verdict(store, capsys):
    root, base = store
    head = write_run(root, "dddddddddddd", seed=2, date="2026-01-04T00:00:00+00:00")

    def peers(ns, version):
        return json.dumps({"format": 2, "versions": [{"label": "go1.23", "go_version": version, "map": "classic",
                                                      "benchmarks": [{"name": "go1.23/iterate/n=1024", "n": 1024,
                                                                      "ns_per_element": ns}]}]})
    (base / "peers.json").write_text(peers(10.0, "go1.23.8"))
    (head / "peers.json").write_text(peers(20.0, "go1.23.9"))               # Go twice as slow
    for run in (base, head):
        (run / "folded" / "go1.23-iterate.folded").write_text("runtime.mapiternext 5\n")
    rc = main(["compare", str(base), str(head), "--out", str(root), "--fail-on-regression", "5"])
    assert rc == 0 and "0 slower" in capsys.readouterr().out
    folder = head / "compare" / "vs-aaaaaaaaaaaa"
    context = (folder / "compare.md").read_text().split("Go peers (context only, no verdict)")[1]
    assert "| go1.23/iterate/n=1024 | 10.00 | 20.00 | +100.0% |" in context
    assert "base ran go1.23.8, head go1.23.9" in context
    assert not (folder / "diffflame" / "go1.23-iterate.svg").exists()      # not drawn as perf samples of ours
    assert "go1.23/iterate/n=1024" in (folder / "compare.html").read_text()


MACHINE_LORE = ("this VM", "1.6-2x", "KVM", "this host")


def test_method_quotes_the_stores_own_calibration_and_no_other_machine(store, capsys):
    root, base = store
    head = write_run(root, "eeeeeeeeeeee", seed=2, date="2026-01-04T00:00:00+00:00")
    md_path = head / "compare" / "vs-aaaaaaaaaaaa" / "compare.md"
    assert main(["compare", str(base), str(head), "--out", str(root)]) == 0
    out, md = capsys.readouterr().out, md_path.read_text()
    for text in (out, md):
        assert not [lore for lore in MACHINE_LORE if lore in text]
        assert "no calibration of this machine's noise: `mapbench calibrate` measures it" in text
    (root / "calibration.json").write_text(json.dumps({"statistic": "quiet", "process_noise": {
        "processes": 48, "quiet_processes": 31, "quiet_level_sd_pct": 4.26}}))
    assert main(["compare", str(base), str(head), "--out", str(root)]) == 0
    out, md = capsys.readouterr().out, md_path.read_text()
    for text in (out, md):
        assert not [lore for lore in MACHINE_LORE if lore in text]
        assert "31 of 48 worker processes had quiet values, and the quiet levels varied by 4.3% (sd)" in text
