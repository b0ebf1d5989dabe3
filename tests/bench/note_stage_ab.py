#!/usr/bin/env python3
"""Note-stage A/B of a function's keyword defaults on any set folders: COnP / COnPOff per set, as they are and
with the defaults changed, and how many calls changed, went up or down.

The pitch model's frames (and the enhanced samples) of each item are cached as ``stress_note_errors.py`` caches them
(``out/note-errors-cache``), so a rerun costs only the rest of the front end and the note stage
(``stress_note_errors.transcribe``: :func:`front_end_from_track`, :func:`note_stage`); scored as the bench scores
(``evaluate.score_notes``, the mean of the items). Only keyword defaults can be changed this way (they are read at
each call); a module constant a default was built from is not.

    .venv/bin/python tests/bench/note_stage_ab.py \\
        --change humitout.audio.notes.reattack.vibrato_centre:min_cycles=2,return_st=0.35 \\
        --sets ../shared/bench/melody/data:dev out/stress-corpus/seed10-items12:vibrato [--out FILE.json]

A folder and set are ``FOLDER:SET`` (the harness's ``FOLDER/SET/SET_*.json``). Per set it prints
``COnP a -> b`` (as the code is -> with the change), the same for COnPOff, and ``changed / up / down`` counts of
calls whose notes or COnP moved.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import importlib
import json
import sys
import warnings
from multiprocessing import Pool
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_transcribe import BENCH_DIR, STRESS_ROOT  # noqa: E402

sys.path.insert(0, str(BENCH_DIR))
import evaluate as ev  # noqa: E402  (the shared harness)
import stress_note_errors as sne  # noqa: E402

CACHE = STRESS_ROOT.parent / "note-errors-cache"


def parse_change(spec: str):
    """(function, {keyword: value}) of ``module.function:name=value,name=value``."""
    where, _, assignments = spec.partition(":")
    module, _, name = where.rpartition(".")
    fn = getattr(importlib.import_module(module), name)
    values = {k: ast.literal_eval(v) for k, v in (a.split("=", 1) for a in assignments.split(",") if a)}
    unknown = set(values) - set(fn.__kwdefaults__ or {})
    if unknown:
        raise SystemExit(f"{where} has no keyword default {sorted(unknown)}")
    return fn, values


def model_inputs(folder: str, set_name: str, item) -> tuple:
    """What ``stress_note_errors.model_inputs`` caches, keyed by the folder too (any corpus, not only the stress one)."""
    key = hashlib.sha1(str(Path(folder).resolve()).encode()).hexdigest()[:10]
    return sne.cached_model_inputs(Path(item.wav), CACHE / f"ab_{Path(folder).name}_{key}_{set_name}_{item.id}.pkl")


def score(item, notes) -> tuple[float, float]:
    est = [(n.onset_s, n.offset_s, n.midi) for n in notes]
    intervals, midi = ev._clean_notes(est) if est else (np.zeros((0, 2)), np.zeros(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = ev.score_notes(item.ref_intervals, item.ref_midi, intervals, midi)
    return s["COnP_F"], s["COnPOff_F"]


def one_item(job) -> tuple[str, str, dict]:
    folder, set_name, item, spec = job
    d = model_inputs(folder, set_name, item)
    fn, values = parse_change(spec)
    as_is = dict(fn.__kwdefaults__)
    out = {}
    for name, defaults in (("as_is", as_is), ("changed", {**as_is, **values})):
        fn.__kwdefaults__.update(defaults)
        notes = sne.transcribe(d)[1]
        out[name] = (*score(item, notes), [(n.onset_s, n.offset_s, n.midi) for n in notes])
    fn.__kwdefaults__.update(as_is)
    return f"{folder}:{set_name}", item.id, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--change", required=True, help="module.function:name=value[,name=value]")
    ap.add_argument("--sets", nargs="+", required=True, help="FOLDER:SET ...")
    ap.add_argument("--out", type=Path, default=None, help="per-item COnP / COnPOff as they are and changed (JSON)")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args(argv)
    parse_change(a.change)   # fail early on a wrong name
    CACHE.mkdir(parents=True, exist_ok=True)
    jobs = [(folder, set_name, item, a.change) for spec in a.sets for folder, set_name in [spec.rsplit(":", 1)]
            for item in ev.load_set(folder, set_name)]
    results: dict[str, dict] = {}
    with Pool(a.workers) as pool:
        for key, item_id, out in pool.imap_unordered(one_item, jobs, chunksize=2):
            results.setdefault(key, {})[item_id] = out
    for key in sorted(results):
        items = results[key].values()
        cols = [np.mean([o[name][k] for o in items]) for name in ("as_is", "changed") for k in (0, 1)]
        changed = sum(o["as_is"][2] != o["changed"][2] for o in items)
        up = sum(o["changed"][0] > o["as_is"][0] + 1e-9 for o in items)
        down = sum(o["changed"][0] < o["as_is"][0] - 1e-9 for o in items)
        print(f"{key:70s} COnP {cols[0]:.4f} -> {cols[2]:.4f} ({cols[2] - cols[0]:+.4f})  "
              f"COnPOff {cols[1]:.4f} -> {cols[3]:.4f}  changed {changed} up {up} down {down}")
    if a.out:
        a.out.write_text(json.dumps({k: {i: {n: o[n][:2] for n in ("as_is", "changed")} for i, o in v.items()}
                                     for k, v in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
