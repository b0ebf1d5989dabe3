"""Note-stage A/B on any bench set: the front end cached per item, the note stage rerun and scored,
each lost reference note given a cause. For fast iteration on the note code
(``stress_note_errors.py`` compares a stress condition with its clean twin instead).

The front end (:func:`transcribe.front_end`: pitch track, frame energy, band levels, harmonic envelope
and dropout frames) is computed once per item (pickled under ``--cache``; the key includes the WAV's
path and size and a hash of the front end's code, :func:`front_end_code_hash`), and only the note stage
(:func:`transcribe.note_stage`, as :func:`transcribe.transcribe_samples` runs it) is rerun, then scored as the
bench does (mir_eval via ``evaluate.score_notes``).

    python tests/bench/note_stage_rerun.py --data out/stress-corpus/seed10-items12 --sets speaker \
        [--items 3 8] [-v] [--clean clean]

With ``-v`` every reference note without a COnP match is listed with a cause:

- ``merged``: an estimate that starts at an earlier reference note (within 50 ms) covers its onset at
  its pitch (a repeat, or a step, not cut);
- ``late`` / ``early``: an estimate at its pitch starts 50-300 ms off its onset;
- ``pitch``: an estimate starts within 50 ms but more than 50 cents away (the cents are given);
- ``octave``: that pitch error is 11.5-12.5 st;
- ``absent``: no estimate overlaps the first half of the note (a grace note, a dropped note);
- ``other``: none of these.

A cause followed by ``(also clean)`` is missed in the ``--clean`` set's same item too.
"""
from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parents[3] / "shared" / "bench" / "melody"


def front_end_code_hash() -> str:
    """Hash of the code the front end runs (its functions in ``transcribe.py`` and the modules they read the call
    with): a cached front end is reused only while it is unchanged, and note-stage changes keep the cache."""
    import inspect

    from humitout.audio import decode, enhance, f0, transcribe
    from humitout.audio.notes import levels
    h = hashlib.sha1()
    for part in (decode, enhance, f0, levels, transcribe.front_end, transcribe.front_end_from_track):
        h.update(inspect.getsource(part).encode())
    return h.hexdigest()[:12]


def features(wav: str, cache: Path):
    """Decoded samples, their rate and the item's cached :class:`~humitout.audio.transcribe.FrontEnd`."""
    from humitout.audio.decode import decode_audio
    from humitout.audio.transcribe import front_end
    path = Path(wav).resolve()
    key = hashlib.sha1(f"front-end:{path}:{path.stat().st_size}:{front_end_code_hash()}".encode()).hexdigest()[:16]
    p = cache / f"{key}.pkl"
    x, sr = decode_audio(path.read_bytes())
    if p.exists():
        return x, sr, pickle.loads(p.read_bytes())
    f = front_end(x, sr)
    p.write_bytes(pickle.dumps(f))
    return x, sr, f


def causes(it, ei: np.ndarray, em: np.ndarray) -> list[tuple[float, float, float, str]]:
    """(onset, offset, midi, cause) of each reference note of item ``it`` without a COnP match among the
    estimates (intervals ``ei`` (k, 2), pitches ``em`` (k,))."""
    out = []
    ons = it.ref_intervals[:, 0]
    for (on, off), m in zip(it.ref_intervals, it.ref_midi):
        if len(em) and ((np.abs(ei[:, 0] - on) <= 0.05) & (np.abs(em - m) <= 0.5)).any():
            continue
        cause = "other"
        if len(em):
            d_on = ei[:, 0] - on
            near = np.abs(d_on) <= 0.05
            cover = (ei[:, 0] < on - 0.05) & (ei[:, 1] > on + 0.5 * (off - on))
            same = np.abs(em - m) <= 0.5
            earlier = [r for r in ons if r < on - 0.05]
            if (cover & same).any() and any(np.abs(ei[cover & same, 0][:, None] - np.array(earlier)[None, :]).min(
                    axis=1) <= 0.05 if earlier else [False]):
                cause = "merged"
            elif (same & (d_on > 0.05) & (d_on <= 0.3)).any():
                cause = f"late {1000 * d_on[same & (d_on > 0.05) & (d_on <= 0.3)].min():.0f}ms"
            elif (same & (d_on < -0.05) & (d_on >= -0.3) & (ei[:, 1] > on)).any():
                cause = "early"
            elif near.any():
                j = np.flatnonzero(near)[np.argmin(np.abs(em[near] - m))]
                dc = em[j] - m
                cause = ("octave" if 11.5 <= abs(dc) <= 12.5 else "pitch") + f" {dc:+.2f}st"
            elif not ((ei[:, 0] < on + 0.5 * (off - on)) & (ei[:, 1] > on)).any():
                cause = "absent"
            elif (cover & ~same).any():
                cause = "covered by another pitch"
        out.append((float(on), float(off), float(m), cause))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--sets", nargs="+", required=True)
    ap.add_argument("--items", nargs="*", type=int)
    ap.add_argument("--cache", default="out/study-cache")
    ap.add_argument("--clean", default=None, help="set whose same items mark misses shared with it")
    ap.add_argument("-v", action="store_true", help="list the lost notes of each item with a cause")
    ap.add_argument("--dump", default=None, help="pickle {item id: notes} here")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(BENCH_DIR))
    import evaluate as ev
    from humitout.audio.transcribe import note_stage
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)
    dump = {}
    for set_name in a.sets:
        items = ev.load_set(Path(a.data), set_name)
        base = {it.id.split("_")[-1]: it for it in ev.load_set(Path(a.data), a.clean)} if a.clean else {}
        if a.items:
            items = [it for i, it in enumerate(items) if i in a.items]
        rows = []
        tally: dict[str, int] = {}
        for it in items:
            x, sr, f = features(it.wav, cache)
            notes = note_stage(x, sr, f)
            dump[it.id] = notes
            ei, em = ev._clean_notes([(n.onset_s, n.offset_s, n.midi) for n in notes])
            s = ev.score_notes(it.ref_intervals, it.ref_midi, ei, em)
            rows.append(s)
            print(f"{set_name} {it.id}: COnP {s['COnP_F']:.3f} COnPOff {s['COnPOff_F']:.3f} "
                  f"n_ref {s['n_ref']} n_est {s['n_est']}", flush=True)
            if not a.v:
                continue
            shared = set()
            b = base.get(it.id.split("_")[-1])
            if b is not None:
                bx, bsr, bf = features(b.wav, cache)
                bi, bm = ev._clean_notes([(n.onset_s, n.offset_s, n.midi) for n in note_stage(bx, bsr, bf)])
                shared = {round(c[0], 3) for c in causes(b, bi, bm)}
            for on, off, m, c in causes(it, ei, em):
                also = round(on, 3) in shared
                tally[c.split()[0] + (" (also clean)" if also else "")] = \
                    tally.get(c.split()[0] + (" (also clean)" if also else ""), 0) + 1
                print(f"    miss {on:6.2f}-{off:6.2f} midi {m:5.1f}: {c}{' (also clean)' if also else ''}")
        print(f"== {set_name}: COnP {np.mean([r['COnP_F'] for r in rows]):.4f} "
              f"COnPOff {np.mean([r['COnPOff_F'] for r in rows]):.4f}  lost: {dict(sorted(tally.items()))}")
    if a.dump:
        Path(a.dump).write_bytes(pickle.dumps(dump))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
