"""Mastering: loudness and true-peak measurement, gentle bus compression and a look-ahead limiter.

Every mix (full mix, backing track, and any other stereo mix a caller adds) goes through
the same chain, each to its own target:

1. one linear gain brings the raw mix to ``target_lufs`` (this is also the stems' gain);
2. pedalboard's :class:`~pedalboard.Compressor` (JUCE's) glues the bus: 2:1 above a threshold
   1 dB under the target loudness, 30 ms attack, 200 ms release: 1-3 dB of gain reduction
   on the loudest passages;
3. a look-ahead peak limiter (:func:`look_ahead_limit`: the gain starts falling
   ``lookahead_ms`` before a peak, so nothing is clipped, and recovers with ``release_ms``),
   with the input gain searched so the limited mix is at ``target_lufs`` integrated
   (ITU-R BS.1770, pyloudnorm) and its true peak (4x oversampled) at or under the ceiling.

pedalboard's own ``Limiter`` is JUCE's ``dsp::Limiter``: two compressors and a hard clipper,
with no look-ahead, so its fast transients are clipped; the limiter here is a few numpy lines.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pedalboard
import pyloudnorm
from scipy.signal import firwin, sosfilt, upfirdn

from humitout.audio.arrays import true_runs

TARGET_LUFS = -14.0
TRUE_PEAK_CEILING_DBTP = -1.0
TRUE_PEAK_MARGIN_DB = 0.05
"""Kept below the ceiling so 24-bit rounding and MP3 preview encoding cannot lift a peak over it."""
TRUE_PEAK_OVERSAMPLING = 4


def _true_peak_filter() -> np.ndarray:
    """Interpolation low-pass for 4x oversampling: 48 taps, 12 per phase (the size of BS.1770-4's example)."""
    return firwin(12 * TRUE_PEAK_OVERSAMPLING, 1 / TRUE_PEAK_OVERSAMPLING, window=("kaiser", 5.0)) * TRUE_PEAK_OVERSAMPLING


TRUE_PEAK_FIR = _true_peak_filter()
TRUE_PEAK_FIR_GAIN = max(np.abs(TRUE_PEAK_FIR[p::TRUE_PEAK_OVERSAMPLING]).sum() for p in range(TRUE_PEAK_OVERSAMPLING))
"""Largest gain of any phase on any input: an oversampled value is at most this times the
largest input sample it is computed from."""

CHUNK_SAMPLES = 48_000
"""Long arrays are processed in pieces of about this many samples (1 s at 48 kHz) so no full-length
temporary is made: every fresh large array costs page faults, most of the mastering's CPU time
on a loaded virtual machine. Results are the same to the bit as whole-array processing."""


def _abs_peak(audio: np.ndarray) -> float:
    """Largest absolute sample of ``audio`` (0.0 if empty), without an ``abs`` copy."""
    return max(float(audio.max()), -float(audio.min())) if audio.size else 0.0


def _block_abs_peaks(audio: np.ndarray, block_samples: int) -> np.ndarray:
    """Largest absolute sample over all channels of ``(channels, n)`` audio in each run of
    ``block_samples`` samples (the last block may be shorter), ``(ceil(n / block_samples),)`` in
    the audio's dtype, without an ``abs`` copy."""
    n = audio.shape[1]
    full = n // block_samples * block_samples
    blocks = audio[:, :full].reshape(len(audio), -1, block_samples)
    peaks = np.maximum(blocks.max(axis=2), -blocks.min(axis=2)).max(axis=0)
    return np.r_[peaks, _abs_peak(audio[:, full:])].astype(audio.dtype) if full < n else peaks


def true_peak_dbtp(audio: np.ndarray, block_samples: int = 1024, blocks_per_call: int = 32) -> float:
    """True peak of ``(channels, n_samples)`` audio in dBTP (4x oversampled; -inf if silent).

    Only blocks whose neighbourhood could, at :data:`TRUE_PEAK_FIR_GAIN`, exceed the sample
    peak are oversampled (``block_samples`` each, up to ``blocks_per_call`` neighbouring blocks in
    one filter call); the others cannot hold the true peak, so the result is exact.
    """
    sample_peak = _abs_peak(audio)
    if sample_peak == 0.0:
        return -np.inf
    peak = sample_peak
    context = len(TRUE_PEAK_FIR)  # input samples either side, more than the filter spans
    delay = len(TRUE_PEAK_FIR) // 2  # output samples from an input sample to its interpolated value
    for channel in audio:
        block_peak = _block_abs_peaks(channel[None], block_samples)
        neighbourhood_peak = np.maximum(block_peak, np.maximum(np.r_[0, block_peak[:-1]], np.r_[block_peak[1:], 0]))
        candidate = neighbourhood_peak * TRUE_PEAK_FIR_GAIN > sample_peak
        # Consecutive candidate blocks are oversampled together (the same values, far fewer calls),
        # at most ``blocks_per_call`` at a time so the oversampled buffers stay small.
        run_starts, run_stops = true_runs(candidate)
        runs = [(first, min(first + blocks_per_call, end)) for run_start, end in zip(run_starts.tolist(), run_stops.tolist())
                for first in range(run_start, end, blocks_per_call)]
        for first, end in runs:
            start, stop = first * block_samples, min(len(channel), end * block_samples)
            lo, hi = max(0, start - context), min(len(channel), stop + context)
            upsampled = upfirdn(TRUE_PEAK_FIR, channel[lo:hi].astype(np.float64), up=TRUE_PEAK_OVERSAMPLING)
            core = upsampled[(start - lo) * TRUE_PEAK_OVERSAMPLING + delay : (stop - lo) * TRUE_PEAK_OVERSAMPLING + delay]
            peak = max(peak, float(np.abs(core).max()))
    return float(20 * np.log10(peak))


K_WEIGHTING_48K = np.array([
    [1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241, 0.73248077421585],
    [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621],
])
"""ITU-R BS.1770-4's K-weighting at 48 kHz (high shelf, then high pass), as second-order sections."""


def integrated_lufs(audio: np.ndarray, sample_rate_hz: int) -> float:
    """ITU-R BS.1770-4 integrated loudness of ``(channels, n_samples)`` audio (L/R weight 1) in LUFS
    (-inf if silent).

    At 48 kHz: the standard's K-weighting coefficients, 400 ms blocks with 75 % overlap from
    cumulative sums, -70 LUFS absolute and -10 LU relative gates (agrees with pyloudnorm to
    0.05 LU, whose filter is a re-design of the same curve, at half its cost); other rates use pyloudnorm."""
    if sample_rate_hz != 48_000:
        return float(pyloudnorm.Meter(sample_rate_hz).integrated_loudness(audio.T))
    block, hop = 19_200, 4_800  # 400 ms, 100 ms
    audio = np.atleast_2d(audio)
    n = audio.shape[-1]
    if n < block:
        return -np.inf
    end = (n - block) // hop * hop + block  # the end of the last whole block
    # Running sum of the K-weighted energy (all channels) at every hop edge, filtered and summed in
    # chunks of whole hops, the filter state carried across: the same sums as over the whole signal.
    cumulative = np.zeros(end // hop + 1)
    state = np.zeros((len(audio), len(K_WEIGHTING_48K), 2))
    chunk = max(1, CHUNK_SAMPLES // hop) * hop
    for start in range(0, end, chunk):
        stop = min(end, start + chunk)
        energy = np.zeros(stop - start + 1)
        energy[0] = cumulative[start // hop]
        for c, channel in enumerate(audio):
            weighted, state[c] = sosfilt(K_WEIGHTING_48K, channel[start:stop], zi=state[c])
            energy[1:] += np.square(weighted, out=weighted)
        cumulative[start // hop + 1 : stop // hop + 1] = np.cumsum(energy, out=energy)[hop::hop]
    power = (cumulative[block // hop :] - cumulative[: -(block // hop)]) / block
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(power)
    gated = power[loudness > -70.0]
    if not gated.size:
        return -np.inf
    relative_gate = -0.691 + 10 * np.log10(gated.mean()) - 10.0
    return float(-0.691 + 10 * np.log10(power[loudness > relative_gate].mean()))


def look_ahead_limit(audio: np.ndarray, sample_rate_hz: int, *, ceiling_db: float, lookahead_ms: float = 5.0,
                     release_ms: float = 80.0, block_ms: float = 1.0,
                     out: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Limit ``(channels, n)`` float audio so no sample exceeds ``ceiling_db`` dBFS (stereo-linked).

    The gain is computed per block of ``block_ms``: each block's needed reduction (dB) is
    reached by a linear-in-dB ramp that starts ``lookahead_ms`` before it (attack), and eases
    back exponentially with time constant ``release_ms``; between block edges the gain is
    interpolated linearly and never rises above what either neighbouring block needs, so
    every sample is at or under the ceiling. Returns (limited float32 audio, largest
    reduction in dB, >= 0); the audio is written into ``out`` (float32, ``audio``'s shape, may
    be ``audio`` itself) when given, else into a new array (or is ``audio`` if float32 and untouched).
    """
    block = max(1, round(block_ms * sample_rate_hz / 1000))
    n = audio.shape[1]
    n_blocks = -(-n // block)
    block_peak = _block_abs_peaks(audio, block).astype(np.float32, copy=False)
    with np.errstate(divide="ignore"):
        need_db = np.minimum(0.0, ceiling_db - 20 * np.log10(np.maximum(block_peak, 1e-12)))
    if not need_db.any():
        if out is None:
            return audio.astype(np.float32, copy=False), 0.0
        if out is not audio:
            np.copyto(out, audio)
        return out, 0.0
    ahead = max(1, round(lookahead_ms / block_ms))
    padded = np.r_[need_db, np.zeros(ahead)]
    attack = need_db.copy()
    for d in range(1, ahead + 1):  # the reduction a peak d blocks ahead asks for now
        np.minimum(attack, padded[d : d + n_blocks] * (1 - d / (ahead + 1)), out=attack)
    decay = float(np.exp(-block_ms / release_ms))
    # Release is followed for 7 time constants after the last reduction (then < 0.1 % is left).
    span = round(7 * release_ms / block_ms)
    positions = np.arange(n_blocks)
    last_reduction = np.maximum.accumulate(np.where(attack < 0, positions, -span - 1))
    active = np.flatnonzero(positions - last_reduction <= span).tolist()
    gain_db = attack
    attack_list = attack.tolist()
    previous, last = 0.0, -2
    for k in active:
        if k != last + 1:
            previous = 0.0
        previous = min(attack_list[k], previous * decay)
        gain_db[k] = previous
        last = k
    edges_db = np.minimum(np.r_[gain_db[0], gain_db], np.r_[gain_db, gain_db[-1]])
    # Linear interpolation between block edges as np.interp computes it (slope * offset + edge,
    # in float64), a chunk of blocks at a time.
    edges = (10 ** (edges_db / 20)).astype(np.float64)
    slopes = (edges[1:] - edges[:-1]) / block
    offsets = np.arange(block, dtype=np.float64)
    limited = np.empty(audio.shape, dtype=np.float32) if out is None else out
    blocks_per_chunk = max(1, CHUNK_SAMPLES // block)
    for first in range(0, n_blocks, blocks_per_chunk):
        last = min(n_blocks, first + blocks_per_chunk)
        start, stop = first * block, min(n, last * block)
        gain = (slopes[first:last, None] * offsets + edges[first:last, None]).ravel()[: stop - start]
        np.multiply(audio[:, start:stop], gain.astype(np.float32), out=limited[:, start:stop])
    return limited, float(-gain_db.min())


@dataclass(frozen=True)
class Master:
    """One mastered mix: ``audio`` float32 ``(2, n)``; gains and levels in dB / LUFS / dBTP."""

    audio: np.ndarray
    raw_lufs: float
    match_gain_db: float  # raw mix -> target_lufs (linear; the stems' gain)
    limiter_input_gain_db: float  # after the compressor, into the limiter
    compressor_max_reduction_db: float
    limiter_max_reduction_db: float
    lufs: float
    true_peak_dbtp: float

    def summary(self) -> dict[str, float]:
        """The figures (rounded) for metadata.json."""
        return {
            "lufs": round(self.lufs, 2), "true_peak_dbtp": round(self.true_peak_dbtp, 2),
            "raw_lufs": round(self.raw_lufs, 2), "match_gain_db": round(self.match_gain_db, 2),
            "limiter_input_gain_db": round(self.limiter_input_gain_db, 2),
            "compressor_max_reduction_db": round(self.compressor_max_reduction_db, 2),
            "limiter_max_reduction_db": round(self.limiter_max_reduction_db, 2),
        }


def master(mix: np.ndarray, sample_rate_hz: int, *, target_lufs: float = TARGET_LUFS,
           ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP, compressor_threshold_lu: float = -1.0,
           compressor_ratio: float = 2.0, compressor_attack_ms: float = 30.0, compressor_release_ms: float = 200.0,
           lookahead_ms: float = 5.0, release_ms: float = 80.0, tolerance_lu: float = 0.15,
           max_iterations: int = 6, raw_lufs: float | None = None) -> Master:
    """Master a raw ``(2, n)`` mix to ``target_lufs`` integrated with true peak <= ``ceiling_dbtp``.

    The compressor (whose detector follows a smoothed level, close to a 30 ms RMS) works on
    the loudness-matched mix with its threshold ``compressor_threshold_lu`` from the target
    loudness, so every style gets the same gentle treatment: ~0.5 dB on average, 1-3 dB on
    the loudest hits. The limiter's input gain is searched (secant steps on the measured loudness)
    until the result is within ``tolerance_lu`` of the target; the limiter's sample ceiling
    starts :data:`TRUE_PEAK_MARGIN_DB` under ``ceiling_dbtp`` and is lowered by any
    inter-sample overshoot the 4x true-peak meter finds. ``raw_lufs``: the mix's
    :func:`integrated_lufs` when the caller has measured it already (measured here when None).
    """
    if raw_lufs is None:
        raw_lufs = integrated_lufs(mix, sample_rate_hz)
    if not np.isfinite(raw_lufs):
        silent = mix.astype(np.float32)
        return Master(silent, raw_lufs, 0.0, 0.0, 0.0, 0.0, raw_lufs, true_peak_dbtp(silent))
    match_db = target_lufs - raw_lufs
    matched = (mix * np.float32(10 ** (match_db / 20))).astype(np.float32, copy=False)
    compressor = pedalboard.Compressor(threshold_db=target_lufs + compressor_threshold_lu, ratio=compressor_ratio,
                                       attack_ms=compressor_attack_ms, release_ms=compressor_release_ms)
    # Streamed a chunk at a time into one numpy buffer (``reset=False`` carries the compressor's
    # state: the same output to the bit as one call, without pedalboard's full-length output copy).
    compressed = np.empty_like(matched)
    for start in range(0, matched.shape[1], CHUNK_SAMPLES):
        stop = start + CHUNK_SAMPLES
        compressed[:, start:stop] = compressor.process(matched[:, start:stop], sample_rate_hz, reset=start == 0)
    # The compressor's largest gain reduction, from the level change over 10 ms windows.
    window = sample_rate_hz // 100
    level_in, level_out = _window_rms(matched, window), _window_rms(compressed, window)
    audible = level_in > 10 ** ((target_lufs - 30) / 20)
    comp_reduction = float(max(0.0, 20 * np.log10(level_in[audible] / np.maximum(level_out[audible], 1e-12)).max())) \
        if audible.any() else 0.0

    sample_ceiling = ceiling_dbtp - TRUE_PEAK_MARGIN_DB
    compressed_lufs = integrated_lufs(compressed, sample_rate_hz)
    gain_db = target_lufs - compressed_lufs
    previous: tuple[float, float] | None = None
    for _ in range(max_iterations):
        used_gain_db = gain_db
        limited, reduction, peak, trim_db, sample_ceiling = _limit_to_true_peak(
            compressed, gain_db, sample_rate_hz, sample_ceiling, ceiling_dbtp, lookahead_ms, release_ms,
            out=matched)  # no longer needed: its memory takes every try's limited mix
        # An idle limiter is a plain gain: loudness is linear in it (BS.1770's filter and gates).
        lufs = compressed_lufs + gain_db + trim_db if reduction == 0.0 else integrated_lufs(limited, sample_rate_hz)
        error = target_lufs - lufs
        if abs(error) <= tolerance_lu:
            break
        # The limiter makes loudness grow slower than the gain: step by the measured slope.
        slope = 1.0
        if previous is not None and gain_db != previous[0]:
            slope = min(1.0, max(0.2, (lufs - previous[1]) / (gain_db - previous[0])))
        previous = (gain_db, lufs)
        gain_db += error / slope
    return Master(limited, raw_lufs, match_db, used_gain_db, comp_reduction, reduction, lufs, peak)


def _window_rms(audio: np.ndarray, window: int) -> np.ndarray:
    """RMS over channels and ``window`` samples of ``(channels, n)`` audio, one per whole window,
    a chunk of windows at a time."""
    n_windows = audio.shape[1] // window
    step = max(1, CHUNK_SAMPLES // window) * window
    return np.sqrt(np.concatenate([
        np.square(audio[:, start : min(start + step, n_windows * window)]).mean(axis=0).reshape(-1, window).mean(axis=1)
        for start in range(0, n_windows * window, step)
    ] or [np.zeros(0, np.float32)]))


def _limit_to_true_peak(compressed: np.ndarray, gain_db: float, sample_rate_hz: int, sample_ceiling_db: float,
                        ceiling_dbtp: float, lookahead_ms: float, release_ms: float, attempts: int = 4, *,
                        out: np.ndarray):
    """Limit ``compressed`` times ``gain_db`` at a sample ceiling lowered by any inter-sample over
    the true-peak meter finds, until the true peak is under ``ceiling_dbtp``; if overs remain after
    ``attempts``, a plain gain trims the rest. Returns (audio: ``out``, a float32 buffer of
    ``compressed``'s shape, overwritten on every try; limiter reduction dB, true peak dBTP,
    trim dB (<= 0), the sample ceiling used)."""
    goal = ceiling_dbtp - TRUE_PEAK_MARGIN_DB
    for _ in range(attempts):
        np.multiply(compressed, np.float32(10 ** (gain_db / 20)), out=out)
        limited, reduction = look_ahead_limit(out, sample_rate_hz, ceiling_db=sample_ceiling_db,
                                              lookahead_ms=lookahead_ms, release_ms=release_ms, out=out)
        peak = true_peak_dbtp(limited)
        if peak <= goal + TRUE_PEAK_MARGIN_DB / 2:
            return limited, reduction, peak, 0.0, sample_ceiling_db
        sample_ceiling_db -= peak - goal + 0.01
    trim_db = goal - peak
    limited *= np.float32(10 ** (trim_db / 20))
    return limited, reduction, peak + trim_db, trim_db, sample_ceiling_db


def master_mixes(mixes: Mapping[str, np.ndarray], sample_rate_hz: int, *, raw_lufs: Mapping[str, float] | None = None,
                 **settings) -> dict[str, Master]:
    """:func:`master` each named mix with the same ``settings`` (each to the target on its own),
    one after the other (in threads they cost more CPU on two cores and 200 MB more memory);
    ``raw_lufs``: name -> the mix's integrated loudness for the mixes already measured."""
    return {name: master(mix, sample_rate_hz, raw_lufs=(raw_lufs or {}).get(name), **settings)
            for name, mix in mixes.items()}


def stem_gain_db(match_gain_db: float, stems: Mapping[str, np.ndarray], *,
                 ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP) -> float:
    """The one gain (dB) for every stem: the full mix's loudness-match gain, lowered if it
    would lift any stem's true peak over ``ceiling_dbtp``. True peaks are only measured when
    the bound from the sample peaks (times :data:`TRUE_PEAK_FIR_GAIN`) could pass the ceiling."""
    limit = ceiling_dbtp - TRUE_PEAK_MARGIN_DB
    sample_peak = max(_abs_peak(s) for s in stems.values())
    if sample_peak == 0.0 or 20 * np.log10(sample_peak * TRUE_PEAK_FIR_GAIN) + match_gain_db <= limit:
        return match_gain_db
    return min(match_gain_db, limit - max(true_peak_dbtp(s) for s in stems.values()))
