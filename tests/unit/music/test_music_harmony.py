import pytest

from humitout.models import Style
from humitout.music.harmony import (
    embellishing,
    estimate_key,
    harmonise,
    phrase_end_beats,
    slots_from_symbols,
    symbols_per_bar,
)
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


def test_a_chord_change_on_a_beat_needs_strong_evidence(make_events):
    # bar 1: three beats of C major, then a held B-D on beat 4 that C cannot carry
    strong = make_events([(60, 0, 1), (64, 1, 1), (60, 2, 1), (71, 3, 0.5), (74, 3.5, 0.5), (72, 4, 4)])
    slots = harmonise(strong, 2, 0, "major", profile(Style.POP))
    assert [(s.start_beat, s.chord.symbol) for s in slots] == [(0.0, "C"), (3.0, "G"), (4.0, "C")]
    # a lone passing tone on the off-beat is not evidence enough
    weak = make_events([(60, 0, 1), (64, 1, 1), (67, 2, 1.5), (65, 3.5, 0.5), (64, 4, 4)])
    assert all(s.start_beat % 2 == 0 for s in harmonise(weak, 2, 0, "major", profile(Style.POP)))


@pytest.mark.parametrize("style", [Style.HIP_HOP, Style.ELECTRONIC])
def test_loop_styles_never_change_chord_on_beat_2_or_4(style, make_events):
    melody = make_events([(60, 0, 1), (64, 1, 1), (67, 2, 1), (71, 3, 0.5), (74, 3.5, 0.5), (72, 4, 4)])
    slots = harmonise(melody, 2, 0, "major", profile(style))
    assert all(s.start_beat % 2 == 0 for s in slots)


def test_passing_and_neighbour_tones_are_embellishments(make_events):
    melody = make_events([(60, 0, 1), (62, 1, 0.5), (64, 1.5, 0.5), (65, 2, 1), (64, 3, 0.5), (65, 3.5, 0.5),
                          (64, 4, 2)])
    assert embellishing(melody) == [False, False, True, False, False, True, False]


def test_phrase_ends_are_long_notes_or_notes_before_a_rest(make_events):
    melody = make_events([(60, 0, 1), (62, 1, 1), (64, 2, 2), (65, 4, 1), (67, 5, 1), (65, 6, 1), (64, 8, 1),
                          (62, 9, 1), (60, 10, 2)])
    assert phrase_end_beats(melody) == [2.0, 6.0]


def test_key_estimate_of_a_minor_melody_with_confidence(make_events):
    melody = make_events([(69, 0, 1), (72, 1, 1), (76, 2, 2), (74, 4, 1), (72, 5, 1), (71, 6, 2), (68, 8, 1),
                          (71, 9, 1), (76, 10, 2), (69, 12, 4)])
    tonic, mode, confidence = estimate_key(melody)
    assert (tonic, mode) == (9, "minor") and 0.0 < confidence <= 1.0
    assert estimate_key([]) == (0, "major", 0.0)


def test_symbols_per_bar_round_trips_through_slots():
    c, f, g = (parse_chord_symbol(s) for s in ("C", "F", "G"))
    bars = [[c], [f, g], [c, c, g, c]]
    slots = slots_from_symbols(bars, 0, "major")
    assert [(s.start_beat, s.duration_beats, s.chord.symbol) for s in slots] == [
        (0.0, 4.0, "C"), (4.0, 2.0, "F"), (6.0, 2.0, "G"), (8.0, 2.0, "C"), (10.0, 1.0, "G"), (11.0, 1.0, "C")]
    assert symbols_per_bar(slots, 3) == [["C"], ["F", "G"], ["C", "C", "G", "C"]]
