#!/usr/bin/env python3
"""Benchmark of the "speech without a melody" refusal: speech through phone channels against hums.

A caller who talks instead of humming should get the ``no_melody`` SMS, not a song made of their
syllables; a caller who hums, however fast, low or out of tune, should never get it. This bench
speaks :data:`TEXTS` (six languages) with espeak-ng in :data:`VOICES` (11 voices) at two speeds, sends
every utterance through six phone conditions of the stress corpus (``make_stress_corpus.degrade``:
clean line, AMR-NB, GSM, speakerphone room, street/car/HVAC noise, noise suppression + AGC; seeded),
and runs :func:`humitout.audio.transcribe.analyse_recording` on each recording and on the hums of
``--hums`` (WAV files or folders; default: the dev corpus). It prints, per condition, the share of the
speech answered ``no_melody`` (the SMS asking for a melody; by ``sounds_like_speech`` or because the
pitch rarely holds still) and refused at all, and every hum refused; it exits 1 when a hum is refused
or under ``SPEECH_TARGET`` of the speech is answered ``no_melody``.

    .venv/bin/python tests/bench/bench_speech.py [--hums out/stress-corpus/seed10-items12/*/] [--jobs 2]

The recordings are written once under ``out/speech-corpus/seed<N>/`` (git-ignored).
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

TEXTS = {
    "en": ["Hi, this is Sam. I'm calling about the parcel that was supposed to arrive on Tuesday; "
           "could you check where it is and text me back? Thanks.",
           "Hello? Hello? Can you hear me? I think the line is bad, I'll try again later, sorry about that.",
           "So I was thinking we could meet at seven near the station, and then walk over to the restaurant together."],
    "de": ["Hallo, hier ist Anna. Ich wollte nur fragen, ob wir morgen um neun Uhr anfangen oder lieber etwas später.",
           "Das Wetter ist heute wirklich schlecht, es regnet seit dem frühen Morgen und der Wind ist sehr stark."],
    "fr": ["Bonjour, c'est Pierre. Je voulais savoir si tu es libre samedi soir pour venir dîner chez nous.",
           "Il faut absolument que je te raconte ce qui s'est passé hier au bureau, c'était incroyable."],
    "es": ["Hola, soy María. Te llamo para confirmar la reunión del jueves a las cuatro de la tarde.",
           "No sé si recibiste mi mensaje, pero el coche ya está arreglado y puedes pasar a recogerlo."],
    "it": ["Ciao, sono Marco. Volevo dirti che arrivo un po' in ritardo perché c'è molto traffico in città."],
    "nl": ["Hoi, met Pieter. Ik bel even om te zeggen dat de vergadering van morgen is verplaatst naar vrijdag."],
}
"""What the callers say, per language: voicemail-like messages of 5-10 s."""
VOICES = {"en": ["en", "en+f3", "en+m3", "en-us+f2", "en+m7"], "de": ["de", "de+f4"], "fr": ["fr", "fr+m2"],
          "es": ["es", "es+f1"], "it": ["it+f3"], "nl": ["nl"]}
"""espeak-ng voices per language (+fN / +mN: its female and male variants)."""
SPEEDS_WPM = (150, 190)
CONDITIONS = ("clean", "amr", "gsm", "speaker", "noise", "ns_agc")
SPEECH_TARGET = 0.9   # share of the speech recordings answered ``no_melody`` (the "we couldn't hear a melody" SMS)


def build(out: Path, seed: int) -> list[Path]:
    """Every utterance through every condition, as 8 kHz WAV files in ``out`` (written when missing)."""
    import soundfile as sf
    from scipy.io import wavfile
    from scipy.signal import resample_poly

    import make_stress_corpus
    sys.path.insert(0, str(make_stress_corpus.BENCH_DIR))   # the shared phone channel it reuses
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{cond}_{voice.replace('+', '_')}_{k}_{speed}.wav"
             for lang, texts in TEXTS.items() for voice in VOICES[lang] for k in range(len(texts))
             for speed in SPEEDS_WPM for cond in CONDITIONS]
    if all(p.exists() for p in paths):
        return paths
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        for lang, texts in TEXTS.items():
            for voice in VOICES[lang]:
                for k, text in enumerate(texts):
                    for speed in SPEEDS_WPM:
                        wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
                                             check=True, capture_output=True).stdout
                        x, rate = sf.read(io.BytesIO(wav))
                        x16 = resample_poly(x, make_stress_corpus.FS, rate)
                        x16 = 0.3 * x16 / (np.abs(x16).max() + 1e-9)
                        for cond in CONDITIONS:
                            y = make_stress_corpus.degrade(x16, cond, rng, Path(tmp))
                            wavfile.write(out / f"{cond}_{voice.replace('+', '_')}_{k}_{speed}.wav",
                                          make_stress_corpus.FS_OUT, y)
    return paths


def verdict(path: Path) -> tuple[str, str]:
    """(the :class:`~humitout.errors.BadAudio` code the recording is refused with, or ``accepted``; detail)."""
    from humitout.audio.transcribe import analyse_recording
    from humitout.errors import BadAudio
    try:
        analyse_recording(path.read_bytes())
    except BadAudio as e:
        return e.code, e.detail
    return "accepted", ""


def hum_paths(args: list[str]) -> list[Path]:
    """WAV files named by ``args`` (files or folders; default: the dev corpus)."""
    if not args:
        from bench_transcribe import BENCH_DIR
        args = [str(BENCH_DIR / "data" / "dev")]
    found = []
    for a in args:
        p = Path(a)
        found += sorted(p.glob("*.wav")) if p.is_dir() else [p]
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hums", nargs="*", default=[], help="hum WAV files or folders (default: the dev corpus)")
    ap.add_argument("--seed", type=int, default=49, help="seed of the phone conditions")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    speech = build(ROOT / "out" / "speech-corpus" / f"seed{a.seed}", a.seed)
    hums = hum_paths(a.hums)
    with ProcessPoolExecutor(a.jobs) as pool:
        speech_verdicts = list(pool.map(verdict, speech, chunksize=4))
        hum_verdicts = list(pool.map(verdict, hums, chunksize=4))
    print("| condition | speech recordings | no_melody | of which as speech | refused (any code) |")
    print("|---|---|---|---|---|")
    for cond in CONDITIONS:
        rows = [(v, d) for p, (v, d) in zip(speech, speech_verdicts) if p.name.startswith(cond + "_")]
        print(f"| {cond} | {len(rows)} | {np.mean([v == 'no_melody' for v, _ in rows]):.3f} | "
              f"{np.mean([v == 'no_melody' and 'speech' in d for v, d in rows]):.3f} | "
              f"{np.mean([v != 'accepted' for v, _ in rows]):.3f} |")
    share = float(np.mean([v == "no_melody" for v, _ in speech_verdicts]))
    print(f"speech answered no_melody: {share:.3f} of {len(speech)} (target >= {SPEECH_TARGET}); refused with any "
          f"code: {np.mean([v != 'accepted' for v, _ in speech_verdicts]):.3f}")
    refused = [(p, v, d) for p, (v, d) in zip(hums, hum_verdicts) if v != "accepted"]
    print(f"hums refused: {len(refused)} of {len(hums)} (target 0)")
    for p, v, d in refused:
        print(f"  {p}: {v}: {d}")
    return 0 if share >= SPEECH_TARGET and not refused else 1


if __name__ == "__main__":
    sys.exit(main())
