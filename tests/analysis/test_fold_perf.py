"""Folding `perf script` text: the fixtures, stackcollapse-perf.pl's rules one by one, bad input."""
from __future__ import annotations

import mmap
import re
from pathlib import Path

import sys

import pytest
from hypothesis import given, strategies as st

from mapbench.analysis.stacks.fold import fold_perf_script, fold_perf_script_detailed
from mapbench.analysis.stacks.folded import encode_folded, format_folded
from mapbench.analysis.stacks.fold_perf import parse_event_header, parse_event_name, parse_stack_line

_ROOT = Path(__file__).resolve().parents[2]
# The project's own captures (tests/fixtures/record.sh made them; README.md there says how).
FIXTURES = _ROOT / "tests" / "fixtures"
C_SCRIPT = FIXTURES / "perf-script-c.txt"
PY_SCRIPT = FIXTURES / "perf-script-python-cffi.txt"


def sample(header: str, *frames: str) -> str:
    return header + "\n" + "".join(f"\t{f}\n" for f in frames) + "\n"


def fold(text: str | bytes, **options) -> dict[str, int]:
    return fold_perf_script(text.encode() if isinstance(text, str) else text, **options)


# --- the real captures --------------------------------------------------------------------

@pytest.mark.parametrize("path, comm", [(C_SCRIPT, "iterate_main"), (PY_SCRIPT, "python")])
def test_fixture_total_weight_is_the_number_of_samples_and_the_root_is_the_process(path, comm):
    data = path.read_bytes()
    stacks = fold_perf_script(data)
    samples = sum(1 for line in data.split(b"\n") if line.startswith(comm.encode() + b" "))
    assert sum(stacks.values()) == samples
    assert all(stack.split(";")[0] == comm for stack in stacks)


@pytest.mark.parametrize("path", [C_SCRIPT, PY_SCRIPT])
def test_fixture_frames_have_no_offsets_and_no_module_paths(path):
    stacks = fold_perf_script(path.read_bytes())
    frames = {f for stack in stacks for f in stack.split(";")}
    assert not [f for f in frames if "+0x" in f or "(" in f or f.startswith("/")]


def test_fixture_c_program_has_main_calling_the_kernel_and_the_iterator():
    stacks = fold_perf_script(C_SCRIPT.read_bytes())
    assert any(stack.startswith("iterate_main;__libc_start_call_main;main;") for stack in stacks)
    assert any(stack.endswith(";main;kernel_iterate") for stack in stacks)
    assert any(stack.endswith(";mapiternext") for stack in stacks)


def test_fixture_period_weights_are_samples_times_the_period():
    data = C_SCRIPT.read_bytes()
    counts = fold_perf_script(data)
    periods = fold_perf_script(data, weight="period")
    # 499 Hz of cpu-clock: every sample stands for 10^9 / 499 ns, as its header says
    headers = {(int(m[1]), m[2].decode()) for m in re.finditer(rb"\s(\d+) (cpu-clock:\w*):", data)}
    assert len(headers) == 1
    (period, event), = headers
    assert period == 10**9 // 499
    assert periods == {stack: n * period for stack, n in counts.items()}
    detail = fold_perf_script_detailed(data)
    assert (detail.event, detail.periods, detail.incomplete_tail) == (event, {period}, False)


def test_fixture_kernel_frames_are_marked_only_with_kernel():
    data = PY_SCRIPT.read_bytes()
    marked = fold_perf_script(data, kernel=True)
    frames = {f for stack in marked for f in stack.split(";")}
    assert "exc_page_fault_[k]" in frames and "mapiternext" in frames
    assert "mapiternext_[k]" not in frames and "[unknown]" in frames
    assert sum(marked.values()) == sum(fold_perf_script(data).values())


def test_fixture_python_unknown_frames_stay_unknown_and_addrs_shows_them():
    data = PY_SCRIPT.read_bytes()
    frames = {f for stack in fold_perf_script(data, addrs=True) for f in stack.split(";")}
    assert any(f.startswith("[unknown <") for f in frames) and "[unknown]" not in frames


