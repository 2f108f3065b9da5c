"""meta.json: cache sizes from sysfs, the recorded fields, preserved fields."""
import json

import pytest

from mapbench.benchmarks.store import meta
from mapbench.benchmarks.store.runs import Revision


def _fake_sysfs(root, entries):
    for i, (level, ctype, size) in enumerate(entries):
        d = root / f"index{i}"
        d.mkdir(parents=True)
        (d / "level").write_text(f"{level}\n")
        (d / "type").write_text(f"{ctype}\n")
        (d / "size").write_text(f"{size}\n")
        (d / "ways_of_associativity").write_text("12\n")
        (d / "coherency_line_size").write_text("64\n")


@pytest.mark.parametrize("text, expected", [("48K", 49152), ("2048K", 2 << 20), ("300M", 300 << 20),
                                            ("1G", 1 << 30), ("512", 512)])
def test_parse_size(text, expected):
    assert meta.parse_size(text) == expected


def test_caches_from_sysfs_name_l1d_l2_and_the_last_level(tmp_path):
    _fake_sysfs(tmp_path, [(1, "Data", "48K"), (1, "Instruction", "32K"),
                           (2, "Unified", "2048K"), (3, "Unified", "307200K")])
    caches = meta.read_caches(tmp_path)
    assert len(caches) == 4 and caches[0]["ways"] == 12 and caches[0]["line_bytes"] == 64
    assert meta.cache_sizes(caches) == {"L1d": 48 << 10, "L2": 2 << 20, "LLC": 300 << 20}


def test_two_level_hierarchy_has_l2_as_llc(tmp_path):
    _fake_sysfs(tmp_path, [(1, "Data", "32K"), (2, "Unified", "1024K")])
    assert meta.cache_sizes(meta.read_caches(tmp_path)) == {"L1d": 32 << 10, "L2": 1 << 20,
                                                            "LLC": 1 << 20}


def test_unreadable_sysfs_gives_no_caches(tmp_path):
    assert meta.read_caches(tmp_path / "missing") == []


def test_collect_meta_records_commit_machine_build_and_tools():
    m = meta.collect_meta(Revision("a" * 40, True), bench={"mode": "quick"})
    assert m["commit"] == "a" * 40 and m["dirty"] is True and m["run_name"] == "a" * 12 + "-dirty"
    assert m["date"].endswith("+00:00")
    for key in ("cpu", "caches", "cache_sizes", "build", "python", "packages", "tools",
                "pyperf_metadata", "pyperf_system", "counters", "bench"):
        assert key in m, key
    assert m["bench"] == {"mode": "quick"} and m["counters"] is None
    assert set(m["tools"]) == {"perf", "valgrind", "py-spy", "go", "gcc"}
    assert m["packages"]["pyperf"]
    assert "cpu_model_name" in m["pyperf_metadata"] or "platform" in m["pyperf_metadata"]
    json.dumps(m)                                   # serialisable as is
    assert "compiler" in m["build"] or "error" in m["build"]
    # the report's layout table is read from here: the bucket is Go's 144 bytes
    assert m["layout"]["bmap"]["size"] == 144 or "error" in m["layout"]
    # the Swiss map's next to it: Go's 136-byte group, 48-byte map, 12-word iterator
    assert "error" in m["layout"] or (m["layout"]["swiss_group"]["size"] == 136
                                      and m["layout"]["swiss_map"]["size"] == 48
                                      and m["layout"]["swiss_iter"]["words"] == 12)


def test_rewriting_meta_keeps_the_counters_the_profiling_step_filled(tmp_path):
    meta.write_meta(tmp_path, {"commit": "1", "counters": None})
    meta.update_meta(tmp_path, counters={"cycles": False, "source": "perf stat"})
    meta.write_meta(tmp_path, {"commit": "2", "counters": None})
    again = meta.read_meta(tmp_path)
    assert again["commit"] == "2" and again["counters"] == {"cycles": False, "source": "perf stat"}


def test_a_damaged_meta_json_is_replaced(tmp_path):
    (tmp_path / "meta.json").write_text("{not json")
    assert meta.read_meta(tmp_path) is None
    meta.update_meta(tmp_path, bench={"status": "running"})
    assert meta.read_meta(tmp_path) == {"bench": {"status": "running"}}
