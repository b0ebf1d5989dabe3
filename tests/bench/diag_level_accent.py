#!/usr/bin/env python3
"""Is there a singer's dynamic (level) accent on the downbeat in our hum sets? (issue 9, stop 41)

Measured on the REFERENCE notes and REFERENCE beats (so the beat grid and the bar are right and only the
level is asked): per note, its level at the attack, the loudest frame of ``frame_energy_db`` (the front
end's frame energy, 10 ms hop, 30 ms window) within ``--attack`` s of the reference onset, minus the
median of the same of its ``--context`` neighbours each side (a local level, so a phrase arch or an AGC
drifting slowly cancels). With ``--residual`` the hum's least-squares line of that accent on the note's
pitch (semitones from the hum's median) is taken off first: the shared generator makes higher notes
louder (``humsynth.perform``: 0.25 dB a semitone), a pitch accent already measured and weighted 0.

A note is on a beat when its onset lies within ``--tol`` of a beat period from a reference beat; it is
the downbeat's note when that beat is 1. Printed per set: mean accent (dB) of downbeat notes, of notes on
other beats and of notes between beats; the pairwise AUC within each hum (P(a downbeat note's accent >
an other-beat note's accent), 0.5 = no cue); and the level cue's own bar phase: on the reference beat
grid and bar length, the phase whose beat-1 notes have the largest mean accent minus the other beats',
right / hums (with chance = mean 1/bar length). Where the set's ``.json`` files give the generator's own
per-note ``level_db`` (dev and the stand-ins), the same figures of that designed level are printed as
``designed``: what the generator put in, before any channel.

    PYTHONPATH=layers/core/python .venv/bin/python tests/bench/diag_level_accent.py --sets dev r1 r2 r3 wide s10
        [--conditions clean speaker ...] [--residual none|pitch|notes] [--wrong FILE] [--inject-db D --level-sd S]

Stop 41 (helper issue-9-loud17): no set has the cue. The shared generator (``humsynth.perform``: dev, the
stand-ins r1-r7 and the stress corpus, which sings dev's tunes again) is given only onsets, offsets, pitches
and rests, never a beat or bar; a note's level is N(0, 1.2 dB) + 0.25 dB a semitone above the hum's median
pitch, a 0-3 dB arch over each legato phrase and a 0-2.5 dB/s decay. ``hum_synth.hum`` (generated,
familiar, wide) sings every note at one level. Measured (pitch line off; AUC 0.5 = no cue; the level's
own phase right / hums, chance in brackets): dev 0.522, 14/40 (14.7); r1 0.483, 23/60 (24.8); r2 0.518,
27/60 (24.2); r3 0.515, 28/60 (25.3); wide 0.408, 21/96 (36.2); stress 10-15 clean 24/72 (26.5; raw 33/72). Raw (no
pitch line off) dev AUC 0.570 is the generator's pitch term (the designed levels give 0.575). On the 43
hums of dev, wide and r1-r3 read in the wrong bar phase (``phase_diag.py --cues --items``) the level's
phase is the reference one on 19 raw, about chance. The positive control (``--inject-db``) shows the
measurement would read a real accent: wide with the 1.2 dB per-note spread and a 1 dB downbeat accent
gives AUC 0.665 and the right phase on 79/96 hums (all 14 wrong-phase hums), 0.5 dB 50/96.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "audio"))

import bench_rhythm  # noqa: E402
from humitout.audio.decode import decode_audio  # noqa: E402
from humitout.audio.notes.levels import frame_energy_db  # noqa: E402

HOP_S = 0.01


def note_levels(audio: bytes, notes: np.ndarray, attack_s: float) -> np.ndarray:
    """Loudest frame energy (dB) within ``attack_s`` of each note's onset (and before its offset)."""
    x, sr = decode_audio(audio)
    n = int(len(x) / sr / HOP_S) + 1
    e = frame_energy_db(x, sr, n, HOP_S)
    out = np.empty(len(notes))
    for k, (on, off, _) in enumerate(notes):
        a = int(round(on / HOP_S))
        b = max(a + 1, min(int(round(min(on + attack_s, off) / HOP_S)) + 1, n))
        out[k] = e[min(a, n - 1):b].max() if a < n else -120.0
    return out