@pytest.mark.parametrize("capture", ["perf-script-c", "perf-script-python-cffi"])
@pytest.mark.parametrize("kernel", [False, True], ids=["plain", "kernel"])
def test_fixture_folds_byte_for_byte_as_stackcollapse_perf_did(capture, kernel):
    """The expected outputs are stackcollapse-perf.pl's own (sample-count weights), saved
    by record.sh when the captures were made."""
    expected = (FIXTURES / f"{capture}{'.kernel' if kernel else ''}.perl.folded").read_bytes()
    ours = fold_perf_script((FIXTURES / f"{capture}.txt").read_bytes(), kernel=kernel)
    assert encode_folded(format_folded(ours)) == expected


def test_fixture_through_mmap_equals_bytes():
    with open(C_SCRIPT, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        assert fold_perf_script(mapped) == fold_perf_script(C_SCRIPT.read_bytes())


# --- stackcollapse-perf.pl's rules ----------------------------------------------------------

HEADER = "prog  4242   317.834703:    2004008 cpu-clock:pppH: "


def test_offsets_and_argument_lists_are_stripped_and_root_comes_first():
    text = sample(HEADER, "10c0 leaf+0x50 (/bin/prog)", "2724 caller(int, char**)+0x7a (/lib/libc.so.6)")
    assert fold(text) == {"prog;caller;leaf": 1}


def test_pid_and_tid_name_the_root_like_stackcollapse():
    text = sample("V8 Worker 12/34 [001] 5.0: 1 cycles:", "1 f (/x)")
    assert fold(text) == {"V8_Worker;f": 1}
    assert fold(text, pid=True) == {"V8_Worker-12;f": 1}
    assert fold(text, tid=True) == {"V8_Worker-12/34;f": 1}
    assert fold(sample(HEADER, "1 f (/x)"), tid=True) == {"prog-?/4242;f": 1}


def test_unknown_symbols_take_the_module_name_or_stay_unknown():
    text = sample(HEADER, "7f01 [unknown] (/usr/lib/libfoo.so.1)", "0 [unknown] ([unknown])")
    assert fold(text) == {"prog;[unknown];[libfoo.so.1]": 1}
    assert fold(text, addrs=True) == {"prog;[unknown <0>];[libfoo.so.1 <7f01>]": 1}


def test_kernel_annotation_follows_the_module():
    text = sample(HEADER, "ffff81 do_syscall_64+0x71 ([kernel.kallsyms])", "8c34 tcp_sendmsg (/boot/vmlinux)",
                  "10 main (/bin/prog)")
    assert fold(text, kernel=True) == {"prog;main;tcp_sendmsg_[k];do_syscall_64_[k]": 1}


def test_semicolons_in_symbols_become_colons_and_quotes_go():
    text = sample(HEADER, "1 Lcom/x;.run'\"x (/tmp/perf-1.map)")
    assert fold(text) == {"prog;Lcom/x:.runx": 1}
    assert fold(text, jit=True) == {"prog;Lcom/x:.runx_[j]": 1}


def test_go_methods_and_anonymous_namespaces_keep_their_parentheses():
    text = sample(HEADER, "1 net/http.(*Client).Do (/bin/prog)", "2 ns::(anonymous namespace)::f(int) (/bin/prog)",
                  "3 (deleted) (/bin/prog)")
    # A symbol that starts with `(` is taken for a process name and skipped, as in perl.
    assert fold(text) == {"prog;ns::(anonymous namespace)::f;net/http.(*Client).Do": 1}


def test_inlined_frames_split_on_arrows():
    text = sample(HEADER, "1 outer->inner (/bin/prog)")
    assert fold(text) == {"prog;outer;inner_[i]": 1}


def test_only_the_first_event_type_is_kept():
    text = sample("pp 1 1.0: 5 cycles:", "1 a (/x)") + sample("pp 1 1.1: 7 instructions:", "1 b (/x)")
    text += sample("pp 1 1.2: 9 cycles:", "1 a (/x)")
    assert fold(text) == {"pp;a": 2}
    assert fold(text, weight="period") == {"pp;a": 14}


def test_comm_picks_one_process():
    text = sample("alpha 1 1.0: cpu-clock:", "1 a (/x)") + sample("beta two 2 1.0: cpu-clock:", "1 b (/x)")
    assert fold(text, comm="beta two") == {"beta_two;b": 1}
    assert fold(text, comm="beta_two") == {"beta_two;b": 1}


def test_single_line_samples_without_callchain_count_under_the_process():
    text = "prog 1 1.0: 1 cpu-clock: 10c0 main+0x5 (/bin/prog)\n\n"
    assert fold(text) == {"prog": 1}


def test_perl_regex_corner_cases_are_reproduced():
    assert parse_stack_line(b"\t7f1e  (/lib/c.so)") == (b"7f1e", b" ", b"/lib/c.so")
    assert parse_stack_line(b"\t7f1e (/lib/c.so)") == (b"7f1", b"e", b"/lib/c.so")
    assert parse_stack_line(b"\t  10c0 main+0x50 (/home/a b/walk)") == (b"10c0", b"main+0x50", b"/home/a b/walk")
    assert parse_stack_line(b"\tno parens here") is None
    assert parse_event_header(b"a  123 x") == (b"a ", b"123", None)
    assert parse_event_header(b"kworker/0:1 12/0 [000] 1.0: cycles:") == (b"kworker/0:1", b"12", b"0")
    assert parse_event_header(b"\tindented 12 x") is None
    assert parse_event_name(b"w 5 317.83:    2004008 cpu-clock:pppH: ") == (b"2004008", b"cpu-clock:pppH")
    assert parse_event_name(b"w 5 317.83: cycles:") == (None, b"cycles")
    assert parse_event_name(b"w 5 317.83 cycles") is None


# --- bad input ----------------------------------------------------------------------------

def test_empty_input_gives_no_stacks():
    assert fold(b"") == {} and fold(b"\n\n# comment\n") == {}


def test_a_sample_cut_off_before_its_blank_line_is_left_out():
    text = sample(HEADER, "1 a (/x)") + HEADER + "\n\t1 b (/x)"
    detail = fold_perf_script_detailed(text.encode())
    assert detail.stacks == {"prog;a": 1} and detail.incomplete_tail


def test_non_utf8_bytes_are_kept_exactly():
    data = b"pr\xf6g 1 1.0: cpu-clock:\n\t1 caf\xe9_\xff (/x)\n\n"
    (stack,) = fold_perf_script(data)
    assert stack.encode("utf-8", "surrogateescape") == b"pr\xf6g;caf\xe9_\xff"


def test_a_stack_thousands_of_frames_deep_folds_whole():
    frames = [f"{i:x} f{i} (/x)" for i in range(5000)]
    (stack,) = fold(sample(HEADER, *frames))
    assert stack.count(";") == 5000 and stack.endswith(";f0") and stack.startswith("prog;f4999;")


@pytest.mark.parametrize("line", [
    b"a" + b" " * 200_000 + b"x",                 # a long run of spaces after the comm
    b"a " + b"1" * 200_000 + b"x",                 # a long number that is not a pid
    b"a 1 " + b":" * 100_000 + b"1" * 100_000,     # colons and digits for the event regex
    b"\t" + b"f" * 100_000 + b" (" * 50_000 + b")",  # many ` (` for the stack regex
])
def test_pathological_lines_are_linear_not_catastrophic(line):
    """The work grows with the input, not faster: Python bytecodes executed in the fold's
    own module, counted (not timed) at 1x and 10x the line, stay within 15x of each other
    (a quadratic scan of the line would give 100x). The perl regexes are str methods
    here, linear by construction; this guards the Python around them."""
    def opcodes(data):
        count = 0
        module = fold_perf_script.__code__.co_filename

        def trace(frame, event, arg):
            nonlocal count
            if frame.f_code.co_filename != module:
                return None
            frame.f_trace_opcodes = True
            if event == "opcode":
                count += 1
            return trace
        sys.settrace(trace)
        try:
            assert isinstance(fold_perf_script(data), dict)
        finally:
            sys.settrace(None)
        return count
    short = opcodes(line + b"\n\n" + line + b"\n")
    tenfold = line * 10
    assert opcodes(tenfold + b"\n\n" + tenfold + b"\n") <= 15 * max(short, 1)


@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data):
    stacks = fold_perf_script(data)
    assert all(isinstance(k, str) and v > 0 for k, v in stacks.items())


