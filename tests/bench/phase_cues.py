#!/usr/bin/env python3
"""Which cue decides the bar phase, and how often it is right: for every item whose meter class is
right, the bar phase a perfect choice would take (the best score position on the estimated beats
and meter, as ``phase_diag.py``'s ``best phase``) against the phase each cue of ``analyse_rhythm``'s
phase score prefers on its own, per meter class.

Cues (same functions and default weights as ``analyse_rhythm``): ``template`` = :func:`meter_scores`
(accent template, per-note accents, repetition), ``pickup`` = the mean log :func:`_pickup_prior` over
:func:`phrase_starts`, ``phrase end`` = 0.5 x :func:`phrase_end_scores`. For each cue: how many items
it alone places right (strictly best), and its mean margin (nats) for the right phase over the best other one.
Items whose 3/4 reading is regrouped to 6/8, and items where no phase scores 0.5, are left out.
``--items`` lists the items the chosen phase gets wrong, with each cue's margin.

    .venv/bin/python tests/bench/phase_cues.py [--sets dev g7000 g9000 familiar r1 r2] [--items]
"""
from __future__ import annotations

import argparse
import sys
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_rhythm as br  # noqa: E402
import phase_diag as pd  # noqa: E402

from humitout.audio import rhythm as R  # noqa: E402


def cue_values(analysis, beats: np.ndarray, m: int, compound: bool) -> dict[str, np.ndarray]:
    """Each cue's value (nats / score units) for bar phases 0..m-1 on ``beats``."""
    notes = sorted(analysis.notes, key=lambda n: n.onset_s)
    on = np.array([n.onset_s for n in notes])
    off = np.array([n.offset_s for n in notes])
    midi = np.array([n.midi for n in notes])
    lengths = R.note_lengths(on, off)
    template = R.meter_scores(on, lengths, off, midi, beats, compound)
    starts = R.phrase_starts(on, beats)
    ends = R.phrase_end_scores(on, off, beats, m, compound)
    return {"template": np.array([template[(m, ph)] for ph in range(m)]),
            "pickup": np.array([np.mean([np.log(R._pickup_prior(p, ph, m)) for p in starts]) for ph in range(m)]),
            "phrase end": 0.5 * np.array([ends[ph] for ph in range(m)])}


def margin(values: np.ndarray, right: int) -> float:
    return float(values[right] - np.delete(values, right).max())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", nargs="+", default=[s for s in pd.SETS if s not in pd.CHECK_SETS])
    ap.add_argument("--items", action="store_true")
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    table: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    for name in a.sets:
        for item in pd.gather(name):
            est = pd.derive(item["analysis"], {})
            row = br.rhythm_row(est, item["ref"], item["pickup"])
            beats = np.asarray(est.beats_s)
            m = est.time_signature.beats_per_bar
            compound = est.time_signature.text == "6/8"
            if not row["meter_ok"] or len(beats) < 2:
                continue
            if compound and pd.derive(item["analysis"], {"compound_notation_boundary": None}).time_signature.text == "3/4":
                continue   # a 3/4 reading regrouped to 6/8: its phase was chosen on the 3/4 grid
            first = int(np.argmin(np.abs(beats - est.downbeats_s[0]))) if est.downbeats_s else 0
            sps = np.array([br.score_positions(br.with_grid(est, beats, k, est.time_signature.text), item["notes"],
                                               item["beats"], item.get("score_beats")) for k in range(m)])
            if sps.max() < 0.5:
                continue
            cues = cue_values(item["analysis"], beats, m, compound)
            right, chosen = int(np.argmax(sps)), first % m
            t = table[est.time_signature.text]
            t["items"] += 1
            t["chosen right"] += chosen == right
            for cue, v in cues.items():
                t[f"{cue} right"] += margin(v, right) > 0
                t[f"{cue} margin"] += margin(v, right)
            if a.items and chosen != right:
                margins = ", ".join(f"{c} {margin(v, right):+.2f}" for c, v in cues.items())
                print(f"    {name:<8s} {item['ref']['id']:<14s} {item.get('group') or '':<20s}"
                      f" {est.time_signature.text} right phase {right}, chose {chosen}: {margins}")
    for meter, t in sorted(table.items()):
        n = t["items"]
        print(f"{meter}: {int(n)} items, chosen phase right {int(t['chosen right'])}; " + "; ".join(
            f"{c} alone right {int(t[f'{c} right'])} (margin {t[f'{c} margin'] / n:+.2f})"
            for c in ("template", "pickup", "phrase end")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
