from dataclasses import fields

import numpy as np
import pytest

from humitout.music.mastering import (
    TARGET_LUFS,
    TRUE_PEAK_CEILING_DBTP,
    Master,
    integrated_lufs,
    look_ahead_limit,
    master,
    master_mixes,
    stem_gain_db,
    true_peak_dbtp,
)

RATE = 48_000


def _kick_heavy_mix(seconds: float = 12.0) -> np.ndarray:
    """Quiet tone under loud, short 55 Hz kicks twice a second: peaks far above the loudness."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    signal = 0.01 * np.sin(2 * np.pi * 330 * t)
    decay = np.arange(6000)
    kick = 0.3 * np.sin(2 * np.pi * 55 * decay / RATE) * np.exp(-decay / 1500)
    for start in range(0, n - len(kick), RATE // 2):
        signal[start : start + len(kick)] += kick
    return np.stack([signal, 0.9 * signal]).astype(np.float32)


def test_a_peaky_mix_is_limited_to_minus_14_lufs_and_minus_1_dbtp():
    mastered = master(_kick_heavy_mix(), RATE)
    assert abs(integrated_lufs(mastered.audio, RATE) - TARGET_LUFS) <= 0.5
    assert true_peak_dbtp(mastered.audio) <= TRUE_PEAK_CEILING_DBTP
    assert mastered.limiter_max_reduction_db > 3  # one linear gain could not have reached the target


def test_inter_sample_overs_of_bright_clicks_stay_under_the_true_peak_ceiling():
    mix = _kick_heavy_mix(6.0)
    n = np.arange(96)
    click = 0.3 * np.sin(np.pi / 2 * n + np.pi / 4)  # samples at +-0.21, waveform peaks 3 dB higher
    for start in range(RATE // 4, mix.shape[1] - 96, RATE // 2):
        mix[:, start : start + 96] += click.astype(np.float32)
    mastered = master(mix, RATE)
    assert true_peak_dbtp(mastered.audio) <= TRUE_PEAK_CEILING_DBTP
    assert abs(integrated_lufs(mastered.audio, RATE) - TARGET_LUFS) <= 0.5


def test_master_mixes_masters_every_mix_it_is_given():
    mix = _kick_heavy_mix(6.0)
    mastered = master_mixes({"full_mix": mix, "mix_with_your_hum": 0.5 * mix}, RATE)
    assert set(mastered) == {"full_mix", "mix_with_your_hum"}
    for result in mastered.values():
        assert abs(result.lufs - TARGET_LUFS) <= 0.5 and result.true_peak_dbtp <= TRUE_PEAK_CEILING_DBTP



def test_a_mix_whose_loudness_was_measured_already_is_mastered_to_the_same_bits():
    mix = _kick_heavy_mix(6.0)
    measured = master_mixes({"full_mix": mix}, RATE, raw_lufs={"full_mix": integrated_lufs(mix, RATE)})["full_mix"]
    unmeasured = master(mix, RATE)
    assert np.array_equal(measured.audio, unmeasured.audio)
    assert [getattr(measured, f.name) for f in fields(Master) if f.name != "audio"] == \
        [getattr(unmeasured, f.name) for f in fields(Master) if f.name != "audio"]

def test_the_limiter_starts_reducing_before_a_peak_and_never_passes_the_ceiling():
    n = RATE
    audio = np.tile(0.25 * np.sin(2 * np.pi * 200 * np.arange(n) / RATE), (2, 1)).astype(np.float32)
    audio[:, n // 2] = 1.0
    limited, reduction = look_ahead_limit(audio, RATE, ceiling_db=-6.0, lookahead_ms=5.0, release_ms=50.0)
    assert np.abs(limited).max() <= 10 ** (-6 / 20) + 1e-6
    assert reduction == pytest.approx(6.0, abs=0.05)
    before = slice(n // 2 - RATE // 500, n // 2 - RATE // 1000)  # 2 ms to 1 ms before the peak
    assert np.all(np.abs(limited[0, before]) <= np.abs(audio[0, before]))
    assert np.abs(limited[0, before]).max() < np.abs(audio[0, before]).max() * 0.95
    far = slice(0, RATE // 10)
    assert np.array_equal(limited[:, far], audio[:, far])


def test_silence_is_left_alone():
    mastered = master(np.zeros((2, RATE), np.float32), RATE)
    assert not mastered.audio.any() and mastered.match_gain_db == 0.0


def test_stem_gain_is_lowered_only_when_a_stem_would_pass_the_ceiling():
    quiet = {"bass": np.full((2, 100), 0.01, np.float32)}
    assert stem_gain_db(6.0, quiet) == 6.0
    loud = {"drums": np.full((2, 100), 0.5, np.float32), **quiet}
    assert true_peak_dbtp(loud["drums"]) + stem_gain_db(12.0, loud) <= TRUE_PEAK_CEILING_DBTP


def test_integrated_loudness_agrees_with_pyloudnorm():
    import pyloudnorm

    rng = np.random.default_rng(3)
    audio = (0.1 * rng.standard_normal((2, 5 * RATE)) * np.linspace(0.2, 1, 5 * RATE)).astype(np.float32)
    assert integrated_lufs(audio, RATE) == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(audio.T), abs=0.05)
    assert integrated_lufs(audio[:, : RATE // 4], RATE) == -np.inf  # shorter than one 400 ms block


def test_true_peak_sees_inter_sample_peaks_above_the_sample_peak():
    n = np.arange(4800)
    quarter_rate_sine = np.sin(np.pi / 2 * n + np.pi / 4)[None, :]  # samples at +-0.707, waveform peaks at 1
    assert abs(true_peak_dbtp(quarter_rate_sine)) < 0.2
    assert 20 * np.log10(np.abs(quarter_rate_sine).max()) < -2.9


def test_loudness_measured_in_chunks_equals_the_whole_signal_measurement_to_the_bit():
    from scipy.signal import sosfilt

    from humitout.music.mastering import CHUNK_SAMPLES, K_WEIGHTING_48K

    rng = np.random.default_rng(5)
    n = 3 * CHUNK_SAMPLES + 12_345  # chunks, then a partial one
    audio = (0.1 * rng.standard_normal((2, n)) * np.linspace(0.1, 1, n)).astype(np.float32)
    energy = np.zeros(n + 1)  # the whole-signal reference: K-weight, square, cumulative sum
    for channel in audio:
        energy[1:] += sosfilt(K_WEIGHTING_48K, channel) ** 2
    cumulative = np.cumsum(energy)
    starts = np.arange(0, n - 19_200 + 1, 4_800)
    power = (cumulative[starts + 19_200] - cumulative[starts]) / 19_200
    loudness = -0.691 + 10 * np.log10(power)
    gated = power[loudness > -70.0]
    relative_gate = -0.691 + 10 * np.log10(gated.mean()) - 10.0
    assert integrated_lufs(audio, RATE) == -0.691 + 10 * np.log10(power[loudness > relative_gate].mean())


def test_the_limiter_gives_the_same_audio_in_place():
    audio = _kick_heavy_mix(3.0) * np.float32(4.0)
    limited, reduction = look_ahead_limit(audio, RATE, ceiling_db=-1.0)
    buffer = audio.copy()
    in_place, in_place_reduction = look_ahead_limit(buffer, RATE, ceiling_db=-1.0, out=buffer)
    assert in_place is buffer and reduction > 0 and in_place_reduction == reduction
    assert np.array_equal(in_place, limited)
