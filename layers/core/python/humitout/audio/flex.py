"""The caller's recording flexed onto the song's steady grid (``your-hum.wav``).

The hum -> song time map (``Arrangement.time_map``: each sung note onset of the recording, and
the tracked beats before the first and after the last note, with their song beats) gives anchors
(recording s -> song s). Between two anchors the recording is time-stretched by their ratio with
the pitch unchanged, so every sung note lands on its place in the song; before the first and
after the last anchor it plays at its own speed. Only the hum itself is kept (``hum_span_s``): the
caller's words before and after it ("Okay, here goes", "That's it") and the line's noise around it
are faded out.

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
                 hum_span_s: tuple[float, float] | None = None) -> np.ndarray:
    """The mono recording ``x`` (n,) at ``sr`` Hz on the song's timeline: (m,) float32 at
    ``out_rate_hz`` (default ``sr``), sample 0 = song start, ``song_duration_s`` long; each
    anchor of ``time_map`` [(recording s, song beat)] at its song time, pitch unchanged. With
    ``hum_span_s`` (recording s of the first onset and last offset) only the hum is kept (:func:`only_the_hum`)."""
    import pedalboard

    out_rate = out_rate_hz or sr
    out = np.zeros(int(round(song_duration_s * out_rate)), dtype=np.float32)
    anchors = anchors_s(time_map, tempo_bpm)
    if not len(anchors) or not len(x):
        return out
    if hum_span_s is not None:
        x = only_the_hum(np.asarray(x, np.float32), sr, hum_span_s)
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
