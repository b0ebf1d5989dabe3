"""Octave correction folds a tracker's short octave excursion back into the line it interrupts
(a hum does not jump an octave for a few frames) and leaves real melodies alone."""
import numpy as np

from humitout.audio.f0 import fix_octaves


def test_a_short_octave_excursion_inside_a_note_is_folded_back():
    midi = np.full(100, 60.0)
    midi[40:46] += 12.0  # 60 ms an octave up: the tracker's error, not the singer's
    voiced = np.ones(100, bool)
    assert np.allclose(fix_octaves(midi, voiced), 60.0)


def test_a_melody_with_real_leaps_and_an_unvoiced_gap_is_unchanged():
    midi = np.r_[np.full(50, 60.0), np.full(50, 67.0), np.full(20, 0.0), np.full(50, 72.0)]
    voiced = midi > 0
    assert np.array_equal(fix_octaves(midi, voiced), midi)


def test_octave_flips_on_the_trackers_own_frames_leave_no_in_between_pitches(monkeypatch):
    """swift-f0 answers every 16 ms; a high note it reads at half its pitch on every other frame for
    0.1 s is folded back before the 10 ms interpolation, which would otherwise put pitches half
    way between the octaves there (steps under the jump test's size, so kept as sung)."""
    from types import SimpleNamespace

    from humitout.audio import f0

    ts = np.arange(0.0, 1.0, 0.016)
    midi = np.full(len(ts), 74.0)
    midi[30:37:2] -= 12.0   # every other frame of 0.1 s an octave under: a codec's doubled period
    res = SimpleNamespace(timestamps=ts, pitch_hz=440.0 * 2 ** ((midi - 69) / 12), confidence=np.full(len(ts), 0.9))
    monkeypatch.setattr(f0, "_swift", lambda: SimpleNamespace(detect=lambda x, sr, fmin, fmax: res))
    track = f0.track_f0(np.zeros(16000), 16000)
    assert np.allclose(track.midi[track.voiced], 74.0, atol=0.01)
