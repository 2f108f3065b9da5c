"""`mapbench compare --metric`: counts decide by default when both runs have them."""
import json
from pathlib import Path

import pytest

from mapbench.analysis.counters import counts
from mapbench.benchmarks.cli import main

from tests.benchmarks.test_compare_cmd import write_run   # the timed runs' builder

NAMES = [f"iterate/storage={s}/prefetch=0/n={n}" for s in ("stack", "heap") for n in (1024, 16384)]


def write_counts(run: Path, ir_per_element: dict[str, float], work: int = 0) -> None:
    doc = {"schema": 1, "cache_model": {"D1": "32 KiB 8-way 64 B lines"}, "inject_work_pct": work,
           "benchmarks": {name: counts.benchmark_entry({"Ir": int(v * 16384), "Dr": 9000}, 16, 16384)
                          for name, v in ir_per_element.items()},
           "skipped": {}, "failed": {}}
    (run / "counts.json").write_text(json.dumps(doc))


def counts_only_run(root: Path, name: str, values: dict[str, float], work: int = 0) -> Path:
    run = root / name
    run.mkdir(parents=True)
    (run / "meta.json").write_text(json.dumps({"commit": name, "run_name": name}))
    write_counts(run, values, work)
    return run


BASE = {n: 56.58 for n in NAMES}


