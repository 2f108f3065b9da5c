"""Input that cannot exhaust memory, and profiles whose indices point outside their tables.

A gzip bomb (3 MB inflating to 3 GiB) is refused in one line with exit 2 by every command
that reads gzip, under an address-space limit it could never fit in; a genuine gzip input
still reads as its plain form does; a pprof profile with a broken index names the field.
"""
from __future__ import annotations

import gzip
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from mapbench.analysis.errors import InputError
from mapbench.analysis.input_limit import inflate, parse_size
from mapbench.analysis.stacks.pprof import build_profile, profile_to_stacks, read_profile
from mapbench.analysis.stacks.profile_proto import Profile
from mapbench.benchmarks.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHUNK = 16 << 20
ADDRESS_SPACE = 900 << 20  # far below the 3 GiB the bomb inflates to


def bomb(path: Path, inflated: int) -> Path:
    """`inflated` bytes of zeros, gzipped chunk by chunk (one gzip member per 16 MiB)."""
    member = gzip.compress(bytes(CHUNK), compresslevel=9, mtime=0)
    with open(path, "wb") as fh:
        for _ in range(inflated // CHUNK):
            fh.write(member)
    return path


def run_limited(args: list[str]) -> tuple[int, str, int]:
    """(exit status, stderr, peak resident KiB) of `mapbench ARGS` under ADDRESS_SPACE."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", "import sys; from mapbench.benchmarks.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", *args],
                          capture_output=True, text=True, preexec_fn=limit, timeout=600)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return done.returncode, done.stderr, max(peak, before)


@pytest.fixture(scope="module")
def big_bomb(tmp_path_factory) -> Path:
    return bomb(tmp_path_factory.mktemp("bomb") / "bomb.pb.gz", 3 << 30)


def test_the_bomb_is_small_and_inflates_past_the_default_limit(big_bomb):
    assert big_bomb.stat().st_size < 4 << 20


def test_top_refuses_a_3_gib_bomb_in_one_line_and_bounded_memory(big_bomb):
    code, err, peak_kib = run_limited(["top", str(big_bomb)])
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "1 GiB" in lines[0] and "--max-input" in lines[0] and str(big_bomb) in lines[0]
    assert peak_kib < 600 * 1024


@pytest.mark.parametrize("command", [
    ["fold"], ["top"], ["pprof", "-o", "-"], ["flamegraph"], ["cachemiss"],
])
def test_every_gzip_reader_honours_max_input(tmp_path, command):
    path = bomb(tmp_path / "small-bomb.gz", 64 << 20)
    code, err, _ = run_limited([command[0], str(path), *command[1:], "--max-input", "8MiB"])
    assert code == 2, err
    assert err.strip().count("\n") == 0
    assert "8 MiB" in err and "--max-input" in err


def test_a_single_member_bomb_is_refused_too():
    data = gzip.compress(bytes(64 << 20), mtime=0)
    with pytest.raises(InputError, match="inflates to more than 1 MiB"):
        inflate(data, limit=1 << 20, name="x.gz")


def test_genuine_gzip_input_reads_as_its_plain_form(tmp_path, capsys):
    plain = FIXTURES / "perf-script-c.txt"
    packed = tmp_path / "perf-script-c.txt.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    outputs = []
    for path in (plain, packed):
        out = tmp_path / f"{path.name}.folded"
        assert main(["fold", str(path), "-o", str(out)]) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0]
    # and a limit below the inflated size refuses the same file
    assert main(["fold", str(packed), "--max-input", "10KB", "-o", str(tmp_path / "no")]) == 2
    assert "inflates to more than 9.8 KiB" in capsys.readouterr().err
    assert inflate(packed.read_bytes()) == plain.read_bytes()


def test_sizes_read_as_people_write_them():
    assert parse_size("1GiB") == 1 << 30
    assert parse_size("512M") == 512 << 20
    assert parse_size("200MB") == 200 * 1000 ** 2
    assert parse_size("4096") == 4096
    for bad in ("lots", "-1", "0", "3 parsecs"):
        with pytest.raises(InputError):
            parse_size(bad)


def _profile_of_fixture() -> Profile:
    from mapbench.analysis.stacks.fold import fold_perf_script_detailed

    stacks = fold_perf_script_detailed((FIXTURES / "perf-script-c.txt").read_bytes()).stacks
    return read_profile(build_profile(stacks))


@pytest.mark.parametrize("breakage, field", [
    (lambda p: setattr(p.function[0], "name", len(p.string_table) + 7), "function[0]"),
    (lambda p: setattr(p.location[0].line[0], "function_id", 99999), "line.function_id"),
    (lambda p: p.sample[0].location_id.append(88888), "sample[0].location_id"),
])
def test_an_index_outside_its_table_names_the_field(tmp_path, capsys, breakage, field):
    profile = _profile_of_fixture()
    assert profile_to_stacks(profile)  # the unbroken profile reads
    breakage(profile)
    path = tmp_path / "broken.pb.gz"
    path.write_bytes(gzip.compress(profile.SerializeToString()))
    for command in ("top", "fold"):
        assert main([command, str(path), "-o", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and field in err, err
