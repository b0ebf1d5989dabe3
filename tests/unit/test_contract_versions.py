"""Version 1 documents (before downbeats, pickup and the time map) are still read; others are refused."""
import pytest
from pydantic import ValidationError

from humitout.models import ANALYSIS_SCHEMA_VERSION, Analysis, TimeSignature
from humitout.music.arrangement import hum_grid, quantise_melody


def test_a_version_1_analysis_is_read_with_defaults_and_still_placed_in_bars(make_hum):
    doc = make_hum([(60, 0, 1), (62, 1, 1), (64, 2, 2), (65, 4, 1), (67, 5, 3)]).model_dump()
    for field in ("downbeats_s", "pickup_beats", "beat_confidence", "downbeat_confidence"):
        doc.pop(field)
    doc["schema_version"] = "1"
    analysis = Analysis.model_validate(doc)
    assert analysis.downbeats_s == [] and analysis.pickup_beats == 0.0
    assert hum_grid(analysis).beats_per_bar == 4 and quantise_melody(analysis)


def test_an_unknown_version_is_refused(make_hum):
    doc = make_hum([(60, 0, 1), (62, 1, 1), (64, 2, 2)]).model_dump()
    doc["schema_version"] = "3"
    with pytest.raises(ValidationError):
        Analysis.model_validate(doc)
    assert ANALYSIS_SCHEMA_VERSION == "2"


def test_six_eight_has_two_dotted_quarter_beats():
    six_eight = TimeSignature(numerator=6, denominator=8)
    assert (six_eight.compound, six_eight.beats_per_bar, six_eight.quarters_per_beat) == (True, 2, 1.5)
    assert not TimeSignature(numerator=3, denominator=8).compound
