import statistics

import pytest

from humitout.models import Arrangement, Style
from humitout.music.arrangement import (
    SONG_LENGTHS_S,
    Form,
    bar_patterns,
    build_arrangement,
    distinct_per_window,
    hum_copies_for,
    melody_bars,
    plan_form,
    quantise_melody,
)
from humitout.music.harmony import harmonise
from humitout.music.styles import song_tempo, profile

C_MAJOR_TUNE = [(60, 0, 1), (64, 1, 1), (67, 2, 2), (65, 4, 1), (69, 5, 1), (72, 6, 2),
                (67, 8, 1), (71, 9, 1), (74, 10, 2), (72, 12, 4)]


def song(analysis, style, *, length="normal", seed=0, form=None):
    tempo, ratio = song_tempo(analysis.tempo_bpm, style)
    melody = quantise_melody(analysis, ratio)
    bars = melody_bars(melody)
    form = form or plan_form(bars, 4, tempo, length, seed)
    return build_arrangement(
        analysis, style=style, tempo_bpm=tempo, key=analysis.key, melody=melody,
        verse_chords=harmonise(melody, bars, 0, "major", profile(style)), form=form, rationale=[],
        variation_seed=seed, length=length)


def test_quantise_to_16th_grid_in_beats(make_hum):
    melody = quantise_melody(make_hum(C_MAJOR_TUNE))
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in melody] == \
        [(p, float(s), float(d)) for p, s, d in C_MAJOR_TUNE]


def test_quantise_scales_beats_when_tempo_doubles(make_hum):
    melody = quantise_melody(make_hum(C_MAJOR_TUNE), beat_ratio=2.0)
    assert melody[1].start_beat == 2.0 and melody_bars(melody) == 8


def test_a_short_hum_is_played_more_than_once_in_each_verse_and_chorus():
    assert (hum_copies_for(3), hum_copies_for(4), hum_copies_for(8), hum_copies_for(12)) == (3, 2, 1, 1)


@pytest.mark.parametrize("style", list(Style))
def test_every_style_builds_a_song_with_a_chorus_and_an_outro_ending_on_the_tonic(style, make_hum):
    arrangement = song(make_hum(C_MAJOR_TUNE), style)
    Arrangement.model_validate_json(arrangement.model_dump_json())
    assert [p.name for p in arrangement.parts] == ["drums", "bass", "chords", "pad", "melody"]
    assert all(p.notes for p in arrangement.parts)
    names = [s.name for s in arrangement.sections]
    assert names[:2] == ["intro", "verse"] and "chorus" in names and names[-1] == "outro"
    total_beats = arrangement.total_bars * 4
    for part in arrangement.parts:
        assert all(n.start_beat + n.duration_beats <= total_beats + 1e-9 for n in part.notes), part.name
    final = arrangement.chords[-1]
    assert final.root_pc == 0 and final.roman.upper().startswith("I")
    assert final.start_beat == (arrangement.total_bars - 1) * 4
    assert arrangement.chords[-2].roman.upper().startswith("V")  # an authentic cadence
    assert max(arrangement.part("bass").notes, key=lambda n: n.start_beat).pitch % 12 == 0
    assert all(c.pitches for c in arrangement.chords)
    assert arrangement.melody_offset_beats == arrangement.sections[1].start_bar * 4
    assert arrangement.lyrics == "la di da"


def test_the_song_lasts_about_a_minute_and_short_and_long_change_that(make_hum):
    hum = make_hum(C_MAJOR_TUNE)
    lengths = {length: song(hum, Style.POP, length=length) for length in SONG_LENGTHS_S}
    low, high = SONG_LENGTHS_S["normal"]
    assert low <= lengths["normal"].duration_s <= high
    assert lengths["short"].duration_s < lengths["normal"].duration_s < lengths["long"].duration_s
    assert {length: a.length for length, a in lengths.items()} == {k: k for k in SONG_LENGTHS_S}
    assert len({a.tempo_bpm for a in lengths.values()}) == 1  # the length never moves the tempo


@pytest.mark.parametrize("style", list(Style))
@pytest.mark.parametrize("seed", [0, 5])
def test_every_8_bars_hold_at_least_two_distinct_drum_bars(style, seed, make_hum):
    arrangement = song(make_hum(C_MAJOR_TUNE), style, length="long", seed=seed)
    patterns = bar_patterns(arrangement.part("drums").notes, 4, arrangement.total_bars)
    assert min(distinct_per_window(patterns)) >= 2
    bass = bar_patterns(arrangement.part("bass").notes, 4, arrangement.total_bars)
    assert min(distinct_per_window(bass)) >= 2


def test_another_seed_gives_another_arrangement_and_the_same_seed_the_same(make_hum):
    hum = make_hum(C_MAJOR_TUNE)
    first, again, other = song(hum, Style.ROCK, seed=1), song(hum, Style.ROCK, seed=1), song(hum, Style.ROCK, seed=2)
    assert first == again
    assert other.variation_seed == 2 and first.variation_seed == 1
    assert first.part("drums").notes != other.part("drums").notes
    assert first.part("melody").notes == other.part("melody").notes or first.sections != other.sections


