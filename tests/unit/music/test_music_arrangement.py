import pytest

from humitout.models import Arrangement, Style
from humitout.music.arrangement import Form, build_arrangement, default_form, melody_bars, quantise_melody
from humitout.music.harmony import harmonise
from humitout.music.styles import adjust_tempo, profile

C_MAJOR_TUNE = [(60, 0, 1), (64, 1, 1), (67, 2, 2), (65, 4, 1), (69, 5, 1), (72, 6, 2),
                (67, 8, 1), (71, 9, 1), (74, 10, 2), (72, 12, 4)]


def test_quantise_to_16th_grid_in_beats(make_hum):
    melody = quantise_melody(make_hum(C_MAJOR_TUNE))
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in melody] == \
        [(p, float(s), float(d)) for p, s, d in C_MAJOR_TUNE]


def test_quantise_scales_beats_when_tempo_doubles(make_hum):
    melody = quantise_melody(make_hum(C_MAJOR_TUNE), beat_ratio=2.0)
    assert melody[1].start_beat == 2.0 and melody_bars(melody) == 8


def test_short_hum_gets_a_repeat_and_long_one_does_not():
    assert default_form(4).repeat_verse and not default_form(8).repeat_verse


@pytest.mark.parametrize("style", list(Style))
def test_every_style_builds_a_valid_full_arrangement(style, make_hum):
    analysis = make_hum(C_MAJOR_TUNE)
    tempo, ratio = adjust_tempo(analysis.tempo_bpm, style)
    melody = quantise_melody(analysis, ratio)
    bars = melody_bars(melody)
    form = default_form(bars)
    arrangement = build_arrangement(
        analysis, style=style, tempo_bpm=tempo, key=analysis.key, melody=melody,
        verse_chords=harmonise(melody, bars, 0, "major", profile(style)), form=form, rationale=[])
    Arrangement.model_validate_json(arrangement.model_dump_json())
    assert [p.name for p in arrangement.parts] == ["drums", "bass", "chords", "pad", "melody"]
    assert all(p.notes for p in arrangement.parts)
    assert [s.name for s in arrangement.sections] == ["intro", "verse", "repeat", "ending"]
    total_beats = arrangement.total_bars * 4
    for part in arrangement.parts:
        assert all(n.start_beat + n.duration_beats <= total_beats + 1e-9 for n in part.notes), part.name
    assert arrangement.chords[-1].roman.upper().startswith("I")
    assert arrangement.chords[-1].start_beat == (arrangement.total_bars - 1) * 4
    assert all(c.pitches for c in arrangement.chords)
    assert arrangement.melody_offset_beats == 8.0
    assert arrangement.lyrics == "la di da"


def test_form_without_intro_or_repeat():
    form = Form(intro_bars=0, verse_bars=9, repeat_verse=False, ending_bars=2)
    assert [(s.name, s.start_bar, s.bars) for s in form.sections()] == [("verse", 0, 9), ("ending", 9, 2)]
    assert form.total_bars == 11
