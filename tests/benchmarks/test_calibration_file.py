"""benchmarks/calibration_file: what compare and bench take from calibration.json."""
import json

import pytest

from mapbench.analysis.stats import compare
from mapbench.benchmarks.store.calibration_file import (default_min_effect, read_calibration,
                                                        rounds_note)


def write(root, doc):
    (root / "calibration.json").write_text(json.dumps(doc))


def test_rounds_note_when_the_same_mode_needs_more_rounds(tmp_path):
    write(tmp_path, {"mode": "quick", "process_noise": {"rounds_needed_estimate": 20}})
    note = rounds_note(tmp_path, "quick", 6)
    assert "about 20 rounds" in note and "this run has 6" in note and "--rounds 20" in note
    assert rounds_note(tmp_path, "quick", 20) is None          # enough already
    assert rounds_note(tmp_path, "fast", 3) is None            # another mode's calibration


def test_no_note_from_a_busy_or_old_calibration(tmp_path):
    write(tmp_path, {"mode": "quick", "busy_runs": ["A1"],
                     "process_noise": {"rounds_needed_estimate": 20}})
    assert rounds_note(tmp_path, "quick", 6) is None
    write(tmp_path, {"mode": "quick", "suggested_min_effect_pct": 5})   # before the estimate
    assert rounds_note(tmp_path, "quick", 6) is None
    write(tmp_path, {"mode": "quick", "process_noise": None})
    assert rounds_note(tmp_path, "quick", 6) is None


@pytest.mark.parametrize("content", [b"", b"\xff\xfe garbage", b"[1, 2]", b'{"mode": "qu',
                                     b'{"process_noise": {"rounds_needed_estimate": "x"}}'])
def test_a_broken_file_is_no_calibration(tmp_path, content):
    (tmp_path / "calibration.json").write_bytes(content)
    assert rounds_note(tmp_path, "quick", 6) is None
    assert default_min_effect(tmp_path) == compare.DEFAULT_MIN_EFFECT
    if content in (b"", b"\xff\xfe garbage", b'{"mode": "qu', b"[1, 2]"):
        assert read_calibration(tmp_path) is None


def test_missing_file_is_no_calibration(tmp_path):
    assert read_calibration(tmp_path) is None and rounds_note(tmp_path, "quick", 6) is None
