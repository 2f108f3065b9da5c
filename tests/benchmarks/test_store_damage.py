"""`mapbench bench` killed with SIGKILL at random moments, and a store it cannot write:
every file of the run folder stays as it was or becomes the whole new version, the next
command reports the pass that died, and a refused write is one line and exit 1."""
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pyperf
import pytest

from tests import store_runs as sr

pytest.importorskip("mapbench.native._mapbench_native")

KILLS = 8                 # random kill moments per test run (the seed is printed on failure)
KILL_SPAN_S = 6.0         # about the length of one pass below on a 2-CPU VM


def snapshot(run: Path) -> dict[str, bytes]:
    """Every file of a run folder but temp files of atomic writes and the lock."""
    return {p.relative_to(run).as_posix(): p.read_bytes() for p in sorted(run.rglob("*"))
            if p.is_file() and not p.name.endswith(".tmp") and p.name != ".writer.lock"}


def assert_whole(name: str, data: bytes, context: str):
    if name.endswith("bench.json"):
        suite = pyperf.BenchmarkSuite.loads(data.decode())
        assert all(b.get_metadata().get("mapbench_pass") for b in suite.get_benchmarks()), context
    elif name.endswith(".json"):
        json.loads(data)
    else:
        assert data.endswith(b"\n"), f"{name} ends mid-line; {context}"


def _kill(proc):
    os.kill(proc.pid, signal.SIGKILL)          # kill -9 of `mapbench bench` itself
    proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)    # then its orphaned pyperf workers
    except ProcessLookupError:
        pass


def test_kill_9_at_random_moments_leaves_every_file_whole(tmp_path):
    seed = int(os.environ.get("MAPBENCH_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    first = sr.run(tmp_path, sr.ITERATE, "--rounds", "1")
    assert first.returncode == 0, first.stderr
    run = sr.run_folder(tmp_path)
    for k in range(KILLS + 1):
        before = snapshot(run)
        proc = sr.start(tmp_path, sr.LOOKUP, "--rounds", "2")
        if k < KILLS:
            delay = rng.uniform(0, KILL_SPAN_S)
            time.sleep(delay)
        else:      # the last kill lands surely mid-pass: after its first result was written
            delay = "after the first result"
            old = sr.passes_by_name(run)
            sr.wait_for(lambda: any(sr.passes_by_name(run).get(n) != p for n, p in old.items())
                        or len(sr.passes_by_name(run)) > len(old), proc, "a first result")
        _kill(proc)
        context = f"seed {seed}, kill {k} at {delay}"
        after = snapshot(run)
        assert set(before) <= set(after), f"a file disappeared: {context}"
        for name, data in after.items():
            if data != before.get(name):
                assert_whole(name, data, context)
    # the next command reports the pass that died and files it as killed, partial listed
    last = sr.run(tmp_path, r"^iterate/storage=stack/prefetch=0/n=1024$", "--rounds", "1")
    assert last.returncode == 0, last.stderr
    assert "did not finish: its process died" in last.stdout
    meta = sr.meta(run)
    assert not list(run.rglob(".*.tmp"))                 # dead writers' temp files are gone
    killed = [p for p in meta["passes"].values() if p["status"] == "killed"]
    assert killed and killed[-1]["partial"], (seed, meta["passes"])
    names = sr.passes_by_name(run)
    assert "iterate/storage=stack/prefetch=0/n=16384" in names     # the first pass's result kept
    assert all(names[n] in meta["passes"] for n in names)


def _store_with_a_run(parent):
    out = parent / "store"
    done = sr.run(out, sr.LOOKUP, "--rounds", "1")
    assert done.returncode == 0, done.stderr
    return out, sr.run_folder(out)


def _read_only_bench(out: Path):
    """`mapbench bench` on a read-only store: a read-only bind mount of it in a private
    mount namespace where we may (root with CAP_SYS_ADMIN), else permission bits."""
    cmd = sr.bench_cmd(out, sr.LOOKUP, "--rounds", "1")
    if os.geteuid() != 0:
        for p in [out, *out.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
        return subprocess.run(cmd, cwd=sr.ROOT, capture_output=True, text=True, timeout=180)
    unshare = shutil.which("unshare")
    script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
    probe = (subprocess.run([unshare, "-m", "sh", "-c", script, "sh", str(out), "true"],
                            capture_output=True) if unshare else None)
    if probe is None or probe.returncode != 0:
        pytest.skip("root that cannot bind-mount in a private mount namespace (unshare -m, "
                    "CAP_SYS_ADMIN): cannot make a read-only store")
    return subprocess.run([unshare, "-m", "sh", "-c", script, "sh", str(out), *cmd], cwd=sr.ROOT,
                          capture_output=True, text=True, timeout=180)


def test_read_only_store_is_one_line_exit_1_and_nothing_changes(tmp_path):
    out, run = _store_with_a_run(tmp_path)
    before = snapshot(run)
    try:
        proc = _read_only_bench(out)
    finally:
        for p in [out, *out.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert "cannot write" in lines[0] and str(run) in lines[0] and "intact" in lines[0]
    assert snapshot(run) == before


def test_a_write_refused_partway_like_a_full_disk_keeps_the_old_files(tmp_path):
    # RLIMIT_FSIZE makes write(2) fail partway through a file, as a full disk does
    # (EFBIG instead of ENOSPC); meta.json (about 12 KB) is the first file to hit it.
    out, run = _store_with_a_run(tmp_path)
    before = snapshot(run)

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    proc = sr.run(out, sr.ITERATE, "--rounds", "1", preexec_fn=small_files)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert "cannot write" in lines[0] and "meta.json" in lines[0] and "intact" in lines[0]
    assert snapshot(run) == before and not list(run.rglob(".*.tmp"))
