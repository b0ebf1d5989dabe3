#!/usr/bin/env python3
"""Can a slow 6/8 air counted at its eighths be told from a real fast 3/4 tune? (issue 9, x3 beat level)

On the pickles of ``diag_meter.py --dump``, for every item read as 3/4 on a simple grid by
:func:`humitout.audio.rhythm.analyse_rhythm` at ``--min-bpm`` or faster, it prints the cues that could move
the reading to 6/8 on the grid three times slower (beat = the 3/4 bar, bar = two of them):

- ``bar``: the 3/4 bar period (s) and ``npb`` sung notes a beat;
- ``margin``: how far the best tracked grid's beat-level fit (:func:`grid_fit` + 3 x comb score + the tactus
  prior + 0.5 x the best bar, as ``analyse_rhythm`` scores it) is above the best compound grid at three
  times its period (positive: the 3/4 reading wins), and ``prior``: the difference of
  :func:`beat_level_log_prior` (x3 compound minus the tracked grid);
- ``note``: the log-likelihood ratio per note (nats) of 6/8 on the x3 grid against 3/4 on the tracked grid
  under :func:`notation_scores` without its onset-point term (the two grids have different point
  counts; note lengths, triad tones and the first note's position are per note);
- ``slow``: :func:`compound_log_ratio` one level down (6/8 on the x3 grid against 3/4 on every 2nd beat,
  both with bars of six tracked beats), the statistic of the existing 3/4 -> 6/8 rewrite;
- ``rep``: the repetition of the onset grid / pitch line at two bars minus at one bar (a 6/8 bar is two
  of the 3/4 bars).

Then, per cue, the range over the slow airs (reference 6/8 at about a third of the tracked tempo) and
over the real 3/4 tunes at the same tempi: a cue can decide only where the ranges do not overlap.

    .venv/bin/python tests/bench/diag_slow_compound.py r1 r2 dev gen7000 gen9000 familiar
"""
from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import numpy as np

from humitout.audio import rhythm as R
from humitout.audio.key import estimate_key
from humitout.audio.median import median1d

OUT = Path(__file__).resolve().parents[2] / "out" / "diag"
CUES = ("bar", "npb", "margin", "prior", "note", "slow", "rep_rhythm", "rep_pitch")


def grid_rows(on, off, pitch) -> list[tuple[float, bool, float, float]]:
    """(beat period s, compound, beat-level fit, beat-level prior) of every tracked grid, as
    :func:`analyse_rhythm` (default weights) scores them."""
    return [(g.step_s, g.compound, g.fit, g.level_prior) for g in R.beat_grids(on, off, pitch)]


def repetition(on, lengths, pitch, beats, bars: int, sub: int = 4) -> tuple[float, float]:
    """Autocorrelation of the length-weighted onset grid and of the held-pitch line at ``bars`` 3/4 bars."""
    period = float(median1d(np.diff(beats)))
    pos = R.beat_positions(on, beats)
    grid = np.zeros(len(beats) * sub)
    gi = np.clip(np.round(pos * sub).astype(int), 0, len(grid) - 1)
    np.add.at(grid, gi, np.sqrt(np.clip(lengths / period, 0.0, 3.0)))
    order = np.argsort(gi)
    held = np.searchsorted(gi[order], np.arange(len(grid)), side="right") - 1
    line = np.where(held >= 0, (pitch[order] - np.median(pitch))[np.clip(held, 0, None)], 0.0)
    lag = 3 * bars * sub
    if len(grid) <= lag + 2 * sub:
        return 0.0, 0.0
    return R._corr(grid[:-lag], grid[lag:]), R._corr(line[:-lag], line[lag:])


def cues(item: dict) -> dict | None:
    """The cues of an item read as 3/4 on a simple grid (None otherwise)."""
    r = R.analyse_rhythm(item["on"], item["off"], item["midi"], item["duration"])
    if r.compound or r.beats_per_bar != 3:
        return None
    order = np.argsort(item["on"])
    on, off, pitch = (np.asarray(item[k], float)[order] for k in ("on", "off", "midi"))
    lengths = R.note_lengths(on, off)
    key = estimate_key(pitch, lengths)
    beats = r.beats_s
    step = float(median1d(np.diff(beats)))
    rows = grid_rows(on, off, pitch)
    top = max(rows, key=lambda g: g[2])
    slow = [g for g in rows if g[1] and abs(np.log(g[0] / (3 * step))) < 0.1]
    best_slow = max(slow, key=lambda g: g[2]) if slow else None
    per_note = (0.0, 1.0, 1.0, 1.0)
    simple = max(v for (k, _), v in R.notation_scores(on, lengths, pitch, beats, False, key=key,
                                                     weights=per_note).items() if k == 3)
    dotted = [beats[a::3] for a in range(3) if len(beats[a::3]) >= 3]
    compound = max(max(R.notation_scores(on, lengths, pitch, d, True, key=key, weights=per_note).values())
                   for d in dotted)
    ph = r.downbeat_index % 3
    slow_ratio = max(R.compound_log_ratio(on, lengths, pitch, beats[par::2], beats[ph::3], key=key)
                     for par in (0, 1))
    one, two = repetition(on, lengths, pitch, beats, 1), repetition(on, lengths, pitch, beats, 2)
    return {"bpm": r.beat_bpm, "bar": 3 * step, "npb": R.note_rate(on, float(off.max()), beats),
            "margin": top[2] - best_slow[2] if best_slow else np.nan,
            "prior": best_slow[3] - top[3] if best_slow else np.nan,
            "note": (compound - simple) / len(on), "slow": slow_ratio,
            "rep_rhythm": two[0] - one[0], "rep_pitch": two[1] - one[1]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sets", nargs="+")
    ap.add_argument("--min-bpm", type=float, default=105.0, help="only 3/4 readings at this tracked tempo or faster")
    a = ap.parse_args(argv)
    airs, waltzes = [], []
    for set_name in a.sets:
        for item in pickle.loads((OUT / f"{set_name}.pkl").read_bytes()):
            c = cues(item)
            if c is None or c["bpm"] < a.min_bpm:
                continue
            ratio = c["bpm"] / item["beat_bpm"]
            air = item["meter"] == "6/8" and abs(np.log(ratio / 3.0)) < 0.1
            real = item["meter"] == "3/4" and abs(np.log(ratio)) < 0.1
            (airs if air else waltzes if real else []).append(c)
            print(f"{set_name:8s} {item['id'][-12:]:>12s} ref {item['meter']} {item['beat_bpm']:6.1f}  3/4 at "
                  f"{c['bpm']:6.1f}  " + " ".join(f"{k} {c[k]:6.2f}" for k in CUES)
                  + ("  <- slow 6/8 air" if air else ""))
    if airs and waltzes:
        slowest = min(c["bpm"] for c in airs)
        near = [c for c in waltzes if c["bpm"] >= slowest]
        print(f"\n{len(airs)} slow 6/8 airs read at x3; {len(near)} real 3/4 tunes read at {slowest:.0f} BPM or faster")
        for k in CUES:
            x, y = np.array([c[k] for c in airs]), np.array([c[k] for c in near])
            overlap = not (x.min() > y.max() or x.max() < y.min())
            print(f"  {k:>10s}: airs [{x.min():7.2f}, {x.max():7.2f}]  real 3/4 [{y.min():7.2f}, {y.max():7.2f}]"
                  f"  {'overlap' if overlap else 'SEPARATE'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
