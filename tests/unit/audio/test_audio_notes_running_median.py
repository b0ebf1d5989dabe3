"""Pitch cuts read the note's running median from a sorted list: the same cuts as np.median each frame."""
import numpy as np

from humitout.audio.notes.core import JUMP_ST
from humitout.audio.notes.reattack import pitch_cuts


def _cuts_with_np_median(m, min_jump):
    """The pitch cuts as computed before: ``np.median`` of the note so far at every frame."""
    cuts, i = [0], 1
    while i < len(m):
        ref = np.median(m[cuts[-1]:i])
        if abs(m[i] - ref) <= JUMP_ST:
            i += 1
            continue
        j = i
        while j < len(m) and abs(m[j] - ref) > JUMP_ST:
            j += 1
        if j - i < min_jump:
            i = j
            continue
        new = np.median(m[i:min(j, i + 3 * min_jump)])
        mid = 0.5 * (ref + new)
        k, lo = i, max(cuts[-1] + 1, i - min_jump)
        while k > lo and (m[k - 1] - mid) * (new - mid) > 0:
            k -= 1
        while k < j and (m[k] - mid) * (new - mid) < 0:
            k += 1
        cuts.append(k)
        i = k + min_jump
    return cuts[1:]


def test_running_median_pitch_cuts_equal_np_median_cuts():
    rng = np.random.default_rng(0)
    found = 0
    for _ in range(120):
        n = int(rng.integers(2, 300))
        steps = np.cumsum(np.where(rng.random(n) < 0.03, rng.choice([-7, -3, -1, 2, 4, 5], n), 0))
        m = 55.0 + steps + rng.normal(0, 0.3, n)
        if rng.random() < 0.3:
            m = np.round(m * 2) / 2   # equal values: even-length medians of ties
        min_jump = int(rng.integers(1, 8))
        cuts = pitch_cuts(m, min_jump)
        assert cuts == _cuts_with_np_median(m, min_jump)
        found += len(cuts)
    assert found > 40
