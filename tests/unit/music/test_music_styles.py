import pytest

from humitout.models import Mood, Style
from humitout.music.styles import PROFILES, adjust_tempo, choose_style


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
    (100, Style.ELECTRONIC, (118.0, 1.0)),
    (110, Style.POP, (110.0, 1.0)),
])
def test_tempo_keeps_an_integer_ratio_when_it_can(hum_bpm, style, expected):
    assert adjust_tempo(hum_bpm, style) == expected


def test_style_from_mood():
    assert choose_style(Mood(energy=0.9, tempo_class="fast"))[0] == Style.ELECTRONIC
    assert choose_style(Mood(energy=0.8, tempo_class="medium"))[0] == Style.ROCK
    assert choose_style(Mood(energy=0.2, tempo_class="slow"))[0] == Style.ACOUSTIC
    assert choose_style(Mood(energy=0.5, tempo_class="medium"))[0] == Style.POP
    assert choose_style(Mood(energy=0.5, tempo_class="medium", tags=["jazzy"]))[0] == Style.JAZZ
    assert choose_style(Mood(energy=0.4, tempo_class="slow", tags=["chill"]))[0] == Style.HIP_HOP
