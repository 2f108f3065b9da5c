"""cosmic-ray over the Python modules that carry trust, each against the tests that guard
it: the first half of `tox -e mutate` (not run in CI).

    python tests/mutation/run_cosmic_ray.py [--only SUBSTRING] [--work DIR]

Works in a copy of the checkout installed editable (as run_mutants.py does), so the
checkout itself is never mutated. Per module: `cosmic-ray init` + `exec` with the local
distributor, then the survivors from `cr-report`. Prints each module's killed/total and
its surviving mutants; exits 1 when any survived.
"""
from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_mutants import copy_checkout, install, refuse_outside_tox  # noqa: E402

# module -> the tests that should catch a change in it
TARGETS = {
    "analysis/stats/count_compare.py": ["tests/analysis/test_count_compare.py",
                                         "tests/benchmarks/test_compare_counts_cmd.py"],
    "benchmarks/comparison/count_side.py": ["tests/benchmarks/test_compare_counts_cmd.py",
                                             "tests/benchmarks/test_seams.py"],
    "benchmarks/store/run_folder.py": ["tests/benchmarks/test_store.py", "tests/benchmarks/test_store_damage.py",
                                       "tests/house"],
    "analysis/counters/counts.py": ["tests/analysis/test_counts.py", "tests/benchmarks/test_count_pass.py"],
    "analysis/stacks/fold_perf.py": ["tests/analysis/test_fold_perf.py",
                                     "tests/analysis/test_fold_perf_vs_perl.py"],
}
TIMEOUT_S = 120.0
BIN = Path(sys.executable).parent          # cosmic-ray's scripts beside the interpreter


def config(module: str, tests: list[str]) -> str:
    command = f"{sys.executable} -m pytest -x -q -p no:cacheprovider " + " ".join(tests)
    return (f'[cosmic-ray]\nmodule-path = "{module}"\ntimeout = {TIMEOUT_S}\nexcluded-modules = []\n'
            f'test-command = "{command}"\n\n[cosmic-ray.distributor]\nname = "local"\n')


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) positions of every annotation: under `from __future__ import
    annotations` they are strings never evaluated, so a mutant inside one is equivalent."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        notes = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            notes = [a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs
                     + [args.vararg, args.kwarg] if a is not None and a.annotation is not None]
            notes.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            notes = [node.annotation]
        spans += [((n.lineno, n.col_offset), (n.end_lineno, n.end_col_offset)) for n in notes if n is not None]
    return spans


def survivors(session: Path, cwd: Path, module: str) -> tuple[int, int, list[str], int]:
    """(killed, total, the surviving mutants as `line operator | code`, how many of the
    survivors sit inside annotations and are equivalent)."""
    dump = subprocess.run([str(BIN / "cosmic-ray"), "dump", str(session)], cwd=cwd, capture_output=True,
                          text=True).stdout
    source = (cwd / module).read_text()
    lines, spans = source.splitlines(), annotation_spans(source)
    future = "from __future__ import annotations" in source
    total, alive, equivalent = 0, [], 0
    for row in filter(None, dump.splitlines()):
        job, result = json.loads(row)
        if not result:
            continue
        total += 1
        if result.get("test_outcome") != "survived":
            continue
        for mutation in job["mutations"]:
            start = tuple(mutation["start_pos"])
            if future and any(lo <= start < hi for lo, hi in spans):
                equivalent += 1
                continue
            alive.append(f"line {start[0]} {mutation['operator_name']} | {lines[start[0] - 1].strip()}")
    return total - len(alive) - equivalent, total, alive, equivalent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="the modules whose path contains this")
    parser.add_argument("--work", type=Path, default=None, help="keep the copy and sessions here")
    args = parser.parse_args(argv)
    refuse_outside_tox()
    chosen = {m: t for m, t in TARGETS.items() if args.only in m}
    if not chosen:
        print(f"run_cosmic_ray: no module's path contains {args.only!r}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mapbench-cosmic-") as tmp:
        work = args.work or Path(tmp)
        copy = work / "copy"
        copy.mkdir(parents=True, exist_ok=True)
        copy_checkout(copy)
        install(copy)
        alive_total = 0
        for module, tests in chosen.items():
            stem = module.replace("/", "_")
            cfg, session = work / f"{stem}.toml", work / f"{stem}.sqlite"
            cfg.write_text(config(module, tests))
            session.unlink(missing_ok=True)
            subprocess.run([str(BIN / "cosmic-ray"), "init", str(cfg), str(session)], cwd=copy, check=True)
            subprocess.run([str(BIN / "cosmic-ray"), "exec", str(cfg), str(session)], cwd=copy, check=True)
            killed, total, alive, equivalent = survivors(session, copy, module)
            alive_total += len(alive)
            print(f"{module}: {killed} of {total} mutants killed, {equivalent} equivalent (inside "
                  f"annotations, never evaluated), {len(alive)} survived", flush=True)
            for line in alive:
                print(f"    SURVIVED {line}")
        return 1 if alive_total else 0


if __name__ == "__main__":
    raise SystemExit(main())
