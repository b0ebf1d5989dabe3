#!/usr/bin/env python3
"""Every note a phone-stress condition gets wrong, with a guessed cause, next to its clean twin.

For each item of a condition (default ``babble``) of the stress corpus (``make_stress_corpus.py``,
under ``out/stress-corpus/``), transcribes it as :func:`humitout.audio.transcribe.transcribe_samples`
does and lists, against the reference (COnP matching: onset within 50 ms, pitch within 50 cents):

- ``MISS`` reference notes no estimated note matches, as ``onset-early`` / ``onset-late`` (a note at
  its pitch starts more than 50 ms off), ``merged-repeat`` (that note also covers the reference note
  before it), ``pitch±d`` (the note most overlapping it is ``d`` semitones off) or ``dropped``
  (nothing there), with the tracker's pitch and confidence over its first 80 ms (``trk@on``: a pitch
  far under the note is the tracker on a talker);
- ``EXTRA`` estimated notes matching no reference note, as ``extra-gap`` (over no reference note),
  ``split`` (its reference note is matched by another), ``onset-off`` or ``extra-pitch±d``.

``(clean too)`` marks errors the item's clean performance makes as well (the singer, not the
channel). The pitch model's frames are cached per item (``--cache``), so re-running after a change
to the note code costs only the note stage.

    .venv/bin/python tests/bench/stress_note_errors.py --seeds 10 11 [--condition babble]

A seed sung with other tunes (``seed50-items12-heldout-<hash>``, ``make_stress_corpus.py --melodies``) is found by
its seed alone (``--seeds 50 51``).
"""
from __future__ import annotations

import argparse
import pickle
import re
import sys
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_transcribe import BENCH_DIR, STRESS_ROOT  # noqa: E402

ONSET_TOL = 0.05


def model_inputs(item, cache: Path):
    """Samples, sample rate, dereverberated and noise-suppressed samples (:func:`enhance_call`) and the
    pitch model's frames of ``item`` (cached)."""
    return cached_model_inputs(Path(item.wav), cache / f"{Path(item.wav).parent.parent.name}_{item.set}_{item.id}.pkl")


def cached_model_inputs(wav: Path, path: Path):
    """:func:`model_inputs` of the recording ``wav``, read from the pickle ``path`` or worked out and written there."""
    from humitout.audio import f0
    from humitout.audio.decode import decode_audio
    from humitout.audio.enhance import enhance_call
    if path.exists():
        return pickle.loads(path.read_bytes())
    x, sr = decode_audio(wav.read_bytes())
    dry, clean = enhance_call(x, sr)
    d = (x, sr, dry, clean, f0._swift().detect(clean, sr, fmin=f0.FMIN_HZ, fmax=f0.FMAX_HZ))
    path.write_bytes(pickle.dumps(d))
    return d


def transcribe(d):
    """Pitch track and notes, as ``transcribe_samples`` gives them, from :func:`model_inputs`' cached
    output: the pitch track is rebuilt from the cached model frames, the rest of the front end and the
    note stage are run as the product runs them (:func:`front_end_from_track`, :func:`note_stage`), and the
    notes named as the bench names them (:func:`sung_notes`)."""
    from humitout.audio import f0
    from humitout.audio.transcribe import front_end_from_track, note_stage, sung_notes
    x, sr, dry, clean, frames = d

    class Cached:
        def detect(self, *_a, **_k):
            return frames
    model, f0._swift = f0._swift, lambda: Cached()
    try:
        track = f0.track_f0(clean, sr)
    finally:
        f0._swift = model
    return track, sung_notes(note_stage(x, sr, front_end_from_track(x, sr, dry=dry, clean=clean, track=track)))[0]


