#!/usr/bin/env python3
"""Per-item diagnostic of the bar phase: how much of the score-position loss is the meter class and how
much the phase (meter class right, downbeats wrong), per set, from cached transcriptions in seconds.

The first run of a set gathers its items (the references and the transcription that
``bench_rhythm.py --cache DIR`` cached for its audio, by the current note code or else the newest) into ``out/phase-diag/<set>.pkl``; later runs
only derive the rhythm again (``analyse_rhythm`` with ``--kw name=value`` keywords) and score it.

Per set: meter accuracy, downbeat F, score position, and the score position with the best bar phase
on the estimated beats and meter class (``best phase``: what a perfect phase choice would give) and
with the reference meter class and downbeat on the tracked beats (``oracle-meter``). The loss
``best phase - estimated`` is the phase's, ``oracle-meter - best phase`` the meter class's (and beat
level's). ``--items`` lists each item whose meter class is right but whose phase is not.

    .venv/bin/python tests/bench/phase_diag.py [--sets dev g7000 g9000 familiar r1 r2] [--kw k=v ...] [--items]
        [--dump FILE] [--compare FILE]
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import json
import pickle
import sys
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_rhythm as br  # noqa: E402

from humitout.audio.rhythm import analyse_rhythm  # noqa: E402
from humitout.audio.transcribe import rhythm_fields  # noqa: E402
from humitout.models import Analysis  # noqa: E402

ROOT = HERE.parents[1]
SETS = {"dev": ("rc8", None), "g7000": ("rc8", 7000), "g9000": ("rc8", 9000),
        "familiar": ("rc8", "familiar"), "r1": ("rc8-h1", Path("/tmp/hum-bench/r1/data")),
        "r2": ("rc8-h2", Path("/tmp/hum-bench/r2/data"))}


def gather(name: str) -> list[dict]:
    """The set's items, each with its cached transcription (``analysis``), audio dropped."""
    path = ROOT / "out" / "phase-diag" / f"{name}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    cache, what = SETS[name]
    if what is None:
        items = br.corpus_items(None)
    elif what == "familiar":
        items = br.familiar_items()
    elif isinstance(what, int):
        items = br.generated_items(40, what)
    else:
        items = br.corpus_items(None, what, "heldout")
    code = br._notes_code_hash()
    for item in items:
        key = hashlib.sha1(item["audio"]).hexdigest()[:16]
        f = ROOT / "out" / cache / f"{key}-{code}.json"
        if not f.exists():   # a transcription by older note code (the newest one) rather than none
            f = max((ROOT / "out" / cache).glob(f"{key}-*.json"), key=lambda p: p.stat().st_mtime)
            print(f"{name}: {item['ref']['id']} transcribed by older note code ({f.name})", file=sys.stderr)
        item["analysis"] = Analysis.model_validate_json(f.read_text())
        del item["audio"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(items))
    return items


def derive(analysis: Analysis, kw: dict) -> Analysis:
    on = np.array([n.onset_s for n in analysis.notes])
    off = np.array([n.offset_s for n in analysis.notes])
    midi = np.array([n.midi for n in analysis.notes])
    return analysis.model_copy(update=rhythm_fields(analyse_rhythm(on, off, midi, analysis.duration_s, **kw)))


def evaluate(items: list[dict], kw: dict) -> list[dict]:
    rows = []
    for item in items:
        a = derive(item["analysis"], kw)
        row = br.rhythm_row(a, item["ref"], item["pickup"])
        sp = br.score_positions(a, item["notes"], item["beats"], item.get("score_beats"))
        beats = np.asarray(a.beats_s)
        per = a.time_signature.beats_per_bar
        first = int(np.argmin(np.abs(beats - a.downbeats_s[0]))) if a.downbeats_s else 0
        best = max(br.score_positions(br.with_grid(a, beats, first + k, a.time_signature.text), item["notes"],
                                      item["beats"], item.get("score_beats")) for k in range(per))
        om = br.score_positions(br.oracle_analysis(a, item, "oracle-meter"), item["notes"], item["beats"],
                                item.get("score_beats"))
        rows.append({"id": item["ref"]["id"], "group": item.get("group") or "", "meter_ok": row["meter_ok"],
                     "ref": item["ref"]["meter_class"], "est": row["est_class"], "db_F": row["downbeat_F"],
                     "pickup_ok": row["pickup_ok"], "sp": sp, "best_phase": best, "oracle_meter": om,
                     "phase_wrong": float(row["meter_ok"] and best - sp > 0.2)})
    return rows


def report(name: str, rows: list[dict], show_items: bool) -> None:
    def line(label: str, rs: list[dict]) -> str:
        m = {k: np.mean([r[k] for r in rs]) for k in ("meter_ok", "db_F", "pickup_ok", "sp", "best_phase",
                                                      "oracle_meter", "phase_wrong")}
        return (f"{label:<28s} n={len(rs):3d} meter {m['meter_ok']:.3f} dbF {m['db_F']:.3f} pickup {m['pickup_ok']:.3f}"
                f" sp {m['sp']:.3f} best-phase {m['best_phase']:.3f} oracle-meter {m['oracle_meter']:.3f}"
                f" | phase loss {m['best_phase'] - m['sp']:.3f} meter loss {m['oracle_meter'] - m['best_phase']:.3f}"
                f" phase-wrong items {int(round(m['phase_wrong'] * len(rs)))}")
    print(line(name, rows))
    groups = defaultdict(list)
    for r in rows:
        groups[r["group"]].append(r)
    if len(groups) > 1:
        for g, rs in sorted(groups.items()):
            print(line(f"  {g}", rs))
    if show_items:
        for r in rows:
            if r["phase_wrong"]:
                print(f"    {r['id']:<40s} {r['group']:<12s} {r['ref']} sp {r['sp']:.2f} best {r['best_phase']:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", nargs="+", default=list(SETS))
    ap.add_argument("--kw", nargs="*", default=[], help="analyse_rhythm keywords, name=python-literal")
    ap.add_argument("--items", action="store_true")
    ap.add_argument("--dump", type=Path, default=None, help="write the per-item rows here (JSON), to compare runs")
    ap.add_argument("--compare", type=Path, default=None, help="list the items whose score position moved from this dump")
    a = ap.parse_args(argv)
    kw = {k: ast.literal_eval(v) for k, v in (s.split("=", 1) for s in a.kw)}
    warnings.simplefilter("ignore")
    dump = {}
    before = json.loads(a.compare.read_text()) if a.compare else {}
    for name in a.sets:
        rows = evaluate(gather(name), kw)
        report(name, rows, a.items)
        dump[name] = rows
        for r, b in zip(rows, before.get(name, [])):
            if abs(r["sp"] - b["sp"]) > 0.05:
                print(f"    moved {r['id']:<16s} {r['group']:<20s} {r['ref']} -> {r['est']}: {b['sp']:.2f} -> {r['sp']:.2f}")
    if a.dump:
        a.dump.write_text(json.dumps(dump))
    return 0


if __name__ == "__main__":
    sys.exit(main())
