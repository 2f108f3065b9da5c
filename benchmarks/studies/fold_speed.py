"""Fold speed on a real capture: `mapbench fold` against stackcollapse-perf.pl, one run each.

    benchmarks/studies/record_fold_capture.sh /tmp/capture.txt 60     # a real capture (perf, not in git)
    python -m mapbench.benchmarks.studies.fold_speed /tmp/capture.txt [--perl PATH] [--python] [--rounds N]

Each contender runs as its own child process on the same file, its stdout read through a
pipe and hashed (the outputs must be byte-identical; the study says so or fails):
  mapbench fold   -- the command as users run it: `mapbench fold --weight period FILE`
                     (the C folder, native/src/fold), output sorted and written;
  python folder   -- (--python) the same command with the Python folder (the fallback);
  perl            -- `perl stackcollapse-perf.pl FILE` (FlameGraph master, period
                     weights); by default the copy vendored in tests/fixtures/flamegraph/.
Numbers, all of the child alone: wall seconds (time.perf_counter around the child's whole
life, start-up included), CPU seconds (user + system, from os.wait4's rusage of that
child), MB/s = input bytes / 10^6 / wall seconds, and peak memory = the child's peak
resident set as GNU time (`/usr/bin/time -f %M`, Debian's `time`) reports it. Not
os.wait4's ru_maxrss: a child started from this Python process (vfork and exec) inherits
the launcher's resident size as the floor of its ru_maxrss, about 18 MiB here, which once
made perl's 8.6 MiB read as 18.6. Without GNU time the study falls back to ru_maxrss and
says so. Ratios are perl / ours of the same round.
With --rounds N the contenders alternate N times and the median of each is used; the
machine is shared, so CPU seconds are printed beside the wall ones.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
VENDORED_PERL = _ROOT / "tests" / "fixtures" / "flamegraph" / "stackcollapse-perf.pl"

# The Python folder, as the command runs it but with the C engine left out.
_PYTHON_FOLD = ("import sys; from mapbench.benchmarks import cli; cli._use_native_folder = lambda: None; "
                "sys.exit(cli.main(sys.argv[1:]))")


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    maxrss_kib: int
    sha256: str
    out_bytes: int


GNU_TIME = shutil.which("time")       # a program, not the shell's keyword


def run_child(argv: list[str]) -> Run:
    """Run argv, hash its stdout, and measure it alone: CPU from os.wait4's rusage, peak
    RSS from GNU time where it is installed (see the module docstring)."""
    import tempfile
    peak_file = None
    if GNU_TIME:
        fd, peak_file = tempfile.mkstemp(prefix="fold-speed-peak-")
        os.close(fd)
        argv = [GNU_TIME, "-f", "%M", "-o", peak_file, *argv]
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    digest, size = hashlib.sha256(), 0
    for block in iter(lambda: child.stdout.read(1 << 20), b""):
        digest.update(block)
        size += len(block)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"fold_speed: {argv[0]} exited with {child.returncode}")
    peak = usage.ru_maxrss
    if peak_file:
        text = Path(peak_file).read_text().split()
        os.unlink(peak_file)
        peak = int(text[-1]) if text and text[-1].isdigit() else peak
    return Run(wall, usage.ru_utime + usage.ru_stime, peak, digest.hexdigest(), size)


def contenders(capture: Path, perl: str | None, python: bool) -> dict[str, list[str]]:
    mapbench = [sys.executable, "-m", "mapbench"]
    found = {"mapbench fold": [*mapbench, "fold", "--weight", "period", str(capture)]}
    if python:
        found["python folder"] = [sys.executable, "-c", _PYTHON_FOLD, "fold", "--weight", "period", str(capture)]
    if perl:
        found["perl"] = ["perl", perl, str(capture)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture", type=Path, help="perf script text (record_fold_capture.sh makes one)")
    parser.add_argument("--perl", default=str(VENDORED_PERL) if VENDORED_PERL.is_file() else None,
                        help="stackcollapse-perf.pl to compare with (default: the vendored copy, if any)")
    parser.add_argument("--no-perl", action="store_true", help="time mapbench alone")
    parser.add_argument("--python", action="store_true", help="time the Python folder too (slow)")
    parser.add_argument("--rounds", type=int, default=1, help="alternate the contenders this many times")
    args = parser.parse_args(argv)
    perl = None if args.no_perl or not shutil.which("perl") else args.perl
    size = args.capture.stat().st_size
    runs: dict[str, list[Run]] = {}
    for _ in range(args.rounds):
        for name, command in contenders(args.capture, perl, args.python).items():
            runs.setdefault(name, []).append(run_child(command))
    print(f"fold of {args.capture} ({size / 1e6:.1f} MB), {args.rounds} round(s), median; "
          f"wall: time.perf_counter around the child; CPU: os.wait4 rusage of the child; peak RSS: "
          + ("GNU time's %M" if GNU_TIME else "os.wait4 ru_maxrss (no GNU time: floored at this "
                                                "launcher's own size, install Debian's `time`)"))
    print(f"{'contender':<15} {'wall s':>8} {'MB/s':>8} {'CPU s':>8} {'MB/CPU-s':>9} {'peak RSS MiB':>13}")
    medians = {}
    for name, done in runs.items():
        wall = statistics.median(r.wall_s for r in done)
        cpu = statistics.median(r.cpu_s for r in done)
        rss = statistics.median(r.maxrss_kib for r in done) / 1024
        medians[name] = (wall, cpu, rss)
        print(f"{name:<15} {wall:>8.2f} {size / 1e6 / wall:>8.1f} {cpu:>8.2f} {size / 1e6 / cpu:>9.1f} {rss:>13.1f}")
    hashes = {r.sha256 for done in runs.values() for r in done}
    out = runs["mapbench fold"][0].out_bytes
    print(f"folded output: {out / 1e6:.1f} MB (the unique stacks); identical across contenders: "
          f"{'yes' if len(hashes) == 1 else 'NO'}")
    if "perl" in medians:
        ours, theirs = medians["mapbench fold"], medians["perl"]
        print(f"perl / mapbench fold: wall {theirs[0] / ours[0]:.1f}x, CPU {theirs[1] / ours[1]:.1f}x, "
              f"peak RSS {ours[2]:.0f} MiB vs {theirs[2]:.0f} MiB")
    return 0 if len(hashes) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
