"""Signal front-end before pitch tracking: steady background noise out of noisy calls.

The pitch tracker and the band levels in which re-attack dips are looked for hear the cleaned
signal (a noise floor fills the dip between repeated notes); the level gate, the other dip level
and dropouts are still read from the recording itself (:mod:`humitout.audio.notes`), whose rules
were measured on it.

:func:`suppress_stationary_noise` is a minimum-statistics spectral suppressor: in a
32 ms STFT up to ``max_hz`` (swift-f0 reads 47-2094 Hz), each bin's noise power is the
minimum over ``memory_s`` of its power smoothed over ``smooth_s`` (and over neighbouring
bins, so a slowly wobbling engine or fan line stays covered), times ``over``; the bin keeps
the Wiener-like amplitude gain ``sqrt(max(1 - noise / power, floor))``. A sung note moves
within a few seconds, so its harmonics are not part of the minimum, while a car engine's
or fan's harmonic comb, hiss and the steady floor of several background talkers are.
Calls whose voice band is already ``max_snr_db`` or more above its floor (the 95th minus
the 10th percentile of the 8 ms frame levels, 300 Hz-``max_hz``) are returned untouched:
there the suppressor only thins weak harmonics (measured: codec and clean calls lost
COnP when it was always on).
"""
from __future__ import annotations

import numpy as np
import scipy.fft
from scipy.ndimage import maximum_filter1d, minimum_filter1d, uniform_filter1d
from scipy.signal import ShortTimeFFT
from scipy.signal.windows import hann


def stationary_gain(power: np.ndarray, hop_s: float, *, memory_s: float = 4.0, smooth_s: float = 0.2,
                    spread_bins: int = 1, over: float = 2.0, floor_db: float = -20.0) -> np.ndarray:
    """Amplitude gain (bins, frames) in [10^(floor_db/20), 1] that removes the steady part of
    ``power`` (bins, frames; frames ``hop_s`` s apart): noise = ``over`` x the minimum over
    ``memory_s`` s of the power smoothed over ``smooth_s`` s and +-``spread_bins`` bins."""
    ps = uniform_filter1d(power, max(1, int(round(smooth_s / hop_s))), axis=1)
    if spread_bins:
        ps = maximum_filter1d(ps, 2 * spread_bins + 1, axis=0)
    noise = over * minimum_filter1d(ps, max(1, int(round(memory_s / hop_s))), axis=1, mode="nearest")
    return np.sqrt(np.maximum(1.0 - noise / np.maximum(power, 1e-20), 10.0 ** (floor_db / 10)))


def band_snr_db(power: np.ndarray, freqs_hz: np.ndarray, lo_hz: float = 300.0) -> float:
    """Voice-band level span (dB) of an STFT ``power`` (bins, frames) at bin frequencies
    ``freqs_hz``: 95th minus 10th percentile of the frame levels from ``lo_hz`` up."""
    lvl = 10 * np.log10(power[freqs_hz >= lo_hz].sum(axis=0) + 1e-20)
    return float(np.percentile(lvl, 95) - np.percentile(lvl, 10))


def stft_all_frames(transform: ShortTimeFFT, x: np.ndarray) -> np.ndarray:
    """``transform.stft(x)`` (bins, frames) of a real ``x`` (n,), computed on all frames at once:
    the same zero-padded frames (``p_min`` to ``p_max``), window, phase shift and one-sided FFT, to
    the last bit. scipy's ``stft`` transforms one frame at a time in Python, which was most of the
    suppressor's CPU (0.0045 CPU-s per audio-s on dev)."""
    m, mid, hop = transform.m_num, transform.m_num_mid, transform.hop
    start = transform.p_min * hop - mid
    end = (transform.p_max(len(x)) - 1) * hop - mid + m
    pad_left = max(-start, 0)
    padded = np.pad(x, (pad_left, max(end - len(x), 0)))
    frames = np.lib.stride_tricks.sliding_window_view(padded, m)[start + pad_left:end + pad_left - m + 1:hop]
    shift = (transform.phase_shift + mid) % m
    # the windowed frames, rotated left by ``shift`` as they are written (np.roll of the product would
    # copy them once more)
    win = transform.win
    rolled = np.empty(frames.shape, np.result_type(frames, win))
    np.multiply(frames[:, shift:], win[shift:], out=rolled[:, :m - shift])
    np.multiply(frames[:, :shift], win[:shift], out=rolled[:, m - shift:])
    return np.fft.rfft(rolled, n=transform.mfft, axis=1).T


def istft_all_frames(transform: ShortTimeFFT, z: np.ndarray, n: int) -> np.ndarray:
    """``transform.istft(z, k1=n)`` (n,) of a one-sided ``z`` (bins, frames), with the inverse FFTs
    of all frames at once: the same inverse FFT, phase shift and dual window per frame, then the
    same overlap-add in frame order, to the last bit. scipy's ``istft`` inverts one frame at a time
    in Python (0.15 CPU-s for a 20 s call, most of the suppressor's CPU on noisy calls)."""
    m, mid, hop, p_min = transform.m_num, transform.m_num_mid, transform.hop, transform.p_min
    frames = scipy.fft.irfft(z.T, n=transform.mfft, axis=-1)
    frames = np.roll(frames, ((transform.phase_shift or 0) + mid) % m, axis=-1)[:, :m] * transform.dual_win
    n_pts = transform.nearest_k_p(n, left=False) - transform.nearest_k_p(0) + m - mid
    x = np.zeros(n_pts)
    for q in range(p_min, min(transform.p_max(n), z.shape[1] + p_min)):
        i0 = q * hop - mid
        i1 = min(i0 + m, n_pts)
        j0, j1 = max(-i0, 0), i1 - i0
        x[max(i0, 0):i1] += frames[q - p_min, j0:j1]
    return x[:n]


def suppress_stationary_noise(x: np.ndarray, sr: int, *, win_s: float = 0.032, overlap: int = 4,
                              max_hz: float = 2100.0, max_snr_db: float = 20.0, memory_s: float = 4.0,
                              smooth_s: float = 0.2, spread_bins: int = 1, over: float = 2.0,
                              floor_db: float = -20.0) -> np.ndarray:
    """``x`` (n,) at ``sr`` Hz with its steady background noise under ``max_hz`` Hz suppressed
    (module docstring); ``x`` itself when its voice band is ``max_snr_db`` dB or more above its
    floor. ``win_s`` s periodic-Hann STFT frames (scipy's ``ShortTimeFFT``, exact inverse; computed by
    :func:`stft_all_frames` and :func:`istft_all_frames`), ``overlap``
    frames per window; see :func:`stationary_gain`."""
    nper = int(round(win_s * sr))
    hop = nper // overlap
    if len(x) < nper:
        return x
    transform = ShortTimeFFT(hann(nper, sym=False), hop, sr)
    z = stft_all_frames(transform, x)
    low = transform.f <= max_hz
    power = np.abs(z[low]) ** 2
    if band_snr_db(power, transform.f[low]) >= max_snr_db:
        return x
    z[low] *= stationary_gain(power, hop / sr, memory_s=memory_s, smooth_s=smooth_s,
                              spread_bins=spread_bins, over=over, floor_db=floor_db)
    return istft_all_frames(transform, z, len(x))
