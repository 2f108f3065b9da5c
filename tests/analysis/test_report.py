"""mapbench.analysis.render.report: run report and store index rendered from known inputs."""
import re
import xml.etree.ElementTree as ET

import pyperf
import pytest

from mapbench.analysis.render import report

LAYOUT = {"hiter": {"size": 96, "fields": [
    {"name": "key", "offset": 0, "size": 8, "cache_line": 0},
    {"name": "bucket", "offset": 64, "size": 8, "cache_line": 1}]}}


def suite(ns_by_name, allocs=0.0):
    benches = []
    for name, ns in ns_by_name.items():
        runs = [pyperf.Run([ns * 1e-9, ns * 1.02e-9, ns * 0.98e-9],
                           metadata={"name": name, "loops": 4, "allocs_per_op": allocs,
                                     "alloc_bytes_per_op": 96.0 * allocs},
                           collect_metadata=False) for _ in range(3)]
        benches.append(pyperf.Benchmark(runs))
    return pyperf.BenchmarkSuite(benches)


def test_markdown_tables_headings_and_lists_become_html():
    md = ("# Cache misses\n\nSource: **cachegrind** simulation, `D1`.\n\n_source: a_b timing_\n\n"
          "| config | D1 misses/element |\n|---|---:|\n| iterate/n=1024 | 0.13 |\n"
          "| a \\| b | <x> |\n\n- one\n- two\n")
    out = report.markdown_to_html(md)
    assert "<h2>Cache misses</h2>" in out
    assert "<b>cachegrind</b>" in out and "<code>D1</code>" in out
    assert "<p><i>source: a_b timing</i></p>" in out
    assert "<th>D1 misses/element</th>" in out and "<td>0.13</td>" in out
    assert "<td>a | b</td>" in out and "&lt;x&gt;" in out
    assert "---" not in out
    assert "<ul><li>one</li><li>two</li></ul>" in out


def test_run_report_has_every_section_and_links_by_relative_path():
    view = report.RunView(
        name="abc123", meta={"commit": "abc123" * 6, "date": "2026-01-01T00:00:00+00:00",
                             "cpu": {"model": "Test <CPU>"}, "dirty": True},
        suite=suite({"iterate/storage=stack/prefetch=0/n=1024": 2.5}, allocs=1.0),
        summary_md="| n | ns |\n|---|---|\n| 1024 | 2.5 |", cachemiss_md="| a | b |\n|---|---|\n| 1 | 2 |",
        layout=LAYOUT, plots=["plots/ns.svg"], flames=["flame/iterate.svg"],
        files=["bench.json"], compares=["compare/vs-x/compare.html"], notes=["perf: refused"])
    page = report.render_run_report(view)
    for anchor in ("summary", "benchmarks", "plots", "flame", "cache", "layout", "environment"):
        assert f'id="{anchor}"' in page
    assert "Test &lt;CPU&gt;" in page and "Test <CPU>" not in page
    assert "uncommitted changes" in page
    row = re.search(r"<tr><td>iterate/storage=stack/prefetch=0/n=1024</td>(.*?)</tr>", page).group(1)
    assert "<td>2.500</td>" in row and "<td>3 x 3</td>" in row and "<td>1</td><td>96</td>" in row
    assert 'src="flame/iterate.svg"' in page and 'src="plots/ns.svg"' in page
    assert 'href="compare/vs-x/compare.html"' in page
    assert "<td>bucket</td><td>64</td><td>8</td><td>1</td>" in page
    assert "perf: refused" in page


def test_run_report_without_results_says_what_is_missing():
    page = report.render_run_report(report.RunView(name="empty", meta={}))
    assert "No bench.json in this run" in page and "No flame graphs" in page
    assert "No layout recorded" in page


def test_history_series_groups_sizes_across_runs_in_order():
    runs = [report.IndexRun("r1", {}, suite({"iterate/storage=stack/prefetch=0/n=1024": 2.0,
                                             "iterate/storage=stack/prefetch=0/n=4096": 3.0}), True),
            report.IndexRun("r2", {}, None, False),
            report.IndexRun("r3", {}, suite({"iterate/storage=stack/prefetch=0/n=1024": 2.2,
                                             "not a suite name": 1.0}), False)]
    series = report.history_series(runs)
    assert list(series) == ["iterate/storage=stack/prefetch=0"]
    points = series["iterate/storage=stack/prefetch=0"]
    assert [i for i, _ in points[1024]] == [0, 2]
    assert points[1024][1][1] == pytest.approx(2.2)
    assert points[4096] == [(0, pytest.approx(3.0))]
    svg = report.plot_history_svg("iterate/storage=stack/prefetch=0", points, ["r1", "r2", "r3"])
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "n=2^10" in svg and "ns/element" in svg
    assert report.series_slug("iterate/storage=stack/prefetch=0") == "iterate_storage=stack_prefetch=0"


def test_index_links_runs_with_reports_only():
    runs = [report.IndexRun("aaa", {"commit": "a" * 40, "date": "d1", "bench": {"mode": "quick"}},
                            suite({"roofline/n=1024": 0.5}), True),
            report.IndexRun("bbb", {"commit": "b" * 40, "dirty": True}, None, False)]
    page = report.render_index(runs, [("roofline", "history/roofline.svg")])
    assert '<a href="aaa/report.html">aaa</a>' in page
    assert 'href="bbb/report.html"' not in page
    assert "<td>quick</td>" in page and 'src="history/roofline.svg"' in page
    assert "Runs by commit (2, oldest first)" in page
