"""`<store>/calibration.json`, written by `mapbench calibrate`, read by compare and bench.

compare takes its default minimum effect from it; bench says when the machine needs more
rounds than it is about to run. A missing, unreadable or malformed file means "no
calibration": the defaults hold, and nothing here raises.
"""
from __future__ import annotations

import json
from pathlib import Path

from mapbench.analysis.stats import compare
from mapbench.benchmarks.store import run_folder

CALIBRATION_FILE = run_folder.CALIBRATION     # in the store root


def read_calibration(root: Path) -> dict | None:
    path = Path(root) / CALIBRATION_FILE
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


def calibrated_on(root: Path) -> str | None:
    """The machine id calibration.json was measured on (None: not recorded, or no file)."""
    doc = read_calibration(root) or {}
    machine = doc.get("machine")
    return machine.get("id") if isinstance(machine, dict) and isinstance(machine.get("id"), str) else None


def default_min_effect(root: Path, statistic: str = compare.DEFAULT_STATISTIC,
                       machine: str | None = None) -> float:
    """The minimum effect, as a fraction: what calibrate measured with the same statistic
    on a quiet machine (on `machine`, when both it and the file say), else the default."""
    doc = read_calibration(root)
    on = calibrated_on(root)
    if machine is not None and on is not None and on != machine:
        return compare.DEFAULT_MIN_EFFECT       # another machine's noise is not this one's
    try:
        pct = float(doc["suggested_min_effect_pct"])
        # A calibration timed on a busy machine measured the other load, not this one.
        if pct > 0 and not doc.get("busy_runs") and doc.get("statistic", "median") == statistic:
            return pct / 100.0
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    return compare.DEFAULT_MIN_EFFECT


def machine_noise_note(root: Path, machine: str | None = None) -> str:
    """One sentence on this machine's timing noise, from the store's calibration (what
    `mapbench calibrate` measured here), or what to run when the store has none (or
    when it was measured on another machine than `machine`, where both say)."""
    on = calibrated_on(root)
    if machine is not None and on is not None and on != machine:
        return (f"this store's calibration was measured on machine {on}, not {machine}: "
                f"`mapbench calibrate` there measures this machine's noise")
    doc = read_calibration(root)
    try:
        noise = doc["process_noise"]
        quiet, processes = int(noise["quiet_processes"]), int(noise["processes"])
        sd = noise.get("quiet_level_sd_pct")
    except (ValueError, KeyError, TypeError, AttributeError):
        return ("this store has no calibration of this machine's noise: `mapbench calibrate` "
                "measures it")
    if processes <= 0:
        return "this store's calibration timed no worker process"
    text = (f"this store's calibration ({Path(root) / CALIBRATION_FILE}): {quiet} of "
            f"{processes} worker processes had quiet values")
    if isinstance(sd, (int, float)):
        text += f", and the quiet levels varied by {sd:.1f}% (sd)"
    return text


def rounds_note(root: Path, mode: str, rounds: int) -> str | None:
    """A line for `mapbench bench` when the store's calibration, in the same mode,
    estimated that a 10% check needs more rounds than `rounds`; else None."""
    doc = read_calibration(root)
    try:
        needed = int(doc["process_noise"]["rounds_needed_estimate"])
        if doc.get("mode") != mode or doc.get("busy_runs") or needed <= rounds:
            return None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return (f"note: the last `mapbench calibrate` on this store ({Path(root) / CALIBRATION_FILE}) "
            f"estimated about {needed} rounds for a 10% slowdown to be flagged on every "
            f"benchmark it timed on this machine; this run has {rounds}, enough for larger "
            f"changes only (`--rounds {needed}` on both runs of a comparison for 10%)")
