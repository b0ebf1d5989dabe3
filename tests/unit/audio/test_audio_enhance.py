"""The pitch tracker's front-end: a room's late reverberation out of reverberant calls, steady background
noise out of noisy calls, dry and quiet calls untouched."""
import numpy as np
import pytest
from hum_synth import hum, phone, room, wav_bytes
from scipy.signal import ShortTimeFFT, butter, sosfilt
from scipy.signal.windows import hann

from humitout.audio.decode import decode_audio
from humitout.audio.f0 import ModelFrames, confirm_frames, track_f0
import humitout.audio.transcribe as transcribe
from humitout.audio.enhance import (enhance_call, fastest_decay_s, istft_all_frames, level_spread_db,
                                    stft_all_frames, suppress_stationary_noise, voice_band_level_db,
                                    overlap_add_in_frame_order, wpe_dereverberate)
from humitout.audio.transcribe import transcribe_samples

SR = 32000
SUNG = [(0.5, 1.0, 50.0), (1.1, 1.6, 53.0), (1.7, 2.2, 48.0), (2.3, 3.0, 52.0), (3.1, 3.6, 50.0), (3.7, 4.5, 47.0)]


STACCATO = [(0.4 + 0.8 * i, 0.9 + 0.8 * i, m) for i, m in enumerate([57, 60, 62, 59, 57, 64, 62, 60])]


def _fastest_fall(y: np.ndarray, sr: int) -> tuple[float, int]:
    transform = ShortTimeFFT(hann(512, sym=False), 128, sr)
    z = stft_all_frames(transform, y)
    low = transform.f <= 2100
    return fastest_decay_s(voice_band_level_db(np.abs(z[low]) ** 2, transform.f[low]), 128 / sr)


