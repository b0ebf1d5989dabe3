"""A hand-built 8-bar, 5-part arrangement (C major, 120 bpm, 4/4) for the render tests."""
from __future__ import annotations


import pytest

from humitout.models import (
    Arrangement,
    Chord,
    Key,
    NoteEvent,
    Part,
    Section,
    Style,
    TimeSignature,
)

# (symbol, root pitch class, quality, close voicing in MIDI numbers), one chord per bar
CHORDS = [
    ("C", 0, "maj", [60, 64, 67]),
    ("Am", 9, "min", [57, 60, 64]),
    ("F", 5, "maj", [53, 57, 60]),
    ("G7", 7, "7", [55, 59, 62, 65]),
    ("C", 0, "maj", [60, 64, 67]),
    ("Am7", 9, "min7", [57, 60, 64, 67]),
    ("F/A", 5, "maj", [57, 60, 65]),
    ("G7", 7, "7", [55, 59, 62, 65]),
]
MELODY = [  # (start beat within bar, duration beats, pitch), repeated each bar with a shift
    (0.0, 1.0, 72), (1.0, 0.5, 74), (1.5, 0.5, 76), (2.0, 1.5, 79), (3.5, 0.5, 77),
]


def make_arrangement(bars: int = 8, tempo_bpm: float = 120.0, lyrics: str = "hum it out tonight and sing along with me") -> Arrangement:
    """``bars`` bars of 4/4 with drums, bass, chords, pad and melody all playing."""
    chords, drums, bass, comp, pad, melody = [], [], [], [], [], []
    for bar in range(bars):
        symbol, root, quality, voicing = CHORDS[bar % len(CHORDS)]
        b0 = bar * 4.0
        chords.append(Chord(start_beat=b0, duration_beats=4.0, symbol=symbol, root_pc=root, quality=quality, pitches=voicing))
        for eighth in range(8):
            drums.append(NoteEvent(start_beat=b0 + eighth / 2, duration_beats=0.25, pitch=42, velocity=70))
        for beat in (0, 2):
            drums.append(NoteEvent(start_beat=b0 + beat, duration_beats=0.25, pitch=36, velocity=110))
            drums.append(NoteEvent(start_beat=b0 + beat + 1, duration_beats=0.25, pitch=38, velocity=100))
        for beat in range(4):
            bass.append(NoteEvent(start_beat=b0 + beat, duration_beats=0.9, pitch=36 + root, velocity=95))
        for half in (0.0, 2.0):
            comp += [NoteEvent(start_beat=b0 + half, duration_beats=1.8, pitch=p, velocity=80) for p in voicing]
        pad += [NoteEvent(start_beat=b0, duration_beats=4.0, pitch=p, velocity=60) for p in voicing]
        shift = -2 if bar % 2 else 0
        melody += [NoteEvent(start_beat=b0 + s, duration_beats=d, pitch=p + shift, velocity=90) for s, d, p in MELODY]
    return Arrangement(
        style=Style.POP,
        tempo_bpm=tempo_bpm,
        key=Key(tonic_pc=0, mode="major", confidence=0.9),
        time_signature=TimeSignature(numerator=4, denominator=4),
        total_bars=bars,
        sections=[
            Section(name="intro", start_bar=0, bars=2),
            Section(name="verse", start_bar=2, bars=bars - 4),
            Section(name="ending", start_bar=bars - 2, bars=2),
        ],
        chords=chords,
        parts=[
            Part(name="drums", program=0, is_drum=True, level_db=-3.0, notes=drums),
            Part(name="bass", program=33, level_db=-4.0, pan=-0.1, notes=bass),
            Part(name="chords", program=0, level_db=-8.0, pan=-0.3, notes=comp),
            Part(name="pad", program=89, level_db=-12.0, pan=0.3, notes=pad),
            Part(name="melody", program=73, level_db=0.0, notes=melody),
        ],
        lyrics=lyrics,
    )


@pytest.fixture(scope="session")
def arrangement() -> Arrangement:
    return make_arrangement()


@pytest.fixture(scope="session")
def package(arrangement, tmp_path_factory):
    """The package of the 8-bar arrangement, built once for the session."""
    from humitout.music.package import build_package

    return build_package(arrangement, tmp_path_factory.mktemp("package"), params={"seed": 7, "style": "pop"})
