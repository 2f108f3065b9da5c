"""The profiling pass: its plan, and that missing tools leave a complete index, not a traceback."""
from __future__ import annotations

import json
import shutil

import pytest

from mapbench.benchmarks.profiling import profile_pass as profiling
from mapbench.native import kernels
from mapbench.benchmarks.cli import main


def test_plan_covers_sizes_prefetch_storage_insert_and_python_layer():
    configs = profiling.plan()
    names = [c.name for c in configs if c.tools != ("callgrind",)]
    assert len(names) == len(set(names))
    iterate = [c for c in configs if c.op == "iterate" and c.layer == "native" and "cache" in c.tools
               and c.map == "classic"]
    assert {c.n for c in iterate} == {profiling.SMALL, profiling.LARGE}
    assert {c.prefetch for c in iterate} == {0, profiling.best_prefetch()} and profiling.best_prefetch() > 0
    assert {c.storage for c in iterate} == {"stack", "heap"}
    assert any(c.op == "insert" for c in configs)
    assert any(c.layer == "python" and "pyspy" in c.tools and "pyinstrument" in c.tools for c in configs)


def test_plan_profiles_the_swiss_map_beside_the_classic_one():
    quick = profiling.plan(quick=True)
    swiss = [c for c in quick if c.map == "swiss"]
    assert {(c.op, c.n, c.prefetch) for c in swiss if c.op == "iterate"} == {
        (op, n, p) for op in ("iterate",) for n in (profiling.SMALL, profiling.LARGE)
        for p in (0, kernels.swiss_auto_distance(profiling.LARGE))}
    assert kernels.swiss_auto_distance(profiling.LARGE) > 0  # the default's distance there
    assert all(c.name.startswith("swiss-") and c.workload()["map"] == "swiss" for c in swiss)
    assert all("map" not in c.workload() for c in quick if c.map == "classic")
    assert not any(c.tools == ("callgrind",) for c in swiss)  # only without --quick
    assert any(c.map == "swiss" and c.tools == ("callgrind",) for c in profiling.plan(quick=False))


def test_only_filters_by_name():
    configs = profiling.plan(only=r"n16384-heap")
    assert configs and all("n16384-heap" in c.name for c in configs)
    assert profiling.plan(only="^no-such-config$") == []


def test_missing_tools_leave_an_index_and_one_line_each(tmp_path, capsys):
    options = profiling.Options(perf="/nonexistent/perf", valgrind="/nonexistent/valgrind",
                                pyspy="/nonexistent/py-spy")
    (tmp_path / "meta.json").write_text('{"counters": null}')
    configs = [profiling.Config("iterate", 1024, tools=("perf", "cache")),
               profiling.Config("iterate", 1024, layer="python", tools=("pyspy",)),
               profiling.Config("iterate", 1024, tools=("callgrind",))]
    profiling.run_pass(tmp_path, configs, options)
    index = json.loads((tmp_path / "profile.json").read_text())
    assert [e["name"] for e in index["configurations"]] == [
        "iterate-n1024-stack-pf0", "python-iterate-n1024-stack-pf0", "callgrind-iterate-n1024-stack-pf0"]
    assert all(e["files"] == {} for e in index["configurations"])
    messages = index["messages"]
    assert any(m.startswith("perf record:") for m in messages)
    assert any(m.startswith("perf stat:") for m in messages)
    assert any(m.startswith("cachegrind:") for m in messages)
    assert any(m.startswith("py-spy:") for m in messages)
    assert all("\n" not in m for m in messages)
    counters = json.loads((tmp_path / "meta.json").read_text())["counters"]
    assert counters["hardware"] is False and "not found" in counters["why_not"]
    err = capsys.readouterr().err
    assert "step 1 of 3" in err and "step 3 of 3" in err and "Traceback" not in err


def test_profile_command_rejects_bad_options(capsys):
    assert main(["profile", "--frequency", "0"]) == 2
    assert main(["profile", "--cache-model", "D1=oops"]) == 2
    assert main(["profile", "--only", "^nothing$"]) == 2
    assert main(["profile", "--op", "iterate", "--n", "-5"]) == 2
    err = capsys.readouterr().err
    assert err.count("mapbench profile: error:") == 4


def _ready() -> str | None:
    try:
        from mapbench.native import Map, kernels  # noqa: F401
        import mapbench.analysis.stacks.fold, mapbench.analysis.stacks.pprof, mapbench.analysis.flame.flamegraph  # noqa: F401,E401
    except ImportError as exc:
        return f"not importable yet: {exc}"
    for tool in ("perf", "valgrind"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@pytest.mark.skipif(_ready() is not None, reason=str(_ready()))
def test_custom_configuration_end_to_end(tmp_path, capsys):
    assert main(["profile", "--out", str(tmp_path), "--quick", "--op", "iterate", "--n", "8192",
                 "--storage", "heap", "--prefetch", "4"]) == 0
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    index = json.loads((run / "profile.json").read_text())
    (entry,) = index["configurations"]
    files = entry["files"]
    for kind in ("folded", "flame", "pprof"):
        assert (run / files[kind]).is_file()
    folded = (run / files["folded"]).read_text()
    # The native frames of the map, under the kernel the FFI called.
    assert any("kernel_iterate" in line and "mapiternext" in line.split("kernel_iterate", 1)[1]
               for line in folded.splitlines())
    cache = json.loads((run / "cachemiss.json").read_text())["configurations"]
    (row,) = cache
    assert row["name"] == entry["name"] and row["elements"] > 0
    assert row["source"] in ("perf hardware counter", "cachegrind simulation")
    assert row["metrics"]["l1d_read_misses_per_element"] > 0
    assert "cachegrind simulation" in (run / "cachemiss.md").read_text() or row["source"] == "perf hardware counter"
    # the run ends by saying which source each kind of number came from
    err = capsys.readouterr().err
    assert f"source of cache: {index['sources']['cache']}" in err
    assert "source of time: perf sample" in err
