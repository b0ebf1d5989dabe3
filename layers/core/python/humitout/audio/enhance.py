"""Signal front-end before pitch tracking: a room's late reverberation out of reverberant calls,
steady background noise out of noisy calls (:func:`enhance_call`).

The pitch tracker and the band levels in which re-attack dips are looked for hear the cleaned
signal (a noise floor fills the dip between repeated notes); the level gate hears the call freed of
reverberation only (a tail holds it open past a note's end); the other dip level and dropouts are
still read from the recording itself (:mod:`humitout.audio.notes`), whose rules were measured on it.

:func:`wpe_dereverberate` is single-channel WPE (weighted prediction error) in the same STFT; it
runs only on calls :func:`fastest_decay_s` finds reverberant, so dry calls pass to the bit. It is
written here in numpy (and scipy's BLAS ``cherk`` for each bin's weighted correlations) rather than
taken from ``nara_wpe`` (Paderborn), whose package also pulls in tqdm, soundfile (libsndfile) and
bottleneck for a 30-line computation.

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
COnP when it was always on) -- unless steady noise under 300 Hz, which that reading cannot
see but the tracker hears (a car's road rumble and engine firing harmonics, a fan's 80-240 Hz
blade-pass tone), takes the same reading over the tracker's band (from ``track_lo_hz``) under
``max_snr_db`` and ``low_noise_db`` or more under the voice band's. On stress noise calls whose
voice band reads 20-26 dB such noise reads 2.3-12.8 dB lower there (11-19 dB), and the tracker
follows it (a fan's 98 Hz tone read for a female voice's notes). Of the other 2,776 calls
(every other stress condition on seeds 10-25, dev, the held-out stand-ins r1-r4), none whose voice
band reads 20 dB or more reads under 19.5 dB over the tracker band, and the nine under 20 dB there
(babble, r1, r3, all reading 20.0-20.8 dB) read only 0.3-0.9 dB under the voice band: they sit on
the 20 dB limit's own edge, with no noise under 300 Hz to speak of, and stay untouched.
"""
from __future__ import annotations

import numpy as np
import scipy.fft
import scipy.linalg.blas
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


def voice_band_level_db(power: np.ndarray, freqs_hz: np.ndarray, lo_hz: float = 300.0) -> np.ndarray:
    """Voice-band level (frames,, dB) of an STFT ``power`` (bins, frames) at bin frequencies
    ``freqs_hz``: the frame power from ``lo_hz`` up."""
    return 10 * np.log10(power[freqs_hz >= lo_hz].sum(axis=0) + 1e-20)


