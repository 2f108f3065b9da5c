"""Building one commit's checkout into its own venv, from any environment mapbench runs in.

The commit's venv is made without pip and sees this interpreter's import path (its
site-packages and what their .pth files add; not the standard library, not the script's
folder, not PYTHONPATH) through a .pth file of its own, after its own site-packages. So
the commit's runtime dependencies come from this environment, with no network.

A commit declares its build backend in pyproject.toml `[build-system] requires` (PEP 518;
without one, pip's default: setuptools>=40.8.0 and wheel). `build` takes each requirement
from the first place that has it:

  1. this environment, where an installed distribution satisfies it (a tox env, a system
     install, a venv with the backend installed);
  2. the wheel cache, the suite's own folder of build-requirement wheels (`--wheel-cache`,
     else $MAPBENCH_WHEEL_CACHE, else ~/.cache/mapbench/build-wheels): `pip install
     --no-index` into the commit's venv, where it shadows an older copy of this
     environment's (a plain venv's setuptools 65.5 for `setuptools>=68`). No network;
  3. pip's configured indexes and find-links (PyPI, a mirror), only for what 1 and 2 lack:
     `pip wheel` saves the wheels in the cache first, so the next run needs no network.

Then `pip install --no-deps --no-build-isolation` of the checkout builds it with exactly
those packages. If a requirement is in none of the three (no network and an empty cache),
the build is still tried with what the environment has, and the note names what was missing.
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from mapbench.benchmarks.history.build_errors import first_error
from mapbench.benchmarks.store import lock as store_lock

if sys.version_info >= (3, 11):
    import tomllib
else:                                        # pragma: no cover - Python 3.10
    import tomli as tomllib

WHEEL_CACHE_ENV = "MAPBENCH_WHEEL_CACHE"
# PEP 518: a project without [build-system] is built as if it named these.
DEFAULT_REQUIRES = ["setuptools>=40.8.0", "wheel"]
PARENT_PTH = "mapbench-history-parent.pth"
FILL_LOCK = ".fill.lock"          # in the wheel cache: held while pip fetches into it
# Run in the commit's venv: where each named distribution is found first, and its version.
WHERE_SCRIPT = """import importlib.metadata as md, json, sys
found = {}
for name in sys.argv[1:]:
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        continue
    found[name] = [dist.version, str(dist.locate_file(""))]
print(json.dumps(found))"""


@dataclass
class Outcome:
    ok: bool
    note: str                                  # the error that matters, or what built it
    log: list[str] = field(default_factory=list)   # every pip command and its output


def default_wheel_cache() -> Path:
    if os.environ.get(WHEEL_CACHE_ENV):
        return Path(os.environ[WHEEL_CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mapbench" / "build-wheels"


# A fresh interpreter's import path, as JSON (run with cwd "/" and without PYTHONPATH).
FRESH_PATH_SCRIPT = "import json, sys; print(json.dumps(sys.path))"


def visible_paths() -> list[str]:
    """This interpreter's import path less the standard library, the script's folder and
    PYTHONPATH: its site-packages, user site, and the folders their .pth files add.

    Read from a fresh interpreter, not from this process's sys.path: a running process
    adds folders of its own (a Dask worker its scratch folders and the client's working
    folder, /tmp say), and a folder on the commit's import path changes the counted
    process's layout by what it holds. Every import lists each folder on the path, so the
    number of files in /tmp moved the simulated D1 misses of a `--workers 2` history
    against a `--workers 1` one (docs/counted-metrics.md, "Address layout")."""
    left_out = set()
    for base, platbase in ((sys.prefix, sys.exec_prefix), (sys.base_prefix, sys.base_exec_prefix)):
        paths = sysconfig.get_paths(vars={"base": base, "platbase": platbase,
                                          "installed_base": base, "installed_platbase": platbase})
        left_out |= {os.path.realpath(p) for p in (paths["stdlib"], paths["platstdlib"],
                                                   os.path.join(paths["platstdlib"], "lib-dynload"))}
    left_out |= {os.path.realpath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONSTARTUP", None)
    fresh = subprocess.run([sys.executable, "-c", FRESH_PATH_SCRIPT], check=True, cwd="/",
                           env=env, capture_output=True, text=True).stdout
    seen: list[str] = []
    for entry in json.loads(fresh):
        real = os.path.realpath(entry) if entry else ""     # "": -c's working folder
        if real and os.path.isdir(real) and real not in left_out and real not in seen:
            seen.append(real)
    return seen


def make_venv(folder: Path) -> Path:
    """A venv without pip whose interpreter also sees `visible_paths()` (after its own)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True,
                   capture_output=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, PARENT_PTH).write_text("\n".join(visible_paths()) + "\n")
    return python


class BuildError(Exception):
    """The commit's build declaration cannot be read; the message says why."""


