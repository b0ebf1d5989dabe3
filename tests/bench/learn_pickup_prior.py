#!/usr/bin/env python3
"""Learn the bar-phase pickup prior of ``humitout.audio.rhythm`` (:data:`NOTATED_PICKUPS`) from notated songs:
how many of them start with an upbeat, and how long it is, in bars of two beats (2/4, 6/8) and of four (4/4).

The songs are those the beat-level notation model is learned from (``learn_beat_notation.CORPORA["song"]``:
music21's Essen ballads, dva0, erk5, folkHaydn, irl, variant0 and miscFolk; none of them in the dev set or the
held-out stand-in), with the same filter (one meter, 8 notes or more, hummable). A tune's upbeat is the time
(notated beats: quarter in 2/4 and 4/4, dotted quarter in 6/8) from its first note to the first bar line after
it, 0 when the first note is on a downbeat. Each is counted in the classes the prior prices
(:func:`rhythm.pickup_class`, with its 0.15-beat slack): in a bar of two beats none, a part of a beat (an
eighth of 2/4, one or two eighths of 6/8; an upbeat longer than a beat also counts here) or a whole beat (half
the bar); in a bar of four 0, 1, 2 or 3 beats, a part of a beat counting as one.

Needs music21 (in the project's virtualenv):

    cd tests/bench && ../../.venv/bin/python learn_pickup_prior.py   # prints NOTATED_PICKUPS
"""
from __future__ import annotations

import warnings
from collections import Counter

from learn_beat_notation import CORPORA, QUARTERS_PER_BEAT, one_meter_scores
from learn_meter_profiles import hummable_iois

from humitout.audio.rhythm import pickup_class

BARS = {"2/4": 2, "6/8": 2, "4/4": 4}


def upbeats(pattern: str):
    """(meter, upbeat in notated beats) of each hummable one-meter song in 2/4, 6/8 or 4/4 of a corpus file
    pattern (:func:`learn_beat_notation.one_meter_scores`)."""
    from music21 import meter
    for sig, score, onsets, ioi in one_meter_scores(pattern):
        if sig not in BARS or not hummable_iois(ioi):
            continue
        bar = float(next(score.recurse().getElementsByClass(meter.TimeSignature)).barDuration.quarterLength)
        measures = list((score.parts[0] if score.parts else score).getElementsByClass("Measure"))
        if len(measures) < 2:
            continue
        first = measures[0]
        short = bool(first.paddingLeft) or float(first.duration.quarterLength) < bar - 1e-6
        downbeat = float(measures[1].offset) if short else float(first.offset)
        while downbeat < onsets[0] - 1e-6:
            downbeat += bar
        yield sig, (downbeat - onsets[0]) / QUARTERS_PER_BEAT[sig]


def main() -> None:
    warnings.filterwarnings("ignore")
    counts = {2: Counter(), 4: Counter()}
    for pattern in CORPORA["song"]:
        for sig, up in upbeats(pattern):
            counts[BARS[sig]][pickup_class(up, BARS[sig])] += 1
    print("NOTATED_PICKUPS = {")
    for beats, c in counts.items():
        row = tuple(c[k] for k in range(3 if beats == 2 else 4))
        print(f"    {beats}: {row},   # {sum(row)} songs")
    print("}")


if __name__ == "__main__":
    main()
