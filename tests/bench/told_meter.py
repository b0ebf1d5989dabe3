#!/usr/bin/env python3
"""What naming the meter and moving bar 1 give: each hum's score position as read, read again in its score's
meter, and then with its bar lines moved by the whole beats a caller's SHIFT replies would move them.

For every hum of a set whose score is in 2/4, 3/4, 4/4 or 6/8 (its transcription cached by
``bench_rhythm.py --cache``), the melody guide's score position (``bench_rhythm.score_positions``) of the
Transcribe stage's own reading and of :func:`rhythm_in_meter` with the score's meter told, as a caller
texting "3/4" or "waltz" gets it. Per set: the mean of both, over all hums, the misread ones and the rest,
and each misread hum's line. Then, on the reading in the score's meter, the best of its bar phases
(:func:`bars_moved` by 0 .. beats a bar - 1, as "shift" replies move it): how many hums need a shift and the
score position after it. README, "Time": "A meter the caller names" and "Bar 1 where the caller hears it".

    .venv/bin/python tests/bench/told_meter.py [--sets dev r1 r3] [--data-root /work/data] [--cache DIR]

A set other than ``dev`` is a held-out stand-in under ``<data-root>/<set>/data`` (``make_heldout_standin.py``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_rhythm as br  # noqa: E402

from humitout.audio.transcribe import bars_moved, in_meter  # noqa: E402
from humitout.models import CALLER_METERS, TimeSignature  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", nargs="+", default=["dev", "r1", "r3", "r6", "r7"])
    ap.add_argument("--data-root", type=Path, default=Path("/work/data"))
    ap.add_argument("--cache", type=Path, default=Path("out/rhythm-cache"))
    a = ap.parse_args(argv)
    for name in a.sets:
        items = br.corpus_items(None) if name == "dev" else br.corpus_items(None, a.data_root / name / "data", "heldout")
        right, own, told, shifts, shifted = [], [], [], [], []
        for item in items:
            meter = item["ref"]["meter"]
            if meter not in CALLER_METERS:
                continue
            analysis = br.analyse(item["audio"], a.cache)
            named = in_meter(analysis, TimeSignature.from_text(meter))
            right.append(analysis.time_signature.text == meter)
            own.append(br.score_positions(analysis, item["notes"], item["beats"], item.get("score_beats")))
            told.append(br.score_positions(named, item["notes"], item["beats"], item.get("score_beats")))
            by_shift = [br.score_positions(bars_moved(named, k), item["notes"], item["beats"], item.get("score_beats"))
                        for k in range(named.time_signature.beats_per_bar)]
            shifts.append(int(np.argmax(by_shift)) if max(by_shift) > by_shift[0] else 0)
            shifted.append(by_shift[shifts[-1]])
            if not right[-1]:
                print(f"  {item['ref']['id']}: {meter} read {analysis.time_signature.text} at {analysis.tempo_bpm:.0f} "
                      f"BPM, told at {named.tempo_bpm:.0f}: score position {own[-1]:.2f} -> {told[-1]:.2f}")
        ok, o, t = np.array(right), np.array(own), np.array(told)
        print(f"{name}: {len(ok)} hums, {ok.sum()} read in their meter; score position {o.mean():.3f} -> told "
              f"{t.mean():.3f}; misread hums {o[~ok].mean():.3f} -> {t[~ok].mean():.3f}; the rest "
              f"{o[ok].mean():.3f} -> {t[ok].mean():.3f}", flush=True)
        k, sh = np.array(shifts), np.array(shifted)
        print(f"{name}: then bar 1 moved: {np.sum(k > 0)} of {len(k)} hums need it (1 shift {np.sum(k == 1)}, 2: "
              f"{np.sum(k == 2)}, 3: {np.sum(k == 3)}); score position told {t.mean():.3f} -> moved {sh.mean():.3f}; "
              f"the moved hums {t[k > 0].mean() if (k > 0).any() else 0:.3f} -> {sh[k > 0].mean() if (k > 0).any() else 0:.3f}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
