"""mapbench.analysis.render.report: run report and store index rendered from known inputs."""
import re
import xml.etree.ElementTree as ET

import pyperf
import pytest

from mapbench.analysis.render import history, markdown, report
from mapbench.analysis.stats.findings import Finding

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
    out = markdown.to_html(md)
    assert "<h2>Cache misses</h2>" in out                   # one level under the page's h1
    assert "<strong>cachegrind</strong>" in out and "<code>D1</code>" in out
    assert "<p><em>source: a_b timing</em></p>" in out
    assert "<th>config</th>" in out and '<td style="text-align:right">0.13</td>' in out
    assert "<td>a | b</td>" in out and "&lt;x&gt;" in out and "<x>" not in out
    assert "---" not in out
    assert re.search(r"<ul>\s*<li>one</li>\s*<li>two</li>\s*</ul>", out)


def test_markdown_never_passes_raw_html_through():
    out = markdown.to_html('<script>alert(1)</script>\n\n<img src=x onerror="y">')
    assert "<script>" not in out and "<img" not in out and "&lt;script&gt;" in out


def test_run_report_has_every_section_and_links_by_relative_path():
    view = report.RunView(
        name="abc123", meta={"commit": "abc123" * 6, "date": "2026-01-01T00:00:00+00:00",
                             "cpu": {"model": "Test <CPU>"}, "dirty": True},
        suite=suite({"iterate/storage=stack/prefetch=0/n=1024": 2.5}, allocs=1.0),
        summary_md="| n | ns |\n|---|---|\n| 1024 | 2.5 |", cachemiss_md="| a | b |\n|---|---|\n| 1 | 2 |",
        layout=LAYOUT, plots=["plots/ns.svg", "plots/ns_per_element.svg", "plots/a b#1.svg"], flames=["flame/iterate.svg"],
        files=["bench.json"], compares=["compare/vs-x/compare.html"], notes=["perf: refused"],
        findings=[Finding("Heap <vs> stack", "heap: +36.0 ns per init (95% CI [+1%, +2%])",
                          "significant", "pyperf timing")], findings_method="Method: t test")
    page = report.render_run_report(view)
    assert page.index('id="findings"') < page.index("ns/element vs map size") < page.index('id="summary"')
    assert "<b>Heap &lt;vs&gt; stack</b>: heap: +36.0 ns per init" in page
    assert 'data-significance="significant"' in page and "Method: t test" in page
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
    assert 'src="plots/a%20b%231.svg"' in page             # a path is a URL, quoted


def test_run_report_without_results_says_what_is_missing():
    page = report.render_run_report(report.RunView(name="empty", meta={}))
    assert "No bench.json in this run" in page and "No flame graphs" in page
    assert "No findings" in page and 'id="headline"' not in page
    assert "No layout recorded" in page


def test_family_history_groups_variants_and_sizes_across_runs_in_order():
    suites = [suite({"iterate/storage=stack/prefetch=0/n=1024": 2.0,
                     "iterate/storage=stack/prefetch=0/n=4096": 3.0,
                     "iterinit/storage=heap/n=1024": 40.0}, allocs=1.0),
              None,
              suite({"iterate/storage=stack/prefetch=0/n=1024": 2.2, "roofline/n=1024": 0.5,
                     "not a suite name": 1.0})]
    counts = [{"benchmarks": {"iterate/storage=stack/prefetch=0/n=1024": {"per_element": {"Ir": 9.0}}}},
              None, None]
    hist = history.family_history(suites, counts)
    assert list(hist) == ["iterate", "iterinit", "roofline"]
    points = hist["iterate"]["storage=stack/prefetch=0"]
    assert [p.run for p in points[1024]] == [0, 2]
    assert points[1024][1].ns == pytest.approx(2.2)
    assert [p.run for p in points[4096]] == [0]
    assert hist["roofline"][""][1024][0].run == 2
    assert hist["iterinit"]["storage=heap"][1024][0].counts == {history.ALLOCS: 1.0}
    assert points[1024][0].counts == {history.ALLOCS: 1.0, history.INSTRUCTIONS: 9.0}
    assert points[1024][1].counts == {history.ALLOCS: 0.0}
    svg = history.plot_family_svg("iterate", hist["iterate"], ["r1", "r2", "r3"])
    assert ET.fromstring(svg).tag.endswith("svg")
    assert "n=2^10" in svg and "n=2^12" in svg and "ns/element" in svg
    assert "instructions/element" in svg and "allocs/op" in svg
    init = history.plot_family_svg("iterinit", hist["iterinit"], ["r1", "r2", "r3"])
    assert "allocs/op" in init and "instructions" not in init
    roof = history.plot_family_svg("roofline", hist["roofline"], ["r1", "r2", "r3"])
    assert "allocs/op" not in roof and "instructions" not in roof   # zero allocs: no row
    assert history.family_slug("iterate-growing") == "iterate-growing"


def test_index_lists_runs_newest_first_with_their_comparisons():
    runs = [report.IndexRun("aaa", {"commit": "a" * 40, "date": "d1", "bench": {"mode": "quick"}},
                            suite({"roofline/n=1024": 0.5}), True),
            report.IndexRun("bbb", {"commit": "b" * 40, "dirty": True}, None, False,
                            ["bbb/compare/vs-aaa/compare.html"])]
    page = report.render_index(runs, [("roofline", "history/roofline.svg")])
    assert page.index(">bbb<") < page.index(">aaa<")
    assert '<a href="aaa/report.html">aaa</a>' in page
    assert 'href="bbb/report.html"' not in page
    assert '<a href="bbb/compare/vs-aaa/compare.html">vs-aaa</a>' in page
    assert "<td>quick</td>" in page and 'src="history/roofline.svg"' in page
    assert "Runs by commit (2, newest first)" in page
