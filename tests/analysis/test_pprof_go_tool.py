"""The folded-stack pprof path read by the real `go tool pprof` (-raw and -top), not only by
our own reader. Skips where `go` is missing; CI installs Debian's golang-go."""
import re
from pathlib import Path

from mapbench.analysis.stacks.folded import decode, read_folded
from mapbench.analysis.stacks.pprof import build_profile

from tests.go_pprof import pprof

FOLDED = Path(__file__).resolve().parents[1] / "fixtures" / "perf-script-c.perl.folded"


def test_go_tool_pprof_reads_our_profile_with_every_sample_and_its_self_times(tmp_path):
    stacks = read_folded(decode(FOLDED.read_bytes()))
    profile = tmp_path / "p.pb.gz"
    profile.write_bytes(build_profile(stacks, period_ns=1_000_000))        # 1 ms a sample
    raw = pprof("-raw", str(profile), cwd=tmp_path, home=tmp_path)
    assert "PeriodType: cpu nanoseconds" in raw and "Period: 1000000" in raw
    counts = [int(m.group(1)) for m in re.finditer(r"^\s+(\d+)\s+\d+: [\d ]+$", raw, re.M)]
    assert sum(counts) == sum(stacks.values()) and len(counts) == len(stacks)
    top = pprof("-top", "-nodecount=100", "-nodefraction=0", str(profile), cwd=tmp_path, home=tmp_path)
    assert f"of {sum(stacks.values())}ms total" in top
    self_ms = {}
    for stack, count in stacks.items():
        leaf = stack.rsplit(";", 1)[-1]
        self_ms[leaf] = self_ms.get(leaf, 0) + count
    rows = {m.group(2): int(m.group(1)) for m in re.finditer(r"^\s+(\d+)ms\s.*\s(\S+)$", top, re.M)}
    for leaf, ms in self_ms.items():
        assert rows.get(leaf) == ms, (leaf, ms, rows.get(leaf))
