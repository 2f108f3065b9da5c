"""mapbench bench plumbing with a fake launcher: progressive bench.json, failures, Ctrl-C."""
import io
import json

import pyperf
import pytest

from benchmarks import matrix
from benchmarks.cli import main
from benchmarks.commands import bench as bench_cmd

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
    """Succeeds, except: names in `fail` exit 1 with a kernel error; `interrupt_at` raises
    KeyboardInterrupt (Ctrl-C) at that benchmark; records what bench.json held before each."""

    def __init__(self, run_dir, fail=(), interrupt_at=None):
        self.run_dir, self.fail, self.interrupt_at = run_dir, set(fail), interrupt_at
        self.seen_before = []

    def __call__(self, bench, mode, workdir):
        path = self.run_dir / "bench.json"
        self.seen_before.append(len(pyperf.BenchmarkSuite.load(str(path))) if path.exists() else 0)
        if bench.name == self.interrupt_at:
            raise KeyboardInterrupt
        if bench.name in self.fail:
            return bench_cmd.Launch(1, "Traceback...\nRuntimeError: kernel failed: error code -3", None)
        return bench_cmd.Launch(0, "ok", fake_json(bench.name))


def benches(names=NAMES):
    return [matrix.parse_name(n) for n in names]


def test_bench_json_grows_after_each_benchmark(tmp_path):
    launcher = FakeLauncher(tmp_path)
    out = bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=launcher, log=lambda *a, **k: None)
    assert out.done == NAMES and not out.failed and not out.interrupted
    assert launcher.seen_before == [0, 1, 2, 3]
    suite = pyperf.BenchmarkSuite.load(str(tmp_path / "bench.json"))
    assert suite.get_benchmark_names() == NAMES
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["bench"]["status"] == "complete" and meta["bench"]["done"] == NAMES


def test_progress_lines_say_k_of_n_elapsed_and_estimate_left(tmp_path):
    lines = []
    bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=FakeLauncher(tmp_path),
                        log=lambda *a, **k: lines.append(" ".join(map(str, a))))
    progress = [line for line in lines if line.startswith("[benchmark")]
    assert [p.split("]")[0] for p in progress] == [f"[benchmark {k} of 4" for k in range(1, 5)]
    assert all("elapsed" in p and "estimate left" in p for p in progress)


def test_a_failed_kernel_is_reported_and_the_rest_kept(tmp_path):
    lines = []
    out = bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=FakeLauncher(tmp_path, fail={NAMES[1]}),
                              log=lambda *a, **k: lines.append(" ".join(map(str, a))))
    assert out.done == [NAMES[0], *NAMES[2:]]
    assert [f["name"] for f in out.failed] == [NAMES[1]]
    assert "kernel failed" in out.failed[0]["error"]
    assert any("FAILED roofline/n=1024" in line for line in lines)
    suite = pyperf.BenchmarkSuite.load(str(tmp_path / "bench.json"))
    assert NAMES[1] not in suite.get_benchmark_names() and len(suite) == 3
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["bench"]["status"] == "failed" and meta["bench"]["failed"][0]["name"] == NAMES[1]


def test_repeated_failures_stop_the_pass(tmp_path):
    out = bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=FakeLauncher(tmp_path, fail=set(NAMES)),
                              log=lambda *a, **k: None)
    assert out.stopped_early and len(out.failed) == bench_cmd.MAX_CONSECUTIVE_FAILURES
    assert not (tmp_path / "bench.json").exists()


def test_interrupt_keeps_what_finished(tmp_path):
    out = bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=FakeLauncher(tmp_path, interrupt_at=NAMES[2]),
                              log=lambda *a, **k: None)
    assert out.interrupted and out.done == NAMES[:2]
    assert pyperf.BenchmarkSuite.load(str(tmp_path / "bench.json")).get_benchmark_names() == NAMES[:2]
    assert json.loads((tmp_path / "meta.json").read_text())["bench"]["status"] == "interrupted"


def test_a_new_pass_replaces_the_old_bench_json(tmp_path):
    bench_cmd.run_suite(benches(), tmp_path, "fast", launcher=FakeLauncher(tmp_path), log=lambda *a, **k: None)
    bench_cmd.run_suite(benches(NAMES[3:]), tmp_path, "fast", launcher=FakeLauncher(tmp_path),
                        log=lambda *a, **k: None)
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
    assert "1 benchmark(s) failed: roofline/n=1024" in err and "19 results kept" in err


def test_cli_interrupt_exits_130_and_says_what_is_kept(fake_cli, tmp_path, capsys):
    fake_cli["interrupt_at"] = "roofline/n=1024"
    rc = main(["bench", "--only", "n=1024$", "--out", str(tmp_path), "--no-peers", "--no-plots"])
    err = capsys.readouterr().err
    assert rc == 130
    assert "interrupted" in err and "keeps the 7 benchmarks" in err


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


def test_cli_bad_only_regex_exits_2_before_writing_anything(tmp_path, capsys):
    rc = main(["bench", "--only", "(", "--out", str(tmp_path)])
    assert rc == 2
    assert "mapbench bench: error: --only '('" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
