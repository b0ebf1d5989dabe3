import pytest

from humitout.models import Style
from humitout.music.harmony import estimate_key, harmonise
from humitout.music.styles import profile
from humitout.music.theory import (
    chord_to_roman,
    close_voicing,
    diatonic_chord,
    parse_chord_symbol,
    roman_to_chord,
)

I_IV_V_I_IN_C = [(60, 64, 67), (65, 69, 72), (67, 71, 74), (72, 76, 79)]


def symbols(slots):
    return [s.chord.symbol for s in slots]


def test_arpeggiated_I_IV_V_I_in_C_gives_C_F_G_C(make_arpeggios, make_events):
    slots = harmonise(make_events(make_arpeggios(I_IV_V_I_IN_C)), 4, 0, "major", profile(Style.POP))
    assert symbols(slots) == ["C", "F", "G", "C"]
    assert [s.roman for s in slots] == ["I", "IV", "V", "I"]
    assert [s.start_beat for s in slots] == [0.0, 4.0, 8.0, 12.0]


def test_minor_key_i_iv_V_i(make_arpeggios, make_events):
    melody = make_events(make_arpeggios([(57, 60, 64), (62, 65, 69), (64, 68, 71), (69, 72, 76)]))
    slots = harmonise(melody, 4, 9, "minor", profile(Style.POP))
    assert symbols(slots) == ["Am", "Dm", "E", "Am"]
    assert [s.roman for s in slots] == ["i", "iv", "V", "i"]


def test_jazz_uses_sevenths(make_arpeggios, make_events):
    slots = harmonise(make_events(make_arpeggios(I_IV_V_I_IN_C)), 4, 0, "major", profile(Style.JAZZ))
    assert symbols(slots) == ["Cmaj7", "Fmaj7", "G7", "Cmaj7"]


def test_half_bar_change_when_the_melody_changes_harmony(make_events):
    melody = make_events([(60, 0, 1), (64, 1, 1), (65, 2, 1), (69, 3, 1), (67, 4, 1), (71, 5, 1), (72, 6, 2)])
    slots = harmonise(melody, 2, 0, "major", profile(Style.POP))
    assert symbols(slots) == ["C", "F", "G", "C"]
    assert [s.duration_beats for s in slots] == [2.0, 2.0, 2.0, 2.0]


@pytest.mark.parametrize("notes", [[], [(64, 0, 1)], [(62, 0, 2), (67, 2, 2)], [(60, 0, 1), (62, 1, 1), (59, 2, 2)]])
@pytest.mark.parametrize("style", list(Style))
def test_tiny_melodies_always_harmonise(notes, style, make_events):
    slots = harmonise(make_events(notes), 1, 0, "major", profile(style))
    assert slots and slots[0].start_beat == 0.0
    assert sum(s.duration_beats for s in slots) == 4.0


@pytest.mark.parametrize("style", list(Style))
def test_a_melody_ending_on_a_tonic_chord_tone_ends_on_the_tonic(style, make_events):
    slots = harmonise(make_events([(67, 0, 1), (65, 1, 1), (64, 2, 2)]), 1, 0, "major", profile(style))
    assert slots[-1].chord.root_pc == 0


def test_final_cadence_is_V_I_or_IV_I(make_events):
    melody = make_events([(64, 0, 2), (67, 2, 2), (69, 4, 2), (67, 6, 2), (65, 8, 2), (64, 10, 2),
                          (62, 12, 2), (60, 14, 2)])
    slots = harmonise(melody, 4, 0, "major", profile(Style.POP))
    assert slots[-1].roman == "I"
    assert slots[-2].roman in ("V", "V7", "IV")


def test_key_estimate_from_melody(make_arpeggios, make_events):
    assert estimate_key(make_events(make_arpeggios(I_IV_V_I_IN_C)))[:2] == (0, "major")


def test_theory_round_trips():
    assert roman_to_chord("V7/vi", 0, "major").symbol == "E7"
    assert roman_to_chord("bVII", 0, "major").symbol == "Bb"
    assert roman_to_chord("V", 9, "minor").symbol == "E"
    assert roman_to_chord("iiø7", 9, "minor").symbol == "Bm7b5"
    assert chord_to_roman(parse_chord_symbol("E7"), 0, "major") == "V7/vi"
    assert chord_to_roman(parse_chord_symbol("Dm7"), 0, "major") == "ii7"
    assert chord_to_roman(parse_chord_symbol("Bb"), 0, "major") == "bVII"
    assert diatonic_chord(0, "major", 6, seventh=True).symbol == "Bm7b5"
    assert parse_chord_symbol("G7/B").symbol == "G7/B"
    with pytest.raises(ValueError):
        parse_chord_symbol("H7")


def test_close_voicing_stays_near_register_and_voice_leads():
    c_major = close_voicing(parse_chord_symbol("C"), 62)
    assert c_major == [60, 64, 67]
    f_major = close_voicing(parse_chord_symbol("F"), 62, previous=c_major)
    assert f_major == [60, 65, 69]
    assert max(f_major) - min(f_major) <= 12
