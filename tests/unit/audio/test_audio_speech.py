"""Speech without a melody is told apart from a hum, including a fast one."""
import io
import shutil
import subprocess

import pytest
import soundfile as sf
from scipy.signal import resample_poly

from hum_synth import hum, phone, scale_notes, wav_bytes
from humitout.audio.decode import decode_audio
from humitout.audio.transcribe import (analyse_recording, semitone_grid_fit, sounds_like_speech,
                                       stable_fraction, transcribe_samples)
from humitout.errors import BadAudio


def _spoken(text: str, voice: str) -> bytes:
    assert shutil.which("espeak-ng"), "espeak-ng is installed by ./dev (Debian package)"
    wav = subprocess.run(["espeak-ng", "-v", voice, "--stdout", text], check=True, capture_output=True).stdout
    x, rate = sf.read(io.BytesIO(wav))
    return wav_bytes(resample_poly(x, 8000, rate))


@pytest.mark.parametrize("voice", ["en", "en+f3", "de"])
def test_spoken_sentences_are_no_melody(voice):
    audio = _spoken("Hi, this is Sam. I'm calling about the parcel that was supposed to arrive on Tuesday; "
                    "could you check where it is and text me back? Thanks.", voice)
    with pytest.raises(BadAudio) as err:
        analyse_recording(audio)
    assert err.value.code == "no_melody" and "speech" in err.value.detail


def test_a_fast_staccato_hum_is_not_speech():
    melody = [60, 62, 64, 65, 67, 65, 64, 62] * 3
    x, sr = decode_audio(wav_bytes(phone(hum(scale_notes(melody, step=0.18, gap=0.05)))))
    track, energy, notes = transcribe_samples(x, sr)
    assert semitone_grid_fit(notes) > 0.9
    assert sounds_like_speech(x, sr, track, energy, notes, stable_fraction(track)) is None
