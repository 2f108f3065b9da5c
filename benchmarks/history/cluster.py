"""The Dask cluster a history or bisect runs on: an embedded LocalCluster, or the user's scheduler.

    open_cluster(workers=N)                -> a LocalCluster the suite starts and stops:
                                              N worker processes, one thread each, no
                                              dashboard; worker "timing" of them offers the
                                              resource TIMING=1, the others none
    open_cluster(scheduler="tcp://H:P")    -> a client of an existing cluster, whose
                                              workers were started one per host with
                                              `dask worker tcp://H:P --nthreads 1 --resources "timing=1"`
                                              (more workers per host without the resource
                                              add count-only capacity)

Invariants:
- Every history goes through a Dask client, `--workers 1` included: one code path. No
  scheduler of ours; Dask's distributed scheduler places, retries and cancels.
- A task that times (its bench args lack --counts-only) asks for TIMING=1. Each host
  offers one unit, so no two timed tasks overlap on a host; count-only tasks ask for
  nothing and run side by side, since counts do not depend on load.
- A worker the nanny restarts after a crash keeps its resources (they are Nanny options,
  not set at run time).
- A scheduler that cannot be reached within CONNECT_TIMEOUT_S is an InputError: one line.
"""
from __future__ import annotations

import contextlib
import logging
import os

from mapbench.analysis.errors import InputError

TIMING = "timing"                 # the worker resource a timed task needs one unit of
TIMING_WORKER = "timing"          # the embedded cluster's worker that offers it
CONNECT_TIMEOUT_S = 5
START_TIMEOUT_S = 120            # the embedded cluster's workers to come up
WORKERS_TIMEOUT_S = 30           # a user's scheduler to have at least one worker


def default_workers() -> int:
    """Embedded cluster size when --workers is not given: one per CPU."""
    return max(1, os.cpu_count() or 1)


def counts_only(bench_args: list[str]) -> bool:
    """The bench runs the count pass alone (no timing), so it may share its host."""
    return "--counts-only" in bench_args


def task_resources(bench_args: list[str]) -> dict | None:
    return None if counts_only(bench_args) else {TIMING: 1}


def _quiet_dask_logs() -> None:
    # Worker deaths and reconnects are the client's to report, one line per commit.
    for name in ("distributed", "distributed.client", "distributed.scheduler",
                 "distributed.nanny", "distributed.core", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.ERROR)


@contextlib.contextmanager
def open_cluster(workers: int | None = None, scheduler: str | None = None):
    """A distributed.Client for the `with` block, and the cluster it talks to."""
    import dask
    from distributed import Client, LocalCluster
    _quiet_dask_logs()
    if scheduler:
        try:
            with dask.config.set({"distributed.comm.timeouts.connect": f"{CONNECT_TIMEOUT_S}s"}):
                client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"cannot reach the Dask scheduler at {scheduler} within "
                             f"{CONNECT_TIMEOUT_S} s ({reason[:160]}); start one with "
                             f"`dask scheduler`, workers with `dask worker {scheduler}`") from None
        try:
            try:
                client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
            except TimeoutError:
                raise InputError(f"the Dask scheduler at {scheduler} has no workers after "
                                 f"{WORKERS_TIMEOUT_S} s; start them with `dask worker "
                                 f"{scheduler} --nthreads 1 --resources \"{TIMING}=1\"`") from None
            yield client
        finally:
            client.close()
        return
    n = workers or default_workers()
    if n < 1:
        raise InputError(f"--workers must be at least 1, not {n}")
    cluster = LocalCluster(n_workers=0, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR,
                           # its health/metrics HTTP server on a free port, not 8787 (which
                           # a user's own cluster may hold: Dask would warn and move)
                           scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    try:
        plain = cluster.new_spec
        cluster.worker_spec[TIMING_WORKER] = {
            "cls": plain["cls"], "options": {**plain["options"], "resources": {TIMING: 1}}}
        cluster.scale(n)
        client = Client(cluster)
        try:
            client.wait_for_workers(n, timeout=START_TIMEOUT_S)
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def describe(client, scheduler: str | None) -> str:
    """'2 local workers' / 'the cluster at tcp://h:p (3 workers on 2 hosts)'."""
    hosts = worker_hosts(client)
    if not scheduler:
        return f"{len(hosts)} local Dask worker{'s' if len(hosts) != 1 else ''}"
    return (f"the Dask cluster at {scheduler} ({len(hosts)} workers on "
            f"{len(set(hosts.values()))} host{'s' if len(set(hosts.values())) != 1 else ''})")


def worker_hosts(client) -> dict[str, str]:
    """worker address -> host, from the scheduler."""
    info = client.scheduler_info(n_workers=-1) if _takes_n_workers(client) else client.scheduler_info()
    return {addr: w.get("host", addr) for addr, w in info.get("workers", {}).items()}


def _takes_n_workers(client) -> bool:
    import inspect
    return "n_workers" in inspect.signature(client.scheduler_info).parameters


def timing_capacity(client) -> int:
    """How many workers offer the TIMING resource."""
    info = client.scheduler_info(n_workers=-1) if _takes_n_workers(client) else client.scheduler_info()
    return sum(1 for w in info.get("workers", {}).values()
               if (w.get("resources") or {}).get(TIMING, 0) >= 1)


def worker_machines(client) -> set[str]:
    """The machine ids (store/machine.py) of the cluster's workers: whose runs count as done."""
    from mapbench.benchmarks.store import machine as machines
    return set(client.run(machines.this_machine_id).values())
