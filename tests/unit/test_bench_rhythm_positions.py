"""The rhythm bench's reference bar positions follow the reference's own bars, so one bar of another
length (dev_012: bars of 4 in a 3/4 tune) does not move every other note's position."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_rhythm  # noqa: E402


def _beats(bar_lengths: list[int], period_s: float = 0.5) -> np.ndarray:
    """Reference beats (s, beat in bar) for bars of these lengths (beats), from 1 s."""
    in_bar = [b for n in bar_lengths for b in range(1, n + 1)]
    return np.column_stack([1.0 + period_s * np.arange(len(in_bar)), in_bar])


def test_downbeats_after_a_longer_bar_are_whole_bars():
    beats = _beats([3, 4, 3, 3])
    downbeats_s = beats[beats[:, 1] == 1, 0]
    assert np.allclose(bench_rhythm._ref_positions(downbeats_s, beats), [0, 1, 2, 3])


def test_a_beat_inside_the_usual_bar_is_its_share_of_three_beats():
    beats = _beats([3, 4, 3, 3])
    second_beat_of_bar_3 = beats[8, 0]
    assert np.isclose(bench_rhythm._ref_positions(np.array([second_beat_of_bar_3]), beats)[0], 2 + 1 / 3)


def test_a_pickup_before_the_first_downbeat_is_a_negative_share_of_the_bar():
    beats = np.column_stack([1.0 + 0.5 * np.arange(7), [3, 1, 2, 3, 1, 2, 3]])
    assert np.isclose(bench_rhythm._ref_positions(np.array([1.0]), beats)[0], -1 / 3)
