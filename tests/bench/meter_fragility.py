#!/usr/bin/env python3
"""How fragile the meter and bar-phase reading is: each hum analysed again once per note with that note left out.

For every hum of a set (its transcription cached by ``bench_rhythm.py --cache``), :func:`analyse_rhythm` runs on the
notes and once more per note without it. A leave-one-out reading *flips* when its beats per bar or simple/compound
differ from the full reading's, its downbeats lie 0.1 s or more from the full reading's on average, or its beat period
differs by 10 % or more. Per set it prints the share of deletions that flip, for the hums read right (score position
0.9 or more) and the others, next to the analysis's own ``meter_confidence`` and ``downbeat_confidence``; and the
score position when the reading most of the full and leave-one-out analyses share is taken instead (a vote).
HISTORY, stop 51: wrong hums flip about twice as often as right ones, the confidences barely show it, the vote does
not help.

    .venv/bin/python tests/bench/meter_fragility.py [--sets dev r1 r3] [--data-root /work/data] [--cache DIR]

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

from humitout.audio.rhythm import Rhythm, analyse_rhythm  # noqa: E402
from humitout.audio.transcribe import rhythm_fields  # noqa: E402

RIGHT_POSITION = 0.9   # score position from which a hum counts as read right
DOWNBEAT_S = 0.1       # s, mean distance of the downbeats under which two readings place the bar alike
PERIOD_SHARE = 0.1     # share by which two readings' beat periods may differ and still be one beat level


def same_reading(a: Rhythm, b: Rhythm) -> bool:
    """Whether two analyses read the same meter class, bar phase and beat level."""
    if (a.beats_per_bar, a.compound) != (b.beats_per_bar, b.compound) or not len(a.downbeats_s) or not len(b.downbeats_s):
        return False
    apart = np.min(np.abs(np.asarray(b.downbeats_s)[:, None] - np.asarray(a.downbeats_s)[None, :]), axis=1).mean()
    period = np.median(np.diff(a.beats_s)) / np.median(np.diff(b.beats_s))
    return bool(apart < DOWNBEAT_S and abs(np.log(period)) < PERIOD_SHARE)


def readings(onsets_s: np.ndarray, offsets_s: np.ndarray, midi: np.ndarray, duration_s: float) -> list[Rhythm]:
    """The full analysis of the notes (onsets, offsets in s, MIDI numbers; (k,) each), then one per note left out."""
    out = [analyse_rhythm(onsets_s, offsets_s, midi, duration_s)]
    for k in range(len(onsets_s)):
        keep = np.arange(len(onsets_s)) != k
        out.append(analyse_rhythm(onsets_s[keep], offsets_s[keep], midi[keep], duration_s))
    return out


def voted(rhythms: list[Rhythm]) -> Rhythm:
    """The reading most of ``rhythms`` share (:func:`same_reading`), the first of its kind; ties to the earlier."""
    kinds: list[list[Rhythm]] = []
    for r in rhythms:
        for kind in kinds:
            if same_reading(r, kind[0]):
                kind.append(r)
                break
        else:
            kinds.append([r])
    return max(kinds, key=len)[0]


def score_position(analysis, rhythm: Rhythm, item: dict) -> float:
    """The bench's score position of ``analysis`` (the Transcribe stage's) with ``rhythm``'s reading, on ``item``."""
    return br.score_positions(analysis.model_copy(update=rhythm_fields(rhythm)), item["notes"], item["beats"],
                              item.get("score_beats"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", nargs="+", default=["dev", "r1", "r3", "r6"])
    ap.add_argument("--data-root", type=Path, default=Path("/work/data"))
    ap.add_argument("--cache", type=Path, default=Path("out/rhythm-cache"))
    a = ap.parse_args(argv)
    for name in a.sets:
        items = br.corpus_items(None) if name == "dev" else br.corpus_items(None, a.data_root / name / "data", "heldout")
        right, flips, meter_conf, downbeat_conf, full_pos, vote_pos = [], [], [], [], [], []
        for item in items:
            analysis = br.analyse(item["audio"], a.cache)
            on, off, midi = (np.array([getattr(n, f) for n in analysis.notes]) for f in ("onset_s", "offset_s", "midi"))
            rs = readings(on, off, midi, analysis.duration_s)
            full, vote = rs[0], voted(rs)
            full_pos.append(score_position(analysis, full, item))
            vote_pos.append(full_pos[-1] if same_reading(vote, full) else score_position(analysis, vote, item))
            right.append(full_pos[-1] >= RIGHT_POSITION)
            flips.append(np.mean([not same_reading(r, full) for r in rs[1:]]) if len(rs) > 1 else 0.0)
            meter_conf.append(full.meter_confidence)
            downbeat_conf.append(full.downbeat_confidence)
        ok, fr = np.array(right), np.array(flips)
        mc, dc = np.array(meter_conf), np.array(downbeat_conf)
        print(f"{name}: {len(items)} hums, {ok.sum()} read right; deletions that flip the reading: right {fr[ok].mean():.3f}, "
              f"wrong {fr[~ok].mean():.3f}; meter confidence (median) right {np.median(mc[ok]):.2f}, wrong "
              f"{np.median(mc[~ok]):.2f}; downbeat confidence right {np.median(dc[ok]):.2f}, wrong {np.median(dc[~ok]):.2f}; "
              f"score position {np.mean(full_pos):.3f}, by vote {np.mean(vote_pos):.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
