"""The numbers two JSON documents hold at the same place (e.g. two cachemiss.json), paired.

A value's place is its "/"-joined path of keys; records in a list are keyed by their
name-like field ("name", "config", "benchmark", "function", "event") when they have one,
so a reordered list still pairs by record.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NumberDelta:
    path: str                 # "/"-joined keys into the JSON document
    base: float
    head: float

    @property
    def change(self) -> float | None:
        return None if self.base == 0 else self.head / self.base - 1.0


def _numeric_leaves(doc, prefix: str = "") -> dict[str, float]:
    leaves: dict[str, float] = {}
    if isinstance(doc, bool):
        return leaves
    if isinstance(doc, (int, float)):
        leaves[prefix] = float(doc)
    elif isinstance(doc, dict):
        for key, value in doc.items():
            leaves.update(_numeric_leaves(value, f"{prefix}/{key}" if prefix else str(key)))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            # Lists of records are keyed by their name-like field when they have one.
            label = index
            if isinstance(value, dict):
                label = next((value[k] for k in ("name", "config", "benchmark", "function",
                                                  "event") if isinstance(value.get(k), str)),
                             index)
            leaves.update(_numeric_leaves(value, f"{prefix}/{label}" if prefix else str(label)))
    return leaves


def number_deltas(base_doc, head_doc) -> list[NumberDelta]:
    """Every numeric value found at the same place in both JSON documents (e.g. two
    cachemiss.json), in document order; equal values are kept so a table can say so."""
    base, head = _numeric_leaves(base_doc), _numeric_leaves(head_doc)
    return [NumberDelta(path, base[path], head[path]) for path in base if path in head]
