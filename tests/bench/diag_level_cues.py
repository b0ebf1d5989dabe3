#!/usr/bin/env python3
"""Three beat-level / meter cues measured at stop 38 (issue 9), on ``diag_meter.py --dump`` pickles.

``length``: "the beat is the level at which most notes are one or two beats long". For each item the
share of inter-onset intervals of ``--lo``..``--hi`` beats at main's tracked beat and at the grid an
octave faster; the cue moves a simple grid up an octave when the faster one (at most
``--fast-max-bpm``) has a share of ``--fast-min`` or more and main's grid ``--slow-max`` or less. Prints
each hum it moves (mends: main's beat was half the reference's; breaks: main's beat was right).

``sync``: 3/4 against 6/8 on the same bars. On main's simple 3-beat reading (the 6/8 rewrite switched
off), notes on beat 2 or 3 held a quarter or more (held across 6/8's second beat: 3/4 evidence, ``S3``)
against notes on the bar's middle eighth held a quarter or more (across 3/4's third beat: 6/8 evidence,
``S6``), next to :func:`compound_log_ratio`.

``phrase``: 2/4 against 4/4 at the right level from phrase length: beats between the phrase starts of
:func:`phrase_starts` (notes after an inter-onset interval of 1.75 beats or more), per reference meter.

    .venv/bin/python tests/bench/diag_meter.py --dump --set wide --cache out/rcache
    .venv/bin/python tests/bench/diag_level_cues.py length dev wide r1 r2 r3 gen7000 familiar
"""
from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from humitout.audio import rhythm as R

OUT = Path(__file__).resolve().parents[2] / "out" / "diag"


def _items(set_name: str) -> list[dict]:
    return pickle.loads((OUT / f"{set_name}.pkl").read_bytes())


def _sorted(item: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(item["on"])
    return item["on"][order], item["off"][order], item["midi"][order]


def length_share(ioi_s: np.ndarray, beat_s: float, lo: float, hi: float) -> float:
    """Share of the inter-onset intervals ``ioi_s`` (s) that are ``lo``..``hi`` beats of ``beat_s`` long."""
    x = np.asarray(ioi_s) / beat_s
    return float(np.mean((x >= lo) & (x <= hi))) if len(x) else 0.0


def length_cue(sets: list[str], a: argparse.Namespace) -> None:
    tally: Counter = Counter()
    for s in sets:
        for item in _items(s):
            on, off, midi = _sorted(item)
            r = R.analyse_rhythm(on, off, midi, item["duration"])
            ratio = r.beat_bpm / item["beat_bpm"]
            if r.compound or 2 * r.beat_bpm > a.fast_max_bpm:
                continue
            beat = 60.0 / r.beat_bpm
            here, faster = (length_share(np.diff(on), beat, a.lo, a.hi),
                            length_share(np.diff(on), beat / 2, a.lo, a.hi))
            if not (faster >= a.fast_min and here <= a.slow_max):
                continue
            verdict = ("mends" if abs(np.log2(2 * ratio)) < 0.06
                       else "breaks" if abs(np.log2(ratio)) < 0.06 else "wrong to wrong")
            tally[(s, verdict)] += 1
            print(f"{s:8s} {item['id']:26s} ref {item['meter']} {item['beat_bpm']:5.1f} est "
                  f"{r.time_signature.text} x{ratio:.2f}  share here {here:.2f} an octave faster {faster:.2f}  {verdict}")
    for k in sorted(tally):
        print(k, tally[k])


def sync_cue(sets: list[str], _a: argparse.Namespace) -> None:
    tol = 0.15
    for s in sets:
        for item in _items(s):
            if item["meter"] not in ("3/4", "6/8"):
                continue
            on, off, midi = _sorted(item)
            main = R.analyse_rhythm(on, off, midi, item["duration"])
            simple = R.analyse_rhythm(on, off, midi, item["duration"], compound_notation_boundary=None)
            if simple.compound or simple.beats_per_bar != 3:
                continue
            beats = np.asarray(simple.beats_s)
            pos = R.beat_positions(on, beats)
            ioi = np.diff(np.r_[pos, R.beat_positions(off[-1:], beats)])
            p = (pos - simple.downbeat_index) % 3.0

            def near(v: float) -> np.ndarray:
                return np.abs(((p - v + 1.5) % 3.0) - 1.5) <= tol

            s3 = int(np.sum((near(1.0) | near(2.0)) & (ioi >= 0.9)))
            s6 = int(np.sum(near(1.5) & (ioi >= 0.9)))
            dotted = R._regrouped(beats, simple.downbeat_index % 3 - 3, 1.5)
            lr = R.compound_log_ratio(on, R.note_lengths(on, off), midi, beats, dotted)
            ok = "  " if main.time_signature.text == item["meter"] else "!!"
            print(f"{ok} {s:8s} {item['id']:26s} ref {item['meter']} est {main.time_signature.text} "
                  f"quarter {60 / np.median(np.diff(beats)):4.0f}  6/8-vs-3/4 {lr:+8.2f} nats  S3 {s3:2d}  S6 {s6:2d}")


def phrase_cue(sets: list[str], _a: argparse.Namespace) -> None:
    hist = {"2/4": Counter(), "4/4": Counter()}
    for s in sets:
        for item in _items(s):
            if item["meter"] not in hist:
                continue
            on, off, midi = _sorted(item)
            r = R.analyse_rhythm(on, off, midi, item["duration"])
            if r.compound or abs(np.log2(r.beat_bpm / item["beat_bpm"])) > 0.06:
                continue
            gaps = np.round(np.diff(R.phrase_starts(on, np.asarray(r.beats_s)))).astype(int)
            hist[item["meter"]].update(int(g) for g in gaps)
            if r.time_signature.text != item["meter"]:
                print(f"{s:8s} {item['id']:26s} ref {item['meter']} est {r.time_signature.text} phrase lengths {gaps.tolist()}")
    for m, h in hist.items():
        print(f"{m}: beats between phrase starts (count): {sorted(h.items())}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cue", choices=("length", "sync", "phrase"))
    ap.add_argument("sets", nargs="+")
    ap.add_argument("--lo", type=float, default=0.75, help="shortest 'one beat' (beats)")
    ap.add_argument("--hi", type=float, default=2.25, help="longest 'two beats' (beats)")
    ap.add_argument("--fast-min", type=float, default=0.8)
    ap.add_argument("--slow-max", type=float, default=0.3)
    ap.add_argument("--fast-max-bpm", type=float, default=156.0)
    a = ap.parse_args(argv)
    {"length": length_cue, "sync": sync_cue, "phrase": phrase_cue}[a.cue](a.sets, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
