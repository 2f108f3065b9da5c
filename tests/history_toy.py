"""The toy package and its git repository, for the tests of `mapbench history`
(tests/benchmarks/test_history.py, test_history_plain_venv.py).

The toy has what history needs of a commit and no more: a pyproject whose
[project.scripts] names `mapbench`, benchmarks/commands/bench.py (history's sign that a
commit has `mapbench bench`), and a cli whose `bench --out DIR` writes into
DIR/<commit12>/ a one-benchmark pyperf suite (every value: the package's VALUE), a
meta.json with the commit it ran at and the arguments after --out DIR, and, where the
package has a COUNT, a counts.json with that many instructions per element. For the
fault tests it sleeps $HISTORY_TOY_SLEEP seconds first, after writing
$HISTORY_TOY_PIDS/<commit12>.<its pid> holding its parent's pid (the Dask worker). So a test
exercises history's own work -- a worktree per commit, a venv, a pip build, the bench in
the worktree -- in seconds rather than the minutes the real suite takes.
"""
import subprocess
from pathlib import Path

CLI = '''"""Toy bench: one pyperf benchmark, value = VALUE, into <out>/<commit12>/."""
import json, os, subprocess, sys, time
from pathlib import Path
import pyperf
import benchmarks

def main():
    args = sys.argv[1:]
    out = Path(args[args.index("--out") + 1])
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    if os.environ.get("HISTORY_TOY_PIDS"):     # where a test finds the bench (and its worker)
        Path(os.environ["HISTORY_TOY_PIDS"], f"{commit[:12]}.{os.getpid()}").write_text(str(os.getppid()))
    time.sleep(float(os.environ.get("HISTORY_TOY_SLEEP", "0")))
    run = out / commit[:12]
    run.mkdir(parents=True, exist_ok=True)
    if benchmarks.COUNT is not None:           # a count pass's counts.json, one benchmark
        (run / "counts.json").write_text(json.dumps({"benchmarks": {"iterate/n=1024": {
            "per_element": {"Ir": benchmarks.COUNT}, "source": "toy"}}}))
    r = pyperf.Run([benchmarks.VALUE] * 3, metadata={"name": "iterate/n=1024", "loops": 1},
                   collect_metadata=False)
    pyperf.BenchmarkSuite([pyperf.Benchmark([r])]).dump(str(run / "bench.json"), replace=True)
    meta = {"commit": commit, "bench": {"status": "complete", "args": args[args.index("--out") + 2:]}}
    if benchmarks.COUNT is not None:
        meta["counts"] = {"status": "complete", "file": "counts.json"}
    (run / "meta.json").write_text(json.dumps(meta))
    return 0

if __name__ == "__main__":
    sys.exit(main())
'''


def pyproject(build_requires=("setuptools",)) -> str:
    requires = ", ".join(f'"{r}"' for r in build_requires)
    return f"""[build-system]
requires = [{requires}]
build-backend = "setuptools.build_meta"
[project]
name = "historytoy"
version = "0.1"
[tool.setuptools]
packages = ["benchmarks", "benchmarks.commands"]
[project.scripts]
mapbench = "benchmarks.cli:main"
"""


def package(value: float, bench_command: bool = True, count: float | None = None) -> dict:
    """The toy's benchmarks package (file name -> text), its bench values all `value`;
    without benchmarks/commands/bench.py when not bench_command; with a counts.json whose
    one benchmark counts `count` instructions per element when count is given."""
    files = {"benchmarks/__init__.py": f"VALUE = {value!r}\nCOUNT = {count!r}\n",
             "benchmarks/commands/__init__.py": "", "benchmarks/cli.py": CLI}
    if bench_command:
        files["benchmarks/commands/bench.py"] = ""
    return files


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout.strip()


def write_tree(root: Path, files: dict) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def commit(repo: Path, files: dict, message: str) -> str:
    """Writes `files` (name -> text) into the repository and commits all; its hash."""
    write_tree(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def init_repo(repo: Path) -> str:
    """A git repository in `repo` (an existing folder) with one commit of a README; its hash."""
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    return commit(repo, {"README": "toy\n"}, "start")
