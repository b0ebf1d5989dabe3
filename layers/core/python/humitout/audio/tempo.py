"""Tempo and beat grid from note onsets (a hum has no drums).

An onset-strength train (one Gaussian pulse per note onset, weighted by
the note's duration up to 1 s, on a 10 ms grid) is autocorrelated; every
candidate period in 40-240 BPM is scored by a comb over its first multiples
(1, 2, 3, 4 periods, so that a bar-level regularity supports its beat) times a
log-normal prior centred on ``PRIOR_BPM``. That period may be a dotted beat
(6/8, 3/4 bars), so the pulse under it is taken: the period divided by 2 or 3
when that sub-period is itself well supported. The reported tempo is in
quarter notes, i.e. the binary multiple (x1, x2, x4, /2...) of that pulse
closest to ``PRIOR_BPM`` — a hum cannot tell a half note from a quarter, so a
song's notated tempo is only known up to a factor of 2. The beat phase is the
offset whose beat train collects the most onset strength.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOP_S = 0.01
MIN_BPM, MAX_BPM = 40.0, 240.0
PRIOR_BPM = 105.0          # centre of the tempo prior (BPM)
PRIOR_OCTAVES = 0.6        # standard deviation of the prior in octaves (log2)
DEFAULT_BPM = 100.0
SUB_SUPPORT = 0.5          # a sub-period needs this share of the period's comb score
QUARTER_BPM = (70.0, 150.0)  # quarter-note tempi a hummable folk tune is notated at
MOTION_BEATS = 0.5         # a melody typically moves in eighth notes: median inter-onset interval, in beats
MOTION_OCTAVES = 0.5       # spread (log2) of that typical motion


@dataclass
class TempoEstimate:
    """``bpm`` beats per minute, ``beats_s`` (k,) beat times in seconds, ``confidence`` in [0, 1]."""

    bpm: float
    beats_s: np.ndarray
    confidence: float


def onset_train(onsets_s: np.ndarray, weights: np.ndarray, n: int, width_s: float = 0.02) -> np.ndarray:
    """Sum of Gaussian pulses (std ``width_s``) at ``onsets_s`` scaled by ``weights``; shape (n,)."""
    t = np.arange(n) * HOP_S
    out = np.zeros(n)
    for o, w in zip(onsets_s, weights):
        lo, hi = int((o - 4 * width_s) / HOP_S), int((o + 4 * width_s) / HOP_S) + 1
        lo, hi = max(lo, 0), min(hi, n)
        out[lo:hi] += w * np.exp(-0.5 * ((t[lo:hi] - o) / width_s) ** 2)
    return out


def estimate_tempo(onsets_s: np.ndarray, offsets_s: np.ndarray, duration_s: float) -> TempoEstimate:
    """Tempo and beats from note onsets/offsets (k,) in seconds of a recording ``duration_s`` long."""
    onsets_s = np.asarray(onsets_s, float)
    if len(onsets_s) < 3:
        return TempoEstimate(DEFAULT_BPM, _beats(onsets_s, 60.0 / DEFAULT_BPM, duration_s), 0.0)
    n = int(np.ceil(duration_s / HOP_S)) + 1
    w = np.sqrt(np.clip(np.asarray(offsets_s, float) - onsets_s, 0.05, 1.0))
    x = onset_train(onsets_s, w, n)
    x = x - x.mean()
    ac = np.correlate(x, x, mode="full")[n - 1:]
    ac = ac / (ac[0] + 1e-12)
    lags = np.arange(int(60.0 / MAX_BPM / HOP_S), int(60.0 / MIN_BPM / HOP_S) + 1)
    lags = lags[lags < n // 2]
    if not len(lags):
        return TempoEstimate(DEFAULT_BPM, _beats(onsets_s, 60.0 / DEFAULT_BPM, duration_s), 0.0)
    score = np.zeros(len(lags))
    for j, lag in enumerate(lags):
        ks = [k for k in (1, 2, 3, 4) if k * lag < len(ac)]
        score[j] = np.mean([ac[k * lag] for k in ks])
    bpm = 60.0 / (lags * HOP_S)
    prior = np.exp(-0.5 * (np.log2(bpm / PRIOR_BPM) / PRIOR_OCTAVES) ** 2)
    total = np.clip(score, 0, None) * prior
    j = int(np.argmax(total))
    # parabolic refinement of the best lag
    lag = float(lags[j])
    if 0 < j < len(lags) - 1:
        y0, y1, y2 = total[j - 1], total[j], total[j + 1]
        den = y0 - 2 * y1 + y2
        if den < 0:
            lag += 0.5 * (y0 - y2) / den
    def comb(lag_f: float) -> float:
        ks = [k for k in (1, 2, 3, 4) if int(round(k * lag_f)) < len(ac)]
        return float(np.mean([ac[int(round(k * lag_f))] for k in ks]))

    pulse = lag
    for div in (3, 2):
        sub = lag / div
        if sub * HOP_S >= 60.0 / 400.0 and comb(sub) >= SUB_SUPPORT * score[j]:
            pulse = sub
            break
    period = _quarter_period(pulse * HOP_S, onsets_s)
    conf = float(np.clip(score[j], 0.0, 1.0))
    return TempoEstimate(60.0 / period, _beats(onsets_s, period, duration_s, w), conf)


def _quarter_period(pulse_s: float, onsets_s: np.ndarray) -> float:
    """The binary multiple of ``pulse_s`` taken as the quarter note.

    Every multiple whose tempo lies in ``QUARTER_BPM`` is a candidate; when two
    are (a pulse near 70-75 BPM is also one near 140-150), the one under which
    the melody's median inter-onset interval (within phrases, under 2 s) is
    closest to ``MOTION_BEATS`` beats wins, weighed with the log-normal tempo
    prior. Otherwise the multiple closest to ``PRIOR_BPM`` is taken.
    """
    base = np.round(np.log2(60.0 / pulse_s / PRIOR_BPM))
    ks = base + np.array([-1.0, 0.0, 1.0])
    bpms = 60.0 / (pulse_s * 2.0 ** ks)
    ok = (bpms >= QUARTER_BPM[0]) & (bpms <= QUARTER_BPM[1])
    ioi = np.diff(np.sort(onsets_s))
    ioi = ioi[(ioi > 0.05) & (ioi < 2.0)]
    if ok.sum() < 2 or len(ioi) < 4:
        return pulse_s * 2.0 ** base
    motion = np.median(ioi) * bpms / 60.0                       # median IOI in beats
    logp = (-0.5 * (np.log2(motion / MOTION_BEATS) / MOTION_OCTAVES) ** 2
            - 0.5 * (np.log2(bpms / PRIOR_BPM) / PRIOR_OCTAVES) ** 2)
    best = int(np.argmax(np.where(ok, logp, -np.inf)))
    return pulse_s * 2.0 ** ks[best]


def _beats(onsets_s: np.ndarray, period: float, duration_s: float,
           weights: np.ndarray | None = None) -> np.ndarray:
    """Beat times (k,) every ``period`` s, phased to collect the most onset weight."""
    if not len(onsets_s):
        return np.arange(0.0, duration_s, period)
    weights = np.ones(len(onsets_s)) if weights is None else weights
    phases = np.linspace(0.0, period, 40, endpoint=False)
    fit = [np.sum(weights * np.cos(2 * np.pi * (onsets_s - ph) / period)) for ph in phases]
    phase = phases[int(np.argmax(fit))]
    first = phase + period * np.ceil((onsets_s.min() - phase) / period - 0.5)
    return np.arange(first, duration_s, period)
