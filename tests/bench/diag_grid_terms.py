#!/usr/bin/env python3
"""Which term loses the right beat level? (issue 9, beat level) On the pickles of ``diag_meter.py --dump``.

For every item whose tempo is not within 4 % of the reference beat (:func:`diag_beat_level.ratio_class`)
it scores every tracked grid as :func:`humitout.audio.rhythm.analyse_rhythm` does (each candidate period of
:func:`period_candidates`, simple and compound) and prints, for the best grid at the reference beat and
kind (``right``) against the grid of the chosen beat and kind (``chosen``), the difference of each term
of the grid fit (positive: in favour of the right grid): ``fit`` the whole fit, ``gf`` :func:`grid_fit`,
``comb`` the periodicity term (``periodicity_weight`` x comb score), ``tac`` :func:`tactus_log_prior`,
``bar`` the best bar (``meter_fit_weight`` x best :func:`meter_scores`) and ``prior``
:func:`beat_level_log_prior` (which ``analyse_rhythm`` weighs only between a grid and its twice-as-slow
grid of the same kind). ``fit`` positive means the right grid fitted best and a later move (the
notation-model octave move, a dance move, the 3/4 -> 6/8 rewrite) took it away; ``missing``: no tracked
grid at the reference beat. ``bars`` says whether the chosen reading keeps the reference bar lines
(bar duration within 4 %): a tempo miss that keeps them costs no score position.

    .venv/bin/python tests/bench/diag_meter.py --dump --set r1 --cache /work/data/rb/c-r1 --data /work/data/r1/data
    .venv/bin/python tests/bench/diag_grid_terms.py r1 r3
"""
from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diag_beat_level import OUT, ratio_class  # noqa: E402

from humitout.audio import rhythm as R  # noqa: E402

TERMS = ("fit", "gf", "comb", "tac", "bar", "prior")
BEATS_PER_BAR = {"2/4": 2, "3/4": 3, "4/4": 4, "6/8": 2, "9/8": 3, "6/4": 2, "5/8": 5}


def grid_terms(on: np.ndarray, off: np.ndarray, midi: np.ndarray) -> list[dict]:
    """Every tracked grid of the notes (:func:`rhythm.beat_grids`, default weights) with its beat period
    ``step`` (s), ``compound`` and the terms of :data:`TERMS`."""
    return [{"step": g.step_s, "compound": g.compound, "fit": g.fit, "gf": g.notation_fit, "comb": g.periodicity,
             "tac": g.tactus_prior, "bar": g.bar_fit, "prior": g.level_prior}
            for g in R.beat_grids(on, off, midi)]


def nearest(grids: list[dict], bpm: float, compound: bool) -> dict | None:
    """The best-fitting grid of kind ``compound`` within 6 % of ``bpm``, if any."""
    near = [g for g in grids if g["compound"] == compound and abs(np.log(60.0 / g["step"] / bpm)) < 0.06]
    return max(near, key=lambda g: g["fit"]) if near else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sets", nargs="+")
    a = ap.parse_args(argv)
    for set_name in a.sets:
        for item in pickle.loads((OUT / f"{set_name}.pkl").read_bytes()):
            on, off, midi = (np.asarray(item[k], float) for k in ("on", "off", "midi"))
            order = np.argsort(on)
            on, off, midi = on[order], off[order], midi[order]
            r = R.analyse_rhythm(on, off, midi, item["duration"])
            label = ratio_class(r.beat_bpm / item["beat_bpm"])
            if label == "ok":
                continue
            ref_bar = BEATS_PER_BAR.get(item["notated"], BEATS_PER_BAR.get(item["meter"], 4)) * 60.0 / item["beat_bpm"]
            same_bars = abs(r.beats_per_bar * 60.0 / r.beat_bpm / ref_bar - 1.0) <= 0.04
            head = (f"{set_name} {item['id']:>12s} {str(item['group'] or '')[:12]:>12s} ref {item['meter']} "
                    f"({item['notated']}) {item['beat_bpm']:6.1f}  est {r.time_signature.text} {r.beat_bpm:6.1f} "
                    f"{label:6s} bars {'kept' if same_bars else 'lost'}")
            grids = grid_terms(on, off, midi)
            right = nearest(grids, item["beat_bpm"], item["meter"] == "6/8")
            chosen = nearest(grids, r.beat_bpm, r.compound)
            if right is None or chosen is None:
                print(f"{head}  {'missing' if right is None else 'chosen grid moved off the candidates'}")
                continue
            print(f"{head}  right - chosen: " + " ".join(f"{t} {right[t] - chosen[t]:+.2f}" for t in TERMS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
