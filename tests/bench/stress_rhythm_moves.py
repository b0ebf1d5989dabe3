#!/usr/bin/env python3
"""Phone stress corpus: the hums whose bar reading moves between two ``analyse_rhythm`` keyword variants,
the rhythm re-derived from a stress bench json's transcribed notes (``est``), in seconds a seed.

Per seed: how many hums move (meter, downbeats or pickup), and over them the downbeat F, score position
and pickups right of the base variant and of the new one, against the item's reference beats
(``bench_rhythm.stress_items``); the moved hums are named except on the held-back seeds 32-35 (figures
only). The transcription bench's note figures are the base's by construction: the rhythm runs after the
notes.

    HUMITOUT_BENCH_DIR=/work/shared/bench/melody .venv/bin/python tests/bench/stress_rhythm_moves.py \\
        --base pickup_bar_quarters=False --kw pickup_bar_quarters=True -- /work/runs/s37/m37-1{0,1}.json
"""
from __future__ import annotations

import argparse
import ast
import json
import sys
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_rhythm as br  # noqa: E402

from humitout.audio.rhythm import analyse_rhythm  # noqa: E402
from humitout.audio.transcribe import rhythm_fields  # noqa: E402
from humitout.models import Analysis, Note  # noqa: E402

HELD_BACK = {32, 33, 34, 35}
STRESS_ROOT = Path("/work/data/stress-corpus")


def _keywords(specs: list[str]) -> dict:
    return {k: ast.literal_eval(v) for k, v in (s.split("=", 1) for s in specs)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("jsons", nargs="+", type=Path, help="stress bench results, <prefix>-<seed>.json")
    ap.add_argument("--base", nargs="*", default=[], help="analyse_rhythm keywords of the base, name=python-literal")
    ap.add_argument("--kw", nargs="*", default=[], help="analyse_rhythm keywords of the variant")
    ap.add_argument("--root", type=Path, default=STRESS_ROOT, help="the stress corpus (seed<N>-items12 folders)")
    a = ap.parse_args(argv)
    base, variant = _keywords(a.base), _keywords(a.kw)
    warnings.simplefilter("ignore")
    for path in a.jsons:
        seed = int(path.stem.split("-")[-1])
        results = json.loads(path.read_text())["results"]
        moved, total = 0, 0
        dbf, sp, pickups = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
        for res in results:
            refs = {it["ref"]["id"]: it for it in br.stress_items(a.root / f"seed{seed}-items12" / res["set"])}
            for item in res["items"]:
                est = np.array(item.get("est") or [], float)
                if est.ndim != 2 or len(est) < 4:
                    continue
                total += 1
                on, off, midi = est[:, 0], est[:, 1], est[:, 2]
                duration = float(item.get("duration") or off.max() + 0.5)
                readings = [analyse_rhythm(on, off, midi, duration, **kw) for kw in (base, variant)]
                r0, r1 = readings
                if r0.beats_per_bar == r1.beats_per_bar and r0.pickup_beats == r1.pickup_beats \
                        and len(r0.downbeats_s) == len(r1.downbeats_s) and np.allclose(r0.downbeats_s, r1.downbeats_s):
                    continue
                moved += 1
                ref = refs.get(item["id"])
                row = []
                if ref is not None:
                    notes = [Note.model_construct(onset_s=float(x), offset_s=float(y), midi=float(z), confidence=1.0)
                             for x, y, z in est]
                    for k, r in enumerate(readings):
                        analysis = Analysis.model_construct(notes=notes, duration_s=duration, **rhythm_fields(r))
                        scores = br.rhythm_row(analysis, ref["ref"], ref["pickup"])
                        position = br.score_positions(analysis, ref["notes"], ref["beats"], ref.get("score_beats"))
                        dbf[k] += scores["downbeat_F"]
                        sp[k] += position
                        pickups[k] += scores["pickup_ok"]
                        row.append(f"{scores['downbeat_F']:.2f}/{position:.2f}")
                if seed not in HELD_BACK:
                    print(f"  s{seed} {res['set']}/{item['id']}: {r0.time_signature.text} pickup {r0.pickup_beats} -> "
                          f"{r1.time_signature.text} pickup {r1.pickup_beats}; downbeat F / score position "
                          + (" -> ".join(row) if row else "?"))
        print(f"s{seed}: {moved} of {total} hums moved; over them downbeat F {dbf[0]:.2f} -> {dbf[1]:.2f}, "
              f"score position {sp[0]:.2f} -> {sp[1]:.2f}, pickups right {pickups[0]:.0f} -> {pickups[1]:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
