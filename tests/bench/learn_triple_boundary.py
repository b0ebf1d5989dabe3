#!/usr/bin/env python3
"""Fit the three-beats-against-two-or-four test of :func:`humitout.audio.rhythm.analyse_rhythm`
(``triple_beat_weight``, ``triple_notation_weight``: :func:`humitout.audio.rhythm.triple_gap`) on
notated folk tunes read as our hums are transcribed (music21's corpus; never at runtime).

Each hummable 2/4, 3/4, 4/4 and 6/8 tune of ``learn_meter_profiles``'s training collections (Essen
collections used by neither dev nor the held-out stand-ins r1-r3; the parsed ``learn_phrase_ends.py
--cache`` pickle) is laid on its notated quarter grid (6/8 on its quarters: three a bar, the reading
that :func:`analyse_rhythm` rewrites as 6/8), made hum-like (``learn_compound_boundary.hummed``: the
measured note losses, splits and onset jitter) and read on that grid as the meter decision reads a
hum: the accent gap of the best 3-beat bar over the best 2- or 4-beat bar (:func:`meter_scores` with
per-beat template weight ``--beat-weights``; the present rule at 1 decides 3/4 when it is positive)
and the notation model's log-likelihood ratio a note of three beats (3/4, or 6/8 with the same bar
lines) over two or four (:func:`bar_notation_scores`). The notation tables are learned on the other
folds of tunes only (``--folds``), so the ratio is read as on a tune they have not seen. Per beat
weight: the present rule's accuracy and a logistic regression of triple against duple on the gap
and on the gap and the ratio; ``triple_notation_weight`` is the ratio's weight over the gap's.

    .venv/bin/python tests/bench/learn_triple_boundary.py --cache out/tunes.pkl [--folds 2 --reps 3 --seed 0]

Measured (2 folds, 3 copies, seeds 0 / 1; 1,027 tunes, 3,081 readings a seed: 1,521 triple):

    beat weight   rule gap > 0    gap alone       gap + ratio a note   ratio weight
    1 (present)   0.907 / 0.903   0.925 / 0.918   0.947 / 0.945        0.99 / 1.17
    0.5           0.922 / 0.914   0.932 / 0.926   0.950 / 0.949        0.64 / 0.74
    0             0.928 / 0.918   0.927 / 0.914   0.955 / 0.953        0.43 / 0.47

The per-beat template term calls 13.5 % of the duple tunes triple (7.9 % without it; seed 1: 13.7 %
and 9.0 %); without it the gap needs almost no offset and the ratio adds the most. The runtime uses
beat weight 0 and ratio weight 0.43, without the intercept (-0.018 gap units, the training mix's odds).

The readings whose best 3-beat bar sits as 6/8 and whose tune is not dance-like are left to the whole
accent gap (beat weight 1) at runtime; on them (seeds 0 / 1: 882 / 879 readings, 723 / 712 triple) that
rule gets 0.951 / 0.949 and calls 23.9 % / 21.6 % of their duple tunes triple, and the whole gap + the
ratio a note 0.977 / 0.978 (ratio weight 0.82, intercept -0.28 / -0.31: 6.3 % / 5.4 % duple called
triple; triple recall 0.986 against 0.993 / 0.987). On the held-out hums it turned 2/4 tunes read as 6/8 into 2/4 in the
wrong bar phase and one O'Neill's 3/4 (6/8 on its bar lines) into 2/4, so it is not used
(tests/bench/HISTORY.md, "Time").
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import learn_compound_boundary as lcb  # noqa: E402
import learn_meter_profiles as lmp  # noqa: E402
import learn_phrase_ends  # noqa: E402

from humitout.audio import rhythm as R  # noqa: E402

NOISE = (0.027, 0.006, 0.02)
"""Notes lost, notes split, onset jitter (quarters) of our transcribed hums (``learn_compound_boundary``)."""
SIX_EIGHT_BOUNDARY = 17.5
"""``analyse_rhythm``'s ``compound_notation_boundary`` (nats)."""


