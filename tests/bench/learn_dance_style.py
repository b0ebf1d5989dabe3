#!/usr/bin/env python3
"""Fit the dance-tune classifier of :func:`humitout.audio.rhythm.dance_log_odds` (``dance_weights``) on
notated tunes.

Dance class: every tune of music21's Ryan's Mammoth Collection (fiddle reels, hornpipes, jigs,
strathspeys ...). Song class: the Essen training collections of ``learn_meter_profiles`` (German
ballads, Deutsche Volkslieder, Haydn's folk songs, Irish, variants). Neither draws on dev (Essen altdeu,
boehme, erk, fink, kinder, zuccal) nor on the held-out stand-ins (Essen han1/han2, lux/lot, Aird's,
O'Neill's). Only tunes that can be hummed (``learn_meter_profiles.hummable_iois``) count.

Each tune is played as a hum would be: at a tempo drawn from the hum range, with performance-like
timing jitter (log-normal note lengths, sd ``JITTER``), then read as the hum analysis reads it: on the
beat grid of its notated beat (quarter; dotted quarter in 6/8) and on the grid twice as slow, the
features of :func:`humitout.audio.rhythm.dance_features` are taken from the notes alone, and a logistic
regression of dance against song on them gives ``dance_weights``.

    /tmp/bench-venv/bin/python tests/bench/learn_dance_style.py --parse /tmp/9n/ryans.pkl   # music21, once
    .venv/bin/python tests/bench/learn_dance_style.py --dance /tmp/9n/ryans.pkl --songs PATH

(``--songs`` is ``learn_phrase_ends.py --cache``'s pickle of the Essen training tunes; never at runtime.)
"""
from __future__ import annotations

import argparse
import glob
import os
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

DANCE = "ryansMammoth/*.abc"


def abc_notes(text: str) -> tuple[str | None, list[tuple[float, float, int]]]:
    """(meter, [(onset quarters, ioi quarters, midi)]) of the first tune of an ABC text, read from
    music21's ABC tokens (about 100 times faster than building its score): broken rhythms and
    tuplets applied, grace notes and chords left out, tied notes joined, a rest lengthening the note
    before it; repeats are not expanded."""
    from music21 import abcFormat, pitch
    handler = abcFormat.ABCHandler()
    handler.process(text)
    meter, now, notes, tied = None, 0.0, [], False
    for tok in handler.tokens:
        if isinstance(tok, abcFormat.ABCMetadata):
            if tok.src.startswith("X:") and notes:
                break
            if tok.src.startswith("M:") and meter is None:
                meter = {"C": "4/4", "C|": "2/2"}.get(tok.src[2:].strip(), tok.src[2:].strip())
            continue
        if not isinstance(tok, (abcFormat.ABCNote, abcFormat.ABCChord)) or tok.inGrace:
            continue
        ql = float(tok.quarterLength)
        if tok.activeTuplet is not None:
            ql *= tok.activeTuplet.numberNotesNormal / tok.activeTuplet.numberNotesActual
        if isinstance(tok, abcFormat.ABCNote) and not tok.isRest and not tied:
            notes.append((now, int(pitch.Pitch(tok.pitchName).midi)))
        tied = tok.tie in ("start", "continue")
        now += ql
    rows = [(on, (notes[i + 1][0] if i + 1 < len(notes) else now) - on, p) for i, (on, p) in enumerate(notes)]
    return meter, [r for r in rows if r[1] > 0]


def parse_dance(out: Path) -> None:
    """(meter, [(onset quarters, ioi quarters, midi)], file name) of every tune of :data:`DANCE`
    (:func:`abc_notes`), pickled to ``out``."""
    from music21 import corpus
    warnings.filterwarnings("ignore")
    root = os.path.dirname(corpus.__file__)
    tunes = []
    for path in sorted(glob.glob(os.path.join(root, DANCE))):
        try:
            meter, rows = abc_notes(Path(path).read_text(errors="replace"))
        except Exception:   # noqa: BLE001 - a tune music21 cannot tokenise is skipped
            continue
        tunes.append((meter, rows, os.path.basename(path)))
    out.write_bytes(pickle.dumps(tunes))
    print(f"{len(tunes)} dance tunes parsed", file=sys.stderr)


DUPLE = {"2/4", "2/2", "4/4"}
JITTER = 0.1
"""Performance-like timing jitter: sd of the log of each inter-onset interval."""
NOTES = (24, 80)
"""Notes in a hummed excerpt (drawn uniformly): a hum of 15-25 s at 1.5-4 notes a second."""
EXCERPTS = 3
"""Excerpts of each tune."""


