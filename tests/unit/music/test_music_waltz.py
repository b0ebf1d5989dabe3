"""3/4 (waltz) hums: the compose stage arranges in bars of 3 quarter-note beats."""
import math

import pytest
from humitout.models import Key, Style, TimeSignature
from humitout.music.arrangement import (
    Form,
    bar_patterns,
    build_arrangement,
    distinct_per_window,
    melody_bars,
    meter_beats,
    plan_form,
    quantise_melody,
)
from humitout.music.harmony import harmonise, slots_from_symbols, symbols_per_bar
from humitout.music.styles import PROFILES, song_tempo, profile
from humitout.music.theory import parse_chord_symbol

# C major waltz, 8 bars of 3 beats: (MIDI pitch, start beat, beats)
WALTZ = [(72, 0, 2), (76, 2, 1), (79, 3, 2), (76, 5, 1), (77, 6, 2), (81, 8, 1), (79, 9, 3),
         (76, 12, 2), (72, 14, 1), (74, 15, 2), (77, 17, 1), (71, 18, 1), (74, 19, 1), (79, 20, 1), (72, 21, 3)]


def waltz_hum(make_hum, notes=WALTZ, **kwargs):
    return make_hum(notes, **kwargs).model_copy(update={"time_signature": TimeSignature(numerator=3)})


def arrange(analysis, style):
    tempo, ratio = song_tempo(analysis.tempo_bpm, style, meter_beats(analysis))
    melody = quantise_melody(analysis, ratio)
    bars = melody_bars(melody, 3)
    key = Key(tonic_pc=0, mode="major", confidence=0.9)
    verse = harmonise(melody, bars, 0, "major", profile(style), 3)
    return build_arrangement(analysis, style=style, tempo_bpm=tempo, key=key, melody=melody,
                             verse_chords=verse, form=plan_form(bars, 3, tempo), rationale=[])


def test_the_meter_comes_from_the_analysis(make_hum):
    assert meter_beats(make_hum(WALTZ)) == 4
    assert meter_beats(waltz_hum(make_hum)) == 3
    odd = make_hum(WALTZ).model_copy(update={"time_signature": TimeSignature(numerator=5)})
    assert meter_beats(odd) == 4  # unsupported meters are arranged in 4/4


def test_waltz_melody_is_bar_aligned_in_3(make_hum):
    melody = quantise_melody(waltz_hum(make_hum))
    assert [(n.start_beat, n.duration_beats) for n in melody[:3]] == [(0.0, 2.0), (2.0, 1.0), (3.0, 2.0)]
    assert melody_bars(melody, 3) == 8


def test_waltz_is_never_halved_in_tempo():
    assert song_tempo(200, Style.POP) == (100.0, 0.5)
    assert song_tempo(200, Style.POP, 3)[1] != 0.5


@pytest.mark.parametrize("style", list(Style))
def test_every_style_arranges_a_waltz_in_bars_of_3(style, make_hum):
    arrangement = arrange(waltz_hum(make_hum), style)
    assert (arrangement.time_signature.numerator, arrangement.time_signature.denominator) == (3, 4)
    names = [s.name for s in arrangement.sections]
    assert names[:2] == ["intro", "verse"] and "chorus" in names and names[-1] == "outro"
    assert arrangement.sections[1].bars == 8 and 60 <= arrangement.duration_s <= 90
    song_beats = arrangement.total_bars * 3
    assert arrangement.melody_offset_beats == arrangement.sections[1].start_bar * 3
    for chord in arrangement.chords:  # one chord a bar, a change on beat 3 at most
        assert chord.start_beat % 3 in (0.0, 2.0)
        assert math.floor(chord.start_beat / 3) == math.floor((chord.start_beat + chord.duration_beats - 1e-6) / 3)
    assert sum(c.duration_beats for c in arrangement.chords) == song_beats
    for part in arrangement.parts:
        assert part.notes, part.name
        for note in part.notes:
            end = note.start_beat + note.duration_beats
            assert 0 <= note.start_beat and end <= song_beats + 1e-9, part.name
            if part.name != "melody" and note.start_beat < (arrangement.total_bars - 1) * 3:  # bar by bar
                assert math.floor(note.start_beat / 3) == math.floor((end - 1e-6) / 3), (part.name, note)
    melody = arrangement.part("melody").notes
    assert min(n.start_beat for n in melody) == arrangement.melody_offset_beats


