"""mapbench bench plumbing with a fake launcher: progressive bench.json, failures, Ctrl-C."""
import io
import json

import pyperf
import pytest

from mapbench.benchmarks.catalog import matrix
from mapbench.benchmarks.timing.suite import BEST_PREFETCH
from mapbench.benchmarks.cli import main
from mapbench.benchmarks.commands import bench as bench_cmd

NAMES = ["iterate/storage=stack/prefetch=0/n=1024", "roofline/n=1024",
         "iterinit/storage=heap/n=1024", "delete/n=1024"]


def fake_json(name: str) -> str:
    runs = [pyperf.Run([2e-9, 2.1e-9, 2.05e-9], warmups=[(4, 2e-9)],
                       metadata={"name": name, "loops": 4, "inner_loops": 1024, "unit": "second",
                                 "allocs_per_op": 0.0, "n": 1024, "bucket_bytes": 23040},
                       collect_metadata=False) for _ in range(2)]
    buf = io.StringIO()
    pyperf.Benchmark(runs).dump(buf)
    return buf.getvalue()


class FakeLauncher:
    """Succeeds, except: names in `fail` exit 1 with a kernel error (from round `fail_round`
    on); `interrupt_at` raises KeyboardInterrupt (Ctrl-C) at that benchmark in round
    `interrupt_round`; records the launch order and how many benchmarks bench.json held
    before each launch."""

    def __init__(self, run_dir, fail=(), interrupt_at=None, fail_round=1, interrupt_round=1):
        self.run_dir, self.fail, self.interrupt_at = run_dir, set(fail), interrupt_at
        self.fail_round, self.interrupt_round = fail_round, interrupt_round
        self.seen_before, self.launched = [], []

    def __call__(self, bench, mode, workdir):
        path = self.run_dir / "bench.json"
        self.seen_before.append(len(pyperf.BenchmarkSuite.load(str(path))) if path.exists() else 0)
        self.launched.append(bench.name)
        round_no = self.launched.count(bench.name)
        if bench.name == self.interrupt_at and round_no == self.interrupt_round:
            raise KeyboardInterrupt
        if bench.name in self.fail and round_no >= self.fail_round:
            return bench_cmd.Launch(1, "Traceback...\nRuntimeError: kernel failed: error code -3", None)
        return bench_cmd.Launch(0, "ok", fake_json(bench.name))


def benches(names=NAMES):
    return [matrix.parse_name(n) for n in names]


def quiet_log(*a, **k):
    return None


def runs_per_benchmark(path):
    return {b.get_name(): b.get_nrun() for b in pyperf.BenchmarkSuite.load(str(path))}


def test_rounds_interleave_processes_and_bench_json_grows_after_each(tmp_path):
    launcher = FakeLauncher(tmp_path)
    out = bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=launcher, log=quiet_log)
    rounds = bench_cmd.MODES["fast"]["processes"]
    assert out.done == NAMES and not out.failed and not out.interrupted
    assert launcher.launched == NAMES * rounds          # round-major: every benchmark, then again
    assert launcher.seen_before == [0, 1, 2, 3] + [4] * (4 * (rounds - 1))
    # each launch adds the fake's 2 runs: the rounds' runs are merged into one benchmark
    assert runs_per_benchmark(tmp_path / "bench.json") == {n: 2 * rounds for n in NAMES}
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["bench"]["status"] == "complete" and meta["bench"]["done"] == NAMES
    assert meta["bench"]["rounds_done"] == rounds


def test_rounds_option_sets_the_number_of_processes(tmp_path):
    launcher = FakeLauncher(tmp_path)
    bench_cmd.run_suite(benches(NAMES[:2]), tmp_path, "fast", launcher=launcher, log=quiet_log,
                        rounds=5)
    assert launcher.launched == NAMES[:2] * 5
    assert runs_per_benchmark(tmp_path / "bench.json") == {n: 10 for n in NAMES[:2]}


