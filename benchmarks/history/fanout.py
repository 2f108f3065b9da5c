"""Commits out to Dask workers, their runs back into the store: what history and bisect share.

`CommitRunner.run(commits)` submits one commit_task.run_commit per commit (at most
WINDOW_PER_WORKER x workers in flight, so the client holds few commits' bytes at a
time), and as each finishes: lands its run folders in the store (shipping.land_run),
writes its note in history.json (under the notes lock), and prints one line: done,
failed or retried, the host and worker it ran on, how many are finished, and an ETA
(elapsed time / finished x left; the rate so far, not a promise).

Invariants:
- Only the client writes the store; a task that dies lands nothing.
- A task the scheduler restarted after its worker died started more than once: the
  starts are Dask events on commit_task.TOPIC tagged with this runner's id, and their
  number is the note's `attempts`. Dask's own limit (distributed.scheduler.allowed-failures)
  ends a commit whose workers keep dying: it is noted WORKER_LOST and the range goes on.
- Ctrl-C cancels every outstanding task and re-raises: the store holds what it held,
  plus the commits that finished. A commit's landing and its note are one step that
  Ctrl-C does not split (interrupt_after).
"""
from __future__ import annotations

import contextlib
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

from mapbench.benchmarks.history import cluster, commit_task, shipping
from mapbench.benchmarks.history.stored_runs import commit_runs
from mapbench.benchmarks.store import run_folder

WINDOW_PER_WORKER = 2


