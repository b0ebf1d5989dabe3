"""reread_over_register: frames the tracker read far over the caller's register (a resonance near 1.1 kHz over a low
voice) are read again in the caller's band and come back at the voice's own pitch; a sung note an octave over
the caller's middle is not asked."""
import numpy as np
from hum_synth import steady_voice

from humitout.audio.f0 import PitchTrack, midi_to_hz, reread_over_register
from humitout.audio.notes.levels import frame_energy_db

SR = 16000
HOP = 0.01
T = np.arange(int(3.0 * SR)) / SR
FRAMES = np.arange(int(3.0 / HOP)) * HOP


def _call() -> tuple[np.ndarray, np.ndarray]:
    """3 s: a low voice holds MIDI 53 (0.1-1.4 s), then 51 (1.5-2.9 s), its harmonics near 1.1 kHz 12 dB up (a
    nasal resonance through a loudspeaker). (samples, frame energy dB)"""
    x = np.zeros(len(T))
    for a, b, midi in ((0.1, 1.4, 53.0), (1.5, 2.9, 51.0)):
        on = (T >= a) & (T < b)
        f = float(midi_to_hz(midi))
        resonance = sum(3.0 * np.sin(2 * np.pi * h * f * T) for h in range(1, 26) if abs(h * f - 1100.0) < 150.0)
        x += 0.05 * on * (steady_voice(T, midi) + resonance)
    x += 1e-4 * np.random.default_rng(5).standard_normal(len(T))
    return x, frame_energy_db(x, SR, len(FRAMES), HOP)


def _first_pass(second_note_read_at: float) -> PitchTrack:
    """The tracker's first reading: 53 and 51 at confidence 0.8, but the second note's 1.9-2.3 s read at
    ``second_note_read_at``."""
    first, second = (FRAMES >= 0.1) & (FRAMES < 1.4), (FRAMES >= 1.5) & (FRAMES < 2.9)
    off = (FRAMES >= 1.9) & (FRAMES < 2.3)
    midi = np.where(first, 53.0, np.where(off, second_note_read_at, 51.0))
    return PitchTrack(hz=np.asarray(midi_to_hz(midi), float), confidence=np.where(first | second, 0.8, 0.0),
                      voiced=first | second, hop_s=HOP)


def test_reading_at_a_resonance_far_over_the_register_comes_back_to_the_voice():
    x, energy = _call()
    out = reread_over_register(_first_pass(85.0), energy, x, SR).midi
    assert np.all(np.abs(out[195:225] - 51.0) < 0.5)
    assert np.all(np.abs(out[20:130] - 53.0) < 1e-6)           # the readings in the register stay as read


def test_note_an_octave_over_the_middle_is_not_asked():
    # a sung leap an octave up is a melody's; only readings 15 semitones or more over the middle are asked
    x, energy = _call()
    track = _first_pass(64.0)
    assert np.array_equal(reread_over_register(track, energy, x, SR).hz, track.hz)


def test_hum_far_over_the_callers_talking_voice_is_not_asked_down():
    # the caller talked at MIDI 41 for 1.6 s, then hummed 57 for 1 s: the hum is no resonance of the talk
    t = np.arange(int(3.0 * SR)) / SR
    frames = np.arange(int(3.0 / HOP)) * HOP
    x = np.zeros(len(t))
    talk, hum = (t >= 0.1) & (t < 1.7), (t >= 1.8) & (t < 2.8)
    x += 0.05 * talk * steady_voice(t, 41.0) + 0.05 * hum * steady_voice(t, 57.0)
    x += 1e-4 * np.random.default_rng(5).standard_normal(len(t))
    energy = frame_energy_db(x, SR, len(frames), HOP)
    talked, hummed = (frames >= 0.1) & (frames < 1.7), (frames >= 1.8) & (frames < 2.8)
    midi = np.where(talked, 41.0, 57.0)
    track = PitchTrack(hz=np.asarray(midi_to_hz(midi), float), confidence=np.where(talked | hummed, 0.8, 0.0),
                       voiced=talked | hummed, hop_s=HOP)
    assert np.array_equal(reread_over_register(track, energy, x, SR).hz, track.hz)
