"""The grid diagnostic's counts (``tests/bench/grid_diag.py``): tracked beats against the reference
beats, an inserted beat, a dropped beat, a stretch half a beat off and another beat level."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import grid_diag as diag  # noqa: E402

REF = 1.0 + 0.5 * np.arange(24)     # 120 BPM, 24 beats


def test_the_reference_beats_themselves_are_no_error():
    assert diag.grid_errors(REF.copy(), REF) == {"level": 1.0, "ins": 0, "drop": 0, "off": 0}


def test_a_beat_inserted_and_a_beat_dropped_are_counted_once_each():
    tracked = np.sort(np.r_[np.delete(REF, 15), REF[5] + 0.25])
    e = diag.grid_errors(tracked, REF)
    assert (e["ins"], e["drop"], e["off"]) == (1, 1, 0)


def test_a_stretch_half_a_beat_off_counts_its_beats_and_the_eighths_are_another_level():
    tracked = np.r_[REF[:10], REF[10:] + 0.25]
    assert diag.grid_errors(tracked, REF)["off"] == 13     # beats 10..22 (the last one leaves the span)
    eighths = 1.0 + 0.25 * np.arange(47)
    assert diag.grid_errors(eighths, REF)["level"] == 0.5
