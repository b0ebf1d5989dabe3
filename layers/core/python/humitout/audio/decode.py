"""Bytes of a recording -> float32 mono samples at the working rate.

Reads WAV (PCM, mu-law, A-law, float), FLAC, OGG and MP3 through libsndfile
and resamples with :func:`scipy.signal.resample_poly`. Refuses recordings that
cannot carry a melody before any pitch tracking is spent on them, and hands on the rest
without a DC offset and at least at ``QUIET_PEAK`` (:func:`conditioned`).
"""
from __future__ import annotations

import io
from math import gcd

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from humitout.errors import BadAudio

WORK_RATE = 16000          # Hz, the f0 tracker's native rate
MAX_DURATION_S = 600.0     # longest recording accepted (10 min)
SILENCE_PEAK = 10 ** (-50 / 20)   # peak under -50 dBFS is silence
QUIET_PEAK = 10 ** (-30 / 20)    # a recording peaking under -30 dBFS is raised to it
DC_OFFSET = 10 ** (-40 / 20)     # a mean this far from 0 or further is a DC offset, taken out
CLIP_FRACTION = 0.15       # share of samples pinned at the peak that means heavy clipping (8 dB overdrive gives ~6 %)

_AUDIO_MAGIC = {b"RIFF": ".wav", b"RIFX": ".wav", b"RF64": ".wav", b"FORM": ".aiff", b"fLaC": ".flac",
                b"OggS": ".ogg", b"ID3": ".mp3", b".snd": ".au"}


def audio_file_suffix(data: bytes) -> str:
    """The file suffix of a known audio container or MPEG frame sync at the start of ``data``;
    "" when it does not look like audio."""
    head = data[:4]
    for magic, suffix in _AUDIO_MAGIC.items():
        if head.startswith(magic):
            return suffix
    return ".mp3" if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 else ""


def clipped_fraction(x: np.ndarray) -> float:
    """Share of samples of ``x`` (n,) within 0.1 % of its absolute peak (0 if the peak is low).

    A hard-clipped signal sits on its rails for many samples; an unclipped voice
    touches its peak once or twice. Peaks under -6 dBFS are never counted as clipping.
    """
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak < 0.5:
        return 0.0
    return float(np.mean(np.abs(x) >= peak * 0.999))


def check_levels(x: np.ndarray) -> None:
    """Raise :class:`BadAudio` ``silence`` or ``clipped`` for samples ``x`` (n,) in [-1, 1]: silence when
    they peak under ``SILENCE_PEAK`` about their mean (a DC offset is no sound)."""
    if not x.size or float(np.max(np.abs(x - np.mean(x)))) < SILENCE_PEAK:
        raise BadAudio("silence", "the recording peaks under -50 dBFS")
    frac = clipped_fraction(x)
    if frac > CLIP_FRACTION:
        raise BadAudio("clipped", f"{frac:.1%} of the samples sit at full scale")


def decode_audio(data: bytes, *, rate: int = WORK_RATE) -> tuple[np.ndarray, int]:
    """Decode a recording to ``(samples, rate)``: float32 mono (n,) in [-1, 1] at ``rate`` Hz
    (:func:`decode_call` without the gain)."""
    x, rate, _ = decode_call(data, rate=rate)
    return x, rate


def decode_call(data: bytes, *, rate: int = WORK_RATE) -> tuple[np.ndarray, int, float]:
    """Decode a recording to ``(samples, rate, raised_db)``: float32 mono (n,) in [-1, 1] at ``rate`` Hz,
    :func:`conditioned`, and the gain (dB) that raised a quiet recording (0 for one at a working level).

    Raises :class:`BadAudio` with code ``empty`` (0 bytes), ``not_audio`` (not an
    audio file), ``undecodable`` (an audio header that libsndfile cannot read),
    ``too_long`` (header says over 10 min), ``silence`` or ``clipped``.
    """
    if not data:
        raise BadAudio("empty", "0 bytes received")
    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            native = int(f.samplerate)
            if f.frames > 0 and f.frames / native > MAX_DURATION_S:
                raise BadAudio("too_long", f"{f.frames / native:.0f} s > {MAX_DURATION_S:.0f} s")
            x = f.read(dtype="float32", always_2d=True)
    except BadAudio:
        raise
    except Exception as exc:  # libsndfile reports every failure as a generic error
        code = "undecodable" if audio_file_suffix(data) else "not_audio"
        raise BadAudio(code, f"{type(exc).__name__}: {exc}"[:200]) from None
    if x.shape[0] / native > MAX_DURATION_S:
        raise BadAudio("too_long", f"{x.shape[0] / native:.0f} s > {MAX_DURATION_S:.0f} s")
    x = x.mean(axis=1)
    if not np.all(np.isfinite(x)):
        raise BadAudio("undecodable", "non-finite samples")
    check_levels(x)
    x, raised_db = conditioned(x)
    if native != rate:
        g = gcd(native, rate)
        x = resample_poly(x, rate // g, native // g)
    return np.clip(x, -1.0, 1.0).astype(np.float32), rate, raised_db


def conditioned(x: np.ndarray, *, quiet_peak: float = QUIET_PEAK,
                dc_offset: float = DC_OFFSET) -> tuple[np.ndarray, float]:
    """Samples ``x`` (n,) without a handset's DC offset (a mean of ``dc_offset`` or more, linear of full scale,
    taken from every sample but the exact zeros: dead air and lost packets stay digital silence, which the note
    stage reads as such), raised to peak at ``quiet_peak`` when they peak under it (louder recordings keep their
    level); and the gain (dB, 0 when none) they were raised by. A smaller mean is the signal's own (stress and dev
    recordings: up to 0.006) and is left as it is.

    The pitch model reads frames peaking under -60 dBFS as silence and the note stage gates on frame levels,
    so a quiet caller (a closed-mouth hum, a phone held away) lost the soft ends and soft phrases of the hum: dev
    hums through 8 kHz mu-law at -42 / -46 / -49 dBFS peaks read COnP 0.959 / 0.875 / 0.814 (0.982 / 0.980 /
    0.949 raised) against 0.987 as recorded. A DC offset of 0.05 full scale cost 0.065 (tests/bench/HISTORY.md,
    stop 61)."""
    mean = float(np.mean(x)) if x.size else 0.0
    if abs(mean) >= dc_offset:
        x = np.where(x != 0.0, x - mean, 0.0)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if not 0.0 < peak < quiet_peak:
        return x, 0.0
    return x * (quiet_peak / peak), 20.0 * float(np.log10(quiet_peak / peak))
