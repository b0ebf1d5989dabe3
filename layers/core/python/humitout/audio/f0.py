"""Frame-level f0 at a 10 ms hop, robust to a missing fundamental.

swift-f0 (a small ONNX CNN on the 16 kHz waveform, weights shipped in its
wheel) gives a pitch and a voicing confidence every 16 ms; its pitch is
interpolated in the log domain onto the 10 ms grid. Before that, on the tracker's
own frames (interpolating across an octave flip would leave in-between pitches
that no longer look like a jump), a three-state Viterbi over
the octave candidates {f/2, f, 2f} folds back short octave excursions
(the classic error when the fundamental is 17-22 dB under the 2nd harmonic):
staying on the tracker's own answer is free, a different octave costs a little
per frame, and a jump of more than ``OCTAVE_JUMP_ST`` semitones between
consecutive voiced frames costs a lot. Octave leaps held longer than about
``JUMP_COST / FOLD_COST`` frames are kept as sung.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

HOP_S = 0.01            # s, output frame period
VOICED_CONF = 0.5       # swift-f0 is calibrated so that conf >= 0.5 means voiced
FMIN_HZ, FMAX_HZ = 55.0, 1400.0
OCTAVE_JUMP_ST = 9.0    # a frame-to-frame jump this large (semitones) is suspect
JUMP_COST = 1.0
FOLD_COST = 0.15        # per frame moved off the tracker's octave

_detector = None
_lock = threading.Lock()


@dataclass
class PitchTrack:
    """f0 on a regular grid: frame ``i`` is at ``i * hop_s`` seconds.

    ``hz`` (n,) is the pitch estimate in Hz in every frame (also unvoiced ones),
    ``confidence`` (n,) the voicing confidence in [0, 1], ``voiced`` (n,) bool.
    """

    hz: np.ndarray
    confidence: np.ndarray
    voiced: np.ndarray
    hop_s: float = HOP_S

    @property
    def times(self) -> np.ndarray:
        """Frame times in seconds, shape (n,)."""
        return np.arange(len(self.hz)) * self.hop_s

    @property
    def midi(self) -> np.ndarray:
        """Pitch as fractional MIDI numbers (n,); NaN where ``hz`` is not positive."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.hz > 0, 69.0 + 12.0 * np.log2(self.hz / 440.0), np.nan)


def _swift():
    global _detector
    with _lock:
        if _detector is None:
            from swift_f0 import SwiftF0  # imports onnxruntime: load once per process
            _detector = SwiftF0(threads=1)
        return _detector


def fix_octaves(midi: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    """Fold short octave excursions of ``midi`` (n,) back, inside each voiced run.

    Viterbi over the shifts {-12, 0, +12} semitones; returns the corrected (n,) MIDI.
    """
    out = midi.copy()
    shifts = np.array([-12.0, 0.0, 12.0])
    edges = np.diff(np.r_[0, voiced.astype(np.int8), 0])
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        m = midi[a:b]
        cand = m[:, None] + shifts[None, :]                      # (t, 3)
        # moving off the tracker's octave costs FOLD_COST; never below 55 Hz or above ~1400 Hz
        emit = np.where(shifts == 0, 0.0, FOLD_COST)[None, :] + np.where(
            (cand < 33.0) | (cand > 93.0), np.inf, 0.0)
        emit[:, 1] = 0.0                                         # the tracker's own answer stays allowed
        cost = emit[0].copy()
        back = np.zeros((len(m), 3), dtype=np.int8)
        for t in range(1, len(m)):
            jump = np.abs(cand[t][None, :] - cand[t - 1][:, None]) > OCTAVE_JUMP_ST  # (prev, cur)
            total = cost[:, None] + JUMP_COST * jump
            back[t] = np.argmin(total, axis=0)
            cost = total[back[t], np.arange(3)] + emit[t]
        state = int(np.argmin(cost))
        for t in range(len(m) - 1, -1, -1):
            out[a + t] = cand[t, state]
            state = int(back[t, state])
    return out


def midi_to_hz(midi):
    """Frequency (Hz) of a MIDI pitch (float or array; A4 = 69 = 440 Hz)."""
    return 440.0 * 2.0 ** ((np.asarray(midi, float) - 69.0) / 12.0)


def track_f0(x: np.ndarray, sr: int) -> PitchTrack:
    """f0 of mono samples ``x`` (n,) at ``sr`` Hz (16 kHz avoids a resample) on a 10 ms grid."""
    res = _swift().detect(x, sr, fmin=FMIN_HZ, fmax=FMAX_HZ)
    n = int(np.floor(len(x) / sr / HOP_S))
    t = np.arange(n) * HOP_S
    conf = np.interp(t, res.timestamps, res.confidence)
    ok = res.pitch_hz > 0
    if not ok.any():
        return PitchTrack(np.zeros(n), conf, np.zeros(n, bool))
    # octaves are settled on the tracker's own frames: interpolating across an octave flip first
    # would put in-between pitches there, which a frame-to-frame jump test no longer sees
    native = 69.0 + 12.0 * np.log2(res.pitch_hz[ok] / 440.0)
    native = fix_octaves(native, res.confidence[ok] >= VOICED_CONF)
    midi = np.interp(t, res.timestamps[ok], native)
    voiced = conf >= VOICED_CONF
    return PitchTrack(midi_to_hz(midi), conf, voiced)
