"""The pprof-style top table."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from mapbench.analysis.errors import InputError
from mapbench.analysis.stacks.top import node_weights, top_table

STACKS = {"p;main;hash64": 6, "p;main;f;f;f": 3, "p;main": 1}


def rows(table: str) -> list[list[str]]:
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["flat"]) + 1
    return [line.split() for line in lines[start:]]


def test_flat_is_leaf_weight_and_cum_counts_recursion_once():
    nodes = {n.name: (n.flat, n.cum) for n in node_weights(STACKS)}
    assert nodes == {"p": (0, 10), "main": (1, 10), "hash64": (6, 6), "f": (3, 3)}


def test_sorted_by_flat_with_running_sum():
    assert rows(top_table(STACKS)) == [
        ["6", "60.00%", "60.00%", "6", "60.00%", "hash64"],
        ["3", "30.00%", "90.00%", "3", "30.00%", "f"],
        ["1", "10.00%", "100%", "10", "100%", "main"],
        ["0", "0%", "100%", "10", "100%", "p"],
    ]


def test_sorted_by_cum_and_limited():
    table = top_table(STACKS, sort="cum", nodes=2, unit="samples")
    assert [r[-1] for r in rows(table)] == ["main", "p"]
    assert table.splitlines()[0] == "Showing nodes accounting for 1 samples, 10.00% of 10 samples total"
    assert "Showing top 2 nodes out of 4" in table


def test_small_percentages_use_two_significant_digits_like_pprof():
    table = top_table({"a": 1, "b": 999})
    assert rows(table)[1][1] == "0.1%"


@pytest.mark.parametrize("kwargs", [{"sort": "name"}, {"nodes": 0}])
def test_bad_options_are_input_errors(kwargs):
    with pytest.raises(InputError):
        top_table(STACKS, **kwargs)


@given(st.dictionaries(st.lists(st.sampled_from("abcd"), min_size=1, max_size=6).map(";".join), st.integers(1, 50), min_size=1))
def test_flat_sums_to_total_and_cum_bounds_flat(stacks):
    nodes = node_weights(stacks)
    assert sum(n.flat for n in nodes) == sum(stacks.values())
    assert all(n.flat <= n.cum <= sum(stacks.values()) for n in nodes)
