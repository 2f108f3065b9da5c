"""A real short `perf record -e cpu-clock -g` of the iterate workload, exported by the profile
pass's code to pprof with source lines (one batched addr2line on the -g native module), read
back by the real `go tool pprof -list`; and `mapbench report` writing the count profiles."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from mapbench.analysis.stacks.pprof import read_profile
from mapbench.benchmarks.report.run_report import count_profiles
from mapbench.benchmarks.counts.line_data_read import LINES_FILE, profile_file_name
from mapbench.benchmarks.profiling.collectors import perf_record
from mapbench.benchmarks.profiling.source_lines import parse_addr2line, repository_root, write_perf_pprof
from tests.analysis.test_pprof_lines import BENCH, lines_doc
from tests.go_pprof import listed_lines, need_go, pprof


def test_addr2line_inline_chains_become_repository_relative_lines():
    text = ("0x000000000000c46e\niter_cursor_of\n/src/x/native/src/classic/iter_next.h:41\n"
            "walk\n/src/x/native/src/classic/kernels.c:68 (discriminator 2)\n"
            "0x0000000000000010\n??\n??:0\n")
    resolved = parse_addr2line(text, Path("/src/x"))
    assert [(l.function, l.file, l.line) for l in resolved[0xc46e]] == [
        ("iter_cursor_of", "native/src/classic/iter_next.h", 41), ("walk", "native/src/classic/kernels.c", 68)]
    assert 0x10 not in resolved


def test_a_real_perf_capture_lists_mapiternext_source_lines_in_go_pprof(tmp_path):
    need_go()
    why = perf_record.available()
    if why:
        pytest.skip(f"perf cannot record here: {why}")
    config = {"op": "iterate", "n": 16384, "storage": "stack", "prefetch": 0, "layer": "native"}
    cap = perf_record.record(config, tmp_path, "it", seconds=0.4, frequency=999)
    if not cap.ok:
        pytest.skip(f"perf record gave no samples here: {cap.message}")
    messages = write_perf_pprof(tmp_path, "it", cap.files["perf_script"], cap.workload.get("pid"),
                                period_ns=1001001, source=cap.source)
    assert messages == []
    path = tmp_path / "pprof" / "it.pb.gz"
    profile = read_profile(path.read_bytes())
    table = profile.string_table
    native = [m for m in profile.mapping if re.search(r"_mapbench_native[^/]*\.so$", table[m.filename])]
    assert native and native[0].has_inline_frames
    assert any(loc.address and loc.mapping_id == native[0].id and table[
        next(f.filename for f in profile.function if f.id == loc.line[0].function_id)].startswith("native/src/")
               for loc in profile.location)
    # The map's iteration code (mapiternext_slow and the inlined mapiter_step) gets samples
    # on real source lines: the code pprof prints is the file's text at that line.
    root = repository_root()
    shown = listed_lines(pprof("-list", "mapiter", str(path), cwd=root, home=tmp_path))
    assert shown
    sources = {f: (root / f).read_text().splitlines() for f in ("native/src/classic/iter.c", "native/src/classic/iter_next.h")}
    texts = {line.strip() for lines in sources.values() for line in lines}
    assert all(code.strip() in texts for _, _, code in shown.values())


def test_report_writes_one_count_profile_per_benchmark_of_the_lines_file(tmp_path):
    doc = lines_doc()
    (tmp_path / LINES_FILE).write_bytes(gzip.compress(json.dumps(doc).encode()))
    count_profiles(tmp_path)
    path = tmp_path / "pprof" / profile_file_name(BENCH)
    assert path.name == "counts-iterate_storage=stack_prefetch=0_n=1024.pb.gz"
    profile = read_profile(path.read_bytes())
    assert sum(s.value[0] for s in profile.sample) == round(sum(r["Ir"] for r in doc["benchmarks"][BENCH]["lines"]) * 4096)
