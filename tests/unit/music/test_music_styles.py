import pytest

from humitout.models import HumReading, Mood, Style, TimeSignature
from humitout.music.styles import PROFILES, choose_style, song_tempo, tempo_asked


@pytest.mark.parametrize("style", list(Style))
def test_every_style_has_a_complete_profile(style):
    prof = PROFILES[style]
    assert set(prof.programs) == set(prof.levels_db) == {"drums", "bass", "chords", "pad", "melody"}
    assert all(0 <= p <= 127 for p in prof.programs.values())
    assert all(len(lane) == 16 for lane in list(prof.drums.values()) + list(prof.drum_fill.values()))
    assert set(prof.vocabulary) == {"major", "minor"}


@pytest.mark.parametrize(("hum_bpm", "style", "expected"), [
    (90, Style.HIP_HOP, (90.0, 1.0)),
    (180, Style.HIP_HOP, (90.0, 0.5)),
    (62, Style.ELECTRONIC, (124.0, 2.0)),
    (100, Style.ELECTRONIC, (100.0, 1.0)),   # below the range, and 200 is further above it: never clamped
    (110, Style.POP, (110.0, 1.0)),
    (71.3, Style.ROCK, (142.6, 2.0)),
])
def test_song_tempo_is_the_hums_times_one_two_or_half_never_clamped(hum_bpm, style, expected):
    assert song_tempo(hum_bpm, style) == expected


def test_style_from_mood():
    assert choose_style(Mood(energy=0.9, tempo_class="fast"))[0] == Style.ELECTRONIC
    assert choose_style(Mood(energy=0.8, tempo_class="medium"))[0] == Style.ROCK
    assert choose_style(Mood(energy=0.2, tempo_class="slow"))[0] == Style.ACOUSTIC
    assert choose_style(Mood(energy=0.5, tempo_class="medium"))[0] == Style.POP
    assert choose_style(Mood(energy=0.5, tempo_class="medium", tags=["jazzy"]))[0] == Style.JAZZ
    assert choose_style(Mood(energy=0.4, tempo_class="slow", tags=["chill"]))[0] == Style.HIP_HOP


def _mood(level_dbfs, notes_per_s, tempo_bpm, mode):
    from humitout.audio.mood import estimate_mood
    from humitout.models import Key
    return estimate_mood(level_dbfs, notes_per_s, tempo_bpm, Key(tonic_pc=0, mode=mode, confidence=1.0))


@pytest.mark.parametrize(("level", "rate", "bpm", "mode", "expected"), [
    (-12, 4.5, 140, "major", Style.ELECTRONIC),  # bright, energetic, upbeat
    (-12, 4.5, 140, "minor", Style.ROCK),        # dark, energetic, upbeat
    (-12, 4.5, 110, "major", Style.ROCK),        # energetic, steady
    (-28, 2.5, 110, "major", Style.POP),         # bright, relaxed, steady
    (-28, 2.5, 110, "minor", Style.HIP_HOP),     # dark, relaxed, steady
    (-28, 2.5, 80, "major", Style.ACOUSTIC),     # bright, relaxed ballad
    (-42, 1.2, 80, "major", Style.ACOUSTIC),     # calm ballad
    (-42, 1.2, 110, "minor", Style.JAZZ),        # dark, calm, steady
    (-28, 2.5, 140, "minor", Style.ELECTRONIC),  # dark, relaxed, upbeat
])
def test_style_from_the_tags_the_mood_stage_emits(level, rate, bpm, mode, expected):
    mood = _mood(level, rate, bpm, mode)
    style, reason = choose_style(mood)
    assert style == expected, (mood, reason)
    assert style.value in reason


def test_every_emitted_tag_combination_is_mapped_and_all_styles_are_reachable():
    chosen = set()
    for level, rate in [(-12, 4.5), (-28, 2.5), (-42, 1.2)]:
        for bpm in (80, 110, 140):
            for mode in ("major", "minor"):
                mood = _mood(level, rate, bpm, mode)
                style = choose_style(mood)[0]
                # the tags and the numbers they came from agree
                assert choose_style(mood.model_copy(update={"tags": [t for t in mood.tags if t != "dark"]}))[0] \
                    == choose_style(mood.model_copy(update={"tags": []}))[0]
                chosen.add(style)
    assert chosen == set(Style)


def test_named_style_tags_win_over_mood():
    assert choose_style(Mood(energy=0.9, tempo_class="fast", tags=["bright", "energetic", "upbeat", "jazzy"]))[0] \
        == Style.JAZZ


@pytest.mark.parametrize("style", list(Style))
def test_every_style_sets_its_harmonic_rhythm(style):
    prof = PROFILES[style]
    if prof.half_bar_change_cost is None:
        assert prof.beat_change_cost is None  # one chord per bar
    elif prof.beat_change_cost is not None:
        assert prof.beat_change_cost > prof.half_bar_change_cost  # a beat change needs more evidence


@pytest.mark.parametrize(("latest", "factor", "meter", "expected"), [
    (HumReading(meter="4/4", tempo_bpm=160.0), 0.5, None, 80.0),                        # a 2/4 tune read at its eighths
    (HumReading(meter="2/4", tempo_bpm=60.0), 2.0, None, 120.0),
    (HumReading(meter="4/4", tempo_bpm=60.0, beat_ratio=0.5), 0.5, None, None),         # already at half the hum's beat
    (HumReading(meter="4/4", tempo_bpm=60.0, beat_ratio=0.5), 2.0, None, 120.0),
    (HumReading(meter="3/4", song_meter="3/4", tempo_bpm=180.0), 0.5, None, None),      # half a 3-beat bar: no whole beats
    (HumReading(meter="3/4", song_meter="3/4", tempo_bpm=180.0, beat_ratio=2.0), 0.5, None, 90.0),
    (HumReading(meter="4/4", tempo_bpm=150.0), 2.0, None, None),                        # 300 BPM: too fast to play
    (HumReading(meter="4/4", tempo_bpm=60.0, beat_ratio=0.5), 0.5, TimeSignature(numerator=3), None),  # 30 BPM
    (HumReading(meter="4/4", tempo_bpm=100.0, beat_ratio=0.5), 0.5, TimeSignature(numerator=3), 50.0),  # read anew
    (HumReading(), 0.5, None, None),                                                     # no track yet
])
def test_half_or_double_time_is_the_newest_songs_tempo_halved_or_doubled_where_a_song_can_go_so(
        latest, factor, meter, expected):
    assert tempo_asked(latest, factor, meter=meter) == expected


def test_a_tempo_asked_for_picks_the_ratio_nearest_it_whatever_the_style():
    assert song_tempo(160.0, Style.ROCK, asked_bpm=80.0) == (80.0, 0.5)
    assert song_tempo(60.0, Style.HIP_HOP, asked_bpm=130.0) == (120.0, 2.0)
    assert song_tempo(200.0, Style.POP, 3, asked_bpm=100.0) == (200.0, 1.0)   # a 3-beat bar is never halved
