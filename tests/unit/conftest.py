"""Hand-built hums for the music tests: melodies given as (MIDI pitch, start beat, beats)."""
import pytest

from humitout.models import F0Track, Key, Lyrics, Mood, Note, NoteEvent
from humitout.models import Analysis


def hum(notes: list[tuple[int, float, float]], tempo_bpm: float = 100.0, tonic_pc: int = 0,
        mode: str = "major", energy: float = 0.5, lead_in_s: float = 0.4) -> Analysis:
    """An Analysis whose notes are sung slightly sharp and a little short, on a steady beat grid."""
    period = 60.0 / tempo_bpm
    sung = [Note(onset_s=lead_in_s + start * period + 0.01, offset_s=lead_in_s + (start + length) * period - 0.04,
                 midi=pitch + 0.15, confidence=0.9) for pitch, start, length in notes]
    end_s = sung[-1].offset_s + 0.5
    beats = [lead_in_s + i * period for i in range(int((end_s - lead_in_s) / period) + 1)]
    return Analysis(sample_rate_hz=8000, duration_s=end_s, voiced_s=end_s - lead_in_s,
                    f0=F0Track(hz=[0.0], confidence=[0.0]), notes=sung, tempo_bpm=tempo_bpm, beats_s=beats,
                    key=Key(tonic_pc=tonic_pc, mode=mode, confidence=0.9),
                    mood=Mood(energy=energy, tempo_class="medium"), lyrics=Lyrics(source="whisper", text="la di da"))


def arpeggios(chords: list[tuple[int, ...]]) -> list[tuple[int, float, float]]:
    """One bar per chord: its tones on beats 1-3 and the root again on beat 4 (crotchets)."""
    return [(pitch, 4.0 * bar + beat, 1.0) for bar, tones in enumerate(chords)
            for beat, pitch in enumerate(tones[:3] + (tones[0],))]


def events(notes: list[tuple[int, float, float]]) -> list[NoteEvent]:
    return [NoteEvent(start_beat=s, duration_beats=d, pitch=p, velocity=90) for p, s, d in notes]


@pytest.fixture
def make_hum():
    return hum


@pytest.fixture
def make_arpeggios():
    return arpeggios


@pytest.fixture
def make_events():
    return events
