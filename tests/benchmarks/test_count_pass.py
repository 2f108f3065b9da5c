"""The count pass: deterministic counts under callgrind, injected work seen, failures as one line.

The tests that run valgrind skip where it is missing (`.ci/run` installs it); the failure
paths use fake tools, so they run everywhere.
"""
import json
import shutil
import stat
from pathlib import Path

import pytest

from mapbench.benchmarks.counts import count_worker, count_pass as counts, hardware as hwcounts
from mapbench.benchmarks.catalog import matrix

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "counts"
needs_valgrind = pytest.mark.skipif(shutil.which("valgrind") is None,
                                    reason="needs valgrind (apt install valgrind)")
ITERATE = "iterate/storage=stack/prefetch=0/n=1024"
INIT = "iterinit/storage=heap/n=1024"


def benches(*names):
    return [matrix.parse_name(n) for n in names]


def fake_tool(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@needs_valgrind
def test_two_passes_give_equal_counts_and_injected_work_is_counted(tmp_path):
    """One commit counted twice in separate processes: every count equal; 10% more work
    per element shows as at least 10% more instructions (and not wildly more)."""
    docs = []
    for label, pct in (("a1", 0), ("a2", 0), ("w10", 10)):
        (tmp_path / label).mkdir()
        docs.append(counts.count_pass(benches(ITERATE, INIT), tmp_path / label, log=lambda *a, **k: None,
                                      inject_work_pct=pct, hardware=False))
    a1, a2, w10 = docs
    assert set(a1["benchmarks"]) == {ITERATE, INIT} and not a1["failed"]
    for name in (ITERATE, INIT):
        assert a1["benchmarks"][name]["totals"] == a2["benchmarks"][name]["totals"]
        ratio = w10["benchmarks"][name]["per_element"]["Ir"] / a1["benchmarks"][name]["per_element"]["Ir"]
        assert 1.10 <= ratio < 1.3, (name, ratio)
    assert a1["benchmarks"][ITERATE]["elements"] == 1024 * count_worker.count_loops(benches(ITERATE)[0])
    on_disk = json.loads((tmp_path / "a1" / counts.COUNTS_FILE).read_text())
    assert on_disk["cache_model"]["D1"].startswith("32 KiB") and "setarch" in on_disk["determinism"]["aslr"]
    fp = on_disk["fingerprint"]                      # what the counts depend on besides the code
    assert fp["valgrind"].startswith("valgrind-") and fp["compiler"].startswith("gcc") and "-g" in fp["cflags"]
    assert fp["cache_model"] == on_disk["cache_model"] and fp["python"].count(".") == 2
    assert isinstance(fp["isa"], list)
    assert w10["inject_work_pct"] == 10 and a1["inject_work_pct"] == 0


def test_missing_valgrind_is_one_line_and_no_file(tmp_path):
    lines = []
    doc = counts.count_pass(benches(ITERATE), tmp_path, log=lambda *a, **k: lines.append(a[0]),
                            valgrind=str(tmp_path / "no-valgrind"), hardware=False)
    assert doc is None and not (tmp_path / counts.COUNTS_FILE).exists()
    assert len(lines) == 1 and "not found" in lines[0] and "timings only" in lines[0]


def test_a_crash_under_valgrind_fails_those_benchmarks_in_one_line(tmp_path):
    # `--version` works (so valgrind looks installed), every real run dies like a crash.
    crash = fake_tool(tmp_path, "valgrind", 'if [ "$1" = "--version" ]; then echo valgrind-3.19.0; exit 0; fi\n'
                                            'echo "==1== Process terminating with default action of signal 11 (SIGSEGV)" >&2\n'
                                            "exit 139\n")
    lines = []
    doc = counts.count_pass(benches(ITERATE, "iterate/storage=stack/prefetch=0/n=16384"), tmp_path,
                            log=lambda *a, **k: lines.append(a[0]), valgrind=crash, hardware=False)
    assert doc is None
    assert any("failed: crashed or failed under valgrind (exit 139: ==1== Process terminating"
               in line for line in lines)


def test_python_layers_are_skipped_with_a_reason():
    groups, skipped = counts.plan(benches(ITERATE, "dict-iterate/n=1024", "insert/hint=0/n=16384"))
    assert groups == {(1024, True, "classic"): [ITERATE], (16384, False, "classic"): ["insert/hint=0/n=16384"]}
    assert "Python-layer" in skipped["dict-iterate/n=1024"]


def test_the_worker_runs_the_timed_suites_workload_natively(capsys):
    """Outside valgrind the client requests do nothing: the counted call is the suite's
    kernel on the suite's map (same checksum as pyperf's worker computes)."""
    from mapbench.benchmarks.catalog.families import build_map
    from mapbench.native import kernels
    assert count_worker.run([ITERATE, INIT], isolate=False) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["name"] for r in rows] == [ITERATE, INIT]
    assert rows[0]["elements"] == 1024 * rows[0]["loops"]
    same = kernels.iterate(build_map(1024), rows[0]["loops"])
    assert same.checksum == rows[0]["checksum"]
    with pytest.raises(ValueError, match="one worker process per map size"):
        count_worker.run([ITERATE, "iterate/storage=stack/prefetch=0/n=16384"], isolate=False)


# -- the hardware path ---------------------------------------------------------------

