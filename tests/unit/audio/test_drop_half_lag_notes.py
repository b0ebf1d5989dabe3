"""Held notes read an octave high are dropped back: a phone codec coded them at half a low voice's period,
or the voice's first formant lifted its 2nd harmonic over the rest."""
import numpy as np

from humitout.audio.f0 import midi_to_hz
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import drop_formant_octave_notes, drop_half_lag_notes

SR = 8000
LOW_VOICE = (-35.0, 0.0, -23.5, -40.0, -34.6, -45.0)   # after AMR-NB: the 2nd harmonic of D3 dominates, a faint 3rd
# an "oo" at G#3 (208 Hz) whose first formant sits on its 2nd harmonic, through the phone band (stress diphone)
FORMANT_ON_2ND = (-35.0, 0.0, -26.0, -30.0, -30.0, -27.0, -26.0)


def _voice(midi: float, dur_s: float, levels_db: tuple[float, ...], seed: int = 0) -> np.ndarray:
    """``dur_s`` s of harmonics 1, 2, ... of ``midi`` at ``levels_db`` (dB) over faint noise."""
    t = np.arange(int(dur_s * SR)) / SR
    f0 = float(midi_to_hz(midi))
    x = sum(10.0 ** (db / 20.0) * np.sin(2 * np.pi * h * f0 * t) for h, db in enumerate(levels_db, start=1))
    return x + 1e-4 * np.random.default_rng(seed).standard_normal(len(t))


def _call(pair: np.ndarray, pair_midi: float, pair_conf: float = 0.7) -> tuple[list[NoteEvent], np.ndarray]:
    """A low voice's phrase (0.4 s notes at 46, 48, 47, 45, 46) with two 0.5 s notes at ``pair_midi``
    (samples ``pair`` under each, 50 ms of faint noise between them: a repeat) after its second note."""
    low = [46.0, 48.0, 47.0, 45.0, 46.0]
    notes, parts, t = [], [], 0.0
    for k, m in enumerate(low):
        notes.append(NoteEvent(t, t + 0.4, m, 0.8))
        parts.append(_voice(m, 0.4, LOW_VOICE, seed=k))
        t += 0.4
        if k == 1:
            for gap in (0.05, 0.0):
                notes.append(NoteEvent(t, t + 0.5, pair_midi, pair_conf))
                parts += [pair, 1e-4 * np.random.default_rng(5).standard_normal(int(gap * SR))]
                t += 0.5 + gap
    return notes, np.concatenate(parts)


def test_a_held_pair_coded_at_half_the_period_is_dropped():
    notes, x = _call(_voice(50.0, 0.5, LOW_VOICE, seed=9), 62.0)
    assert [round(n.midi, 1) for n in drop_half_lag_notes(notes, x, SR)] == [46.0, 48.0, 50.0, 50.0, 47.0, 45.0, 46.0]


def test_a_voice_sung_there_stays():
    # nothing between its harmonics: no voice at half its pitch
    notes, x = _call(_voice(62.0, 0.5, (0.0, -6.0, -12.0, -18.0), seed=9), 62.0)
    assert drop_half_lag_notes(notes, x, SR) == notes


def test_a_note_near_the_calls_register_stays():
    notes, x = _call(_voice(47.0, 0.5, LOW_VOICE, seed=9), 53.0)
    assert drop_half_lag_notes(notes, x, SR) == notes


def test_a_note_whose_half_pitch_3rd_harmonic_is_strong_stays():
    # a 3rd harmonic of half the pitch this strong would have held the tracker there
    notes, x = _call(_voice(50.0, 0.5, (-35.0, 0.0, -6.0, -40.0, -34.6, -45.0), seed=9), 62.0)
    assert drop_half_lag_notes(notes, x, SR) == notes


def test_a_note_over_the_shortest_lag_stays():
    # 440 Hz: a lag of half its period (9 samples) is under the codec's shortest, so the codec did not halve it
    notes, x = _call(_voice(57.0, 0.5, LOW_VOICE, seed=9), 69.0)
    assert drop_half_lag_notes(notes, x, SR) == notes


def test_a_note_the_tracker_holds_firmly_stays():
    # a voice nearly periodic at the read pitch only would not be read at confidence 0.9
    notes, x = _call(_voice(50.0, 0.5, LOW_VOICE, seed=9), 62.0, pair_conf=0.9)
    assert drop_half_lag_notes(notes, x, SR) == notes


def test_a_pair_read_at_a_formant_lifted_2nd_harmonic_is_dropped():
    # 415 Hz is over the codec's lag floor: the codec did not halve it, the voice's own 2nd harmonic misled
    notes, x = _call(_voice(56.0, 0.5, FORMANT_ON_2ND, seed=9), 68.0)
    assert drop_half_lag_notes(notes, x, SR) == notes
    assert [round(n.midi, 1) for n in drop_formant_octave_notes(notes, x, SR)] == [46.0, 48.0, 56.0, 56.0, 47.0,
                                                                                   45.0, 46.0]


def test_a_high_note_with_a_single_line_between_its_harmonics_stays():
    # sung at 415 Hz with the last note's tail (or a room) leaving a line at 1.5 x its pitch, none at 2.5 x
    t = np.arange(int(0.5 * SR)) / SR
    tail = 10.0 ** (-26.0 / 20.0) * np.sin(2 * np.pi * 1.5 * float(midi_to_hz(68.0)) * t)
    notes, x = _call(_voice(68.0, 0.5, (0.0, -6.0, -12.0, -18.0), seed=9) + tail, 68.0)
    assert drop_formant_octave_notes(notes, x, SR) == notes


def test_a_note_too_short_to_resolve_the_lines_stays():
    notes, x = _call(_voice(56.0, 0.5, FORMANT_ON_2ND, seed=9), 68.0)
    assert drop_formant_octave_notes(notes, x, SR, min_s=0.6) == notes
