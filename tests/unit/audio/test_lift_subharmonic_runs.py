"""A run of notes the tracker read an octave under the caller (no odd harmonics) is lifted back; a sung
drop, whose odd harmonics are there, stays."""
import numpy as np

from humitout.audio.f0 import midi_to_hz
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import lift_subharmonic_runs

SR = 8000
NOTE_S = 0.25


def _line(*midis: float) -> list[NoteEvent]:
    """Notes of ``NOTE_S`` s at ``midis``, one after the other."""
    return [NoteEvent(i * NOTE_S, (i + 1) * NOTE_S, m, 0.8) for i, m in enumerate(midis)]


def _voice(sung: list[float], *, babble_from_hz: float = 1600.0) -> np.ndarray:
    """Samples of a voice singing ``sung`` (MIDI, ``NOTE_S`` s each; harmonics at 1/h up to 3.4 kHz)
    with noise above ``babble_from_hz`` over the upper harmonics (talkers fill the odd ones in there)."""
    t = np.arange(int(NOTE_S * SR)) / SR
    parts = []
    for m in sung:
        f = float(midi_to_hz(m))
        parts.append(sum(np.sin(2 * np.pi * h * f * t) / h for h in range(1, int(3400 / f) + 1)))
    x = np.concatenate(parts)
    spec = np.fft.rfft(np.random.default_rng(0).standard_normal(len(x)))
    spec[np.fft.rfftfreq(len(x), 1 / SR) < babble_from_hz] = 0.0
    noise = np.fft.irfft(spec, len(x))
    return x + 0.8 * noise / noise.std()


def test_a_run_read_an_octave_under_the_line_without_odd_harmonics_is_lifted():
    sung = [67.0, 65.0, 64.0, 67.0, 66.0, 67.0, 65.0]
    read = [67.0, 53.0, 52.0, 55.0, 66.0, 67.0, 65.0]   # s16 babble_000: three notes on the caller's half pitch
    notes = lift_subharmonic_runs(_line(*read), _voice(sung), SR)
    assert [round(n.midi) for n in notes] == sung


def test_a_sung_drop_under_the_line_keeps_its_pitch():
    sung = [65.0, 53.0, 52.0, 55.0, 66.0, 67.0, 65.0]   # sung an octave down: odd harmonics present
    line = _line(*sung)
    assert lift_subharmonic_runs(line, _voice(sung), SR) == line


def test_a_run_that_does_not_return_to_the_line_is_left_alone():
    sung = [67.0, 65.0, 64.0, 67.0, 66.0, 67.0, 65.0]
    read = [67.0, 53.0, 52.0, 55.0, 54.0, 67.0, 65.0]   # the note after the run is low too
    line = _line(*read)
    notes = lift_subharmonic_runs(line, _voice(sung), SR)
    assert [round(n.midi) for n in notes[1:4]] == [53, 52, 55]


def test_a_lone_high_note_with_a_weak_third_and_fifth_harmonic_keeps_its_pitch():
    # r1 heldout_009: B3 (247 Hz) sung between B4 and F#4; 250-1500 Hz holds only its 3rd and 5th harmonics
    sung = [71.0, 59.0, 66.0, 68.0, 69.0, 66.0]
    x = _voice(sung)
    t = np.arange(int(NOTE_S * SR)) / SR
    f = float(midi_to_hz(59.0))
    x[len(t):2 * len(t)] -= sum(0.9 * np.sin(2 * np.pi * h * f * t) / h for h in (3, 5))
    line = _line(*sung)
    assert lift_subharmonic_runs(line, x, SR) == line


def test_single_low_notes_between_high_ones_stay_even_without_odd_harmonics():
    # r2 heldout_007: G#3 alternating with D#4-G#4 (a pedal note), odd harmonics 16 dB under the even ones
    line = _line(68.0, 56.0, 63.0, 56.0, 65.0, 56.0, 68.0)
    heard = [68.0, 68.0, 63.0, 68.0, 65.0, 68.0, 68.0]   # the pedal notes' spectrum: even harmonics only
    assert lift_subharmonic_runs(line, _voice(heard), SR) == line


def test_a_low_note_split_in_two_pieces_counts_as_one_note():
    # r2 heldout_007 at 3.03 s: one G#3 cut in two touching pieces at its pitch, between G#4 and D#4
    line = [NoteEvent(0.0, 0.25, 68.0, 0.8), NoteEvent(0.25, 0.37, 56.0, 0.8), NoteEvent(0.37, 0.5, 56.0, 0.8),
            NoteEvent(0.5, 0.75, 63.0, 0.8), NoteEvent(0.75, 1.0, 68.0, 0.8), NoteEvent(1.0, 1.25, 70.0, 0.8)]
    heard = [68.0, 68.0, 63.0, 68.0, 70.0]   # even harmonics only over the split note
    assert lift_subharmonic_runs(line, _voice(heard), SR) == line