def _engine(n: int, seed: int = 0) -> np.ndarray:
    """A car engine: 15 harmonics of a 28 Hz firing rate wobbling +-3 % at 0.2 Hz, plus hiss."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    phase = 2 * np.pi * np.cumsum(28.0 * (1 + 0.03 * np.sin(2 * np.pi * 0.2 * t))) / SR
    return sum(0.4 / h * np.sin(h * phase + rng.uniform(0, 6.3)) for h in range(1, 16)) + 0.05 * rng.standard_normal(n)


def _at_snr(x: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    return noise * np.sqrt(np.mean(x[x != 0] ** 2) / np.mean(noise ** 2)) * 10 ** (-snr_db / 20)


def _band_db(y: np.ndarray, sr: int, t0: float, t1: float, lo_hz: float, hi_hz: float) -> float:
    seg = y[int(t0 * sr): int(t1 * sr)]
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
    f = np.fft.rfftfreq(len(seg), 1 / sr)
    return float(10 * np.log10(spec[(f >= lo_hz) & (f < hi_hz)].sum()))


def test_steady_engine_noise_is_suppressed_while_the_hums_harmonics_are_kept():
    x = hum(SUNG, duration_s=5.0, sr=SR)
    y, sr = decode_audio(wav_bytes(phone(x + _at_snr(x, _engine(len(x)), 6.0), SR)))
    clean, _ = decode_audio(wav_bytes(phone(x, SR)))
    out = suppress_stationary_noise(y, sr, max_snr_db=np.inf)   # the suppressor itself, whatever the call's SNR
    # the engine alone (after the last note): 300-1000 Hz lose at least 10 dB
    assert _band_db(out, sr, 4.6, 5.0, 300, 1000) <= _band_db(y, sr, 4.6, 5.0, 300, 1000) - 10.0
    # inside a held note the voice's band keeps within 3 dB of the clean hum's
    assert abs(_band_db(out, sr, 2.4, 2.9, 300, 2000) - _band_db(clean, sr, 2.4, 2.9, 300, 2000)) <= 3.0


def test_the_suppressor_passes_a_noiseless_signal_through_unchanged():
    x = hum(SUNG, duration_s=5.0, sr=SR)
    assert np.allclose(suppress_stationary_noise(x, SR, max_snr_db=np.inf, over=0.0), x, atol=1e-9)


def test_a_quiet_call_reaches_the_tracker_untouched():
    x = hum(SUNG, duration_s=5.0, sr=SR)
    y, sr = decode_audio(wav_bytes(phone(x + 1e-4 * np.random.default_rng(2).standard_normal(len(x)), SR)))
    assert suppress_stationary_noise(y, sr) is y


def test_a_low_hum_under_loud_engine_noise_keeps_its_notes():
    x = hum(SUNG, duration_s=5.0, sr=SR)
    y, sr = decode_audio(wav_bytes(phone(x + _at_snr(x, _engine(len(x)), 6.0), SR)))
    assert [round(n.midi) for n in transcribe_samples(y, sr)[2]] == [50, 53, 48, 52, 50, 47]


def test_repeated_notes_under_engine_noise_split_at_their_re_attacks():
    # one pitch re-attacked every 0.5 s (8 dB dips) under engine noise as loud as the hum: the
    # noise floor fills the dips in the recording's levels; in the suppressed signal they show
    x = hum([(0.5, 3.0, 50.0)], duration_s=3.5, sr=SR, dips=(1.0, 1.5, 2.0, 2.5), dip_db=8.0)
    y, sr = decode_audio(wav_bytes(phone(x + _at_snr(x, _engine(len(x)), 0.0), SR)))
    assert len(transcribe_samples(y, sr)[2]) == 5


def test_a_voice_in_a_room_never_falls_30_db_faster_than_the_rooms_tail():
    x = hum(STACCATO, sr=SR)
    dry_fall, dry_falls = _fastest_fall(*decode_audio(wav_bytes(phone(x, SR))))
    room_fall, room_falls = _fastest_fall(*decode_audio(wav_bytes(phone(room(x, 0.6, 3.0), SR))))
    assert dry_falls >= 5 and dry_fall <= 0.08      # the voice stops within tens of ms
    assert room_falls >= 5 and room_fall >= 0.15    # the room's tail takes longer


def test_a_dry_call_with_clear_note_ends_is_passed_through_untouched():
    y, sr = decode_audio(wav_bytes(phone(hum(STACCATO, sr=SR), SR)))
    dry, clean = enhance_call(y, sr)
    assert dry is y and clean is y


def test_notes_in_a_reverberant_room_end_where_the_voice_stops_not_where_the_tail_fades(monkeypatch):
    # RT60 0.6 s, tail 3 dB under the direct sound: without dereverberation the level gate follows the
    # tail and the notes end 80-100 ms late; freed of the late reverberation they end 50-70 ms late
    # (the hum's own 30 ms release and the gate's window)
    y, sr = decode_audio(wav_bytes(phone(room(hum(STACCATO, sr=SR), 0.6, 3.0), SR)))
    notes = transcribe_samples(y, sr)[2]
    assert [round(n.midi) for n in notes] == [m for _, _, m in STACCATO]
    assert np.mean([n.offset_s - off for n, (_, off, _) in zip(notes, STACCATO)]) <= 0.07
    orig = transcribe.enhance_call
    monkeypatch.setattr(transcribe, "enhance_call", lambda x, sr: orig(x, sr, min_decay_s=np.inf))
    # the note stage's own tail cut (end_at_release) off too: this reads what dereverberation alone does
    monkeypatch.setattr(transcribe, "end_at_release", lambda notes, *a, **kw: notes)
    reverberant = transcribe_samples(y, sr)[2]
    assert np.mean([n.offset_s - off for n, (_, off, _) in zip(reverberant, STACCATO)]) >= 0.075


@pytest.mark.parametrize("n", [160_000, 1_001, 256, 300])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_all_frames_stft_equals_scipys_frame_by_frame_stft(n: int, dtype: type) -> None:
    transform = ShortTimeFFT(hann(256, sym=False), 64, 8000)
    x = np.random.default_rng(n).standard_normal(n).astype(dtype)
    expected = transform.stft(x)
    got = stft_all_frames(transform, x)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9 * np.abs(expected).max())


@pytest.mark.parametrize("n", [160_000, 1_001, 300])
@pytest.mark.parametrize("sr_hz", [8000, 16000])
def test_the_all_frames_istft_equals_scipys_frame_by_frame_istft_to_the_bit(n: int, sr_hz: int) -> None:
    transform = ShortTimeFFT(hann(sr_hz // 32, sym=False), sr_hz // 128, sr_hz)
    z = transform.stft(np.random.default_rng(n).standard_normal(n))
    z[: len(z) // 2] *= np.random.default_rng(1).uniform(0.1, 1.0, z[: len(z) // 2].shape)  # a suppressor's gain
    assert np.array_equal(istft_all_frames(transform, z, n), transform.istft(z, k1=n))


def test_the_unsuppressed_call_confirms_only_frames_at_the_same_pitch() -> None:
    ts = np.arange(4) * 0.016
    suppressed = ModelFrames(ts, np.array([100.0, 100.0, 100.0, 0.0]), np.array([0.2, 0.2, 0.8, 0.1]))
    raw = ModelFrames(ts, np.array([101.0, 150.0, 100.0, 100.0]), np.array([0.8, 0.9, 0.4, 0.9]))
    out = confirm_frames(suppressed, raw)
    # same pitch heard more confidently: the mean; another pitch, a lower confidence or no pitch: unchanged
    assert np.allclose(out.confidence, [0.5, 0.2, 0.8, 0.1])
    assert np.array_equal(out.pitch_hz, suppressed.pitch_hz)


def test_a_lone_jump_to_a_harmonic_in_the_suppressed_call_takes_the_confirmed_pitch() -> None:
    """A held 99 Hz note the suppressed call's tracker reads as its 11th harmonic for one frame, at
    confidence 0.4, while the unsuppressed call holds 99 Hz at 0.95: no dip in pitch or confidence
    is left there to cut the note."""
    ts = np.arange(9) * 0.016
    pitch = np.full(9, 99.0)
    pitch[4] = 1089.0
    out = confirm_frames(ModelFrames(ts, pitch, np.full(9, 0.4)), ModelFrames(ts, np.full(9, 99.0), np.full(9, 0.95)))
    assert np.allclose(out.pitch_hz, 99.0)
    assert np.allclose(out.confidence, 0.675)


def test_a_hum_under_street_noise_is_tracked_more_confidently_with_the_unsuppressed_call() -> None:
    x = hum(SUNG, duration_s=5.0, sr=SR)
    f = np.fft.rfftfreq(len(x), 1 / SR)
    f[0] = f[1]
    pink = np.fft.irfft(np.fft.rfft(np.random.default_rng(1).standard_normal(len(x))) / np.sqrt(f), len(x))
    y, sr = decode_audio(wav_bytes(phone(x + _at_snr(x, pink, 0.0), SR)))
    dry, clean = enhance_call(y, sr)
    assert clean is not dry                      # a noisy call: the tracker hears it suppressed
    alone, confirmed = track_f0(clean, sr), track_f0(clean, sr, unsuppressed=dry)
    assert np.all(confirmed.confidence >= alone.confidence)
    notes, sung = np.zeros(len(alone.hz), bool), np.zeros(len(alone.hz))
    for on, off, midi in SUNG:
        notes[int(on / alone.hop_s) + 5:int(off / alone.hop_s) - 5] = True
        sung[int(on / alone.hop_s) + 5:int(off / alone.hop_s) - 5] = midi
    assert confirmed.confidence[notes].mean() > alone.confidence[notes].mean()
    assert np.all(np.abs(confirmed.midi - sung)[notes & confirmed.voiced] <= 0.5)


def test_a_phrase_whose_rests_the_rooms_tail_fills_is_dereverberated_from_its_20_db_falls():
    # ten 0.45 s notes 0.15 s apart in a room (RT60 0.5 s, tail 3 dB under): the tail fills the rests,
    # so only the phrase's end falls 30 dB (slowly), but every rest falls 20 dB, each in over 0.1 s;
    # the dry phrase falls 20 dB within 20 ms at every rest
    notes = [(0.5 + 0.6 * i, 0.95 + 0.6 * i, float(m)) for i, m in enumerate([50, 53, 48, 52, 50, 47, 50, 53, 52, 48])]
    x = np.r_[hum(notes, sr=SR), np.zeros(SR)]
    y, sr = decode_audio(wav_bytes(phone(room(x, 0.5, 3.0), SR)))
    assert _fastest_fall(y, sr)[1] < 3                      # too few 30 dB falls for the first test
    assert enhance_call(y, sr)[0] is not y
    assert enhance_call(y, sr, min_tail_falls=11)[0] is y   # ... which alone would pass it through
    y_dry, sr = decode_audio(wav_bytes(phone(x, SR)))
    assert enhance_call(y_dry, sr)[0] is y_dry


HIGH_SUNG = [(0.5, 1.0, 62.0), (1.1, 1.6, 65.0), (1.7, 2.2, 60.0), (2.3, 3.0, 64.0), (3.1, 3.6, 62.0), (3.7, 4.5, 67.0)]


def _fan_under_300_hz(n: int, sr: int = 8000, seed: int = 0) -> np.ndarray:
    """A fan heard through a line that passes its low end: rumble under 250 Hz plus the 98 Hz
    blade-pass tone and its 196 Hz harmonic, ``n`` samples at ``sr``."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    rumble = sosfilt(butter(8, 250, "lp", fs=sr, output="sos"), rng.standard_normal(n))
    return rumble / np.std(rumble) + sum(1.0 / h * np.sin(2 * np.pi * 98.0 * h * t + rng.uniform(0, 6.3))
                                         for h in (1, 2))


