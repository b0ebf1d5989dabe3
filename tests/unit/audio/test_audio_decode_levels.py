"""A quiet caller and a handset's DC offset get the notes a normal call gets (decode_audio's conditioning)."""
import numpy as np
import pytest

from hum_synth import at_peak, hum, phone, scale_notes, wav_bytes
from humitout.audio import decode
from humitout.audio.decode import decode_audio, decode_call
from humitout.audio.transcribe import transcribe_samples
from humitout.errors import BadAudio

TUNE = scale_notes([60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67], step=0.35, gap=0.05)
SOFT_DB = 18.0   # dB the second phrase (from the 7th note) is sung under the first


def _notes(x: np.ndarray) -> list[tuple[float, float]]:
    samples, sr = decode_audio(wav_bytes(x, subtype="FLOAT"))
    return [(n.onset_s, n.midi) for n in transcribe_samples(samples, sr)[2]]


@pytest.fixture(scope="module")
def voice() -> np.ndarray:
    """A hum whose second phrase is sung ``SOFT_DB`` softer, as a caller's hum falls away."""
    x = hum(TUNE)
    t = np.arange(len(x)) / 32000
    return phone(x * np.where(t > TUNE[6][0] - 0.02, 10 ** (-SOFT_DB / 20), 1.0))


def _same_notes(a, b):
    assert [round(m) for _, m in a] == [round(m) for _, m in b]
    assert np.allclose([t for t, _ in a], [t for t, _ in b], atol=0.02)


def test_a_hum_peaking_at_minus_44_dbfs_reads_the_notes_it_reads_at_minus_12(voice):
    loud = _notes(at_peak(voice, -12.0))
    assert [round(m) for _, m in loud] == [round(m) for _, _, m in TUNE]
    _same_notes(_notes(at_peak(voice, -44.0)), loud)


def test_without_the_raise_a_hum_that_quiet_loses_notes(voice, monkeypatch):
    """The test above can fail: at -44 dBFS the pitch model and the level gates read the soft phrase as
    silence."""
    monkeypatch.setattr(decode, "conditioned", lambda x: (x, 0.0))
    assert len(_notes(at_peak(voice, -44.0))) < len(TUNE) - 2


def test_a_dc_offset_is_taken_out_before_anything_reads_the_samples(voice):
    x = at_peak(voice, -12.0)
    plain, _ = decode_audio(wav_bytes(x, subtype="FLOAT"))
    offset, _ = decode_audio(wav_bytes(x + 0.05, subtype="FLOAT"))
    assert abs(float(np.mean(offset))) < 1e-4
    assert np.max(np.abs(offset - plain)) < 1e-3


def test_lost_packets_stay_digital_silence_when_an_offset_is_taken_out(voice):
    """The note stage reads runs of exact zeros as lost packets (dropouts); taking a DC offset out must not
    fill them."""
    x = at_peak(voice, -12.0) + 0.05
    x[8000:8160] = 0.0                           # a 20 ms packet lost at 1.0 s (8 kHz)
    samples, sr = decode_audio(wav_bytes(x, subtype="FLOAT"))
    assert np.all(samples[int(1.005 * sr):int(1.015 * sr)] == 0.0)


def test_a_recording_at_a_normal_level_with_its_own_small_mean_is_left_bit_for_bit(voice, monkeypatch):
    x = at_peak(voice, -12.0) + 0.003           # a mean under the -40 dBFS offset line: the signal's own
    conditioned, _ = decode_audio(wav_bytes(x, subtype="FLOAT"))
    monkeypatch.setattr(decode, "conditioned", lambda samples: (samples, 0.0))
    plain, _ = decode_audio(wav_bytes(x, subtype="FLOAT"))
    assert np.array_equal(conditioned, plain)


def test_a_constant_offset_alone_is_silence():
    with pytest.raises(BadAudio) as e:
        decode_audio(wav_bytes(np.full(8000 * 4, 0.2), subtype="FLOAT"))
    assert e.value.code == "silence"


def test_the_gain_that_raised_a_quiet_recording_is_told():
    x = np.sin(np.linspace(0, 2000, 32000))
    assert decode_call(wav_bytes(at_peak(x, -44.0), subtype="FLOAT"))[2] == pytest.approx(14.0, abs=0.1)
    assert decode_call(wav_bytes(at_peak(x, -12.0), subtype="FLOAT"))[2] == 0.0


def test_a_recording_at_a_normal_level_keeps_its_level(voice):
    x = at_peak(voice, -12.0)
    samples, _ = decode_audio(wav_bytes(x, subtype="FLOAT"))
    assert 20 * np.log10(np.max(np.abs(samples))) == pytest.approx(-12.0, abs=0.5)
