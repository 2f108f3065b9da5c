"""The C perf-script folder (native/src/fold) against the Python one it re-implements.

Python's folder (analysis/stacks/fold_perf.py) is the specification, itself checked
against stackcollapse-perf.pl (test_fold_perf_vs_perl, test_fold_flamegraph_suite).
Here the two must agree on everything a fold reports, not only the stacks: samples,
filtered samples, period total, periods, the event, a cut-off tail; and on inputs
perl is not needed for: the project's captures, garbage, bytes that are not UTF-8,
numbers past 64 bits (the C folder hands those to Python), --comm, and any split of
the input into fed pieces (F1 of fold_perf.h: state carries across feeds).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from mapbench.analysis.stacks.fold_perf import fold_perf_script_detailed
from mapbench.analysis.stacks.folded import encode_folded, format_folded
from mapbench.native.perf_folder import PerfFolder

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CAPTURES = ["perf-script-c.txt", "perf-script-python-cffi.txt"]
# {"kernel": True} and {"tid": True, "kernel": True} are the profile pass's own folds
# (benchmarks/profiling/collectors/perf_record.py): equal stacks there mean the run's
# flame graphs and pprof files are the same bytes with either folder.
OPTION_SETS = [{}, {"pid": True}, {"kernel": True}, {"tid": True, "kernel": True}, {"jit": True, "addrs": True},
               {"tid": True, "kernel": True, "jit": True, "addrs": True, "java_exact": True}]


def both(data: bytes, **options):
    """The C fold and the Python fold; the C folder's own sorted text is checked on the way."""
    c = fold_perf_script_detailed(data, engine=PerfFolder, **options)
    python = fold_perf_script_detailed(data, engine=None, **options)
    text = fold_perf_script_detailed(data, engine=PerfFolder, text=True, **options)
    if text.folded is not None:  # None: a number past 64 bits sent it to Python
        assert bytes(text.folded) == encode_folded(format_folded(python.stacks))
        assert text.distinct_stacks == len(python.stacks) and not text.stacks
    return c, python


@pytest.mark.parametrize("name", CAPTURES)
@pytest.mark.parametrize("weight", ["samples", "period"])
@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: "-".join(o) or "plain")
def test_captures_fold_alike(name, weight, options):
    c, python = both((FIXTURES / name).read_bytes(), weight=weight, **options)
    assert c.samples > 0
    assert c == python


def test_comm_filter_and_a_cut_off_tail_alike():
    data = (FIXTURES / "perf-script-c.txt").read_bytes()
    comm = data.split(b" ", 1)[0].decode()
    for cut in (0, 7, 200):
        c, python = both(data[:len(data) - cut], comm=comm, weight="period")
        assert c == python
    c, python = both(data, comm="no-such-process")
    assert c == python and c.stacks == {}


def test_a_period_past_64_bits_folds_in_python():
    line = b"walk 12 1.0: " + b"9" * 30 + b" cpu-clock: \n\t10c0 main+0x5 (/bin/walk)\n\n"
    c, python = both(line * 3, weight="period")
    assert c == python and c.stacks == {"walk;main": 3 * int(b"9" * 30)}


def test_split_feeds_carry_the_state(monkeypatch):
    """Chunks of 1 KiB (cut after a newline, as _spans does) fold as one piece does."""
    import mapbench.analysis.stacks.fold_perf as fold_perf
    data = (FIXTURES / "perf-script-python-cffi.txt").read_bytes()
    whole = fold_perf_script_detailed(data, engine=PerfFolder, tid=True)
    monkeypatch.setattr(fold_perf, "_CHUNK_BYTES", 1024)
    assert fold_perf_script_detailed(data, engine=PerfFolder, tid=True) == whole


bytes_lines = st.lists(st.binary(max_size=40) | st.sampled_from([
    b"", b"walk 12/13 [000] 1.5: 2004008 cpu-clock:pppH: ", b"java 7 9.9: 3 cycles:", b"# c",
    b"\t10c0 main+0x5 (/bin/walk)", b"  ffff a->b->c (/tmp/perf-3.map)", b"\t0 [unknown] ([unknown])",
    b"\t1 Lcom/x;.run(I)V (/tmp/perf-9.map)", b"x\xff\xfe 5 1: 00 ev:", b"\t2 f\xe9(x) ([kernel.kallsyms])"]),
    max_size=30)


@settings(max_examples=300, deadline=None)
@given(lines=bytes_lines, options=st.sampled_from(OPTION_SETS), weight=st.sampled_from(["samples", "period"]),
       newline=st.booleans())
def test_any_bytes_fold_alike(lines, options, weight, newline):
    data = b"\n".join(line.replace(b"\n", b"") for line in lines) + (b"\n" if newline else b"")
    c, python = both(data, weight=weight, **options)
    assert c == python


@pytest.mark.skipif(not shutil.which("cc"), reason="needs a C compiler")
def test_the_c_folder_survives_the_sanitizers(tmp_path):
    """native/src/fold/fuzz_fold_perf.c under AddressSanitizer and UBSan: random fragments
    and bytes, random flags, fed in random pieces; any memory error fails the run."""
    src = Path(__file__).resolve().parents[2] / "native" / "src" / "fold"
    exe = tmp_path / "fuzz"
    subprocess.run(["cc", "-std=c11", "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
                    f"-I{src}", str(src / "fuzz_fold_perf.c"), str(src / "fold_perf.c"), "-o", str(exe)], check=True)
    done = subprocess.run([str(exe), "20000"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "fuzz ok", done.stderr[-2000:]
