#!/usr/bin/env python3
"""Which rhythm cue moved, for every phone-stress item whose score position leaves its clean twin's:
for each stress seed and condition, the items (``bench_rhythm.stress_items``) whose score position
differs from the same melody's clean performance by more than ``--min`` (default 0.15), with, for the
clean and the condition reading side by side, what :func:`humitout.audio.rhythm.analyse_rhythm`
decided and the cues it decided from:

- the reading before the 3/4 -> 6/8 rewrite (``compound_notation_boundary=None``: bar length, and
  ``c`` for a compound grid) and, for a 3/4 reading, :func:`~humitout.audio.rhythm.compound_log_ratio`
  (rewritten as 6/8 above 19.8 nats);
- the number of notes, the beat period (s) and the first beat (s): a moved grid is a beat-tracking
  change, not a bar decision;
- the best :func:`~humitout.audio.rhythm.meter_scores` per bar length of 2, 3 and 4 beats;
- per bar phase: the template score, the mean log pickup prior over
  :func:`~humitout.audio.rhythm.phrase_starts` and 0.5 x :func:`~humitout.audio.rhythm.phrase_end_scores`.

    .venv/bin/python tests/bench/stress_flips.py --seeds 10 11 12 --cache out/rc4-stress
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_rhythm as br  # noqa: E402
from bench_transcribe import stress_conditions, stress_corpus  # noqa: E402

from humitout.audio import rhythm as R  # noqa: E402


def cues(analysis) -> str:
    """One line: the pre-rewrite reading, grid, meter scores and phase cues of ``analysis``'s notes."""
    notes = sorted(analysis.notes, key=lambda n: n.onset_s)
    on = np.array([n.onset_s for n in notes])
    off = np.array([n.offset_s for n in notes])
    midi = np.array([n.midi for n in notes])
    r = R.analyse_rhythm(on, off, midi, analysis.duration_s, compound_notation_boundary=None)
    beats, m = np.asarray(r.beats_s), r.beats_per_bar
    lengths = R.note_lengths(on, off)
    line = f"{m}{'c' if r.compound else ''} n {len(on)} period {np.median(np.diff(beats)):.3f} first {beats[0]:.2f}"
    if m == 3 and not r.compound:
        dotted = R._regrouped(beats, r.downbeat_index % 3 - 3, 1.5)
        line += f" ratio {R.compound_log_ratio(on, lengths, midi, beats, dotted):.1f}"
    scores = R.meter_scores(on, lengths, off, midi, beats, r.compound)
    best = {k: max(v for (b, _), v in scores.items() if b == k) for k in sorted({b for b, _ in scores})}
    line += " | meter " + " ".join(f"{k}:{v:.2f}" for k, v in best.items())
    starts = R.phrase_starts(on, beats)
    ends = R.phrase_end_scores(on, off, beats, m, r.compound)
    line += f" | chosen phase {r.downbeat_index % m}:"
    for ph in range(m):
        pickup = float(np.mean([np.log(R._pickup_prior(p, ph, m)) for p in starts]))
        line += f" [{ph}] tmpl {scores[(m, ph)]:.2f} pick {pickup:.2f} end {0.5 * ends[ph]:.2f}"
    return line


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[10, 11, 12])
    ap.add_argument("--cache", type=Path, default=Path("out/rc4-stress"))
    ap.add_argument("--min", type=float, default=0.15, help="score-position change from clean that is listed")
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    for seed in a.seeds:
        root = stress_corpus(seed, 12)
        clean = {}
        for cond in stress_conditions(root):
            for item in br.stress_items(root / cond):
                analysis = br.analyse(item["audio"], a.cache)
                row = br.rhythm_row(analysis, item["ref"], item["pickup"])
                pos = br.score_positions(analysis, item["notes"], item["beats"])
                mine = (pos, row["est_class"], analysis.pickup_beats, analysis)
                if cond == "clean":
                    clean[item["from"]] = mine
                    continue
                base = clean[item["from"]]
                if abs(pos - base[0]) <= a.min:
                    continue
                print(f"s{seed} {cond:9s} {item['from']} (ref {item['ref']['meter_class']}, pickup {item['pickup']}): "
                      f"score position {base[0]:.2f} -> {pos:.2f}, meter {base[1]} -> {mine[1]}, "
                      f"pickup {base[2]:g} -> {mine[2]:g}")
                print(f"    clean: {cues(base[3])}")
                print(f"    {cond}: {cues(analysis)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
