"""Cached transcription of chosen stress / bench items: the pitch track, energy, band levels and dropout
frames are computed once per item (pickled under ``--cache``), and only the note stage
(:func:`segment_notes` and the post-folds) is rerun, then scored as the bench does (mir_eval via
``evaluate.score_notes``). For studying the note rules fast on a few items.

    python tests/bench/study_items.py --data out/stress-corpus/seed10-items12 --sets speaker clean \
        [--items 3 8] [-v]
"""
from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parents[3] / "shared" / "bench" / "melody"


def features(wav: str, cache: Path):
    from humitout.audio.decode import decode_audio
    from humitout.audio.enhance import suppress_stationary_noise
    from humitout.audio.f0 import track_f0
    from humitout.audio.notes import dead_air_frames, frame_energy_db, lost_samples, narrow_band_levels_db
    key = hashlib.sha1(str(Path(wav).resolve()).encode()).hexdigest()[:16]
    p = cache / f"{key}.pkl"
    x, sr = decode_audio(Path(wav).read_bytes())
    if p.exists():
        return x, sr, pickle.loads(p.read_bytes())
    clean = suppress_stationary_noise(x, sr)
    track = track_f0(clean, sr)
    n = len(track.hz)
    lost = lost_samples(x, sr)
    f = dict(track=track, energy=frame_energy_db(x, sr, n, track.hop_s, lost=lost),
             bands=narrow_band_levels_db(clean, sr, n, track.hop_s, lost=lost),
             dead=dead_air_frames(x, sr, n, track.hop_s, lost=lost))
    p.write_bytes(pickle.dumps(f))
    return x, sr, f


def notes_of(x, sr, f):
    from humitout.audio.notes import band_level_db, drop_talker_edges, fold_partial_notes, segment_notes
    notes = segment_notes(f["track"], f["energy"], f["dead"], band_level_db(f["bands"], f["track"].hop_s), f["bands"])
    return drop_talker_edges(fold_partial_notes(notes, x, sr))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--sets", nargs="+", required=True)
    ap.add_argument("--items", nargs="*", type=int)
    ap.add_argument("--cache", default="out/study-cache")
    ap.add_argument("-v", action="store_true", help="print the misses of each item")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(BENCH_DIR))
    import evaluate as ev
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)
    for set_name in a.sets:
        items = ev.load_set(Path(a.data), set_name)
        if a.items:
            items = [it for i, it in enumerate(items) if i in a.items]
        rows = []
        for it in items:
            x, sr, f = features(it.wav, cache)
            est = [(n.onset_s, n.offset_s, n.midi) for n in notes_of(x, sr, f)]
            ei, em = ev._clean_notes(est)
            s = ev.score_notes(it.ref_intervals, it.ref_midi, ei, em)
            rows.append(s)
            print(f"{set_name} {it.id}: COnP {s['COnP_F']:.3f} COnPOff {s['COnPOff_F']:.3f} "
                  f"n_ref {s['n_ref']} n_est {s['n_est']}")
            if a.v:
                misses(it, ei, em)
        print(f"== {set_name}: COnP {np.mean([r['COnP_F'] for r in rows]):.4f} "
              f"COnPOff {np.mean([r['COnPOff_F'] for r in rows]):.4f}")
    return 0


def misses(it, ei, em):
    """Reference notes with no estimate within 50 ms onset and 50 cents (the COnP rule), and the
    estimate nearest each."""
    for (on, off), m in zip(it.ref_intervals, it.ref_midi):
        hit = (np.abs(ei[:, 0] - on) <= 0.05) & (np.abs(em - m) <= 0.5) if len(em) else np.zeros(0, bool)
        if hit.any():
            continue
        j = int(np.argmin(np.abs(ei[:, 0] - on))) if len(em) else -1
        near = f"nearest est {ei[j, 0]:.2f}-{ei[j, 1]:.2f} {em[j]:.2f}" if j >= 0 else "no est"
        print(f"    miss {on:.2f}-{off:.2f} midi {m:.2f}: {near}")


if __name__ == "__main__":
    raise SystemExit(main())
