#!/usr/bin/env python3
"""Fit the 3/4-against-6/8 boundary of :func:`humitout.audio.rhythm.analyse_rhythm`
(``compound_notation_boundary``) on notated folk tunes (music21's bundled corpus).

Each notated 3/4 and 6/8 tune of ``learn_meter_profiles``'s training collections (Essen collections
used by neither the dev set nor the held-out stand-ins: German ballads, Deutsche Volkslieder, Haydn's
folk songs, Irish, variants; its parser and hummability test, the same assertion) is laid on a
quarter grid whose bar lines are those of its notation, and read both ways:
:func:`humitout.audio.rhythm.compound_log_ratio` (6/8 on the dotted quarters against 3/4 on the
quarters) and the note rate (notes a quarter). A logistic regression of 6/8 against 3/4 on the ratio
gives the even-odds boundary (intercept / slope); the rate, alone and beside the ratio, is printed
for comparison.

    .venv/bin/python tests/bench/learn_compound_boundary.py --cache PATH

(parsing the tunes needs music21 and the shared generator's ``melodies.py``, as
``learn_meter_profiles.py``; a ``--cache`` pickle made once by ``learn_phrase_ends.py --cache`` is read
without them; never at runtime.) Measured: 507 tunes (242 6/8, 265 3/4); the ratio alone 0.990
(slope 0.1456, boundary 19.8 nats), the note rate alone 0.716, the 1.75 rule 0.568, both 0.990.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import learn_meter_profiles as lmp  # noqa: E402
import learn_phrase_ends  # noqa: E402


def readings(tunes: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log ratio, notes a quarter, is 6/8) of each hummable 3/4 or 6/8 tune."""
    from humitout.audio.rhythm import compound_log_ratio, note_rate
    ratio, rate, label = [], [], []
    for meter, notes, _, _ in tunes:
        if meter not in ("3/4", "6/8") or not lmp.hummable(meter, notes):
            continue
        quarters = 1.5 if meter == "6/8" else 1.0
        pos = np.array([n[0] for n in notes], float) * quarters    # quarters from a downbeat
        ioi = np.array([n[1] for n in notes], float) * quarters
        midi = np.array([n[2] for n in notes], float)
        lo, hi = np.floor(pos.min() / 3.0) * 3.0 - 3.0, pos.max() + ioi[-1] + 3.0
        beats, dotted = np.arange(lo, hi + 1e-9, 1.0), np.arange(lo, hi + 1e-9, 1.5)
        ratio.append(compound_log_ratio(pos, ioi, midi, beats, dotted))
        rate.append(note_rate(pos, pos[-1] + ioi[-1], beats))
        label.append(meter == "6/8")
    return np.array(ratio), np.array(rate), np.array(label)


def logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights (features..., intercept) of a logistic regression and its accuracy."""
    from scipy.optimize import minimize
    a = np.c_[x, np.ones(len(x))]
    sign = 2.0 * y - 1.0
    w = minimize(lambda w: np.logaddexp(0.0, -sign * (a @ w)).sum() + 1e-4 * w @ w, np.zeros(a.shape[1])).x
    return w, float(((a @ w > 0) == y).mean())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the parsed tunes (made once, then read)")
    a = ap.parse_args(argv)
    ratio, rate, label = readings(learn_phrase_ends.parse(a.cache))
    print(f"{len(label)} tunes: {int(label.sum())} 6/8, {int((~label).sum())} 3/4")
    w, acc = logistic(ratio[:, None], label)
    print(f"log ratio: slope {w[0]:.4f}, intercept {w[1]:.3f}, boundary {-w[1] / w[0]:.1f} nats, accuracy {acc:.3f}")
    lr = np.log2(rate / 1.75)
    w, acc = logistic(lr[:, None], label)
    print(f"note rate alone: accuracy {acc:.3f}; the 1.75 rule {float(((rate > 1.75) == label).mean()):.3f}")
    w, acc = logistic(np.c_[ratio, lr], label)
    print(f"both: weights {np.round(w, 4).tolist()}, accuracy {acc:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
