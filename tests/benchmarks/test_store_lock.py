"""The run folder's write lock, against real processes: refused with the holder named,
released when the holder is killed, waited for with wait=True; readers only probe it."""
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from mapbench.analysis.errors import WriteError
from mapbench.benchmarks.store import lock as store_lock

HOLDER = textwrap.dedent("""
    import sys, time
    from mapbench.benchmarks.store import lock as store_lock
    with store_lock.hold(sys.argv[1], command="holder-test"):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
        open(sys.argv[1] + ".released", "w").close()    # the last thing done with the lock
""")


def _holder(folder, seconds):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_writer_is_refused_naming_the_holder_until_it_is_killed(tmp_path):
    run = tmp_path / "run"
    proc = _holder(run, 120)
    try:
        assert f"pid {proc.pid}" in store_lock.writer_of(run)
        with pytest.raises(store_lock.StoreBusy) as busy:
            with store_lock.hold(run, command="second"):
                pytest.fail("got a lock another process holds")
        message = str(busy.value)
        assert f"pid {proc.pid}" in message and "holder-test" in message and str(run) in message
        assert "\n" not in message
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert store_lock.writer_of(run) is None          # the kernel released it with the process
    with store_lock.hold(run, command="after"):
        assert f"pid {os.getpid()}" in store_lock.writer_of(run)


def test_wait_queues_behind_the_holder(tmp_path):
    run = tmp_path / "run"
    proc = _holder(run, 1.5)
    said = []
    with store_lock.hold(run, wait=True, log=lambda *a, **k: said.append(a[0])):
        assert (tmp_path / "run.released").exists()    # we got it only after the holder let go
    assert said and f"pid {proc.pid}" in said[0]
    proc.wait()


def test_holder_removes_temp_files_of_dead_writers_but_not_compares(tmp_path):
    run = tmp_path / "run"
    (run / "flame").mkdir(parents=True)
    (run / "compare" / "vs-x").mkdir(parents=True)
    dead = [run / ".bench.json.abc123.tmp", run / "flame" / ".a.svg.x.tmp"]
    live = run / "compare" / "vs-x" / ".compare.md.y.tmp"
    for path in dead + [live]:
        path.write_text("half")
    with store_lock.hold(run, command="t"):
        assert not any(p.exists() for p in dead) and live.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permission bits")
def test_read_only_folder_is_a_write_error(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    run.chmod(0o555)
    try:
        with pytest.raises(WriteError, match="cannot write"):
            with store_lock.hold(run, command="t"):
                pass
    finally:
        run.chmod(0o755)
