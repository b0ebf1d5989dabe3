"""End-to-end behaviour of the melody analysis on synthetic phone-line hums."""
import numpy as np
import pytest

from hum_synth import hum, phone, scale_notes, wav_bytes
from humitout.audio.decode import decode_audio
from humitout.audio.transcribe import analyse_recording, transcribe_path
from humitout.errors import BadAudio
from humitout.models import Analysis

# a low male voice: 98-165 Hz, every fundamental under the 300 Hz phone band edge
LOW_TUNE = [43, 47, 50, 48, 52, 50, 47, 45]


def _notes_of(audio: bytes, tmp_path):
    p = tmp_path / "hum.wav"
    p.write_bytes(audio)
    return transcribe_path(p)


def test_missing_fundamental_melody_gives_its_notes(tmp_path):
    ref = scale_notes(LOW_TUNE, step=0.45, gap=0.08)
    est = _notes_of(wav_bytes(phone(hum(ref, fundamental_db=-40))), tmp_path)
    assert len(est) == len(ref)
    for (on, off, midi), (e_on, e_off, e_midi) in zip(ref, est):
        assert abs(e_on - on) < 0.05
        assert abs(e_off - off) < 0.08
        assert abs(e_midi - midi) < 0.5          # no octave errors


def test_legato_repeated_notes_are_split_at_the_dip(tmp_path):
    # one continuous tone: 3 x midi 57, then 2 x midi 60, re-articulated by dips
    ref_onsets = [0.5, 1.0, 1.5, 2.0, 2.5]
    notes = [(0.5, 2.0, 57.0), (2.0, 3.0, 60.0)]
    est = _notes_of(wav_bytes(phone(hum(notes, dips=[1.0, 1.5, 2.5]))), tmp_path)
    assert [round(n[2]) for n in est] == [57, 57, 57, 60, 60]
    assert np.allclose([n[0] for n in est], ref_onsets, atol=0.05)


def test_scoop_into_a_note_is_not_a_note(tmp_path):
    ref = scale_notes([60, 64, 67, 64, 60], step=0.5, gap=0.08)
    est = _notes_of(wav_bytes(phone(hum(ref, scoop_st=1.5))), tmp_path)
    assert [round(n[2]) for n in est] == [60, 64, 67, 64, 60]
    assert np.allclose([n[0] for n in est], [n[0] for n in ref], atol=0.05)


def test_analysis_is_a_valid_contract():
    ref = scale_notes([60, 62, 64, 65, 67, 69, 71, 72], step=0.5)
    a = analyse_recording(wav_bytes(phone(hum(ref))))
    assert isinstance(a, Analysis)
    Analysis.model_validate_json(a.model_dump_json())
    assert a.sample_rate_hz == 16000
    assert abs(len(a.f0.hz) * a.f0.hop_s - a.duration_s) < 0.02
    assert a.voiced_s > 3.0
    assert a.lyrics.source == "none"
    assert 0.0 <= a.mood.energy <= 1.0


def test_c_major_scale_melody_is_in_c_major():
    ref = scale_notes([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60], step=0.5)
    a = analyse_recording(wav_bytes(phone(hum(ref))))
    assert (a.key.tonic, a.key.mode) == ("C", "major")


def test_steady_120_bpm_melody_has_tempo_120():
    ref = scale_notes([60, 64, 67, 64, 62, 65, 69, 65, 64, 67, 72, 67, 60, 64, 60, 60], step=0.5)
    a = analyse_recording(wav_bytes(phone(hum(ref))))
    assert a.tempo_bpm == pytest.approx(120.0, rel=0.04)
    beats = np.array(a.beats_s)
    assert np.min(np.abs(beats[:, None] - np.array([on for on, _, _ in ref])[None, :]), axis=0).max() < 0.05


def test_silence_is_rejected():
    with pytest.raises(BadAudio) as e:
        analyse_recording(wav_bytes(np.zeros(8000 * 5)))
    assert e.value.code == "silence"


def test_white_noise_is_rejected_as_noise():
    x = 0.2 * np.random.default_rng(1).standard_normal(8000 * 6)
    with pytest.raises(BadAudio) as e:
        analyse_recording(wav_bytes(np.clip(x, -1, 1)))
    assert e.value.code == "noise"


def test_a_one_second_hum_is_too_short():
    ref = scale_notes([60, 64], step=0.5)
    with pytest.raises(BadAudio) as e:
        analyse_recording(wav_bytes(phone(hum(ref, duration_s=3.0))))
    assert e.value.code == "too_short"


def test_heavily_clipped_recording_is_rejected():
    ref = scale_notes(LOW_TUNE, step=0.45)
    x = np.clip(phone(hum(ref)) * 30, -1, 1)
    with pytest.raises(BadAudio) as e:
        analyse_recording(wav_bytes(x, subtype="PCM_16"))
    assert e.value.code == "clipped"


def test_speech_like_gliding_voice_has_no_melody():
    sr = 32000
    rng = np.random.default_rng(3)
    t = np.arange(int(6 * sr)) / sr
    # syllables of 120-250 ms whose pitch glides continuously, as in speech intonation
    x = np.zeros_like(t)
    start = 0.3
    while start < 5.5:
        d = rng.uniform(0.12, 0.25)
        m = (t >= start) & (t < start + d)
        tt = t[m] - start
        f0 = 140 * 2 ** ((rng.uniform(-4, 4) + rng.choice([-1, 1]) * 30 * tt) / 12)
        ph = 2 * np.pi * np.cumsum(f0) / sr
        x[m] = sum(np.sin(k * ph) / k for k in range(1, 20)) * np.hanning(m.sum())
        start += d + rng.uniform(0.03, 0.12)
    with pytest.raises(BadAudio) as e:
        analyse_recording(wav_bytes(phone(0.3 * x / np.abs(x).max())))
    assert e.value.code == "no_melody"


def test_decoded_audio_is_float32_mono_at_16k():
    ref = scale_notes([60, 62, 64], step=0.5)
    x44 = hum(ref, sr=44100)
    for data in (wav_bytes(x44, sr=44100, subtype="PCM_16"), wav_bytes(phone(hum(ref)))):
        y, sr = decode_audio(data)
        assert sr == 16000 and y.dtype == np.float32 and y.ndim == 1
        assert abs(len(y) / sr - len(x44) / 44100) < 0.01


def test_mp3_recording_decodes():
    import soundfile as sf
    if "MP3" not in sf.available_formats():
        pytest.skip("libsndfile without MP3")
    ref = scale_notes([60, 62, 64, 65], step=0.5)
    x = hum(ref, sr=16000)
    y, sr = decode_audio(wav_bytes(x, sr=16000, subtype="MPEG_LAYER_III", fmt="MP3"))
    assert sr == 16000 and abs(len(y) - len(x)) / sr < 0.1


def test_a_melody_sung_with_a_wide_vibrato_keeps_its_notes():
    # 0.6 st either side of each 0.8 s note at 5 Hz (a trained singer's): neither split at each cycle nor
    # refused as a pitch that never holds still
    melody = [60, 62, 64, 65, 67, 65, 64, 62, 60]
    analysis = analyse_recording(wav_bytes(phone(hum(scale_notes(melody, step=0.8, gap=0.03), vibrato_st=0.7))))
    assert [round(n.midi) for n in analysis.notes] == melody
