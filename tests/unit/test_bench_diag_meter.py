"""The meter diagnostic's split of the meter errors (``tests/bench/diag_meter.py``): errors on the wrong
quarter-note level belong to the beat level's choice, the others to the meter decision."""
import importlib.util
import sys
from pathlib import Path

import pytest

_BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(_BENCH))
_spec = importlib.util.spec_from_file_location("diag_meter", _BENCH / "diag_meter.py")
diag = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("diag_meter", diag)
_spec.loader.exec_module(diag)


@pytest.mark.parametrize("ref, est, quarter_ratio, kind", [
    ("2/4", "2/4", 2.0, None),              # the right meter class is no error, whatever the level
    ("2/4", "4/4", 1.02, "2/4-4/4"),        # the same quarter note, a bar twice as long
    ("2/4", "4/4", 2.0, "level"),           # the eighths taken for the beat: the level's error
    ("6/8", "2/4", 1.0, "duple-triple"),    # a jig read on its quarters as two beats a bar
    ("3/4", "6/8", 0.99, "3/4-6/8"),        # the 6/8 rewrite on the same bar lines
    ("4/4", "6/8", 1.5, "level"),           # a compound beat on a simple tune's quarters
    ("9/8", "6/8", 1.0, "other"),
])
def test_a_meter_error_is_put_to_the_level_only_when_the_quarter_note_is_wrong(ref, est, quarter_ratio, kind):
    assert diag.error_kind(ref, est, quarter_ratio) == kind


def test_compound_meters_count_their_beat_as_a_dotted_quarter():
    assert [diag.quarters_per_beat(m) for m in ("2/4", "3/4", "6/8", "9/8", "other")] == [1.0, 1.0, 1.5, 1.5, 1.0]