def accents(level: np.ndarray, notes: np.ndarray, context: int, residual: str) -> np.ndarray:
    """Each note's level minus the median of its ``context`` neighbours each side; with ``residual``
    ``pitch`` the hum's least-squares line on pitch is taken off first, with ``notes`` its plane on pitch,
    log2 note length and log2 inter-onset interval (what the notes already say: pitch and duration
    accents)."""
    lv = level.astype(float).copy()
    midi = notes[:, 2]
    if residual != "none" and len(lv) > 5:
        cols = [midi - np.median(midi)]
        if residual == "notes":
            length = np.maximum(notes[:, 1] - notes[:, 0], 0.02)
            ioi = np.r_[np.diff(notes[:, 0]), length[-1]]
            cols += [np.log2(length / np.median(length)), np.log2(np.maximum(ioi, 0.02) / np.median(ioi))]
        X = np.column_stack(cols + [np.ones(len(lv))])
        coef, *_ = np.linalg.lstsq(X, lv, rcond=None)
        lv = lv - X[:, :-1] @ coef[:-1]
    acc = np.empty(len(lv))
    for i in range(len(lv)):
        nb = np.r_[lv[max(0, i - context):i], lv[i + 1:i + 1 + context]]
        acc[i] = lv[i] - np.median(nb) if len(nb) else 0.0
    return acc


