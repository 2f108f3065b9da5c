"""Compare says what a metric means: counted verdicts read "more work"/"less work", timed ones
"slower"/"faster", in the terminal, compare.md, compare.html and `--format github`; the
time-vs-counts caveat is written once per page."""
import re

from mapbench.analysis.stats.compare import FASTER, SLOWER, UNCHANGED
from mapbench.analysis.stats.verdict_words import verdict_word
from mapbench.benchmarks.cli import main

from tests.benchmarks.test_compare_cmd import write_run
from tests.benchmarks.test_compare_counts_cmd import BASE, NAMES, counts_only_run, write_counts

CAVEAT = "Time and counts can disagree"


def visible(page: str) -> str:
    """The words a reader sees: no style sheet (its class names are not words on the page)."""
    return re.sub(r"<style.*?</style>", "", page, flags=re.S)


def test_the_word_of_each_verdict_per_metric():
    for metric in ("instructions", "cycles"):
        assert (verdict_word(SLOWER, metric), verdict_word(FASTER, metric)) == ("more work", "less work")
        assert verdict_word(UNCHANGED, metric) == "unchanged"
    assert (verdict_word(SLOWER, "time"), verdict_word(FASTER, "time")) == ("slower", "faster")


def test_counts_only_compare_says_less_work_never_faster(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = counts_only_run(root, "bbbbbbbbbbbb", {**BASE, NAMES[0]: 56.58 * 0.8, NAMES[1]: 56.58 * 1.2})
    assert main(["compare", str(base), str(head), "--out", str(root)]) == 0
    out = capsys.readouterr().out
    folder = head / "compare" / "vs-aaaaaaaaaaaa"
    md, page = (folder / "compare.md").read_text(), visible((folder / "compare.html").read_text())
    for text in (out, md, page):
        assert "less work" in text and "more work" in text
        assert not re.search(r"\b(faster|slower)\b", text), text
    assert f"less work  {NAMES[0]}" in out
    # --format github (the pull-request comment) words the same verdicts the same way
    main(["compare", str(base), str(head), "--out", str(root), "--format", "github"])
    comment = capsys.readouterr().out
    assert "less work" in comment and "more work" in comment
    assert not re.search(r"\b(faster|slower)\b", comment), comment
    for text in (md, page):
        # the row of the benchmark whose instructions fell carries "less work"
        row = next(line for line in text.replace("<tr", "\n<tr").splitlines()
                   if NAMES[0] in line and "%" in line)
        assert "less work" in row
        assert text.count(CAVEAT) == 1


def test_timed_and_counted_verdicts_keep_their_own_words(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = write_run(root, "aaaaaaaaaaaa", seed=1, date="2026-01-01T00:00:00+00:00")
    head = write_run(root, "bbbbbbbbbbbb", seed=2, scale=1.10, date="2026-01-02T00:00:00+00:00")
    write_counts(base, BASE)
    write_counts(head, {**BASE, NAMES[0]: 56.58 * 0.8})
    main(["compare", str(base), str(head), "--out", str(root)])
    out = capsys.readouterr().out
    assert re.search(r"^  slower  iterate/", out, re.M)          # time: speed words
    assert f"less work  {NAMES[0]}" in out                        # counts: work words
    folder = head / "compare" / "vs-aaaaaaaaaaaa"
    for name in ("compare.md", "compare.html"):
        text = visible((folder / name).read_text())
        assert text.count(CAVEAT) == 1, name
        counted = text[text.index("Counted metrics"):]
        assert "less work" in counted
        table = counted[:counted.index(CAVEAT)]
        assert not re.search(r"\b(faster|slower)\b", table), name
