"""`mapbench bisect` over the toy's history (tests/history_toy.py), whose count steps at a
known commit: it names that commit with its subject and the count before -> after, builds
only the commits a binary search needs, and reuses the store's runs on a second search.
Plus the pure search steps of analysis/stats/bisection.py.
"""
import json
import math

import pytest

from mapbench.analysis.stats import bisection
from mapbench.benchmarks.cli import main
from tests.history_toy import commit, init_repo, package, pyproject
from tests.benchmarks.test_list_lines_cmd import runs  # noqa: F401  (fixture: c0d2bd4 per-line runs)

BEFORE, AFTER, STEP_AT, N = 41.56, 39.56, 5, 8       # commits 0..7; 5 is the first at AFTER


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("toyrepo")
    init_repo(repo)
    shas = [commit(repo, {"pyproject.toml": pyproject(),
                          **package(1e-9, count=AFTER if k >= STEP_AT else BEFORE),
                          "CHANGES": f"{k}\n"}, f"toy change {k}") for k in range(N)]
    return repo, shas


def test_bisect_names_the_commit_that_steps_and_builds_only_what_it_needs(repo, tmp_path, capsys):
    repo, shas = repo
    store = tmp_path / "profiles"
    argv = ["bisect", shas[0], shas[-1], "--bench", "^iterate/n=1024$", "--repo", str(repo),
            "--out", str(store), "--workers", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    culprit = shas[STEP_AT]
    assert (f"the first commit that changes iterate/n=1024 past 0.10%: {culprit[:12]} "
            f"'toy change {STEP_AT}': instructions 41.56 -> 39.56 (-4.8%)") in out
    built = json.loads((store / "history.json").read_text())
    # Binary search: the two ends, then ceil(log2(commits strictly between)) at most.
    assert 2 < len(built) <= 2 + math.ceil(math.log2(N - 2))
    assert culprit in built and shas[STEP_AT - 1] in built     # the step's two sides measured
    assert f"built {len(built)} of {N} commits" in out

    # Again: everything the search needs is in the store, nothing is built.
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"{culprit[:12]} 'toy change {STEP_AT}'" in out
    assert "built 0 of" in out and "to build" in out
    assert json.loads((store / "history.json").read_text()).keys() == built.keys()


def test_bisect_without_a_change_says_so_and_exits_1(repo, tmp_path, capsys):
    repo, shas = repo
    assert main(["bisect", shas[0], shas[STEP_AT - 1], "--bench", "^iterate/", "--repo", str(repo),
                 "--out", str(tmp_path / "p"), "--workers", "1"]) == 1
    assert "no change past 0.10% between GOOD and BAD: 41.56 -> 41.56" in capsys.readouterr().out


def test_bisect_refuses_a_bad_order_in_one_line(repo, tmp_path, capsys):
    repo, shas = repo
    assert main(["bisect", shas[3], shas[1], "--bench", "x", "--repo", str(repo),
                 "--out", str(tmp_path / "p")]) == 2
    assert "is not a descendant of" in capsys.readouterr().err


@pytest.mark.parametrize("k", [1, 2, 3])
def test_probes_split_the_range_k_plus_1_ways_and_narrow_finds_the_step(k):
    for n in range(2, 40):
        for step in range(1, n + 1):
            values = [1.0 if i < step else 2.0 for i in range(n + 1)]
            lo, hi, measured = 0, n, 2
            while picks := bisection.probes(lo, hi, k, set()):
                assert len(picks) <= k
                measured += len(picks)
                lo, hi = bisection.narrow(lo, hi, {i: values[i] for i in picks}, 1.0, 0.001)
            assert (lo, hi) == (step - 1, step)
            assert measured <= 2 + k * math.ceil(math.log(max(n - 1, 1), k + 1) + 1)


def test_unmeasurable_commits_are_skipped_and_differs_honours_the_threshold():
    assert bisection.probes(0, 4, 1, {1, 2, 3}) == []
    assert bisection.probes(0, 4, 1, {2}) in ([1], [3])
    assert not bisection.differs(100.0, 100.09, 0.001)
    assert bisection.differs(100.0, 100.11, 0.001)


def test_the_culprit_is_named_with_the_lines_that_account_for_it(runs):
    """c0d2bd4's real per-line counts (tests/fixtures/counts): the traversal's loop test."""
    from mapbench.benchmarks.history.bisect import culprit_lines
    from tests.benchmarks.test_list_lines_cmd import BENCH, KERNELS
    root, base, head = runs
    text = culprit_lines(base, head, BENCH)
    assert text.startswith("bisect: the lines that account for it")
    assert f"{KERNELS}:63->65" in text
    (head / "lines.json.gz").unlink()
    assert culprit_lines(base, head, BENCH).startswith("bisect: no per-line attribution (")
