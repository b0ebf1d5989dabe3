"""Recordings that cannot be decoded are refused with a code the caller can be told."""
import numpy as np
import pytest

from hum_synth import wav_bytes
from humitout.audio.decode import decode_audio
from humitout.errors import BadAudio


def _code(data: bytes) -> str:
    with pytest.raises(BadAudio) as e:
        decode_audio(data)
    return e.value.code


def test_zero_bytes_is_empty():
    assert _code(b"") == "empty"


def test_garbage_bytes_are_not_audio():
    assert _code(b"<html><body>404 not found</body></html>" * 20) == "not_audio"


def test_corrupt_wav_header_is_undecodable():
    data = wav_bytes(0.1 * np.ones(8000))
    assert _code(data[:4] + b"\x00" * 40 + data[44:]) == "undecodable"


def test_recording_over_ten_minutes_is_too_long():
    data = wav_bytes(np.zeros(8000 * 601, dtype=np.float32), subtype="ULAW")
    assert _code(data) == "too_long"
