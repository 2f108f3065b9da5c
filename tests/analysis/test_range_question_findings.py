"""The findings and tables of the range-loop questions from synthetic runs: the yields/n
of ours beside Go's per PER with the sentence naming the difference, a PER that did not
end within the cap, a disagreement with Go named, and the cost of iteration after mass
deletes against a copy with the bytes walked and when the copy pays."""
from __future__ import annotations

import json
import re

from mapbench.analysis.render import bench_results, range_tables
from mapbench.analysis.stats import findings, question_findings, range_questions as rq
from tests.analysis.test_findings import run_suite

N = 1024
OURS = {"classic": {1: 1.45, 2: 1.53, 4: 1.58, 8: 1.60}, "swiss": {1: 1.50, 2: 2.81, 4: 6.8, 8: 7.88}}


def _inserting_meta(design, per, mean):
    ended = int(not (design == "swiss" and per == 8))
    ys = {str(s): mean + 0.05 * (s - 2) for s in (1, 2, 3)}
    return {"yields_per_n_by_seed": json.dumps(ys), "ended_by_seed": json.dumps({s: ended for s in ys}),
            "yields_per_n": mean, "cap_factor": 64}


def _go_record(label, per, mean, ended, n=N):
    return {"name": f"{label}/iterate-inserting/per={per}/n={n}", "family": "iterate-inserting",
            "params": f"per={per}", "n": n, "entries": n, "ns_per_op": [1e6], "iterations": [16],
            "ns_per_element": 1e6 / n,
            "metrics": {"yields/n": mean, "yields-min/n": mean - 0.1, "yields-max/n": mean + 0.1,
                        "ended/op": ended}}


def _peers(swiss_per4=6.85):
    go119 = [_go_record("go1.19", p, OURS["classic"][p] + 0.01, 1.0) for p in (1, 2, 4, 8)]
    go127 = [_go_record("go1.27", p, m, 0.0 if p == 8 else 1.0)
             for p, m in ((1, 1.52), (2, 2.88), (4, swiss_per4), (8, 7.88))]
    return {"versions": [{"label": "go1.19", "map": "classic", "benchmarks": go119},
                         {"label": "go1.27", "map": "swiss", "benchmarks": go127}]}


def _inserting_suite():
    meta, scales = {}, {}
    for design, by_per in OURS.items():
        for per, mean in by_per.items():
            name = f"iterate-inserting/map={design}/per={per}/n={N}"
            meta[name], scales[name] = _inserting_meta(design, per, mean), 50 * mean
    return run_suite(scales, metadata=meta)


def test_the_inserting_finding_names_yields_per_per_and_the_difference():
    data = findings.RunData(_inserting_suite(), _peers())
    [f] = [f for f in findings.findings(data) if f.topic == question_findings.INSERTING_TOPIC]
    assert "ours (classic) 1.45/1.53/1.58/1.60" in f.sentence
    assert "go1.27 (swiss) 1.52/2.88/6.85/no end" in f.sentence
    assert "ours (classic) ends after 1.45-1.60n whatever PER" in f.sentence
    assert "ours (swiss) ends after 1.50n at PER=1, 2.81n at PER=2, 6.80n at PER=4, and does not end " \
           "within the cap at PER=8" in f.sentence
    assert "bounded by the bucket array" in f.sentence and "agree at every PER" in f.sentence
    assert f.significance == findings.UNTESTED and "exact counts" in f.source


def test_a_disagreement_with_go_is_named():
    data = findings.RunData(_inserting_suite(), _peers(swiss_per4=9.9))
    [f] = [f for f in findings.findings(data) if f.topic == question_findings.INSERTING_TOPIC]
    assert "ours and Go differ: PER=4: ours 6.80" in f.sentence and "go1.27 (swiss) 9.90" in f.sentence


def test_the_yields_table_and_plot_show_ours_beside_go():
    results = bench_results.results_from_suite(_inserting_suite())
    [text] = range_tables.inserting_tables(results, _peers())
    assert "PER=1" in text and "go1.19 (classic)" in text and "no end" in text
    assert "ns per yield, ours (swiss)" in text
    assert range_tables.inserting_figure(results, _peers()) is not None


def _delete_suite():
    scales, meta = {}, {}
    # ns per live entry over 4 ns: after deletes climbs with the share deleted; the copy does not
    for design, after, copied, copy in (("classic", (1.6, 4.6, 36.0), 1.2, 12.0),
                                        ("swiss", (1.2, 3.5, 26.0), 1.0, 11.0)):
        for d, scale in zip((50, 90, 99), after):
            base = f"iterate-after-delete/map={design}/deleted={d}"
            scales[f"{base}/n=16384"] = scale
            scales[f"{base}/copied/n=16384"] = copied
            scales[f"copy-after-delete/map={design}/deleted={d}/n=16384"] = copy
            meta[f"{base}/n=16384"] = {"bytes_walked_per_live_entry": 36.0 * 100 / (100 - d)}
            meta[f"{base}/copied/n=16384"] = {"bytes_walked_per_live_entry": 40.0}
    return run_suite(scales, metadata=meta)


def test_the_delete_finding_sets_the_cost_against_a_copy_and_says_when_the_copy_pays():
    go = {"versions": [{"label": "go1.19", "map": "classic", "benchmarks": [
        {"name": "go1.19/iterate-after-delete/deleted=99/n=16384", "family": "iterate-after-delete",
         "params": "deleted=99", "n": 16384, "ns_per_element": 150.0},
        {"name": "go1.19/iterate-after-delete/deleted=99/copied/n=16384", "family": "iterate-after-delete",
         "params": "deleted=99/copied", "n": 16384, "ns_per_element": 5.0}]}]}
    data = findings.RunData(_delete_suite(), go)
    [f] = [f for f in findings.findings(data) if f.topic == question_findings.DELETE_TOPIC]
    classic = re.search(r"ours classic at 2\^14, per live entry: 50% deleted ([\d.]+) ns vs ([\d.]+) on a copy "
                        r"\(([\d.]+)x\), 72 B walked vs 40, copy ([\d.]+) ns/entry \(pays after ([\d.]+) traversals\)",
                        f.sentence)
    after, copied, x, copy, pays = map(float, classic.groups())
    assert 6.0 < after < 6.8 and 4.5 < copied < 5.1 and abs(x - after / copied) < 0.1
    assert abs(pays - copy / (after - copied)) < 0.2 * pays
    assert re.search(r"99% deleted 1[34]\d\.\d ns vs [\d.]+ on a copy \(\d\d\.\dx\), 3600 B walked", f.sentence)
    assert "go1.19 (classic): 99% 150.0 ns vs 5.0 on a copy (30.0x)" in f.sentence
    assert "Neither map shrinks" in f.sentence
    assert f.significance == findings.SIGNIFICANT


def test_delete_rows_compute_the_break_even_from_the_three_times():
    row = rq.DeleteRow("swiss", 16384, 90, 14.0, 4.0, 50.0, 340.0, 30.0, "a", "b")
    assert row.slowdown == 3.5 and row.break_even == 5.0
    assert rq.DeleteRow("swiss", 1, 50, 4.0, 4.0, 50.0, None, None, "a", "b").break_even is None


def test_a_run_without_the_questions_has_neither_finding():
    data = findings.RunData(run_suite({"iterate/storage=stack/prefetch=0/n=1024": 1.0}))
    topics = {f.topic for f in findings.findings(data)}
    assert not topics & {question_findings.INSERTING_TOPIC, question_findings.DELETE_TOPIC}