def level_spread_db(level_db: np.ndarray) -> float:
    """How far a call's voice stands over its steady floor (dB): the 95th minus the 10th percentile
    of its frame levels ``level_db`` (frames,, dB)."""
    return float(np.percentile(level_db, 95) - np.percentile(level_db, 10))


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
    in Python (0.15 CPU-s for a 20 s call, most of the suppressor's CPU on noisy calls).

    The overlap-add (:func:`overlap_add_in_frame_order`) adds each ``hop``-long piece of the frames
    for all frames at once; the phase shift is one gather, not a roll and a slice (together a third
    of this function's CPU, measured on four noisy calls)."""
    m, mid, hop, p_min = transform.m_num, transform.m_num_mid, transform.hop, transform.p_min
    frames = scipy.fft.irfft(z.T, n=transform.mfft, axis=-1)
    # np.roll(frames, shift, axis=-1)[:, :m]: column j is column (j - shift) mod mfft
    frames = np.take(frames, (np.arange(m) - ((transform.phase_shift or 0) + mid) % m) % transform.mfft, axis=-1)
    frames *= transform.dual_win
    n_pts = transform.nearest_k_p(n, left=False) - transform.nearest_k_p(0) + m - mid
    used = max(min(transform.p_max(n), z.shape[1] + p_min) - p_min, 0)
    return overlap_add_in_frame_order(frames[:used], hop, p_min * hop - mid, n_pts)[:n]


def overlap_add_in_frame_order(frames: np.ndarray, hop: int, first: int, n: int) -> np.ndarray:
    """The (n,) sum of ``frames`` (q, m), frame ``i`` starting at sample ``first + i * hop`` (parts
    before 0 or from ``n`` on dropped), each sample's frames added to 0.0 in frame order, as a loop
    over the frames adds them (so the same bits): the frames are cut into ``hop``-long pieces and
    piece ``c`` of every frame is added at once, from the last piece to the first (a sample gets
    piece ``c`` of frame ``i`` before piece ``c - 1`` of frame ``i + 1``)."""
    count, m = frames.shape
    left = max(-first, 0)
    out = np.zeros(left + max(n, first + (count + -(-m // hop)) * hop) + hop, np.result_type(frames, 0.0))
    if count:
        for c in reversed(range(0, m, hop)):
            width = min(hop, m - c)
            start = left + first + c
            piece = np.lib.stride_tricks.as_strided(out[start:], shape=(count, width),
                                                    strides=(hop * out.itemsize, out.itemsize))
            piece += frames[:, c:c + width]
    return out[left:left + n]


def fastest_decay_s(level_db: np.ndarray, hop_s: float, *, drop_db: float = 30.0, max_s: float = 1.0,
                    top_db: float = 15.0, above_floor_db: float = 3.0, merge_s: float = 0.3) -> tuple[float, int]:
    """The fastest fall of a frame level ``level_db`` (n,, dB; frames ``hop_s`` s apart) by ``drop_db``
    dB, in s, and the number of falls it is the fastest of. A fall starts at a frame within ``top_db``
    of the 95th-percentile level whose level less ``drop_db`` is ``above_floor_db`` or more above the
    5th percentile (the fall is not lost in the noise floor), and ends at the first frame within
    ``max_s`` s that is ``drop_db`` under it; falls ending within ``merge_s`` s of each other count
    as one (the frames of one note fall into its one tail, whose noise-like fine structure moves the
    frame where it crosses the line by a few hundred ms). (inf, 0) when no fall is measurable."""
    w = max(1, int(round(max_s / hop_s)))
    start = ((level_db >= np.percentile(level_db, 95) - top_db)
             & (level_db - drop_db >= np.percentile(level_db, 5) + above_floor_db))
    idx = np.flatnonzero(start)
    if not len(idx):
        return float("inf"), 0
    ahead = np.lib.stride_tricks.sliding_window_view(np.r_[level_db, np.full(w, np.inf)][1:], w)[idx]
    below = ahead < (level_db[idx] - drop_db)[:, None]
    hit = below.any(axis=1)
    if not hit.any():
        return float("inf"), 0
    steps = np.argmax(below[hit], axis=1) + 1
    ends = np.unique(idx[hit] + steps)
    return float(steps.min() * hop_s), int(1 + np.count_nonzero(np.diff(ends) * hop_s > merge_s))


def wpe_dereverberate(z: np.ndarray, *, taps: int = 20, delay: int = 3, iterations: int = 3,
                      floor_db: float = -60.0) -> np.ndarray:
    """Single-channel weighted prediction error dereverberation (Nakatani et al. 2010, Yoshioka &
    Nakatani 2012) of an STFT ``z`` (bins, frames): in each bin the late reverberation is predicted
    from the ``taps`` frames that lie ``delay`` frames and more in the past and subtracted; the
    prediction filter minimises the error power weighted by the inverse of the desired signal's
    power (estimated by the previous iteration, ``iterations`` times, floored ``floor_db`` dB under
    the bin's mean power). Frames closer than ``delay`` (the direct sound and early reflections,
    which a voice's own attack and pitch live in) are left to the signal.

    Each bin is its own problem, worked one at a time (:func:`_wpe_bin`): its (taps + 1, frames)
    arrays stay in the cache over all iterations, and its weighted correlations come from one
    Hermitian rank-k update (BLAS ``cherk``), which computes only half of the symmetric product
    and gives the filter's right-hand side with it. The whole call's (bins, taps, frames) arrays
    (70-140 MB for a 27 s call, allocated afresh in each iteration) went through memory several
    times an iteration (0.0164 CPU-s per audio-s on six speakerphone calls); blocks of 4 bins with
    numpy's batched products took 0.0065; this takes 40 % less than those blocks (one BLAS thread,
    paired; outputs within 1e-5 of them, tests/bench/HISTORY.md stop 70)."""
    z = z.astype(np.complex64)                           # single precision: half the CPU, ample for a filter
    floor = 10.0 ** (floor_db / 10) * np.mean(np.abs(z) ** 2, axis=1) + 1e-20
    out = np.empty(z.shape, np.complex128)
    for b in range(len(z)):
        out[b] = _wpe_bin(z[b], floor[b], taps=taps, delay=delay, iterations=iterations)
    return out


def _wpe_bin(z: np.ndarray, floor: float, *, taps: int, delay: int, iterations: int) -> np.ndarray:
    """:func:`wpe_dereverberate` of one bin ``z`` (frames,; complex64) with its power floor
    ``floor``: the filter ``g`` solves ``R g = r``, ``R = sum_t w_t conj(p_t) p_t^T`` and ``r = sum_t
    w_t conj(p_t) z_t`` over the past frames ``p_t`` (taps,) and the weights ``w_t``; both are blocks
    of the Gram matrix of the rows ``[p; z]`` scaled by ``sqrt(w)``."""
    frames = len(z)
    rows = np.zeros((taps + 1, frames), z.dtype)        # rows[k, t] = z[t - delay - k]; the last row z itself
    for k, lag in enumerate(range(delay, delay + taps)):
        if lag < frames:
            rows[k, lag:] = z[:frames - lag]
    rows[taps] = z
    past = rows[:taps]
    out = z
    for _ in range(iterations):
        root = (1.0 / np.sqrt(np.maximum(out.real ** 2 + out.imag ** 2, floor))).astype(np.float32)
        upper = scipy.linalg.blas.cherk(1.0, (rows * root).T, trans=2, lower=0)   # conj(A) A^T, upper half
        gram = np.triu(upper) + np.triu(upper, 1).conj().T
        corr, cross = gram[:taps, :taps], gram[:taps, taps]
        load = 1e-6 * np.trace(corr).real + 1e-30
        g = np.linalg.solve(corr + load * np.eye(taps), cross)
        out = z - g @ past
    return out


def enhance_call(x: np.ndarray, sr: int, *, win_s: float = 0.032, overlap: int = 4, max_hz: float = 2100.0,
                 max_snr_db: float = 20.0, track_lo_hz: float = 47.0, low_noise_db: float = 2.0,
                 memory_s: float = 4.0, smooth_s: float = 0.2, spread_bins: int = 1,
                 over: float = 2.0, floor_db: float = -20.0, reverb_decay_db: float = 30.0,
                 min_decay_s: float = 0.15, min_falls: int = 3, tail_decay_db: float = 20.0,
                 min_tail_s: float = 0.10, min_tail_falls: int = 5, dereverb_max_hz: float = 3000.0,
                 wpe_taps: int = 20, wpe_delay: int = 3, wpe_iterations: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """``(dry, clean)``: ``x`` (n,) at ``sr`` Hz freed of a room's late reverberation under
    ``dereverb_max_hz`` Hz when the call is reverberant (:func:`wpe_dereverberate`; ``x`` itself
    otherwise), and that signal with its steady background noise under ``max_hz`` Hz suppressed
    (module docstring; ``dry`` itself when its voice band, 300 Hz-``max_hz``, is ``max_snr_db`` dB or
    more above its floor, unless its tracker band, ``track_lo_hz``-``max_hz``, is under ``max_snr_db``
    and ``low_noise_db`` dB or more under the voice band: steady noise under 300 Hz).

    A call is reverberant when its voice band level (300 Hz-``max_hz``, 8 ms frames) never falls
    ``reverb_decay_db`` dB in under ``min_decay_s`` s over at least ``min_falls`` separate measurable
    falls (:func:`fastest_decay_s`): a voice stops within 20-60 ms (dry calls, codecs and
    suppressors included: fastest 30 dB fall 0.02-0.07 s), while in a room the reverberant tail left
    after the direct sound's drop (the direct-to-reverberant ratio, 0-10 dB for a speakerphone at
    arm's length) falls 60 dB per RT60, so 0.15 s for 30 dB is an RT60 of about 0.3-0.4 s, a
    furnished living room's. With fewer falls (noisy calls, whose floor is under 30 dB down, or one
    legato phrase whose rests the room's tail fills) the call is still reverberant when it falls
    ``reverb_decay_db`` at least once, never in under ``min_decay_s`` s, and falls ``tail_decay_db`` dB
    at least ``min_tail_falls`` times, never in under ``min_tail_s`` s (a voice stops 20 dB within
    20-50 ms: dev calls that fall 20 dB 5 times or more do it in 0.02-0.09 s, clean stress calls in
    0.02-0.03 s, speakerphone calls in 0.04-0.34 s); otherwise there is too little to tell, and the call is taken as dry.

    The room is taken out only up to ``dereverb_max_hz``: the tracker hears up to 2.1 kHz, and the levels and the
    harmonic envelope the note stage reads live mostly under 3 kHz. On 25 speakerphone sets (stress seeds 10-21,
    28-31, 36-39, 50, 71 and 71's child, diphone and nasal voices through a speakerphone: 300 calls) 3 kHz gives
    the COnP of 4 kHz (seeds 10-21 0.9552 -> 0.9549, the others 0.9499 -> 0.9500; 2.5 kHz 0.9547 and 0.9499, with
    more calls moved) for 8 % less CPU on those calls (paired, seeds 10-11: 0.0196 -> 0.0179 CPU-s per audio-s).

    ``win_s`` s periodic-Hann STFT frames (scipy's ``ShortTimeFFT``, exact inverse; computed by
    :func:`stft_all_frames` and :func:`istft_all_frames`), ``overlap`` frames per window; see
    :func:`stationary_gain` and :func:`wpe_dereverberate` (``wpe_taps``, ``wpe_delay`` frames,
    ``wpe_iterations``)."""
    nper = int(round(win_s * sr))
    hop = nper // overlap
    if len(x) < nper:
        return x, x
    transform = ShortTimeFFT(hann(nper, sym=False), hop, sr)
    z = stft_all_frames(transform, x)
    low = transform.f <= max_hz
    power = np.abs(z[low]) ** 2
    level = voice_band_level_db(power, transform.f[low])
    dry = x
    if min_decay_s < np.inf:
        fastest, falls = fastest_decay_s(level, hop / sr, drop_db=reverb_decay_db)
        reverberant = fastest >= min_decay_s and falls >= min_falls
        if not reverberant and fastest >= min_decay_s and falls >= 1:   # too few 30 dB falls: the 20 dB ones
            tail, tail_falls = fastest_decay_s(level, hop / sr, drop_db=tail_decay_db)
            reverberant = tail_falls >= min_tail_falls and tail >= min_tail_s
        if reverberant:
            band = transform.f <= dereverb_max_hz
            z[band] = wpe_dereverberate(z[band], taps=wpe_taps, delay=wpe_delay, iterations=wpe_iterations)
            dry = istft_all_frames(transform, z, len(x)).astype(x.dtype)
            power = np.abs(z[low]) ** 2
            level = voice_band_level_db(power, transform.f[low])
    snr = level_spread_db(level)
    if snr >= max_snr_db:   # the voice band reads clean: is there steady noise under it the tracker hears?
        heard_snr = level_spread_db(voice_band_level_db(power, transform.f[low], lo_hz=track_lo_hz))
        if not (heard_snr < max_snr_db and heard_snr <= snr - low_noise_db):
            return dry, dry
    z[low] *= stationary_gain(power, hop / sr, memory_s=memory_s, smooth_s=smooth_s,
                              spread_bins=spread_bins, over=over, floor_db=floor_db)
    return dry, istft_all_frames(transform, z, len(x))


def suppress_stationary_noise(x: np.ndarray, sr: int, **kw) -> np.ndarray:
    """``x`` (n,) at ``sr`` Hz with its steady background noise suppressed and no dereverberation:
    the ``clean`` of :func:`enhance_call` (keywords) with ``min_decay_s`` infinite."""
    return enhance_call(x, sr, **{"min_decay_s": np.inf, **kw})[1]
