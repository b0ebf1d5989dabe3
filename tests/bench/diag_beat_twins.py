#!/usr/bin/env python3
"""Why the beat level is too fast on the held-out stand-ins, on the pickles of ``diag_meter.py --dump``.

Two reports per set:

``gaps``: for every item whose tempo is not within 4 % of the reference beat, the terms of
:func:`humitout.audio.rhythm.analyse_rhythm`'s beat-level choice (at its default weights) on the best
grid and on the grid tracked at the reference beat (the notated kind: simple, or compound for 6/8):
``gf`` :func:`~humitout.audio.rhythm.grid_fit`, ``comb`` 3 x the comb score of the period, ``tac``
:func:`~humitout.audio.rhythm.tactus_log_prior`, ``met`` 0.5 x the best
:func:`~humitout.audio.rhythm.meter_scores`, and ``prior`` 0.5 x
:func:`~humitout.audio.rhythm.beat_level_log_prior` (which may move the best grid down an octave).
``fit`` is the sum without the prior; the reference grid wins only when its fit plus prior is higher.

``twins``: the duple tunes (2/2, 2/4, 4/4) whose hum moves in running eighths under the quarter
(quarter / median inter-onset interval 1.7-2.4), reels (2/2, reference beat the half note) and the
songs (reference beat the quarter) together: evenness (share of inter-onset intervals within 25 % of
the median), quarter tempo, median inter-onset interval, share of repeated pitches and of steps
(1-2 semitones), pitch range. A cue can only move the reels to their half-note beat if it separates
them from the songs in this table.

    .venv/bin/python tests/bench/diag_beat_twins.py r1 r2 dev
"""
from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

from humitout.audio import rhythm as R

OUT = Path(__file__).resolve().parents[2] / "out" / "diag"
COMPOUND = ("6/8", "9/8", "12/8", "6/4")


def comb_at(onsets_s: np.ndarray, weights: np.ndarray, period_s: float) -> float:
    """The comb score of :func:`humitout.audio.rhythm.period_candidates` at any period (s)."""
    span = float(onsets_s.max() - onsets_s.min()) + 1.0
    n = int(np.ceil(span / R.HOP_S)) + 1
    x = R.onset_train(onsets_s - onsets_s.min() + 0.5, weights, n)
    x = x - x.mean()
    ac = np.correlate(x, x, mode="full")[n - 1:]
    ac = ac / (ac[0] + 1e-12)
    lag = period_s / R.HOP_S
    return float(np.mean([ac[int(round(k * lag))] for k in (1, 2, 3, 4) if int(round(k * lag)) < len(ac)]))


def gaps(item: dict) -> None:
    order = np.argsort(item["on"])
    on, off, midi = item["on"][order], item["off"][order], item["midi"][order]
    lengths = R.note_lengths(on, off)
    weights = R.note_weights(lengths)
    end = float(max(off.max(), on.max() + 0.05))
    ref_period, ref_compound = 60.0 / item["beat_bpm"], item["notated"] in COMPOUND
    periods = [p for p, _ in R.period_candidates(on, weights)]
    if not any(abs(np.log2(p / ref_period)) < 0.06 for p in periods):
        periods.append(ref_period)
    rows = []
    for period in periods:
        beats = R.track_beats(on, weights, period, end)
        if len(beats) < 3:
            continue
        step = float(np.median(np.diff(beats)))
        rate = R.note_rate(on, end, beats)
        for compound in (False, True):
            terms = (R.grid_fit(on, lengths, beats, compound), 3.0 * comb_at(on, weights, period),
                     R.tactus_log_prior(step), 0.5 * max(R.meter_scores(on, lengths, off, midi, beats, compound).values()))
            rows.append((sum(terms), *terms, 0.5 * R.beat_level_log_prior(step, rate, compound), step, compound, rate))
    top = max(rows)
    ref = [r for r in rows if r[7] == ref_compound and abs(np.log2(r[6] / ref_period)) < 0.06]
    est = R.analyse_rhythm(on, off, midi, item["duration"])
    if abs(est.beat_bpm / item["beat_bpm"] - 1.0) <= 0.04:
        return
    print(f"  {item['id']} {str(item['group'] or '')[:12]:12s} ref {item['notated']} {item['beat_bpm']:.0f} BPM, "
          f"est {est.time_signature.text} {est.beat_bpm:.0f} BPM")
    for tag, r in [("best", top)] + [("ref ", x) for x in ref[:1]]:
        print(f"     {tag} {60 / r[6]:5.0f} BPM {'compound' if r[7] else 'simple  '} {r[8]:.2f} notes a beat: "
              f"fit {r[0]:6.2f} = gf {r[1]:6.2f} comb {r[2]:5.2f} tac {r[3]:5.2f} met {r[4]:5.2f}; prior {r[5]:6.2f}")


def twin_row(item: dict) -> tuple | None:
    if item["meter"] not in ("2/4", "4/4"):
        return None
    order = np.argsort(item["on"])
    on, midi = item["on"][order], item["midi"][order]
    ioi = np.diff(on)
    med = float(np.median(ioi))
    quarter = 60.0 / item["beat_bpm"] / (2.0 if item["notated"] == "2/2" else 1.0)
    if not 1.7 < quarter / med < 2.4:
        return None
    steps = np.abs(np.diff(np.round(midi)))
    return (item["notated"] == "2/2", float(np.mean(np.abs(np.log(ioi / med)) < np.log(1.25))), item["id"],
            str(item["group"] or "")[:12], item["notated"], 60.0 / quarter, med, float(np.mean(steps == 0)),
            float(np.mean((steps >= 1) & (steps <= 2))), float(np.ptp(midi)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sets", nargs="+")
    ap.add_argument("--report", choices=("gaps", "twins", "both"), default="both")
    a = ap.parse_args(argv)
    twins = []
    for set_name in a.sets:
        items = pickle.loads((OUT / f"{set_name}.pkl").read_bytes())
        if a.report in ("gaps", "both"):
            print(f"== {set_name}: terms of the beat-level choice where the tempo is wrong")
            for item in items:
                gaps(item)
        twins += [(set_name, *r) for r in map(twin_row, items) if r is not None]
    if a.report in ("twins", "both"):
        print("== running eighths under the quarter: reels (2/2) and songs")
        print("  set  reel even id            group        meter quarter BPM  median IOI  repeats steps range")
        for s, reel, even, ident, group, meter, bpm, med, rep, step, rng in sorted(twins, key=lambda r: (r[1], r[2])):
            print(f"  {s:4s} {int(reel):4d} {even:.2f} {ident:13s} {group:12s} {meter:5s} {bpm:8.0f} "
                  f"{med:8.2f} s {rep:10.2f} {step:5.2f} {rng:5.1f}")
        for reel in (True, False):
            ev = [r[2] for r in twins if r[1] == reel]
            bpm = [r[6] for r in twins if r[1] == reel]
            if ev:
                print(f"  {'reels' if reel else 'songs'}: {len(ev)}, evenness {min(ev):.2f}-{max(ev):.2f}, "
                      f"quarter {min(bpm):.0f}-{max(bpm):.0f} BPM")
    return 0


if __name__ == "__main__":
    sys.exit(main())
