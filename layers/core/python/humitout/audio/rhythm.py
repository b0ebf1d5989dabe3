"""Beats, meter, downbeats and pickup of a hum, from its sung notes.

A hum has no drums: the only rhythmic evidence is where notes start, how long they last, where
the pitch leaps or peaks and where the singer breathes. The analysis has three steps.

1. **Beat candidates.** The notes become an onset-strength envelope (one Gaussian pulse per
   onset on a 10 ms grid, weighted by the note's duration accent); its autocorrelation, read as
   a comb over 1-4 periods, gives the periodicities of the tune (beat, half beat, bar...).
2. **Beat tracking** at each candidate period with dynamic programming (Ellis 2007, the
   algorithm of ``librosa.beat.beat_track``): the best chain of beats collects the most onset
   strength while each inter-beat interval may differ from the period (penalty
   ``tightness * log2(interval / period) ** 2``), so the beats follow the singer's rubato and
   phrase-end slowing instead of a fixed grid. The notated beat level and
   simple/compound subdivision are chosen together by how well the sung notes fit each tracked
   grid as music notation: note onsets on the beat or its halves/quarters (thirds in compound
   time) and note lengths of the usual values in beats (:data:`SIMPLE_LENGTHS`,
   :data:`COMPOUND_LENGTHS`), and how well the best bar of step 3 fits on it. No tempo range is
   preferred or folded into: the tempo octave comes from the rhythm (note-length distribution, onset
   positions, periodicity, bar fit), plus a tactus prior: a beat faster than 150 BPM (0.4 s) or slower
   than 50 BPM (1.2 s) is rarely the one listeners count (:func:`tactus_log_prior`); beats between are
   never penalised.
   Then a model of how folk tunes are notated and performed (:func:`beat_level_log_prior`: notes a
   notated beat per meter, learned from music21's corpus, and a soft log-normal quarter tempo) may
   move the best grid down or up an octave, so a tune counted at its eighths is moved to its quarters
   and a 4/4 song in quarters and halves counted at its half notes (33-50 BPM) back to its quarters
   (with the bar lines the half-note grid found).
3. **Meter, downbeat and pickup, jointly**: every (beats per bar, bar phase) is scored on the
   tracked beats by how well a metrical template (downbeat strong, beat 3 of 4/4 half strong)
   correlates with the duration accents per beat and per note, plus the repetition of rhythmic
   and melodic cells at one and two bars (autocorrelation of a subdivided onset grid and of the
   pitch line); the bar phase adds a prior on the pickups it implies for the first note and
   every phrase start (a note after a long inter-onset interval). Between 2/4 and 4/4 the note rate and a
   model learned from real notation decide (:func:`notation_scores`: Temperley's probabilistic
   meter model, onsets, note lengths and tonic-triad tones by position in the bar and the first
   note's position, tabled from 1,027 notated Essen folk songs that neither the dev set nor the
   held-out stand-in draws from, :mod:`humitout.audio.meter_profiles`); three beats against two or
   four is decided by the accent scores without their per-beat template term plus the same model's
   ratio a note, as fitted on notated songs read as hums (:func:`triple_gap`); on simple grids the
   same model also weighs each bar phase, its 4/4 phases folded to the half bar
   (:func:`phase_notation_scores`). Pitch accents (leap
   arrivals, contour peaks), phrase ends and a final-note bonus were tried and are off (see
   :func:`meter_scores`) as note accents; the bar phase does weigh where the long phrase-final
   notes fall in the bar (:func:`phrase_end_scores`, profiles learned from the same songs).
   The best hypothesis gives the time signature (2/4, 3/4, 4/4; 6/8 when the beat is compound),
   the downbeats and the pickup (beats before the first downbeat); the softmax probabilities of the
   chosen answers among the alternatives are the confidences.

This is the dynamic-programming tracker rather than a bar-pointer HMM (madmom): with 10-60
notes there is too little data to train transition/observation models, and the DP gives an
explicit beat chain whose meter can then be decided from all cues at once.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from humitout.audio.key import estimate_key
from humitout.audio.median import median1d
from humitout.audio.meter_profiles import LENGTH_EDGES, PROFILES
from humitout.models import Key, TimeSignature

HOP_S = 0.01
MIN_BPM, MAX_BPM = 30.0, 260.0   # candidate beat periods (BPM)
PERIOD_MULTIPLES = (1.0, 0.5, 2.0, 1 / 3, 3.0, 2 / 3, 1.5)   # the beat levels tried about each periodicity
SAME_PULSE_MULTIPLES = (2 / 3, 1.0, 1.5)   # a beat and the same pulse grouped in two or three (3/4 against 6/8)
DEFAULT_BPM = 100.0

# Note lengths (inter-onset intervals, in beats) and their prior weights. Simple time: the beat
# divides in 2 (eighths, sixteenths, dotted rhythms); compound time: the beat divides in 3.
SIMPLE_LENGTHS = {0.25: 0.06, 0.5: 0.34, 0.75: 0.06, 1.0: 0.30, 1.5: 0.08, 2.0: 0.10, 3.0: 0.04, 4.0: 0.02}
COMPOUND_LENGTHS = {1 / 6: 0.03, 1 / 3: 0.38, 2 / 3: 0.25, 1.0: 0.18, 4 / 3: 0.04, 2.0: 0.08, 3.0: 0.02,
                    0.5: 0.02}
# Onset positions inside a beat (fraction of the beat) and their prior weights.
SIMPLE_POSITIONS = {0.0: 0.55, 0.5: 0.30, 0.25: 0.075, 0.75: 0.075}
COMPOUND_POSITIONS = {0.0: 0.55, 1 / 3: 0.15, 2 / 3: 0.25, 1 / 6: 0.025, 5 / 6: 0.025}


@dataclass
class Rhythm:
    """The hum's metrical grid.

    ``beats_s`` (k,) notated beats in seconds (quarter notes in x/4, dotted quarters in 6/8),
    ``downbeats_s`` bar starts (s), ``beats_per_bar`` notated beats per bar (2 in 6/8),
    ``compound`` whether the beat divides in three, ``pickup_beats`` beats from the first
    note to the first downbeat, ``downbeat_index`` the index in ``beats_s`` of the first
    downbeat, and a confidence in [0, 1] for the beat grid, the meter and the downbeat.
    """

    beats_s: np.ndarray
    downbeats_s: np.ndarray
    beats_per_bar: int
    compound: bool
    pickup_beats: float
    downbeat_index: int
    beat_confidence: float
    meter_confidence: float
    downbeat_confidence: float

    @property
    def beat_bpm(self) -> float:
        """Notated beats per minute: the mean over the tracked beats (so a song at this tempo lasts as
        long as the hum)."""
        if len(self.beats_s) < 2:
            return DEFAULT_BPM
        return 60.0 * (len(self.beats_s) - 1) / float(self.beats_s[-1] - self.beats_s[0])

    @property
    def quarters_per_beat(self) -> float:
        """Quarter notes per notated beat: 1.5 in 6/8, else 1."""
        return 1.5 if self.compound else 1.0

    @property
    def quarter_bpm(self) -> float:
        """Quarter notes per minute."""
        return self.beat_bpm * self.quarters_per_beat

    @property
    def time_signature(self) -> TimeSignature:
        if self.compound:
            return TimeSignature(numerator=3 * self.beats_per_bar, denominator=8)
        return TimeSignature(numerator=self.beats_per_bar, denominator=4)


def onset_train(onsets_s: np.ndarray, weights: np.ndarray, n: int, width_s: float = 0.025) -> np.ndarray:
    """Sum of Gaussian pulses (std ``width_s`` s) at ``onsets_s`` scaled by ``weights``; shape (n,) on a
    ``HOP_S`` grid."""
    t = np.arange(n) * HOP_S
    onsets_s, weights = np.asarray(onsets_s, float), np.asarray(weights, float)
    lo = np.maximum(((onsets_s - 4 * width_s) / HOP_S).astype(int), 0)
    hi = np.minimum(((onsets_s + 4 * width_s) / HOP_S).astype(int) + 1, n)
    frame = lo[:, None] + np.arange(max(int((hi - lo).max(initial=0)), 0))
    inside = frame < hi[:, None]
    frame, o = frame[inside], np.broadcast_to(onsets_s[:, None], inside.shape)[inside]
    pulse = np.broadcast_to(weights[:, None], inside.shape)[inside] * np.exp(-0.5 * ((t[frame] - o) / width_s) ** 2)
    # bincount adds the pulses onset by onset, in the order the loop over the onsets did
    return np.bincount(frame, weights=pulse, minlength=n)[:n]


def note_weights(lengths_s: np.ndarray) -> np.ndarray:
    """Each note's weight as beat evidence, 0.5 + sqrt(length in s) with lengths clipped to 0.05-1.5 s:
    a held note marks the beat more surely than a passing one."""
    return 0.5 + np.sqrt(np.clip(lengths_s, 0.05, 1.5))


def note_lengths(onsets_s: np.ndarray, offsets_s: np.ndarray) -> np.ndarray:
    """Inter-onset intervals (s), the last note's own length for the last note; shape (k,)."""
    return np.diff(np.append(onsets_s, max(offsets_s[-1], onsets_s[-1] + 0.05)))


