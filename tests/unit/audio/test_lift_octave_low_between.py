"""lift_octave_low_between: a child's D5 that a phone codec coded at twice its period, read as D4 between two notes of
the child's line, is lifted an octave; a sung D4 there (its own odd harmonics) and a low note next to a near
neighbour stay."""
import numpy as np

from humitout.audio.f0 import midi_to_hz
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import lift_octave_low_between

SR = 8000
D4 = float(midi_to_hz(62.0))


def _voice(f_hz: float, *, odd_gain: float) -> np.ndarray:
    """1 s at ``SR`` Hz of harmonics of ``f_hz`` under 3.4 kHz falling 3 dB each, the odd ones times ``odd_gain``."""
    t = np.arange(SR) / SR
    return 0.3 * sum((odd_gain if h % 2 else 1.0) * 10 ** (-3 * h / 20) * np.sin(2 * np.pi * h * f_hz * t)
                     for h in range(1, int(3400 / f_hz) + 1))


def _line(low_midi: float, after_midi: float = 76.0) -> list[NoteEvent]:
    """A high line (74, 72, 74, then ``low_midi`` at 0.6 confidence, then ``after_midi``), 0.25 s notes 0.05 s apart."""
    pitches = [74.0, 72.0, 74.0, low_midi, after_midi]
    return [NoteEvent(0.3 * i, 0.3 * i + 0.25, m, 0.6 if m == low_midi else 0.9) for i, m in enumerate(pitches)]


def test_a_note_coded_at_twice_its_period_and_read_an_octave_low_between_high_ones_is_lifted():
    x = _voice(D4, odd_gain=0.15)   # the codec's period: lines at D4's odd multiples, 16 dB under the voice's own
    assert [n.midi for n in lift_octave_low_between(_line(62.0), x, SR)] == [74.0, 72.0, 74.0, 74.0, 76.0]


def test_a_sung_low_note_with_its_own_odd_harmonics_stays():
    line = _line(62.0)
    assert lift_octave_low_between(line, _voice(D4, odd_gain=1.0), SR) == line


def test_a_low_note_next_to_a_neighbour_within_a_fourth_stays():
    line = _line(62.0, after_midi=66.0)
    assert lift_octave_low_between(line, _voice(D4, odd_gain=0.15), SR) == line
