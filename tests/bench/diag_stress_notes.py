#!/usr/bin/env python3
"""Lost and extra notes of one stress condition against clean, with a guess at each cause.

    .venv/bin/python tests/bench/diag_stress_notes.py SEED CONDITION [ITEM ...]

Reads the stress corpus in ``out/stress-corpus/seed<SEED>-items12`` (``bench_transcribe.py --stress``
builds it) and caches each recording's noise-suppressed samples and pitch track under
``out/diag-cache/`` (the note stage is rerun every time, so note-code changes are seen and only
pitch-tracker or suppressor changes need the cache cleared). Prints, per item, COnP F1 of clean
and of the condition (notes rounded as the Analysis rounds them, so the figures match the bench),
each reference note clean finds and the condition loses (cause: buried = no note over it and the
tracker's median confidence under 0.3; pitch / pitch+onset; merged/early; late/onset; dropped? =
no note though the tracker heard it), and each estimated note that matches no reference (with
the reference notes it overlaps: a split or an extra). Ends with the mean COnP gap.
"""
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO.parent / "shared" / "bench" / "melody"))
import evaluate as ev
import mir_eval.transcription as mt
import humitout.audio.transcribe as T
from humitout.audio import notes as N
from humitout.audio.decode import decode_audio

CACHE = REPO / "out" / "diag-cache"
ROOT = REPO / "out" / "stress-corpus"


def inputs(wav):
    """Everything before segment_notes, cached (note code changes after segment_notes inputs are free)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = CACHE / (str(Path(wav).relative_to(ROOT)).replace("/", "_") + ".pkl")
    if key.exists():
        return pickle.loads(key.read_bytes())
    x, sr = decode_audio(Path(wav).read_bytes())
    clean = T.suppress_stationary_noise(x, sr)
    track = T.track_f0(clean, sr)
    d = dict(x=x, sr=sr, clean=clean, track=track)
    key.write_bytes(pickle.dumps(d))
    return d


def transcribe(d):
    x, sr, clean, track = d["x"], d["sr"], d["clean"], d["track"]
    n = len(track.hz)
    lost = N.lost_samples(x, sr)
    energy = N.frame_energy_db(x, sr, n, track.hop_s, lost=lost)
    bands = N.narrow_band_levels_db(clean, sr, n, track.hop_s, lost=lost)
    notes = N.segment_notes(track, energy, N.dead_air_frames(x, sr, n, track.hop_s, lost=lost),
                            N.band_level_db(bands, track.hop_s),
                            N.harmonic_envelope_db(clean, sr, track.hz, track.hop_s, lost=lost))
    return N.drop_talker_edges(N.fold_partial_notes(notes, x, sr))


def match(it, est):
    est = np.array([(round(a.onset_s, 3), round(a.offset_s, 3), round(a.midi, 2)) for a in est], float).reshape(-1, 3)
    if not len(est):
        return est, []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = mt.match_notes(it.ref_intervals, ev.midi_to_hz(it.ref_midi), est[:, :2], ev.midi_to_hz(est[:, 2]),
                               onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=None)
    return est, pairs


def fscore(it, est):
    return ev.score_notes(it.ref_intervals, it.ref_midi, est[:, :2], est[:, 2])["COnP_F"] if len(est) else 0.0


def describe_ref(i, it, est, d):
    """Cause guess for lost reference note i."""
    on, off = it.ref_intervals[i]; p = it.ref_midi[i]
    tr = d["track"]; hop = tr.hop_s
    s, t = int(on / hop), int(off / hop)
    conf = tr.confidence[s:t]; mid = tr.midi[s:t]
    near = [j for j in range(len(est)) if est[j, 0] < off and est[j, 1] > on]
    desc = []
    for j in near:
        desc.append(f"est[{est[j,0]:.2f}-{est[j,1]:.2f} {est[j,2]:.2f}]")
    good = np.abs(np.nan_to_num(mid) - p) < 0.5
    info = (f"conf med {np.median(conf):.2f} max {conf.max():.2f}, on-pitch {good.mean():.0%}, "
            f"dur {off-on:.2f}")
    if not near:
        cause = "BURIED/none" if np.median(conf) < 0.3 else "dropped?"
    else:
        j = min(near, key=lambda j: abs(est[j, 0] - on))
        if abs(est[j, 2] - p) > 0.5:
            cause = "pitch" if abs(est[j, 0] - on) <= 0.05 else "pitch+onset"
        elif est[j, 0] < on - 0.05:
            cause = "merged/early"
        else:
            cause = "late/onset"
    return f"  LOST ref {i} {on:.2f}-{off:.2f} m{p:.0f}: {cause}; {info}; {' '.join(desc)}"


def main():
    seed, cond = int(sys.argv[1]), sys.argv[2]
    items = [int(a) for a in sys.argv[3:]] or range(12)
    root = ROOT / f"seed{seed}-items12"
    tot_c = tot_x = 0.0
    for k in items:
        itc = ev.load_item(root / "clean" / f"clean_{k:03d}.json")
        itx = ev.load_item(root / cond / f"{cond}_{k:03d}.json")
        dc, dx = inputs(itc.wav), inputs(itx.wav)
        ec, pc = match(itc, transcribe(dc))
        ex, px = match(itx, transcribe(dx))
        fc, fx = fscore(itc, ec), fscore(itx, ex)
        tot_c += fc; tot_x += fx
        print(f"{cond} s{seed} item {k:03d}: clean {fc:.3f} cond {fx:.3f} ({fx-fc:+.3f})  n_ref {len(itx.ref_midi)} n_est {len(ex)}")
        mc = {i for i, _ in pc}; mx = {i for i, _ in px}
        for i in sorted(mc - mx):
            print(describe_ref(i, itx, ex, dx))
        for i in sorted(mx - mc):
            print(f"  (gained ref {i} {itx.ref_intervals[i,0]:.2f} m{itx.ref_midi[i]:.0f})")
        used = {j for _, j in px}
        for j in range(len(ex)):
            if j not in used:
                # extra est note: is there a ref at same pitch overlapping? (split) else noise
                ov = [i for i in range(len(itx.ref_midi)) if itx.ref_intervals[i, 0] < ex[j, 1] and itx.ref_intervals[i, 1] > ex[j, 0]]
                tag = ",".join(f"r{i}m{itx.ref_midi[i]:.0f}" for i in ov)
                print(f"  extra est {ex[j,0]:.2f}-{ex[j,1]:.2f} {ex[j,2]:.2f} over [{tag}]")
    n = len(list(items))
    print(f"MEAN {cond} s{seed}: clean {tot_c/n:.4f} cond {tot_x/n:.4f} gap {(tot_x-tot_c)/n:+.4f}")


if __name__ == "__main__":
    main()
