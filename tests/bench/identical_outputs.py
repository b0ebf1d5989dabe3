#!/usr/bin/env python3
"""Bit-for-bit identity of the Transcribe stage's outputs between two versions of the code.

``dump`` runs :func:`analyse_recording` on the 40 dev items and the 36 items of stress seed 12
noise / speaker / babble (``--stress-dir``) and pickles, per item, the unrounded intermediates:
the pitch track (hz, confidence, voiced, wavering, hop), the frame energy, the notes (onset,
offset, pitch, confidence), every :class:`Rhythm` and key estimate returned inside the call, and
the final Analysis (``model_dump``) or the BadAudio code. ``compare`` checks two dumps for exact
equality (same dtype, shape and bits; NaN equal to NaN) and exits 1 on any difference.
``selftest`` nudges one float of a dump by one ulp and checks that ``compare`` catches it.

    PYTHONPATH=<old code> .venv/bin/python tests/bench/identical_outputs.py dump /tmp/old.pkl
    .venv/bin/python tests/bench/identical_outputs.py dump /tmp/new.pkl
    .venv/bin/python tests/bench/identical_outputs.py compare /tmp/old.pkl /tmp/new.pkl
    .venv/bin/python tests/bench/identical_outputs.py selftest /tmp/old.pkl
"""
from __future__ import annotations

import argparse
import copy
import dataclasses
import glob
import os
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEV = Path(os.environ.get("HUMITOUT_BENCH_DIR") or ROOT.parent / "shared" / "bench" / "melody") / "data" / "dev"
STRESS = ROOT / "out" / "stress-corpus" / "seed12-items12"


def dump(out: str, dev: Path, stress: Path, conditions: list[str], pattern: str = "dev_*.wav") -> None:
    import humitout
    import humitout.audio.transcribe as T
    from humitout.errors import BadAudio
    print("code:", humitout.__file__, file=sys.stderr)
    files = sorted(glob.glob(str(dev / pattern)))
    for cond in conditions:
        files += sorted(glob.glob(str(stress / cond / "*.wav")))
    seen: dict[str, list] = {}
    originals = {k: getattr(T, k) for k in ("front_end", "note_stage", "analyse_rhythm", "estimate_key")}

    def spy(name):
        def wrapped(*a, **k):
            r = originals[name](*a, **k)
            seen.setdefault(name, []).append(r)
            return r
        return wrapped

    for k in originals:
        setattr(T, k, spy(k))
    result = {}
    for f in files:
        seen.clear()
        try:
            analysis = T.analyse_recording(Path(f).read_bytes()).model_dump()
        except BadAudio as e:
            analysis = ("BadAudio", e.args)
        front, notes = seen["front_end"][0], seen["note_stage"][0]
        track, energy = front.track, front.energy
        result[f] = {"analysis": analysis,
                     "track": {k: getattr(track, k) for k in ("hz", "confidence", "voiced", "wavering", "hop_s")},
                     "energy": energy, "notes": [(n.onset_s, n.offset_s, n.midi, n.confidence) for n in notes],
                     "rhythm": seen.get("analyse_rhythm"), "keys": seen.get("estimate_key")}
    with open(out, "wb") as fh:
        pickle.dump(result, fh)
    print(len(result), "items dumped", file=sys.stderr)


def same(x, y, path: str, report: list[str]) -> bool:
    """Exact equality of nested outputs; differences are appended to ``report``."""
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        x, y = np.asarray(x), np.asarray(y)
        ok = x.shape == y.shape and x.dtype == y.dtype and (
            x.tobytes() == y.tobytes() or (x.dtype.kind == "f" and np.array_equal(x, y, equal_nan=True)
                                           and np.array_equal(np.signbit(x), np.signbit(y))))
        if not ok:
            report.append(f"{path}: arrays differ ({x.dtype}{x.shape} vs {y.dtype}{y.shape})")
        return ok
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return type(x) is type(y) and same(dataclasses.asdict(x), dataclasses.asdict(y), path, report)
    if hasattr(x, "model_dump"):
        return type(x) is type(y) and same(x.model_dump(), y.model_dump(), path, report)
    if isinstance(x, dict):
        if not isinstance(y, dict) or x.keys() != y.keys():
            report.append(f"{path}: keys differ")
            return False
        return all([same(x[k], y[k], f"{path}.{k}", report) for k in x])
    if isinstance(x, (list, tuple)):
        if type(x) is not type(y) or len(x) != len(y):
            report.append(f"{path}: lengths differ")
            return False
        return all([same(u, v, f"{path}[{i}]", report) for i, (u, v) in enumerate(zip(x, y))])
    if isinstance(x, float) and isinstance(y, float):
        ok = np.float64(x).tobytes() == np.float64(y).tobytes() or (np.isnan(x) and np.isnan(y))
    else:
        ok = type(x) is type(y) and x == y
    if not ok:
        report.append(f"{path}: {x!r} != {y!r}")
    return ok


def compare(a: dict, b: dict) -> list[str]:
    """The names of the items of dumps ``a`` and ``b`` that are not identical (printing each difference)."""
    if a.keys() != b.keys():
        return ["<item lists differ>"]
    bad = []
    for k in a:
        report: list[str] = []
        if not same(a[k], b[k], "/".join(Path(k).parts[-2:]), report):
            bad.append(k)
            print("\n".join(report[:5]))
    return bad


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out")
    d.add_argument("--dev", type=Path, default=DEV)
    d.add_argument("--pattern", default="dev_*.wav", help="the items of --dev (a glob)")
    d.add_argument("--stress-dir", type=Path, default=STRESS)
    d.add_argument("--conditions", nargs="*", default=["noise", "speaker", "babble"])
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    s = sub.add_parser("selftest")
    s.add_argument("a")
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        dump(args.out, args.dev, args.stress_dir, args.conditions, args.pattern)
        return 0
    a = pickle.load(open(args.a, "rb"))
    if args.cmd == "compare":
        bad = compare(a, pickle.load(open(args.b, "rb")))
        print(f"{len(a) - len(bad)}/{len(a)} items bit-identical (analysis, track, energy, notes, rhythm, keys)")
        return 1 if bad else 0
    first = next(iter(a))
    caught = []
    for what in ("energy", "note", "rhythm"):
        b = copy.deepcopy(a)
        item = b[first]
        if what == "energy":
            item["energy"][3] = np.nextafter(item["energy"][3], np.inf)
        elif what == "note":
            on, off, midi, conf = item["notes"][0]
            item["notes"][0] = (on, off, float(np.nextafter(midi, np.inf)), conf)
        else:
            r = item["rhythm"][0]
            beats = r.beats_s.copy()
            beats[-1] = np.nextafter(beats[-1], np.inf)
            item["rhythm"][0] = dataclasses.replace(r, beats_s=beats)
        caught.append(bool(compare(a, b)))
    print("one-ulp changes caught (energy, note pitch, last beat):", caught)
    return 0 if all(caught) else 1


if __name__ == "__main__":
    sys.exit(main())
