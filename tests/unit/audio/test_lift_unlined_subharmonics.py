"""Whole notes the tracker follows an octave under the voice (nothing at their 3rd harmonic) are lifted back."""
import numpy as np

from humitout.audio.f0 import midi_to_hz
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import lift_unlined_subharmonics

SR = 8000
VOICE = (0.0, -6.0, -10.0, -14.0, -18.0)   # harmonics 1-5 of a voice


def _voice(f0_hz: float, dur_s: float, levels_db: tuple[float, ...], seed: int = 0) -> np.ndarray:
    """``dur_s`` s of harmonics 1, 2, ... of ``f0_hz`` at ``levels_db`` (dB) over faint noise."""
    t = np.arange(int(dur_s * SR)) / SR
    x = sum(10.0 ** (db / 20.0) * np.sin(2 * np.pi * h * f0_hz * t) for h, db in enumerate(levels_db, start=1))
    return x + 1e-3 * np.random.default_rng(seed).standard_normal(len(t))


def _call(sung: float, read: float, dur_s: float = 0.8) -> tuple[list[NoteEvent], np.ndarray]:
    """A phrase (0.4 s notes at 62, 64, 65, 64, 62) with a ``dur_s`` s note sung at MIDI ``sung`` but read at
    ``read`` after its third note."""
    notes, parts, t = [], [], 0.0
    for k, m in enumerate([62.0, 64.0, 65.0, 64.0, 62.0]):
        notes.append(NoteEvent(t, t + 0.4, m, 0.9))
        parts.append(_voice(float(midi_to_hz(m)), 0.4, VOICE, seed=k))
        t += 0.4
        if k == 2:
            notes.append(NoteEvent(t, t + dur_s, read, 0.6))
            parts.append(_voice(float(midi_to_hz(sung)), dur_s, VOICE, seed=9))
            t += dur_s
    return notes, np.concatenate(parts)


def test_a_held_note_read_an_octave_under_the_voice_is_lifted():
    notes, x = _call(sung=59.0, read=47.0)
    assert [n.midi for n in lift_unlined_subharmonics(notes, x, SR)] == [62.0, 64.0, 65.0, 59.0, 64.0, 62.0]


def test_a_low_note_sung_there_stays():
    # its 3rd harmonic stands as a line
    notes, x = _call(sung=47.0, read=47.0)
    assert lift_unlined_subharmonics(notes, x, SR) == notes


def test_a_note_near_the_calls_register_stays():
    notes, x = _call(sung=71.0, read=59.0)
    assert lift_unlined_subharmonics(notes, x, SR) == notes


def test_a_short_note_stays():
    notes, x = _call(sung=59.0, read=47.0, dur_s=0.15)
    assert lift_unlined_subharmonics(notes, x, SR) == notes


def test_a_low_note_without_its_octaves_2nd_harmonic_stays():
    # a clean "oo" at the read pitch with no 3rd harmonic: nothing at 4f says a voice sits at 2f
    notes, x = _call(sung=59.0, read=47.0)
    t = np.arange(int(0.8 * SR)) / SR
    f = float(midi_to_hz(47.0))
    lo = int(1.2 * SR)
    x[lo:lo + len(t)] = np.sin(2 * np.pi * f * t) + 0.5 * np.sin(2 * np.pi * 2 * f * t) \
        + 1e-3 * np.random.default_rng(3).standard_normal(len(t))
    assert lift_unlined_subharmonics(notes, x, SR) == notes
