#!/usr/bin/env python3
"""Per-item diagnostic of the meter class decision, on cached transcriptions (about a second an item).

``--dump`` reads each item's notes from a ``bench_rhythm.py --cache`` folder (transcribing only what
is not cached there) and keeps them with the item's references in a pickle; without it the pickles
are read back and :func:`humitout.audio.rhythm.analyse_rhythm` is run on every item again, printing
the reference and the estimated meter class, the tempo ratio (estimated / reference beat) and each
cue of the meter decision on the chosen grid (the quarter grid of a 6/8 written from a 3/4 reading):
the best :func:`meter_scores` per bar length, the note-rate lean and the notation-model term of
2/4 against 4/4 (each added to 2/4 and taken from 4/4) and the margin of 2/4 over 4/4 with both
(positive: 2/4; it decides only when 2 or 4 beats are chosen) and the triple test
(:func:`humitout.audio.rhythm.triple_gap`, positive: three beats; not used for dance-like tunes and
3-beat readings that sit as 6/8); then the accuracy, the confusion table per set and the meter errors
split by :func:`error_kind`: those on the wrong quarter-note level (the beat level's, not the meter
decision's) and, on the right one, 2/4 against 4/4, two or four beats against three, and 3/4 against 6/8.

    .venv/bin/python tests/bench/diag_meter.py --dump --set dev --cache out/rcache
    .venv/bin/python tests/bench/diag_meter.py --dump --set r1 --cache out/rcache-h1 --data /tmp/hum-bench/r1/data
    .venv/bin/python tests/bench/diag_meter.py dev r1 r2 [--kw notation_weight=0] [--wrong]

Sets: ``dev``, ``gen7000``, ``gen9000`` (generated, seed 7000 / 9000: 40 tunes), ``familiar``, ``wide``
(the wide familiar set, 32 tunes at three tempi), or any
name with ``--data DIR`` (its ``heldout`` set). Pickles go to ``out/diag/<set>.pkl``.
"""
from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_rhythm  # noqa: E402

from humitout.audio import rhythm as R  # noqa: E402

OUT = HERE.parents[1] / "out" / "diag"
CLASSES = ("2/4", "4/4", "3/4", "6/8")
KINDS = ("level", "2/4-4/4", "duple-triple", "3/4-6/8", "other")


def quarters_per_beat(meter: str) -> float:
    """Quarter notes a notated beat of a meter class: 1.5 in compound time (6/8, 9/8, 12/8), else 1 (also
    for a class that is not a fraction)."""
    if "/" not in meter:
        return 1.0
    num, den = (int(x) for x in meter.split("/"))
    return 1.5 if den == 8 and num % 3 == 0 else 1.0


def error_kind(ref: str, est: str, quarter_ratio: float, *, tolerance_octaves: float = 0.1) -> str | None:
    """Why the meter class ``est`` is not the reference ``ref``: None when it is; ``level`` when the
    estimated quarter note is not the reference's (``quarter_ratio``, estimated / reference quarter
    tempo, more than ``tolerance_octaves`` from 1: the beat level's choice, a bar of the right length
    may still read as another meter); on the right quarter level, ``2/4-4/4``, ``duple-triple`` (two
    or four beats a bar against three: 3/4, or 6/8 read on its quarters), ``3/4-6/8`` or ``other``."""
    if est == ref:
        return None
    if abs(np.log2(quarter_ratio)) > tolerance_octaves:
        return "level"
    pair = {ref, est}
    if pair == {"2/4", "4/4"}:
        return "2/4-4/4"
    if pair == {"3/4", "6/8"}:
        return "3/4-6/8"
    duple, triple = {"2/4", "4/4"}, {"3/4", "6/8"}
    if pair & duple and pair & triple:
        return "duple-triple"
    return "other"


def dump(set_name: str, cache: Path, data: Path | None) -> list[dict]:
    """The items of ``set_name`` with their cached notes (onsets, offsets, MIDI, duration)."""
    if set_name.startswith("gen"):
        items = bench_rhythm.generated_items(40, int(set_name[3:]))
    elif set_name == "familiar":
        items = bench_rhythm.familiar_items()
    elif set_name == "wide":
        items = bench_rhythm.familiar_wide_items()
    else:
        items = bench_rhythm.corpus_items(None, data, "heldout" if data else "dev")
    out = []
    for item in items:
        a = bench_rhythm.analyse(item["audio"], cache)
        out.append({"id": item["ref"]["id"], "group": item.get("group"), "meter": item["ref"]["meter_class"],
                    "notated": item["ref"].get("meter"), "beat_bpm": item["ref"]["beat_bpm"],
                    "on": np.array([n.onset_s for n in a.notes]), "off": np.array([n.offset_s for n in a.notes]),
                    "midi": np.array([n.midi for n in a.notes]), "duration": a.duration_s})
    return out


