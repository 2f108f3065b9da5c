"""Run Python against the AddressSanitizer + UBSan build of the native map.

    python native/run_sanitized.py -m pytest tests/native

An extension built with MAPBENCH_SANITIZE=1 links libasan, which must be the first
library in the process, so the interpreter has to start with it in LD_PRELOAD. This
launcher finds the libasan that _mapbench_native links (ldd, else gcc), sets
LD_PRELOAD, ASAN_OPTIONS (detect_leaks=0: CPython itself keeps memory until exit) and
UBSAN_OPTIONS, and runs the interpreter with the given arguments. Child processes
inherit LD_PRELOAD. Sanitizer reports go to files in a temporary folder (pytest's fd
capture would swallow a report written to stderr by a process that then aborts) and
are printed on stderr when the run ends; the exit status is the interpreter's.
If the installed module is not sanitized it just runs the interpreter.
Run it as a script (not with -m native...): importing the package would load the
sanitized module before libasan is preloaded.
"""

import glob
import importlib.util
import os
import re
import subprocess
import sys
import tempfile


def extension_path():
    """The installed extension's file, found without importing mapbench.native (which
    would load it before libasan is preloaded): the top-level package is only a docstring."""
    spec = importlib.util.find_spec("mapbench")
    if not spec or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(glob.glob(os.path.join(folder, "native", "_mapbench_native*.so")))
        if found:
            return found[0]
    return None


def linked_libasan(path):
    """The libasan the extension needs, or None when it is not sanitized."""
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, check=False).stdout
    except OSError:
        out = ""
    match = re.search(r"(libasan\.so[.\d]*)\s*=>\s*(\S+)", out)
    if match:
        return match.group(2)
    with open(path, "rb") as f:
        if b"libasan.so" not in f.read():
            return None
    gcc = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True)
    return gcc.stdout.strip() or None


def sanitizer_env(libasan, env, log_prefix):
    env = dict(env)
    preload = [p for p in env.get("LD_PRELOAD", "").split() if p and "libasan" not in p]
    env["LD_PRELOAD"] = " ".join([libasan] + preload)
    asan = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = ":".join(
        o for o in ("detect_leaks=0", "log_path=" + log_prefix + "asan", asan) if o)
    ubsan = env.get("UBSAN_OPTIONS", "")
    env["UBSAN_OPTIONS"] = ":".join(
        o for o in ("print_stacktrace=1:halt_on_error=1", "log_path=" + log_prefix + "ubsan",
                    ubsan) if o)
    return env


def main(argv):
    path = extension_path()
    libasan = linked_libasan(path) if path else None
    if not libasan:
        return subprocess.call([sys.executable] + argv)
    with tempfile.TemporaryDirectory(prefix="mapbench-sanitizer-") as logs:
        env = sanitizer_env(libasan, os.environ, os.path.join(logs, ""))
        code = subprocess.call([sys.executable] + argv, env=env)
        reports = sorted(glob.glob(os.path.join(logs, "*")))
        for report in reports:
            with open(report, errors="replace") as f:
                sys.stderr.write("==== %s\n%s\n" % (os.path.basename(report), f.read()))
    if reports and code == 0:
        code = 1  # a report from a child that exited 0 still fails the run
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
