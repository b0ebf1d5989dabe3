#!/usr/bin/env python3
"""Measure whether bar-lag repetition (self-similarity of the beat-synchronous melody) tells meters
apart in notated folk tunes, the check behind issue #9d's repetition cue (measured, not used: README
"Time").

The tunes are those of ``learn_meter_profiles.py`` (its ``TRAIN`` collections: Essen songs used by
neither the dev set nor the held-out stand-ins, asserted here as there; its ``tune_notes`` parsing and
``hummable`` filter), each laid on its quarter-note grid (one second a quarter; 6/8 on its quarters
too, so 3/4 and 6/8 are compared on the same grid). :func:`repetition` at a lag of ``k`` beats is the
mean of the correlations, between the melody and itself ``k`` beats later, of its onset pattern
(4 points a beat, each onset weighted by the square root of its length in beats, at most 3) and of
its pitch line (held pitch minus its mean over the 8 beats around it). Printed:

* per meter, the mean repetition at lags of 1-8 beats;
* 2/4 against 4/4: the repetition at lags that are whole bars of 2/4 only (2, 6) less at those that are
  whole bars of both (4, 8), and one chord a bar against one a half bar
  (:func:`humitout.audio.rhythm.harmonic_fit`), each as a second feature next to log2 notes a beat in
  a logistic fit (5-fold cross-validated accuracy);
* 3/4 against 2/4 and 4/4: the triple cue (mean repetition at 3 and 6 beats less at 2, 4, 8) alone
  and next to the margin of 3 beats over the best of 2 and 4 under
  :func:`humitout.audio.rhythm.meter_scores` (the present decision, which holds a cruder repetition
  term): its worth in those score units;
* 3/4 against 6/8 on the quarter grid: the onset-pattern repetition at 1.5 beats less at 1 beat, next
  to log2 notes a quarter.

    .venv/bin/python tests/bench/learn_bar_repetition.py --cache /tmp/tunes-essen.pkl

(``--cache``: the parsed tunes, the pickle ``learn_meter_profiles.py --cache`` writes, which needs
music21, e.g. ``/tmp/bench-venv``; made here when absent, with music21 importable.)
"""
from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import learn_meter_profiles as lmp  # noqa: E402

from humitout.audio import rhythm as R  # noqa: E402

LAGS = (1, 1.5, 2, 3, 4, 6, 8)
SUB = 4


