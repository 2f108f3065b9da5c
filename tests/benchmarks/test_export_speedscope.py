"""`mapbench export --format speedscope`: a run's folded stacks as a speedscope file, checked
against a schema written from speedscope's (https://www.speedscope.app/file-format-schema.json)
and read back by the suite's own speedscope reader."""
import json
import shutil
from pathlib import Path

import jsonschema

from mapbench.analysis.stacks.fold_speedscope import fold_speedscope
from mapbench.analysis.stacks.folded import read_folded
from mapbench.benchmarks.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FOLDED = {"iterate-n1024": "perf-script-c.perl.folded", "python-cffi": "perf-script-python-cffi.perl.folded"}

# speedscope's FileFormat.File, the parts a sampled profile uses.
SCHEMA = {
    "type": "object",
    "required": ["$schema", "shared", "profiles"],
    "properties": {
        "$schema": {"const": "https://www.speedscope.app/file-format-schema.json"},
        "shared": {"type": "object", "required": ["frames"], "properties": {"frames": {
            "type": "array", "items": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}, "file": {"type": "string"},
                "line": {"type": "number"}, "col": {"type": "number"}}}}}},
        "profiles": {"type": "array", "items": {
            "type": "object",
            "required": ["type", "name", "unit", "startValue", "endValue", "samples", "weights"],
            "properties": {
                "type": {"const": "sampled"}, "name": {"type": "string"},
                "unit": {"enum": ["none", "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes"]},
                "startValue": {"type": "number"}, "endValue": {"type": "number"},
                "samples": {"type": "array", "items": {"type": "array", "items": {"type": "integer", "minimum": 0}}},
                "weights": {"type": "array", "items": {"type": "number"}}}}},
        "name": {"type": "string"}, "activeProfileIndex": {"type": "number"},
        "exporter": {"type": "string"},
    },
}


def test_each_configuration_is_a_profile_with_the_folded_stacks_and_totals(tmp_path, capsys):
    run = tmp_path / "profiles" / "aaaaaaaaaaaa"
    (run / "folded").mkdir(parents=True)
    (run / "meta.json").write_text(json.dumps({"commit": "a" * 40}))
    for config, fixture in FOLDED.items():
        shutil.copy(FIXTURES / fixture, run / "folded" / f"{config}.folded")
    assert main(["export", str(run), "--format", "speedscope", "--out", str(tmp_path / "profiles")]) == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, SCHEMA)
    # ... and speedscope's own published schema (tests/fixtures/, from speedscope 1.25.0).
    jsonschema.validate(doc, json.loads((FIXTURES / "speedscope-file-format-schema.json").read_text()))
    frames = [f["name"] for f in doc["shared"]["frames"]]
    assert len(frames) == len(set(frames))
    assert [p["name"] for p in doc["profiles"]] == sorted(FOLDED)
    for profile in doc["profiles"]:
        folded = read_folded((FIXTURES / FOLDED[profile["name"]]).read_text())
        assert len(profile["samples"]) == len(profile["weights"])
        got = {}
        for sample, weight in zip(profile["samples"], profile["weights"]):
            key = ";".join(frames[i] for i in sample)
            got[key] = got.get(key, 0) + weight
        assert got == {k: v for k, v in folded.items() if k}
        assert profile["endValue"] - profile["startValue"] == sum(v for k, v in folded.items() if k)
    # The suite's own speedscope reader sees the same stacks, under each profile's name.
    back = fold_speedscope(json.dumps(doc).encode(), roots=True)
    want = {f"{c};{k}" for c, f in FOLDED.items() for k in read_folded((FIXTURES / f).read_text()) if k}
    assert set(back) == want


def test_a_run_without_folded_stacks_is_one_line(tmp_path, capsys):
    run = tmp_path / "profiles" / "aaaaaaaaaaaa"
    run.mkdir(parents=True)
    (run / "meta.json").write_text("{}")
    assert main(["export", str(run), "--format", "speedscope", "--out", str(tmp_path / "profiles")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mapbench profile" in err