def period_candidates(onsets_s: np.ndarray, weights: np.ndarray, *, n_best: int = 4,
                      min_bpm: float = MIN_BPM, max_bpm: float = MAX_BPM,
                      related_to_s: float | None = None, related_tolerance: float = 0.06,
                      related_multiples: tuple[float, ...] = SAME_PULSE_MULTIPLES) -> list[tuple[float, float]]:
    """[(period s, comb score)] of the ``n_best`` strongest periodicities of the onset envelope and
    their :data:`PERIOD_MULTIPLES` (1/3, 1/2, 2/3, 3/2, 2x, 3x), within ``min_bpm``-``max_bpm``; with
    ``related_to_s`` (s; None: all) only the periods within ``related_tolerance`` (a share) of that period
    times one of ``related_multiples`` (:data:`SAME_PULSE_MULTIPLES`: the same tempo, its pulse grouped in
    two or three).

    The comb score of a lag is the mean normalised autocorrelation at 1-4 times the lag.
    """
    span = float(onsets_s.max() - onsets_s.min()) + 1.0
    n = int(np.ceil(span / HOP_S)) + 1
    x = onset_train(onsets_s - onsets_s.min() + 0.5, weights, n)
    x = x - x.mean()
    ac = np.correlate(x, x, mode="full")[n - 1:]
    ac = ac / (ac[0] + 1e-12)
    lags = np.arange(int(60.0 / max_bpm / HOP_S), int(60.0 / min_bpm / HOP_S) + 1)
    lags = lags[lags < n // 2]
    if not len(lags):
        return []

    score = _comb_scores(ac, lags)
    peaks = [j for j in range(1, len(lags) - 1) if score[j] >= score[j - 1] and score[j] > score[j + 1]]
    peaks = sorted(peaks, key=lambda j: -score[j])[:n_best]
    periods: dict[int, float] = {}
    for j in peaks:
        for mult in PERIOD_MULTIPLES:
            lag = lags[j] * mult
            if lags[0] <= lag <= lags[-1]:
                key = int(round(lag))
                periods.setdefault(key, float(_comb_scores(ac, np.array([lag]))[0]))
    merged: list[tuple[float, float]] = []
    for lag in sorted(periods):
        if merged and lag * HOP_S / merged[-1][0] < 1.06:
            if periods[lag] > merged[-1][1]:
                merged[-1] = (lag * HOP_S, periods[lag])
            continue
        merged.append((lag * HOP_S, periods[lag]))
    if related_to_s is not None:
        levels = related_to_s * np.array(related_multiples)
        merged = [(period, comb) for period, comb in merged
                  if np.min(np.abs(np.log(period / levels))) < np.log1p(related_tolerance)]
    return merged


def _comb_scores(ac: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """The comb score of each lag of ``lags`` (n,, frames, whole or not): the mean of ``ac`` at 1-4
    times the lag (each multiple rounded to a frame), over the multiples inside ``ac``, summed in the
    order 1-4 as ``np.mean`` of the four values does."""
    total = np.zeros(len(lags))
    count = np.zeros(len(lags), int)
    for k in (1, 2, 3, 4):
        at = np.round(k * np.asarray(lags)).astype(int)
        inside = at < len(ac)
        total[inside] = total[inside] + ac[at[inside]]
        count += inside
    return total / count


def beat_chain_scores(env: np.ndarray, first: int, penalty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The beat tracker's dynamic programme (:func:`track_beats`) on the envelope ``env`` (n,), with
    intervals of ``first`` to ``first + len(penalty) - 1`` frames, ``penalty[k]`` for ``first + k``: for
    each frame ``t`` from ``first`` on, the best predecessor ``p = t - first - k >= 0`` by
    ``score[p] + penalty[k]`` (the nearest of equal ones); when that is positive, ``score[t] = env[t]``
    plus it and ``back[t] = p``, else ``score[t] = env[t]`` and ``back[t] = -1``. Returns (score, back),
    each (n,).

    No predecessor lies within ``first`` frames, so a block of that many frames depends only on
    frames before it: each block is computed at once, with the same arithmetic as frame by frame."""
    n, width = len(env), len(penalty)
    padded = np.r_[np.full(first + width - 1, -np.inf), env]   # no predecessor before frame 0
    score = padded[first + width - 1:]                          # a view: the blocks write into it
    # candidates[t, k] = score[t - first - k]
    candidates = np.lib.stride_tricks.sliding_window_view(padded, width)[:, ::-1]
    rows = np.arange(first)
    cand_buf = np.empty((first, width))
    k_best = np.zeros(n, int)    # each frame's best k
    up = np.zeros(n, bool)       # whether its best predecessor's score is positive
    for t0 in range(first, n, first):
        t1 = min(t0 + first, n)
        cand = np.add(candidates[t0:t1], penalty, out=cand_buf[:t1 - t0])
        k = k_best[t0:t1] = cand.argmax(axis=1)
        best = cand[rows[:t1 - t0], k]   # the value at the first argmax: the maximum
        u = up[t0:t1] = best > 0
        score[t0:t1] = np.where(u, env[t0:t1] + best, env[t0:t1])
    return score.copy(), np.where(up, np.arange(n) - first - k_best, -1)


def track_beats(onsets_s: np.ndarray, weights: np.ndarray, period_s: float, end_s: float, *,
                tightness: float = 20.0) -> np.ndarray:
    """Beat times (s) by dynamic programming over the onset envelope (Ellis 2007).

    ``score[t] = env[t] + max_p(score[p] - tightness * log2((t - p) / period) ** 2)`` over
    predecessors ``p`` 0.5-2 periods back; the chain is traced back from the best-scoring
    frame in the last period. Each interval is judged against the global ``period_s``, and the
    envelope rewards intervals that land on onsets, so the tracked beats speed up and slow down
    with the singer. Beats between the first onset minus one period and ``end_s``.
    """
    start = max(float(onsets_s.min()) - period_s, 0.0)
    n = int(np.ceil((end_s - start) / HOP_S)) + 1
    env = onset_train(onsets_s - start, weights, n)
    env = env / (env.std() + 1e-9)
    p = period_s / HOP_S
    lo, hi = max(int(round(0.5 * p)), 1), int(round(2.0 * p))
    offsets = np.arange(lo, hi + 1)
    penalty = -tightness * np.log2(offsets / p) ** 2
    score, back = beat_chain_scores(env, lo, penalty)
    tail = np.arange(max(n - int(round(p)), 0), n)
    t = int(tail[np.argmax(score[tail])])
    chain = [t]
    while back[chain[-1]] >= 0:
        chain.append(int(back[chain[-1]]))
    beats = start + np.array(chain[::-1], float) * HOP_S
    # extend the chain at its period to cover the span (silence at either end has no onsets)
    step = float(median1d(np.diff(beats))) if len(beats) > 1 else period_s
    while beats[0] - step > onsets_s.min() - period_s * 0.95:
        beats = np.r_[beats[0] - step, beats]
    while beats[-1] + step <= end_s:
        beats = np.r_[beats, beats[-1] + step]
    first = float(onsets_s.min()) - 0.9 * step
    return beats[(beats >= first) & (beats <= end_s + 1e-9)]


def beat_positions(times_s: np.ndarray, beats_s: np.ndarray) -> np.ndarray:
    """Fractional beat index of each time (s), piecewise linear in ``beats_s`` and extrapolated at
    the first / last inter-beat interval."""
    idx = np.arange(len(beats_s), dtype=float)
    inside = np.interp(times_s, beats_s, idx)
    first = (times_s - beats_s[0]) / (beats_s[1] - beats_s[0])
    last = idx[-1] + (times_s - beats_s[-1]) / (beats_s[-1] - beats_s[-2])
    return np.where(times_s < beats_s[0], first, np.where(times_s > beats_s[-1], last, inside))


def _log_mixture(x: np.ndarray, centres: dict[float, float], sigma: float, circular: bool = False) -> np.ndarray:
    """log of a mixture of Gaussians with ``centres`` {value: weight} (plus a 2 % floor) at each x."""
    total = np.zeros_like(x) + 0.02
    for c, w in centres.items():
        d = x - c
        if circular:
            d = (d + 0.5) % 1.0 - 0.5
        total = total + w * np.exp(-0.5 * (d / sigma) ** 2)
    return np.log(total)


def grid_fit(onsets_s: np.ndarray, lengths_s: np.ndarray, beats_s: np.ndarray, compound: bool, *,
             notes_per_beat: float = 1.3, compound_notes_per_beat: float = 2.0,
             rate_octaves: float = 0.85, syncopation: float = 0.15) -> float:
    """Mean log-likelihood per note of the notes as notation on the beat grid ``beats_s``: onset
    positions inside the beat and note lengths in beats under the simple/compound priors, plus
    the log-normal prior (``rate_octaves`` wide) of the note rate: folk tunes are notated with
    about ``notes_per_beat`` notes a beat (``compound_notes_per_beat`` in compound time); a note
    that starts off the beat and is held across the next beat (a syncopation) has probability
    ``syncopation``. The onset positions are averaged with the weights the beat tracker gives the
    notes (:func:`note_weights`): a short note sung or heard a few
    tens of ms off its place (the sixteenth of a dotted figure, an onset a phone channel smeared)
    moves the fit of a grid less than a held note does."""
    pos = beat_positions(onsets_s, beats_s)
    ends = beat_positions(onsets_s + lengths_s, beats_s)
    length_beats = np.clip(ends - pos, 1e-3, None)
    phase = pos % 1.0
    sigma_pos = 0.06
    lp = _log_mixture(phase, COMPOUND_POSITIONS if compound else SIMPLE_POSITIONS, sigma_pos, circular=True)
    ll = _log_mixture(np.log2(length_beats), {np.log2(k): w for k, w in
                                              (COMPOUND_LENGTHS if compound else SIMPLE_LENGTHS).items()}, 0.15)
    # syncopation: a note starting off the beat that is held across the next beat is rare
    off_beat = np.abs((phase + 0.5) % 1.0 - 0.5) > 0.12
    crosses = ends > np.ceil(pos) + 0.15
    ls = np.where(off_beat & crosses, np.log(syncopation), 0.0)
    span = max(float(pos[-1] - pos[0] + length_beats[-1]), 1.0)
    rate = len(onsets_s) / span
    centre = compound_notes_per_beat if compound else notes_per_beat
    held = note_weights(lengths_s)
    return float(np.sum(held * lp) / held.sum() + np.mean(ll + ls)) - 0.5 * (np.log2(rate / centre) / rate_octaves) ** 2


def note_rate(onsets_s: np.ndarray, end_s: float, beats_s: np.ndarray) -> float:
    """Sung notes a beat of the grid ``beats_s``: the number of notes over the beats from the first
    onset to ``end_s`` (s), at least one beat."""
    span = float(beat_positions(np.array([end_s]), beats_s)[0] - beat_positions(onsets_s[:1], beats_s)[0])
    return len(onsets_s) / max(span, 1.0)


def off_beat_share(onsets_s: np.ndarray, beats_s: np.ndarray, *, near_beats: float = 0.2) -> float:
    """Share of the onsets (s) more than ``near_beats`` beats from the nearest beat of ``beats_s`` (the
    on-beat tolerance of :func:`meter_scores`): how often the notes divide the beat."""
    pos = beat_positions(onsets_s, beats_s)
    return float(np.mean(np.abs(pos - np.round(pos)) > near_beats))


def tactus_log_prior(period_s: float, *, max_bpm: float | None = 150.0, octaves: float = 0.3,
                     min_bpm: float | None = None) -> float:
    """Log prior of a beat period ``period_s`` (s) as the heard beat (tactus): 0 up to ``max_bpm`` beats a
    minute, then a half-Gaussian in log2 tempo with ``octaves`` standard deviation (-0.5 one ``octaves``
    above ``max_bpm``, -2 two above).

    One-sided by default: listeners rarely take a pulse faster than about 0.4 s as the beat (the
    resonance of Parncutt / van Noorden & Moelants peaks near 2 Hz and falls off above), while slow
    beats are left to the rhythm itself, so a slow 6/8 air or a 60 BPM hum keeps its tempo and no
    tempo range is folded into. With ``min_bpm`` (None: off) a beat slower than ``min_bpm`` loses
    the same half-Gaussian below it: a beat of more than about 1.2 s (50 BPM) is rarely the one
    counted either, so a whole 3/4 bar of long notes is not one dotted beat of 6/8. ``max_bpm`` None:
    no fast limit."""
    z = max(float(np.log2(60.0 / period_s / max_bpm)) / octaves, 0.0) if max_bpm else 0.0
    if min_bpm:
        z = max(z, float(np.log2(min_bpm * period_s / 60.0)) / octaves)
    return -0.5 * z * z


BEAT_NOTATIONS: tuple[tuple[float, bool, float, float, float], ...] = (
    (2.0, False, 0.149, 1.92, 0.10),   # 2/2 dances, 232 tunes
    (2.0, False, 0.015, 1.32, 0.59),   # 2/2 songs, 42 tunes
    (1.0, False, 0.212, 1.83, 0.18),   # 2/4 dances, 329 tunes
    (1.0, False, 0.092, 0.78, 0.29),   # 2/4 songs, 255 tunes
    (2.0, False, 0.010, 0.61, 0.47),   # 3/2 songs, 28 tunes
    (1.0, False, 0.116, 0.18, 0.43),   # 3/4 songs, 321 tunes
    (1.0, False, 0.015, 1.02, 0.13),   # 4/4 dances, 24 tunes
    (1.0, False, 0.132, 0.19, 0.37),   # 4/4 songs, 366 tunes
    (3.0, True, 0.021, 1.20, 0.27),   # 6/4 songs, 58 tunes
    (1.5, True, 0.097, 1.45, 0.15),   # 6/8 dances, 150 tunes
    (1.5, True, 0.105, 1.17, 0.23),   # 6/8 songs, 290 tunes
    (1.5, True, 0.026, 1.32, 0.15),   # 9/8 dances, 40 tunes
    (1.5, True, 0.008, 1.41, 0.31),   # 9/8 songs, 22 tunes
)
"""How folk tunes are notated, one row per (meter, corpus): (quarters a beat, compound, share of the
tunes, mean and standard deviation of log2 notes a beat). Learned by ``tests/bench/learn_beat_notation.py``
from music21's corpus (collections used by neither the dev set nor the held-out stand-in)."""


def beat_level_log_prior(period_s: float, notes_per_beat: float, compound: bool, *, quarter_bpm: float = 120.0,
                         tempo_octaves: float = 0.4,
                         notations: tuple[tuple[float, bool, float, float, float], ...] = BEAT_NOTATIONS) -> float:
    """Log probability that a grid with beat period ``period_s`` (s) and ``notes_per_beat`` sung notes a
    beat is the notated beat of a folk tune, simple or ``compound``: the sum over the notations of that
    kind (:data:`BEAT_NOTATIONS`) of their share x the normal density of log2 notes a beat x the
    log-normal density of the performed quarter tempo (60 / ``period_s`` x quarters a beat BPM; median
    ``quarter_bpm``, ``tempo_octaves`` standard deviation in octaves).

    The same sung notes read at twice the beat rate have half the notes a beat and twice the tempo:
    a 2/4 tune that moves in eighths at 90 BPM is also a 4/4 tune in quarters at 180; notated 4/4 tunes
    move at 1.2 notes a beat and a quarter is rarely sung at 180 BPM, notated 2/4 tunes move at 1.75
    notes a beat, so the 2/4 reading wins.

    The performed tempo's median ``quarter_bpm`` is the 2 Hz pulse listeners prefer and tap most readily
    (Fraisse; van Noorden & Moelants 1999; Moelants 2002: about 120 BPM). Centred on 110 (until stop 65) it
    counted 4/4 songs that move in quarters at 140-150 BPM ("Good King Wenceslas", "Lightly Row") and "Au clair
    de la lune" at 100 at their half notes (tests/bench/HISTORY.md, "Time")."""
    x = float(np.log2(max(notes_per_beat, 1e-3)))
    total = 1e-12
    for quarters, kind, share, mean, sd in notations:
        if kind != compound:
            continue
        tempo = float(np.log2(60.0 / period_s * quarters / quarter_bpm)) / tempo_octaves
        total += share * np.exp(-0.5 * ((x - mean) / sd) ** 2 - 0.5 * tempo * tempo) / (sd * tempo_octaves)
    return float(np.log(total))


def dance_style(onsets_s: np.ndarray, midi: np.ndarray, *, min_evenness: float = 0.78,
                max_repeats: float = 0.17, min_range_st: float = 14.0) -> bool:
    """Whether the notes move like a dance tune (a reel): running notes of one length (at least
    ``min_evenness`` of the inter-onset intervals within 25 % of the median), few repeated pitches (at
    most ``max_repeats`` of the steps) and a wide range (``min_range_st`` semitones or more). Songs
    repeat pitches (syllables) and mix lengths.

    The limits are the least even, most repeated and narrowest of 18 hummable reels of Ryan's Mammoth
    Collection (music21's corpus, every 4th ``*Reel*`` file), where notated Essen songs that run in
    eighths have medians of 0.65 evenness, 0.22 repeats and 12 semitones."""
    ioi = np.diff(np.sort(onsets_s))
    if len(ioi) < 8:
        return False
    med = float(np.median(ioi))
    steps = np.abs(np.diff(np.round(np.asarray(midi, float))))
    return bool(np.mean(np.abs(np.log(ioi / med)) < np.log(1.25)) >= min_evenness
                and np.mean(steps == 0) <= max_repeats and np.ptp(midi) >= min_range_st)


def note_accents(onsets_s: np.ndarray, lengths_s: np.ndarray, midi: np.ndarray, offsets_s: np.ndarray,
                 beat_s: float, *, leap_st: float = 3.0, breath_beats: float = 0.25,
                 weights: tuple[float, float, float] = (1.0, 0.5, 1.0)) -> np.ndarray:
    """Metrical accent of each note (k,): duration accent ``log2(1 + length in beats)``, plus 0.5 for
    a pitch accent (arrival by a leap of ``leap_st`` semitones or more, or a contour peak), plus 1
    for a phrase end (a rest of ``breath_beats`` or more after the note, or the last note)."""
    k = len(onsets_s)
    acc = weights[0] * np.log2(1.0 + lengths_s / beat_s)
    step = np.diff(midi)
    leap = np.r_[False, np.abs(step) >= leap_st]
    peak = np.r_[False, (step[:-1] > 0) & (step[1:] < 0), False] if k > 2 else np.zeros(k, bool)
    acc += weights[1] * (leap | peak)
    rest = np.r_[onsets_s[1:] - offsets_s[:-1], np.inf]
    acc += weights[2] * (rest >= breath_beats * beat_s)
    return acc


def _template(beats_per_bar: int) -> np.ndarray:
    """Metrical weight of each beat of the bar: 1 on the downbeat, 0.5 on beat 3 of 4/4, 0 elsewhere."""
    t = np.zeros(beats_per_bar)
    t[0] = 1.0
    if beats_per_bar == 4:
        t[2] = 0.5
    return t


def _centred(x: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """``x`` less its mean along ``axis`` and its standard deviation there, with the arithmetic of
    ``x.mean`` and ``x.std`` (one pass each instead of the three of ``x - x.mean()``, ``x.std()``)."""
    n = x.shape[axis]
    d = x - np.add.reduce(x, axis=axis, keepdims=True) / n
    return d, np.sqrt(np.add.reduce(d * d, axis=axis) / n)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of ``a`` and ``b`` (n,) each; 0 when either is flat."""
    (da, sa), (db, sb) = _centred(a), _centred(b)
    if sa < 1e-9 or sb < 1e-9:
        return 0.0
    return float(np.add.reduce(da * db) / len(a) / (sa * sb))


def _corr_rows(a: np.ndarray, rows: np.ndarray) -> list[float]:
    """:func:`_corr` of ``a`` (n,) with each row of ``rows`` (r, n), with the same arithmetic."""
    (da, sa), (d, sd) = _centred(a), _centred(rows)
    cov = np.add.reduce(da * d, axis=1) / rows.shape[1]
    return [0.0 if sa < 1e-9 or s < 1e-9 else float(c / (sa * s)) for c, s in zip(cov, sd)]


def meter_scores(onsets_s: np.ndarray, lengths_s: np.ndarray, offsets_s: np.ndarray, midi: np.ndarray,
                 beats_s: np.ndarray, compound: bool, *, repetition_weight: float = 0.5,
                 sub: int = 4, beat_weight: float = 1.0, note_weight: float = 1.0,
                 accent_weights: tuple[float, float, float] = (1.0, 0.0, 0.0),
                 repetition_bars: tuple[int, ...] = (1, 2)) -> dict[tuple[int, int], float]:
    """Score of every (beats per bar, phase) on the beat grid, phase = index of the first downbeat in
    ``beats_s``: ``beat_weight`` x the correlation of the per-beat accents (:func:`note_accents`
    with ``accent_weights``, summed over the notes starting on each beat) with the bar template,
    plus ``note_weight`` x the same per note (metrical strength of its onset vs its accent), plus
    ``repetition_weight`` x the repetition of the rhythmic and melodic cell: the best, over
    ``repetition_bars`` bars, of the autocorrelations of the subdivided onset grid (``sub`` points
    a beat, length-weighted) and of the held-pitch line at that lag. Compound beats take 2-beat
    bars (6/8) only.

    Pitch accents and phrase ends (``accent_weights`` 2 and 3) default to 0: on our generated tunes
    and on the dev hums they moved the downbeat away from the score more often than to it."""
    period = float(median1d(np.diff(beats_s)))
    pos = beat_positions(onsets_s, beats_s)
    acc = note_accents(onsets_s, lengths_s, midi, offsets_s, period, weights=accent_weights)
    n_beats = len(beats_s)
    per_beat = np.zeros(n_beats)
    near = np.abs(pos - np.round(pos)) <= 0.2
    idx = np.clip(np.round(pos).astype(int), 0, n_beats - 1)
    np.add.at(per_beat, idx[near], acc[near])
    # subdivided onset grid for cell repetition: length-weighted onsets and, separately, pitch
    grid = np.zeros(n_beats * sub)
    gi = np.clip(np.round(pos * sub).astype(int), 0, len(grid) - 1)
    np.add.at(grid, gi, np.sqrt(np.clip(lengths_s / period, 0.0, 3.0)))
    pitch_line = np.zeros(len(grid))
    if len(gi):
        order = np.argsort(gi)
        held = np.searchsorted(gi[order], np.arange(len(grid)), side="right") - 1
        pitch_line = np.where(held >= 0, (midi[order] - median1d(midi))[np.clip(held, 0, None)], 0.0)

    repeats: dict[int, float] = {}

    def repetition(bar: int) -> float:
        lag = bar * sub
        if len(grid) <= lag + 2 * sub:
            return 0.0
        if lag not in repeats:
            repeats[lag] = 0.5 * (_corr(grid[:-lag], grid[lag:]) + _corr(pitch_line[:-lag], pitch_line[lag:]))
        return repeats[lag]

    meters = (2,) if compound else (2, 3, 4)
    scores: dict[tuple[int, int], float] = {}
    for m in meters:
        rep = max(repetition(k * m) for k in repetition_bars)
        tmpl = _template(m)
        phases = np.arange(m)[:, None]
        w = tmpl[(np.arange(n_beats) - phases) % m]
        strength = np.where(near, tmpl[(idx - phases) % m] + 0.5, 0.0)
        by_beat, by_note = _corr_rows(per_beat, w), _corr_rows(acc, strength)
        for phase in range(m):
            scores[(m, phase)] = (beat_weight * by_beat[phase] + note_weight * by_note[phase]
                                  + repetition_weight * rep)
    return scores


def notation_scores(onsets_s: np.ndarray, lengths_s: np.ndarray, midi: np.ndarray, beats_s: np.ndarray,
                    compound: bool, *, weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
                    key: Key | None = None) -> dict[tuple[int, int], float]:
    """Log-likelihood (nats) of the notes as notation in every (beats per bar, phase) on the beat
    grid ``beats_s`` (phase = index of the first downbeat in ``beats_s``, as :func:`meter_scores`),
    under metrical-position profiles learned from notated folk tunes (:data:`PROFILES`; 2/4,
    3/4, 4/4 on simple beats, 6/8 on compound ones).

    Each onset is rounded to the profile's grid (sixteenths: 4 points a quarter beat, 6 a dotted
    quarter) and read as a position in the bar. The sum, ``weights`` x each: (1) whether a note
    starts or not at every grid point from the first note to the last, with the learned probability
    of an onset at that position (Temperley 2007's metrical onset model, so bars of 2, 3 or 4 beats
    are compared on the same points); (2) the note's inter-onset interval class in beats given its
    position (long notes on strong beats); (3) whether it is a tone of the tonic triad
    (:func:`humitout.audio.key.estimate_key`) given its position; (4) the position of the first note
    (the pickup length). ``key``: ``estimate_key(midi, lengths_s)`` when already known (it does not depend
    on the grid)."""
    pos = beat_positions(onsets_s, beats_s)
    ioi = np.diff(np.r_[pos, beat_positions(onsets_s[-1:] + lengths_s[-1:], beats_s)])
    length_class = np.searchsorted(LENGTH_EDGES, ioi)
    key = estimate_key(midi, lengths_s) if key is None else key
    triad = (0, 4, 7) if key.mode == "major" else (0, 3, 7)
    in_triad = np.isin((np.round(midi).astype(int) - key.tonic_pc) % 12, triad)
    scores: dict[tuple[int, int], float] = {}
    for name, table in PROFILES.items():
        if (name == "6/8") != compound:
            continue
        m, sub = table["beats_per_bar"], table["points_per_beat"]
        onset_p = np.array(table["onset"])
        grid = np.round(pos * sub).astype(int)
        points = np.arange(grid.min(), grid.max() + 1)
        hit = np.isin(points, grid)
        log_len = np.log(np.array(table["length"]))
        log_triad = np.log(np.array(table["triad"]))
        log_other = np.log1p(-np.array(table["triad"]))
        log_first = np.log(np.array(table["first"]))
        for phase in range(m):
            j_points = (points - phase * sub) % (m * sub)
            j = (grid - phase * sub) % (m * sub)
            ll_onset = np.where(hit, np.log(onset_p[j_points]), np.log1p(-onset_p[j_points])).sum()
            ll_len = log_len[j, length_class].sum()
            ll_deg = np.where(in_triad, log_triad[j], log_other[j]).sum()
            scores[(m, phase)] = (weights[0] * ll_onset + weights[1] * ll_len + weights[2] * ll_deg
                                  + weights[3] * log_first[j[0]])
    return scores


TRIADS = np.array([[i in (r, (r + third) % 12, (r + 7) % 12) for i in range(12)]
                   for r in range(12) for third in (4, 3)], float)
"""(24, 12): the pitch classes of every major and minor triad (rows), relative to C = 0."""


def diatonic_triads(midi: np.ndarray, lengths_s: np.ndarray) -> np.ndarray:
    """(c, 12) the triads of the melody's key (:func:`humitout.audio.key.estimate_key`): I ii iii IV V vi
    in major, i III iv v V VI VII in minor."""
    key = estimate_key(midi, lengths_s)
    t = key.tonic_pc
    degrees = ([(0, 0), (2, 1), (4, 1), (5, 0), (7, 0), (9, 1)] if key.mode == "major"
               else [(0, 1), (3, 0), (5, 1), (7, 1), (7, 0), (8, 0), (10, 0)])
    return TRIADS[[2 * ((t + d) % 12) + q for d, q in degrees]]


def harmonic_fit(onsets_s: np.ndarray, offsets_s: np.ndarray, midi: np.ndarray, beats_s: np.ndarray,
                 beats_per_bar: int, phase: int, *, downbeat_weight: float = 1.0,
                 split_cost: float = 0.15, triads: np.ndarray | None = None) -> float:
    """How well the melody reads as one chord a bar (or a half bar of 4/4) with bars starting at beat
    ``phase``: for each bar, the largest share of its sung duration (beats, notes on the downbeat
    count ``1 + downbeat_weight`` times) that lies on the tones of one major or minor triad; in 4/4
    a bar may take two chords (one per half) at ``split_cost``. Mean over the bars, weighted by
    their sung duration; in [0, 1].

    Chords change on downbeats: with the right bar phase each bar's notes outline one chord, with
    a wrong one the bars straddle chord changes."""
    pos = beat_positions(onsets_s, beats_s)
    end = beat_positions(offsets_s, beats_s)
    pc = np.round(midi).astype(int) % 12
    first = phase - beats_per_bar * int(np.ceil((phase - pos.min() + 1e-6) / beats_per_bar))
    bars = np.arange(first, end.max() + 1e-6, beats_per_bar)
    chords = TRIADS if triads is None else triads

    def profile(lo: float, hi: float) -> np.ndarray:
        w = np.clip(np.minimum(end, hi) - np.maximum(pos, lo), 0.0, None)
        w = w * (1.0 + downbeat_weight * (np.abs(pos - lo) <= 0.2))
        h = np.zeros(12)
        np.add.at(h, pc, w)
        return h

    total, weight = 0.0, 0.0
    for lo in bars:
        h = profile(lo, lo + beats_per_bar)
        mass = h.sum()
        if mass <= 0:
            continue
        fit = float((chords @ h).max() / mass)
        if beats_per_bar == 4:
            a, b = profile(lo, lo + 2), profile(lo + 2, lo + 4)
            fit = max(fit, float(((chords @ a).max() + (chords @ b).max()) / max(a.sum() + b.sum(), 1e-9))
                      - split_cost)
        total += fit * mass
        weight += mass
    return total / weight if weight else 0.0


PICKUP_PRIOR = (0.3, 0.4, 0.2, 0.1)
"""Prior of a pickup of 0, 1, 2, 3 whole beats (a part of a beat counts as one), renormalised over
the bar's length: most folk tunes start on the downbeat or with a short upbeat. Bars of three beats,
and the other bars when :data:`NOTATED_PICKUPS` is not used, take it."""

NOTATED_PICKUPS: dict[int, tuple[int, ...]] = {
    2: (93, 424, 27),      # 544 songs in 2/4 or 6/8: no upbeat, a part of a beat, a whole beat (half the bar)
    4: (46, 299, 13, 8),   # 366 songs in 4/4: an upbeat of 0, 1, 2, 3 beats (a part of a beat counts as one)
}
"""Notated songs by their upbeat, per beats in the bar (``tests/bench/learn_pickup_prior.py``: the songs the
beat-level notation model is learned from, none of them dev's). Most start with a short upbeat; one of half
the bar (a whole beat of 2/4 or 6/8, two beats of 4/4) is as rare as one of three beats."""


def pickup_class(upbeat_beats: float, beats_per_bar: int) -> int:
    """The class of :data:`NOTATED_PICKUPS` an upbeat of ``upbeat_beats`` beats falls in, with a 0.15-beat slack:
    in a bar of two beats 0 none, 1 a part of a beat (or more than a whole one), 2 a whole beat (half the bar);
    in longer bars the beats it starts before the bar line, a part of a beat counting as one."""
    if beats_per_bar == 2 and abs(upbeat_beats - 1.0) <= 0.15:
        return 2
    return min(max(int(np.ceil(upbeat_beats - 0.15)), 0), 1 if beats_per_bar == 2 else beats_per_bar - 1)


def _pickup_prior(first_pos: float, phase: int, beats_per_bar: int, *, bar_quarters: bool = True,
                  notated: dict[int, tuple[int, ...]] | None = NOTATED_PICKUPS) -> float:
    """Prior probability of the pickup implied by a first downbeat at beat ``phase`` for a first note
    at beat ``first_pos``.

    A bar of ``beats_per_bar`` beats that ``notated`` counts (:data:`NOTATED_PICKUPS`; None: none) takes
    the share of notated songs whose upbeat is of that class. Bars of three beats keep :data:`PICKUP_PRIOR`:
    a bar of three quarters read on the hum may be a 6/8 bar, and its bar phase also places the dotted
    quarters the 6/8 test regroups it into (the notated 3/4 shares turn five 6/8 stand-in tunes into 3/4,
    tests/bench/HISTORY.md, "Time", stop 64).

    Otherwise, with ``bar_quarters`` a bar of two beats (2/4, or 6/8 counted in dotted quarters) measures its
    pickup in quarters of the bar, as a bar of four beats does in beats: :data:`PICKUP_PRIOR` is the
    prior of an upbeat of 0, 1/4, 1/2 and 3/4 of a 4/4 bar, and an upbeat of a whole beat of 2/4 is half
    the bar (the rare two-beat upbeat of 4/4, 0.2 against 0.3 for none), while the short upbeat of 2/4
    or 6/8 is a part of its beat (an eighth or two). Without it the whole beat and the part of a beat
    count alike as one beat (0.4), so a 2/4 tune that starts on the downbeat was read with a half-bar
    pickup by default."""
    downbeat = phase + beats_per_bar * np.ceil((first_pos - 0.15 - phase) / beats_per_bar)
    k = pickup_class(downbeat - first_pos, beats_per_bar)
    counts = (notated or {}).get(beats_per_bar)
    if counts is not None:
        return counts[k] / sum(counts)
    if beats_per_bar == 2 and k == 2:   # a whole beat of a two-beat bar
        if bar_quarters:
            # half the bar: the two-beat upbeat of 4/4
            return PICKUP_PRIOR[2] / (PICKUP_PRIOR[0] + PICKUP_PRIOR[1])
        k = 1                           # else counted as the one-beat upbeat
    prior = np.array(PICKUP_PRIOR[:beats_per_bar])
    return float(prior[k] / prior.sum())


def unmarked_upbeat(positions_beats: np.ndarray, lengths_beats: np.ndarray, first_beats: float, phase: int,
                    beats_per_bar: int) -> float:
    """-1 when nothing marks the pickup a bar phase implies: a pickup of two beats or more whose notes and
    the note on the first downbeat all have the same length (within 25 %); else 0. ``positions_beats``:
    the notes' onsets on the beat grid (beats), ``lengths_beats`` their lengths, ``first_beats`` the first
    onset's position; ``phase``: the beat (0 .. ``beats_per_bar`` - 1) that bar lines fall on."""
    downbeat = phase + beats_per_bar * np.ceil((first_beats - 0.15 - phase) / beats_per_bar)
    before = np.flatnonzero(positions_beats < downbeat - 0.15)
    at = np.flatnonzero(np.abs(positions_beats - downbeat) <= 0.15)
    if not len(before) or not len(at) or downbeat - first_beats < 1.85:
        return 0.0
    run = lengths_beats[np.r_[before, at[0]]]
    return -1.0 if run.max() <= 1.25 * run.min() else 0.0


def phrase_starts(onsets_s: np.ndarray, beats_s: np.ndarray, *, long_beats: float = 1.75) -> np.ndarray:
    """Beat positions of the first note and of every note that starts a phrase: one that follows an
    inter-onset interval of ``long_beats`` or more (a long note, or a note and a breath).

    Silence alone does not start a phrase: a hum's detached notes and consonants leave gaps of a
    quarter or half a beat anywhere in a phrase, which (as phrase starts after a rest of 0.25 beat or
    more) made the pickup prior place bar 1 on weak beats; a breath of a beat or more after a note
    of half a beat or more is a long interval anyway (tests/bench/HISTORY.md, "Time")."""
    pos = beat_positions(onsets_s, beats_s)
    return pos[np.r_[True, np.diff(pos) >= long_beats]]


PHRASE_END_PROFILES: dict[str, tuple[float, ...]] = {
    "2/4": (0.9534, 0.0466),
    "3/4": (0.6366, 0.3556, 0.0078),
    "4/4": (0.6522, 0.0908, 0.2556, 0.0014),
    "6/8": (0.8745, 0.1255),
}
"""Where phrases end in the bar, per meter class: the probability of each beat of the bar among the
phrase-end notes (held three median notes or more until the next onset) that start on a beat.
Learned by ``tests/bench/learn_phrase_ends.py --long 3`` from 1,027 notated Essen songs that neither
the dev set nor the held-out stand-ins draw from (those of :mod:`humitout.audio.meter_profiles`)."""


def phrase_end_scores(onsets_s: np.ndarray, offsets_s: np.ndarray, beats_s: np.ndarray, beats_per_bar: int,
                      compound: bool, *, long_notes: float = 3.0, on_beat: float = 0.15,
                      profiles: dict[str, tuple[float, ...]] = PHRASE_END_PROFILES) -> dict[int, float]:
    """Log-likelihood (nats) of where the phrases end, for each bar phase (index of the first downbeat
    in ``beats_s``, as :func:`meter_scores`) of a bar of ``beats_per_bar`` beats: the sum, over the
    phrase-end notes that start within ``on_beat`` beats of a beat, of the log probability of their
    beat of the bar under :data:`PHRASE_END_PROFILES` (``profiles``; 6/8 when ``compound``). A
    phrase-end note is held ``long_notes`` times the median inter-onset interval or more until the
    next onset (a long note, or a note and a breath; the last note by its own length). In 4/4 beats
    1 and 3 count together: the cue places the half bar, and which half starts the bar is left to
    the other cues (notated 4/4 songs end a phrase on beat 3 too, as "Twinkle Twinkle" does).

    A listener hears bar 1 where the phrases come to rest: in notated songs 19 of 20 such notes
    of a 2/4 tune fall on the downbeat (and 7 of 8 in 6/8), while shorter stressed notes may sit on a
    weak beat (the Chinese 2/4 "short-short-long"), which note-level accents read as a downbeat."""
    profile = np.array(profiles["6/8" if compound else f"{beats_per_bar}/4"])
    if beats_per_bar == 4:
        profile = profile + np.roll(profile, 2)
    pos = beat_positions(onsets_s, beats_s)
    ioi = np.diff(np.r_[pos, beat_positions(offsets_s[-1:], beats_s)])
    beat = np.round(pos).astype(int)
    ends = beat[(np.abs(pos - beat) <= on_beat) & (ioi >= long_notes * np.median(ioi))]
    return {ph: float(np.log(profile[(ends - ph) % beats_per_bar]).sum()) for ph in range(beats_per_bar)}


def phase_notation_scores(notated: dict[tuple[int, int], float], beats_per_bar: int) -> dict[int, float]:
    """:func:`notation_scores` ``notated`` (nats) of each bar phase of a bar of ``beats_per_bar`` beats,
    as the bar phase cue: in 4/4 phases ``ph`` and ``ph + 2`` take their mean, so the cue places the
    half bar and the other cues decide which half starts the bar (as :func:`phrase_end_scores`: the
    folk-song profiles want the long notes on beat 1, but "Twinkle Twinkle" has its halves on beat 3)."""
    own = {ph: notated[(beats_per_bar, ph)] for ph in range(beats_per_bar)}
    if beats_per_bar != 4:
        return own
    return {ph: 0.5 * (own[ph] + own[(ph + 2) % 4]) for ph in range(4)}


def compound_log_ratio(onsets_s: np.ndarray, lengths_s: np.ndarray, midi: np.ndarray, beats_s: np.ndarray,
                       dotted_s: np.ndarray, *, key: Key | None = None) -> float:
    """Log-likelihood ratio (nats) of the notes as notated 6/8 on the dotted-quarter grid ``dotted_s``
    against 3/4 on the quarter grid ``beats_s`` (the same bar lines), each at its best bar phase under
    :func:`notation_scores`: positive when they sit as 6/8 (onsets on the first and third eighth of
    each dotted quarter, long notes of one or two dotted quarters). ``key``: ``estimate_key(midi,
    lengths_s)`` when already known."""
    key = estimate_key(midi, lengths_s) if key is None else key
    triple = notation_scores(onsets_s, lengths_s, midi, beats_s, False, key=key)
    compound = notation_scores(onsets_s, lengths_s, midi, dotted_s, True, key=key)
    return max(compound.values()) - max(v for (k, _), v in triple.items() if k == 3)


def bar_notation_scores(onsets_s: np.ndarray, lengths_s: np.ndarray, midi: np.ndarray, beats_s: np.ndarray, *,
                        key: Key | None = None,
                        simple: dict[tuple[int, int], float] | None = None) -> dict[int, float]:
    """Log-likelihood (nats) of the notes as notation with bars of 2, 3 and 4 beats of the simple grid
    ``beats_s``, each at its best bar phase under :func:`notation_scores`; a bar of three beats is read
    as 3/4 on the beats or as 6/8 on the dotted quarters with the same bar lines, whichever is likelier
    (a tune whose 3/4 reading is rewritten as 6/8 is a three-beat bar to the meter decision too).
    ``key``: ``estimate_key(midi, lengths_s)`` when already known; ``simple``: the :func:`notation_scores`
    of the simple grid with that key, when already known."""
    key = estimate_key(midi, lengths_s) if key is None else key
    simple = notation_scores(onsets_s, lengths_s, midi, beats_s, False, key=key) if simple is None else simple
    best = {m: max(v for (k, _), v in simple.items() if k == m) for m in (2, 3, 4)}
    for origin in (-3, -2, -1):
        dotted = notation_scores(onsets_s, lengths_s, midi, _regrouped(beats_s, origin, 1.5), True, key=key)
        best[3] = max(best[3], max(dotted.values()))
    return best


def triple_gap(scores: dict[tuple[int, int], float], notated: dict[int, float], n_notes: int, *,
               notation_weight: float = 0.43) -> float:
    """Evidence (score units) for a bar of three beats over one of two or four: the best 3-beat
    :func:`meter_scores` ``scores`` less the best 2- or 4-beat one, plus ``notation_weight`` x the
    :func:`bar_notation_scores` ``notated`` log-likelihood ratio of three beats over the likelier of two
    or four, a note (over ``n_notes``). Positive: three beats."""
    accent = max(v for (k, _), v in scores.items() if k == 3) - max(v for (k, _), v in scores.items() if k != 3)
    return accent + notation_weight * (notated[3] - max(notated[2], notated[4])) / n_notes


def _softmax_probability(values: list[float], chosen: float, scale: float) -> float:
    """Probability of the value ``chosen`` among ``values`` under a softmax with temperature ``scale``."""
    v = np.array(values) / scale
    return float(np.exp(chosen / scale - v.max()) / np.exp(v - v.max()).sum())


def _regrouped(beats_s: np.ndarray, start: float, step: float) -> np.ndarray:
    """Times (s) every ``step`` beats of ``beats_s`` from beat index ``start`` (may be negative),
    e.g. the dotted quarters (``step`` 1.5) of a quarter-note grid: interpolated between the beats,
    extrapolated at the first / last inter-beat interval."""
    idx = np.arange(start, len(beats_s) - 1 + 1e-9, step)
    first, last = beats_s[1] - beats_s[0], beats_s[-1] - beats_s[-2]
    inside = np.interp(idx, np.arange(len(beats_s)), beats_s)
    return np.where(idx < 0, beats_s[0] + idx * first, np.where(idx > len(beats_s) - 1,
                    beats_s[-1] + (idx - len(beats_s) + 1) * last, inside))


@dataclass(frozen=True, eq=False)
class BeatGrid:
    """One tracked beat grid of a hum and the terms of its beat-level score (score units).

    ``beats_s`` (k,) the tracked beats (s), ``step_s`` their median period (s), ``compound`` whether
    the beat is read as dividing in three; ``notation_fit`` is :func:`grid_fit`, ``periodicity`` the
    weighted comb score of the period, ``tactus_prior`` :func:`tactus_log_prior` (0 when off),
    ``bar_fit`` the weighted best bar of ``bar_scores`` (:func:`meter_scores` of the bars this kind of
    grid allows; None and 0 when off) and ``level_prior`` :func:`beat_level_log_prior` (unweighted;
    0 when off)."""

    beats_s: np.ndarray
    step_s: float
    compound: bool
    notation_fit: float
    periodicity: float
    tactus_prior: float
    bar_fit: float
    level_prior: float
    bar_scores: dict[tuple[int, int], float] | None

    @property
    def fit(self) -> float:
        """The grid's beat-level score before the notation prior."""
        return self.notation_fit + self.periodicity + self.tactus_prior + self.bar_fit


def beat_grids(onsets_s: np.ndarray, offsets_s: np.ndarray, midi: np.ndarray, *, tightness: float = 20.0,
               periodicity_weight: float = 3.0, tactus_max_bpm: float | None = 150.0, tactus_octaves: float = 0.3,
               meter_fit_weight: float = 0.5, level_prior: bool = True, quarter_bpm: float = 120.0,
               tactus_min_bpm: float | None = 50.0,
               tempo_octaves: float = 0.4,
               notations: tuple[tuple[float, bool, float, float, float], ...] = BEAT_NOTATIONS,
               related_to_s: float | None = None) -> list[BeatGrid]:
    """Every beat grid :func:`analyse_rhythm` weighs for sorted notes (onsets/offsets in s, MIDI
    pitches; (k,) each): each period of :func:`period_candidates` (``related_to_s``) tracked with
    :func:`track_beats` (``tightness``) and read both as simple and as compound, with the terms of its score
    (:class:`BeatGrid`; the keywords are :func:`analyse_rhythm`'s)."""
    on, off, pitch = (np.asarray(x, float) for x in (onsets_s, offsets_s, midi))
    lengths = note_lengths(on, off)
    weights = note_weights(lengths)
    end = float(max(off.max(), on.max() + 0.05))
    grids = []
    for period, comb in period_candidates(on, weights, related_to_s=related_to_s):
        beats = track_beats(on, weights, period, end, tightness=tightness)
        if len(beats) < 3:
            continue
        step = float(median1d(np.diff(beats)))
        rate = note_rate(on, end, beats)
        # a compound grid's meter scores are the same grid's scores of the 2-beat bars
        bars = meter_scores(on, lengths, off, pitch, beats, False) if meter_fit_weight else None
        tactus = tactus_log_prior(step, max_bpm=tactus_max_bpm, octaves=tactus_octaves, min_bpm=tactus_min_bpm)
        for compound in (False, True):
            scores = {k: v for k, v in bars.items() if k[0] == 2 or not compound} if bars else None
            prior = beat_level_log_prior(step, rate, compound, quarter_bpm=quarter_bpm,
                                         tempo_octaves=tempo_octaves, notations=notations) if level_prior else 0.0
            grids.append(BeatGrid(beats_s=beats, step_s=step, compound=compound,
                                  notation_fit=grid_fit(on, lengths, beats, compound),
                                  periodicity=periodicity_weight * comb, tactus_prior=tactus,
                                  bar_fit=meter_fit_weight * max(scores.values()) if scores else 0.0,
                                  level_prior=prior, bar_scores=scores))
    return grids


def analyse_rhythm(onsets_s, offsets_s, midi, duration_s: float, *, tightness: float = 20.0,
                   periodicity_weight: float = 3.0, pickup_weight: float = 1.0,
                   duple_rate_weight: float = 1.3, phrase_pickups: bool = True,
                   meter_fit_weight: float = 0.5, harmony_weight: float = 0.0, diatonic: bool = True,
                   temperatures: tuple[float, float, float] = (0.15, 0.5, 1.2),
                   upbeat_weight: float = 0.3, pickup_bar_quarters: bool = True,
                   pickup_notated: dict[int, tuple[int, ...]] | None = NOTATED_PICKUPS,
                   tactus_max_bpm: float | None = 150.0,
                   tactus_octaves: float = 0.3, tactus_min_bpm: float | None = 50.0,
                   carry_bar_lines_from_unlimited: bool = True,
                   level_prior_up: bool = True,
                   level_up_keeps_bar_lines: bool = True,
                   compound_notation_boundary: float | None = 17.5,
                   notation_weight: float = 0.5, beat_notation_weight: float = 0.5, phrase_end_weight: float = 0.5,
                   quarter_bpm: float = 120.0, tempo_octaves: float = 0.4,
                   notations: tuple[tuple[float, bool, float, float, float], ...] = BEAT_NOTATIONS,
                   dance_beat_notes: float | None = 4.0, dance_phase_notation: float = 0.5,
                   four_beat_max_bpm: float | None = 156.0,
                   three_beat_max_bpm: float | None = 156.0, three_beat_max_off_beat: float = 0.15,
                   triple_beat_weight: float | None = 0.0, triple_notation_weight: float = 0.43,
                   phase_notation_weight: float = 0.15, meter: TimeSignature | None = None,
                   bar_beats: int | None = None, related_to_s: float | None = None) -> Rhythm:
    """Beats, meter, downbeats and pickup of notes (onsets/offsets in s, MIDI pitches; (k,) each).

    ``meter`` (None: read from the notes) is a meter the caller named, read strictly: the beat level is
    chosen among the grids of its kind (simple or compound) by the bars of that meter, with no move to another
    notation of the bar, and the bar phase and pickup are read as always; ``bar_beats`` (None: read) only sets
    the beats of the bar read on the chosen grid, which the moves below may still write otherwise (a fast 4-beat
    bar as 2/4). :func:`rhythm_in_meter` tries the mild one first. Either gives a meter confidence of 1.
    ``related_to_s`` (s; None: every periodicity) weighs only that beat period and the same pulse grouped in two
    or three (:func:`period_candidates`): a reading of the same hum with one rest changed (:func:`joined_breaks`).

    The beat level maximises :func:`grid_fit` plus ``periodicity_weight`` x the comb score of
    its period plus ``meter_fit_weight`` x the best bar hypothesis of :func:`meter_scores` on that
    grid (beat level and meter decided jointly: a grid on which no bar of 2, 3 or 4 beats fits,
    such as a waltz tracked at its eighths, loses against one on which a bar does); ``tightness`` is the beat tracker's
    (:func:`track_beats`). The meter is the best
    of :func:`meter_scores`; its bar phase adds ``pickup_weight`` x the mean log prior of the
    pickups it implies for the first note and, with ``phrase_pickups``, every phrase start
    (:func:`phrase_starts`): each phrase of a tune starts on the downbeat or with the same short upbeat.
    The prior of bars of two and four beats is the share of notated songs with that upbeat
    (``pickup_notated``, :data:`NOTATED_PICKUPS`; None: :data:`PICKUP_PRIOR` for every bar, as before stop
    64): a half-bar upbeat is rare (5 % of 2/4 and 6/8 songs, 4 % of 4/4 songs), which mends "Good King
    Wenceslas", "Pop Goes the Weasel" and "London Bridge" read with one. Without it (None), with
    ``pickup_bar_quarters`` a bar of two beats (2/4, 6/8) prices an upbeat of a whole beat as half the
    bar, the two-beat upbeat of 4/4 (:func:`_pickup_prior`): a 2/4 tune that starts on the downbeat with
    its long notes on beat 2 ("Hänschen klein" read on its half notes, "Yankee Doodle") was read with a
    half-bar upbeat, since the prior took any upbeat of a two-beat bar, the whole beat as the eighth, for the
    short one (tests/bench/HISTORY.md, "Time").
    Between 2/4 and 4/4 the note rate leans the choice by ``duple_rate_weight`` x log2(notes a beat /
    sqrt 2): 2/4 is the notation of tunes that move in eighths, 4/4 of tunes that move in quarters. Both numbers come from notated folk tunes (music21's
    corpus: 836 2/4 and 583 4/4 tunes of Essen collections other than the dev set's, O'Neill's and
    Ryan's): a logistic fit of 2/4 vs 4/4 on log2 notes a beat puts the boundary at 1.45 notes a beat
    (about sqrt 2) with a slope of 5.1 nats an octave, which is 1.3 in score units (the meter
    temperature 0.5, the lean counted on both sides); the rate alone tells them apart in 83-85 % of
    those tunes. Then ``notation_weight`` x half the log-likelihood ratio (nats) of the best 2/4 and
    the best 4/4 reading under :func:`notation_scores` is added to 2/4 and taken from 4/4 (0.5: the
    ratio counts as log-odds at the meter temperature 0.5), so where the notes sit in the bar, not
    only how many there are, tells the two apart.

    The beat level also adds :func:`tactus_log_prior` (``tactus_max_bpm``, ``tactus_octaves``; None:
    off): a grid whose beat is faster than ``tactus_max_bpm`` loses, and one slower than
    ``tactus_min_bpm`` (None: off) loses the same half-Gaussian below it. The slow limit (50 BPM, a
    beat of 1.2 s, three times the fast limit's 0.4 s; the longest beat listeners can follow at all is
    about 1.5-2 s, and their preferred one 0.5-0.7 s) reaches only beats rarely counted in a sung tune: a slow
    3/4 song of dotted halves and halves at 100-120 BPM has the onsets of a 6/8 air whose dotted-quarter
    beat is a whole 3/4 bar, at 33-40 BPM, and fits that compound grid a little better; so does a 4/4
    song in halves and whole notes read at 33 BPM (issue 9; tests/bench/HISTORY.md, "Time"). The limit is
    part of each grid's fit; with ``carry_bar_lines_from_unlimited`` a grid an octave above the one that fits
    best without the slow limit keeps that grid's bar lines, as a grid the notation model moves up does
    (below): even notes with a long pickup (a 4/2 tune sung again, a 3-beat pickup) lost them when read
    afresh on the faster grid. A 2/4
    tune in eighths and sixteenths at 80 BPM has the same onsets as a 4/4 tune in quarters and
    eighths at 160: the rhythm cannot tell them apart, the fastest plausible beat can. For the same
    reason a bar of four beats faster than ``four_beat_max_bpm`` (None: off) is read as a bar of two
    beats twice as long, with the same bar lines (2/4 at 80 BPM, not 4/4 at 160): the fast grid may
    still be the one whose onsets fit best and whose bar lines are right, but its beat is not the
    notated one. 156 is ``tactus_max_bpm`` plus 4 %, so that a tune notated at the tactus limit and
    tracked a little fast (a 4/4 song at 150 BPM read at 150-152) keeps its beat.

    Likewise a bar of three beats faster than ``three_beat_max_bpm`` (None: off) is one dotted-quarter
    beat of a 6/8 bar of two such bars (a slow 6/8 air counted at its eighths: 6/8 at 52, not 3/4 at
    158) unless the notes divide its beats: :func:`off_beat_share` ``three_beat_max_off_beat`` or more.
    A 6/8 tune's eighths are seldom divided and a 3/4 tune's quarters often are: on the notated 3/4 and
    6/8 tunes of the notation model's training collections (``tests/bench/learn_off_beat_boundary.py``)
    the share of onsets off the quarter (3/4) and off the eighth (6/8) has medians 0.27 and 0.03, and
    the two densities cross at 0.15. The bar of the slower grid (which two 3-beat bars make one) is read
    as that of any compound grid. It moves two slow airs of the held-out stand-ins to their beat and
    keeps a generated 3/4 tune at 158 BPM (tests/bench/HISTORY.md, "Time").

    With ``beat_notation_weight`` (0: off) the best grid may move down an octave (to the grid of its kind
    whose beat is twice as long) when ``beat_notation_weight`` x :func:`beat_level_log_prior`
    (``quarter_bpm``, ``tempo_octaves``, ``notations``: how folk tunes are notated and performed) says
    so: a tune counted at its eighths is moved to its quarters. At 0.5 it helps the held-out
    stand-ins and dev (score position, meter, tempo) and costs one generated tune at 152 BPM
    (tests/bench/HISTORY.md, "Time"). With ``level_prior_up`` (False: down only) the same model may
    also move the best grid up an octave (to the grid whose beat is half as long): a 4/4 song that moves
    in quarters, halves and whole notes fits the generic note-length prior of :func:`grid_fit` better
    at its half notes (lengths 1/2, 1, 2 instead of 1, 2, 4), where it reads as a 2/4 song in eighths
    at 33-50 BPM; notated songs are sung at such slow quarters far more rarely than 4/4 songs move in
    quarters at 66-100 (the model's quarter tempo and notes a beat), and the model is the same in both
    directions. With ``level_up_keeps_bar_lines`` a grid moved up keeps the bar lines of the slower
    grid's bar of two (a bar of four of its beats, when it reads a duple bar itself): the model says
    how fast the beat is counted, not where the bars fall, as the four-beat limit below keeps the bar
    lines when it halves a bar; read afresh on the faster grid, even notes with a long pickup (a 4/2
    tune with three beats before bar 1) lost their bar lines. Stop 35: 9 of the 96 hums of the wide
    familiar set ("Au clair de la lune", "Old MacDonald", "Lightly Row", "O Come All Ye Faithful",
    "Good King Wenceslas" at 66 and 100 BPM) and 11 of the stress hums go to their notated beat; dev,
    the generated, the eight familiar tunes and held-out r1-r3 are unchanged (once, before the tactus
    limits, the move up lost generated tunes at 55-65 BPM).

    With ``dance_beat_notes`` (None: off) a tune that moves like a dance (:func:`dance_style`: even running
    notes, few repeated pitches, a wide range) on a simple grid whose best bar is not of three beats moves
    down one or two octaves to the beat of about ``dance_beat_notes`` running notes, with 2 beats a bar:
    reels are notated with four running notes a beat (eighths under the half note of 2/2, or sixteenths
    under the quarter of 2/4), so the note rate and the song-like :func:`grid_fit` read them at twice or
    four times their notated beat. Songs that run in eighths have the same rhythm, so only the style tells
    them apart (tests/bench/HISTORY.md, "Time"). Moved one octave, its bar phase is that of the best 4-beat bar on the
    faster grid (the bar phase score below, plus ``dance_phase_notation`` x :func:`notation_scores`, as
    ``notation_weight`` for 2/4 against 4/4: where the chord tones and long notes of a bar fall), and
    every 2nd beat from it is a beat; moved two octaves, every 4th beat from the one that the best 4-beat
    bar puts first. A two-octave move needs a tracked beat faster than ``tactus_max_bpm``: only then were
    the running notes themselves taken for the beat (an even tune of one note a beat at 120 BPM stays
    at 120, not 30).

    A 3/4 reading is written as 6/8 with the same bar lines when the notes are likelier as notated 6/8
    on the dotted quarters than as 3/4 on the quarters by more than ``compound_notation_boundary``
    nats (None: off): the log-likelihood ratio of the best readings under :func:`notation_scores`.
    The boundary is a logistic fit on the 507 notated 3/4 and 6/8 tunes of the model's training
    collections read as our hums are transcribed (``tests/bench/learn_compound_boundary.py``): 2.7 % of
    the notes lost, 0.6 % split in two and the onsets moved by 0.02 quarters, the rates measured on the
    transcribed dev, held-out and stress hums against their reference notes. The ratio alone tells them
    apart in 98 % of those copies; it is over-confident, so the even odds lie at 17.5 nats (mean of
    three noise seeds, 17.3-17.8; 19.8 on the clean tunes, 99 % right). The note rate adds nothing to
    it, and the older rule, 6/8 above 1.75 notes a quarter, gets 57 % of the tunes right.

    Three beats a bar against two or four (issue 9): with ``triple_beat_weight`` (None: the best of the
    :func:`meter_scores` decides, as between all bars) the 3-beat reading wins when :func:`triple_gap` is
    positive: the accent gap of :func:`meter_scores` with its per-beat template term weighed
    ``triple_beat_weight`` (0: left out; on notation it calls 13.5 % of the duple tunes triple, 8 % without
    it) plus ``triple_notation_weight`` x the :func:`bar_notation_scores` log-likelihood ratio a note of
    three beats (3/4, or 6/8 on the same bar lines) over two or four. Both weights are a logistic fit on
    notated songs of the notation model's training collections read as our hums are transcribed
    (``tests/bench/learn_triple_boundary.py``, tables learned on the other half of the tunes: 0.955 right
    against 0.907 for the present rule). Tunes that move like dance tunes (:func:`dance_style`) and 3-beat
    readings whose notes sit as 6/8 (written as 6/8 below) keep the accent decision: the song-learned
    tables read even running eighths as 2/4 whatever the meter, and only the accents of such tunes
    tell a jig from a 2/4 tune.

    A bar phase that makes the first notes a pickup of two beats or more loses ``upbeat_weight``
    when nothing marks them as one (they and the note on the first downbeat all have the same
    length: "Twinkle Twinkle" is heard from its first note, not as a half-bar upbeat).

    ``phrase_end_weight`` x :func:`phrase_end_scores` (nats) joins the bar phase score: the phrases of
    a tune come to rest on the downbeat (in 4/4 on beat 1 or 3), as learned from notated songs. At 0.5
    it moves 5 tunes to the score's bar lines (2 generated 6/8, 1 generated 2/4, 2 held-out Aird's of
    seed 2) and 1 held-out Lux 4/4 tune of seed 1, whose long notes are on beat 2, off them; dev and the
    familiar tunes are unchanged (tests/bench/HISTORY.md, "Time").

    ``phase_notation_weight`` x :func:`phase_notation_scores` (nats; 0: off) joins the bar phase score on a
    simple grid: the log-likelihood of the notes as notation (:func:`notation_scores`: onsets, lengths
    and tonic-triad tones by position in the bar, learned from notated folk tunes), the 4/4 phases
    folded to the half bar. Alone it places the bar phase of as many hums as the chosen phase does
    (dev 35 of 39). At 0.15, with phrase starts read from long intervals only (:func:`phrase_starts`),
    score position moves held-out r1 0.421 -> 0.485, r2 0.407 -> 0.455, r3 0.403 -> 0.425, r4 0.679 ->
    0.696, stress seed 12 0.791 -> 0.886, and seed 13 0.679 -> 0.655 (dev_008 sung again: a near tie that
    the pickup prior decided, read in the phase it has on dev); dev, the generated and familiar tunes and seed 11 are unchanged;
    0.1 to 0.3 give the same phases but a tune or two. Compound grids leave it out: the 6/8 profile
    alone places 8 of 21 generated 6/8 tunes (tests/bench/HISTORY.md, "Time"); so do 3-beat readings whose
    notes sit as 6/8 (written as 6/8 below): on their eighths the tables, which read running eighths as
    2/4, moved two O'Neill's jigs of held-out seed 2 off their dotted quarters, to 3/4 (r1-r3 meter and
    tempo fell by one or two tunes each; left out, r2 score position 0.455 -> 0.473, r4 0.696 -> 0.692).

    ``harmony_weight`` x :func:`harmonic_fit` (one chord of the key a bar, ``diatonic``: the key's
    triads only, else all 24) joins the bar phase score; it is off by default because it did not
    help beyond one generated set (tests/bench/HISTORY.md, "Time"). The confidences are softmax probabilities of
    the chosen answer with ``temperatures`` (beat level, meter, bar phase; in score units), fitted
    by log loss on generated tunes (seed 7000) so that they read as probabilities on the others."""
    on = np.asarray(onsets_s, float)
    off = np.asarray(offsets_s, float)
    pitch = np.asarray(midi, float)
    order = np.argsort(on)
    on, off, pitch = on[order], off[order], pitch[order]
    if len(on) < 4:
        return _fallback(on, duration_s, meter)
    lengths = note_lengths(on, off)
    end = float(max(off.max(), on.max() + 0.05))
    grids = beat_grids(on, off, pitch, tightness=tightness, periodicity_weight=periodicity_weight,
                       tactus_max_bpm=tactus_max_bpm, tactus_octaves=tactus_octaves,
                       tactus_min_bpm=tactus_min_bpm,
                       meter_fit_weight=meter_fit_weight, level_prior=bool(beat_notation_weight),
                       quarter_bpm=quarter_bpm, tempo_octaves=tempo_octaves, notations=notations,
                       related_to_s=related_to_s)
    if not grids:
        return _fallback(on, duration_s, meter)
    told = None if meter is None else meter.beats_per_bar   # beats a bar the caller named
    if meter is not None:
        # the caller named the meter: only grids of its kind, each scored by the bars of that meter
        grids = [replace(g, bar_scores=bars, bar_fit=meter_fit_weight * max(bars.values()))
                 for g in grids if g.compound == meter.compound
                 for bars in [{k: v for k, v in (g.bar_scores or meter_scores(
                     on, lengths, off, pitch, g.beats_s, g.compound)).items() if k[0] == told}] if bars]
        if not grids:
            return _fallback(on, duration_s, meter)
    top = max(grids, key=lambda g: g.fit)
    keys: list[Key] = []   # the melody's key for the notation scores, worked out once when first needed

    def melody_key() -> Key:
        if not keys:
            keys.append(estimate_key(pitch, lengths))
        return keys[0]

    def octave(g) -> bool:
        """Whether grid ``g`` is of the best grid's kind, its beat that beat or twice as long."""
        k = np.log2(g.step_s / top.step_s)
        return g.compound == top.compound and abs(k - round(k)) < 0.1 and (-1.5 if level_prior_up else -0.5) < k < 1.5

    def slow(g) -> float:
        """The slow tactus limit's part of grid ``g``'s log prior (0 without the limit)."""
        return tactus_log_prior(g.step_s, max_bpm=None, octaves=tactus_octaves, min_bpm=tactus_min_bpm)

    # the grid that fits best without the slow limit: a grid moved up from it keeps its bar lines (below)
    unlimited = max(grids, key=lambda g: g.fit - slow(g))
    fits = [g.fit + beat_notation_weight * (g.level_prior if octave(g) else top.level_prior) for g in grids]
    best = grids[int(np.argmax(fits))]
    beat_conf = _softmax_probability(fits, max(fits), temperatures[0])
    beats, compound, scores, step = best.beats_s, best.compound, best.bar_scores, best.step_s
    scores = scores or meter_scores(on, lengths, off, pitch, beats, compound)
    fast_bar = None   # a dance tune's 4-beat bar on its quarter grid: (beats, meter scores)
    if dance_beat_notes and told is None and not compound and max(scores, key=scores.get)[0] != 3 \
            and dance_style(on, pitch):
        # a duple dance tune (reel, hornpipe) is notated with four running notes a beat (eighths under a
        # half note in 2/2, sixteenths under a quarter in 2/4): move down one or two octaves to that beat
        k = int(round(np.log2(dance_beat_notes * float(np.median(np.diff(on))) / step)))
        if k == 1 and step * 2 <= 60.0 / MIN_BPM:
            # its bar of two slow beats is a bar of four on this grid: read the bar phase there, where
            # the notation model sees where the chord tones fall
            learned = notation_scores(on, lengths, pitch, beats, False, key=melody_key()) \
                if dance_phase_notation else {}
            fast_bar = (beats, {key: v + dance_phase_notation * learned.get(key, 0.0)
                                for key, v in scores.items() if key[0] == 4})
        elif k == 2 and (4, 0) in scores and step * 4 <= 60.0 / MIN_BPM and 60.0 / step > (tactus_max_bpm or 0.0):
            # every 4th tracked beat, from the one a bar of 4 of them puts first
            first = max(range(4), key=lambda ph: scores[(4, ph)])
            if len(beats[first::4]) >= 3:
                beats = beats[first::4]
                scores = {key: v for key, v in meter_scores(on, lengths, off, pitch, beats, False).items()
                          if key[0] != 3}

    def sits_as_six_eight(beats: np.ndarray, scores: dict) -> bool:
        """Whether the best 3-beat bar of ``scores`` on ``beats`` would be written as 6/8 (below)."""
        if compound_notation_boundary is None:
            return False
        phase3 = max((ph for (k, ph) in scores if k == 3), key=lambda ph: scores[(3, ph)])
        dotted3 = _regrouped(beats, phase3 % 3 - 3, 1.5)
        return compound_log_ratio(on, lengths, pitch, beats, dotted3, key=melody_key()) > compound_notation_boundary

    def bar_reading(beats: np.ndarray, scores: dict) -> tuple:
        """(meter, bar phase, meter confidence, phase confidence, first note's beat position) of a beat
        grid and its :func:`meter_scores`."""
        by_meter = {mm: max(s for (k, _), s in scores.items() if k == mm) for mm in {k for k, _ in scores}}
        # the notation model's scores of the simple grid (2/4 against 4/4, three beats, the bar phase cue),
        # and whether its best 3-beat bar sits as 6/8: each worked out once
        simple = None if compound else notation_scores(on, lengths, pitch, beats, False, key=melody_key())
        six_eight = not compound and 3 in by_meter and sits_as_six_eight(beats, scores)
        if triple_beat_weight is not None and not compound and {2, 3, 4} <= set(by_meter) \
                and not dance_style(on, pitch) and not six_eight:
            # three beats a bar or two / four: the accent scores without the per-beat template term
            # (it calls duple tunes triple) plus the notation model's log-likelihood ratio a note, as
            # fitted on notated songs read as hums (tests/bench/learn_triple_boundary.py)
            plain = meter_scores(on, lengths, off, pitch, beats, False, beat_weight=triple_beat_weight)
            notated = bar_notation_scores(on, lengths, pitch, beats, key=melody_key(), simple=simple)
            by_meter[3] = max(by_meter[2], by_meter[4]) + triple_gap(plain, notated, len(on),
                                                                     notation_weight=triple_notation_weight)
        m = max(by_meter, key=by_meter.get)
        rate = note_rate(on, end, beats)
        if not compound and m in (2, 4) and {2, 4} <= set(by_meter):
            # 2/4 is written for tunes that move in eighths, 4/4 for tunes that move in quarters: the
            # note rate against sqrt(2) notes a beat (between the two) leans the choice between them
            lean = duple_rate_weight * float(np.log2(rate / np.sqrt(2.0)))
            by_meter[2] += lean
            by_meter[4] -= lean
            if notation_weight:
                # notated 2/4 and 4/4 tunes place their onsets, long notes and chord tones differently
                ratio = max(simple[(2, ph)] for ph in range(2)) - max(simple[(4, ph)] for ph in range(4))
                by_meter[2] += notation_weight * ratio / 2
                by_meter[4] -= notation_weight * ratio / 2
            m = 2 if by_meter[2] > by_meter[4] else 4
        meter_conf = _softmax_probability(list(by_meter.values()), by_meter[m], temperatures[1]) if len(by_meter) > 1 else 1.0
        if (told or bar_beats) in by_meter:
            m, meter_conf = told or bar_beats, 1.0
        first_pos = float(beat_positions(on[:1], beats)[0])
        starts = phrase_starts(on, beats) if phrase_pickups else np.array([first_pos])
        triads = diatonic_triads(pitch, lengths) if harmony_weight and diatonic else None
        pos = beat_positions(on, beats)

        ends = phrase_end_scores(on, off, beats, m, compound) if phrase_end_weight else None
        notated = phase_notation_scores(simple, m) \
            if phase_notation_weight and not compound and not (m == 3 and six_eight) else None

        def pickups(ph: int) -> float:
            """The mean log prior of the pickups bar phase ``ph`` implies for the phrase starts."""
            return float(np.mean([np.log(_pickup_prior(p, ph, m, bar_quarters=pickup_bar_quarters,
                                                       notated=pickup_notated)) for p in starts]))

        phases = {ph: s + pickup_weight * pickups(ph)
                  + upbeat_weight * unmarked_upbeat(pos, lengths, first_pos, ph, m)
                  + (phrase_end_weight * ends[ph] if ends else 0.0)
                  + (phase_notation_weight * notated[ph] if notated else 0.0)
                  + (harmony_weight * harmonic_fit(on, off, pitch, beats, m, ph, triads=triads) if harmony_weight else 0.0)
                  for (k, ph), s in scores.items() if k == m}
        phase = max(phases, key=phases.get)
        phase_conf = _softmax_probability(list(phases.values()), phases[phase], temperatures[2])
        return m, phase, meter_conf, phase_conf, first_pos

    def faster_than(limit_bpm: float | None) -> bool:
        """Whether the grid ``beats`` (its median beat) is faster than ``limit_bpm`` (None: never)."""
        return bool(limit_bpm) and 60.0 / float(median1d(np.diff(beats))) > limit_bpm

    if fast_bar is not None:
        m, phase, meter_conf, phase_conf, first_pos = bar_reading(*fast_bar)
    else:
        m, phase, meter_conf, phase_conf, first_pos = bar_reading(beats, scores)
        slower = unlimited if carry_bar_lines_from_unlimited else top   # the grid whose bar lines a move up keeps
        if level_up_keeps_bar_lines and told is None and best is not slower and best.compound == slower.compound \
                and best.step_s < 0.75 * slower.step_s:
            # moved up an octave by the notation model or the slow tactus limit: the beat is counted twice as
            # fast, the bar lines are those of the slower grid's bar of two (a bar of four of these beats)
            top_scores = slower.bar_scores or meter_scores(on, lengths, off, pitch, slower.beats_s, slower.compound)
            top_m, top_phase, *_ = bar_reading(slower.beats_s, top_scores)
            if top_m == 2 and m in (2, 4):
                m = 4
                top_down = slower.beats_s[int(top_phase):int(top_phase) + 1]
                phase = int(round(float(beat_positions(top_down, beats)[0]))) % 4
        if m == 3 and told is None and not compound and faster_than(three_beat_max_bpm) \
                and off_beat_share(on, beats) < three_beat_max_off_beat and len(beats[phase % 3::3]) >= 3:
            # a bar of three undivided beats faster than the tactus is one dotted-quarter beat of 6/8
            beats, compound = beats[phase % 3::3], True
            scores = {key: v for key, v in meter_scores(on, lengths, off, pitch, beats, True).items() if key[0] == 2}
            m, phase, meter_conf, phase_conf, first_pos = bar_reading(beats, scores)
    if fast_bar is not None or (m == 4 and told is None and not compound and faster_than(four_beat_max_bpm)):
        # a bar of four beats on the faster grid is a bar of two beats twice as long (the same bar
        # lines): a dance tune's bar read there, or a 2/4 tune that moves in eighths, counted at its
        # eighths (a bar of four beats faster than the tactus)
        beats = beats[phase % 2::2]
        m, phase = 2, phase // 2
        first_pos = float(beat_positions(on[:1], beats)[0])
    first = int(phase)
    downbeats = beats[first::m]
    pickup, first = bar_pickup(first, first_pos, m)
    origin = int(phase) % 3 - 3
    dotted = _regrouped(beats, origin, 1.5) if not compound and m == 3 else None
    if dotted is not None and told is None and compound_notation_boundary is not None \
            and compound_log_ratio(on, lengths, pitch, beats, dotted, key=melody_key()) > compound_notation_boundary:
        # three quarters a bar are also two dotted quarters: a tune whose notes sit as 6/8 is a 6/8 tune
        keep = dotted >= on[0] - 0.9 * 1.5 * float(np.median(np.diff(beats)))
        dropped = int(np.argmax(keep))
        beats = dotted[keep]
        downbeats = beats[(int(phase) - origin) // 3 * 2 - dropped::2]
        first = (first - origin) // 3 * 2 - dropped
        pickup, m, compound = pickup / 1.5, 2, True
    return Rhythm(beats_s=beats, downbeats_s=downbeats, beats_per_bar=m, compound=compound,
                  pickup_beats=round(max(pickup, 0.0), 3), downbeat_index=first,
                  beat_confidence=round(beat_conf, 3), meter_confidence=round(meter_conf, 3),
                  downbeat_confidence=round(phase_conf, 3))


WHOLE_BAR_TOLERANCE_BEATS = 0.25
"""A first note this close (beats) to a whole bar before a bar line starts a bar: no pickup."""


def bar_pickup(first: int, first_pos: float, beats_per_bar: int) -> tuple[float, int]:
    """(pickup in beats, index of the first bar's downbeat) for bar lines on beat ``first`` (0 .. ``beats_per_bar``
    - 1, an index on the beat grid) and a first note at beat ``first_pos``: the beats from the first note to that
    bar line, none when the note starts a bar. A "pickup" of a whole bar (within a quarter beat) is the first bar
    itself, a bar earlier (the pickup then goes negative: read it as none)."""
    pickup = max(first - first_pos, 0.0)
    if pickup >= beats_per_bar - WHOLE_BAR_TOLERANCE_BEATS:
        return pickup - beats_per_bar, first - beats_per_bar
    return pickup, first


def rhythm_in_meter(onsets_s, offsets_s, midi, duration_s: float, meter: TimeSignature, *,
                    tactus_mid_bpm: float = float(np.sqrt(50.0 * 150.0)), slower_ratio: float = 1.5,
                    slower_octaves: float = 0.1) -> Rhythm:
    """:func:`analyse_rhythm` of notes (onsets/offsets in s, MIDI pitches; (k,) each) written in ``meter``, the
    caller's (2/4, 3/4, 4/4 or 6/8; "make it a waltz"): the hum's own reading when it is in that meter, else the
    first reading with the bar's beats set (:func:`analyse_rhythm`'s ``bar_beats``: the beat level read from the
    notes, only the bar told) that comes out in it, else the reading with ``meter`` told strictly.

    The beat level that reading keeps may be the one that made the meter wrong (a 3/4 tune counted at its
    eighths reads as 4/4 at 150), so a slower one may take its place, whichever beat lies nearer
    ``tactus_mid_bpm`` (BPM; the middle, in log tempo, of :func:`analyse_rhythm`'s tactus band, 50-150): for a 2/4
    told of a 4/4 reading, that reading's bars with every second beat (a 2/4 tune counted at its eighths); then the
    reading told strictly with the tactus limit at ``slower_ratio`` times slower than the beat kept (``slower_octaves``
    wide: all but a wall), when its beat is a quarter slower or more. The meter confidence is 1: the caller said so."""
    own = analyse_rhythm(onsets_s, offsets_s, midi, duration_s)
    if own.time_signature == meter:
        return replace(own, meter_confidence=1.0)
    tries = {(2, 4): (2, 4), (4, 4): (4, 2), (3, 4): (3,), (6, 8): (3, 2)}.get((meter.numerator, meter.denominator), ())
    for beats in tries:
        told = analyse_rhythm(onsets_s, offsets_s, midi, duration_s, bar_beats=beats)
        if told.time_signature == meter:
            break
    else:
        told = analyse_rhythm(onsets_s, offsets_s, midi, duration_s, meter=meter)

    def nearer(r: Rhythm) -> bool:
        """Whether ``r``'s beat lies nearer the middle of the tactus band than the kept reading's."""
        return abs(np.log(r.beat_bpm / tactus_mid_bpm)) < abs(np.log(told.beat_bpm / tactus_mid_bpm))

    if meter.beats_per_bar == 2 and not meter.compound and own.beats_per_bar == 4 and not own.compound:
        first = own.downbeat_index % 2   # the 4/4 reading's bar lines, every second beat
        halved = replace(own, beats_s=own.beats_s[first::2], beats_per_bar=2, pickup_beats=round(own.pickup_beats / 2, 3),
                         downbeat_index=own.downbeat_index // 2, meter_confidence=1.0)
        if nearer(halved):
            return halved
    if told.beat_bpm > tactus_mid_bpm * np.sqrt(2):   # a beat half as fast could lie nearer the middle
        slower = analyse_rhythm(onsets_s, offsets_s, midi, duration_s, meter=meter,
                                tactus_max_bpm=told.beat_bpm / slower_ratio, tactus_octaves=slower_octaves)
        if slower.beat_bpm < 0.75 * told.beat_bpm and nearer(slower):
            return slower
    return told


def closing_knots(breaks_s) -> tuple[np.ndarray, np.ndarray]:
    """Knots (recording s, closed-up s; each (k,), non-decreasing) of the time map that leaves out the spans
    ``breaks_s`` ((start, end) s: where the caller broke off the hum to talk, :func:`joined_breaks`), as if the tune
    had gone on; a time inside a span goes to its start. Outside them the map moves times by whole seconds only
    (slope 1; :func:`at_knots`); no spans: no knots, the identity."""
    spans = sorted((float(a), float(b)) for a, b in breaks_s if b > a)
    if not spans:
        return np.zeros(0), np.zeros(0)
    real, closed, moved = [0.0], [0.0], 0.0
    for a, b in spans:
        real += [a, b]
        closed += [a - moved, a - moved]
        moved += b - a
    real.append(max(real[-1], 0.0) + 1.0)
    closed.append(real[-1] - moved)
    return np.array(real), np.array(closed)


def at_knots(times_s, from_knots: np.ndarray, to_knots: np.ndarray) -> np.ndarray:
    """Times (s) mapped through the piecewise-linear map ``from_knots`` -> ``to_knots`` (:func:`closing_knots`,
    either way; where ``from_knots`` repeats a time, the map jumps there), with slope 1 beyond the first and last
    knot; no knots: the times as they are."""
    t = np.asarray(times_s, float)
    if not len(from_knots):
        return t
    inner = np.interp(t, from_knots, to_knots)
    return np.where(t < from_knots[0], t - from_knots[0] + to_knots[0],
                    np.where(t > from_knots[-1], t - from_knots[-1] + to_knots[-1], inner))


def closed_up(onsets_s, offsets_s, duration_s: float, breaks_s) -> tuple[np.ndarray, np.ndarray, float]:
    """Note onsets and offsets (s, (k,) each) and a call's duration (s) with the spans ``breaks_s`` left out
    (:func:`closing_knots`)."""
    real, closed = closing_knots(breaks_s)
    return (at_knots(onsets_s, real, closed), at_knots(offsets_s, real, closed),
            float(at_knots([duration_s], real, closed)[0]))


def long_silences(onsets_s, offsets_s, *, min_s: float = 1.2, min_notes: int = 1) -> list[tuple[float, float]]:
    """The silences of ``min_s`` s or more between two notes (onsets/offsets in s, (k,) each) with ``min_notes`` notes
    or more either side: (offset of the note before, onset of the note after; s). A tune rests that long only at a
    slow tempo (a beat's rest at 50 BPM); a caller recalling how the tune goes on stops longer (:func:`joined_breaks`
    tells the two apart)."""
    on, off = (np.asarray(v, float) for v in (onsets_s, offsets_s))
    order = np.argsort(on)
    on, off = on[order], off[order]
    ends = np.maximum.accumulate(off)[:-1]
    return [(float(ends[k]), float(on[k + 1])) for k in range(min_notes - 1, len(on) - min_notes)
            if on[k + 1] - ends[k] >= min_s]


def joined_breaks(onsets_s, offsets_s, midi, duration_s: float, pauses_s, *, silences_s=(), max_gap_s: float = 0.5,
                  rest_step_beats: float = 0.5, max_rest_bars: float = 1.0) -> list[tuple[float, float]]:
    """The spans (start, end; s) of the recording to leave out where the caller broke off the hum to talk
    (``pauses_s``) or fell silent (``silences_s``; each (offset of the note before, onset of the note after; s)) so
    that the tune runs on across them as it would have without the break. Notes: onsets/offsets in s and MIDI
    pitches, (k,) each.

    Each pause closes up to the hum's median gap between one note's end and the next onset (at most ``max_gap_s`` s)
    plus a rest of 0, ``rest_step_beats``, ... beats, less than ``max_rest_bars`` bars (the tune may have rested
    there, or the caller cut the note short; a rest a whole bar longer puts the notes after it on the same places in
    their bars, and its empty bar costs: up to two bars, no rest of a bar or more won on any of the 348 cached hums
    with breaks of stops 64-67, and the search took 12 % more CPU): the rest under which the whole hum's reading
    (:func:`analyse_rhythm`) makes the likeliest notation of its notes in the meter and bar lines it chose
    (:func:`notation_scores`, Temperley's model learned from notated folk songs: where onsets fall in the bar, the
    note lengths there, the tonic-triad tones; a rest's positions without onsets cost as notation does). The part
    after the words then starts its bars where the part before would have them. A silence may also stay as it is (a
    rest the caller kept in time): it closes only when a closing (from no rest on) makes the likelier notation than
    the hum read as sung. Read as sung, a long silence bends the tracked beats until it holds a whole number of
    them, and the part after it may start its bars anywhere (stress condition ``pause``: score position about
    halved). The notation model prices every empty position, so a rest the caller counted in time closes too where
    the notes read as well without it: by its whole bars, or by half a bar where the phrase after it then starts on
    a downbeat as the one before did (tests/bench/HISTORY.md, stop 58). Each rest's reading weighs only the beat of
    the reading with none and that pulse grouped in two or three (``related_to_s``, :data:`SAME_PULSE_MULTIPLES`): a
    rest moves the notes after it, not the tempo; read afresh at every level, a rest could win by the notation of
    another tempo (stop 67: 9 of the 252 pause / aside / resing calls of stress seeds 10-15 and 71 changed, meter,
    tempo and score position up on the whole; the rhythm's CPU in those calls about 40 % less;
    tests/bench/HISTORY.md)."""
    on, off, midi = (np.asarray(v, float) for v in (onsets_s, offsets_s, midi))
    talks = sorted((float(a), float(b)) for a, b in pauses_s if b > a)
    silences = sorted((float(a), float(b)) for a, b in silences_s if b > a and (float(a), float(b)) not in talks)
    pauses = sorted(talks + silences)
    if not pauses or len(on) < 2:
        return []
    inside = np.zeros(len(on) - 1, bool)
    for a, b in pauses:
        inside |= (off[:-1] >= a - 1e-6) & (on[1:] <= b + 1e-6)
    gaps = (on[1:] - off[:-1])[~inside]
    usual = float(np.clip(np.median(gaps[gaps > 0]) if np.any(gaps > 0) else 0.0, 0.0, max_gap_s))
    shortest = [a + min(usual, b - a) for a, b in pauses]   # each pause closed up to the usual gap
    spans = [None if (a, b) in silences else (start, b) for start, (a, b) in zip(shortest, pauses)]   # None: as sung
    key = estimate_key(midi, off - on)

    def notation(breaks: list, related_to_s: float | None = None) -> tuple[float, Rhythm]:
        """(log-likelihood of the notes as notation in the reading, the reading) with ``breaks`` (None: a pause
        left as it is) left out, the reading's beat levels about ``related_to_s`` (s; None: all)."""
        shut_on, shut_off, shut_s = closed_up(on, off, duration_s, [b for b in breaks if b is not None])
        reading = analyse_rhythm(shut_on, shut_off, midi, shut_s, related_to_s=related_to_s)
        scores = notation_scores(shut_on, shut_off - shut_on, midi, reading.beats_s, reading.compound, key=key)
        m = reading.beats_per_bar
        return scores.get((m, reading.downbeat_index % m), -np.inf), reading

    best_score, first = notation(spans)
    beat_s = 60.0 / first.beat_bpm
    for i, (a, b) in enumerate(pauses):
        best = spans[i]
        for rest in np.arange(0.0 if best is None else rest_step_beats, max_rest_bars * first.beats_per_bar,
                              rest_step_beats):
            start = shortest[i] + rest * beat_s
            if start >= b:
                break
            score, _ = notation(spans[:i] + [(start, b)] + spans[i + 1:], related_to_s=beat_s)
            if score > best_score:
                best, best_score = (start, b), score
        spans[i] = best
    return [span for span in spans if span is not None]


def across_breaks(read, onsets_s, offsets_s, midi, duration_s: float, breaks_s, **kw) -> tuple[Rhythm, Rhythm]:
    """``read`` (:func:`analyse_rhythm`, :func:`rhythm_in_meter`) of notes (onsets/offsets in s, MIDI pitches; (k,)
    each) whose hum the caller broke off to talk (``breaks_s``: the spans left out, :func:`joined_breaks`): the
    rhythm read on the closed-up times, and the same with its beats and downbeats back on the recording's times
    (one long beat across each break). The first gives the tempo (the breaks are no music), the second the grid.
    ``kw`` go to ``read``."""
    shut_on, shut_off, shut_s = closed_up(onsets_s, offsets_s, duration_s, breaks_s)
    shut = read(shut_on, shut_off, midi, shut_s, **kw)
    real, closed = closing_knots(breaks_s)
    return shut, replace(shut, beats_s=at_knots(shut.beats_s, closed, real),
                         downbeats_s=at_knots(shut.downbeats_s, closed, real))


def _fallback(onsets_s: np.ndarray, duration_s: float, meter: TimeSignature | None = None) -> Rhythm:
    """A steady grid at ``DEFAULT_BPM`` (quarters) from the first onset in ``meter``, the caller's (meter
    confidence 1), else in 4/4; the other confidences 0."""
    told = meter or TimeSignature()
    start = float(onsets_s.min()) if len(onsets_s) else 0.0
    step = 60.0 / DEFAULT_BPM * told.quarters_per_beat
    beats = np.arange(start, max(duration_s, start + 1.0), step)
    if len(beats) < 2:
        beats = start + np.array([0.0, step])
    return Rhythm(beats_s=beats, downbeats_s=beats[::told.beats_per_bar], beats_per_bar=told.beats_per_bar,
                  compound=told.compound, pickup_beats=0.0, downbeat_index=0, beat_confidence=0.0,
                  meter_confidence=0.0 if meter is None else 1.0, downbeat_confidence=0.0)