def readings(meter: str, notes: list, rng: np.random.Generator, beat_weights: list[float]) -> list[float]:
    """The accent gap (3 beats over 2 or 4) at each of ``beat_weights``, the notation log ratio a note,
    then 1 when the reading is one that :func:`analyse_rhythm` leaves to the accents alone (its best 3-beat
    bar sits as 6/8 by more than ``compound_notation_boundary`` nats and the tune is not dance-like), else
    0, of one hum-like copy of a notated tune on its quarter grid."""
    quarters = 1.5 if meter == "6/8" else 1.0
    pos = np.array([n[0] for n in notes], float) * quarters
    ioi = np.array([n[1] for n in notes], float) * quarters
    midi = np.array([n[2] for n in notes], float)
    pos, ioi, midi = lcb.hummed(pos, ioi, midi, rng, *NOISE)
    beats = np.arange(np.floor(pos.min()) - 1.0, pos.max() + ioi[-1] + 2.0)
    notated = R.bar_notation_scores(pos, ioi, midi, beats)
    gaps = [R.triple_gap(R.meter_scores(pos, ioi, pos + ioi, midi, beats, False, beat_weight=w), notated, len(pos),
                         notation_weight=0.0) for w in beat_weights]
    accents = R.meter_scores(pos, ioi, pos + ioi, midi, beats, False)
    phase3 = max((ph for (k, ph) in accents if k == 3), key=lambda ph: accents[(3, ph)])
    dotted = R._regrouped(beats, phase3 % 3 - 3, 1.5)
    six_eight = R.compound_log_ratio(pos, ioi, midi, beats, dotted) > SIX_EIGHT_BOUNDARY
    return gaps + [(notated[3] - max(notated[2], notated[4])) / len(pos),
                   float(six_eight and not R.dance_style(pos, midi))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True, help="pickle of the parsed tunes (learn_phrase_ends.parse)")
    ap.add_argument("--folds", type=int, default=2, help="learn the notation tables on the other folds")
    ap.add_argument("--reps", type=int, default=3, help="hum-like copies of each tune")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--beat-weights", type=float, nargs="+", default=[1.0, 0.5, 0.0])
    a = ap.parse_args(argv)
    tunes = [t for t in learn_phrase_ends.parse(a.cache) if lmp.hummable(t[0], t[1])]
    rng = np.random.default_rng(a.seed)
    fold = rng.permutation(len(tunes)) % a.folds
    rows, label = [], []
    kept = R.PROFILES
    try:
        for f in range(a.folds):
            if a.folds > 1:
                learned = lmp.learn([t for t, g in zip(tunes, fold) if g != f])
                R.PROFILES = {k: learned[k] for k in kept}
            for t, g in zip(tunes, fold):
                if g == f:
                    for _ in range(a.reps):
                        rows.append(readings(t[0], t[1], rng, a.beat_weights))
                        label.append(t[0] in ("3/4", "6/8"))
    finally:
        R.PROFILES = kept
    x, y = np.array(rows), np.array(label)
    print(f"{len(y)} readings: {int(y.sum())} triple (3/4, 6/8), {int((~y).sum())} duple "
          f"({a.folds} folds, {a.reps} copies)")
    for j, w in enumerate(a.beat_weights):
        rule = x[:, j] > 0
        print(f"beat weight {w:g}: rule gap > 0 accuracy {np.mean(rule == y):.3f} "
              f"(duple called triple {np.mean(rule[~y]):.3f})", end="")
        (_, b0), acc0 = lcb.logistic(x[:, [j]], y)
        (wg, wr, b), acc = lcb.logistic(x[:, [j, -2]], y)
        print(f"; gap alone {acc0:.3f}; gap + ratio {acc:.3f}: ratio weight {wr / wg:.3f}, intercept {b / wg:+.3f}")
    six = x[:, -1] > 0.5
    if six.any() and 1.0 in a.beat_weights:
        # the readings left to the whole accent gap (beat weight 1): that rule against a fit with the ratio
        j = a.beat_weights.index(1.0)
        rule = x[six, j] > 0
        (wg, wr, b), acc = lcb.logistic(x[six][:, [j, -2]], y[six])
        fit = x[six, j] + wr / wg * x[six, -2] + b / wg > 0
        print(f"{int(six.sum())} readings sit as 6/8 ({int(y[six].sum())} triple): whole gap > 0 "
              f"{np.mean(rule == y[six]):.3f} (duple called triple {np.mean(rule[~y[six]]):.3f}); whole gap + ratio {acc:.3f}: ratio weight "
              f"{wr / wg:.3f}, intercept {b / wg:+.3f} (duple called triple {np.mean(fit[~y[six]]):.3f}, "
              f"triple recall {np.mean(fit[y[six]]):.3f} against {np.mean(rule[y[six]]):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
