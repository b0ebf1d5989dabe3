#!/usr/bin/env python3
"""Where the tracked beat grid goes wrong, per item: tracked beats against the reference beats.

For each item of a corpus with beat references (``<id>.beats.csv``) the tracked beats (the analysis's
``beats_s``, on cached transcriptions as ``bench_rhythm.py --cache`` reads them) are placed on the
reference beats (fractional reference-beat index) and counted:

* ``level``: tracked beats a reference beat, the nearest of 1/3 ... 3 (1: the notated beat);
* ``ins`` / ``drop``: inserted beats (a run of steps shorter than 0.7 of the level) and dropped ones
  (steps of 1.5 levels or more, each missing beat once);
* ``off``: beats of stretches (two or more in a row) that sit half a beat off the reference beats;

with the item's score position as estimated, ``oracle-meter`` (reference meter and downbeat laid on
the tracked beats) and ``oracle-grid`` (reference beats): ``oracle-grid - oracle-meter`` is what the
tracked beat times cost, ``oracle-meter - estimated`` what the meter / beat level / bar phase cost.
A loss is ``partial`` when the estimate keeps part of the notes in place (score position over 0.15),
so that a bar phase re-synchronised inside the tune could win it back.

    PYTHONPATH=layers/core/python python tests/bench/grid_diag.py --cache CACHE [--data DATA --set heldout]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_rhythm as br  # noqa: E402

LEVELS = (1 / 3, 1 / 2, 2 / 3, 1.0, 3 / 2, 2.0, 3.0)


def grid_errors(tracked_s: np.ndarray, ref_s: np.ndarray) -> dict:
    """Beat level, inserted, dropped and off-beat (half a beat off) tracked beats against the reference
    beats (s each), counted inside the reference span (see the module docstring)."""
    idx = np.arange(len(ref_s), dtype=float)
    first, last = ref_s[1] - ref_s[0], ref_s[-1] - ref_s[-2]
    keep = (tracked_s >= ref_s[0] - 0.3 * first) & (tracked_s <= ref_s[-1] + 0.3 * last)
    t = tracked_s[keep]
    p = np.where(t < ref_s[0], (t - ref_s[0]) / first,
                 np.where(t > ref_s[-1], idx[-1] + (t - ref_s[-1]) / last, np.interp(t, ref_s, idx)))
    if len(p) < 3:
        return {"level": np.nan, "ins": 0, "drop": 0, "off": 0}
    level = min(LEVELS, key=lambda r: abs(np.log(np.median(np.diff(p)) / r)))
    steps = np.diff(p) / level
    short = steps < 0.7
    ins = int(short[0] + np.sum(short[1:] & ~short[:-1]))
    drop = int(sum(round(s) - 1 for s in steps if s > 1.5))
    phase = (p / min(level, 1.0)) % 1.0
    off = np.abs(phase - 0.5) < 0.2
    in_run = off & (np.r_[False, off[:-1]] | np.r_[off[1:], False])
    return {"level": level, "ins": ins, "drop": drop, "off": int(in_run.sum())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True, help="transcription cache (bench_rhythm.py --cache)")
    ap.add_argument("--data", type=Path, default=None, help="corpus folder (default: the shared corpus)")
    ap.add_argument("--set", default="dev")
    a = ap.parse_args(argv)
    rows = []
    for item in br.corpus_items(None, a.data, a.set):
        analysis = br.analyse(item["audio"], a.cache)
        errors = grid_errors(np.asarray(analysis.beats_s, float), item["beats"][:, 0])
        sp = {o: br.score_positions(br.oracle_analysis(analysis, item, o), item["notes"], item["beats"],
                                    item.get("score_beats")) for o in br.ORACLES}
        rows.append((item["ref"]["id"], item["ref"]["meter_class"], analysis.time_signature.text, errors, sp))
    print(f"{'id':>12} {'ref':>4} {'est':>4} level ins drop off | estimated oracle-meter oracle-grid")
    for name, ref, est, e, sp in rows:
        print(f"{name:>12} {ref:>4} {est:>4} {e['level']:5.2f} {e['ins']:3d} {e['drop']:4d} {e['off']:3d} | "
              f"{sp['estimated']:9.2f} {sp['oracle-meter']:12.2f} {sp['oracle-grid']:11.2f}")
    n = len(rows)
    grid_loss = [r for r in rows if r[4]["oracle-grid"] - r[4]["oracle-meter"] > 0.1]
    meter_loss = [r for r in rows if r[4]["oracle-meter"] - r[4]["estimated"] > 0.1]
    partial = [r for r in meter_loss if r[4]["estimated"] > 0.15]
    print(f"items {n}; with inserted beats {sum(r[3]['ins'] > 0 for r in rows)}, dropped "
          f"{sum(r[3]['drop'] > 0 for r in rows)}, off-beat stretches {sum(r[3]['off'] > 0 for r in rows)}, "
          f"another level than the notated beat {sum(r[3]['level'] != 1.0 for r in rows)}")
    print(f"lost > 0.1 to the tracked beat times: {len(grid_loss)} (inserted/dropped "
          f"{sum(r[3]['ins'] + r[3]['drop'] > 0 for r in grid_loss)}, off-beat only "
          f"{sum(r[3]['ins'] + r[3]['drop'] == 0 and r[3]['off'] > 0 for r in grid_loss)}); mean "
          f"{np.mean([r[4]['oracle-grid'] - r[4]['oracle-meter'] for r in rows]):.3f}")
    phase = [r for r in meter_loss if r[1] == r[2] and r[3]["level"] == 1.0]
    level = [r for r in meter_loss if r[3]["level"] != 1.0]
    print(f"lost > 0.1 to meter / level / bar phase: {len(meter_loss)} (bar phase only {len(phase)}, beat level "
          f"{len(level)}, meter {len(meter_loss) - len(phase) - len(level)}; partial: {len(partial)}"
          f"{' ' + ' '.join(r[0] for r in partial) if partial else ''}); mean "
          f"{np.mean([r[4]['oracle-meter'] - r[4]['estimated'] for r in rows]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
