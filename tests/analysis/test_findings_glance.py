"""The findings table report.html opens with: question, answer, effect with its interval, verdict
word and a link to the full sentence, read from the finders' own sentences."""
from mapbench.analysis.render import report
from mapbench.analysis.render.findings_glance import glance_rows
from mapbench.analysis.stats.findings import Finding

FINDINGS = [
    Finding("Heap vs stack iterator", "heap iterator: +8.0 ns per init over stack at n=2^10 (+40%, 95% CI "
            "[+35%, +45%], p = 0.0001); 1 alloc of 96 B per init vs none for stack", "significant", "pyperf"),
    Finding("Does prefetch help?", "prefetch distance 16 (stack iterator): 1.25x faster at 2^10 (2.50 -> 2.00 "
            "ns/element, 95% CI [1.20x, 1.31x], p = 1e-05); no significant effect at 2^14",
            "significant at some sizes", "pyperf"),
    Finding("Ours against Go's map", "ours / Go for-range, ns/element (below 1: ours is faster): go1.19.8: "
            "0.62x at 2^10 (CI [0.60x, 0.65x]), 0.50x at 2^14 (CI [0.48x, 0.52x])", "significant", "go"),
    Finding("Where the table leaves each cache level", "classic map: L1d misses (32 KiB 8-way 64 B lines): "
            "step up between 2^10 and 2^14; the table fills it at n~833", "untested", "callgrind"),
]


def test_each_finding_gets_a_short_answer_an_effect_with_its_interval_and_a_verdict_word():
    rows = glance_rows(FINDINGS)
    assert [(r.answer, r.effect, r.verdict) for r in rows] == [
        ("+8.0 ns per init over stack at n=2^10", "+40% [+35%, +45%]", "yes"),
        ("1.25x faster at 2^10", "1.25x [1.20x, 1.31x]", "at some sizes"),
        ("0.62x at 2^10", "0.62x [0.60x, 0.65x]", "yes"),
        ("classic map: L1d misses (32 KiB 8-way 64 B lines): step up…", "-", "not tested"),
    ]
    assert [r.question for r in rows] == [f.topic for f in FINDINGS]
    assert all(len(r.answer) <= 60 for r in rows)


def test_the_report_opens_with_the_table_and_keeps_the_sentences_below_it():
    page = report.render_run_report(report.RunView(name="run", meta={}, findings=FINDINGS))
    table, sentences = page.index('id="glance"'), page.index('class="finding"')
    assert table < sentences
    for i, finding in enumerate(FINDINGS, start=1):
        assert f'href="#finding-{i}"' in page and f'id="finding-{i}"' in page
    assert "+40% [+35%, +45%]" in page[table:sentences]
