"""mapbench.benchmarks.report.summary on a run folder: summary.md, plots, Go peers, bad inputs."""
import io
import json

import pyperf
import pytest

from mapbench.analysis.errors import InputError
from mapbench.benchmarks.report import summary


def write_run(run, names):
    benches = []
    for name in names:
        md = {"name": name, "loops": 2, "inner_loops": 1024, "unit": "second", "bucket_bytes": 23040}
        runs = [pyperf.Run([3e-9, 3.1e-9], warmups=[(2, 3e-9)], metadata=md, collect_metadata=False)
                for _ in range(2)]
        benches.append(pyperf.Benchmark(runs))
    buf = io.StringIO()
    pyperf.BenchmarkSuite(benches).dump(buf)
    run.mkdir(parents=True, exist_ok=True)
    (run / "bench.json").write_text(buf.getvalue())
    (run / "meta.json").write_text(json.dumps({"cache_sizes": {"L1d": 49152, "L2": 2097152},
                                               "bench": {"status": "interrupted"}}))


def test_summary_md_plots_and_go_peers(tmp_path):
    write_run(tmp_path, ["iterate/storage=stack/prefetch=0/n=1024", "roofline/n=1024"])
    (tmp_path / "peers.json").write_text(json.dumps({
        "source": "go test -bench (go1.19.8)", "go_version": "go1.19.8",
        "benchmarks": [{"name": "range/n=1024", "n": 1024, "ns_per_element": 12.0}]}))
    text, plots = summary.summarize(tmp_path)
    assert "bench pass: interrupted; 2 benchmarks" in text          # a partial run says so
    assert "Go peers: iterate (for k, v := range m)" in text and "12.00" in text
    assert (tmp_path / "summary.md").read_text() == text
    assert {p.name for p in plots} == {"ns_per_element.svg", "ns_per_element.png",
                                       "storage.svg", "storage.png", "go_peers.svg", "go_peers.png"}
    assert b"L1d" in (tmp_path / "plots" / "ns_per_element.svg").read_bytes()
    assert b"go1.19.8 for range" in (tmp_path / "plots" / "ns_per_element.svg").read_bytes()


def test_summary_md_opens_with_the_findings(tmp_path):
    write_run(tmp_path, [f"iterinit/storage={s}/n=1024" for s in ("stack", "heap", "pool")])
    text, _ = summary.summarize(tmp_path, plots=False)
    assert text.index("## Findings") < text.index("**Heap vs stack iterator**") < text.index("### ")
    assert "**Does pooling pay?**" in text and "Method: " in text


def test_no_bench_json_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no benchmark finished"):
        summary.summarize(tmp_path)


@pytest.mark.parametrize("bad", ["bench.json", "peers.json"])
def test_damaged_files_are_input_errors(tmp_path, bad):
    write_run(tmp_path, ["roofline/n=1024"])
    (tmp_path / bad).write_text("{oops")
    with pytest.raises(InputError):
        summary.summarize(tmp_path, plots=False)


def test_the_report_page_shows_every_go_version_beside_ours(tmp_path):
    from mapbench.benchmarks.report import run_report as report

    write_run(tmp_path, ["iterate/storage=stack/prefetch=0/n=1024"])
    (tmp_path / "peers.json").write_text(json.dumps({"format": 2, "count": 3, "versions": [
        {"label": label, "go_version": f"{label}.1", "map": design,
         "benchmarks": [{"name": f"{label}/iterate/n=1024", "n": 1024, "ns_per_element": 8.0}]}
        for label, design in (("go1.19", "classic"), ("go1.27", "swiss"))]}))
    page = report.write_run_report(tmp_path).read_text()
    for who in ("go1.19.1 (classic)", "go1.27.1 (swiss)", "ours / go1.19", "ours / go1.27"):
        assert who in page
    assert 'href="peers.json"' in page
