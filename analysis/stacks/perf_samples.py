"""`perf script` text (its default fields) to samples whose frames keep their address and module,
and those samples, with their addresses resolved to source lines, to a pprof profile.

perf script prints each frame as `ADDR SYMBOL+0xOFF (MODULE)`; for a shared object the
address is module-relative (the file's own virtual address), which is what
`addr2line -e MODULE` takes. The caller of this module resolves the addresses (it may
run addr2line; this module runs nothing) and passes `resolved`:
    {(module, address): (SourceLine, ...)}   innermost inlined function first
for the frames it could resolve; other frames keep perf's symbol name and no file.

Only the first event type seen is kept, and, with `pid`, only that process's samples,
as mapbench.analysis.stacks.fold_perf keeps them for the folded stacks.
A leaf frame's address is the instruction sampled; a caller's is a return address, so
`lookup_address` gives address - 1 for callers: the call instruction's line, not the next.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mapbench.analysis.stacks.fold_perf import parse_event_header, parse_event_name, parse_stack_line
from mapbench.analysis.stacks.pprof_lines import Frame, Sample, SourceLine, build_line_profile


@dataclass(frozen=True)
class PerfFrame:
    address: int
    symbol: str          # perf's name without +0xOFF ("[unknown]" where perf had none)
    module: str          # the DSO path, "[kernel.kallsyms]", or "[unknown]"


@dataclass(frozen=True)
class PerfSample:
    frames: tuple[PerfFrame, ...]      # leaf first
    period: int


def _symbol(raw: bytes) -> str:
    at = raw.rfind(b"+0x")
    if at > 0:
        raw = raw[:at]
    return raw.decode("utf-8", "replace")


def parse_perf_samples(text: bytes, pid: int | None = None) -> tuple[list[PerfSample], str | None]:
    """(the samples, the event kept) of perf script text; see the module docstring."""
    samples: list[PerfSample] = []
    event_kept: bytes | None = None
    frames: list[PerfFrame] | None = None
    period = 1
    for line in text.splitlines() + [b""]:
        if not line.strip():
            if frames is not None:
                samples.append(PerfSample(tuple(frames), period))
            frames = None
            continue
        if line[:1] in (b" ", b"\t"):
            if frames is None:
                continue
            parsed = parse_stack_line(line)
            if parsed is None:
                continue
            pc, raw, module = parsed
            try:
                address = int(pc, 16)
            except ValueError:
                continue
            frames.append(PerfFrame(address, _symbol(raw.strip()), module.decode("utf-8", "replace")))
            continue
        header = parse_event_header(line)
        name = parse_event_name(line)
        frames = None
        if header is None or name is None:
            continue
        _, sample_pid, _ = header
        sample_period, event = name
        if event_kept is None:
            event_kept = event
        if event != event_kept or (pid is not None and int(sample_pid) != pid):
            continue
        frames = []
        period = int(sample_period) if sample_period else 1
    return samples, event_kept.decode("utf-8", "replace") if event_kept else None


def lookup_address(frame_index: int, address: int) -> int:
    """The address to resolve for the frame at `frame_index` (0: the leaf)."""
    return address if frame_index == 0 or address == 0 else address - 1


def wanted_addresses(samples: Iterable[PerfSample], modules: Iterable[str]) -> dict[str, list[int]]:
    """{module: sorted distinct lookup addresses} of the frames in `modules`: what to resolve."""
    keep = set(modules)
    out: dict[str, set[int]] = {}
    for sample in samples:
        for index, frame in enumerate(sample.frames):
            if frame.module in keep:
                out.setdefault(frame.module, set()).add(lookup_address(index, frame.address))
    return {module: sorted(addresses) for module, addresses in out.items()}


def perf_line_profile(samples: Iterable[PerfSample], resolved: Mapping[tuple[str, int], tuple[SourceLine, ...]],
                      *, period_ns: int | None = None, comments: Iterable[str] = (),
                      main_module: str | None = None) -> bytes:
    """Gzipped profile.proto: samples/count (and cpu/nanoseconds given the period), each
    frame a Location with its address, module mapping and, where `resolved` has it,
    its source lines (innermost first)."""
    out = []
    for sample in samples:
        frames = []
        for index, frame in enumerate(sample.frames):
            lines = resolved.get((frame.module, lookup_address(index, frame.address)))
            if not lines:
                lines = (SourceLine(frame.symbol if frame.symbol != "[unknown]" else
                                    f"[{frame.module.rsplit('/', 1)[-1]}]"),)
            frames.append(Frame(frame.module, frame.address, tuple(lines)))
        values = (1, period_ns) if period_ns else (1,)
        out.append(Sample(tuple(frames), values))
    types = [("samples", "count")] + ([("cpu", "nanoseconds")] if period_ns else [])
    return build_line_profile(out, types, period=("cpu", "nanoseconds", period_ns) if period_ns else None,
                              default_sample_type="cpu" if period_ns else "samples", comments=tuple(comments),
                              main_module=main_module)
