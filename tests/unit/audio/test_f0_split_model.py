"""The pitch model run as two halves (the band spectrogram by FFTs here, only the CNN in onnxruntime)
answers as swift-f0's own detector does: the same frames, pitch within 0.02 cent where voiced (0.5 cent on
weak frames), confidence within float rounding. It also fails after a swift-f0 upgrade that changes the model
until ``tests/bench/make_f0_split_model.py`` is re-run."""
import numpy as np
import pytest
from swift_f0 import SwiftF0

from hum_synth import hum, phone, wav_bytes
from humitout.audio.decode import decode_audio
from humitout.audio.f0 import FMAX_HZ, FMIN_HZ, SplitSwiftF0


@pytest.fixture(scope="module")
def detectors():
    return SwiftF0(threads=1), SplitSwiftF0()


def _assert_same(a, b):
    assert np.array_equal(a.timestamps, b.timestamps)
    assert np.array_equal(a.pitch_hz > 0, b.pitch_hz > 0)
    both = (a.pitch_hz > 0) & (b.pitch_hz > 0)
    cents = np.abs(1200 * np.log2(b.pitch_hz[both] / a.pitch_hz[both]))
    assert np.max(cents, initial=0.0) < 0.5
    assert np.max(cents[a.confidence[both] >= 0.5], initial=0.0) < 0.02
    assert np.max(np.abs(a.confidence - b.confidence)) < 1e-3
    assert np.array_equal(a.confidence >= 0.5, b.confidence >= 0.5)


def _phone_hum(notes, duration_s):
    x, sr = decode_audio(wav_bytes(phone(hum(notes, duration_s=duration_s))))
    return x, sr


def test_split_model_tracks_a_phone_hum_as_swift_f0_does(detectors):
    notes = [(0.3 + 0.45 * i, 0.7 + 0.45 * i, m) for i, m in enumerate([45, 52, 57, 64, 69, 76, 71, 60])]
    x, sr = _phone_hum(notes, 4.2)
    x[int(3.9 * sr):] = 0.0                          # digital silence reads confidence 0
    a, b = (d.detect(x, sr, fmin=FMIN_HZ, fmax=FMAX_HZ) for d in detectors)
    assert (b.confidence >= 0.5).sum() > 100 and np.all(b.confidence[-10:] == 0.0)
    _assert_same(a, b)


def test_split_model_cuts_a_long_call_into_the_same_windows(detectors):
    """Past 30 s swift-f0 runs its model on windows with 11 frames of context before and 10 after;
    the frames around the cut and the last partial hop come out the same."""
    notes = [(0.2 + 0.6 * i, 0.7 + 0.6 * i, 55 + (i * 5) % 17) for i in range(56)]
    x, sr = _phone_hum(notes, 34.0)
    x = x[:len(x) - 100]                             # a partial last hop
    a, b = (d.detect(x, sr, fmin=FMIN_HZ, fmax=FMAX_HZ) for d in detectors)
    assert len(b.timestamps) > 1875 + 10
    _assert_same(a, b)


@pytest.mark.parametrize("n", [100, 256, 700])
def test_split_model_reads_recordings_shorter_than_its_windows(detectors, n):
    x = (0.3 * np.sin(2 * np.pi * 220.0 * np.arange(n) / 16000)).astype(np.float32)
    a, b = (d.detect(x, 16000, fmin=FMIN_HZ, fmax=FMAX_HZ) for d in detectors)
    _assert_same(a, b)