def positions(onsets: np.ndarray, beats: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """(beat index or -1, beat_in_bar or 0) of each onset on the reference beats (time_s, beat_in_bar)."""
    bt, bib = beats[:, 0], beats[:, 1].astype(int)
    per = float(np.median(np.diff(bt))) if len(bt) > 1 else 0.5
    idx = np.full(len(onsets), -1)
    pos = np.zeros(len(onsets), int)
    for k, t in enumerate(onsets):
        j = int(np.argmin(np.abs(bt - t)))
        if abs(bt[j] - t) <= tol * per:
            idx[k], pos[k] = j, bib[j]
    return idx, pos


def phase_vote(acc: np.ndarray, idx: np.ndarray, beats: np.ndarray) -> tuple[int, int, int]:
    """(the level cue's phase, the reference phase, bar length) on the reference beat grid: the phase
    p whose beats (j - p) % bar == 0 have the largest mean accent minus the other on-beat notes'."""
    bib = beats[:, 1].astype(int)
    bar = int(bib.max())
    ref = int((-(bib[0] - 1)) % bar)   # beat index j is a downbeat when (j - ref) % bar == 0
    on = idx >= 0
    best, best_p = -np.inf, -1
    for p in range(bar):
        one = on & ((idx - p) % bar == 0)
        rest = on & ~one
        if one.sum() == 0 or rest.sum() == 0:
            continue
        s = acc[one].mean() - acc[rest].mean()
        if s > best:
            best, best_p = s, p
    return best_p, ref, bar


def wide_with_accent(accent_db: float, level_sd_db: float = 0.0) -> list[dict]:
    """The wide familiar set hummed as ``bench_rhythm.familiar_wide_items`` does, but every note that
    starts on a reference downbeat sung ``accent_db`` louder (a 20 ms gain ramp at its edges), every note
    also ``level_sd_db`` of random level (the shared generator's per-note spread is 1.2 dB): a positive
    control, what the measurement reads where a singer does press the downbeat."""
    import rhythm_tunes
    from hum_synth import hum, phone, wav_bytes
    items = []
    for k, (name, (meter, _, _)) in enumerate(rhythm_tunes.FAMILIAR_WIDE.items()):
        for bpm in bench_rhythm.WIDE_TEMPI[meter]:
            tune = rhythm_tunes.familiar_wide(name, bpm, seed=100 + k)
            x = hum([tuple(v) for v in tune.notes], seed=100 + k)
            _, pos = positions(tune.notes[:, 0], tune.beats, 0.15)
            sr = 32000
            gain = np.zeros(len(x))
            rng = np.random.default_rng(100 + k)
            for (on, off, _), p in zip(tune.notes, pos):
                gain[int(on * sr):int(off * sr)] = accent_db * (p == 1) + level_sd_db * rng.standard_normal()
            ramp = np.hanning(int(0.02 * sr))
            gain = np.convolve(gain, ramp / ramp.sum(), "same")
            x = x * 10 ** (gain / 20)
            x = x / (np.abs(x).max() + 1e-9) * 0.3
            items.append(bench_rhythm._item(tune, wav_bytes(phone(x)), f"{name}@{bpm:g}"))
    return items


def items_of(name: str, conditions: list[str], inject_db: float = 0.0,
             level_sd_db: float = 0.0) -> list[tuple[str, list[dict], list]]:
    """[(label, items, designed levels or None per item)] of a set name."""
    if name == "wide" and (inject_db or level_sd_db):
        sets = [(f"wide +{inject_db:g} dB b1 sd {level_sd_db:g}", wide_with_accent(inject_db, level_sd_db))]
    elif name == "dev":
        sets = [("dev", bench_rhythm.corpus_items(None))]
    elif name.startswith("r") and name[1:].isdigit():
        sets = [(name, bench_rhythm.corpus_items(None, Path(f"/work/data/{name}/data"), "heldout"))]
    elif name == "wide":
        sets = [("wide", bench_rhythm.familiar_wide_items())]
    elif name == "familiar":
        sets = [("familiar", bench_rhythm.familiar_items())]
    elif name.startswith("g"):
        sets = [(name, bench_rhythm.generated_items(30, int(name[1:])))]
    elif name.startswith("s"):
        root = Path(f"/work/data/stress-corpus/seed{name[1:]}-items12")
        sets = [(f"{name} {c}", bench_rhythm.stress_items(root / c)) for c in conditions]
    else:
        raise SystemExit(f"unknown set {name}")
    out = []
    for label, items in sets:
        designed = []
        for it in items:
            wav = it["ref"].get("wav")
            meta = Path(wav).with_suffix(".json") if wav else None
            lv = None
            if meta is not None and meta.exists():
                m = json.loads(meta.read_text())
                if "notes" in m and len(m["notes"]) == len(it["notes"]):
                    lv = np.array([nt["level_db"] for nt in m["notes"]])
            designed.append(lv)
        out.append((label, items, designed))
    return out


def summarise(label: str, per_item: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
              wrong: set[str]) -> None:
    """Print the figures of one set: per_item (id, accent, beat index, beat_in_bar, beats)."""
    down, other, off, aucs, right, hums, chance = [], [], [], [], 0, 0, []
    wrong_right = wrong_n = 0
    for iid, acc, idx, pos, beats in per_item:
        d, o = acc[pos == 1], acc[(pos > 1)]
        down += list(d)
        other += list(o)
        off += list(acc[idx < 0])
        if len(d) and len(o):
            aucs.append(float(np.mean((d[:, None] > o[None, :]) + 0.5 * (d[:, None] == o[None, :]))))
        p, ref, bar = phase_vote(acc, idx, beats)
        if bar >= 2 and p >= 0:
            hums += 1
            right += p == ref
            chance.append(1.0 / bar)
            if iid in wrong:
                wrong_n += 1
                wrong_right += p == ref
    f = lambda v: f"{np.mean(v):+.2f} (n {len(v)})" if len(v) else "  -  "
    w = f"; on the listed wrong-phase hums {wrong_right}/{wrong_n}" if wrong_n else ""
    print(f"  {label:28s} downbeat {f(down)}  other beats {f(other)}  between {f(off)}  "
          f"AUC {np.mean(aucs):.3f} ({len(aucs)} hums)  level phase right {right}/{hums} "
          f"(chance {np.sum(chance):.1f}){w}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["dev"])
    ap.add_argument("--conditions", nargs="+", default=["clean", "speaker", "babble", "ns_agc", "amr", "noise"])
    ap.add_argument("--attack", type=float, default=0.08, help="s after the onset read for the attack level")
    ap.add_argument("--context", type=int, default=3, help="neighbours each side for the local level")
    ap.add_argument("--tol", type=float, default=0.15, help="on a beat: within this share of a beat period")
    ap.add_argument("--residual", choices=["none", "pitch", "notes"], default="none",
                    help="take each hum's level line on pitch (or on pitch, length and IOI) off first")
    ap.add_argument("--wrong", default="", help="file of item ids read in the wrong bar phase (one a line)")
    ap.add_argument("--inject-db", type=float, default=0.0,
                    help="wide only: hum every downbeat note this much louder (a positive control)")
    ap.add_argument("--level-sd", type=float, default=0.0,
                    help="wide only, with --inject-db: random per-note level (dB) as well")
    a = ap.parse_args()
    wrong = set(Path(a.wrong).read_text().split()) if a.wrong else set()
    for name in a.sets:
        for label, items, designed in items_of(name, a.conditions, a.inject_db, a.level_sd):
            meas, des = [], []
            for it, lv in zip(items, designed):
                notes = np.asarray(it["notes"], float)
                beats = np.asarray(it["beats"], float)
                idx, pos = positions(notes[:, 0], beats, a.tol)
                lev = note_levels(it["audio"], notes, a.attack)
                meas.append((it["ref"]["id"], accents(lev, notes, a.context, a.residual), idx, pos, beats))
                if lv is not None:
                    des.append((it["ref"]["id"], accents(lv, notes, a.context, a.residual), idx, pos, beats))
            summarise(label + " audio", meas, wrong)
            if des:
                summarise(label + " designed", des, wrong)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
