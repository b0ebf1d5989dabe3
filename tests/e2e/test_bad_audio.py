"""Bad recordings end in NotifyFailure: a helpful SMS, the session row says why, and the
original recording is kept."""
import io
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from e2e_helpers import call_and_wait

RATE = 8000


def _wav(x: np.ndarray, subtype: str = "ULAW") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, x, RATE, format="WAV", subtype=subtype)
    return buf.getvalue()


def _speech() -> bytes:
    """Real synthetic speech (espeak-ng), no melody."""
    assert shutil.which("espeak-ng"), "espeak-ng is installed by ./dev (Debian package)"
    wav = subprocess.run(["espeak-ng", "--stdout", "-s", "150",
                          "Hello, I would like to book a table for four people tomorrow evening at seven, "
                          "near the window if possible. Could you also tell me if you have parking? Thanks."],
                         check=True, capture_output=True).stdout
    x, rate = sf.read(io.BytesIO(wav))
    return _wav(resample_poly(x, RATE, rate))


def _clipped(sample_hum: bytes) -> bytes:
    x, rate = sf.read(io.BytesIO(sample_hum))
    return _wav(np.clip(x * 40, -1, 1), "PCM_16")


RECORDINGS = {
    "silence": (lambda hum: _wav(np.zeros(5 * RATE)), "silence"),
    "white_noise": (lambda hum: _wav(0.3 * np.random.default_rng(1).standard_normal(5 * RATE).clip(-1, 1)), "noise"),
    "speech_only": (lambda hum: _speech(), "no_melody"),
    "zero_bytes": (lambda hum: b"", "empty"),
    "corrupt_wav_header": (lambda hum: b"RIFF\x10\x00\x00\x00WAVEfmt \xff\xff" + hum[40:4000], "undecodable"),
    "heavy_clipping": (_clipped, "clipped"),
    "ten_minutes": (lambda hum: _wav(np.zeros(601 * RATE), "PCM_16"), "too_long"),
    "not_audio": (lambda hum: b"%PDF-1.7\n" + bytes(range(256)) * 40, "not_audio"),
}


@pytest.mark.parametrize("kind", list(RECORDINGS))
def test_bad_recording_fails_with_a_reason_keeps_the_original_and_texts_advice(stack, svc, new_caller,
                                                                               sample_hum, kind):
    make, code = RECORDINGS[kind]
    audio = make(sample_hum)
    caller = new_caller()
    call, desc, sms = call_and_wait(stack, caller, audio)
    assert desc["status"] == "FAILED"
    from humitout.errors import caller_message

    assert sms.body == caller_message(code)
    session = _session_by_recording(svc, call.recording_sid)
    assert session["status"] == "failed" and session["error"] == code
    assert svc.storage.get_bytes(session["original_audio_key"]) == audio


def _session_by_recording(svc, recording_sid: str) -> dict:
    with svc.db.tx() as cur:
        cur.execute("SELECT * FROM sessions WHERE recording_sid = %s", (recording_sid,))
        return cur.fetchone()