def test_progress_lines_say_round_k_of_n_elapsed_and_estimate_left(tmp_path):
    lines = []
    bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=FakeLauncher(tmp_path),
                        log=lambda *a, **k: lines.append(" ".join(map(str, a))), rounds=2)
    progress = [line for line in lines if line.startswith("[round")]
    assert [p.split("]")[0] for p in progress] == [
        f"[round {r} of 2, benchmark {k} of 4" for r in (1, 2) for k in range(1, 5)]
    assert all("elapsed" in p and "estimate left" in p for p in progress)


def test_a_failed_kernel_is_reported_and_the_rest_kept(tmp_path):
    lines = []
    launcher = FakeLauncher(tmp_path, fail={NAMES[1]})
    out = bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=launcher,
                              log=lambda *a, **k: lines.append(" ".join(map(str, a))), rounds=2)
    assert out.done == [NAMES[0], *NAMES[2:]]
    assert [f["name"] for f in out.failed] == [NAMES[1]]
    assert launcher.launched.count(NAMES[1]) == 1       # not retried in later rounds
    assert "kernel failed" in out.failed[0]["error"]
    assert any("FAILED roofline/n=1024" in line for line in lines)
    suite = pyperf.BenchmarkSuite.load(str(tmp_path / "bench.json"))
    assert NAMES[1] not in suite.get_benchmark_names() and len(suite) == 3
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["bench"]["status"] == "failed" and meta["bench"]["failed"][0]["name"] == NAMES[1]


def test_a_failure_in_a_later_round_drops_that_benchmarks_earlier_runs(tmp_path):
    launcher = FakeLauncher(tmp_path, fail={NAMES[0]}, fail_round=2)
    out = bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=launcher, log=quiet_log,
                              rounds=2)
    assert [f["name"] for f in out.failed] == [NAMES[0]] and out.done == NAMES[1:]
    assert sorted(runs_per_benchmark(tmp_path / "bench.json")) == sorted(NAMES[1:])


def test_repeated_failures_stop_the_pass(tmp_path):
    out = bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=FakeLauncher(tmp_path, fail=set(NAMES)),
                              log=quiet_log)
    assert out.stopped_early and len(out.failed) == bench_cmd.MAX_CONSECUTIVE_FAILURES
    assert not (tmp_path / "bench.json").exists()


def test_interrupt_keeps_every_finished_process_and_marks_partial_benchmarks(tmp_path):
    launcher = FakeLauncher(tmp_path, interrupt_at=NAMES[2], interrupt_round=2)
    out = bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=launcher, log=quiet_log,
                              rounds=2)
    assert out.interrupted and out.done == NAMES[:2]
    assert runs_per_benchmark(tmp_path / "bench.json") == {NAMES[0]: 4, NAMES[1]: 4,
                                                           NAMES[2]: 2, NAMES[3]: 2}
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["bench"]["status"] == "interrupted"
    assert meta["bench"]["partial"] == sorted(NAMES[2:]) and meta["bench"]["rounds_done"] == 1


def test_interrupt_between_launches_also_keeps_every_finished_process(tmp_path):
    # Ctrl-C while the pass logs a result (no child running): seen as exit 130 with
    # meta.json still "running" before this was handled.
    seen = []

    def log(*args, **kw):
        seen.append(args[0])
        if sum("ns per" in line for line in seen) == 3:
            raise KeyboardInterrupt

    out = bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=FakeLauncher(tmp_path), log=log,
                              rounds=2)
    assert out.interrupted and out.done == []
    assert runs_per_benchmark(tmp_path / "bench.json") == {n: 2 for n in NAMES[:3]}
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["bench"]["status"] == "interrupted" and meta["bench"]["partial"] == sorted(NAMES[:3])


def test_a_new_pass_replaces_the_old_bench_json(tmp_path):
    bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=FakeLauncher(tmp_path), log=quiet_log)
    bench_cmd.run_suite(benches(NAMES[3:]), tmp_path, "fast", launcher=FakeLauncher(tmp_path),
                        log=quiet_log)
    assert pyperf.BenchmarkSuite.load(str(tmp_path / "bench.json")).get_benchmark_names() == NAMES[3:]


