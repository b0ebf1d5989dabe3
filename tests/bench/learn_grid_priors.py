#!/usr/bin/env python3
"""Learn the note-length and onset-position priors of :func:`humitout.audio.rhythm.grid_fit` (issue 9, beat level)
from notated folk tunes: how often a notated note starts on each point of its beat and lasts each usual
number of beats, in simple time (2/4, 3/4, 4/4 on quarter beats) and in compound time (6/8 on dotted quarters).

The tunes are those of ``learn_meter_profiles.py`` (Essen collections used by neither the dev set nor the
held-out stand-ins; only those the shared generator could hum), parsed once by ``learn_phrase_ends.py --cache``.
Each note's position inside its beat goes to the nearest point of ``SIMPLE_POSITIONS`` / ``COMPOUND_POSITIONS``
(circular), its inter-onset interval (beats) to the nearest length of ``SIMPLE_LENGTHS`` / ``COMPOUND_LENGTHS``
(in log2): the tables keep the runtime's points and lengths and learn only their weights (shares of the notes,
add-``ALPHA`` smoothed).

    /tmp/bench-venv/bin/python tests/bench/learn_phrase_ends.py --cache out/notated.pkl   # parse once
    .venv/bin/python tests/bench/learn_grid_priors.py out/notated.pkl   # prints the learned tables (stop 33: not used at runtime)
"""
from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import numpy as np

from humitout.audio import rhythm as R

ALPHA = 1.0
KINDS = {"simple": ("2/4", "3/4", "4/4"), "compound": ("6/8",)}


def hummable(meter: str, iois_beats: np.ndarray, *, min_note_s: float = 0.09, min_p10_s: float = 0.14,
             min_bpm: float = 70.0) -> bool:
    """The shared generator's test (``learn_meter_profiles.hummable``): notes long enough at a quarter of 70 BPM."""
    q = np.asarray(iois_beats, float) * (1.5 if meter == "6/8" else 1.0)
    return bool(q.min() > 0 and min(60.0 * q.min() / min_note_s, 60.0 * np.percentile(q, 10) / min_p10_s) >= min_bpm)


def learn(tunes: list) -> dict[str, dict[str, dict[float, float]]]:
    """{kind: {"positions": {point: share}, "lengths": {beats: share}, "tunes": n, "notes": n}}."""
    out = {}
    for kind, meters in KINDS.items():
        points = np.array(list(R.COMPOUND_POSITIONS if kind == "compound" else R.SIMPLE_POSITIONS))
        lengths = np.array(list(R.COMPOUND_LENGTHS if kind == "compound" else R.SIMPLE_LENGTHS))
        pc, lc = np.zeros(len(points)), np.zeros(len(lengths))
        n_tunes = 0
        for meter, notes, *_ in tunes:
            if meter not in meters:
                continue
            pos = np.array([n[0] for n in notes])
            ioi = np.array([n[1] for n in notes])
            if not hummable(meter, ioi):
                continue
            n_tunes += 1
            d = np.abs(((pos % 1.0)[:, None] - points[None] + 0.5) % 1.0 - 0.5)
            np.add.at(pc, d.argmin(axis=1), 1)
            dl = np.abs(np.log2(np.clip(ioi, 1e-3, None))[:, None] - np.log2(lengths)[None])
            np.add.at(lc, dl.argmin(axis=1), 1)
        out[kind] = {"tunes": n_tunes, "notes": int(pc.sum()),
                     "positions": dict(zip(points.tolist(), ((pc + ALPHA) / (pc.sum() + ALPHA * len(pc))).round(3).tolist())),
                     "lengths": dict(zip(lengths.tolist(), ((lc + ALPHA) / (lc.sum() + ALPHA * len(lc))).round(3).tolist()))}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cache", type=Path, help="pickle of the parsed tunes (learn_phrase_ends.py --cache)")
    a = ap.parse_args(argv)
    for kind, t in learn(pickle.loads(a.cache.read_bytes())).items():
        print(f"{kind}: {t['tunes']} tunes, {t['notes']} notes")
        print("  positions", {round(k, 3): v for k, v in t["positions"].items()})
        print("  lengths  ", {round(k, 3): v for k, v in t["lengths"].items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
