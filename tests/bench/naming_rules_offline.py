"""Item-mean COnP (mir_eval, as bench_transcribe) of the raw note stage vs the naming rules and variants.

r1 = notes.in_singers_tuning (3 s), r2 = key.on_the_scale_when_between, r12 = both (main's sung_notes);
shR: the local shift times the window's resultant length R; wien: times n_eff R^2 / (n_eff R^2 + 1 - R^2);
Rd: times sqrt of the resultant of consecutive-note differences (drift-free scatter). "(a+/b-)": items up/down
against raw. Stop 38 (tuning_smoother_offline.py): k12* random-walk Kalman/RTS smoother of the tuning (b: averaged
over the (r, q) grid by likelihood, e15: 15 % uniform outlier share, u: continuous path, d: scatter / duration),
ou12* constant offset + OU wander, g20 / g20shR: main's window unless the call's ML per-note scatter >= 0.2 st
(then the smoother / shR). Env VARS=raw,r12,... scores a subset.

    naming_rules_offline.py transcribe DATA RAW.json   (raw note stage, transcribe_samples, of every DATA/<cond>/*.wav)
    naming_rules_offline.py chroma RAW.json DATA       (per condition of a make_intonation_set.py folder)
    naming_rules_offline.py bench dev r1 r2 r3 10 11 ...   (stop 37 files: /work/runs/s37/snap/*.json and
                                                    m37-SEED.json, bench_transcribe --out of main before the rules)
"""
import csv, json, os, sys
import numpy as np, mir_eval
from dataclasses import replace
from humitout.audio.notes.core import NoteEvent, in_singers_tuning
from humitout.audio.key import estimate_key, on_the_scale_when_between


def hz(m):
    return 440.0 * 2 ** ((np.asarray(m, float) - 69) / 12)


def conp(ref, est):
    if len(est) == 0 or len(ref) == 0:
        return 0.0
    ri = np.array([[a, b] for a, b, _ in ref]); ei = np.array([[a, b] for a, b, *_ in est])
    return mir_eval.transcription.precision_recall_f1_overlap(
        ri, hz([r[2] for r in ref]), ei, hz([e[2] for e in est]), offset_ratio=None)[2]


def tuned(notes, window_s=3.0, shrink=None, min_r=None):
    """in_singers_tuning with options: shrink -> shift times resultant length R; min_r -> no shift when R < min_r."""
    if shrink is None and min_r is None:
        return in_singers_tuning(notes, window_s=window_s)
    on = np.array([n.onset_s for n in notes])
    ph = np.array([(n.offset_s - n.onset_s) * np.exp(2j * np.pi * n.midi) for n in notes])
    w = np.array([n.offset_s - n.onset_s for n in notes])
    out = []
    sg = np.angle(ph.sum()) / (2 * np.pi)
    mm = np.array([n.midi for n in notes])
    if len(mm) > 1:
        wd = np.minimum(w[1:], w[:-1])
        rd = np.sqrt(abs(np.sum(wd * np.exp(2j * np.pi * np.diff(mm)))) / max(wd.sum(), 1e-12))
    else:
        rd = 1.0
    for n, t in zip(notes, on):
        sel = np.abs(on - t) <= window_s
        z = ph[sel].sum(); r = abs(z) / max(w[sel].sum(), 1e-9)
        s = np.angle(z) / (2 * np.pi)
        if shrink == "R":
            s *= r
        if shrink == "hier":
            s = sg + r * (((s - sg) + 0.5) % 1.0 - 0.5)
        if shrink == "wien":
            ww = w[sel]; neff = ww.sum() ** 2 / max((ww ** 2).sum(), 1e-12)
            s *= neff * r * r / (neff * r * r + 1 - r * r)
        if shrink == "Rd":
            s *= rd
        if shrink == "wienRd":
            ww = w[sel]; neff = ww.sum() ** 2 / max((ww ** 2).sum(), 1e-12)
            s *= neff * rd * rd / (neff * rd * rd + 1 - rd * rd)
        if shrink == "R2":
            s *= r * r
        if min_r is not None and r < min_r:
            s = 0.0
        out.append(replace(n, midi=float(n.midi - s)))
    return out


def gated(notes, min_scatter_st, wide=None):
    """main's window unless the call's maximum-likelihood per-note scatter (random-walk model) is wide."""
    out, (ll, xs, r, q) = kal.smoothed(notes, ret=True, bma=True, eps=0.15)
    if wide is not None:
        out = tuned(notes, shrink=wide)
    return out if np.sqrt(r) >= min_scatter_st else tuned(notes)


def named(notes, gate=None):
    if not notes:
        return notes
    m = np.array([n.midi for n in notes])
    k = estimate_key(m, np.array([n.offset_s - n.onset_s for n in notes]), np.array([n.confidence for n in notes]))
    if gate is not None and k.confidence < gate:
        return notes
    return [replace(n, midi=float(x)) for n, x in zip(notes, on_the_scale_when_between(m, k))]


import tuning_smoother_offline as kal
ONLY = os.environ.get("VARS")   # comma-separated subset of VARS to score (the smoother variants are slow)

