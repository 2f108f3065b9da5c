"""Which machine a run was measured on: a stable id derived from meta.json's facts.

    id = "<host>-<8 hex>"   hex = sha256 of {hostname, CPU model, logical CPUs, cache sizes}

Every meta.json since schema 1 records those four facts, so a run stored before machine
ids existed gets the same id as a new run on the same machine, and the id of any run can
be computed from its meta.json alone. A KVM guest that comes back on another CPU model, or
with other cache sizes, is another machine: its times do not compare with the old ones.
The host name is in the id so that two identical machines of a fleet never share a run
folder. `MAPBENCH_MACHINE=NAME` names the machine instead (CI containers whose host names
are random); the name is recorded in meta.json's `machine`, so readers need no variable.
A meta.json without any of the four facts has no machine (None): it matches any machine.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import socket

from mapbench.benchmarks.store import cpu_facts

MACHINE_ENV = "MAPBENCH_MACHINE"
HOST_CHARS = 24                         # of the host name kept in the id, for humans
DERIVED_FROM = "sha256 of hostname, cpu.model, cpu.logical_cpus, cache_sizes (meta.json)"


def slug(text: str) -> str:
    """Lower-case letters, digits, '.', '-' and '_' only; other runs of characters -> '-'."""
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._") or "host"


def derive_id(hostname: str | None, cpu_model: str | None, logical_cpus: int | None,
              cache_sizes: dict | None) -> str:
    facts = {"hostname": hostname, "cpu_model": cpu_model, "logical_cpus": logical_cpus,
             "cache_sizes": cache_sizes or {}}
    digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:8]
    return f"{slug(hostname or 'host')[:HOST_CHARS]}-{digest}"


def id_of_meta(meta: dict | None) -> str | None:
    """The machine of a run from its meta.json: the recorded id, else derived from the
    recorded facts (runs stored before ids existed), else None."""
    if not isinstance(meta, dict):
        return None
    recorded = meta.get("machine")
    if isinstance(recorded, dict) and isinstance(recorded.get("id"), str):
        return recorded["id"]
    cpu = meta.get("cpu") if isinstance(meta.get("cpu"), dict) else {}
    if not (meta.get("hostname") or cpu.get("model") or meta.get("cache_sizes")):
        return None
    return derive_id(meta.get("hostname"), cpu.get("model"), cpu.get("logical_cpus"),
                     meta.get("cache_sizes"))


def this_machine() -> dict:
    """meta.json's `machine` field for this machine: {id, source}."""
    named = os.environ.get(MACHINE_ENV, "").strip()
    if named:
        machine_id = slug(named)[:64]
        return {"id": machine_id, "source": f"${MACHINE_ENV}={named!r}"}
    return {"id": derive_id(socket.gethostname(), cpu_facts.cpu_model(), os.cpu_count(),
                            cpu_facts.cache_sizes(cpu_facts.read_caches())),
            "source": DERIVED_FROM}


def this_machine_id() -> str:
    return this_machine()["id"]