def _reading_db(y: np.ndarray, sr: int, lo_hz: float) -> float:
    """95th minus 10th percentile of the 32 ms frame levels from ``lo_hz`` to 2100 Hz."""
    transform = ShortTimeFFT(hann(int(0.032 * sr), sym=False), int(0.008 * sr), sr)
    low = transform.f <= 2100
    level = voice_band_level_db(np.abs(stft_all_frames(transform, y)[low]) ** 2, transform.f[low], lo_hz=lo_hz)
    return level_spread_db(level)


def test_a_fans_tone_under_300_hz_is_suppressed_though_the_voice_band_reads_clean():
    # a high hum whose voice band (300 Hz up) reads over 20 dB above its floor, with a fan's 98 Hz
    # tone and rumble under it that take the tracker's band (47 Hz up) to under 10 dB: the tracker,
    # which hears that band, reads a note an octave or two up when the call is left unsuppressed
    # (the voice band's reading alone: [62, 89, 60, 64, 62, 67])
    sung = phone(hum(HIGH_SUNG, duration_s=5.0, sr=SR), SR)
    fan = _fan_under_300_hz(len(sung)) * 1.5 * np.sqrt(np.mean(sung[np.abs(sung) > 1e-3] ** 2))
    y, sr = decode_audio(wav_bytes(sung + fan))
    assert _reading_db(y, sr, 300.0) >= 20.0 and _reading_db(y, sr, 47.0) < 10.0
    dry, clean = enhance_call(y, sr)
    assert clean is not dry
    assert enhance_call(y, sr, track_lo_hz=300.0)[1] is dry      # the voice band alone passes it through
    assert [round(n.midi) for n in transcribe_samples(y, sr)[2]] == [62, 65, 60, 64, 62, 67]


