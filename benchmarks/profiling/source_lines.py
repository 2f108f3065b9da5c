"""Module-relative addresses of the native module to source lines, with one batched addr2line
per module, and perf captures to pprof profiles that carry those lines.

`addr2line -a -f -i -e MODULE ADDR...` prints, per address, the address, then pairs of
(function, file:line) from the innermost inlined function out to the function it was
inlined into; `resolve` turns that into {(module, address): (SourceLine, ...)}, the shape
mapbench.analysis.stacks.perf_samples takes. File names under the checkout (the build's
comp_dir) become repository-relative (`native/src/classic/iter.c`), the names the count
pass's per-line data uses, so a perf profile and a count profile of one commit name the
same files, and two commits' profiles diff line for line.

Only modules whose file name matches NATIVE_MODULE are resolved: the cffi extension,
built with -g. A module without debug information resolves to `??:0`, which is left out
(its frames keep perf's symbol); `no_line_info` says so in one line.
"""
from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

from mapbench.analysis.stacks.perf_samples import parse_perf_samples, perf_line_profile, wanted_addresses
from mapbench.analysis.stacks.pprof_lines import SourceLine, start_lines
from mapbench.benchmarks.profiling.collectors import find_tool

NATIVE_MODULE = re.compile(r"(^|/)_mapbench_native[^/]*\.so$")
SOURCE_MARK = "native/src/"          # where the native sources sit in the repository
_BATCH = 4000                        # addresses per addr2line call (argument list limits)


def repository_root() -> Path:
    """The checkout the native module was built from (the parent of native/)."""
    from mapbench import native
    return Path(native.__file__).resolve().parent.parent


def relative_source(path: str, root: Path | None) -> str:
    """`path` relative to the checkout when it is under it (or has native/src/ in it)."""
    if root is not None:
        prefix = str(root).rstrip("/") + "/"
        if path.startswith(prefix):
            return path[len(prefix):]
    at = path.rfind("/" + SOURCE_MARK)
    return path[at + 1:] if at >= 0 else path


def parse_addr2line(text: str, root: Path | None) -> dict[int, tuple[SourceLine, ...]]:
    """{address: lines} from `addr2line -a -f -i` output; addresses with no line info left out."""
    out: dict[int, tuple[SourceLine, ...]] = {}
    address, lines = None, []
    rows = text.splitlines()

    def flush():
        if address is not None and lines:
            out[address] = tuple(lines)

    i = 0
    while i < len(rows):
        row = rows[i].strip()
        if row.startswith("0x"):
            flush()
            address, lines = int(row, 16), []
            i += 1
            continue
        if i + 1 >= len(rows):
            break
        function, place = row, rows[i + 1].strip()
        i += 2
        file, _, number = place.rpartition(":")
        number = number.split(" ", 1)[0]          # `12 (discriminator 3)`
        if file in ("", "??") or not number.isdigit() or int(number) == 0:
            continue
        name = function if function != "??" else "[unknown]"
        lines.append(SourceLine(name, relative_source(file, root), int(number)))
    flush()
    return out


def resolve(wanted: Mapping[str, list[int]], *, root: Path | None = None,
            addr2line: str = "addr2line") -> tuple[dict[tuple[str, int], tuple[SourceLine, ...]], list[str]]:
    """(resolved lines, messages): one addr2line per module (in batches); messages say what failed."""
    tool = find_tool(addr2line)
    if tool is None:
        return {}, [f"{addr2line} not found (install binutils): perf profiles without source lines"]
    resolved: dict[tuple[str, int], tuple[SourceLine, ...]] = {}
    messages = []
    for module, addresses in wanted.items():
        if not Path(module).is_file():
            messages.append(f"{module} is not here any more: its frames have no source lines")
            continue
        found = 0
        for start in range(0, len(addresses), _BATCH):
            batch = addresses[start:start + _BATCH]
            done = subprocess.run([tool, "-a", "-f", "-i", "-e", module, *(hex(a) for a in batch)],
                                  capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                messages.append(f"addr2line failed on {module}: {done.stderr.strip().splitlines()[-1:]}")
                break
            for address, lines in parse_addr2line(done.stdout, root).items():
                resolved[(module, address)] = lines
                found += 1
        if addresses and not found:
            messages.append(f"{module} has no line information (built without -g?): "
                            "its frames have no source lines")
    return resolved, messages


def with_start_lines(resolved: dict, root: Path | None) -> dict:
    """`resolved` with each function's start line, read from the sources under `root`."""
    every = [line for lines in resolved.values() for line in lines]
    sources = {}
    for file in {line.file for line in every}:
        path = (root / file) if root is not None and not file.startswith("/") else Path(file)
        try:
            sources[file] = path.read_text(errors="replace")
        except OSError:
            pass
    starts = start_lines(every, sources)
    return {key: tuple(SourceLine(l.function, l.file, l.line, starts.get((l.function, l.file), 0)) for l in lines)
            for key, lines in resolved.items()}


def perf_profile_with_lines(script: bytes, pid: int | None, *, period_ns: int | None, source: str,
                            root: Path | None = None) -> tuple[bytes | None, list[str]]:
    """(gzipped profile.proto of a perf capture with source lines, messages); None when it had no samples."""
    samples, event = parse_perf_samples(script, pid)
    if not samples:
        return None, []
    root = root if root is not None else repository_root()
    modules = {frame.module for s in samples for frame in s.frames if NATIVE_MODULE.search(frame.module)}
    resolved, messages = resolve(wanted_addresses(samples, modules), root=root)
    resolved = with_start_lines(resolved, root)
    comments = [f"source: {source}",
                f"event: {event}; source lines of {', '.join(sorted(modules)) or 'no native module'} "
                "from addr2line (caller frames at their call instruction)"]
    profile = perf_line_profile(samples, resolved, period_ns=period_ns, comments=comments,
                                main_module=min(modules) if modules else None)
    return profile, messages


def write_perf_pprof(out: Path, name: str, perf_script_gz: Path, pid: int | None, *, period_ns: int | None,
                     source: str) -> list[str]:
    """Write `out`/pprof/`name`.pb.gz from a kept perf script capture, with source lines;
    returns one-line messages (nothing written when the capture has no samples)."""
    import gzip

    from mapbench.analysis.atomic import write_atomic
    try:
        script = gzip.decompress(Path(perf_script_gz).read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return [f"perf script text for {name} unreadable ({exc}): its pprof has no source lines"]
    profile, messages = perf_profile_with_lines(script, pid, period_ns=period_ns, source=source)
    if profile is not None:
        write_atomic(Path(out) / "pprof" / f"{name}.pb.gz", profile)
    return messages

