"""Apply each one-line mutant of tests/mutation/mutants.toml to a copy, rebuild, run the
tests that should catch it: `tox -e mutate` (not run in CI; minutes per C mutant).

    python tests/mutation/run_mutants.py [--only SUBSTRING] [--keep DIR]

The copy is the checkout's tracked and untracked-not-ignored files, installed editable
into the running interpreter's environment (so a Python mutant needs no rebuild, a C one
rebuilds the native module). First the listed tests run on the unmutated copy: a mutant
is only judged against tests that pass without it. Prints one line per mutant (killed,
SURVIVED, stale when its `find` text is gone) and exits 1 when any survived or is stale.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:                     # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = Path(__file__).resolve().with_name("mutants.toml")


def refuse_outside_tox() -> None:
    """The copy is installed over the running environment's mapbench: only in tox's own
    `mutate` environment (or with MAPBENCH_MUTATE_ANY_ENV=1, in a scratch venv)."""
    if os.environ.get("TOX_ENV_NAME") != "mutate" and os.environ.get("MAPBENCH_MUTATE_ANY_ENV") != "1":
        raise SystemExit("run_mutants: run it as `tox -e mutate`: it installs a mutated copy over this "
                         "environment's mapbench (MAPBENCH_MUTATE_ANY_ENV=1 in a scratch venv)")


def copy_checkout(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        src = ROOT / name.decode()
        if src.is_file():
            (dest / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name.decode())


def install(copy: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "-e", str(copy)], check=True, stdout=subprocess.DEVNULL)


def tests_pass(copy: Path, tests: list[str]) -> bool:
    done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                          cwd=copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return done.returncode == 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the mutants whose name contains this")
    parser.add_argument("--keep", type=Path, default=None, help="build the copy here and keep it")
    args = parser.parse_args(argv)
    refuse_outside_tox()
    mutants = [m for m in tomllib.loads(MUTANTS.read_text())["mutant"] if args.only in m["name"]]
    if not mutants:
        print(f"run_mutants: no mutant's name contains {args.only!r}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mapbench-mutants-") as tmp:
        copy = args.keep or Path(tmp) / "copy"
        copy.mkdir(parents=True, exist_ok=True)
        copy_checkout(copy)
        install(copy)
        bad = 0
        for mutant in mutants:
            started = time.monotonic()
            path = copy / mutant["file"]
            original = path.read_text()
            if original.count(mutant["find"]) != 1:
                print(f"stale     {mutant['name']}: its text is not in {mutant['file']} exactly once")
                bad += 1
                continue
            if not tests_pass(copy, mutant["tests"]):
                print(f"skipped   {mutant['name']}: its tests fail without the mutant")
                bad += 1
                continue
            native = not mutant["file"].endswith(".py")
            try:
                path.write_text(original.replace(mutant["find"], mutant["replace"]))
                if native:
                    install(copy)
                caught = not tests_pass(copy, mutant["tests"])
            finally:
                path.write_text(original)
                if native:
                    install(copy)
            word = "killed   " if caught else "SURVIVED "
            bad += not caught
            print(f"{word} {mutant['name']} ({time.monotonic() - started:.0f} s)", flush=True)
        print(f"{len(mutants) - bad} of {len(mutants)} mutants killed")
        return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
