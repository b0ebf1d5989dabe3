"""Note segmentation's vectorised steps give the same numbers, to the bit, as the code they replace."""
import numpy as np
import pytest

from humitout.audio.notes import callers, core, levels, partials, reattack
from humitout.audio.notes.levels import moving_average, narrow_band_levels_db
from humitout.audio.notes.reattack import detrend_vibrato_level, dip_cuts


def _dip_depth(e, t, win):
    """The dip depth at frame ``t``, frame by frame (the code before the dips were read all at once)."""
    lo = max(t - 1, 0) + int(np.argmin(e[max(t - 1, 0):t + 2]))
    left = e[max(0, lo - win):lo].max() if lo > 0 else e[lo]
    right = e[lo + 1:lo + 1 + win].max() if lo + 1 < len(e) else e[lo]
    return float(min(left, right) - e[lo])


def _loop_dip_cuts(e, win, edge, robust=None, m=None, vibrato=None):
    """``dip_cuts`` frame by frame, with the old sliding-window profile."""
    pad = np.r_[np.full(win, -np.inf), e, np.full(win, -np.inf)]
    wmax = np.lib.stride_tricks.sliding_window_view(pad, win).max(axis=1)
    depth_all = np.minimum(wmax[:len(e)], wmax[win + 1:win + 1 + len(e)]) - e
    prof = np.where(np.isfinite(depth_all), depth_all, 0.0)
    out = []
    for t in range(edge, len(e) - edge):
        if e[t] > e[t - 1] or e[t] > e[t + 1]:
            if robust is None or robust[t] > robust[t - 1] or robust[t] > robust[t + 1]:
                continue
        d = depth = _dip_depth(e, t, win)
        if robust is not None:
            r = _dip_depth(robust, t, win)
            depth = max(d, r)
            if min(d, r) < core.DIP_CONFIRM_DB:
                continue
            if min(d, r) >= reattack.DIP_BOTH_DB:
                depth = max(depth, core.DIP_DB)
        if depth < core.DIP_DB or (out and t - out[-1] <= 2):
            continue
        if m is not None and reattack.pitch_locked_depth(prof, m, t, win) >= reattack.NOTCH_SHARE * depth:
            continue
        if (m is not None and vibrato is not None and robust is not None and r < core.DIP_DB
                and reattack.vibrato_recurrent_dip(prof, m, t, d, *vibrato)):
            continue
        out.append(t)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_dips_read_all_at_once_equal_the_frame_by_frame_loop(seed):
    rng = np.random.default_rng(seed)
    found = 0
    for i in range(150):
        n = int(rng.integers(8, 300))
        e = np.cumsum(rng.normal(0.0, 2.0, n)) + rng.normal(0.0, 3.0, n)
        if i % 3 == 0:
            e = np.round(e)   # equal neighbours: the first lowest frame, as np.argmin
        robust = e + rng.normal(0.0, 2.0, n) if i % 2 else None
        m = 60.0 + np.cumsum(rng.normal(0.0, 0.3, n)) if i % 4 else None
        vibrato = ((13, 22), 40, 25) if i % 5 else None
        win, edge = int(rng.integers(2, 15)), int(rng.integers(1, 5))
        cuts = dip_cuts(e, win, edge, robust, m, vibrato=vibrato)
        assert cuts == _loop_dip_cuts(e, win, edge, robust, m, vibrato)
        found += len(cuts)
    assert found > 500