def declared_requirements(src: Path) -> list[str]:
    """The checkout's `[build-system] requires`, or PEP 518's default without one."""
    path = src / "pyproject.toml"
    if not path.is_file():
        return list(DEFAULT_REQUIRES)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BuildError(f"pyproject.toml is not valid TOML: {exc}") from None
    system = doc.get("build-system")
    if system is None:
        return list(DEFAULT_REQUIRES)
    requires = system.get("requires") if isinstance(system, dict) else None
    if not (isinstance(requires, list) and all(isinstance(r, str) for r in requires)):
        raise BuildError("pyproject.toml: [build-system] requires is not a list of strings")
    for text in requires:
        try:
            Requirement(text)
        except InvalidRequirement as exc:
            raise BuildError(f"pyproject.toml: build requirement {text!r}: {exc}") from None
    return requires


def lacking_here(requires: list[str], paths: list[str]) -> list[str]:
    """The requirements no distribution on `paths` satisfies (the first one found of a
    name counts, as for an import). One with extras counts as lacking: pip resolves it."""
    lacking = []
    for text in requires:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate():
            continue                               # not for this interpreter
        dist = next(iter(importlib.metadata.distributions(name=req.name, path=paths)), None)
        if req.extras or dist is None or not req.specifier.contains(dist.version, prereleases=True):
            lacking.append(text)
    return lacking


def _pip(python: Path, args: list[str], log: list[str], **env_over) -> subprocess.CompletedProcess:
    env = dict(os.environ, **env_over)
    env.pop("PYTHONPATH", None)
    command = [str(python), "-m", "pip", *args]
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    log.append(f"$ {' '.join(command)}\n{proc.stdout}(exit {proc.returncode})\n")
    return proc


def _install_from_cache(python: Path, lacking: list[str], cache: Path, log: list[str]):
    # The cache alone: PIP_FIND_LINKS in the environment replaces the configured find-links
    # (which may be URLs), where --find-links would add to them.
    return _pip(python, ["install", "-q", "--no-index", "--no-warn-script-location", *lacking],
                log, PIP_FIND_LINKS=str(cache))


def get_lacking(python: Path, lacking: list[str], cache: Path, say, log: list[str]) -> str:
    """Install `lacking` into the venv from the cache, filling it first if need be;
    "" when done, else why not."""
    cache.mkdir(parents=True, exist_ok=True)
    if _install_from_cache(python, lacking, cache, log).returncode == 0:
        return ""
    # Parallel history builds share the cache: one fills it at a time; the others then
    # find what it fetched.
    with store_lock.hold(cache, lock_name=FILL_LOCK, wait=True, command="mapbench history build",
                         log=lambda line, **_: say(line)):
        if _install_from_cache(python, lacking, cache, log).returncode == 0:
            return ""
        say(f"fetching {', '.join(lacking)} into the wheel cache {cache} (pip's indexes)")
        fill = _pip(python, ["wheel", "-q", "--wheel-dir", str(cache), "--find-links", str(cache),
                             *lacking], log)
    if fill.returncode != 0:
        return (f"{', '.join(lacking)}: not in the wheel cache {cache}, and pip could not "
                f"fetch them: {first_error(fill.stdout)}")
    installed = _install_from_cache(python, lacking, cache, log)
    return "" if installed.returncode == 0 else f"{', '.join(lacking)}: {first_error(installed.stdout)}"


def backend_versions(python: Path, requires: list[str], venv: Path) -> str:
    """`name version (where)` for each build requirement, as the venv finds them."""
    names = [Requirement(text).name for text in requires]
    proc = subprocess.run([str(python), "-c", WHERE_SCRIPT, *names], capture_output=True, text=True)
    try:
        found = json.loads(proc.stdout)
    except ValueError:
        return "backend versions unknown"
    venv_real = os.path.realpath(venv)
    parts = []
    for name in names:
        if name not in found:
            parts.append(f"{name} missing")
            continue
        version, where = found[name]
        source = "wheel cache" if os.path.realpath(where).startswith(venv_real + os.sep) else "this environment"
        parts.append(f"{name} {version} ({source})")
    return ", ".join(parts)


def build(python: Path, src: Path, cache: Path, say=print) -> Outcome:
    """Install the checkout `src` into the venv of `python` (made by `make_venv`)."""
    log: list[str] = []
    try:
        requires = declared_requirements(src)
    except BuildError as exc:
        return Outcome(False, str(exc), log)
    lacking = lacking_here(requires, visible_paths())
    missing = get_lacking(python, lacking, cache, say, log) if lacking else ""
    if missing:
        say(f"build requirements {missing}; trying with this environment's packages")
    proc = _pip(python, ["install", "-q", "--no-deps", "--no-build-isolation",
                         "--no-warn-script-location", str(src)], log)
    if proc.returncode != 0:
        error = first_error(proc.stdout).replace(f"{src}{os.sep}", "")
        return Outcome(False, f"{error} [missing build requirements: {missing}]" if missing else error, log)
    built_with = "built with " + backend_versions(python, requires, python.parent.parent)
    return Outcome(True, f"{built_with}; missing: {missing}" if missing else built_with, log)
