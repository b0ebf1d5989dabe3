#!/usr/bin/env python3
"""Learn the bar-phase pickup prior of ``humitout.audio.rhythm`` (:data:`NOTATED_PICKUPS`) from notated songs:
how many of them start with an upbeat, and how long it is, in bars of two beats (2/4, 6/8) and of four (4/4).

The songs are those the beat-level notation model is learned from (``learn_beat_notation.CORPORA["song"]``:
music21's Essen ballads, dva0, erk5, folkHaydn, irl, variant0 and miscFolk; none of them in the dev set or the
held-out stand-in), with the same filter (one meter, 8 notes or more, hummable). A tune's upbeat is the time
(notated beats: quarter in 2/4 and 4/4, dotted quarter in 6/8) from its first note to the first bar line after
it, 0 when the first note is on a downbeat. Each is counted in the classes :func:`rhythm._pickup_prior` prices,
with its 0.15-beat slack: in a bar of two beats none, a part of a beat (an eighth of 2/4, one or two eighths
of 6/8; an upbeat longer than a beat also counts here) or a whole beat (half the bar); in a bar of four 0, 1, 2
or 3 beats, a part of a beat counting as one.

Needs music21 (not a runtime dependency), e.g. the generator's virtualenv of ``make_heldout_standin.py``:

    cd tests/bench && /tmp/bench-venv/bin/python learn_pickup_prior.py   # prints NOTATED_PICKUPS
"""
from __future__ import annotations

import glob
import os
import warnings
from collections import Counter

import numpy as np

from learn_beat_notation import CORPORA, QUARTERS_PER_BEAT
from learn_meter_profiles import hummable_iois

BARS = {"2/4": 2, "6/8": 2, "4/4": 4}
SLACK_BEATS = 0.15   # as rhythm._pickup_prior


def upbeats(pattern: str):
    """(meter, upbeat in notated beats) of each one-meter song of a corpus file pattern."""
    from music21 import converter, corpus, meter, note, stream
    root = os.path.dirname(corpus.__file__)
    for path in sorted(glob.glob(os.path.join(root, pattern))):
        try:
            parsed = converter.parse(path, forceSource=True)
        except Exception:   # noqa: BLE001 - a file music21 cannot read is skipped
            continue
        for score in (parsed.scores if isinstance(parsed, stream.Opus) else [parsed]):
            signatures = list(score.recurse().getElementsByClass(meter.TimeSignature))
            if len({t.ratioString for t in signatures}) != 1 or signatures[0].ratioString not in BARS:
                continue
            sig, bar = signatures[0].ratioString, float(signatures[0].barDuration.quarterLength)
            flat = score.flatten()
            onsets = [float(flat.elementOffset(x)) for x in flat.notesAndRests
                      if not isinstance(x, note.Rest) and not (x.tie is not None and x.tie.type in ("stop", "continue"))]
            if len(onsets) < 8 or not hummable_iois(np.diff(np.r_[onsets, float(flat.highestTime)])):
                continue
            measures = list((score.parts[0] if score.parts else score).getElementsByClass("Measure"))
            if len(measures) < 2:
                continue
            first = measures[0]
            short = bool(first.paddingLeft) or float(first.duration.quarterLength) < bar - 1e-6
            downbeat = float(measures[1].offset) if short else float(first.offset)
            while downbeat < onsets[0] - 1e-6:
                downbeat += bar
            yield sig, (downbeat - onsets[0]) / QUARTERS_PER_BEAT[sig]


def upbeat_class(upbeat: float, beats_per_bar: int) -> int:
    """The prior's class of an upbeat of ``upbeat`` beats (see the module docstring)."""
    if beats_per_bar == 2 and abs(upbeat - 1.0) <= SLACK_BEATS:
        return 2
    return min(max(int(np.ceil(upbeat - SLACK_BEATS)), 0), 1 if beats_per_bar == 2 else beats_per_bar - 1)


def main() -> None:
    warnings.filterwarnings("ignore")
    counts = {2: Counter(), 4: Counter()}
    for pattern in CORPORA["song"]:
        for sig, up in upbeats(pattern):
            counts[BARS[sig]][upbeat_class(up, BARS[sig])] += 1
    print("NOTATED_PICKUPS = {")
    for beats, c in counts.items():
        row = tuple(c[k] for k in range(3 if beats == 2 else 4))
        print(f"    {beats}: {row},   # {sum(row)} songs")
    print("}")


if __name__ == "__main__":
    main()