def matched(item, notes) -> list[tuple[int, int]]:
    import mir_eval.transcription as mt
    if not notes:
        return []
    hz = 440.0 * 2.0 ** ((np.array([n.midi for n in notes]) - 69.0) / 12.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mt.match_notes(item.ref_intervals, 440.0 * 2.0 ** ((item.ref_midi - 69.0) / 12.0),
                              np.array([[n.onset_s, n.offset_s] for n in notes]), hz,
                              onset_tolerance=ONSET_TOL, pitch_tolerance=50.0, offset_ratio=None)


def errors(item, notes, track, twin) -> list[tuple[str, str, str]]:
    """(kind, cause, detail) of every missed reference note and every extra estimated note."""
    pairs = matched(item, notes)
    hit_ref, hit_est = {i for i, _ in pairs}, {j for _, j in pairs}
    twin_ref = {i for i, _ in matched(item, twin)} if twin is not None else set()
    ref, pitch = item.ref_intervals, item.ref_midi
    out = []
    for i in range(len(pitch)):
        if i in hit_ref:
            continue
        a, b = ref[i]
        near = [n for n in notes if n.offset_s > a - ONSET_TOL and n.onset_s < b]
        same = [n for n in near if abs(n.midi - pitch[i]) < 0.5]
        if same:
            d = same[0].onset_s - a
            cause = "onset-early" if d < -ONSET_TOL else "onset-late" if d > ONSET_TOL else "offset?"
            if d < -ONSET_TOL and any(abs(pitch[k] - same[0].midi) < 0.5 and ref[k][1] > same[0].onset_s
                                      for k in range(i)):
                cause = "merged-repeat"
        elif near:
            best = max(near, key=lambda n: min(n.offset_s, b) - max(n.onset_s, a))
            cause = f"pitch{best.midi - pitch[i]:+.1f}"
        else:
            cause = "dropped"
        if twin is not None and i not in twin_ref:
            cause += " (clean too)"
        f = int(a / track.hop_s)
        out.append(("MISS", cause, f"{a:6.2f}-{b:6.2f} ref {pitch[i]:5.1f}  near "
                    + " ".join(f"{n.onset_s:.2f}-{n.offset_s:.2f}:{n.midi:.1f}" for n in near)
                    + f"  trk@on {np.nanmedian(track.midi[f:f + 8]):.1f} c{np.mean(track.confidence[f:f + 8]):.2f}"))
    for j, n in enumerate(notes):
        if j in hit_est:
            continue
        over = [k for k in range(len(pitch)) if ref[k][1] > n.onset_s and ref[k][0] < n.offset_s]
        if not over:
            cause = "extra-gap"
        else:
            k = max(over, key=lambda k: min(ref[k][1], n.offset_s) - max(ref[k][0], n.onset_s))
            d = n.midi - pitch[k]
            cause = (f"extra-pitch{d:+.1f}" if abs(d) >= 0.5 else "split" if k in hit_ref else "onset-off")
        if twin is not None and any(abs(c.midi - n.midi) < 0.5 and abs(c.onset_s - n.onset_s) < ONSET_TOL
                                    for c in twin):
            cause += " (clean too)"
        out.append(("EXTRA", cause, f"{n.onset_s:6.2f}-{n.offset_s:6.2f} {n.midi:5.1f} c{n.confidence:.2f}"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[10, 11])
    ap.add_argument("--condition", default="babble")
    ap.add_argument("--items", type=int, default=12)
    ap.add_argument("--cache", default=str(STRESS_ROOT.parent / "note-errors-cache"))
    a = ap.parse_args(argv)
    sys.path.insert(0, str(BENCH_DIR))
    import evaluate as ev
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)
    causes: Counter = Counter()
    for seed in a.seeds:
        root = sorted(STRESS_ROOT.glob(f"seed{seed}-items{a.items}*"))[0]   # other tunes: ...-<set>-<hash>
        twins = {it.id.split("_")[-1]: transcribe(model_inputs(it, cache))[1] for it in ev.load_set(root, "clean")}
        scores = []
        for item in ev.load_set(root, a.condition):
            track, notes = transcribe(model_inputs(item, cache))
            est = ev._clean_notes([(n.onset_s, n.offset_s, n.midi) for n in notes])
            scores.append(ev.score_notes(item.ref_intervals, item.ref_midi, *est)["COnP_F"])
            print(f"s{seed} {item.id} COnP {scores[-1]:.3f}  n_ref {len(item.ref_midi)} n_est {len(notes)}")
            for kind, cause, detail in errors(item, notes, track, twins.get(item.id.split("_")[-1])):
                print(f"    {kind:5s} {cause:28s} {detail}")
                causes[(kind, re.sub(r"[+-]\d+\.\d", "", cause))] += 1
        print(f"seed {seed} {a.condition}: COnP {np.mean(scores):.4f}")
    for (kind, cause), k in causes.most_common():
        print(f"  {kind} {cause}: {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