def performed(tunes: list[tuple[np.ndarray, np.ndarray]], label: bool, rng: np.random.Generator):
    """(features, label) rows of :data:`EXCERPTS` jittered excerpts of each (ioi quarters, midi) tune."""
    from humitout.audio.rhythm import dance_features
    rows = []
    for ioi, midi in tunes:
        for _ in range(EXCERPTS):
            n = min(len(ioi), int(rng.integers(NOTES[0], NOTES[1] + 1)))
            i = int(rng.integers(0, len(ioi) - n + 1))
            on = np.cumsum(np.r_[0.0, ioi[i:i + n - 1] * np.exp(rng.normal(0.0, JITTER, n - 1))])
            rows.append((dance_features(on, midi[i:i + n]), label))
    return rows


def corpora(dance_cache: Path, song_cache: Path) -> tuple[list, list]:
    """(ioi quarters, midi) of the hummable duple dance tunes and of the hummable duple songs."""
    import learn_phrase_ends
    from learn_meter_profiles import hummable_iois
    dance = [(np.array([r[1] for r in rows]), np.array([r[2] for r in rows], float))
             for meter, rows, _ in pickle.loads(dance_cache.read_bytes()) if meter in DUPLE and len(rows) >= 16]
    songs = [(np.array([n[1] for n in notes]), np.array([n[2] for n in notes], float))
             for meter, notes, _, _ in learn_phrase_ends.parse(song_cache) if meter in DUPLE]
    keep = lambda tunes: [t for t in tunes if hummable_iois(t[0])]   # noqa: E731
    return keep(dance), keep(songs)


def fit(x: np.ndarray, y: np.ndarray, balance: np.ndarray) -> np.ndarray:
    """Weights (features..., intercept) of a logistic regression, rows weighted by ``balance``."""
    from scipy.optimize import minimize
    a = np.c_[x, np.ones(len(x))]
    sign = 2.0 * y - 1.0
    return minimize(lambda w: (balance * np.logaddexp(0.0, -sign * (a @ w))).sum() + 1e-3 * w @ w,
                    np.zeros(a.shape[1]), method="BFGS").x


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parse", type=Path, default=None, help="parse the dance tunes into this pickle (music21)")
    ap.add_argument("--dance", type=Path, default=Path("/tmp/9n/ryans.pkl"), help="the --parse pickle")
    ap.add_argument("--songs", type=Path, default=Path("/tmp/9c-tunes.pkl"),
                    help="learn_phrase_ends.py --cache's pickle of the Essen training tunes")
    ap.add_argument("--seed", type=int, default=9)
    a = ap.parse_args(argv)
    if a.parse:
        parse_dance(a.parse)
        return 0
    from humitout.audio.rhythm import DANCE_FEATURES
    dance, songs = corpora(a.dance, a.songs)
    rng = np.random.default_rng(a.seed)
    folds = 5
    parts = [(performed(t, label, rng), rng.integers(0, folds, len(t)).repeat(EXCERPTS))
             for t, label in ((dance, True), (songs, False))]
    x = np.array([f for rows, _ in parts for f, _ in rows])
    y = np.array([lab for rows, _ in parts for _, lab in rows])
    fold = np.concatenate([f for _, f in parts])
    balance = np.where(y, 0.5 / y.sum(), 0.5 / (~y).sum()) * len(y)
    print(f"{len(dance)} dance tunes, {len(songs)} songs, {len(y)} excerpts")
    for name, col in zip(DANCE_FEATURES, x.T):
        print(f"  {name:50s} dance median {np.median(col[y]):6.3f}  songs {np.median(col[~y]):6.3f}")
    odds = np.zeros(len(y))
    for k in range(folds):
        w = fit(x[fold != k], y[fold != k], balance[fold != k])
        odds[fold == k] = np.c_[x[fold == k], np.ones((fold == k).sum())] @ w
    print(f"cross-validated (by tune), even odds: dance {(odds[y] > 0).mean():.3f}, songs {(odds[~y] <= 0).mean():.3f}")
    for share in (0.1, 0.05, 0.02):
        edge = float(np.quantile(odds[~y], 1.0 - share))
        print(f"  {share:.0%} of the songs over {edge:.2f} nats: dance over it {(odds[y] > edge).mean():.3f}")
    w = fit(x, y, balance)
    print("weights", np.round(w, 3).tolist())
    return 0


if __name__ == "__main__":
    sys.exit(main())
