"""`mapbench compare --format github` end to end on local run folders, and the example CI
workflow that runs it (.github/workflows/bench.yml): YAML, a schema, and its mapbench
command lines parsed by mapbench's own parser."""
import re
import shlex
from pathlib import Path

import jsonschema
import yaml

from mapbench.benchmarks.cli import build_parser, main

from tests.benchmarks.test_compare_cmd import write_run
from tests.benchmarks.test_compare_counts_cmd import BASE, NAMES, counts_only_run

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "bench.yml"
GATE = ["--metric", "instructions", "--fail-on-regression", "1", "--format", "github"]


def compare(capsys, base, head, root, *extra):
    rc = main(["compare", str(base), str(head), "--out", str(root), *extra])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_less_work_everywhere_is_the_first_line_and_only_changed_rows_are_tabled(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = counts_only_run(root, "bbbbbbbbbbbb", {n: 56.58 * 0.9 for n in NAMES})
    rc, out, err = compare(capsys, base, head, root, *GATE)
    assert rc == 0
    first = out.splitlines()[0]
    assert f"every benchmark measured does less work** ({len(NAMES)} of {len(NAMES)})" in first
    assert "instructions/element (callgrind count, exact)" in first and "gate passed (1%)" in first
    assert "counts, " in err and "counts, " not in out          # the console lines went to stderr
    changed = out.split("<details>")[0]
    assert all(f"`{n}`" in changed for n in NAMES) and "-10.00%" in changed
    assert "</details>" in out


def test_a_regression_fails_the_gate_and_tables_only_the_changed_benchmark(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = counts_only_run(root, "aaaaaaaaaaaa", BASE)
    head = counts_only_run(root, "bbbbbbbbbbbb", {**BASE, NAMES[0]: 56.58 * 1.05})
    rc, out, _ = compare(capsys, base, head, root, *GATE)
    assert rc == 1
    first = out.splitlines()[0]
    assert first.startswith(":x: **1 of 4 benchmarks do more work by more than 1%**") and "gate failed" in first
    changed, details = out.split("<details>")
    assert f"`{NAMES[0]}`" in changed and f"`{NAMES[1]}`" not in changed
    assert all(f"`{n}`" in details for n in NAMES)


def test_time_decides_without_counts(tmp_path, capsys):
    root = tmp_path / "profiles"
    base = write_run(root, "aaaaaaaaaaaa", seed=1, date="2026-01-01T00:00:00+00:00")
    head = write_run(root, "bbbbbbbbbbbb", seed=2, scale=1.3, date="2026-01-02T00:00:00+00:00")
    rc, out, _ = compare(capsys, base, head, root, "--fail-on-regression", "5", "--format", "github")
    assert rc == 1
    first = out.splitlines()[0]
    assert "benchmarks are slower by more than 5%" in first and "time/element (pyperf timing)" in first
    assert "Method: " in out


# The parts of GitHub's workflow syntax the recipe relies on (docs.github.com, "Workflow syntax").
WORKFLOW_SCHEMA = {
    "type": "object", "required": ["name", "on", "jobs"],
    "properties": {
        "jobs": {"type": "object", "minProperties": 1, "additionalProperties": {
            "type": "object", "required": ["runs-on", "steps"],
            "properties": {"steps": {"type": "array", "minItems": 1, "items": {
                "type": "object",
                "oneOf": [{"required": ["uses"]}, {"required": ["run"]}],
                "properties": {"name": {"type": "string"}, "uses": {"type": "string"},
                               "run": {"type": "string"}, "with": {"type": "object"},
                               "env": {"type": "object"}, "id": {"type": "string"}},
                "additionalProperties": False}}}}},
    },
}


def _workflow() -> dict:
    doc = yaml.safe_load(WORKFLOW.read_text())
    doc["on"] = doc.pop(True, doc.get("on"))         # YAML 1.1 reads a bare `on` as true
    return doc


def test_workflow_parses_and_has_the_recipes_steps():
    doc = _workflow()
    jsonschema.validate(doc, WORKFLOW_SCHEMA)
    assert "pull_request" in doc["on"]
    steps = doc["jobs"]["bench"]["steps"]
    refs = [s["with"]["ref"] for s in steps if s.get("uses", "").startswith("actions/checkout")]
    assert refs == ["${{ env.HEAD_SHA }}", "${{ env.BASE_SHA }}"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert runs.count("mapbench bench --counts-only") == 2
    assert "gh pr comment" in runs and "--body-file comment.md" in runs
    # Every mapbench command line of the workflow is one mapbench's parser accepts.
    commands = re.findall(r"bin/mapbench (.*?)(?: >|$)", runs, flags=re.M)
    assert len(commands) == 3
    parser = build_parser()
    for line in commands:
        args = parser.parse_args(shlex.split(line))
        if args.command == "compare":
            assert (args.metric, args.fail_on_regression, args.output_format) == ("instructions", 1.0, "github")
        else:
            assert args.command == "bench"
