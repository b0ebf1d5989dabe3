"""Synthetic phone-line hums for the audio tests (numpy only)."""
from __future__ import annotations

import io

import numpy as np
import soundfile as sf
from scipy.signal import butter, fftconvolve, sosfilt

from humitout.audio.f0 import midi_to_hz

PHONE_RATE = 8000
MU = 255.0


def mulaw_roundtrip(x: np.ndarray) -> np.ndarray:
    """Quantise ``x`` (n,) in [-1, 1] through 8-bit G.711-style mu-law and back."""
    y = np.sign(x) * np.log1p(MU * np.abs(x)) / np.log1p(MU)
    q = np.round((y + 1) * 127.5) / 127.5 - 1
    return np.sign(q) * np.expm1(np.abs(q) * np.log1p(MU)) / MU


def steady_voice(t: np.ndarray, midi: float, top_hz: float = 3000.0) -> np.ndarray:
    """A steady voice at ``midi`` sampled at times ``t`` (s): its harmonics up to ``top_hz`` (Hz), each 3 dB
    under the one before, amplitude 1 for the fundamental."""
    f = midi_to_hz(midi)
    return sum(10 ** (-3 * (h - 1) / 20) * np.sin(2 * np.pi * h * f * t) for h in range(1, int(top_hz / f) + 1))


def hum(notes, *, duration_s: float | None = None, sr: int = 32000, fundamental_db: float = -20.0,
        dips=(), dip_db: float = 15.0, scoop_st: float = 0.0, level: float = 0.3,
        seed: int = 0, vibrato_st: float | None = None, overshoot_st: float = 0.0) -> np.ndarray:
    """Harmonic hum of ``notes`` [(onset_s, offset_s, midi)] at ``sr`` Hz, shape (n,).

    The fundamental is ``fundamental_db`` under the 2nd harmonic; ``dips`` are
    times (s) of 60 ms amplitude dips (re-articulations of legato notes);
    each note starts ``scoop_st`` semitones flat and glides up (30 ms time constant); the pitch wobbles
    at 5 Hz by 0.2 % (0.035 semitones), or by ``vibrato_st`` semitones when given (a sung vibrato); a note
    that starts where the note before it ends at another pitch (a legato leap) overshoots it by ``overshoot_st``
    semitones in the leap's direction 40 ms in and settles over the next 0.2 s (the voice's overshoot).
    """
    rng = np.random.default_rng(seed)
    end = duration_s or max(off for _, off, _ in notes) + 0.5
    t = np.arange(int(end * sr)) / sr
    f0 = np.zeros_like(t)
    env = np.zeros_like(t)
    ends = {off: midi for _, off, midi in notes}
    for on, off, midi in notes:
        m = (t >= on) & (t < off)
        leap = np.sign(midi - ends[on]) if on in ends else 0.0
        over = leap * overshoot_st * (t[m] - on) / 0.04 * np.exp(1 - (t[m] - on) / 0.04)
        f0[m] = 440.0 * 2 ** ((midi + over - 69 - scoop_st * np.exp(-(t[m] - on) / 0.03)) / 12)
        ramp = np.minimum(np.minimum((t[m] - on) / 0.02, (off - t[m]) / 0.03), 1.0)
        env[m] = np.maximum(env[m], ramp)
    for d in dips:
        env *= 1 - (1 - 10 ** (-dip_db / 20)) * np.clip(1 - np.abs(t - d) / 0.03, 0, 1)
    f0 = np.where(f0 > 0, f0, np.maximum.accumulate(f0) + 1e-3)
    if vibrato_st is None:
        f0 = f0 * (1 + 0.002 * np.sin(2 * np.pi * 5 * t))
    else:
        f0 = f0 * 2 ** (vibrato_st * np.sin(2 * np.pi * 5 * t) / 12)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    x = 10 ** (fundamental_db / 20) * np.sin(phase)
    for k in range(2, 25):
        x += np.where(k * f0 < sr / 2, 1.0 / k ** 0.7, 0.0) * np.sin(k * phase)
    x = x * env
    x = x / (np.max(np.abs(x)) + 1e-9) * level + 1e-3 * rng.standard_normal(len(x))
    return x


