#!/usr/bin/env python3
"""Build the phone stress corpus: the dev melodies through real codecs, rooms, talkers and voices.

    .venv/bin/python tests/bench/make_stress_corpus.py OUT [--seed 10] [--items 12] [--melodies DIR]
    .venv/bin/python tests/bench/bench_transcribe.py --stress          # builds it when missing

``--items`` melodies are drawn (by ``--seed``) from the dev corpus of the shared bench
(``../shared/bench/melody/data/dev``: its notes give the tune, its .json the key and tempo), or from
another set folder in that format (``--melodies``: e.g. a held-out stand-in's ``heldout`` folder,
whose Chinese, Scottish, Irish and Lorraine tunes the dev set, all German, has none of), and
sung again by the shared humming synthesizer (``humsynth.py``, imported from the bench folder).
Each condition is one set folder ``OUT/<condition>/`` in the shared harness's format
(``<id>.wav`` 8 kHz 16-bit, ``<id>.notes.csv``, ``<id>.json`` with ``key_sung``,
``tempo_bpm``, ``source.meter``), so ``bench_transcribe.py --data OUT --sets ...`` scores it.

Conditions (the voice is the dev item's unless the condition names another):

``clean``       room noise 30-35 dB SNR, 300-3400 Hz band, G.711 mu-law (the reference line)
``gsm``         GSM 06.10 full rate round trip (sox)
``amr``         AMR-NB at 4.75-7.95 kbit/s round trip (sox with libopencore-amrnb)
``opus``        Opus 8-12 kbit/s narrowband VoIP round trip (ffmpeg libopus)
``speex``       Speex narrowband round trip (ffmpeg libspeex)
``speaker``     speakerphone: small loudspeaker/mic band, early reflections 1-6 ms apart whose
                comb notches are 6-14 dB deep, diffuse reverb RT60 0.3-0.8 s
``babble``      TV / cafe talkers from espeak-ng (2-5 voices, several languages) at 10-20 dB SNR
``noise``       street, car or HVAC noise at 8-15 dB SNR
``ns_agc``      noise at 10-15 dB, then a phone's noise suppressor (spectral gating against the minimum of
                the last 1.5 s: causal, since stop 43) and fast AGC
``dropouts``    packet loss: 20 ms frames zeroed in bursts (3-8 % of frames)
``child``       a child's voice (f0 250-700 Hz, formants +25 %)
``bass``        a bass voice (f0 65-165 Hz: the fundamental is far below the phone band)
``nasal``       closed-mouth hums "mm" with a strong nasal resonance near 1.1 kHz
``diphone``     sung with recorded speech: syllables ("la", "na", "da", "doo", "lu") from Festival's
                diphone voices (kal, ked: diphones cut from recordings of real talkers) spoken on a
                flat pitch near the tune's register, then re-pitched and time-stretched per note
                by Rubber Band (pedalboard, formants kept); timing, intonation and levels from
                the shared generator's performance model; the clean channel
``vibrato``     the dev voice with a wide vibrato (50-100 cents half peak-to-peak, a trained singer's; the
                shared generator's singers sing 0-54), on its notes of 0.35 s or more as the generator places it
``spoken``      the caller talks before the hum ("Okay, here goes.", a count-in) and, in half the calls, after it
                ("That's it."): an espeak-ng voice of the singer's sex at the hum's level (0-4 dB louder), a
                pause of 0.25-1.2 s between talk and hum; the dev voice on the clean line
``restart``     the caller starts the tune, stops after 3 notes to 60 % of it, says so ("Sorry, wait. Let me start
                again.") and hums the whole tune: the false start is another performance by the same voice, often
                in another key (a caller who started too high); pauses of 0.3-1.0 s around the words, at the hum's
                level (0-4 dB louder); the dev voice on the clean line. The reference is the whole second take
``aside``       the caller stops between two notes of the tune (a third to two thirds of the way), says something ("And
                then it goes like this.") and hums on: pauses of 0.3-0.8 s around the words, at the hum's level (0-4 dB
                louder); the dev voice on the clean line. The reference is every note of the tune
``pause``       the caller stops between two notes of the tune (a third to two thirds of the way) and is silent for
                1.2-3.5 s (recalling how it goes on), then hums on; the dev voice on the clean line. The reference is
                every note of the tune
``resing``      the caller hums on 2-4 notes past such a point, stops, says so ("No, wait. That bit again.") and hums
                on from that point again (the same performance: the fumbled notes sung twice); pauses of 0.3-0.8 s
                around the words, at the hum's level (0-4 dB louder); the dev voice on the clean line. The reference
                is every note of the tune once, the second time for the notes sung twice

Combined conditions (not built by default; ``--conditions`` names them, ``--combined`` builds them all):
``<voice>+<channel>``, one of the other voices (child, bass, nasal, diphone), the caller who talks around the hum
(spoken), the one who starts again (restart), talks (aside), falls silent (pause) or sings a bit again (resing)
between two notes through one of the hard channels
(amr, gsm, speaker, babble, ns_agc), as a real call combines them. The voice is the very rendering its own
condition holds (``child+amr`` is ``child`` through AMR-NB), so the pair tells what the channel adds for that voice.

Everything is a deterministic function of ``--seed`` (and the tool versions for the codecs).
Missing tools (sox, ffmpeg, espeak-ng, Festival's text2wave) skip their condition with a message.
``--conditions`` rebuilds only those and adds them to an existing corpus's manifest.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from math import gcd
from pathlib import Path

import numpy as np
from scipy import signal
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.io import wavfile

BENCH_DIR = Path(os.environ.get("HUMITOUT_BENCH_DIR")
                 or Path(__file__).resolve().parents[3] / "shared" / "bench" / "melody")
DEFAULT_SEED = 10
CONDITIONS = ("clean", "gsm", "amr", "opus", "speex", "speaker", "babble", "noise", "ns_agc", "dropouts",
              "child", "bass", "nasal", "diphone", "vibrato", "spoken", "restart", "aside", "pause", "resing")
VOICE_CONDITIONS = {"child": "child", "bass": "bass", "nasal": None}   # None: the dev voice, nasal hum
COMBINED_CONDITIONS = tuple(f"{voice}+{channel}" for voice in ("child", "bass", "nasal", "diphone", "spoken", "restart",
                                                                "aside", "pause", "resing")
                            for channel in ("amr", "gsm", "speaker", "babble", "ns_agc"))
NEEDS = {"gsm": "sox", "amr": "sox", "opus": "ffmpeg", "speex": "ffmpeg", "babble": "espeak-ng",
         "diphone": "text2wave", "spoken": "espeak-ng", "restart": "espeak-ng", "aside": "espeak-ng",
         "resing": "espeak-ng"}
WIDE_VIBRATO_CENTS = (50.0, 100.0)   # the ``vibrato`` condition's extent (half peak-to-peak), a trained or
# operatic singer's; the shared generator's singers sing 0-54 cents
DIPHONE_VOICES = ("kal", "ked")     # Festival's US English diphone voices (festvox-kallpc16k, -kdlpc16k)
SYLLABLE_SETS = (("la",), ("na",), ("da",), ("doo",), ("lu",), ("la", "da"), ("da", "doo"), ("na", "la"))
FS = 16000
FS_OUT = 8000
PCS = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
NAME_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
SENTENCES = [
    "The weather tomorrow will be cloudy with a chance of rain in the afternoon.",
    "And now the news. The council met today to discuss the new budget for the city.",
    "I told him we would meet at the station at half past seven, but he never came.",
    "Could you pass me the sugar please, and maybe another cup of coffee.",
    "Der Zug nach Berlin hat heute leider eine Verspaetung von zwanzig Minuten.",
    "Nous allons au marche samedi matin pour acheter des legumes et du pain.",
    "Vamos a la playa el domingo si hace buen tiempo y no llueve.",
    "Questa sera guardiamo un film e poi andiamo a mangiare una pizza.",
    "Scores tonight: the home team won by three points after a difficult second half.",
    "Ladies and gentlemen, welcome aboard. Please fasten your seat belts.",
]
TALKERS = ["en-us", "en", "de", "fr", "es", "it", "en-us+f3", "en+m3", "de+f2", "fr+m2", "es+f4", "it+m1"]
LEAD_WORDS = ["Okay, here goes.", "Hi! So this is my song idea.", "Um, okay. It goes like this.", "Ready? Here we go.",
              "Hello, it's me again. Here's the tune.", "Right, let me try this one.", "One, two, three, four.",
              "Hi there, this one is called Summer Rain."]
"""What callers say before they hum (the ``spoken`` condition)."""
TAIL_WORDS = ["That's it.", "Okay, bye!", "Yeah, something like that.", "And that's the chorus. Thanks!"]
"""What callers say after the hum."""
RESTART_WORDS = ["Sorry, wait. Let me start again.", "No, hang on. Again.", "Oops, too high. One more time.",
                 "Hmm, no. From the top.", "Wait, wait. Let me try that again.", "Ah, I messed that up. Again."]
"""What callers say when they start the tune again (the ``restart`` condition)."""
ASIDE_WORDS = ["And then it goes like this.", "Um, the next bit is.", "And the chorus goes.", "Then it changes here.",
               "Hmm, and then.", "This part is higher."]
"""What callers say between two notes of the tune (the ``aside`` condition)."""
RESING_WORDS = ["No, wait. That bit again.", "Hang on, that was wrong.", "Sorry, let me do that part again.",
                "Oops. Again from there.", "No no, it goes like this.", "Hmm, not quite. Again."]
"""What callers say before they sing a bit of the tune again (the ``resing`` condition)."""
CALLER_VOICES = {"male": ["en", "en+m3", "en-us", "en+m7"], "female": ["en+f3", "en-us+f2", "en+f4", "en+f2"]}
"""espeak-ng voices of the singer's sex for the caller's own words."""


# ------------------------------------------------------------------ voices beyond the shared generator
def add_voices(humsynth) -> None:
    """Register child, bass and nasal-hum voices in the imported ``humsynth`` module (in this process)."""
    V = humsynth.Voice
    humsynth.VOICES.setdefault("child", V("child", "child", 60, 76))       # 262-659 Hz
    humsynth.VOICES.setdefault("bass", V("bass", "male", 36, 51))          # 65-156 Hz
    fem = humsynth._FORMANTS["female"]
    humsynth._FORMANTS.setdefault("child", {k: ([f * 1.25 for f in F], [b * 1.2 for b in B])
                                            for k, (F, B) in fem.items()})
    humsynth._NASAL_ZERO.setdefault("child", (1450.0, 200.0))
    for sex in ("male", "female"):   # closed-mouth hum: murmur at ~250 Hz, strong narrow nasal pole ~1.1 kHz
        base = humsynth._FORMANTS[sex]
        humsynth._FORMANTS.setdefault(f"nasal_{sex}", {
            **base, "m": ([250, 1100, 2000, 2700, 3600], [70, 60, 250, 350, 400])})
        humsynth._NASAL_ZERO.setdefault(f"nasal_{sex}", (700.0, 120.0))
    for name in ("male_low", "male_high", "female_low", "female_high"):
        v = humsynth.VOICES[name]
        humsynth.VOICES.setdefault(f"nasal_{name}", V(f"nasal_{name}", f"nasal_{v.sex}", v.midi_lo, v.midi_hi))


# ------------------------------------------------------------------ melodies from the dev corpus
def load_melodies(folder: Path, n: int, seed: int) -> list[dict]:
    """``n`` items of a set ``folder`` in the shared harness's format (drawn by ``seed``; the dev set's by
    default) as score-like melodies: onsets/offsets (s), pitches (MIDI, source register), rests, and the
    reference key, tempo and metre. An item is a ``<id>.json`` whose ``notes`` give the performance."""
    metas = sorted(p for p in folder.glob("*.json") if p.name != "manifest.json")
    pick = sorted(np.random.default_rng([seed, 1]).choice(len(metas), size=min(n, len(metas)), replace=False))
    out = []
    for i in pick:
        meta = json.loads(metas[i].read_text())
        notes = meta["notes"]
        on = np.array([x["onset"] for x in notes])
        off = np.array([x["offset"] for x in notes])
        gap = np.r_[on[1:] - off[:-1], 1.0]
        rest = gap > 0.25
        score_off = np.where(rest, off, np.r_[on[1:], off[-1]])
        out.append({"id": meta["id"], "onsets": on - on[0], "offsets": score_off - on[0],
                    "pitches": np.array([x["midi"] for x in notes]) - meta["transpose_semitones"],
                    "rest_after": rest, "meta": meta})
    return out


def transposed_key(key: str, shift: int) -> str:
    """``"F# minor"`` shifted by ``shift`` semitones (sharps/flats as in :data:`PCS`)."""
    tonic, mode = key.split()
    pc = NAME_PC[tonic[0].upper()] + tonic[1:].count("#") - tonic[1:].count("b")
    return f"{PCS[(pc + shift) % 12]} {mode}"


def at_half_scale(x: np.ndarray) -> np.ndarray:
    """``x`` scaled to peaks of 0.5 (a rendering's or a call's level before the channel)."""
    return x / (np.abs(x).max() + 1e-9) * 0.5


def sing(humsynth, mel: dict, voice: str, style: str | None, rng,
         vibrato_cents: tuple[float, float] | None = None) -> tuple[np.ndarray, object, int, str]:
    """Render ``mel`` for ``voice``: 16 kHz float audio, the ``humsynth.Rendered`` (notes, true f0),
    the transposition (semitones) and the humming style; ``vibrato_cents`` (low, high): the singer's
    vibrato extent drawn from that range instead of the generator's."""
    v = humsynth.VOICES[voice]
    p = mel["pitches"]
    lo, hi = int(p.min()), int(p.max())
    smin, smax = v.midi_lo - lo, v.midi_hi - hi
    shift = int(rng.integers(smin, smax + 1)) if smin <= smax else int(round((v.midi_lo + v.midi_hi - lo - hi) / 2))
    singer = humsynth.Singer.sample(rng, voice, style or mel["meta"]["singer"]["style"])
    if vibrato_cents:
        singer.vibrato_extent_cents = float(rng.uniform(*vibrato_cents))
    singer.rubato *= 0.5            # the dev notes already carry one performance's rubato
    singer.timing_jitter_ms *= 0.5
    perf = humsynth.perform(mel["onsets"], mel["offsets"], p + shift, mel["rest_after"], singer, rng)
    rend = humsynth.render(perf, singer, rng)
    return at_half_scale(rend.audio), rend, shift, singer.style