def test_counts_decide_by_default_and_the_gate_passes_on_equal_counts(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = write_run(root, "aaaaaaaaaaaa", seed=1, date="2026-01-01T00:00:00+00:00")
    head = write_run(root, "bbbbbbbbbbbb", seed=2, scale=1.10, date="2026-01-02T00:00:00+00:00")
    write_counts(base, BASE)
    write_counts(head, BASE)
    rc = main(["compare", str(base), str(head), "--out", str(root), "--fail-on-regression", "0.5"])
    out = capsys.readouterr().out
    assert rc == 0, out                    # time says 10% slower, counts say the same work
    assert "verdict metric: instructions (default: both runs have counts" in out
    assert "slower  iterate/" in out       # the time table is still shown
    md = (head / "compare" / "vs-aaaaaaaaaaaa" / "compare.md").read_text()
    assert "Counted metrics" in md and "used **instructions" in md and md.count("Time and counts can disagree") == 1
    # --metric time brings back the timed gate.
    assert main(["compare", str(base), str(head), "--out", str(root), "--metric", "time",
                 "--fail-on-regression", "5"]) == 1


def test_injected_work_fails_the_count_gate_naming_the_benchmarks(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = counts_only_run(root, "bbbbbbbbbbbb", {**BASE, NAMES[0]: 56.58 * 1.021}, work=2)
    rc = main(["compare", str(base), str(head), "--out", str(root), "--metric", "instructions",
               "--fail-on-regression", "0.5"])
    out = capsys.readouterr().out
    assert rc == 1
    assert f"did more than 0.5% more work: {NAMES[0]} (+2.10%)" in out
    assert "MAPBENCH_INJECT_WORK_PCT=2" in out
    assert (head / "compare" / "vs-aaaaaaaaaaaa" / "compare.html").is_file()


def test_counts_metric_without_counts_is_one_line_error(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = write_run(root, "aaaaaaaaaaaa", seed=1, date="2026-01-01T00:00:00+00:00")
    head = counts_only_run(root, "bbbbbbbbbbbb", BASE)
    rc = main(["compare", str(base), str(head), "--out", str(root), "--metric", "cycles"])
    err = capsys.readouterr().err
    assert rc == 2 and "needs counts.json in both runs" in err and len(err.strip().splitlines()) == 1


def test_calibrated_a_a_sets_the_count_threshold(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = counts_only_run(root, "bbbbbbbbbbbb", {**BASE, NAMES[1]: 56.58 * 1.003})
    assert main(["compare", str(base), str(head), "--out", str(root), "--fail-on-regression", "0.2"]) == 1
    (root / "calibration.json").write_text(json.dumps({"counts": {"aa_max_change_pct": 0.25}}))
    capsys.readouterr()
    assert main(["compare", str(base), str(head), "--out", str(root), "--fail-on-regression", "0.2"]) == 0
    assert "changed when |change| >= 0.50%" in capsys.readouterr().out


def test_the_terminal_names_each_changed_benchmark_once_under_the_deciding_metric(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = counts_only_run(root, "bbbbbbbbbbbb", {**BASE, NAMES[0]: 56.58 * 1.03, NAMES[1]: 56.58 * 0.96})
    assert main(["compare", str(base), str(head), "--out", str(root), "--metric", "instructions"]) == 0
    out = capsys.readouterr().out
    more = [line for line in out.splitlines() if line.startswith("  more work  ")]
    less = [line for line in out.splitlines() if line.startswith("  less work  ")]
    assert len(more) == 1 and more[0].startswith(f"  more work  {NAMES[0]}: +3.000% (56.58 -> 58.27")
    assert more[0].endswith(" instructions/element, callgrind count)")
    assert len(less) == 1 and less[0].startswith(f"  less work  {NAMES[1]}: -4.000%")
    assert NAMES[2] not in "\n".join(more + less)          # unchanged ones are not listed


def test_asking_for_counts_names_the_run_that_has_none(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = write_run(root, "bbbbbbbbbbbb", seed=2, date="2026-01-02T00:00:00+00:00")    # timed, no counts
    rc = main(["compare", str(base), str(head), "--out", str(root), "--metric", "instructions"])
    err = capsys.readouterr().err
    assert rc == 2 and f"{head} has none" in err and f"{base}," not in err


def test_one_run_with_counts_and_one_without_falls_back_to_time(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = write_run(root, "aaaaaaaaaaaa", seed=1, date="2026-01-01T00:00:00+00:00")
    head = write_run(root, "bbbbbbbbbbbb", seed=2, date="2026-01-02T00:00:00+00:00")
    write_counts(base, BASE)                                  # only the base was counted
    assert main(["compare", str(base), str(head), "--out", str(root), "--fail-on-regression", "5"]) == 0
    out = capsys.readouterr().out
    assert "no significant change" in out and "counts, " not in out     # time decided, no count table


def test_with_cycles_deciding_every_metric_is_summed_up_and_only_cycles_listed(tmp_path, capsys):
    """The deciding metric is the second of the loop here: the first one's summary must not
    end the listing, and the per-benchmark lines are the deciding metric's alone."""
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = counts_only_run(root, "bbbbbbbbbbbb", {**BASE, NAMES[0]: 56.58 * 1.03})
    assert main(["compare", str(base), str(head), "--out", str(root), "--metric", "cycles"]) == 0
    out = capsys.readouterr().out
    summaries = [line for line in out.splitlines() if line.startswith("counts, ")]
    assert len(summaries) == 2 and "instructions" in summaries[0] and "cycles" in summaries[1]
    listed = [line for line in out.splitlines() if line.startswith(("  more work  ", "  less work  "))]
    assert len(listed) == 1 and listed[0].startswith(f"  more work  {NAMES[0]}: ")
    assert "cycles/element" in listed[0]


def _on_machine(run: Path, machine: str, **fingerprint) -> None:
    meta = json.loads((run / "meta.json").read_text())
    (run / "meta.json").write_text(json.dumps({**meta, "machine": {"id": machine, "source": "test"}}))
    doc = json.loads((run / "counts.json").read_text())
    base = {"compiler": "gcc 12.2.0", "cflags": ["-O2", "-g"], "valgrind": "valgrind-3.19.0",
            "cache_model": {"D1": "32 KiB"}, "python": "3.11.7", "isa": ["avx2"]}
    (run / "counts.json").write_text(json.dumps({**doc, "fingerprint": {**base, **fingerprint}}))


def test_counts_of_two_machines_compare_when_their_fingerprints_agree(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = counts_only_run(root, "bbbbbbbbbbbb", {**BASE, NAMES[0]: 56.58 * 1.03})
    _on_machine(base, "host-a-11111111")
    _on_machine(head, "host-b-22222222")
    assert main(["compare", str(base), str(head), "--out", str(root), "--metric", "instructions"]) == 0
    assert f"  more work  {NAMES[0]}" in capsys.readouterr().out


def test_counts_of_two_machines_are_refused_naming_what_differs(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = counts_only_run(root, "bbbbbbbbbbbb", BASE)
    _on_machine(base, "host-a-11111111")
    _on_machine(head, "host-b-22222222", isa=["avx2", "avx512f"])
    assert main(["compare", str(base), str(head), "--out", str(root), "--metric", "instructions"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not comparable across machines: isa differs" in err[0]


def test_one_machines_counts_are_not_held_to_a_fingerprint(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = counts_only_run(root, "bbbbbbbbbbbb", BASE)
    _on_machine(base, "host-a-11111111")
    _on_machine(head, "host-a-11111111", cflags=["-O3", "-g"])     # a commit that changed the flags
    assert main(["compare", str(base), str(head), "--out", str(root), "--metric", "instructions"]) == 0
