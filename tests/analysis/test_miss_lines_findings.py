"""The "where the misses are" finding (mapbench.analysis.stats.miss_lines_findings) from
per-line data built per lines.json.gz schema 1, over the real sources of both maps; and the
load names read from the code (mapbench.analysis.counters.load_names)."""
from __future__ import annotations

from pathlib import Path

from mapbench.analysis.counters.load_names import describe_line, load_name
from mapbench.analysis.render import report
from mapbench.analysis.stats import findings
from mapbench.analysis.stats.miss_lines_findings import hot_lines
from tests.analysis.test_swiss_findings import run_suite

ROOT = Path(__file__).resolve().parents[2]
CLASSIC, SWISS = "native/src/classic/iter.c", "native/src/swiss/iter.c"


def _line(file: str, needle: str) -> int:
    return next(i for i, text in enumerate((ROOT / file).read_text().splitlines(), 1) if needle in text)


def test_load_names_come_from_the_code():
    assert load_name("            uint8_t top = bb->tophash[offi];") == "tophash[i] load"
    assert load_name("        if (b != NULL) b = b[glen - 1].overflow;") == "overflow pointer"
    assert load_name("        if ((g->ctrl[slot] & CTRL_EMPTY) == CTRL_EMPTY) continue;") == "control word"
    assert load_name("    if (pos >= m->dirLen) return NULL;") == "directory load"
    assert load_name("    return &t->groups[(start + pos) & t->lengthMask];") == "table header"
    assert load_name("        s += *it->key + *it->elem;") == "key and value loads"
    assert load_name("    uint64_t *k = &bb->keys[offi];") == "key load"
    assert load_name("    x = 1; /* the overflow pointer */") is None        # comments do not count
    assert describe_line("    x = y + 1;") == "`x = y + 1;`"
    assert describe_line(None) == "(source not stored)"


def lines_doc() -> dict:
    tophash = _line(CLASSIC, "uint8_t top = bb->tophash[offi];")
    overflow = _line(CLASSIC, "if (b != NULL) b = b[glen - 1].overflow;")
    key = _line(CLASSIC, "uint64_t *k = &bb->keys[offi];")
    ctrl = _line(SWISS, "if ((g->ctrl[slot] & CTRL_EMPTY) == CTRL_EMPTY) continue;")
    classic = {"elements": 4194304, "totals": {"D1mr": 1.0, "D1mw": 0.0, "DLmr": 0.5, "DLmw": 0.0}, "lines": [
        {"fn": "mapiternext_slow", "file": CLASSIC, "line": tophash, "inlined": False, "D1mr": 0.6, "DLmr": 0.45},
        {"fn": "mapiternext_slow", "file": CLASSIC, "line": overflow, "inlined": False, "D1mr": 0.3, "DLmr": 0.05},
        {"fn": "mapiternext_slow", "file": CLASSIC, "line": key, "inlined": True, "D1mr": 0.1}]}
    swiss = {"elements": 4194304, "totals": {"D1mr": 0.2}, "lines": [
        {"fn": "take_next_candidate", "file": SWISS, "line": ctrl, "inlined": True, "D1mr": 0.2}]}
    return {"schema": 1, "benchmarks": {"iterate/storage=stack/prefetch=0/n=4194304": classic,
                                        "iterate/map=swiss/storage=stack/prefetch=0/n=4194304": swiss},
            "sources": {CLASSIC: (ROOT / CLASSIC).read_text(), SWISS: (ROOT / SWISS).read_text()}}


def test_hot_lines_are_the_fewest_that_reach_80_percent():
    entry = lines_doc()["benchmarks"]["iterate/storage=stack/prefetch=0/n=4194304"]
    total, hot = hot_lines(entry, ("D1mr", "D1mw"))
    assert total == 1.0 and [v for _, v in hot] == [0.6, 0.3]         # 60% < 80% <= 90%
    total, hot = hot_lines(entry, ("DLmr", "DLmw"))
    assert total == 0.5 and [v for _, v in hot] == [0.45]


def test_one_finding_per_map_names_the_loads_and_its_source():
    suite = run_suite({"iterate/storage=stack/prefetch=0/n=4194304": 1.0})
    found = {f.topic: f for f in findings.findings(findings.RunData(suite, lines=lines_doc()))}
    classic = found["Where the misses are: classic map"]
    assert "at n=2^22" in classic.sentence
    assert "tophash[i] load (60%)" in classic.sentence and "overflow pointer (30%)" in classic.sentence
    assert "key load" not in classic.sentence                           # beyond the 80%
    assert "LL 0.5 misses/element, 90% on iter.c" in classic.sentence
    assert "callgrind simulation, timed region" in classic.source and "pinned cache model" in classic.source
    assert "control word (100%, inlined)" in found["Where the misses are: Swiss map"].sentence
    # no per-line data: no such finding
    assert not [f for f in findings.findings(findings.RunData(suite)) if f.topic.startswith("Where the misses")]


def test_the_cache_section_of_the_report_links_to_the_finding():
    suite = run_suite({"iterate/storage=stack/prefetch=0/n=4194304": 1.0})
    found = findings.findings(findings.RunData(suite, lines=lines_doc()))
    html = report.render_run_report(report.RunView(name="r", meta={}, suite=suite, findings=found))
    cache = html.split('id="cache"', 1)[1]
    assert '<a href="#findings">Where the misses are: classic map</a>' in cache.split("<h2", 1)[0]


def test_vector_loads_and_the_checksum_fold_are_named_by_what_they_load():
    from mapbench.analysis.counters.load_names import describe_line, describe_row
    swiss = {"intrinsic": True, "file": "<compiler>/emmintrin.h", "fn_file": "native/src/swiss/iter.c"}
    classic = {**swiss, "fn_file": "native/src/classic/iter.c"}
    assert describe_row(swiss, None).startswith("control word")
    assert describe_row(classic, None).startswith("tophash[i] load")
    fold = "static inline uint64_t fold(uint64_t k, uint64_t v) { return k * 0x9e3779b97f4a7c15ull + v; }"
    assert describe_line(fold).startswith("key and value loads")