def test_moving_average_equals_the_edge_padded_convolution():
    v = np.random.default_rng(2).normal(size=57)
    for win in (3, 4, 25):
        ref = np.convolve(np.pad(v, win // 2, mode="edge"), np.ones(win) / win, "valid")[:len(v)]
        assert np.array_equal(moving_average(v, win), ref)


def test_detrending_two_levels_with_one_pitch_wobble_equals_detrending_each():
    rng = np.random.default_rng(4)
    m = 60.0 + 0.3 * np.sin(np.arange(200) / 2.0) + np.r_[np.zeros(100), np.full(100, 3.0)]
    for e in (rng.normal(-20.0, 2.0, 200), -20.0 + 3.0 * np.sin(np.arange(200) / 2.0)):
        wobble = reattack.vibrato_wobble(m, 25)
        assert np.array_equal(detrend_vibrato_level(e, m, 25, wobble=wobble), detrend_vibrato_level(e, m, 25))


@pytest.mark.parametrize("lost_share", [0.0, 0.1])
def test_narrow_band_levels_equal_the_full_spectrum_sums(lost_share):
    sr, n = 16000, 1000
    x = np.random.default_rng(5).normal(0.0, 0.1, sr * 10)
    lost = np.zeros(len(x), bool)
    if lost_share:
        lost[40000:40000 + int(lost_share * len(x))] = True
        x[lost] = 0.0
    hop, nfft = 160, 512
    xp = np.pad(x, (nfft // 2, nfft))
    idx = np.arange(n)[:, None] * hop + np.arange(nfft)[None, :]
    w = np.hanning(nfft)
    spec = np.abs(np.fft.rfft(xp[idx] * w, axis=1)) ** 2
    if lost.any():
        share = levels.live_window_share(lost, n, hop, w)
        spec = np.where(share[:, None] >= 0.5, spec / np.maximum(share, 0.5)[:, None], 0.0)
    f = np.fft.rfftfreq(nfft, 1.0 / sr)
    edges = levels.BAND_EDGES_HZ
    ref = 10.0 * np.log10(np.array([spec[:, (f >= lo) & (f < hi)].sum(axis=1)
                                    for lo, hi in zip(edges[:-1], edges[1:])]) + 1e-12)
    assert np.array_equal(narrow_band_levels_db(x, sr, n, lost=lost), ref)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_welch_psd_in_one_fft_call_equals_scipys_welch(dtype):
    from scipy.signal import welch
    rng = np.random.default_rng(3)
    for n in (2, 7, 256, 1023, 1024, 1025, 1536, 4001, 9000):
        x = (0.1 * rng.standard_normal(n) + 0.3 * np.sin(np.arange(n) * 0.07)).astype(dtype)
        f0, p0 = welch(x, fs=8000, nperseg=min(n, 1024), nfft=4096)
        f1, p1 = partials.welch_psd(x, 8000, min(n, 1024), 4096)
        assert f1.tobytes() == f0.tobytes()
        assert p1.dtype == p0.dtype and p1.tobytes() == p0.tobytes()


def _loop_near_any(onsets, offsets, runs, mask, gap_s):
    """Whether another note of ``mask`` shares each note's voiced run or lies within ``gap_s`` (the loop
    over the masked notes before the pairs were read all at once)."""
    out = np.zeros(len(onsets), bool)
    for j in np.flatnonzero(mask):
        gap = np.maximum(onsets - offsets[j], onsets[j] - offsets)
        out |= (runs == runs[j]) | (gap <= gap_s)
    out[mask] = False
    return out


@pytest.mark.parametrize("seed", range(5))
def test_talker_notes_near_each_note_read_from_all_pairs_equal_the_per_note_loop(seed):
    rng = np.random.default_rng(seed)
    k = 40
    onsets = np.cumsum(rng.uniform(0.05, 0.6, k))
    offsets = onsets + rng.uniform(0.05, 0.5, k)
    runs = np.cumsum(rng.random(k) < 0.4)
    midi = np.round(rng.uniform(55, 70, k) * 4) / 4
    talker = rng.random(k) < 0.3
    near = callers._near_pairs(onsets, offsets, runs, 0.35)
    assert np.array_equal(callers._near_any(near, talker), _loop_near_any(onsets, offsets, runs, talker, 0.35))
    at_pitch = callers._near_any(near & (np.abs(midi[:, None] - midi[None, :]) <= core.JUMP_ST), talker)
    loop = [_loop_near_any(onsets, offsets, runs, talker & (np.abs(midi - m) <= core.JUMP_ST), 0.35)[i]
            for i, m in enumerate(midi)]
    assert np.array_equal(at_pitch, loop)
