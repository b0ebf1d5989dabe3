"""Simple mood descriptors: energy in [0, 1], tempo class and tags."""
from __future__ import annotations

import numpy as np

from humitout.models import Key, Mood

SLOW_BPM, FAST_BPM = 90.0, 125.0


def estimate_mood(level_dbfs: float, notes_per_s: float, tempo_bpm: float, key: Key) -> Mood:
    """Mood from the median level of the voiced frames (dBFS), note rate (notes/s), tempo (BPM) and key.

    ``energy`` is the mean of the level mapped from [-45, -10] dBFS and the note
    rate mapped from [1, 5] notes/s onto [0, 1].
    """
    loud = np.clip((level_dbfs + 45.0) / 35.0, 0.0, 1.0)
    busy = np.clip((notes_per_s - 1.0) / 4.0, 0.0, 1.0)
    energy = float(round(0.5 * (loud + busy), 3))
    tempo_class = "slow" if tempo_bpm < SLOW_BPM else "fast" if tempo_bpm >= FAST_BPM else "medium"
    tags = ["bright" if key.mode == "major" else "dark"]
    tags.append("energetic" if energy >= 0.6 else "calm" if energy < 0.35 else "relaxed")
    tags.append({"slow": "ballad", "medium": "steady", "fast": "upbeat"}[tempo_class])
    return Mood(energy=energy, tempo_class=tempo_class, tags=tags)
