"""Tempo of a hum in quarter notes per minute: a thin view of :mod:`humitout.audio.rhythm`.

The beat tracker there follows the singer's rubato and decides the beat level from the rhythm
itself (no preferred tempo range; only beats faster than 150 BPM or slower than 50 BPM are
discounted, as rarely the counted beat); this module keeps the simple (bpm, beats, confidence) answer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from humitout.audio.rhythm import analyse_rhythm


@dataclass
class TempoEstimate:
    """``bpm`` quarter notes per minute, ``beats_s`` (k,) tracked beat times in seconds (the notated
    beat: a dotted quarter in 6/8), ``confidence`` in [0, 1]."""

    bpm: float
    beats_s: np.ndarray
    confidence: float


def estimate_tempo(onsets_s: np.ndarray, offsets_s: np.ndarray, duration_s: float,
                   midi: np.ndarray | None = None) -> TempoEstimate:
    """Tempo and beats from note onsets/offsets (k,) in seconds (and MIDI pitches when known)."""
    onsets_s = np.asarray(onsets_s, float)
    pitches = np.zeros(len(onsets_s)) + 60.0 if midi is None else np.asarray(midi, float)
    rhythm = analyse_rhythm(onsets_s, offsets_s, pitches, duration_s)
    return TempoEstimate(rhythm.quarter_bpm, rhythm.beats_s, rhythm.beat_confidence)
