"""Machine ids: derived from meta.json's facts (old runs get one), and the store picks runs
of one machine when a commit or the newest run is asked for."""
import json

import pytest

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.store import machine, runs as store

FACTS = {"hostname": "ci-runner-7", "cpu": {"model": "AMD EPYC 7B13", "logical_cpus": 2},
         "cache_sizes": {"L1d": 32768, "L2": 524288, "LLC": 33554432}}


def test_id_is_derived_from_recorded_facts_and_stable():
    a = machine.id_of_meta(dict(FACTS, date="2026-01-01"))
    assert a == machine.id_of_meta(dict(FACTS, date="2026-06-01", commit="x" * 40))
    assert a.startswith("ci-runner-7-") and len(a.split("-")[-1]) == 8
    # the id a new run records is the one an old run's facts give
    assert a == machine.derive_id("ci-runner-7", "AMD EPYC 7B13", 2, FACTS["cache_sizes"])
    assert machine.id_of_meta(dict(FACTS, machine={"id": "named"})) == "named"


@pytest.mark.parametrize("change", [
    {"hostname": "ci-runner-8"},                                     # a twin in the fleet
    {"cpu": {"model": "Intel Xeon Platinum", "logical_cpus": 2}},   # the VM moved host
    {"cache_sizes": {"L1d": 49152, "L2": 2097152, "LLC": 314572800}},
])
def test_another_host_cpu_or_cache_is_another_machine(change):
    assert machine.id_of_meta(dict(FACTS, **change)) != machine.id_of_meta(FACTS)


def test_a_meta_without_facts_has_no_machine():
    assert machine.id_of_meta({"commit": "x", "bench": {}}) is None
    assert machine.id_of_meta(None) is None


def test_the_environment_can_name_the_machine(monkeypatch):
    monkeypatch.setenv(machine.MACHINE_ENV, "Fleet Box #3")
    assert machine.this_machine()["id"] == "fleet-box-3"
    monkeypatch.delenv(machine.MACHINE_ENV)
    derived = machine.this_machine()
    assert derived["id"] != "fleet-box-3" and "hostname" in derived["source"]


def _run(root, name, date, facts=FACTS, **extra):
    write_atomic(root / name / "meta.json", json.dumps(dict(facts, date=date, **extra)))
    return root / name


def test_two_machines_in_one_store(tmp_path, monkeypatch):
    other = dict(FACTS, hostname="ci-runner-8")
    mine, theirs = machine.id_of_meta(FACTS), machine.id_of_meta(other)
    sha = "abcdef123456" + "0" * 28
    monkeypatch.setattr(store, "resolve_commit", lambda spec, cwd=None: sha)
    legacy = _run(tmp_path, "abcdef123456", "2026-01-01")              # before machine ids
    a = _run(tmp_path, f"abcdef123456@{mine}", "2026-01-02", machine={"id": mine})
    b = _run(tmp_path, f"abcdef123456@{theirs}", "2026-01-03", other, machine={"id": theirs})
    assert store.run_machine(legacy) == mine and store.run_machine(b) == theirs
    assert store.list_runs(tmp_path, mine) == [legacy, a]
    assert store.newest_run(tmp_path, mine) == a and store.newest_run(tmp_path, theirs) == b
    assert store.newest_run(tmp_path, store.ANY_MACHINE) == b
    assert store.find_run("HEAD", tmp_path, mine) == a
    assert store.find_run("HEAD", tmp_path, theirs) == b
    assert store.machines_in(tmp_path) == {mine: 2, theirs: 1}
    with pytest.raises(InputError, match=f"not from machine nobody.*{mine}, {theirs}"):
        store.find_run("HEAD", tmp_path, "nobody")
    with pytest.raises(InputError, match="--machine"):
        store.newest_run(tmp_path, "nobody")
    # a store with no run of this machine (copied from CI): the newest of any, said so
    run, note = store.newest_run_or_any(tmp_path, "nobody")
    assert run == b and "no run of machine nobody" in note and theirs in note
    assert store.newest_run_or_any(tmp_path, mine) == (a, None)


def test_run_dir_names_the_machine(tmp_path):
    rev = store.Revision("f" * 40, True)
    assert store.run_dir(tmp_path, rev, "box-1").name == "ffffffffffff-dirty@box-1"
    assert store.run_dir(tmp_path, rev).name.endswith("@" + machine.this_machine_id())


def test_a_calibration_of_another_machine_is_not_used_for_this_one(tmp_path):
    from mapbench.analysis.stats import compare
    from mapbench.benchmarks.store import calibration_file as cf
    (tmp_path / cf.CALIBRATION_FILE).write_text(json.dumps({
        "suggested_min_effect_pct": 7, "machine": {"id": "box-a"},
        "process_noise": {"quiet_processes": 5, "processes": 6}}))
    assert cf.default_min_effect(tmp_path, "median", machine="box-a") == pytest.approx(0.07)
    assert cf.default_min_effect(tmp_path, "median", machine="box-b") == compare.DEFAULT_MIN_EFFECT
    assert "5 of 6" in cf.machine_noise_note(tmp_path, machine="box-a")
    assert "measured on machine box-a, not box-b" in cf.machine_noise_note(tmp_path, machine="box-b")
