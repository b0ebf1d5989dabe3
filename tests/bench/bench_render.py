#!/usr/bin/env python3
"""Benchmark the Render stage: loudness per style over the dev hums, and the speed of a 90 s song.

1. Speed: the whole package of a 90 s busy arrangement (45 bars at 120 bpm, all five parts):
   wall and CPU seconds per stage, the real-time factor of the render (stems + mastered mixes,
   CPU seconds: the figure without the other processes on this shared machine), the whole
   package's time and the process's peak resident memory (measured first, so it is the package's).
2. Loudness: arrangements composed (Compose rules) from ``--items`` dev hums in every style, plus
   the busy synthetic song in every style, rendered and mastered: full mix and backing track
   must each be at -14 LUFS +-0.5 with true peak <= -1 dBTP; and summed to mono (a phone's one
   speaker) the full mix loses at most 3 dB against its stereo power (its sides no more in anti-phase
   than in phase) and the melody stem at most 4 dB (an uncorrelated pair's 3 dB plus 1); the melody
   guide within 4 LU of the backing track's loudness (both unmastered, in stereo), so it is heard.

Run: .venv/bin/python tests/bench/bench_render.py [--items 4] [--bars 45] [--out DIR]
Exits 1 when a target is missed. Targets: loudness and mono fold as above; render >= 20x real time (CPU);
peak memory <= 1024 MB (58 % of the Render function's 1769 MB, infra/topology.py).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from humitout.models import Arrangement, Chord, Key, NoteEvent, Part, Section, Style

RTF_TARGET = 20.0
PEAK_MB_TARGET = 1024.0  # 58 % of the Render function's 1769 MB (infra/topology.py)
LUFS_TOLERANCE = 0.5
MONO_FOLD_TARGETS_DB = {"full mix": -3.0, "melody stem": -4.0}
MELODY_BALANCE_LU = 4.0
PROGRESSION = [  # (symbol, root pc, quality, voicing MIDI numbers)
    ("Am", 9, "min", [57, 60, 64]), ("F", 5, "maj", [57, 60, 65]),
    ("C", 0, "maj", [55, 60, 64]), ("G", 7, "maj", [55, 59, 62]),
]


def busy_arrangement(bars: int = 45, tempo_bpm: float = 120.0, style: Style = Style.POP) -> Arrangement:
    """A-minor pop arrangement: 16th hats, 8th bass and comping, sustained pad, 8th-note melody."""
    chords, drums, bass, comp, pad, melody = [], [], [], [], [], []
    scale = [69, 71, 72, 74, 76, 77, 79, 81]
    for bar in range(bars):
        symbol, root, quality, voicing = PROGRESSION[bar % len(PROGRESSION)]
        b0 = bar * 4.0
        chords.append(Chord(start_beat=b0, duration_beats=4.0, symbol=symbol, root_pc=root, quality=quality,
                            pitches=voicing))
        for step in range(16):
            drums.append(NoteEvent(start_beat=b0 + step / 4, duration_beats=0.2, pitch=42,
                                   velocity=80 if step % 4 == 0 else 60))
        for beat in range(4):
            drums.append(NoteEvent(start_beat=b0 + beat, duration_beats=0.25, pitch=36 if beat % 2 == 0 else 38,
                                   velocity=110))
        for eighth in range(8):
            start = b0 + eighth / 2
            bass.append(NoteEvent(start_beat=start, duration_beats=0.45, pitch=33 + root + 12 * (eighth % 2),
                                  velocity=96))
            comp += [NoteEvent(start_beat=start, duration_beats=0.4, pitch=p, velocity=72) for p in voicing]
            melody.append(NoteEvent(start_beat=start, duration_beats=0.5,
                                    pitch=scale[(bar * 3 + eighth) % len(scale)], velocity=92))
        pad += [NoteEvent(start_beat=b0, duration_beats=4.0, pitch=p - 12, velocity=64) for p in voicing]
    return Arrangement(
        style=style, tempo_bpm=tempo_bpm, key=Key(tonic_pc=9, mode="minor", confidence=0.8),
        total_bars=bars,
        sections=[Section(name="intro", start_bar=0, bars=4), Section(name="verse", start_bar=4, bars=bars - 8),
                  Section(name="ending", start_bar=bars - 4, bars=4)],
        chords=chords,
        parts=[
            Part(name="drums", program=0, is_drum=True, level_db=-2.0, notes=drums),
            Part(name="bass", program=33, level_db=-3.0, notes=bass),
            Part(name="chords", program=4, level_db=-9.0, pan=-0.3, notes=comp),
            Part(name="pad", program=89, level_db=-12.0, pan=0.3, notes=pad),
            Part(name="melody", program=73, level_db=0.0, notes=melody),
        ],
        lyrics="la " * 40,
    )


def dev_arrangements(items: int, styles: list[Style] | None = None) -> list[Arrangement]:
    """Arrangements composed by the Compose rules from ``items`` dev hums spread over the corpus
    (notes, tempo and key from the reference files), in each of ``styles`` (default: all six)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_compose import BENCH_DIR, load_item

    from humitout.agents.compose import compose_arrangement

    files = sorted((BENCH_DIR / "data" / "dev").glob("*.notes.csv"))
    chosen = files[:: max(1, len(files) // max(1, items))][:items]
    return [compose_arrangement(load_item(path), style) for path in chosen for style in (styles or list(Style))]


def mono_fold_db(stereo: np.ndarray) -> float:
    """Power of (left + right) / 2 against the pair's mean power (dB): 0 centred, -inf anti-phase."""
    left, right = stereo.astype(np.float64)
    return float(10 * np.log10(np.mean(((left + right) / 2) ** 2) / (np.mean(left**2 + right**2) / 2)))


def loudness_check(arrangements: list[Arrangement]) -> list[str]:
    """Render and master each arrangement; print LUFS / true peak and mono fold per style; return the misses."""
    from humitout.music import render
    from humitout.music.mastering import TARGET_LUFS, TRUE_PEAK_CEILING_DBTP, integrated_lufs, master_mixes
    from humitout.music.midi import CHANNEL_BY_PART, build_midi
    from humitout.music.mixing import style_mix

    by_style: dict[str, list[tuple[float, float, float, float]]] = {}
    misses = []
    for arrangement in arrangements:
        stems = render.render_stems(build_midi(arrangement), {p.name: CHANNEL_BY_PART[p.name] for p in arrangement.parts},
                                    None, min_duration_s=arrangement.duration_s, effects=style_mix(arrangement.style))
        full = sum(stems.values())
        masters = master_mixes({"full_mix": full, "backing_track": full - stems["melody"]}, render.SAMPLE_RATE_HZ)
        row = []
        for name, mastered in masters.items():
            row += [mastered.lufs, mastered.true_peak_dbtp]
            if abs(mastered.lufs - TARGET_LUFS) > LUFS_TOLERANCE or mastered.true_peak_dbtp > TRUE_PEAK_CEILING_DBTP:
                misses.append(f"{arrangement.style.value} {name}: {mastered.lufs:.2f} LUFS, "
                              f"{mastered.true_peak_dbtp:.2f} dBTP")
        row.append(masters["full_mix"].limiter_max_reduction_db)
        balance = integrated_lufs(stems["melody"], render.SAMPLE_RATE_HZ) - integrated_lufs(full - stems["melody"],
                                                                                           render.SAMPLE_RATE_HZ)
        row.append(balance)
        if abs(balance) > MELODY_BALANCE_LU:
            misses.append(f"{arrangement.style.value} melody {balance:+.1f} LU against the backing")
        for name, stereo in (("full mix", full), ("melody stem", stems["melody"])):
            row.append(mono_fold_db(stereo))
            if row[-1] < MONO_FOLD_TARGETS_DB[name]:
                misses.append(f"{arrangement.style.value} {name}: {row[-1]:.1f} dB summed to mono")
        by_style.setdefault(arrangement.style.value, []).append(tuple(row))
    print(f"loudness over {len(arrangements)} songs (target {TARGET_LUFS:g} +- {LUFS_TOLERANCE} LUFS, "
          f"true peak <= {TRUE_PEAK_CEILING_DBTP:g} dBTP; summed to mono, the worst song's loss: "
          + ", ".join(f"{name} >= {db:g} dB" for name, db in MONO_FOLD_TARGETS_DB.items())
          + f"; melody within +-{MELODY_BALANCE_LU:g} LU of the backing)")
    print(f"  {'style':<11} {'n':>3} {'mix LUFS min..max':>18} {'mix dBTP max':>13} {'backing LUFS':>14} "
          f"{'backing dBTP':>13} {'limiter dB max':>15} {'melody LU':>13} {'mono dB: mix':>13} {'melody':>7}")
    for style, rows in by_style.items():
        a = np.array(rows)
        print(f"  {style:<11} {len(rows):3d} {a[:, 0].min():8.2f}..{a[:, 0].max():<8.2f} {a[:, 1].max():13.2f} "
              f"{a[:, 2].min():6.2f}..{a[:, 2].max():<6.2f} {a[:, 3].max():13.2f} {a[:, 4].max():15.1f} "
              f"{a[:, 5].min():+6.1f}..{a[:, 5].max():<+6.1f} {a[:, 6].min():13.1f} {a[:, 7].min():7.1f}")
    return misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=4, help="dev hums per style for the loudness check")
    parser.add_argument("--bars", type=int, default=45, help="bars of the speed test song (120 bpm)")
    parser.add_argument("--out", type=Path, help="package folder of the speed test (default: a temporary one)")
    args = parser.parse_args()

    from humitout.music.package import build_package  # after argparse: --help stays fast

    arrangement = busy_arrangement(args.bars)
    notes = sum(len(p.notes) for p in arrangement.parts)
    load_1min = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = build_package(arrangement, args.out or Path(tmp), params={"bench": True})
        total_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    audio_s = result.metadata["durations_s"]["audio"]
    print(f"\nspeed: {arrangement.duration_s:.1f} s song, {audio_s:.1f} s audio, {notes} notes, 5 parts")
    print(f"  {'stage':<20} {'wall s':>7} {'CPU s':>7}")
    for stage, seconds in result.timings_s.items():
        print(f"  {stage:<20} {seconds:7.3f} {result.cpu_timings_s[stage]:7.3f}")
    print(f"  {'total':<20} {total_s:7.3f} {cpu_s:7.3f}   (1-min load average before: {load_1min:.2f}"
          f" on {os.cpu_count()} cores; CPU s include this process's other threads)")
    render_stages = ("synth", "mastering")
    render_s = sum(result.timings_s[s] for s in render_stages)
    render_cpu_s = sum(result.cpu_timings_s[s] for s in render_stages)
    rtf_cpu = audio_s / render_cpu_s
    synth_rtf_cpu = audio_s / result.cpu_timings_s["synth"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB
    print(f"render (stems + mastered mixes): {rtf_cpu:.1f}x real time CPU, {audio_s / render_s:.1f}x wall"
          f" (target >= {RTF_TARGET:g}x CPU); synth alone {synth_rtf_cpu:.1f}x CPU")
    print(f"whole package: {total_s:.1f} s wall = {audio_s / total_s:.1f}x real time")
    print(f"peak memory: {peak_mb:.0f} MB (target <= {PEAK_MB_TARGET:g} MB)")
    print(f"loudness of this song: {result.metadata['loudness']['full_mix']}")

    print()
    started = time.perf_counter()
    songs = dev_arrangements(args.items) + [busy_arrangement(16, style=style) for style in Style]
    misses = loudness_check(songs)
    print(f"  ({time.perf_counter() - started:.0f} s)")

    if rtf_cpu < RTF_TARGET:
        misses.append(f"render {rtf_cpu:.1f}x real time < {RTF_TARGET:g}x")
    if peak_mb > PEAK_MB_TARGET:
        misses.append(f"peak memory {peak_mb:.0f} MB > {PEAK_MB_TARGET:g} MB")
    for miss in misses:
        print(f"MISSED: {miss}")
    print("all targets met" if not misses else f"{len(misses)} target(s) missed")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
