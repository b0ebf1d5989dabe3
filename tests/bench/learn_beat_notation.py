#!/usr/bin/env python3
"""Learn the beat-level notation model of ``humitout.audio.rhythm`` (:data:`BEAT_NOTATIONS`) from notated
folk tunes: for each notated meter, its share of the tunes and the mean / standard deviation of log2
notes a notated beat (quarter in 2/4, 3/4, 4/4; half in 2/2, 3/2; dotted quarter in 6/8, 9/8, 12/8;
dotted half in 6/4), one component for songs and one for dance tunes, each corpus weighing one half.

Training collections of music21's bundled corpus used by neither the dev set (``melodies.py``
``SOURCE_SETS``: Essen altdeu, boehme, erk10-30, fink, kinder, zuccal) nor the held-out stand-in
(Essen han1, han2, lux, lot, Aird's Airs, O'Neill's 1850):

* songs: Essen ballad10-80, dva0, erk5, folkHaydn, irl, variant0 and miscFolk (American fife tunes,
  Northumbrian minstrelsy);
* dance tunes: Ryan's Mammoth Collection.

Only tunes in one meter with 8 notes or more that can be hummed at a quarter of 70 BPM or faster (no
note shorter than 0.09 s, a 10th percentile note length of 0.14 s or more: faster notes cannot be
hummed) count. Ties join notes, rests lengthen the note before them (inter-onset intervals).

Needs music21 (not a runtime dependency), e.g. the generator's virtualenv of ``make_heldout_standin.py``:

    /tmp/bench-venv/bin/python tests/bench/learn_beat_notation.py   # prints BEAT_NOTATIONS
"""
from __future__ import annotations

import os
import warnings
from collections import defaultdict

import numpy as np

from learn_meter_profiles import hummable_iois

QUARTERS_PER_BEAT = {"2/4": 1.0, "3/4": 1.0, "4/4": 1.0, "2/2": 2.0, "3/2": 2.0,
                     "6/8": 1.5, "9/8": 1.5, "12/8": 1.5, "6/4": 3.0}
CORPORA = {
    "song": ["essenFolksong/ballad10.abc", "essenFolksong/ballad20.abc", "essenFolksong/ballad30.abc",
             "essenFolksong/ballad40.abc", "essenFolksong/ballad50.abc", "essenFolksong/ballad60.abc",
             "essenFolksong/ballad70.abc", "essenFolksong/ballad80.abc", "essenFolksong/dva0.abc",
             "essenFolksong/erk5.abc", "essenFolksong/folkHaydn.abc", "essenFolksong/irl.abc",
             "essenFolksong/variant0.abc", "miscFolk/americanfifeopus.abc",
             "miscFolk/northumbrianminstrelsyopus.abc"],
    "dance": ["ryansMammoth/*.abc"],
}
MIN_TUNES = 20   # a meter with fewer tunes in a corpus gets no component there


def one_meter_scores(pattern: str):
    """(meter, score, note onsets, inter-onset intervals), both in quarters (tied notes joined, the last
    note's interval up to the score's end), of each tune of a corpus file pattern that is in one meter
    throughout and has 8 notes or more."""
    import glob
    from music21 import converter, corpus, meter, note, stream
    root = os.path.dirname(corpus.__file__)
    for path in sorted(glob.glob(os.path.join(root, pattern))):
        try:
            parsed = converter.parse(path, forceSource=True)
        except Exception:   # noqa: BLE001 - a file music21 cannot read is skipped
            continue
        for score in (parsed.scores if isinstance(parsed, stream.Opus) else [parsed]):
            sigs = {t.ratioString for t in score.recurse().getElementsByClass(meter.TimeSignature)}
            if len(sigs) != 1:
                continue
            flat = score.flatten()
            onsets = [float(flat.elementOffset(x)) for x in flat.notesAndRests
                      if not isinstance(x, note.Rest) and not (x.tie is not None and x.tie.type in ("stop", "continue"))]
            if len(onsets) < 8:
                continue
            yield sigs.pop(), score, onsets, np.diff(np.r_[onsets, float(flat.highestTime)])


def main() -> None:
    warnings.filterwarnings("ignore")
    rows = []
    for name, patterns in CORPORA.items():
        rates: dict[str, list[float]] = defaultdict(list)
        for pattern in patterns:
            for sig, _score, _onsets, ioi in one_meter_scores(pattern):
                if sig in QUARTERS_PER_BEAT and hummable_iois(ioi):
                    rates[sig].append(len(ioi) / (ioi.sum() / QUARTERS_PER_BEAT[sig]))
        total = sum(len(v) for v in rates.values())
        for sig, v in sorted(rates.items()):
            if len(v) >= MIN_TUNES:
                x = np.log2(v)
                rows.append((sig, name, 0.5 * len(v) / total, float(x.mean()), float(x.std()), len(v)))
    print("BEAT_NOTATIONS = (")
    for sig, name, share, mean, sd, n in sorted(rows):
        compound = sig in ("6/8", "9/8", "12/8", "6/4")
        print(f"    ({QUARTERS_PER_BEAT[sig]}, {compound}, {share:.3f}, {mean:.2f}, {sd:.2f}),   # {sig} {name}s, {n} tunes")
    print(")")


if __name__ == "__main__":
    main()
