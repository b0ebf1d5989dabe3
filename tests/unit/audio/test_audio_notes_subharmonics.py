"""High voices read at a sub-harmonic: a low-rate codec (AMR-NB codes pitches above ~444 Hz with
twice their period) or a child's period doubling make the tracker follow f/2 for whole notes."""
import numpy as np

from hum_synth import phone, wav_bytes
from humitout.audio.decode import decode_audio
from humitout.audio.transcribe import transcribe_samples

SR = 32000


def _high_hum(notes, doubled: tuple[float, float], odd_db: float) -> np.ndarray:
    """Notes [(onset_s, offset_s, midi)] with 5.5 Hz vibrato; inside ``doubled`` (s) the period is
    doubled: odd multiples of f/2 are added ``odd_db`` dB under the harmonics of f."""
    t = np.arange(int((notes[-1][1] + 0.5) * SR)) / SR
    x = np.zeros_like(t)
    for on, off, midi in notes:
        sel = (t >= on) & (t < off)
        u = t[sel] - on
        phase = 2 * np.pi * np.cumsum(440.0 * 2 ** ((midi - 69) / 12) * (1 + 0.004 * np.sin(2 * np.pi * 5.5 * u))) / SR
        env = np.minimum(1.0, np.minimum(u / 0.03, (off - on - u) / 0.03))
        sub = np.where((t[sel] >= doubled[0]) & (t[sel] < doubled[1]), 10 ** (odd_db / 20), 0.0)
        y = sum(0.8 ** k * np.sin(k * phase) for k in range(1, 7))
        y += sub * sum(0.8 ** (k / 2) * np.sin(k * phase / 2) for k in (1, 3, 5, 7, 9, 11))
        x[sel] = 0.3 * env * y
    return x


def test_a_high_note_read_at_half_its_pitch_for_most_of_a_second_stays_at_its_pitch():
    notes = [(0.5, 1.0, 72), (1.0, 2.2, 74), (2.2, 2.7, 76), (2.7, 3.3, 74), (3.3, 3.8, 69)]
    y, sr = decode_audio(wav_bytes(phone(_high_hum(notes, (1.3, 2.1), -10.0), SR)))
    got = [(n.onset_s, n.offset_s, n.midi) for n in transcribe_samples(y, sr)[2]]
    assert len(got) == len(notes)
    for (on, off, midi), (a, b, m) in zip(notes, got):
        assert abs(m - midi) < 0.5 and abs(a - on) < 0.05
