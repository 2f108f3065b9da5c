"""valgrind --tool=cachegrind --cache-sim=yes on a shortened workload: simulated cache misses.

The fallback where hardware counters are not available. The simulated geometry is stated in
every number's source. Default model: this machine's L1i, L1d, and its L2 as the simulated
last level ("LL"); its 300 MiB L3 would never miss at the profiled sizes, and valgrind
simulates only two levels. `--cache-model D1=size,assoc,line:LL=size,assoc,line` picks
another. valgrind needs a power-of-two number of sets: a geometry without one is simulated
as the nearest geometry valgrind accepts (one rule for every simulation here:
analysis/counters/cache_levels.py nearest_valgrind_geometry; the note says so).

Set-up is excluded by counting only the kernel's own functions (each family's
`kernel_functions` in benchmarks/catalog/families.py): the map is built by `fill` (mapassign,
hash64, evacuate), which the iterate kernel never calls.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from mapbench.analysis.counters import cache_levels, cachemiss
from mapbench.analysis.counters import cachegrind_out
from mapbench.analysis.counters.cachegrind_out import CacheGeometry
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.catalog import families
from mapbench.benchmarks.profiling.collectors import (Capture, find_tool, last_line, run_tool,
                                                      table_lines_per_element, workload_args,
                                                      workload_report)

TOOL = "cachegrind"
SYS_CACHE = Path("/sys/devices/system/cpu/cpu0/cache")

def _read_sys(index: Path) -> tuple[int, str, CacheGeometry] | None:
    try:
        level = int((index / "level").read_text())
        kind = (index / "type").read_text().strip()
        size_text = (index / "size").read_text().strip()
        assoc = int((index / "ways_of_associativity").read_text())
        line = int((index / "coherency_line_size").read_text())
    except (OSError, ValueError):
        return None
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(size_text[-1:], 1)
    size = int(size_text.rstrip("KMG")) * scale
    return level, kind, CacheGeometry(size, line, assoc)


def machine_model(sys_cache: Path = SYS_CACHE) -> dict[str, CacheGeometry]:
    """I1, D1 and LL (= this machine's L2) from sysfs; {} when sysfs does not say."""
    model = {}
    for index in sorted(sys_cache.glob("index*")):
        found = _read_sys(index)
        if not found:
            continue
        level, kind, geometry = found
        if level == 1 and kind == "Instruction":
            model["I1"] = geometry
        elif level == 1 and kind in ("Data", "Unified"):
            model["D1"] = geometry
        elif level == 2:
            model["LL"] = geometry
    return model


def parse_model(spec: str) -> dict[str, CacheGeometry]:
    """`D1=49152,12,64:LL=2097152,16,64` (size bytes, associativity, line bytes; I1 optional)."""
    model = {}
    for part in filter(None, spec.split(":")):
        match = re.fullmatch(r"(I1|D1|LL)=(\d+)([KM]?),(\d+),(\d+)", part.strip())
        if not match:
            raise InputError(f"--cache-model: {part!r} is not NAME=size,assoc,line (NAME: I1, D1, LL)")
        name, size, unit, assoc, line = match.groups()
        model[name] = CacheGeometry(int(size) * {"": 1, "K": 1 << 10, "M": 1 << 20}[unit], int(line), int(assoc))
    if not model:
        raise InputError("--cache-model: empty model")
    return model


def valgrind_geometry(geometry: CacheGeometry) -> tuple[CacheGeometry, str]:
    """The geometry valgrind accepts nearest to `geometry`, and a note if it differs
    (cache_levels.nearest_valgrind_geometry: the level sweep uses the same rule)."""
    return cache_levels.nearest_valgrind_geometry(geometry)


def model_options(model: dict[str, CacheGeometry]) -> tuple[list[str], list[str]]:
    """valgrind --I1/--D1/--LL options and the notes about rounded geometries."""
    options, notes = [], []
    for name in ("I1", "D1", "LL"):
        if name in model:
            geometry, note = valgrind_geometry(model[name])
            options.append(f"--{name}={geometry.size},{geometry.assoc},{geometry.line}")
            if note:
                notes.append(f"{name}: {note}")
    return options, notes


def available(binary: str = "valgrind") -> str | None:
    path = find_tool(binary)
    if path is None:
        return f"{binary} not found (install valgrind)"
    try:
        done = subprocess.run([path, "--version"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{binary} does not run ({exc})"
    return None if done.returncode == 0 else f"{binary} --version failed: {last_line(done.stderr)}"


def simulate(config: dict, out_dir: Path, name: str, *, loops: int = 2, model: dict | None = None,
             tool: str = "cachegrind", binary: str = "valgrind", timeout: float = 600,
             extra: list[str] | None = None) -> Capture:
    """Run the workload (`--loops loops`) under valgrind's cache simulator; data = the parsed profile."""
    why = available(binary)
    if why:
        return Capture(tool, False, message=f"{tool}: {why}; no simulated cache misses for {name}")
    model = machine_model() if model is None else model
    options, notes = model_options(model)
    raw = Path(out_dir) / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    out = raw / f"{name}.{tool}.out"
    cmd = [find_tool(binary), f"--tool={tool}", "--cache-sim=yes", *options, *(extra or []),
           f"--{tool}-out-file={out}", "--", *workload_args(config, ["--loops", str(loops)])]
    try:
        done = run_tool(cmd, timeout)
    except subprocess.TimeoutExpired:
        return Capture(tool, False, message=f"{tool} timed out after {timeout:.0f} s for {name}")
    if done.returncode != 0 or not out.is_file():
        return Capture(tool, False, message=f"{tool} failed for {name}: {last_line(done.stderr)}")
    profile = cachegrind_out.parse_cachegrind(out.read_text(errors="replace"))
    source = profile.source() + (f" [{'; '.join(notes)}]" if notes else "")
    return Capture(tool, True, source=source, files={tool: out}, workload=workload_report(done.stdout),
                   data=profile, message="; ".join(notes))


def kernel_functions(profile: cachegrind_out.CachegrindProfile, op: str) -> list[str]:
    """The functions of the profile that belong to `op`'s timed kernel."""
    family = families.of_kernel(op)
    pattern = re.compile(family.kernel_functions if family and family.kernel_functions else r"^kernel_")
    return sorted(f for f, costs in profile.self_costs.items() if pattern.search(f) and any(costs))


def map_functions(profile: cachegrind_out.CachegrindProfile) -> list[str]:
    """Functions of the map's own C code (its source files, or the cffi wrappers)."""
    return sorted(f for f, path in profile.files.items()
                  if "/native/src/" in path or "native/src/" in path or f.startswith("_cffi_f_"))


def summarize(capture: Capture, config: dict) -> dict:
    """The per-element cachemiss config for a successful capture: kernel functions only."""
    profile = capture.data
    report = capture.workload or {}
    elements = report.get("elements") or 0
    if elements <= 0:
        raise InputError(f"the workload under {capture.tool} reported no elements")
    functions = kernel_functions(profile, config.get("op", "iterate"))
    method = (f"self costs of the kernel's functions only ({', '.join(functions) or 'none found'}; "
              "map set-up excluded), {loops} loop(s) of {n} entries".format(loops=report.get("loops"),
                                                                            n=report.get("n")))
    summary = cachemiss.config_from_cachegrind(dict(config), profile, elements, functions=functions or None,
                                               method=method, attribution_functions=map_functions(profile))
    summary["source_detail"] = capture.source
    line = profile.caches["D1"].line if "D1" in profile.caches else 64
    summary["metrics"]["table_lines_per_element"] = table_lines_per_element(report, line)
    return summary