@contextlib.contextmanager
def interrupt_after():
    """Ctrl-C inside the block takes effect at its end: a commit lands and is noted, or not."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *a: caught.append(a))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _fmt_s(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 120 else f"{seconds} s"


class CommitRunner:
    def __init__(self, client, root: Path, repo: Path, bench_args: list[str],
                 wheel_cache: Path | None, save_note, save_build_log, machines: set[str],
                 say=print):
        self.client, self.root, self.repo = client, Path(root), Path(repo)
        self.bench_args, self.wheel_cache = bench_args, wheel_cache
        self.save_note, self.save_build_log, self.say = save_note, save_build_log, say
        self.machines = machines          # whose runs in the store a commit's bench adds to
        self.run_id = uuid.uuid4().hex[:12]
        self.resources = cluster.task_resources(bench_args)
        calibration = self.root / run_folder.CALIBRATION
        self.calibration = calibration.read_bytes() if calibration.is_file() else None
        self.starts: dict[str, list[dict]] = {}
        self.about: dict[str, dict] = {}     # sha -> subject, commit date, for its note
        client.subscribe_topic(commit_task.TOPIC, self._on_start)

    def _on_start(self, event) -> None:
        _, msg = event
        if not isinstance(msg, dict) or msg.get("run") != self.run_id:
            return
        seen = self.starts.setdefault(msg["commit"], [])
        seen.append(msg)
        if len(seen) > 1:
            self.say(f"history: {msg['commit'][:12]}: retried (attempt {len(seen)}) on "
                     f"{msg.get('host')} ({msg.get('worker')}): the worker running it was lost",
                     flush=True)

    def _attempts(self, commit: str) -> int:
        events = [m for _, m in self.client.get_events(commit_task.TOPIC)
                  if isinstance(m, dict) and m.get("run") == self.run_id and m.get("commit") == commit]
        return max(1, len(events), len(self.starts.get(commit, [])))

    def _seeds(self, commit: str) -> dict:
        runs = {run for machine in self.machines for run in commit_runs(self.root, commit, machine)}
        return {run.name: shipping.pack_folder(run) for run in sorted(runs)}

    def _submit(self, commit: str):
        date = subprocess.run(["git", "log", "-1", "--format=%cI", commit], cwd=self.repo,
                              capture_output=True, text=True).stdout.strip()
        self.about.setdefault(commit, {})["commit_date"] = date or None
        task = commit_task.CommitTask(
            commit=commit, source=shipping.pack_commit(self.repo, commit),
            bench_args=self.bench_args, run_id=self.run_id,
            wheel_cache=str(self.wheel_cache) if self.wheel_cache else None,
            calibration=self.calibration, seeds=self._seeds(commit))
        return self.client.submit(commit_task.run_commit, task, pure=False,
                                  key=f"mapbench-history-{commit[:12]}-{self.run_id}",
                                  resources=self.resources)

    def run(self, commits: list[tuple[str, str]], heads: dict[str, str]) -> dict[str, dict]:
        """Run `commits` [(sha, subject)]; sha -> the note written. `heads`: sha -> the
        line prefix naming it ("history: commit 3 of 12 <sha12> 'subject'")."""
        from distributed import as_completed
        if not commits:
            return {}
        for sha, subject in commits:
            self.about[sha] = {"subject": subject}
        workers = max(1, len(cluster.worker_hosts(self.client)))
        window = WINDOW_PER_WORKER * workers
        queue, futures, results = list(commits), {}, {}
        started = time.monotonic()
        ac = as_completed()
        try:
            while queue and len(futures) < window:
                sha, _ = queue.pop(0)
                fut = self._submit(sha)
                futures[fut.key] = (sha, fut)
                ac.add(fut)
            for fut in ac:
                sha, _ = futures.pop(fut.key)
                results[sha] = self._finish(sha, fut, heads[sha], len(results) + 1,
                                            len(commits), started)
                if queue:
                    nxt, _ = queue.pop(0)
                    new = self._submit(nxt)
                    futures[new.key] = (nxt, new)
                    ac.add(new)
        except KeyboardInterrupt:
            self.client.cancel([f for _, f in futures.values()], force=True)
            self.say(f"history: interrupted; cancelled {len(futures)} running commit(s) and "
                     f"{len(queue)} not started; the store keeps the {len(results)} that "
                     f"finished", flush=True)
            raise
        return results

    def _finish(self, sha: str, fut, head: str, done: int, total: int, started: float) -> dict:
        with interrupt_after():
            return self._land_and_note(sha, fut, head, done, total, started)

    def _land_and_note(self, sha: str, fut, head: str, done: int, total: int,
                       started: float) -> dict:
        attempts = self._attempts(sha)
        if fut.status == "finished":
            result = fut.result()
            for line in result["lines"]:
                self.say(f"{head}: {line}", flush=True)
            for name, blob in sorted(result["runs"].items()):
                shipping.land_run(self.root, name, blob)
            status, note = result["status"], result["note"]
            if status == commit_task.BUILD_FAILED and result.get("build_log"):
                log = self.save_build_log(self.root, sha, [result["build_log"]])
                note += f" (pip's output: {log})"
            where = {"machine": result["machine"], "host": result["host"],
                     "worker": result["worker"]}
            seconds = result["seconds"]
        else:
            exc = fut.exception()
            killed = type(exc).__name__ == "KilledWorker"
            status = commit_task.WORKER_LOST if killed else "task failed"
            note = (f"the workers running it died {attempts} times; Dask gave up"
                    if killed else f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            where, seconds = {"machine": None, "host": None, "worker": None}, 0.0
        entry = self.save_note(self.root, sha, status, note, seconds, where["machine"],
                               attempts=attempts, host=where["host"], worker=where["worker"],
                               **self.about.get(sha, {}))
        elapsed = time.monotonic() - started
        eta = elapsed / done * (total - done)
        retried = f" after {attempts} attempts (retried)" if attempts > 1 else ""
        place = f" on {where['host']} ({where['worker']})" if where["host"] else ""
        what = (f"done in {_fmt_s(seconds)}" if status == commit_task.DONE
                else f"{status}: {note}")
        self.say(f"{head}: {what}{retried}{place}; {done} of {total} finished"
                 + (f", ETA {_fmt_s(eta)}" if done < total else ""), flush=True)
        return entry
