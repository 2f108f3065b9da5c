"""Folded stacks -> speedscope's JSON file format, one sampled profile per configuration.

The format is speedscope's own (https://www.speedscope.app/file-format-schema.json):

    {"$schema": SCHEMA, "shared": {"frames": [{"name": ...}, ...]},
     "profiles": [{"type": "sampled", "name", "unit", "startValue", "endValue",
                   "samples": [[frame index, ... root first], ...], "weights": [...]}],
     "name", "exporter", "activeProfileIndex"}

One sample per distinct folded stack, weighing its folded weight (samples: unit "none"),
so a profile's weights sum to the folded file's total and endValue is that total. Frames
are shared by every profile, each name once, in first-seen order. The empty stack (samples
with no frames) has no place in a sampled profile's stacks: it is left out and counted in
`left_out`. mapbench.analysis.stacks.fold_speedscope reads the file back into the same stacks.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

SCHEMA = "https://www.speedscope.app/file-format-schema.json"
EXPORTER = "mapbench export"


def document(profiles: Mapping[str, Mapping[str, int]], name: str = "mapbench") -> tuple[dict, int]:
    """(the speedscope document, weight of empty stacks left out); profiles: {config: stacks}."""
    frames: list[dict] = []
    index: dict[str, int] = {}
    out, left_out = [], 0
    for config, stacks in profiles.items():
        samples, weights = [], []
        for stack, weight in stacks.items():
            if not stack:
                left_out += weight
                continue
            ids = []
            for frame in stack.split(";"):
                if frame not in index:
                    index[frame] = len(frames)
                    frames.append({"name": frame})
                ids.append(index[frame])
            samples.append(ids)
            weights.append(weight)
        out.append({"type": "sampled", "name": config, "unit": "none", "startValue": 0,
                    "endValue": sum(weights), "samples": samples, "weights": weights})
    doc = {"$schema": SCHEMA, "shared": {"frames": frames}, "profiles": out, "name": name,
           "exporter": EXPORTER, "activeProfileIndex": 0}
    return doc, left_out


def render(profiles: Mapping[str, Mapping[str, int]], name: str = "mapbench") -> tuple[str, int]:
    doc, left_out = document(profiles, name)
    return json.dumps(doc, separators=(",", ":")) + "\n", left_out