def votes(item: dict, kw: dict) -> dict:
    """The estimated meter class, tempo ratio and the meter cues on the chosen grid."""
    on, off, midi = item["on"], item["off"], item["midi"]
    r = R.analyse_rhythm(on, off, midi, item["duration"], **kw)
    est = r.time_signature.text if r.time_signature.text in CLASSES else "other"
    ratio = r.beat_bpm / item["beat_bpm"]
    quarter_ratio = r.quarter_bpm / (item["beat_bpm"] * quarters_per_beat(item["meter"]))
    grid = r
    if r.compound and r.beats_per_bar == 2:
        simple = R.analyse_rhythm(on, off, midi, item["duration"], **{
            **kw, "compound_notation_boundary": None})
        if not simple.compound:
            grid = simple
    order = np.argsort(on)
    on, off, midi = on[order], off[order], midi[order]
    lengths = R.note_lengths(on, off)
    beats = grid.beats_s
    scores = R.meter_scores(on, lengths, off, midi, beats, grid.compound)
    by = {m: max(s for (k, _), s in scores.items() if k == m) for m in {k for k, _ in scores}}
    end = float(max(off.max(), on.max() + 0.05))
    rate = R.note_rate(on, end, beats)
    row = {"est": est, "ratio": ratio, "kind": error_kind(item["meter"], est, quarter_ratio), "rate": rate, "by": by,
           "lean": None, "notation": None, "triple": None}
    if not grid.compound:
        row["triple"] = R.triple_gap(R.meter_scores(on, lengths, off, midi, beats, False, beat_weight=0.0),
                                     R.bar_notation_scores(on, lengths, midi, beats), len(on))
        row["lean"] = kw.get("duple_rate_weight", 1.3) * float(np.log2(rate / np.sqrt(2.0)))
        learned = R.notation_scores(on, lengths, midi, beats, False)
        row["notation"] = kw.get("notation_weight", 0.5) * (
            max(learned[(2, p)] for p in range(2)) - max(learned[(4, p)] for p in range(4))) / 2
        row["margin"] = by[2] - by[4] + 2 * row["lean"] + 2 * row["notation"]
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sets", nargs="*", default=["dev"])
    ap.add_argument("--dump", action="store_true")
    ap.add_argument("--set", default=None, help="with --dump: the set to dump")
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--kw", nargs="*", default=[], help="analyse_rhythm keywords, name=value (Python literal)")
    ap.add_argument("--wrong", action="store_true", help="print only the items whose meter class is wrong")
    ap.add_argument("--quiet", action="store_true", help="summaries only")
    a = ap.parse_args(argv)
    if a.dump:
        OUT.mkdir(parents=True, exist_ok=True)
        items = dump(a.set, a.cache, a.data)
        (OUT / f"{a.set}.pkl").write_bytes(pickle.dumps(items))
        print(f"{a.set}: {len(items)} items")
        return 0
    import ast
    kw = {k: ast.literal_eval(v) for k, v in (s.split("=", 1) for s in a.kw)}
    for set_name in a.sets:
        items = pickle.loads((OUT / f"{set_name}.pkl").read_bytes())
        confusion: Counter = Counter()
        kinds: Counter = Counter()
        groups: dict = {}
        for item in items:
            v = votes(item, kw)
            ok = v["est"] == item["meter"]
            confusion[(item["meter"], v["est"])] += 1
            kinds[v["kind"]] += 1
            groups.setdefault(item["group"], []).append(ok)
            if a.quiet or (a.wrong and ok):
                continue
            by = " ".join(f"{m}:{v['by'][m]:+.2f}" for m in sorted(v["by"]))
            duple = "" if v["lean"] is None else (f" lean {v['lean']:+.2f} notation {v['notation']:+.2f}"
                                                  f" 2/4-4/4 {v['margin']:+.2f} triple {v['triple']:+.2f}")
            print(f"{'  ' if ok else '!!'} {v['kind'] or '':>12s} {item['id']:>22s} "
                  f"{str(item['group'] or '')[:12]:>12s} ref {item['meter']} ({item['notated']}) est {v['est']} x{v['ratio']:.2f} "
                  f"rate {v['rate']:.2f} | {by}{duple}")
        n = sum(confusion.values())
        acc = sum(c for (r, e), c in confusion.items() if r == e) / n
        print(f"== {set_name}: meter {acc:.3f} ({n} items)" + "".join(
            f"  {g}: {np.mean(v):.3f}" for g, v in sorted(groups.items(), key=str) if g))
        for rc in CLASSES:
            row = [confusion.get((rc, c), 0) for c in CLASSES + ("other",)]
            if sum(row):
                print(f"   {rc}: " + " ".join(f"{k:3d}" for k in row))
        print("   errors: " + "  ".join(f"{k} {kinds[k]}" for k in KINDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