def test_one_swing_is_shared_by_every_accompanying_part_and_no_straight_16ths_under_it(make_hum):
    arrangement = song(make_hum(C_MAJOR_TUNE), Style.JAZZ)
    assert arrangement.swing == pytest.approx(1 / 3) and arrangement.swing_unit_beats == 0.5
    for name in ("drums", "bass", "chords"):
        positions = [n.start_beat % 1.0 for n in arrangement.part(name).notes]
        assert not [p for p in positions if abs(p - 0.5) < 0.05 or abs(p - 0.25) < 0.04], name
        assert any(abs(p - 2 / 3) < 0.04 for p in positions), name  # the swung off-beat, in every part


def test_the_melody_is_the_hum_unchanged_in_every_verse_and_chorus(make_hum):
    hum = make_hum(C_MAJOR_TUNE)
    arrangement = song(hum, Style.POP, length="long")
    tempo, ratio = song_tempo(hum.tempo_bpm, Style.POP)
    hummed = [(n.pitch, n.start_beat, n.duration_beats) for n in quantise_melody(hum, ratio)]
    bars = melody_bars(quantise_melody(hum, ratio))
    offsets = [(s.start_bar + copy) * 4 for s in arrangement.sections if s.name in ("verse", "chorus")
               for copy in range(0, s.bars, bars)]
    notes = sorted(arrangement.part("melody").notes, key=lambda n: n.start_beat)
    assert len(offsets) == 10 and len(notes) == len(hummed) * len(offsets)
    for i, offset in enumerate(offsets):
        copy = notes[i * len(hummed):(i + 1) * len(hummed)]
        assert [(n.pitch, n.start_beat - offset, n.duration_beats) for n in copy] == hummed


def _per_section(arrangement, part, section_name, measure):
    bars = [b for s in arrangement.sections if s.name == section_name for b in range(s.start_bar, s.start_bar + s.bars)]
    notes = [n for n in arrangement.part(part).notes if int(n.start_beat // 4) in bars]
    return measure(notes) / (len(bars) if measure is len else 1)


def test_the_chorus_develops_the_verse(make_hum):
    arrangement = song(make_hum(C_MAJOR_TUNE), Style.POP)
    assert _per_section(arrangement, "drums", "chorus", len) > _per_section(arrangement, "drums", "verse", len)
    mean_velocity = lambda notes: statistics.mean(n.velocity for n in notes)  # noqa: E731
    assert _per_section(arrangement, "drums", "chorus", mean_velocity) > \
        _per_section(arrangement, "drums", "verse", mean_velocity)
    widest = lambda notes: max(n.pitch for n in notes) - min(n.pitch for n in notes)  # noqa: E731
    assert _per_section(arrangement, "chords", "chorus", widest) > _per_section(arrangement, "chords", "verse", widest)
    verse, chorus = ([c.symbol for c in arrangement.chords if c.start_beat // 4 in
                      range(s.start_bar, s.start_bar + s.bars)]
                     for s in (arrangement.sections[1], next(s for s in arrangement.sections if s.name == "chorus")))
    assert verse != chorus  # reharmonised
    pre = next(s for s in arrangement.sections if s.name == "pre-chorus")
    assert [c.roman for c in arrangement.chords if c.start_beat // 4 == pre.start_bar + pre.bars - 1] == ["V"]


def test_drum_velocities_are_shaped_not_a_few_fixed_values(make_hum):
    velocities = [n.velocity for n in song(make_hum(C_MAJOR_TUNE), Style.ACOUSTIC).part("drums").notes]
    assert len(set(velocities)) > 20 and statistics.pstdev(velocities) > 8


def test_form_sections_in_order():
    form = Form.build(("verse", "pre-chorus", "chorus", "bridge", "chorus"), 4, intro_bars=0, hum_copies=2,
                      ending_bars=2)
    assert [(s.name, s.start_bar, s.bars) for s in form.sections()] == [
        ("verse", 0, 8), ("pre-chorus", 8, 2), ("chorus", 10, 8), ("bridge", 18, 4), ("chorus", 22, 8),
        ("outro", 30, 4)]
    assert (form.total_bars, form.final_bar, form.verse_start_beat) == (34, 32, 0.0)
    fills = [c.bar for c in form.bar_contexts() if c.fill]
    assert fills == [3, 7, 9, 13, 17, 21, 25, 29, 31]


@pytest.mark.parametrize("beats", [4, 3])
def test_every_hum_up_to_30_s_gets_a_song_of_the_requested_length(beats):
    for bars in range(1, 25):
        for tempo in range(70, 181, 10):
            if bars * beats * 60 / tempo > 30:
                continue
            for length, (low, high) in SONG_LENGTHS_S.items():
                duration = plan_form(bars, beats, tempo, length).duration_s(tempo)
                if length == "long":  # a fast waltz of a short hum reaches 95 s at most
                    assert 95 <= duration <= high, (bars, tempo, length)
                else:
                    assert low <= duration <= high, (bars, tempo, length)
