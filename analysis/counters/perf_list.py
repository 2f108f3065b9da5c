"""What `perf list` offers, and which of it counts cache misses at each level.

    offered(perf list text) -> {event name: kind}
    level_events(offered, ["L1d", "L2", "L3"]) -> {level: event name}

`perf list` (perf 6.1, with or without --no-desc) prints one event per line,
`  NAME [OR ALIAS]   [Kind]` for perf's generic events (Hardware event, Hardware cache
event, Software event, Kernel PMU event, ...), and the CPU's own events from perf's
tables under a topic line (`cache:`, `memory:`), `  name` with an optional description on
the lines after it in brackets. From `Metric Groups:` on come metrics (`perf stat -M`),
not events: they are left out. Tracepoints and raw descriptors are left out.

Which event stands for a level, per this machine's list, never a vendor's name written
here:
  L1d         perf's generic `L1-dcache-load-misses` (a Hardware cache event);
  the machine's last level
              perf's generic `LLC-load-misses`, else the generic `cache-misses` (a
              Hardware event, which perf maps to last-level misses on most CPUs);
  a level between them (L2 of a machine with an L3)
              the CPU's own event: of the offered names that begin with that level's
              name (`l2`) and contain "miss", the shortest (the most general one, e.g. an
              `l2_*.miss` rather than one qualified by request type).
A level with none of these is left out: the caller says so. Pure: text in, names out.
"""
from __future__ import annotations

import re

_KIND = re.compile(r"^\s+(?P<names>\S.*?)\s+\[(?P<kind>[^\]]+)\]\s*$")
_TOPIC = re.compile(r"^(?P<topic>[A-Za-z0-9_ .-]+):\s*$")
_NAME = re.compile(r"^\s+(?P<name>[A-Za-z0-9_.\-]+)\s*$")
SKIPPED_KINDS = ("Tracepoint event", "Raw hardware event descriptor", "Hardware breakpoint",
                 "Tool event")
L1D_EVENT = "L1-dcache-load-misses"
LAST_LEVEL_EVENTS = ("LLC-load-misses", "cache-misses")


def offered(text: str) -> dict[str, str]:
    """{event name: kind} of a `perf list` output (aliases joined by OR each get a row)."""
    out: dict[str, str] = {}
    topic = None
    for line in text.splitlines():
        if line.strip() == "Metric Groups:":
            break
        match = _KIND.match(line)
        if match:
            if match["kind"] not in SKIPPED_KINDS:
                for name in match["names"].split(" OR "):
                    out[name.strip()] = match["kind"]
            continue
        match = _TOPIC.match(line)
        if match:
            topic = match["topic"]
            continue
        match = _NAME.match(line)
        if match and topic is not None:
            out[match["name"]] = f"{topic} event"
    return out


def level_events(events: dict[str, str], levels: list[str]) -> dict[str, str]:
    """{level name: the event counting its misses}, for the levels this list has one for.
    `levels` is the machine's levels in order, L1d first; the last one is the last level."""
    chosen = {}
    for index, level in enumerate(levels):
        if level.lower().startswith("l1"):
            if L1D_EVENT in events:
                chosen[level] = L1D_EVENT
        elif index == len(levels) - 1:
            found = next((e for e in LAST_LEVEL_EVENTS if e in events), None)
            if found:
                chosen[level] = found
        else:
            prefix = level.lower()
            own = sorted((name for name in events
                          if name.lower().startswith(prefix) and "miss" in name.lower()),
                         key=lambda name: (len(name), name))
            if own:
                chosen[level] = own[0]
    return chosen
