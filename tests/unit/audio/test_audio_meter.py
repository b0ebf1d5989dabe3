"""Metre estimate (3/4 vs 4/4) from notes on a quarter-note beat grid."""
import numpy as np
from humitout.audio.meter import TRIPLE_THRESHOLD, estimate_meter, triple_evidence

BEAT = 0.5  # s, 120 BPM


def _notes(cells, bars):
    """Repeat rhythm ``cells`` (lists of (length in beats, midi)) over ``bars`` bars."""
    on, off, midi, t = [], [], [], 0.2
    for b in range(bars):
        for length, m in cells[b % len(cells)]:
            on.append(t)
            off.append(t + 0.9 * length * BEAT)
            midi.append(m)
            t += length * BEAT
    beats = 0.2 + BEAT * np.arange(int((t - 0.2) / BEAT) + 1)
    return np.array(on), np.array(off), np.array(midi, float), beats


def test_waltz_with_long_downbeats_is_three_four():
    cells = [[(2, 67), (1, 64)], [(2, 65), (1, 62)], [(1, 60), (1, 62), (1, 64)], [(3, 67)]]
    on, off, midi, beats = _notes(cells, 16)
    ts, conf = estimate_meter(on, off, beats)
    assert (ts.numerator, ts.denominator) == (3, 4)
    assert 0.0 < conf <= 1.0


def test_march_is_four_four():
    cells = [[(1, 60), (1, 64), (1, 67), (1, 64)], [(2, 65), (2, 62)],
             [(1, 60), (0.5, 62), (0.5, 64), (1, 65), (1, 67)], [(4, 60)]]
    on, off, midi, beats = _notes(cells, 16)
    ts, conf = estimate_meter(on, off, beats)
    assert (ts.numerator, ts.denominator) == (4, 4)
    assert triple_evidence(on, off, beats) < TRIPLE_THRESHOLD
    assert 0.0 <= conf <= 1.0


def test_too_few_notes_defaults_to_four_four_without_confidence():
    ts, conf = estimate_meter(np.array([0.0, 1.0]), np.array([0.5, 1.5]),
                              np.arange(0, 3, 0.5))
    assert (ts.numerator, conf) == (4, 0.0)
