"""A note read at the 2nd harmonic of a low voice, an octave over both neighbours, is dropped back: a short one
by the odd harmonics of half its pitch, a held one by its voice's own 3rd harmonic standing as a line."""
import numpy as np

from humitout.audio.f0 import midi_to_hz
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import drop_octave_peaks

SR = 8000


def _voice(midi: float, dur_s: float, levels_db: tuple[float, ...], seed: int = 0) -> np.ndarray:
    """``dur_s`` s of harmonics 1, 2, ... of ``midi`` at ``levels_db`` (dB) over faint noise."""
    t = np.arange(int(dur_s * SR)) / SR
    f0 = float(midi_to_hz(midi))
    x = sum(10.0 ** (db / 20.0) * np.sin(2 * np.pi * h * f0 * t) for h, db in enumerate(levels_db, start=1))
    return x + 1e-4 * np.random.default_rng(seed).standard_normal(len(t))


LOW_VOICE = (-35.0, 0.0, -23.5, -22.5, -34.6, -29.4)   # s25 amr_011: the 2nd harmonic of D3 dominates


def _call(middle: np.ndarray, middle_s: float, middle_midi: float) -> tuple[list[NoteEvent], np.ndarray]:
    """Notes at 46, ``middle_midi`` and 53 (0.4 s, ``middle_s`` s, 0.4 s); samples ``middle`` under the middle one."""
    notes = [NoteEvent(0.0, 0.4, 46.0, 0.8), NoteEvent(0.4, 0.4 + middle_s, middle_midi, 0.7),
             NoteEvent(0.4 + middle_s, 0.8 + middle_s, 53.0, 0.8)]
    x = np.concatenate([_voice(46.0, 0.4, LOW_VOICE), middle, _voice(53.0, 0.4, LOW_VOICE)])
    return notes, x


def test_a_low_voice_read_at_its_2nd_harmonic_for_one_short_note_is_dropped():
    notes, x = _call(_voice(50.0, 0.12, LOW_VOICE), 0.12, 62.0)
    assert [round(n.midi, 1) for n in drop_octave_peaks(notes, x, SR)] == [46.0, 50.0, 53.0]


def test_a_voice_at_the_note_itself_stays():
    notes, x = _call(_voice(62.0, 0.12, (0.0, -6.0, -12.0, -18.0)), 0.12, 62.0)
    assert drop_octave_peaks(notes, x, SR) == notes


def test_a_sung_octave_leap_held_longer_stays():
    notes, x = _call(_voice(62.0, 0.3, (0.0, -6.0, -12.0, -18.0)), 0.3, 62.0)
    assert drop_octave_peaks(notes, x, SR) == notes


def test_a_low_voice_read_at_its_2nd_harmonic_for_a_whole_held_note_is_dropped():
    # the voice's own 3rd harmonic, 23 dB under its 2nd, still stands as a line midway between the read harmonics
    notes, x = _call(_voice(50.0, 0.5, LOW_VOICE), 0.5, 62.0)
    assert [round(n.midi, 1) for n in drop_octave_peaks(notes, x, SR)] == [46.0, 50.0, 53.0]


def test_a_held_note_with_no_line_midway_between_its_harmonics_stays():
    # only noise between the read harmonics (a voice at the note's pitch); sung notes read right stand 7.1 dB at most
    notes, x = _call(_voice(62.0, 0.5, (0.0, -6.0, -12.0, -18.0)), 0.5, 62.0)
    x = x + 10 ** (-40.0 / 20) * np.random.default_rng(1).standard_normal(len(x))
    assert drop_octave_peaks(notes, x, SR) == notes


def test_a_note_under_a_fifth_over_its_neighbours_stays():
    notes, x = _call(_voice(47.0, 0.12, LOW_VOICE), 0.12, 59.0)
    assert drop_octave_peaks(notes, x, SR) == notes


def test_a_note_whose_half_pitch_odd_harmonics_are_strong_stays():
    # strong odd harmonics of half the pitch would have held the tracker there: noise or a talker fills them
    notes, x = _call(_voice(50.0, 0.12, (-35.0, 0.0, -4.0, -22.5, -10.0, -29.4)), 0.12, 62.0)
    assert drop_octave_peaks(notes, x, SR) == notes


def test_a_held_note_read_partly_one_and_partly_two_octaves_high_comes_down_to_the_voice():
    # the tracker on the voice's 2nd harmonic, then its 4th: two passes bring the note to its pitch
    notes = [NoteEvent(0.0, 0.4, 46.0, 0.8), NoteEvent(0.4, 0.65, 62.0, 0.7), NoteEvent(0.65, 0.9, 74.0, 0.7),
             NoteEvent(0.9, 1.3, 53.0, 0.8)]
    x = np.concatenate([_voice(46.0, 0.4, LOW_VOICE), _voice(50.0, 0.5, LOW_VOICE), _voice(53.0, 0.4, LOW_VOICE)])
    assert [(round(n.onset_s, 2), round(n.offset_s, 2), round(n.midi, 1)) for n in drop_octave_peaks(notes, x, SR)] \
        == [(0.0, 0.4, 46.0), (0.4, 0.9, 50.0), (0.9, 1.3, 53.0)]