def grid(meter: str, notes: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(onsets, lengths, MIDI, beats) of a parsed tune on its quarter-note grid, one second a quarter."""
    scale = 1.5 if meter == "6/8" else 1.0      # tune_notes gives 6/8 in dotted quarters
    pos = np.array([n[0] for n in notes]) * scale
    ioi = np.clip(np.array([n[1] for n in notes]) * scale, 1e-3, None)
    midi = np.array([n[2] for n in notes], float)
    beats = np.arange(np.floor(pos.min()) - 1, np.ceil(pos.max() + ioi[-1]) + 2)
    return pos, ioi, midi, beats


def repetition(pos: np.ndarray, ioi: np.ndarray, midi: np.ndarray, context: float = 8.0) -> dict[float, tuple]:
    """{lag in beats: (onset-pattern correlation, pitch-line correlation)} of a tune in beats."""
    gi = np.round(pos * SUB).astype(int)
    gi -= gi.min()
    n = int(gi.max()) + SUB
    onsets = np.zeros(n)
    np.add.at(onsets, gi, np.sqrt(np.clip(ioi, 0.0, 3.0)))
    order = np.argsort(gi, kind="stable")
    line = midi[order][np.clip(np.searchsorted(gi[order], np.arange(n), side="right") - 1, 0, None)]
    half = int(context * SUB / 2)
    line = line - np.convolve(np.pad(line, half, mode="edge"), np.ones(2 * half + 1), mode="valid") / (2 * half + 1)
    out = {}
    for lag in LAGS:
        k = int(round(lag * SUB))
        out[lag] = ((R._corr(onsets[:-k], onsets[k:]), R._corr(line[:-k], line[k:])) if n > k + 2 * SUB
                    else (0.0, 0.0))
    return out


def logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None, iters: int = 100) -> np.ndarray:
    """Weights (intercept first) of a logistic regression of y (0/1) on the columns of x (Newton), each
    sample counted ``weight`` times."""
    X = np.c_[np.ones(len(x)), x]
    c = np.ones(len(y)) if weight is None else weight
    w = np.zeros(X.shape[1])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-X @ w))
        h = X.T @ (X * (c * p * (1 - p))[:, None]) + 1e-6 * np.eye(len(w))
        w = w + np.linalg.solve(h, X.T @ (c * (y - p)))
    return w


def cross_validated(x: np.ndarray, y: np.ndarray, folds: int = 5) -> float:
    """Accuracy of the logistic fit on held-out folds (every ``folds``-th tune)."""
    fold = np.arange(len(y)) % folds
    hits = 0
    for f in range(folds):
        w = logistic(x[fold != f], y[fold != f])
        hits += int(np.sum(((np.c_[np.ones((fold == f).sum()), x[fold == f]] @ w) > 0) == (y[fold == f] > 0)))
    return hits / len(y)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True)
    a = ap.parse_args(argv)
    import melodies
    dev_and_heldout = {p for paths in melodies.SOURCE_SETS["dev"].values() for p in paths}
    dev_and_heldout |= {"essenFolksong/han1.abc", "essenFolksong/han2.abc", "essenFolksong/lux.abc",
                        "essenFolksong/lot.abc"}
    files = lmp.TRAIN
    assert not dev_and_heldout & set(files) and not any(f.startswith(("airdsAirs", "oneills1850")) for f in files)
    if a.cache.exists():
        tunes = pickle.loads(a.cache.read_bytes())
    else:
        tunes = [t for path in files for t in map(lmp.tune_notes, melodies._tunes_of(path)) if t is not None]
        a.cache.write_bytes(pickle.dumps(tunes))
    rows = []
    for meter, notes, _, _ in tunes:
        if not lmp.hummable(meter, notes):
            continue
        pos, ioi, midi, beats = grid(meter, notes)
        rep = repetition(pos, ioi, midi)
        both = {k: (v[0] + v[1]) / 2 for k, v in rep.items()}
        row = {"meter": meter, "rate": np.log2(len(pos) / max(float(pos[-1] + ioi[-1] - pos[0]), 1.0)),
               "rep": both, "duple": (both[2] + both[6] - both[4] - both[8]) / 2,
               "triple": (both[3] + both[6]) / 2 - (both[2] + both[4] + both[8]) / 3,
               "compound": rep[1.5][0] - rep[1][0]}
        if meter != "6/8":
            scores = R.meter_scores(pos, ioi, pos + ioi, midi, beats, False)
            by = {m: max(s for (k, _), s in scores.items() if k == m) for m in (2, 3, 4)}
            row["margin3"] = by[3] - max(by[2], by[4])
            triads = R.diatonic_triads(midi, ioi)
            row["harmony"] = (max(R.harmonic_fit(pos, pos + ioi, midi, beats, 4, p, triads=triads, split_cost=9.0)
                                  for p in range(4))
                              - max(R.harmonic_fit(pos, pos + ioi, midi, beats, 2, p, triads=triads) for p in range(2)))
        rows.append(row)
    meters = np.array([r["meter"] for r in rows])

    def col(name: str, mask: np.ndarray) -> np.ndarray:
        return np.array([r[name] for r, keep in zip(rows, mask) if keep])

    for meter in ("2/4", "4/4", "3/4", "6/8"):
        mine = [r for r in rows if r["meter"] == meter]
        t = np.array([r["triple"] for r in mine])
        print(f"{meter} ({len(mine)} tunes): " + "  ".join(f"lag {k:g}: {np.mean([r['rep'][k] for r in mine]):.3f}"
                                                         for k in LAGS)
              + f"  | triple cue {t.mean():+.3f} (sd {t.std():.3f})")
    duple = np.isin(meters, ("2/4", "4/4"))
    y = (meters[duple] == "2/4").astype(float)
    rate = col("rate", duple)
    print(f"2/4 vs 4/4 (cross-validated accuracy): note rate {cross_validated(rate[:, None], y):.3f}")
    for name in ("duple", "harmony"):
        v = col(name, duple)
        print(f"  + {name}: mean {v[y > 0].mean():+.3f} in 2/4, {v[y == 0].mean():+.3f} in 4/4; "
              f"{cross_validated(np.c_[rate, v], y):.3f} (alone {cross_validated(v[:, None], y):.3f})")
    simple = meters != "6/8"
    y = (meters[simple] == "3/4").astype(float)
    t, margin = col("triple", simple), col("margin3", simple)
    balance = np.where(y > 0, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    w = logistic(np.c_[margin, t], y, balance)
    print(f"3/4 vs 2/4 + 4/4 (cross-validated accuracy): triple cue {cross_validated(t[:, None], y):.3f}, "
          f"meter_scores margin {cross_validated(margin[:, None], y):.3f}, "
          f"both {cross_validated(np.c_[margin, t], y):.3f}; "
          f"with both (classes weighted equally) a unit of the cue is worth {w[2] / w[1]:.2f} margin units, "
          f"boundary {-w[0] / w[2]:+.3f}")
    triple = np.isin(meters, ("3/4", "6/8"))
    y = (meters[triple] == "6/8").astype(float)
    rate, c = col("rate", triple), col("compound", triple)
    print(f"3/4 vs 6/8 on quarters (cross-validated accuracy): note rate {cross_validated(rate[:, None], y):.3f}, "
          f"cell cue (onsets at 1.5 less 1 beat; mean {c[y == 0].mean():+.3f} in 3/4, {c[y > 0].mean():+.3f} in 6/8) "
          f"{cross_validated(c[:, None], y):.3f}, both {cross_validated(np.c_[rate, c], y):.3f} "
          f"(weights {np.round(logistic(np.c_[rate, c], y), 2).tolist()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