# ------------------------------------------------------------------ recorded-speech syllables, re-pitched
def festival_syllable(voice: str, syllable: str, f0_hz: int, tmp: Path, cache: dict) -> tuple[np.ndarray, int, float]:
    """``syllable`` spoken by Festival's diphone ``voice`` on a flat pitch near ``f0_hz`` (16 kHz float,
    from 10 ms before its first frame within 30 dB of its loudest to the end of its vowel, the last
    frame within 8 dB of the loudest: the spoken decay is left off, a singer holds the vowel), the
    sample where its pitched part starts (the note onset: the first frame within 20 dB of the
    loudest that is periodic at its pitch: a /d/ burst or its faint voice bar is not part of the
    note) and its pitch (MIDI). Festival crashes on a few syllable/pitch pairs: the next pitch a
    semitone or two away is used then."""
    key = (voice, syllable, f0_hz)
    if key not in cache:
        txt, wav = tmp / "syl.txt", tmp / "syl.wav"
        txt.write_text(syllable + "\n")
        for hz in (f0_hz * 2 ** (k / 12) for k in (0, 1, -1, 2, -2, 3, -3, -12)):
            hz = int(round(hz))
            done = subprocess.run(["text2wave", "-eval", f"(voice_{voice}_diphone)",
                                   "-eval", "(Parameter.set 'Int_Method 'DuffInt)",
                                   "-eval", "(Parameter.set 'Int_Target_Method Int_Targets_Default)",
                                   "-eval", f"(set! duffint_params '((start {hz}) (end {hz})))",
                                   "-eval", "(Parameter.set 'Duration_Stretch 1.6)", "-o", str(wav), str(txt)],
                                  capture_output=True)
            if done.returncode == 0:
                break
        else:
            raise RuntimeError(f"Festival cannot say {syllable!r} with voice {voice}")
        sr, y = wavfile.read(wav)
        g = gcd(FS, sr)
        y = signal.resample_poly(y.astype(float) / 32768.0, FS // g, sr // g)
        L = FS // 100
        lvl = 10 * np.log10(np.mean(y[: len(y) // L * L].reshape(-1, L) ** 2, axis=1) + 1e-12)
        loud = np.flatnonzero(lvl > lvl.max() - 30)
        a, b = max(loud[0] - 1, 0) * L, (np.flatnonzero(lvl > lvl.max() - 8)[-1] + 1) * L
        lag = int(round(FS / hz))                     # the pitch is known: periodicity at its period
        fr = np.arange(len(lvl) - 3)
        r = np.array([np.dot(y[i * L:i * L + 2 * L], y[i * L + lag:i * L + lag + 2 * L])
                      / (np.linalg.norm(y[i * L:i * L + 2 * L]) * np.linalg.norm(y[i * L + lag:i * L + lag + 2 * L])
                         + 1e-12) for i in fr])
        start = int(np.flatnonzero((lvl[fr] > lvl.max() - 20) & (r > 0.6))[0])
        cache[key] = (y[a:b], start * L - a, 69.0 + 12.0 * np.log2(hz / 440.0))
    return cache[key]


def diphone_sing(humsynth, mel: dict, voice: str, rng, tmp: Path, cache: dict):
    """Render ``mel`` with re-pitched Festival diphone syllables in ``voice``'s range: 16 kHz audio, a
    ``humsynth.Rendered`` (performed notes, f0), the transposition and the syllables sung."""
    import pedalboard
    v = humsynth.VOICES[voice]
    p = mel["pitches"]
    lo, hi = int(p.min()), int(p.max())
    smin, smax = v.midi_lo - lo, v.midi_hi - hi
    shift = int(rng.integers(smin, smax + 1)) if smin <= smax else int(round((v.midi_lo + v.midi_hi - lo - hi) / 2))
    singer = humsynth.Singer.sample(rng, voice, "la")
    singer.rubato *= 0.5
    singer.timing_jitter_ms *= 0.5
    perf = humsynth.perform(mel["onsets"], mel["offsets"], p + shift, mel["rest_after"], singer, rng)
    dvoice = DIPHONE_VOICES[int(rng.integers(len(DIPHONE_VOICES)))]
    sylls = SYLLABLE_SETS[int(rng.integers(len(SYLLABLE_SETS)))]
    base_midi = float(np.round(np.median(p + shift)))
    base_hz = int(round(440.0 * 2 ** ((base_midi - 69) / 12)))
    out = np.zeros(int(perf.duration * FS) + FS)
    t = np.arange(0, perf.duration, 0.01)
    f0 = np.zeros(len(t))
    for i, nt in enumerate(perf.notes):
        y, anchor, syl_midi = festival_syllable(dvoice, sylls[i % len(sylls)], base_hz, tmp, cache)
        L = FS // 100
        lvl = 10 * np.log10(np.mean(y[: len(y) // L * L].reshape(-1, L) ** 2, axis=1) + 1e-12)
        vowel = int(np.flatnonzero(lvl > lvl.max() - 6)[0]) * L      # where the vowel is reached
        nxt = perf.notes[i + 1] if i + 1 < len(perf.notes) else None
        end = min(nt.offset, nxt.onset - 0.03) if nxt is not None and nxt.onset < nt.offset + 0.03 else nt.offset
        want = max(end - nt.onset, 0.05) * FS                  # voiced part from onset to end
        semis = nt.midi + nt.detune_cents / 100 - syl_midi
        # the consonant and the way into the vowel keep their spoken speed, the vowel is stretched
        h, xf = min(max(anchor + int(0.04 * FS), vowel + int(0.02 * FS)), len(y) - int(0.03 * FS)), int(0.01 * FS)
        head = pedalboard.time_stretch(y[:h].astype(np.float32)[None, :], FS, 1.0, semis)[0].astype(float)
        factor = float(np.clip((len(y) - h + xf) / max(want - (h - anchor) + xf, 0.01 * FS), 0.05, 4.0))
        body = pedalboard.time_stretch(y[h - xf:].astype(np.float32)[None, :], FS, factor, semis)[0].astype(float)
        ramp = np.linspace(0.0, 1.0, xf)
        z = np.r_[head[:-xf], head[-xf:] * (1 - ramp) + body[:xf] * ramp, body[xf:]]
        a = int(round(nt.onset * FS)) - anchor
        z = z[max(-a, 0):]
        a = max(a, 0)
        n = min(len(z), int(end * FS) - a)
        if n <= 0:
            continue
        z = z[:n] * 10 ** (nt.level_db / 20)
        fade = min(int(rng.uniform(0.02, 0.05) * FS), n)     # the singer's release
        z[-fade:] *= np.linspace(1.0, 0.0, fade) ** 2
        out[a:a + n] += z
        f0[(t >= nt.onset) & (t < end)] = 440.0 * 2 ** ((nt.midi + nt.detune_cents / 100 - 69) / 12)
    out = out[: int(perf.duration * FS)]
    rend = humsynth.Rendered(audio=out, f0_times=t, f0_hz=f0, notes=perf.notes)
    return at_half_scale(out), rend, shift, f"{dvoice}:{'/'.join(sylls)}"


# ------------------------------------------------------------------ channel pieces (16 kHz float in, float out)
def _rms(x):
    return float(np.sqrt(np.mean(np.square(x)) + 1e-20))


def active_rms(x, fs=FS, floor_db=30.0):
    """RMS over 20 ms frames within ``floor_db`` of the loudest (active speech level)."""
    L = int(0.02 * fs)
    e = np.mean(x[: len(x) // L * L].reshape(-1, L) ** 2, axis=1) + 1e-20
    return float(np.sqrt(np.mean(e[e > e.max() * 10 ** (-floor_db / 10)])))


def add_at_snr(x, noise, snr_db):
    """``x`` plus ``noise`` scaled to ``snr_db`` under ``x``'s active level (300-3400 Hz band)."""
    bp = signal.butter(4, [300, 3400], "bp", fs=FS, output="sos")
    s, n = active_rms(signal.sosfilt(bp, x)), _rms(signal.sosfilt(bp, noise))
    return x + noise * s / n * 10 ** (-snr_db / 20)


def room_noise(rng, n, kind):
    """Street, car or HVAC noise (16 kHz, unit-ish level), ``n`` samples."""
    t = np.arange(n) / FS
    w = rng.standard_normal(n)
    spec = np.fft.rfft(w)
    f = np.fft.rfftfreq(n, 1 / FS)
    f[0] = f[1]
    if kind == "car":      # engine firing harmonics + brown road rumble
        x = np.fft.irfft(spec / f, n)
        x /= _rms(x)
        rpm = rng.uniform(25, 45) * (1 + 0.05 * np.sin(2 * np.pi * 0.2 * t))
        ph = 2 * np.pi * np.cumsum(rpm) / FS
        for h in range(1, 10):
            x += 0.4 / h * np.sin(h * ph + rng.uniform(0, 6.3))
        return x
    if kind == "hvac":     # fan: low-passed broadband + blade-pass tone and its harmonics
        x = signal.sosfilt(signal.butter(2, 600, "lp", fs=FS, output="sos"), w)
        x /= _rms(x)
        bpf = rng.uniform(80, 240)
        for h in range(1, 6):
            x += 0.3 / h * np.sin(2 * np.pi * bpf * h * t + rng.uniform(0, 6.3))
        return x
    x = np.fft.irfft(spec / np.sqrt(f), n)   # street: pink bed, passing cars, a horn
    x /= _rms(x)
    for _ in range(int(rng.integers(1, 4))):
        c, wdt = rng.uniform(0, n / FS), rng.uniform(1.0, 3.0)
        x *= 1 + 2.0 * np.exp(-0.5 * ((t - c) / (wdt / 2)) ** 2)
    if rng.random() < 0.6:
        a = rng.uniform(0, max(n / FS - 0.6, 0.1))
        m = (t >= a) & (t < a + rng.uniform(0.2, 0.5))
        f0 = rng.uniform(350, 500)
        x[m] += 1.5 * np.sign(np.sin(2 * np.pi * f0 * t[m])) * 0.5
    return x


def speakerphone(x, rng):
    """Small loudspeaker/mic band, early reflections making 6-14 dB comb notches, diffuse reverb."""
    h = np.zeros(int(0.9 * FS))
    h[0] = 1.0
    for _ in range(int(rng.integers(2, 4))):
        d = int(rng.uniform(0.001, 0.006) * FS)
        h[d] += rng.uniform(0.5, 0.8) * rng.choice([-1, 1])
    rt60 = rng.uniform(0.3, 0.8)
    L = int(rt60 * FS)
    t = np.arange(L) / FS
    tail = rng.standard_normal(L) * 10 ** (-3 * t / rt60)
    tail[: int(0.008 * FS)] = 0
    tail *= 10 ** (-rng.uniform(0, 6) / 20) / np.sqrt(np.sum(tail ** 2)) * np.sqrt(np.sum(h ** 2))
    h[:L] += tail
    y = signal.fftconvolve(x, h)[: len(x)]
    return signal.sosfilt(signal.butter(2, [rng.uniform(250, 450), 3800], "bp", fs=FS, output="sos"), y)


def espeak_babble(rng, n, tmp: Path):
    """2-5 espeak-ng talkers (one near "TV" voice, others distant and reverberant), ``n`` samples."""
    out = np.zeros(n)
    k = int(rng.integers(2, 6))
    for j in range(k):
        stream = np.zeros(0)
        while len(stream) < n:
            voice = TALKERS[int(rng.integers(len(TALKERS)))]
            text = SENTENCES[int(rng.integers(len(SENTENCES)))]
            wav = tmp / "talker.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(int(rng.integers(140, 200))),
                            "-p", str(int(rng.integers(20, 80))), "-w", str(wav), text], check=True,
                           capture_output=True)
            sr, y = wavfile.read(wav)
            g = gcd(FS, sr)
            y = signal.resample_poly(y.astype(float) / 32768.0, FS // g, sr // g)
            y /= active_rms(y) + 1e-9
            stream = np.r_[stream, np.zeros(int(rng.uniform(0.1, 0.8) * FS)), y]
        start = int(rng.integers(0, len(stream) - n + 1))
        s = stream[start:start + n]
        if j > 0:      # distant talkers: reverberant, 4-10 dB under the first
            L = int(0.4 * FS)
            ir = rng.standard_normal(L) * 10 ** (-3 * np.arange(L) / FS / 0.4)
            ir[0] = 3.0
            s = signal.fftconvolve(s, ir / np.sqrt(np.sum(ir ** 2)))[:n] * 10 ** (-rng.uniform(4, 10) / 20)
        out += s
    return out


def noise_suppress_agc(x, rng):
    """A phone's noise suppressor (spectral gating against a minimum-tracked noise floor, with
    a gain floor) followed by a fast AGC (10 ms attack, 0.3 s release, to -20 dBFS). The floor is
    the minimum over the last 1.5 s (minimum statistics, causal as in a phone: until stop 43 the
    window was centred, 0.75 s of look-ahead, and the gain came back up 0.75 s before a held
    note's end, which no phone does)."""
    f, t, z = signal.stft(x, fs=FS, nperseg=256, noverlap=128)
    p = np.abs(z) ** 2
    sm = uniform_filter1d(p, 5, axis=1)
    w = int(1.5 * FS / 128)
    floor = minimum_filter1d(sm, size=w, axis=1, origin=(w - 1) // 2, mode="nearest") * rng.uniform(1.5, 3.0)
    gain = np.clip(1 - floor / np.maximum(sm, 1e-20), 10 ** (-rng.uniform(12, 25) / 20), 1.0)
    gain = uniform_filter1d(gain, 3, axis=1)
    y = signal.istft(z * gain, fs=FS, nperseg=256, noverlap=128)[1][: len(x)]
    y = np.r_[y, np.zeros(len(x) - len(y))]
    env = np.abs(y)
    lvl = np.zeros_like(env)
    a_att, a_rel = np.exp(-1 / (0.01 * FS)), np.exp(-1 / (0.3 * FS))
    acc = float(env[: int(0.05 * FS)].max()) + 1e-4   # settled on the first 50 ms: no start-up blast
    for i in range(0, len(env), 16):   # block-wise follower (16 samples) is plenty for an AGC
        e = env[i:i + 16].max()
        acc = a_att * acc + (1 - a_att) * e if e > acc else a_rel * acc + (1 - a_rel) * e
        lvl[i:i + 16] = acc
    g = np.minimum(0.1 / np.maximum(lvl, 1e-3), 30.0)
    return y * g


def dropouts(y8, rng):
    """Zero 20 ms frames of ``y8`` (8 kHz) in bursts of 1-4 frames, 3-8 % of frames in all."""
    L = int(0.02 * FS_OUT)
    nfr = len(y8) // L
    lost = np.zeros(nfr, bool)
    target = rng.uniform(0.03, 0.08) * nfr
    while lost.sum() < target:
        a = int(rng.integers(0, nfr))
        lost[a:a + int(rng.integers(1, 5))] = True
    y = y8.copy()
    for i in np.flatnonzero(lost):
        y[i * L:(i + 1) * L] = 0.0
    return y


def spoken_words(rng, text: str, sex: str, tmp: Path) -> np.ndarray:
    """``text`` spoken by an espeak-ng voice of ``sex`` ("male"/"female"; a child speaks as "female" with a
    raised pitch), 16 kHz float at unit active level."""
    voices = CALLER_VOICES["female" if sex in ("female", "child") else "male"]
    pitch = int(rng.integers(70, 95)) if sex == "child" else int(rng.integers(30, 70))
    wav = tmp / "words.wav"
    subprocess.run(["espeak-ng", "-v", voices[int(rng.integers(len(voices)))], "-s", str(int(rng.integers(140, 190))),
                    "-p", str(pitch), "-w", str(wav), text], check=True, capture_output=True)
    sr, y = wavfile.read(wav)
    g = gcd(FS, sr)
    y = signal.resample_poly(y.astype(float) / 32768.0, FS // g, sr // g)
    return y / (active_rms(y) + 1e-9)


def callers_words(rng, phrases: list[str], sex: str, tmp: Path, level: float) -> np.ndarray:
    """One of ``phrases`` in the caller's voice (:func:`spoken_words`), 0-4 dB louder than the hum's active level
    ``level``, 16 kHz float."""
    text = phrases[int(rng.integers(len(phrases)))]
    return spoken_words(rng, text, sex, tmp) * level * 10 ** (rng.uniform(0, 4) / 20)


def talk_around(hum: np.ndarray, sex: str, rng, tmp: Path) -> tuple[np.ndarray, float]:
    """The call of a caller who talks before ``hum`` (16 kHz float) and, half the time, after it: their words
    (:func:`spoken_words`) 0-4 dB louder than the hum's active level, 0.25-1.2 s of pause before the hum and
    0.4-1.5 s after it. Returns the call and how much later (s) the hum starts in it."""
    level = active_rms(hum)
    lead = callers_words(rng, LEAD_WORDS, sex, tmp, level)
    before = np.r_[np.zeros(int(rng.uniform(0.2, 0.6) * FS)), lead, np.zeros(int(rng.uniform(0.25, 1.2) * FS))]
    after = np.zeros(0)
    if rng.random() < 0.5:
        tail = callers_words(rng, TAIL_WORDS, sex, tmp, level)
        after = np.r_[np.zeros(int(rng.uniform(0.4, 1.5) * FS)), tail, np.zeros(int(0.3 * FS))]
    call = np.r_[before, hum, after]
    return at_half_scale(call), len(before) / FS


def faded_after(x: np.ndarray, t_s: float) -> np.ndarray:
    """``x`` (16 kHz float) up to 50 ms after ``t_s`` (s), its last 50 ms faded out: a caller who stops there."""
    end = min(int((t_s + 0.05) * FS), len(x))
    fade = min(int(0.05 * FS), end)
    first = x[:end].copy()
    first[end - fade:] *= np.linspace(1.0, 0.0, fade)
    return first


def between_pauses(words: np.ndarray, rng, longest_s: float) -> np.ndarray:
    """``words`` (16 kHz float) with a pause of 0.3-``longest_s`` s before and after them."""
    before = np.zeros(int(rng.uniform(0.3, longest_s) * FS))
    return np.r_[before, words, np.zeros(int(rng.uniform(0.3, longest_s) * FS))]


def start_again(hum: np.ndarray, false_start: np.ndarray, false_notes: list, sex: str, rng,
                tmp: Path) -> tuple[np.ndarray, float]:
    """The call of a caller who hums the first notes of a tune (``false_start``, 16 kHz float, its rendering's
    notes ``false_notes``: 3 notes to 60 % of them, cut 50 ms after the last one's offset with a 50 ms fade),
    stops, says they start again (:data:`RESTART_WORDS`, at the hum's level, 0-4 dB louder) and hums the whole
    tune (``hum``), with pauses of 0.3-1.0 s around the words. Returns the call and how much later (s) ``hum``
    starts in it."""
    level = active_rms(hum)
    n = int(rng.integers(3, max(4, int(0.6 * len(false_notes))) + 1))
    first = faded_after(false_start, false_notes[n - 1].offset)
    first *= level / (active_rms(first) + 1e-9)
    words = callers_words(rng, RESTART_WORDS, sex, tmp, level)
    before = np.r_[np.zeros(int(rng.uniform(0.2, 0.6) * FS)), first, between_pauses(words, rng, 1.0)]
    call = np.r_[before, hum, np.zeros(int(0.3 * FS))]
    return at_half_scale(call), len(before) / FS


def part_at(notes: list, rng) -> float:
    """Where (s) a caller breaks off a tune of rendered ``notes``: between two of them a third to two thirds of the
    way, where the tune leaves 80 ms or more between them (anywhere in that stretch when it never does)."""
    lo, hi = len(notes) // 3, max(len(notes) // 3 + 1, 2 * len(notes) // 3)
    between = range(max(lo, 1), hi)
    gaps = [k for k in between if notes[k].onset - notes[k - 1].offset >= 0.08] or list(between)
    k = gaps[int(rng.integers(len(gaps)))]
    return 0.5 * (notes[k - 1].offset + notes[k].onset)


def sing_again(hum: np.ndarray, notes: list, sex: str, rng, tmp: Path) -> tuple[np.ndarray, float, float]:
    """The call of a caller who hums on 2-4 notes past a point of ``hum`` (16 kHz float; its rendering's ``notes``;
    :func:`part_at`), stops 50 ms after the last one's offset (a 50 ms fade), says so (:data:`RESING_WORDS`, at the
    hum's level, 0-4 dB louder) and hums on from that point again, with pauses of 0.3-0.8 s around the words. Returns
    the call, the point (s, in ``hum``) and how much later (s) the hum from there goes on in the call."""
    level = active_rms(hum)
    split_s = part_at(notes, rng)
    k = next(i for i, nt in enumerate(notes) if nt.onset >= split_s)
    last = notes[min(k + int(rng.integers(2, 5)), len(notes)) - 1]
    first = faded_after(hum, last.offset)
    inserted = between_pauses(callers_words(rng, RESING_WORDS, sex, tmp, level), rng, 0.8)
    cut = int(split_s * FS)
    call = np.r_[first, inserted, hum[cut:]]
    return at_half_scale(call), split_s, (len(first) + len(inserted) - cut) / FS


def pause_between(hum: np.ndarray, notes: list, rng) -> tuple[np.ndarray, float, float]:
    """The call of a caller who stops between two notes of ``hum`` (16 kHz float; its rendering's ``notes``;
    :func:`part_at`) and is silent for 1.2-3.5 s before humming on. Returns the call, where (s, in ``hum``) the
    tune was parted and how much later (s) it goes on in the call."""
    split_s = part_at(notes, rng)
    cut = int(split_s * FS)
    pause = np.zeros(int(rng.uniform(1.2, 3.5) * FS))
    return at_half_scale(np.r_[hum[:cut], pause, hum[cut:]]), split_s, len(pause) / FS


def talk_between(hum: np.ndarray, notes: list, sex: str, rng, tmp: Path) -> tuple[np.ndarray, float, float]:
    """The call of a caller who stops between two notes of ``hum`` (16 kHz float; its rendering's ``notes``), a third
    to two thirds of the way and where the tune leaves 80 ms or more between them, says something
    (:data:`ASIDE_WORDS`, at the hum's level, 0-4 dB louder) and hums on, with pauses of 0.3-0.8 s around the words.
    Returns the call, where (s, in ``hum``) the tune was parted and how much later (s) it goes on in the call."""
    level = active_rms(hum)
    split_s = part_at(notes, rng)
    cut = int(split_s * FS)
    inserted = between_pauses(callers_words(rng, ASIDE_WORDS, sex, tmp, level), rng, 0.8)
    call = np.r_[hum[:cut], inserted, hum[cut:]]
    return at_half_scale(call), split_s, len(inserted) / FS


# ------------------------------------------------------------------ phone line and codecs (8 kHz)
def to_line(x, rng, level_dbov=-22.0):
    """16 kHz float -> 8 kHz band-limited float at ``level_dbov`` active level (peaks <= -1 dBFS)."""
    y = signal.resample_poly(signal.sosfilt(signal.butter(2, 120, "hp", fs=FS, output="sos"), x), 1, 2)
    y = signal.sosfilt(signal.butter(int(rng.choice([2, 3, 4])), [rng.uniform(250, 350), rng.uniform(3200, 3500)],
                                     "bp", fs=FS_OUT, output="sos"), y)
    g = min(10 ** (level_dbov / 20) / (active_rms(y, FS_OUT) + 1e-12), 10 ** (-1 / 20) / (np.abs(y).max() + 1e-12))
    return y * g


def mulaw(y):
    """G.711 mu-law round trip of float samples (the shared bench's bit-exact coder)."""
    import phone
    pcm = np.clip(np.round(y * 32767), -32768, 32767).astype(np.int16)
    return phone.mulaw_decode(phone.mulaw_encode(pcm)).astype(float) / 32768.0


def codec_round_trip(y, codec, rng, tmp: Path):
    """``y`` (8 kHz float) encoded and decoded by a real codec tool; returns 8 kHz float of the same length."""
    src, back = tmp / "in.wav", tmp / "out.wav"
    wavfile.write(src, FS_OUT, np.clip(np.round(y * 32767), -32768, 32767).astype(np.int16))
    if codec == "gsm":
        cmds = [["sox", str(src), str(tmp / "c.gsm")], ["sox", str(tmp / "c.gsm"), "-e", "signed-integer", "-b", "16", str(back)]]
    elif codec == "amr":
        mode = str(int(rng.integers(0, 5)))   # 4.75-7.95 kbit/s, what a congested cell uses
        cmds = [["sox", str(src), "-t", "amr-nb", "-C", mode, str(tmp / "c.amr")],
                ["sox", "-t", "amr-nb", str(tmp / "c.amr"), "-e", "signed-integer", "-b", "16", str(back)]]
    elif codec == "opus":
        br = f"{int(rng.integers(8, 13))}k"
        cmds = [["ffmpeg", "-v", "error", "-y", "-i", str(src), "-c:a", "libopus", "-b:a", br, "-application", "voip",
                 "-cutoff", "4000", str(tmp / "c.ogg")],
                ["ffmpeg", "-v", "error", "-y", "-i", str(tmp / "c.ogg"), "-ar", str(FS_OUT), "-ac", "1", str(back)]]
    elif codec == "speex":
        cmds = [["ffmpeg", "-v", "error", "-y", "-i", str(src), "-c:a", "libspeex", "-cbr_quality",
                 str(int(rng.integers(3, 7))), str(tmp / "c.spx")],
                ["ffmpeg", "-v", "error", "-y", "-i", str(tmp / "c.spx"), "-ar", str(FS_OUT), "-ac", "1", str(back)]]
    else:
        raise ValueError(codec)
    for c in cmds:
        subprocess.run(c, check=True, capture_output=True)
    sr, z = wavfile.read(back)
    z = z.astype(float) / 32768.0
    return np.r_[z, np.zeros(max(0, len(y) - len(z)))][: len(y)]


def degrade(x, cond, rng, tmp: Path):
    """16 kHz voice ``x`` through condition ``cond``; 8 kHz int16 like a call recording."""
    n = len(x)
    bed = "pink" if rng.random() < 0.5 else "hvac"
    if cond == "speaker":
        x = speakerphone(x, rng)
    if cond == "babble":
        x = add_at_snr(x, espeak_babble(rng, n, tmp), rng.uniform(10, 20))
    if cond in ("noise", "ns_agc"):
        x = add_at_snr(x, room_noise(rng, n, str(rng.choice(["street", "car", "hvac"]))),
                       rng.uniform(8, 15) if cond == "noise" else rng.uniform(10, 15))
    if cond == "ns_agc":   # the phone's microphone high-pass comes before its suppressor and AGC
        x = noise_suppress_agc(signal.sosfilt(signal.butter(2, 120, "hp", fs=FS, output="sos"), x), rng)
    x = add_at_snr(x, room_noise(rng, n, bed) if bed == "hvac" else rng.standard_normal(n), rng.uniform(30, 35))
    y = to_line(x, rng, level_dbov=rng.uniform(-28, -18))
    if cond in ("gsm", "amr", "opus", "speex"):
        y = codec_round_trip(y, cond, rng, tmp)
    if cond == "dropouts":
        y = dropouts(y, rng)
    y = mulaw(y)
    return np.clip(np.round(y * 32767), -32768, 32767).astype(np.int16)


# ------------------------------------------------------------------ corpus
def write_item(folder: Path, iid: str, pcm: np.ndarray, rend, meta: dict, later_s: float = 0.0,
               parted: tuple[float, float] | None = None) -> None:
    """One item in the shared harness's format; the rendering's notes and f0 ``later_s`` s later in ``pcm``, and with
    ``parted`` (time in the rendering s, pause s) those from that time on the pause later again."""
    def moved(t: float) -> float:
        return t + later_s + (parted[1] if parted and t >= parted[0] else 0.0)

    wavfile.write(folder / f"{iid}.wav", FS_OUT, pcm)
    with open(folder / f"{iid}.notes.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["onset", "offset", "midi_pitch"])
        for nt in rend.notes:
            w.writerow([f"{moved(nt.onset):.4f}", f"{moved(nt.offset):.4f}", nt.midi])
    with open(folder / f"{iid}.f0.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["time", "f0_hz"])
        for t, v in zip(rend.f0_times, rend.f0_hz):
            w.writerow([f"{moved(t):.3f}", f"{v:.2f}"])
    (folder / f"{iid}.json").write_text(json.dumps(meta, indent=1))


def available(cond: str) -> bool:
    return all(NEEDS.get(part) is None or shutil.which(NEEDS[part]) is not None for part in cond.split("+"))


def build(out: Path, seed: int = DEFAULT_SEED, items: int = 12, conditions=CONDITIONS,
          melodies: Path | None = None) -> list[str]:
    """Write the corpus under ``out`` from the tunes of the set folder ``melodies`` (the shared dev set by
    default); returns the conditions written (those whose tools exist)."""
    sys.path.insert(0, str(BENCH_DIR))
    import humsynth
    add_voices(humsynth)
    mels = load_melodies(melodies or BENCH_DIR / "data" / "dev", items, seed)
    done = []
    for cond in conditions:
        if not available(cond):
            print(f"  skipping {cond}: {', '.join(NEEDS[p] for p in cond.split('+') if p in NEEDS)} is not installed",
                  file=sys.stderr)
            continue
        folder = out / cond
        folder.mkdir(parents=True, exist_ok=True)
        done.append(cond)
    renders: dict[tuple[int, str], tuple] = {}
    syllables: dict = {}
    with tempfile.TemporaryDirectory(prefix="stress-") as tmpdir:
        tmp = Path(tmpdir)
        for k, mel in enumerate(mels):
            dev_voice = mel["meta"]["voice"]["name"]
            for cond in done:
                sung, _, channel = cond.rpartition("+")   # a combined condition: its voice's rendering, its channel
                sung = sung or cond
                if sung in VOICE_CONDITIONS:
                    voice = VOICE_CONDITIONS[sung] or f"nasal_{dev_voice}"
                    style = "mm" if sung == "nasal" else None
                else:
                    voice, style = dev_voice, None
                if sung == "diphone":
                    if (k, sung) not in renders:
                        rng = np.random.default_rng([seed, k, sum(map(ord, sung))])
                        renders[(k, sung)] = diphone_sing(humsynth, mel, voice, rng, tmp, syllables)
                    audio, rend, shift, sung_style = renders[(k, sung)]
                else:   # ``vibrato``: the dev voice with a wide vibrato, a rendering of its own
                    vibrato = WIDE_VIBRATO_CENTS if sung == "vibrato" else None
                    key = (k, sung if vibrato else voice)
                    if key not in renders:
                        rng = np.random.default_rng([seed, k, sum(map(ord, key[1]))])
                        renders[key] = sing(humsynth, mel, voice, style, rng, vibrato_cents=vibrato)
                    audio, rend, shift, sung_style = renders[key]
                rng = np.random.default_rng([seed, k, sum(map(ord, cond)), 7])
                later_s, parted = 0.0, None
                if sung == "spoken":   # the dev voice's rendering with the caller's words around it
                    audio, later_s = talk_around(audio, humsynth.VOICES[voice].sex, rng, tmp)
                    channel = "clean" if channel == "spoken" else channel
                elif sung == "restart":   # a false start (another performance by the dev voice), words, the tune
                    again = sing(humsynth, mel, voice, style, np.random.default_rng([seed, k, sum(map(ord, sung)), 3]))
                    audio, later_s = start_again(audio, again[0], again[1].notes, humsynth.VOICES[voice].sex, rng, tmp)
                    channel = "clean" if channel == "restart" else channel
                elif sung == "aside":   # the dev voice's rendering parted by the caller's words
                    audio, split_s, pause_s = talk_between(audio, rend.notes, humsynth.VOICES[voice].sex, rng, tmp)
                    parted = (split_s, pause_s)
                    channel = "clean" if channel == "aside" else channel
                elif sung == "resing":   # the dev voice's rendering with a bit of it sung again after words
                    audio, split_s, later = sing_again(audio, rend.notes, humsynth.VOICES[voice].sex, rng, tmp)
                    parted = (split_s, later)
                    channel = "clean" if channel == "resing" else channel
                elif sung == "pause":   # the dev voice's rendering parted by a silence
                    audio, split_s, pause_s = pause_between(audio, rend.notes, rng)
                    parted = (split_s, pause_s)
                    channel = "clean" if channel == "pause" else channel
                pcm = degrade(audio, channel, rng, tmp)
                src = mel["meta"]
                iid = f"{cond}_{k:03d}"
                meta = {"id": iid, "set": cond, "from": src["id"], "duration_s": round(len(pcm) / FS_OUT, 3),
                        "source": src["source"], "tempo_bpm": src["tempo_bpm"],
                        "key_sung": transposed_key(src["key_source_analysed"], shift),
                        "transpose_semitones": shift, "n_notes": len(rend.notes),
                        "voice": {"name": voice, "sex": humsynth.VOICES[voice].sex},
                        "singer": {"style": sung_style}}
                write_item(out / cond, iid, pcm, rend, meta, later_s, parted)
            print(f"  {k + 1}/{len(mels)} melodies", flush=True)
    manifest = out / "manifest.json"
    old = json.loads(manifest.read_text())["conditions"] if manifest.exists() else []
    listed = [c for c in CONDITIONS + COMBINED_CONDITIONS if c in done or c in old]
    manifest.write_text(json.dumps({"seed": seed, "items": items, "conditions": listed}, indent=1))
    return done


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--items", type=int, default=12)
    ap.add_argument("--conditions", nargs="+", default=list(CONDITIONS), choices=CONDITIONS + COMBINED_CONDITIONS)
    ap.add_argument("--combined", action="store_true", help="build the combined conditions (voice + channel) only")
    ap.add_argument("--melodies", type=Path, default=None,
                    help="a set folder in the shared harness's format whose tunes are sung (default: the shared dev set)")
    a = ap.parse_args(argv)
    conditions = COMBINED_CONDITIONS if a.combined else a.conditions
    print("wrote", ", ".join(build(a.out, a.seed, a.items, conditions, a.melodies)), "under", a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
