#!/usr/bin/env python3
"""Per-item diagnostic of the beat level (tempo octave), on the pickles of ``diag_meter.py --dump``.

For every item whose tempo is not within 4 % of the reference beat (``bench_rhythm.py``'s figure:
:attr:`humitout.audio.rhythm.Rhythm.beat_bpm` against ``beats_index.csv``'s ``beat_bpm``, the notated
beat: the quarter in 2/4, 3/4, 4/4, the half in 2/2 "C|", the dotted quarter in 6/8) it prints the
reference and the estimated meter, both tempi and the ratio class (x2: counted at twice the notated
beat rate, e.g. a 2/4 tune at its eighths; x3: a 6/8 tune at its eighths; x1.5 / x0.67: the quarter
level with the wrong kind of beat, simple for compound or back), then the count per class and
source collection.

    .venv/bin/python tests/bench/diag_meter.py --dump --set r1 --cache out/rc2-h1 --data /tmp/hum-bench/r1/data
    .venv/bin/python tests/bench/diag_beat_level.py r1 r2 dev [--kw tactus_octaves=0.1]
"""
from __future__ import annotations

import argparse
import ast
import pickle
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from humitout.audio.rhythm import analyse_rhythm

OUT = Path(__file__).resolve().parents[2] / "out" / "diag"
TOLERANCE = 0.04
RATIOS = (1.0, 2.0, 0.5, 3.0, 1 / 3, 4.0, 0.25, 1.5, 2 / 3)


def ratio_class(ratio: float) -> str:
    """``ok`` within 4 % of the reference beat, else the nearest of :data:`RATIOS` (``x2``) when within
    4 % of it, else the ratio itself (``~1.34``)."""
    if abs(ratio - 1.0) <= TOLERANCE:
        return "ok"
    k = min(RATIOS, key=lambda r: abs(np.log(ratio / r)))
    return f"x{k:.2f}" if abs(ratio / k - 1.0) <= TOLERANCE else f"~{ratio:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sets", nargs="+")
    ap.add_argument("--kw", nargs="*", default=[], help="analyse_rhythm keywords, name=value (Python literal)")
    a = ap.parse_args(argv)
    kw = {k: ast.literal_eval(v) for k, v in (s.split("=", 1) for s in a.kw)}
    for set_name in a.sets:
        items = pickle.loads((OUT / f"{set_name}.pkl").read_bytes())
        per_group: dict = defaultdict(Counter)
        for item in items:
            r = analyse_rhythm(item["on"], item["off"], item["midi"], item["duration"], **kw)
            label = ratio_class(r.beat_bpm / item["beat_bpm"])
            per_group[item["group"]][label] += 1
            if label != "ok":
                print(f"  {item['id']:>14s} {str(item['group'] or '')[:14]:>14s} ref {item['meter']} "
                      f"({item['notated']}) {item['beat_bpm']:6.1f} BPM  est {r.time_signature.text} "
                      f"{r.beat_bpm:6.1f} BPM  {label}")
        ok = sum(c["ok"] for c in per_group.values())
        print(f"== {set_name}: tempo within 4 % {ok / len(items):.3f} ({len(items)} items)")
        for group, counts in sorted(per_group.items(), key=str):
            print(f"   {group}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
