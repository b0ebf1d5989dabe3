"""The rhythm analysis's vectorised steps give the same numbers, to the bit, as the loops they replace."""
import numpy as np
import pytest

from humitout.audio.rhythm import (HOP_S, _comb_scores, _corr, _corr_rows, beat_chain_scores, meter_scores,
                                   note_lengths, onset_train)


def _loop_chain_scores(env, offsets, penalty):
    """The beat tracker's dynamic programme frame by frame (the code before it was block-vectorised)."""
    score, back = env.copy(), np.full(len(env), -1)
    for t in range(offsets[0], len(env)):
        prev = t - offsets
        ok = prev >= 0
        prev, cand = prev[ok], score[prev[ok]] + penalty[ok]
        k = int(np.argmax(cand))
        if cand[k] > 0:
            score[t] = env[t] + cand[k]
            back[t] = prev[k]
    return score, back


@pytest.mark.parametrize("period", [12.0, 23.4, 50.0, 87.5])
def test_block_dynamic_programme_equals_the_frame_by_frame_loop(period):
    rng = np.random.default_rng(int(period))
    env = np.where(rng.random(700) < 0.1, rng.random(700) * 3, 0.0) - 0.05 * rng.random(700)
    env[::37] = 1.0   # equal candidates: the first best predecessor wins in both
    lo, hi = max(int(round(0.5 * period)), 1), int(round(2.0 * period))
    offsets = np.arange(lo, hi + 1)
    penalty = -20.0 * np.log2(offsets / period) ** 2
    score, back = beat_chain_scores(env, lo, penalty)
    ref_score, ref_back = _loop_chain_scores(env, offsets, penalty)
    assert np.array_equal(score, ref_score) and np.array_equal(back, ref_back)
    assert (back >= 0).sum() > 100


def test_onset_train_equals_the_pulse_by_pulse_sum():
    rng = np.random.default_rng(3)
    onsets = np.r_[0.0, 0.01, np.sort(rng.random(40) * 9.0), 9.05, 9.3]   # overlapping pulses, both edges
    weights = 0.5 + rng.random(len(onsets))
    n, width = 920, 0.025
    t = np.arange(n) * HOP_S
    ref = np.zeros(n)
    for o, w in zip(onsets, weights):
        lo, hi = max(int((o - 4 * width) / HOP_S), 0), min(int((o + 4 * width) / HOP_S) + 1, n)
        ref[lo:hi] += w * np.exp(-0.5 * ((t[lo:hi] - o) / width) ** 2)
    assert np.array_equal(onset_train(onsets, weights, n), ref)


def test_comb_scores_equal_the_mean_over_the_multiples():
    rng = np.random.default_rng(4)
    ac = rng.normal(size=300)
    lags = np.arange(23, 150)
    ref = [np.mean([ac[k * lag] for k in (1, 2, 3, 4) if k * lag < len(ac)]) for lag in lags]
    assert np.array_equal(_comb_scores(ac, lags), np.array(ref))


def test_row_correlations_equal_corr_per_row():
    rng = np.random.default_rng(5)
    a = rng.random(37)
    rows = np.r_[rng.random((3, 37)), np.ones((1, 37))]   # a flat row correlates 0
    assert _corr_rows(a, rows) == [_corr(a, r) for r in rows]
    assert _corr_rows(np.ones(37), rows) == [0.0] * 4


def test_compound_meter_scores_are_the_simple_scores_of_two_beat_bars():
    rng = np.random.default_rng(6)
    on = np.cumsum(rng.choice([0.25, 0.5, 0.5, 1.0], 30))
    off = on + 0.2
    midi = 60 + rng.integers(-5, 6, 30).astype(float)
    beats = np.arange(0.0, on[-1] + 1.0, 0.5)
    lengths = note_lengths(on, off)
    simple = meter_scores(on, lengths, off, midi, beats, False)
    assert meter_scores(on, lengths, off, midi, beats, True) == {k: v for k, v in simple.items() if k[0] == 2}


def test_corr_has_the_arithmetic_of_numpy_mean_and_std():
    rng = np.random.default_rng(7)
    for n in (3, 7, 8, 9, 33, 130, 400):
        a, b = rng.random(n) * 3, rng.normal(size=n)
        ref = float(np.mean((a - a.mean()) * (b - b.mean())) / (a.std() * b.std()))
        assert _corr(a, b) == ref
    assert _corr(np.ones(9), rng.random(9)) == 0.0
