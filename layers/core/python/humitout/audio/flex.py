"""The caller's recording flexed onto the song's steady grid (``your-hum.wav``).

The hum -> song time map (``Arrangement.time_map``: each sung note onset of the recording, and
the tracked beats before the first and after the last note, with their song beats) gives anchors
(recording s -> song s). Between two anchors the recording is time-stretched by their ratio with
the pitch unchanged, so every sung note lands on its place in the song; before the first and
after the last anchor it plays at its own speed. Only the hum itself is kept (``hum_span_s``): the
caller's words before and after it ("Okay, here goes", "That's it") and the line's noise around it
are faded out, and where they broke off between two parts of the hum to talk ("And then it goes like this";
``Analysis.breaks_s``) the words are cut out, so the tune runs on as the song does.

Time-stretching is Rubber Band's (R3 engine) through Spotify's ``pedalboard``: its
``time_stretch`` takes a stretch factor per input sample, so one call follows the whole map, and
the library is inside the wheel (no system binary). ``pyrubberband`` with Debian's
``rubberband-cli`` was measured as the alternative (its ``timemap_stretch`` takes the anchors
directly): on the first six dev hums both put the re-transcribed note onsets within a median
6-15 ms of the grid (pedalboard 5.5-15.2 ms, rubberband-cli 7.7-19.3 ms), but the CLI needs a
subprocess, temporary WAV files and an extra Debian package in the Lambda image.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import resample_poly

from humitout.audio.rhythm import at_knots

MIN_SPEED, MAX_SPEED = 0.5, 2.0   # stretch factors (input s per output s) allowed between anchors


def only_the_hum(x: np.ndarray, sr: int, hum_span_s: tuple[float, float], *, lead_s: float = 0.25,
                 release_s: float = 0.5, fade_s: float = 0.05) -> np.ndarray:
    """``x`` (n,) at ``sr`` Hz silent outside ``hum_span_s`` (first note onset, last note offset; s) widened by
    ``lead_s`` before (the breath and attack) and ``release_s`` after (the note's release and a room's tail),
    with ``fade_s`` s raised-cosine fades."""
    t = np.arange(len(x)) / sr
    start, end = hum_span_s[0] - lead_s, hum_span_s[1] + release_s
    rise = np.clip((t - start) / fade_s + 1.0, 0.0, 1.0)
    fall = np.clip((end - t) / fade_s + 1.0, 0.0, 1.0)
    gain = 0.5 - 0.5 * np.cos(np.pi * np.minimum(rise, fall))
    return (x * gain).astype(x.dtype, copy=False)


def without_breaks(x: np.ndarray, sr: int, breaks_s: list[tuple[float, float]], *, lead_s: float = 0.1,
                   fade_s: float = 0.03) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """``x`` (n,) at ``sr`` Hz with each span of ``breaks_s`` ((start, end) s: the caller's words between two parts
    of the hum, ``Analysis.breaks_s``) cut out but the ``lead_s`` s before its end (the breath and attack of the
    next note), joined with ``fade_s`` s raised-cosine fades; and the knots (recording s, s in the cut recording)
    of the map between them (:func:`~humitout.audio.rhythm.at_knots`)."""
    x = np.array(x, np.float32)   # a copy: the fades below are applied in place
    fade = max(int(fade_s * sr), 1)
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, fade))).astype(np.float32)
    pieces, start, real, cut, removed = [], 0, [0.0], [0.0], 0
    for a, b in sorted(breaks_s):
        lo, hi = int(a * sr), int((b - lead_s) * sr)
        if lo - start < fade or hi - lo < 2 * fade or hi + fade > len(x):
            continue
        x[lo - fade:lo] *= ramp[::-1]
        x[hi:hi + fade] *= ramp
        pieces.append(x[start:lo])
        real += [lo / sr, hi / sr]
        cut += [(lo - removed) / sr, (lo - removed) / sr]
        removed += hi - lo
        start = hi
    pieces.append(x[start:])
    real.append(len(x) / sr + 1.0)
    cut.append((len(x) - removed) / sr + 1.0)
    return np.concatenate(pieces), (np.array(real), np.array(cut))


def anchors_s(time_map: list[tuple[float, float]], tempo_bpm: float) -> np.ndarray:
    """(k, 2) anchors (recording s, song s) from (recording s, song beat) points at ``tempo_bpm``
    quarter notes a minute; points that would run backwards are dropped."""
    pts = np.array([(t, b * 60.0 / tempo_bpm) for t, b in time_map], float).reshape(-1, 2)
    keep = [0] if len(pts) else []
    for i in range(1, len(pts)):
        if pts[i, 0] > pts[keep[-1], 0] + 1e-3 and pts[i, 1] > pts[keep[-1], 1] + 1e-3:
            keep.append(i)
    return pts[keep]


def stretch_factors(n_samples: int, sr: int, anchors: np.ndarray) -> np.ndarray:
    """Per input sample (n,): input seconds per output second (>1 speeds up), 1 outside the
    anchors, clipped to ``MIN_SPEED``-``MAX_SPEED``."""
    t = np.arange(n_samples) / sr
    factors = np.ones(n_samples)
    if len(anchors) < 2:
        return factors
    speed = np.clip(np.diff(anchors[:, 0]) / np.diff(anchors[:, 1]), MIN_SPEED, MAX_SPEED)
    segment = np.searchsorted(anchors[:, 0], t, side="right") - 1
    inside = (segment >= 0) & (segment < len(speed))
    factors[inside] = speed[segment[inside]]
    return factors


def flex_to_song(x: np.ndarray, sr: int, time_map: list[tuple[float, float]], tempo_bpm: float,
                 song_duration_s: float, *, out_rate_hz: int | None = None,
                 hum_span_s: tuple[float, float] | None = None,
                 breaks_s: list[tuple[float, float]] = ()) -> np.ndarray:
    """The mono recording ``x`` (n,) at ``sr`` Hz on the song's timeline: (m,) float32 at
    ``out_rate_hz`` (default ``sr``), sample 0 = song start, ``song_duration_s`` long; each
    anchor of ``time_map`` [(recording s, song beat)] at its song time, pitch unchanged. With
    ``hum_span_s`` (recording s of the first onset and last offset) only the hum is kept (:func:`only_the_hum`);
    the caller's words in ``breaks_s`` are cut out (:func:`without_breaks`)."""
    import pedalboard

    out_rate = out_rate_hz or sr
    out = np.zeros(int(round(song_duration_s * out_rate)), dtype=np.float32)
    anchors = anchors_s(time_map, tempo_bpm)
    if not len(anchors) or not len(x):
        return out
    if hum_span_s is not None:
        x = only_the_hum(np.asarray(x, np.float32), sr, hum_span_s)
    x, knots = without_breaks(x, sr, list(breaks_s))
    anchors = np.column_stack([at_knots(anchors[:, 0], *knots), anchors[:, 1]])
    factors = stretch_factors(len(x), sr, anchors)
    y = pedalboard.time_stretch(np.asarray(x, np.float32)[None, :], float(sr), stretch_factor=factors)[0]
    if out_rate != sr:
        g = np.gcd(int(out_rate), int(sr))
        y = resample_poly(y, out_rate // g, sr // g).astype(np.float32)
    # before the first anchor the recording plays at its own speed: output time = input time there
    start = int(round((anchors[0, 1] - anchors[0, 0]) * out_rate))
    lo = max(0, -start)
    hi = min(len(y), len(out) - start)
    if hi > lo:
        out[start + lo:start + hi] = y[lo:hi]
    return out