VARS = {
    "raw": lambda n: n,
    "r1": lambda n: tuned(n),
    "r2": lambda n: named(n),
    "r12": lambda n: named(tuned(n)),
    "r12shR": lambda n: named(tuned(n, shrink="R")),
    "r1shR": lambda n: tuned(n, shrink="R"),
    "r12wien": lambda n: named(tuned(n, shrink="wien")),
    "r12Rd": lambda n: named(tuned(n, shrink="Rd")),
    "r12wienRd": lambda n: named(tuned(n, shrink="wienRd")),
    "r1wien": lambda n: tuned(n, shrink="wien"),
    "r12shR2": lambda n: named(tuned(n, shrink="R2")),
    "r12shRw2": lambda n: named(tuned(n, 2.0, shrink="R")),
    "k1": lambda n: kal.smoothed(n),
    "k12": lambda n: named(kal.smoothed(n)),
    "k12d": lambda n: named(kal.smoothed(n, dur_weight=True)),
    "k12e05": lambda n: named(kal.smoothed(n, eps=0.05)),
    "k12e15": lambda n: named(kal.smoothed(n, eps=0.15)),
    "k12de15": lambda n: named(kal.smoothed(n, dur_weight=True, eps=0.15)),
    "k12b": lambda n: named(kal.smoothed(n, bma=True)),
    "k12be15": lambda n: named(kal.smoothed(n, bma=True, eps=0.15)),
    "k12bu": lambda n: named(kal.smoothed(n, bma=True, cont=True)),
    "k12be15r6": lambda n: named(kal.smoothed(n, bma=True, eps=0.15, grid=(np.geomspace(0.06, 0.4, 10) ** 2, kal.Q_GRID))),
    "k12be15r10": lambda n: named(kal.smoothed(n, bma=True, eps=0.15, grid=(np.geomspace(0.10, 0.4, 10) ** 2, kal.Q_GRID))),
    "k12be30": lambda n: named(kal.smoothed(n, bma=True, eps=0.30)),
    "ou12": lambda n: named(kal.ou_smoothed(n)),
    "ou12ml": lambda n: named(kal.ou_smoothed(n, bma=False)),
    "ou12r6": lambda n: named(kal.ou_smoothed(n, rgrid=np.geomspace(0.06, 0.4, 8) ** 2)),
    "g20": lambda n: named(gated(n, 0.2)),
    "g15": lambda n: named(gated(n, 0.15)),
    "g20shR": lambda n: named(gated(n, 0.2, "R")),
    "g15shR": lambda n: named(gated(n, 0.15, "R")),
    "k12u": lambda n: named(kal.smoothed(n, cont=True)),
    "k12ue15": lambda n: named(kal.smoothed(n, cont=True, eps=0.15)),
    "k12due15": lambda n: named(kal.smoothed(n, cont=True, dur_weight=True, eps=0.15)),
}
if ONLY:
    VARS = {k: VARS[k] for k in ONLY.split(",")}
else:   # the OU grid (192 filters a call) takes minutes on the stand-ins: by name only
    VARS = {k: f for k, f in VARS.items() if not k.startswith("ou")}


def score(ref, est, acc):
    notes = [NoteEvent(e[0], e[1], e[2], e[3] if len(e) > 3 else 1.0) for e in est]
    for k, f in VARS.items():
        e = f(notes) if notes else notes
        acc.setdefault(k, []).append(conp(ref, [(n.onset_s, n.offset_s, n.midi) for n in e]))


def read_ref(path):
    return [(float(r["onset"]), float(r["offset"]), float(r["midi_pitch"])) for r in csv.DictReader(open(path))]


def line(name, acc):
    base = np.array(acc["raw"])
    cells = []
    for k, x in acc.items():
        x = np.array(x)
        cells.append(f"{k}={x.mean():.4f}" + ("" if k == "raw" else f"({(x > base + 1e-9).sum()}+/{(x < base - 1e-9).sum()}-)"))
    print(f"{name:10s} n={len(base):3d} " + " ".join(cells), flush=True)


def transcribe_set(data, out):
    import pathlib
    from humitout.audio.decode import decode_audio
    from humitout.audio.transcribe import transcribe_samples
    res = {}
    for d in sorted(p for p in pathlib.Path(data).iterdir() if p.is_dir()):
        res[d.name] = []
        for w in sorted(d.glob("*.wav")):
            x, sr = decode_audio(w.read_bytes())
            notes = transcribe_samples(x, sr)[2]
            res[d.name].append({"id": w.stem, "est": [[n.onset_s, n.offset_s, n.midi, n.confidence] for n in notes]})
        print(d.name, len(res[d.name]), flush=True)
    json.dump(res, open(out, "w"))


if __name__ == "__main__":
    if sys.argv[1] == "transcribe":
        transcribe_set(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "chroma":
        raw = json.load(open(sys.argv[2])); data = sys.argv[3]
        tot = {}
        for cond, items in raw.items():
            acc = {}
            for it in items:
                score(read_ref(os.path.join(data, cond, it["id"] + ".notes.csv")), it["est"], acc)
            line(cond, acc)
            for k, x in acc.items():
                tot.setdefault(k, []).extend(x)
        line("ALL", tot)
    else:
        tot = {}
        for s in sys.argv[2:]:
            acc = {}
            if s.startswith("r") or s == "dev":
                base = "/work/shared/bench/melody/data" if s == "dev" else f"/work/data/{s}/data"
                for res in json.load(open(f"/work/runs/s37/snap/{s}.json"))["results"]:
                    for it in res["items"]:
                        score(read_ref(os.path.join(base, res["set"], it["id"] + ".notes.csv")), it["est"], acc)
            else:
                for res in json.load(open(f"/work/runs/s37/m37-{s}.json"))["results"]:
                    for it in res["items"]:
                        score(read_ref(f"/work/data/stress-corpus/seed{s}-items12/{res['set']}/{it['id']}.notes.csv"), it["est"], acc)
                for k, x in acc.items():
                    tot.setdefault(k, []).extend(x)
            line(s, acc)
        if tot:
            line("stressALL", tot)
