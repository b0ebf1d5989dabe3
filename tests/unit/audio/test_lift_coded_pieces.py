"""lift_coded_pieces: a piece of a child's high note that a phone codec coded at twice the voice's period (read an
octave low, less surely) joins its note; a sung octave leap, whose high note shows no sub-harmonic, stays two notes."""
import numpy as np

from humitout.audio.f0 import PitchTrack, midi_to_hz
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import lift_coded_pieces

SR = 8000
E5 = float(midi_to_hz(76.0))   # 659 Hz: over AMR-NB's 400 Hz pitch-lag floor


def _tone(f_hz: float, start_s: float, end_s: float, *, odd_gain: float = 1.0) -> np.ndarray:
    """A voice at ``f_hz`` from ``start_s`` to ``end_s`` in 1 s at ``SR`` Hz: harmonics under 3.4 kHz falling 3 dB
    each, the odd ones times ``odd_gain`` (0.5: the even ones, the voice's own at 2 f, stand 6 dB over them)."""
    t = np.arange(SR) / SR
    x = sum((odd_gain if h % 2 else 1.0) * 10 ** (-3 * h / 20) * np.sin(2 * np.pi * h * f_hz * t)
            for h in range(1, int(3400 / f_hz) + 1))
    return np.where((t >= start_s) & (t < end_s), 0.3 * x, 0.0)


def _track(piece_midi: float) -> PitchTrack:
    """The tracker: ``piece_midi`` at 0.6 confidence for 0.10-0.35 s, 76 at 0.8 for 0.35-0.80 s."""
    t = np.arange(100) * 0.01
    midi = np.where(t < 0.35, piece_midi, 76.0)
    conf = np.where((t >= 0.1) & (t < 0.8), np.where(t < 0.35, 0.6, 0.8), 0.0)
    return PitchTrack(midi_to_hz(midi), conf, conf >= 0.5)


NOTES = [NoteEvent(0.10, 0.35, 64.0, 0.6), NoteEvent(0.35, 0.80, 76.0, 0.8)]


def test_a_held_note_coded_at_twice_its_period_and_read_an_octave_low_at_first_is_one_note():
    # the codec repeats the excitation every other period for the whole note: lines at E4's odd multiples too
    x = _tone(E5 / 2, 0.1, 0.8, odd_gain=0.5)
    assert lift_coded_pieces(NOTES, x, SR, _track(64.0)) == [NoteEvent(0.10, 0.80, 76.0, 0.8)]


def test_a_sung_octave_leap_stays_two_notes():
    x = _tone(E5 / 2, 0.1, 0.35) + _tone(E5, 0.35, 0.8)
    assert lift_coded_pieces(NOTES, x, SR, _track(64.0)) == NOTES


def test_a_piece_the_tracker_is_sure_of_stays():
    x = _tone(E5 / 2, 0.1, 0.8, odd_gain=0.5)
    sure = [NoteEvent(0.10, 0.35, 64.0, 0.9), NOTES[1]]
    assert lift_coded_pieces(sure, x, SR, _track(64.0)) == sure
