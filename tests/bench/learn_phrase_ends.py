#!/usr/bin/env python3
"""Learn where phrases end in the bar (:data:`humitout.audio.rhythm.PHRASE_END_PROFILES`) from notated folk
tunes (music21's bundled corpus), for :func:`humitout.audio.rhythm.phrase_end_scores`.

For each meter class (2/4, 3/4, 4/4, 6/8), the distribution over the beats of the bar of the notes
that start on a beat (within ``ON_BEAT``; notes off the beat stay off it in every bar phase, so
they are not counted) among the phrase-end notes: the notes held ``--long`` (default ``LONG``) times
the tune's median inter-onset interval or more until the next onset (a long note, or a note and a rest: ties joined, rests folded in, as the hum's phrase
detector sees them; the last note by its own length), add-``ALPHA`` smoothed. (The last note as such
is not a cue: a hum may stop anywhere in the tune.) The tunes are those of ``learn_meter_profiles.py`` (its collections,
parser and hummability test, reused: Essen collections used by neither the dev set nor the held-out
stand-ins; the same assertion).

    /tmp/bench-venv/bin/python tests/bench/learn_phrase_ends.py [--cache PATH] [--long X]   # prints the tables
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

LONG = 2.0
ALPHA = 1.0
ON_BEAT = 0.15   # beats: an onset this close to a beat counts on it


def parse(cache: Path | None) -> list:
    """The training tunes of ``learn_meter_profiles`` (parsed once, then read from ``cache``)."""
    import melodies
    files = lmp.TRAIN
    dev_and_heldout = {p for paths in melodies.SOURCE_SETS["dev"].values() for p in paths}
    dev_and_heldout |= {"essenFolksong/han1.abc", "essenFolksong/han2.abc", "essenFolksong/lux.abc",
                        "essenFolksong/lot.abc"}
    assert not dev_and_heldout & set(files) and not any(f.startswith(("airdsAirs", "oneills1850")) for f in files)
    if cache and cache.exists():
        return pickle.loads(cache.read_bytes())
    tunes = []
    for path in files:
        texts = melodies._tunes_of(path)
        got = [t for t in map(lmp.tune_notes, texts) if t is not None]
        tunes += got
        print(f"{path}: {len(got)}/{len(texts)} tunes", file=sys.stderr, flush=True)
    if cache:
        cache.write_bytes(pickle.dumps(tunes))
    return tunes


def learn(tunes: list, long: float = LONG) -> dict:
    out = {}
    for meter, (per_bar, _) in lmp.METERS.items():
        end = np.zeros(per_bar)
        count = 0
        for m, notes, _, _ in tunes:
            if m != meter or not lmp.hummable(m, notes):
                continue
            count += 1
            pos = np.array([n[0] for n in notes])
            ioi = np.array([n[1] for n in notes])
            on = np.abs(pos - np.round(pos)) <= ON_BEAT
            slot = np.round(pos).astype(int) % per_bar
            np.add.at(end, slot[on & (ioi >= long * np.median(ioi))], 1)
        out[meter] = {"tunes": count, "ends": int(end.sum()),
                      "end": ((end + ALPHA) / (end.sum() + len(end) * ALPHA)).round(4).tolist()}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the parsed tunes (made once, then read)")
    ap.add_argument("--long", type=float, default=LONG, help="phrase end: held this many median notes or more")
    a = ap.parse_args(argv)
    for meter, t in learn(parse(a.cache), a.long).items():
        print(f"    {meter!r}: {t},")
    return 0


if __name__ == "__main__":
    sys.exit(main())