@pytest.mark.parametrize("style", list(Style))
def test_waltz_drums_keep_bars_of_3_and_vary_every_8_bars(style, make_hum):
    arrangement = arrange(waltz_hum(make_hum), style)
    drums = arrangement.part("drums").notes
    patterns = bar_patterns(drums, 3, arrangement.total_bars)
    assert all(step < 12 for pattern in patterns for _, step in pattern)  # nothing on a 4th beat
    assert min(distinct_per_window(patterns)) >= 2
    verse = arrangement.sections[1]
    downbeat = patterns[verse.start_bar + 1]  # a plain groove bar of the verse
    kick = PROFILES[style].groove(3).drums[36]
    assert kick[0] in "Xxo" and (36, 0) in downbeat  # the kick (or a feathered one) on 1


def test_every_style_has_a_12_step_waltz_groove():
    for prof in PROFILES.values():
        groove = prof.groove(3)
        assert groove.steps == 12
        assert all(len(lane) == 12 for lane in list(groove.drums.values()) + list(groove.drum_fill.values()))
        assert all(hit.step + hit.length <= 12 for hit in groove.bass)
        assert all(step + length <= 12 for step, length in groove.comp_steps)
        assert groove.bass[0].step == 0 and groove.bass[0].tone == "root"
        with pytest.raises(ValueError):
            prof.groove(5)


def test_waltz_harmony_changes_only_at_bar_starts_or_beat_3(make_events):
    # bar 2 insists on a change on beat 3 (C chord tones, then a long G-chord B/D)
    melody = make_events([(60, 0, 1), (64, 1, 1), (67, 2, 1), (72, 3, 1), (76, 4, 1), (71, 5, 1),
                          (65, 6, 1), (69, 7, 1), (72, 8, 1), (67, 9, 1), (71, 10, 1), (74, 11, 1), (72, 12, 3)])
    for style in Style:
        slots = harmonise(melody, 5, 0, "major", profile(style), 3)
        assert all(s.start_beat % 3 in (0.0, 2.0) for s in slots), style
        assert slots[-1].chord.root_pc == 0
        assert all(len(bar) in (1, 2) for bar in symbols_per_bar(slots, 5, 3))
    pop = harmonise(melody, 5, 0, "major", profile(Style.POP), 3)
    assert [(s.start_beat, s.chord.symbol) for s in pop][1:4] == [(3.0, "C"), (5.0, "G"), (6.0, "F")]


def test_waltz_symbols_round_trip_with_a_change_on_beat_3():
    c, f, g = (parse_chord_symbol(s) for s in ("C", "F", "G"))
    slots = slots_from_symbols([[c], [f, g], [c, c, g]], 0, "major", 3)
    assert [(s.start_beat, s.duration_beats, s.chord.symbol) for s in slots] == [
        (0.0, 3.0, "C"), (3.0, 2.0, "F"), (5.0, 1.0, "G"), (6.0, 2.0, "C"), (8.0, 1.0, "G")]
    assert symbols_per_bar(slots, 3, 3) == [["C"], ["F", "G"], ["C", "G"]]


def test_a_4_4_hum_is_arranged_as_before(make_hum, make_arpeggios):
    hum = make_hum(make_arpeggios([(60, 64, 67), (65, 69, 72), (67, 71, 74), (60, 64, 67)]))
    explicit = hum.model_copy(update={"time_signature": TimeSignature(numerator=4)})
    melody = quantise_melody(hum)
    verse = harmonise(melody, 4, 0, "major", profile(Style.POP))
    assert [(s.start_beat, s.chord.symbol) for s in verse] == [(0.0, "C"), (4.0, "F"), (8.0, "G"), (12.0, "C")]
    args = {"style": Style.POP, "tempo_bpm": 100.0, "key": Key(tonic_pc=0, mode="major", confidence=0.9),
            "melody": melody, "verse_chords": verse, "form": Form.build(("verse",), 4, hum_copies=2),
            "rationale": []}
    arrangement = build_arrangement(hum, **args)
    assert arrangement == build_arrangement(explicit, **args)
    assert (arrangement.time_signature.numerator, arrangement.total_bars) == (4, 13)
    verse_bar = bar_patterns(arrangement.part("drums").notes, 4, arrangement.total_bars)[2]
    assert sorted(step for pitch, step in verse_bar if pitch == 36) == [0, 6, 8]