def at_peak(x: np.ndarray, dbfs: float) -> np.ndarray:
    """``x`` (n,) scaled to peak at ``dbfs`` dB of full scale."""
    return x / np.max(np.abs(x)) * 10 ** (dbfs / 20)


def stopped_hum(notes, *, sr: int = 32000, voiced_before_onset_s: float = 0.05) -> np.ndarray:
    """A :func:`hum` of ``notes`` [(onset_s, offset_s, midi)] whose voice stops within 5 ms at each offset (a
    consonant's closure; the hum itself runs 30 ms on) and is let through from ``voiced_before_onset_s`` s before
    each onset."""
    x = hum([(on, off + 0.03, m) for on, off, m in notes], sr=sr)
    t = np.arange(len(x)) / sr
    gate = np.zeros_like(t)
    for on, off, _ in notes:
        gate = np.maximum(gate, np.clip((off - t) / 0.005, 0.0, 1.0) * (t >= on - voiced_before_onset_s))
    return x * gate


def room(x: np.ndarray, rt60_s: float, drr_db: float, *, sr: int = 32000, seed: int = 0) -> np.ndarray:
    """``x`` (n,) at ``sr`` Hz through a room: the direct sound plus a diffuse tail (noise decaying 60 dB
    per ``rt60_s`` s, from 8 ms on) ``drr_db`` dB under it in energy."""
    n = int(rt60_s * sr)
    tail = np.random.default_rng(seed).standard_normal(n) * 10 ** (-3 * np.arange(n) / sr / rt60_s)
    tail[: int(0.008 * sr)] = 0.0
    tail *= 10 ** (-drr_db / 20) / np.sqrt(np.sum(tail ** 2))
    tail[0] += 1.0
    return fftconvolve(x, tail)[: len(x)]


def phone(x: np.ndarray, sr: int = 32000) -> np.ndarray:
    """Telephone channel: 300-3400 Hz band-pass, 8 kHz, mu-law; returns (m,) at 8 kHz."""
    sos = butter(4, [300, 3400], btype="bandpass", fs=sr, output="sos")
    y = sosfilt(sos, x)[:: sr // PHONE_RATE]
    return mulaw_roundtrip(np.clip(y, -1, 1))


def wav_bytes(x: np.ndarray, sr: int = PHONE_RATE, subtype: str = "ULAW", fmt: str = "WAV") -> bytes:
    """``x`` (n,) written as an audio file in memory."""
    buf = io.BytesIO()
    sf.write(buf, np.clip(x, -1, 1), sr, subtype=subtype, format=fmt)
    return buf.getvalue()


def scale_notes(midis, start: float = 0.5, step: float = 0.5, gap: float = 0.06):
    """Detached notes [(onset, offset, midi)], one every ``step`` s."""
    return [(start + i * step, start + (i + 1) * step - gap, float(m)) for i, m in enumerate(midis)]


def perform(score, bpm: float, *, rubato: float = 0.05, lead_in_s: float = 0.5, gap_s: float = 0.06,
            seed: int = 0):
    """Notes [(onset_s, offset_s, midi)] and the beat times (s) of ``score`` [(midi, start beat,
    beats)] sung at ``bpm`` with a smooth tempo wander of +-``rubato`` (a share of the beat)."""
    rng = np.random.default_rng(seed)
    end = int(max(s + n for _, s, n in score)) + 2
    wander = np.sin(np.linspace(0, 2 * np.pi * rng.uniform(1, 2), end) + rng.uniform(0, 6))
    beats = lead_in_s + np.r_[0.0, np.cumsum(60.0 / bpm * (1 + rubato * wander))]

    def at(beat):
        return float(np.interp(beat, np.arange(len(beats)), beats))
    return [(at(s), at(s + n) - gap_s, float(m)) for m, s, n in score], beats


def tune(pairs, start: float = 0.0):
    """Score [(midi, start beat, beats)] from consecutive (midi, beats) pairs."""
    out, beat = [], start
    for midi, beats in pairs:
        out.append((midi, beat, beats))
        beat += beats
    return out
