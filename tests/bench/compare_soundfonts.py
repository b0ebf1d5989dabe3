#!/usr/bin/env python3
"""Compare GM soundfonts on the six styles with listening proxies (how the default was chosen).

For each soundfont and style, arrangements are composed from dev hums (as in bench_render),
rendered with the style's reverb/chorus and mastered; printed per soundfont (means over the
hums and styles, and per style):

* spectral balance of the mastered mix: energy (dB) in 20-200 Hz, 200 Hz-2 kHz, 2-8 kHz and
  8-20 kHz relative to the total, and the spectral centroid (Hz);
* attack clarity: the drum stem's crest factor (peak / RMS, dB; higher = punchier hits) and the
  melody's mean 10-90 % rise time after note onsets (ms; lower = clearer attacks);
* CPU seconds to load the soundfont and render (FluidSynth, one thread), file size (MB).

    .venv/bin/python tests/bench/compare_soundfonts.py [--items 2] [SOUNDFONT ...]

The MuseScore files come from Debian's musescore-general-soundfont (Full) and
musescore-general-soundfont-small (Lite), which ./dev does not install.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_render import dev_arrangements  # noqa: E402

from humitout.models import Style  # noqa: E402
from humitout.music import render  # noqa: E402
from humitout.music.mastering import master  # noqa: E402
from humitout.music.midi import CHANNEL_BY_PART, build_midi, melody_notes  # noqa: E402
from humitout.music.mixing import style_mix  # noqa: E402

DEFAULT_SOUNDFONTS = [
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf3/MuseScore_General_Full.sf3"),
    Path("/usr/share/sounds/sf3/MuseScore_General_Lite.sf3"),
]
BANDS_HZ = ((20, 200), (200, 2000), (2000, 8000), (8000, 20000))


def spectral_balance(mix: np.ndarray, rate: int) -> tuple[list[float], float]:
    """Band energies (dB re total) and centroid (Hz) of a ``(2, n)`` mix (Welch, 8192-point)."""
    from scipy.signal import welch

    freqs, power = welch(mix.mean(axis=0), fs=rate, nperseg=8192)
    total = power.sum()
    bands = [10 * np.log10(power[(freqs >= lo) & (freqs < hi)].sum() / total + 1e-12) for lo, hi in BANDS_HZ]
    return bands, float((freqs * power).sum() / total)


def crest_db(stem: np.ndarray) -> float:
    mono = stem.mean(axis=0)
    return float(20 * np.log10(np.abs(mono).max() / (np.sqrt(np.mean(mono**2)) + 1e-12)))


def rise_ms(stem: np.ndarray, onsets_s: list[float], rate: int) -> float:
    """Mean 10-90 % rise time (ms) of the stem's 2 ms envelope in the 150 ms after each onset."""
    env = np.abs(stem.mean(axis=0))
    kernel = np.ones(rate // 500) / (rate // 500)
    env = np.convolve(env, kernel, mode="same")
    rises = []
    for onset in onsets_s:
        start = int(onset * rate)
        seg = env[start : start + int(0.15 * rate)]
        if len(seg) < 10 or seg.max() <= 0:
            continue
        peak = seg.max()
        t10 = np.argmax(seg >= 0.1 * peak)
        t90 = np.argmax(seg >= 0.9 * peak)
        rises.append((t90 - t10) / rate * 1000)
    return float(np.mean(rises)) if rises else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("soundfonts", nargs="*", type=Path, default=DEFAULT_SOUNDFONTS)
    parser.add_argument("--items", type=int, default=2, help="dev hums per style")
    args = parser.parse_args()
    arrangements = dev_arrangements(args.items)
    for soundfont in args.soundfonts:
        rows = []
        for arrangement in arrangements:
            channels = {p.name: CHANNEL_BY_PART[p.name] for p in arrangement.parts}
            cpu = time.process_time()
            stems = render.render_stems(build_midi(arrangement), channels, soundfont,
                                        min_duration_s=arrangement.duration_s, effects=style_mix(arrangement.style))
            cpu = time.process_time() - cpu
            mastered = master(sum(stems.values()), render.SAMPLE_RATE_HZ)
            bands, centroid = spectral_balance(mastered.audio, render.SAMPLE_RATE_HZ)
            onsets = [n.start_beat * 60 / arrangement.tempo_bpm for n in melody_notes(arrangement)]
            rows.append((arrangement.style, bands, centroid, crest_db(stems["drums"]),
                         rise_ms(stems["melody"], onsets, render.SAMPLE_RATE_HZ),
                         cpu, arrangement.duration_s))
        size_mb = soundfont.stat().st_size / 1e6
        print(f"\n{soundfont.name}: {size_mb:.0f} MB")
        print(f"  {'style':<11} {'<200':>6} {'.2-2k':>6} {'2-8k':>6} {'>8k':>6} {'centr':>6} {'crest':>6} "
              f"{'rise':>6} {'CPU s':>6} {'xRT':>6}")
        for style in [*Style, None]:
            chosen = [r for r in rows if style is None or r[0] == style]
            if not chosen:
                continue
            bands = np.mean([r[1] for r in chosen], axis=0)
            print(f"  {style.value if style else 'ALL':<11} " + " ".join(f"{b:6.1f}" for b in bands)
                  + f" {np.mean([r[2] for r in chosen]):6.0f} {np.mean([r[3] for r in chosen]):6.1f}"
                  f" {np.nanmean([r[4] for r in chosen]):6.1f} {np.mean([r[5] for r in chosen]):6.2f}"
                  f" {sum(r[6] for r in chosen) / sum(r[5] for r in chosen):6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
