"""Small array helpers shared by the audio analysis and the mastering."""
from __future__ import annotations

import numpy as np


def true_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The runs of True in a 1-D boolean ``mask`` (n,): their first indices and the indices just past
    their ends (half-open, ``mask[a:b]`` is one run), each (k,) int, in order; empty when none."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return edges[::2], edges[1::2]
