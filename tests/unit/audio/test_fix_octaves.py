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