def _wpe_textbook(z: np.ndarray, taps: int = 20, delay: int = 3, iterations: int = 3) -> np.ndarray:
    """WPE as the textbook writes it, in double precision: all bins and taps in (bins, taps, frames)
    arrays at once, the correlations as weighted products (the reference the single-precision,
    per-bin Gram-matrix code must come close to)."""
    z = z.astype(np.complex64).astype(np.complex128)
    bins, frames = z.shape
    past = np.zeros((bins, taps, frames), z.dtype)
    for k, lag in enumerate(range(delay, delay + taps)):
        if lag < frames:
            past[:, k, lag:] = z[:, :frames - lag]
    floor = 1e-6 * np.mean(np.abs(z) ** 2, axis=1) + 1e-20
    out = z
    for _ in range(iterations):
        weight = 1.0 / np.maximum(out.real ** 2 + out.imag ** 2, floor[:, None])
        weighted = past.conj() * weight[:, None, :]
        corr = np.matmul(weighted, past.transpose(0, 2, 1))
        cross = np.sum(weighted * z[:, None, :], axis=2)
        load = 1e-6 * np.trace(corr, axis1=1, axis2=2).real + 1e-30
        g = np.linalg.solve(corr + load[:, None, None] * np.eye(taps), cross[:, :, None])
        out = z - np.sum(past * g, axis=1)
    return out


@pytest.mark.parametrize("bins,frames", [(17, 400), (6, 1500)])
def test_wpe_worked_bin_by_bin_from_one_gram_matrix_equals_the_textbook_form(bins, frames):
    rng = np.random.default_rng(bins * frames)
    z = rng.standard_normal((bins, frames)) + 1j * rng.standard_normal((bins, frames))
    z[:, frames // 2:] *= 0.05                           # a louder first half: the weights differ over time
    out = wpe_dereverberate(z)
    expected = _wpe_textbook(z)
    assert out.shape == z.shape and out.dtype == np.complex128
    # single precision: the batched products worked before (blocks of 4 bins) came within 1.8e-4 of it
    assert np.max(np.abs(out - expected)) <= 3e-4 * np.max(np.abs(expected))
    assert np.max(np.abs(out - z)) > 0.01 * np.max(np.abs(z))          # the filter did take something out


def test_wpe_of_a_call_shorter_than_its_delay_leaves_it_as_it_is():
    z = np.array([[1 + 2j, 0.5j], [3.0, -1.0]])
    assert np.array_equal(wpe_dereverberate(z), z)


@pytest.mark.parametrize("m,hop,first,n", [(256, 64, -128, 5000), (250, 64, -125, 3001), (10, 3, 4, 20), (8, 8, -3, 6)])
def test_the_overlap_add_adds_each_samples_frames_in_frame_order_to_the_bit(m, hop, first, n):
    rng = np.random.default_rng(m + n)
    frames = rng.standard_normal((n // hop + 3, m)) * 10.0 ** rng.uniform(-6, 6, (n // hop + 3, 1))  # order shows
    expected = np.zeros(n)
    for i, frame in enumerate(frames):                  # a loop over the frames, as scipy's istft adds them
        i0 = first + i * hop
        i1 = min(i0 + m, n)
        if i1 > max(i0, 0):
            expected[max(i0, 0):i1] += frame[max(-i0, 0):i1 - i0]
    assert overlap_add_in_frame_order(frames, hop, first, n).tobytes() == expected.tobytes()
