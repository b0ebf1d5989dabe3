"""The song keeps the hum's speed in every style: tempo x1, x2 or x1/2 exactly, the melody written to match."""
import math

import pytest

from humitout.agents.compose import compose_arrangement
from humitout.agents.rules import ComposeSession
from humitout.models import Style, TimeSignature
from humitout.music.arrangement import quantise_melody

TUNE = [(60, 0, 1), (62, 1, 0.5), (64, 1.5, 0.5), (65, 2, 2), (67, 4, 1), (65, 5, 1), (64, 6, 2),
        (62, 8, 1), (64, 9, 1), (60, 10, 2), (59, 12, 1), (62, 13, 1), (60, 14, 2)]


@pytest.mark.parametrize("hum_bpm", [64.0, 72.0, 100.0, 152.0])
@pytest.mark.parametrize("style", list(Style))
def test_every_style_keeps_the_melody_speed(make_hum, style, hum_bpm):
    analysis = make_hum(TUNE, tempo_bpm=hum_bpm)
    arrangement = compose_arrangement(analysis, style)
    ratio = arrangement.tempo_bpm / hum_bpm
    whole = min((1.0, 2.0, 0.5), key=lambda r: abs(r - ratio))
    assert math.isclose(ratio, whole, rel_tol=1e-6)
    verse = arrangement.melody_offset_beats
    written = [(n.start_beat - verse, n.duration_beats, n.pitch) for n in arrangement.part("melody").notes]
    expected = [(n.start_beat, n.duration_beats, n.pitch) for n in quantise_melody(analysis, whole)]
    assert written[:len(expected)] == expected
    # a sung second is a song second: the melody's span lasts as long as in the hum
    hum_span = analysis.notes[-1].onset_s - analysis.notes[0].onset_s
    song_span = (expected[-1][0] - expected[0][0]) * 60.0 / arrangement.tempo_bpm
    assert song_span == pytest.approx(hum_span, rel=0.02)


def test_a_style_range_picks_double_or_half_time_but_never_a_third_tempo(make_hum):
    session = ComposeSession(analysis=make_hum(TUNE, tempo_bpm=72.0), requested_style=Style.ROCK)
    assert session.song_tempo(130.0) == 144.0          # rock's range would clamp to 130: the hum doubled instead
    assert session.beat_ratio(130.0) == 2.0


def test_a_waltz_is_never_halved(make_hum):
    waltz = make_hum(TUNE, tempo_bpm=200.0).model_copy(update={"time_signature": TimeSignature(numerator=3)})
    assert ComposeSession(analysis=waltz, requested_style=None).ratios == (1.0, 2.0)


@pytest.mark.parametrize("style", list(Style))
def test_a_tempo_the_caller_asks_for_sets_half_or_double_time_in_every_style_and_the_melody_keeps_its_speed(
        make_hum, style):
    analysis = make_hum(TUNE, tempo_bpm=100.0)
    chosen = compose_arrangement(analysis, style)
    assert chosen.beat_ratio == 1.0 and chosen.asked_tempo_bpm is None   # 100 BPM suits every style as hummed
    for factor in (0.5, 2.0):
        asked = chosen.tempo_bpm * factor
        song = compose_arrangement(analysis, style, asked_tempo_bpm=asked)
        assert song.tempo_bpm == pytest.approx(asked) and song.asked_tempo_bpm == asked
        assert song.beat_ratio == pytest.approx(chosen.beat_ratio * factor)
        written = [(n.start_beat - song.melody_offset_beats, n.duration_beats) for n in song.part("melody").notes]
        expected = [(n.start_beat, n.duration_beats) for n in quantise_melody(analysis, song.beat_ratio)]
        assert written[:len(expected)] == expected
        # a sung second is a song second at either tempo: the melody spans half or twice the beats
        hum_span = analysis.notes[-1].onset_s - analysis.notes[0].onset_s
        assert (expected[-1][0] - expected[0][0]) * 60.0 / song.tempo_bpm == pytest.approx(hum_span, rel=0.02)