# --- properties ---------------------------------------------------------------------------

symbols = st.text(st.sampled_from("abcXYZ_:;<>~ .()+0x1f'\"->[]"), min_size=1, max_size=15)
modules = st.sampled_from(["/bin/prog", "[kernel.kallsyms]", "[unknown]", "/lib/lib c.so"])
samples_ = st.lists(st.tuples(st.sampled_from(["prog", "a b", "java"]),
                              st.lists(st.tuples(symbols, modules), max_size=6)), max_size=12)


@given(samples_)
def test_every_complete_sample_counts_once_under_its_process(samples):
    text = "".join(sample(f"{comm} 7 1.0: 3 cpu-clock:", *(f"ab {s} ({m})" for s, m in frames))
                   for comm, frames in samples)
    stacks = fold(text)
    assert sum(stacks.values()) == len(samples)
    assert sum(fold(text, weight="period").values()) == 3 * len(samples)
    roots = {comm.replace(" ", "_") for comm, _ in samples}
    assert {stack.split(";")[0] for stack in stacks} <= roots


@pytest.mark.parametrize("chunk_bytes", [1, 50, 4096])
def test_slicing_the_input_anywhere_gives_the_same_stacks(monkeypatch, chunk_bytes):
    data = PY_SCRIPT.read_bytes() + C_SCRIPT.read_bytes()[:70_000]
    whole = fold_perf_script_detailed(data, weight="period", tid=True)
    monkeypatch.setattr("mapbench.analysis.stacks.fold_perf._CHUNK_BYTES", chunk_bytes)
    sliced = fold_perf_script_detailed(data, weight="period", tid=True)
    assert (sliced.stacks, sliced.samples, sliced.incomplete_tail) == (whole.stacks, whole.samples, whole.incomplete_tail)


