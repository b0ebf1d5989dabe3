#!/usr/bin/env python3
"""Breaths as a bar-line cue: what a note after a breath says about the bar phase, per corpus, and whether
the transcription hears the breaths (issue 9, stop 32).

The corpus generator (``../shared/bench/melody/humsynth.py``) cuts a note short for a breath at each
notated rest and, every 4-8 s, after a note of the median length or longer; each performed note records
``breath_before``. Part 1 reads only the references (``<id>.json`` notes, ``<id>.beats.csv`` bars): for
each note after a breath in a 2-, 3- or 4-beat bar, the log prior of the pickup that the reference bar
phase implies for it as a phrase start (:func:`humitout.audio.rhythm._pickup_prior`, the prior
``analyse_rhythm`` gives phrase starts) minus the mean over the other phases: positive means a breath
marks where the bar starts, 0 that it says nothing. Part 2 (``--sets``, the ``phase_diag.py`` pickles of
cached transcriptions) counts how many reference breaths a transcribed silence of ``--gap`` seconds or
more before the matching note (within 70 ms) finds, and how many such silences are a breath or a
reference gap of 0.15 s or more.

    .venv/bin/python tests/bench/diag_breaths.py ../shared/bench/melody/data/dev /work/data/r1/data/heldout
    .venv/bin/python tests/bench/diag_breaths.py --sets dev r1 --gap 0.15
"""
from __future__ import annotations

import argparse
import ast
import csv
import json
import pickle
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from humitout.audio.rhythm import _pickup_prior

ROOT = Path(__file__).resolve().parents[2]


def performed_notes(meta: Path) -> list[dict]:
    """The performed notes of one corpus item (``<id>.json``)."""
    notes = json.loads(meta.read_text())["notes"]
    return notes if isinstance(notes, list) else ast.literal_eval(notes)


def breath_information(folder: Path) -> dict[int, tuple[float, int]]:
    """Per beats a bar (2, 3, 4): mean log-prior gain (nats) of the reference bar phase over the others for
    the notes after a breath, and how many such notes."""
    gains = defaultdict(list)
    for meta in sorted(folder.glob("*.json")):
        beats_csv = meta.with_name(meta.stem + ".beats.csv")
        if not beats_csv.exists():
            continue
        rows = list(csv.DictReader(beats_csv.open()))
        times = np.array([float(r["time_s"]) for r in rows])
        beat_in_bar = np.array([int(r["beat_in_bar"]) for r in rows])
        m = int(beat_in_bar.max())
        if m not in (2, 3, 4):
            continue
        for note in performed_notes(meta):
            j = int(np.searchsorted(times, note["onset"] - 1e-6)) - 1
            if not note.get("breath_before") or j < 0 or j + 1 >= len(times):
                continue
            pos = beat_in_bar[j] - 1 + (note["onset"] - times[j]) / (times[j + 1] - times[j])
            priors = [np.log(_pickup_prior(pos, ph, m)) for ph in range(m)]
            gains[m].append(priors[0] - float(np.mean(priors[1:])))
    return {m: (float(np.mean(g)), len(g)) for m, g in sorted(gains.items())}


def breath_detection(items: list[dict], gap_s: float) -> tuple[float, int, float, int]:
    """(recall, reference breaths, precision, transcribed silences) of transcribed silences of ``gap_s``
    or more as breaths, over ``phase_diag.py`` items."""
    found = missed = right = wrong = 0
    for item in items:
        ref = performed_notes(Path(item["ref"]["wav"]).with_suffix(".json"))
        ref_on = np.array([n["onset"] for n in ref])
        ref_gap = np.r_[np.inf, ref_on[1:] - np.array([n["offset"] for n in ref])[:-1]]
        breath = np.array([bool(n.get("breath_before")) for n in ref])
        notes = item["analysis"].notes
        on = np.array([n.onset_s for n in notes])
        gap = np.r_[np.inf, on[1:] - np.array([n.offset_s for n in notes])[:-1]]
        for i in np.flatnonzero(breath[1:]) + 1:
            j = int(np.argmin(np.abs(on - ref_on[i])))
            hit = abs(on[j] - ref_on[i]) < 0.07 and gap[j] >= gap_s
            found, missed = found + hit, missed + (not hit)
        for j in np.flatnonzero(gap[1:] >= gap_s) + 1:
            i = int(np.argmin(np.abs(ref_on - on[j])))
            ok = abs(ref_on[i] - on[j]) < 0.07 and (breath[i] or ref_gap[i] >= 0.15)
            right, wrong = right + ok, wrong + (not ok)
    return found / max(found + missed, 1), found + missed, right / max(right + wrong, 1), right + wrong


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folders", nargs="*", type=Path, help="corpus set folders (<id>.json, <id>.beats.csv)")
    ap.add_argument("--sets", nargs="*", default=[], help="phase_diag.py pickles (out/phase-diag/<set>.pkl)")
    ap.add_argument("--gap", type=float, nargs="+", default=[0.12, 0.15, 0.2, 0.25], help="silences (s)")
    a = ap.parse_args(argv)
    for folder in a.folders:
        info = breath_information(folder)
        print(f"{folder}: " + "  ".join(f"{m} beats {g:+.3f} nats a breath (n {n})" for m, (g, n) in info.items()))
    for name in a.sets:
        items = pickle.loads((ROOT / "out" / "phase-diag" / f"{name}.pkl").read_bytes())
        for gap in a.gap:
            recall, n_ref, precision, n_gap = breath_detection(items, gap)
            print(f"{name} silence >= {gap} s: recall {recall:.2f} of {n_ref} breaths, precision {precision:.2f} of {n_gap}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
