"""Benchmark the Render stage on a 60 s arrangement (30 bars at 120 bpm, all five parts busy).

Run: .venv/bin/python tests/bench/bench_render.py [--bars 30] [--out DIR]
Prints wall and CPU seconds per stage, the real-time factor of stems + mixes (audio seconds per
second of synthesis + mixdown/loudness) and the process's peak resident memory (MB).
Targets on the 2-core dev machine: RTF >= 20, peak <= 500 MB.
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from humitout.models import Arrangement, Chord, Key, NoteEvent, Part, Section, Style

RTF_TARGET = 20.0
PEAK_MB_TARGET = 500.0
PROGRESSION = [  # (symbol, root pc, quality, voicing MIDI numbers)
    ("Am", 9, "min", [57, 60, 64]), ("F", 5, "maj", [57, 60, 65]),
    ("C", 0, "maj", [55, 60, 64]), ("G", 7, "maj", [55, 59, 62]),
]


def busy_arrangement(bars: int = 30, tempo_bpm: float = 120.0) -> Arrangement:
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
        style=Style.POP, tempo_bpm=tempo_bpm, key=Key(tonic_pc=9, mode="minor", confidence=0.8),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=30)
    parser.add_argument("--out", type=Path, help="package folder (default: a temporary one)")
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
    print(f"arrangement: {arrangement.duration_s:.1f} s song, {audio_s:.1f} s audio, {notes} notes, 5 parts")
    print(f"  {'stage':<20} {'wall s':>7} {'CPU s':>7}")
    for stage, seconds in result.timings_s.items():
        print(f"  {stage:<20} {seconds:7.3f} {result.cpu_timings_s[stage]:7.3f}")
    print(f"  {'total':<20} {total_s:7.3f} s wall, {cpu_s:.3f} s CPU (1-min load average before: {load_1min:.2f}"
          f" on {os.cpu_count()} cores)")
    stems_and_mixes_s = result.timings_s["synth"] + result.timings_s["mixdown_loudness"]
    stems_and_mixes_cpu_s = result.cpu_timings_s["synth"] + result.cpu_timings_s["mixdown_loudness"]
    rtf = audio_s / stems_and_mixes_s
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB
    print(f"real-time factor (stems + mixes): {rtf:.1f}x wall, {audio_s / stems_and_mixes_cpu_s:.1f}x CPU"
          f" (target >= {RTF_TARGET:g}x; CPU is the figure without other processes on the cores)")
    print(f"real-time factor (whole package): {audio_s / total_s:.1f}x")
    print(f"peak memory: {peak_mb:.0f} MB (target <= {PEAK_MB_TARGET:g} MB)")
    print(f"loudness: {result.metadata['loudness']}")


if __name__ == "__main__":
    main()