lines_ = st.sampled_from(["pp 1 1.0: 1 cpu-clock:", "pp 1/2 1.0: 3 cycles:", "\t1 a (/x)", "\t2 b+0x1 (/y)", "",
                          "# c", "\t3 [unknown] ([unknown])", "junk", "java 4 1.0: cpu-clock:", "\t5 La/b;c (/z)"])


@given(st.lists(lines_, max_size=40), st.integers(1, 30))
def test_any_slicing_of_any_line_sequence_gives_the_same_stacks(lines, chunk_bytes):
    from unittest import mock

    data = "\n".join(lines).encode()
    whole = fold_perf_script(data, weight="period")
    with mock.patch("mapbench.analysis.stacks.fold_perf._CHUNK_BYTES", chunk_bytes):
        assert fold_perf_script(data, weight="period") == whole


@given(st.lists(lines_, max_size=40))
def test_the_sample_fast_path_equals_the_line_by_line_state_machine(lines):
    from mapbench.analysis.stacks.fold_perf import _Folder

    data = "\n".join(lines).encode()
    folder = _Folder(pid=False, tid=True, kernel=True, addrs=False, jit=False, weight="period", comm=None)
    perl_lines = data.split(b"\n")
    if not perl_lines[-1]:
        perl_lines.pop()  # after a final newline there is no further line
    folder.feed(perl_lines)
    slow = folder.finish()
    fast = fold_perf_script_detailed(data, tid=True, kernel=True, weight="period")
    assert (fast.stacks, fast.samples, fast.incomplete_tail) == (slow.stacks, slow.samples, slow.incomplete_tail)
