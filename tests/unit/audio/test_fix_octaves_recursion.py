"""fix_octaves runs its three-state Viterbi on Python floats instead of per-frame array operations:
the same corrections to the bit (checked against the array version kept here as the oracle). Its
speed is measured by the transcribe bench, not here."""
import numpy as np

from humitout.audio.arrays import true_runs
from humitout.audio.f0 import FOLD_COST, JUMP_COST, OCTAVE_JUMP_ST, fix_octaves


def _fix_octaves_per_frame_arrays(midi, voiced):
    """The array-per-frame Viterbi fix_octaves used before (the oracle)."""
    out = midi.copy()
    shifts = np.array([-12.0, 0.0, 12.0])
    for a, b in zip(*true_runs(voiced)):
        m = midi[a:b]
        cand = m[:, None] + shifts[None, :]
        emit = np.where(shifts == 0, 0.0, FOLD_COST)[None, :] + np.where(
            (cand < 33.0) | (cand > 93.0), np.inf, 0.0)
        emit[:, 1] = 0.0
        cost = emit[0].copy()
        back = np.zeros((len(m), 3), dtype=np.int8)
        for t in range(1, len(m)):
            jump = np.abs(cand[t][None, :] - cand[t - 1][:, None]) > OCTAVE_JUMP_ST
            total = cost[:, None] + JUMP_COST * jump
            back[t] = np.argmin(total, axis=0)
            cost = total[back[t], np.arange(3)] + emit[t]
        state = int(np.argmin(cost))
        for t in range(len(m) - 1, -1, -1):
            out[a + t] = cand[t, state]
            state = int(back[t, state])
    return out


def _tracks(seed, n=3000):
    """Wandering pitch tracks with octave flips of 1-40 frames, real leaps, gaps, and pitches near the
    range ends (where a fold would leave 33-93), some on exact semitones (equal costs)."""
    rng = np.random.default_rng(seed)
    midi = np.round(np.cumsum(rng.normal(0, 0.3, n)) + rng.uniform(36, 90), rng.integers(0, 3))
    midi = np.clip(midi, 34.0, 92.0)
    for _ in range(40):
        a = rng.integers(0, n - 40)
        midi[a:a + rng.integers(1, 40)] += rng.choice([-12.0, 12.0, 7.0, -10.0])
    voiced = rng.random(n) > 0.03
    return midi, voiced


def test_fix_octaves_matches_the_per_frame_array_viterbi_to_the_bit():
    for seed in range(12):
        midi, voiced = _tracks(seed)
        assert np.array_equal(fix_octaves(midi, voiced), _fix_octaves_per_frame_arrays(midi, voiced))