def test_unsupported_counters_are_said_once_and_skipped(tmp_path):
    csv = (FIXTURES.parent / "perf-stat-unsupported.csv").read_text().replace("cycles,", "cycles:u,") \
        .replace("instructions,", "instructions:u,")
    perf = fake_tool(tmp_path, "perf", f"cat >&2 <<'CSV'\n{csv}CSV\nexit 0\n")
    lines = []
    section = hwcounts.hardware_pass(benches(ITERATE), log=lambda *a, **k: lines.append(a[0]), perf=perf)
    assert section["benchmarks"] == {} and "<not supported>" in section["status"]
    assert len(lines) == 1 and "simulated counts only" in lines[0]
    assert "not found" in hwcounts.available(str(tmp_path / "nope"))


def test_counted_hardware_events_are_the_difference_of_two_runs(tmp_path):
    """A fake perf that counts 1000 + 7 instructions and 1000 + 3 cycles per element of the
    workload it runs (its JSON line says how many): set-up (the 1000) cancels."""
    script = tmp_path / "fakeperf.py"
    script.write_text(
        "import json, subprocess, sys\n"
        "cmd = sys.argv[sys.argv.index('--') + 1:]\n"
        "out = subprocess.run(cmd, capture_output=True, text=True).stdout\n"
        "sys.stdout.write(out)\n"
        "lines = out.strip().splitlines()\n"
        "e = json.loads(lines[-1])['elements'] if lines else 0\n"
        "sys.stderr.write(f'{1000 + 7 * e},,instructions:u,1000,100.00,,\\n'\n"
        "                 f'{1000 + 3 * e},,cycles:u,1000,100.00,,\\n')\n")
    import sys
    perf = fake_tool(tmp_path, "perf", f'exec {sys.executable} {script} "$@"\n')
    assert hwcounts.available(perf) is None
    section = hwcounts.hardware_pass(benches(ITERATE), log=lambda *a, **k: None, perf=perf)
    assert section["status"] == "counted"
    assert section["benchmarks"][ITERATE] == {"instructions:u": 7.0, "cycles:u": 3.0}


def test_a_subset_pass_keeps_the_earlier_counts_of_the_other_benchmarks(tmp_path):
    entry = {"loops": 1, "elements": 10, "totals": {}, "per_element": {"Ir": 5.0}}
    earlier = {"cache_model": {"D1": "x"}, "inject_work_pct": 0,
               "benchmarks": {ITERATE: entry, INIT: entry}}
    (tmp_path / counts.COUNTS_FILE).write_text(json.dumps(earlier))
    lines = []
    doc = {"cache_model": {"D1": "x"}, "inject_work_pct": 0, "benchmarks": {ITERATE: dict(entry)},
           "failed": {}}
    counts._keep_earlier(doc, tmp_path, lambda *a, **k: lines.append(a[0]))
    assert set(doc["benchmarks"]) == {ITERATE, INIT} and doc["kept_from_earlier"] == [INIT]
    other = {**doc, "benchmarks": {ITERATE: dict(entry)}, "inject_work_pct": 2}
    other.pop("kept_from_earlier")
    counts._keep_earlier(other, tmp_path, lambda *a, **k: lines.append(a[0]))
    assert set(other["benchmarks"]) == {ITERATE} and "not kept" in lines[-1]


def test_the_workers_own_error_line_is_preferred_to_valgrinds_summary():
    stderr = (b"count_worker: roofline/n=1024: KeyError('bucket_bytes')\n"
              b"==17== Mispred rate:  0.0% (0.0%     + 0.0%   )\n")
    assert counts._worker_error(stderr) == "count_worker: roofline/n=1024: KeyError('bucket_bytes')"
    assert counts._worker_error(b"==1== Process terminating\n") == "==1== Process terminating"


@needs_valgrind
def test_the_pass_keeps_per_line_costs_that_add_up_to_its_counts(tmp_path):
    """lines.json.gz (benchmarks/counts/line_data.py): per benchmark, the native lines'
    costs per element add up to counts.json's; the raw dump is kept gzipped; the sources
    it names are stored. lines=False keeps none."""
    import gzip
    from mapbench.benchmarks.counts import line_data
    doc = counts.count_pass(benches(ITERATE), tmp_path, log=lambda *a, **k: None, hardware=False)
    lines = line_data.load_lines(tmp_path)
    entry = lines["benchmarks"][ITERATE]
    assert entry["elements"] == doc["benchmarks"][ITERATE]["elements"]
    for event in line_data.LINE_EVENTS:
        per = doc["benchmarks"][ITERATE]["per_element"][event]
        assert entry["totals"][event] == pytest.approx(per, rel=1e-12)
        assert sum(r[event] for r in entry["lines"]) == pytest.approx(per, rel=1e-9, abs=1e-12)
    files = {r["file"] for r in entry["lines"] if r["line"] and not r.get("intrinsic")}
    assert "native/src/classic/kernels.c" in files and files <= set(lines["sources"])
    # vector loads inlined from the compiler's headers: rows of their own, no source stored
    assert all(r["file"].startswith("<compiler>/") for r in entry["lines"] if r.get("intrinsic"))
    assert "valgrind" in lines["source"] and lines["per"] == "element"
    dump = gzip.decompress((tmp_path / "callgrind" / line_data.dump_file_name(ITERATE)).read_bytes())
    assert b"Client Request: " + ITERATE.encode() in dump
    (tmp_path / "off").mkdir()
    counts.count_pass(benches(ITERATE), tmp_path / "off", log=lambda *a, **k: None, hardware=False,
                      lines=False)
    assert line_data.load_lines(tmp_path / "off") is None