@pytest.fixture
def fake_cli(monkeypatch, tmp_path):
    """`mapbench bench` with a fake launcher, no Go, in a temp store."""
    state = {}

    def fake_run_suite(benchmarks, run_dir, mode, **kw):
        launcher = FakeLauncher(run_dir, **state)
        return real_run_suite(benchmarks, run_dir, mode, launcher=launcher, **kw)

    real_run_suite = bench_cmd.run_suite
    monkeypatch.setattr(bench_cmd, "run_suite", fake_run_suite)
    monkeypatch.setattr(bench_cmd.metamod, "collect_meta", lambda rev, bench=None: {"bench": bench})
    return state


def test_cli_failure_exits_1_with_a_clear_message(fake_cli, tmp_path, capsys):
    fake_cli["fail"] = {"roofline/n=1024"}
    rc = main(["bench", "--only", "n=1024$", "--out", str(tmp_path), "--no-peers", "--no-plots"])
    err = capsys.readouterr().err
    assert rc == 1
    kept = len(matrix.select(matrix.build_matrix(BEST_PREFETCH), "n=1024$")) - 1
    assert "1 benchmark(s) failed: roofline/n=1024" in err and f"{kept} results kept" in err


def test_cli_interrupt_exits_130_and_says_what_is_kept(fake_cli, tmp_path, capsys):
    fake_cli["interrupt_at"] = "roofline/n=1024"
    rc = main(["bench", "--only", "n=1024$", "--out", str(tmp_path), "--no-peers", "--no-plots"])
    err = capsys.readouterr().err
    assert rc == 130
    assert "interrupted" in err
    rounds = bench_cmd.MODES["quick"]["processes"]
    names = [b.name for b in matrix.select(matrix.build_matrix(BEST_PREFETCH), "n=1024$")]
    before = names.index("roofline/n=1024")             # those that ran before the interrupt
    assert f"0 benchmarks with all {rounds} rounds, {before} with fewer" in err


def test_cli_success_prints_the_summary_and_writes_plots(fake_cli, tmp_path, capsys):
    rc = main(["bench", "--only", "^iterate/.*n=1024$|^roofline/n=1024$", "--out", str(tmp_path),
               "--no-peers"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "ns/element" in out and "% of roofline" in out and "_source: pyperf timing" in out
    run = next(p for p in tmp_path.iterdir() if p.is_dir())
    assert (run / "summary.md").is_file()
    assert {p.name for p in (run / "plots").iterdir()} >= {"ns_per_element.svg", "ns_per_element.png",
                                                          "storage.svg", "storage.png"}


def test_cli_bad_rounds_exit_2_before_writing_anything(tmp_path, capsys):
    assert main(["bench", "--rounds", "0", "--out", str(tmp_path)]) == 2
    assert "--rounds 0: give 1 to 100" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cli_bad_only_regex_exits_2_before_writing_anything(tmp_path, capsys):
    rc = main(["bench", "--only", "(", "--out", str(tmp_path)])
    assert rc == 2
    assert "mapbench bench: error: --only '('" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cli_says_when_the_calibration_wants_more_rounds(fake_cli, tmp_path, capsys):
    (tmp_path / "calibration.json").write_text(json.dumps(
        {"mode": "quick", "busy_runs": [], "process_noise": {"rounds_needed_estimate": 20}}))
    rc = main(["bench", "--only", "^roofline/n=1024$", "--out", str(tmp_path), "--no-peers",
               "--no-plots"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "estimated about 20 rounds" in out and f"this run has {bench_cmd.MODES['quick']['processes']}" in out
    rc = main(["bench", "--only", "^roofline/n=1024$", "--rounds", "20", "--out", str(tmp_path),
               "--no-peers", "--no-plots"])
    assert rc == 0 and "estimated about" not in capsys.readouterr().out
