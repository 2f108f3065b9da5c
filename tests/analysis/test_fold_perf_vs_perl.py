"""Differential test: our perf folding against Brendan Gregg's stackcollapse-perf.pl itself.

Runs wherever perl is (CI included) against the copy vendored, unchanged and with its
CDDL license, in tests/fixtures/flamegraph/ (pinned commit in its README);
MAPBENCH_STACKCOLLAPSE_PERF=/path/to/stackcollapse-perf.pl picks another copy. FlameGraph master weighs stacks by period
(PR #250); the sample-count variant is the same script with `$m_period` replaced by 1,
made here on the fly. Outputs must be equal byte for byte, from the C folder and the Python one.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mapbench.analysis.stacks.fold import fold_perf_script
from mapbench.analysis.stacks.folded import encode_folded, format_folded
from mapbench.native.perf_folder import PerfFolder

VENDORED = Path(__file__).resolve().parents[1] / "fixtures" / "flamegraph" / "stackcollapse-perf.pl"
SCRIPT = os.environ.get("MAPBENCH_STACKCOLLAPSE_PERF", "") or str(VENDORED)
_ROOT = Path(__file__).resolve().parents[2]
# The project's own captures (tests/fixtures/record.sh made them; README.md there says how).
FIXTURES = _ROOT / "tests" / "fixtures"
pytestmark = pytest.mark.skipif(
    not (SCRIPT and Path(SCRIPT).is_file() and shutil.which("perl")),
    reason="needs perl (and the vendored tests/fixtures/flamegraph/stackcollapse-perf.pl)",
)
OPTION_SETS = [(), ("pid",), ("tid",), ("kernel",), ("addrs",), ("jit",), ("tid", "kernel", "addrs", "jit")]
PERIOD_CALL = 'remember_stack(join(";", @stack), $m_period)'


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    """{weight: path of the perl script that weighs that way}."""
    text = Path(SCRIPT).read_text(encoding="latin-1")
    if PERIOD_CALL not in text:  # an older stackcollapse-perf.pl that counts samples
        return {"samples": SCRIPT}
    counts = tmp_path_factory.mktemp("perl") / "stackcollapse-perf-counts.pl"
    counts.write_text(text.replace(PERIOD_CALL, 'remember_stack(join(";", @stack), 1)'), encoding="latin-1")
    return {"samples": str(counts), "period": SCRIPT}


def perl_fold(script: str, data: bytes, options, tmp_path: Path) -> bytes:
    source = tmp_path / "input.txt"
    source.write_bytes(data)
    flags = [f"--{o}" for o in options]
    return subprocess.run(["perl", script, *flags, str(source)], capture_output=True, check=True).stdout


ENGINES = (PerfFolder, None)  # the C folder (native/src/fold) and the Python one


def our_fold(data: bytes, options, weight: str, engine) -> bytes:
    stacks = fold_perf_script(data, weight=weight, engine=engine, **dict.fromkeys(options, True))
    return encode_folded(format_folded(stacks))


@pytest.mark.parametrize("name", ["perf-script-c.txt", "perf-script-python-cffi.txt"])
@pytest.mark.parametrize("options", OPTION_SETS, ids="-".join)
def test_fixtures_fold_exactly_as_perl(scripts, name, options, tmp_path):
    data = (FIXTURES / name).read_bytes()
    for weight, script in scripts.items():
        perl = perl_fold(script, data, options, tmp_path)
        for engine in ENGINES:
            assert our_fold(data, options, weight, engine) == perl


# Text that looks like perf script, with the corners stackcollapse-perf.pl's regexes have.
comms = st.sampled_from(["walk", "V8 WorkerThread", "java", "p", "a  b", "kworker/0:1", "caf\xe9", "x9"])
ids = st.sampled_from(["5617", "12/34", "0", "0/0", "12/", "7/0"])
events = st.sampled_from(["cpu-clock:pppH:", "cycles:", "instructions:u:", ":", ""])
# Not "00": perl then adds a weight of 0 and prints `stack 0`; our profiles hold positive weights only.
periods = st.sampled_from(["", "2004008", "0", "7"])
symbols = st.text(st.sampled_from("ab_Lxy:;<>~ .()/+0123f'\"->[]k"), max_size=24) | st.sampled_from(
    ["[unknown]", "main+0x50", "a->b->", "->a", "net/http.(*C).Do", "ns::(anonymous namespace)::f(int)",
     "Lcom/x;.run(I)V", "f+0x1+0x2", "g+0xZZ", "(deleted)", "h\xff\xfe"])
modules = st.sampled_from(["/home/dev/walk", "[kernel.kallsyms]", "[unknown]", "/tmp/perf-12.map",
                           "/boot/vmlinux", "/lib/lib c.so", "[nf_conntrack]", "", "x)y"])
pcs = st.sampled_from(["10c0", "ffffffff8103ce3b", "0", "7f1e", "g_1", ""])
stack_lines = st.tuples(st.sampled_from(["\t", "  ", "\t    ", ""]), pcs, st.sampled_from([" ", "  ", ""]),
                        symbols, modules).map(lambda t: f"{t[0]}{t[1]}{t[2]}{t[3]} ({t[4]})")
other_lines = st.sampled_from(["# cmdline : /usr/bin/perf record -g ./walk", "#", "   ", "garbage", "\r"])
headers = st.tuples(comms, st.sampled_from([" ", "  ", "\t"]), ids, st.sampled_from(["", " [000]"]),
                    periods, events).map(lambda t: f"{t[0]}{t[1]}{t[2]}{t[3]} 317.8: {t[4]} {t[5]} ")
samples = st.tuples(headers, st.lists(stack_lines | other_lines, max_size=6), st.sampled_from(["\n", "", "\n\n"]))
texts = st.lists(samples, max_size=8).map(
    lambda ss: "".join(h + "\n" + "".join(line + "\n" for line in body) + end for h, body, end in ss))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, options=st.sampled_from(OPTION_SETS), cut=st.integers(0, 40))
def test_generated_perf_script_folds_exactly_as_perl(scripts, text, options, cut, tmp_path):
    data = text.encode("latin-1")
    data = data[:len(data) - cut] if cut < 20 else data  # sometimes cut off mid-sample
    for weight, script in scripts.items():
        perl = perl_fold(script, data, options, tmp_path)
        for engine in ENGINES:
            assert our_fold(data, options, weight, engine) == perl
