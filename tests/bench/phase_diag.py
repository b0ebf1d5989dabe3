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

``--cues`` asks each bar-phase cue on its own which phase it prefers on the estimated beats and bar
length, against the phase whose downbeats match the reference downbeats (items where none does
clearly, e.g. a wrong bar length, are left out): the meter score (:func:`meter_scores`), the pickup
prior of the phrase starts, phrase ends, one diatonic chord a bar (:func:`harmonic_fit`), the
notation model (:func:`notation_scores`), pitch accents and breath accents as note accents, the
last note on a downbeat, Povel & Essens' grouping accents at the downbeats (``grouping``,
:func:`grouping_clock`) and the hum's last note ending on a bar line (``endup``: its offset, less 0.3
beat, rounded up; on the bench it mostly says "no pickup" where an excerpt spans whole bars, so it
describes how the corpora are cut, not a cue for the analyser). Per set and meter it prints each cue's right/spoken; with ``--items``, each
mis-phased item's margin of every cue (reference phase minus chosen: negative = the cue agrees with
the wrong choice). ``--fit SET`` fits the cues' weights on one set (conditional logit on the
reference phases) and counts the phases right with them on every set. Sets ``s10``-``s12`` are the stress corpora, every condition (group = condition).

``wide`` is the wide familiar check set (32 tunes at three tempi, ``bench_rhythm.py --familiar-set wide``).

    .venv/bin/python tests/bench/phase_diag.py [--sets dev g7000 g9000 familiar wide r1 r2 r3 r4 (s10 s11 s12)] [--kw k=v ...]
        [--items] [--cues] [--dump FILE] [--compare FILE] [--where r1=/data/cache-r1:/data/r1/data ...]
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

from humitout.audio import rhythm as R  # noqa: E402
from humitout.audio.rhythm import analyse_rhythm  # noqa: E402
from humitout.audio.transcribe import rhythm_fields  # noqa: E402
from humitout.models import Analysis  # noqa: E402

ROOT = HERE.parents[1]
# independent check sets (issue 9w): held-out stand-in seed 3 and German Essen songs from collections
# dev does not use (make_heldout_standin.py --collections german-other, seed 4); not in the defaults
# (the held-out corpora default to out/heldout/<set>/data, made by make_heldout_standin.py; --where moves them)
CHECK_SETS = {"r3": ("rc10-h3", ROOT / "out" / "heldout" / "r3" / "data"),
              "r4": ("rc10-h4", ROOT / "out" / "heldout" / "r4" / "data")}
SETS = {"dev": ("rc10", None), "g7000": ("rc10", 7000), "g9000": ("rc10", 9000),
        "familiar": ("rc10", "familiar"), "wide": ("rc10", "wide"), "r1": ("rc10-h1", ROOT / "out" / "heldout" / "r1" / "data"),
        "r2": ("rc10-h2", ROOT / "out" / "heldout" / "r2" / "data"), **CHECK_SETS,
        **{f"s{n}": ("rc10-stress", f"stress{n}") for n in (10, 11, 12)}}


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
    elif what == "wide":
        items = br.familiar_wide_items()
    elif isinstance(what, str) and what.startswith("stress"):   # every condition, grouped by it
        root = ROOT / "out" / "stress-corpus" / f"seed{what[6:]}-items12"
        items = [dict(it, group=cond.name) for cond in sorted(root.iterdir()) if cond.is_dir()
                 for it in br.stress_items(cond)]
    elif isinstance(what, int):
        items = br.generated_items(40, what)
    else:
        items = br.corpus_items(None, what, "heldout")
    code = br._notes_code_hash()
    for item in items:
        key = hashlib.sha1(item["audio"]).hexdigest()[:16]
        folder = ROOT / "out" / cache   # an absolute cache path stays as it is
        f = folder / f"{key}-{code}.json"
        if not f.exists():   # a transcription by older note code (the newest one) rather than none
            f = max(folder.glob(f"{key}-*.json"), key=lambda p: p.stat().st_mtime)
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


CUES = ("meter", "pickup", "ends", "harmony", "notation", "pitch", "breath", "final", "grouping", "endup")


def reference_phase(beats: np.ndarray, m: int, ref_downbeats: np.ndarray) -> int | None:
    """The phase (index of the first downbeat in ``beats``) whose downbeats match the reference
    downbeats (within 0.2 beat) best: 60 % or more of them, and twice as many as any other phase."""
    period = float(np.median(np.diff(beats)))
    rd = ref_downbeats[(ref_downbeats >= beats[0] - 0.1 * period) & (ref_downbeats <= beats[-1] + 0.1 * period)]
    if len(rd) < 2:
        return None
    frac = [np.mean([np.min(np.abs(beats[ph::m] - t)) <= 0.2 * period for t in rd]) for ph in range(m)]
    best = int(np.argmax(frac))
    return best if frac[best] >= 0.6 and sorted(frac)[-2] <= 0.5 * frac[best] else None


def cue_values(a: Analysis) -> dict[str, list[float]]:
    """Each cue's value for every bar phase on the analysis's own beats and bar length."""
    on = np.array([n.onset_s for n in a.notes])
    off = np.array([n.offset_s for n in a.notes])
    midi = np.array([n.midi for n in a.notes], float)
    beats, m, compound = np.asarray(a.beats_s), a.time_signature.beats_per_bar, a.time_signature.compound
    lengths = R.note_lengths(on, off)
    pos = R.beat_positions(on, beats)
    period = float(np.median(np.diff(beats)))
    meter = R.meter_scores(on, lengths, off, midi, beats, compound)
    starts = R.phrase_starts(on, beats)
    ends = R.phrase_end_scores(on, off, beats, m, compound)
    triads = R.diatonic_triads(midi, lengths)
    notation = R.notation_scores(on, lengths, midi, beats, compound) if m in (2, 3, 4) else {}
    near = np.abs(pos - np.round(pos)) <= 0.2
    idx = np.round(pos).astype(int)
    tmpl = R._template(m)

    def accent(weights, ph):
        acc = R.note_accents(on, lengths, midi, off, period, weights=weights)
        return R._corr(acc, np.where(near, tmpl[(idx - ph) % m] + 0.5, 0.0))

    last = pos[-1]
    end_pos = float(R.beat_positions(off[-1:], beats)[0])
    return {"meter": [meter.get((m, ph), 0.0) for ph in range(m)],
            "pickup": [float(np.mean(np.log([R._pickup_prior(p, ph, m) for p in starts]))) for ph in range(m)],
            "ends": [ends[ph] for ph in range(m)],
            "harmony": [R.harmonic_fit(on, off, midi, beats, m, ph, triads=triads) for ph in range(m)],
            "notation": [notation.get((m, ph), 0.0) for ph in range(m)],
            "pitch": [accent((0.0, 1.0, 0.0), ph) for ph in range(m)],
            "breath": [accent((0.0, 0.0, 1.0), ph) for ph in range(m)],
            "final": [float(abs(last - round(last)) <= 0.2 and (round(last) - ph) % m == 0) for ph in range(m)],
            "grouping": [grouping_clock(pos, m, ph) for ph in range(m)],
            "endup": [float((int(np.ceil(end_pos - 0.3)) - ph) % m == 0) for ph in range(m)]}


def grouping_clock(pos: np.ndarray, m: int, ph: int, close: float = 1.25) -> float:
    """Diagnostic cue ``grouping`` (stop 39, not in the analyser): Povel & Essens (1985) clock counter-evidence at the downbeats of bar phase ``ph``
    (negated, per downbeat): 0 for an accented onset, 1 an unaccented one, 4 none. Accents: an
    isolated note, the 2nd of a cluster of two, the 1st and last of a cluster of three or more;
    clusters are runs of notes whose inter-onset interval is at most ``close`` x the shortest
    common one (10th percentile)."""
    ioi = np.diff(pos)
    if len(ioi) < 3:
        return 0.0
    unit = float(np.percentile(ioi, 10))
    link = ioi <= close * unit
    acc = np.zeros(len(pos), bool)
    i = 0
    while i < len(pos):
        j = i
        while j < len(ioi) and link[j]:
            j += 1
        n = j - i + 1
        if n == 1:
            acc[i] = True
        elif n == 2:
            acc[j] = True
        else:
            acc[i] = acc[j] = True
        i = j + 1
    rnd = np.round(pos)
    on = np.abs(pos - rnd) <= 0.2
    lo, hi = int(np.ceil(pos[0] - 0.2)), int(np.floor(pos[-1] + 0.2))
    ticks = [b for b in range(lo, hi + 1) if (b - ph) % m == 0]
    if not ticks:
        return 0.0
    cost = 0.0
    for b in ticks:
        k = np.flatnonzero(on & (rnd == b))
        cost += 4.0 if not len(k) else (0.0 if acc[k].any() else 1.0)
    return -cost / len(ticks)


def cue_rows(items: list[dict], kw: dict) -> list[dict]:
    """Per item with a reference phase (:func:`reference_phase`): its id, group, meter, chosen and
    reference phase and :func:`cue_values`."""
    rows = []
    for item in items:
        a = derive(item["analysis"], kw)
        beats, m = np.asarray(a.beats_s), a.time_signature.beats_per_bar
        if len(beats) < 3 or not a.downbeats_s:
            continue
        truth = reference_phase(beats, m, np.asarray(item["ref"]["downbeats"], float))
        if truth is not None:
            rows.append({"id": item["ref"]["id"], "group": item.get("group") or "", "meter": a.time_signature.text,
                         "chosen": int(np.argmin(np.abs(beats - a.downbeats_s[0]))) % m, "truth": truth,
                         "values": cue_values(a)})
    return rows


def cue_report(name: str, rows: list[dict], show_items: bool) -> None:
    """Per meter of the estimate: how often each cue alone prefers the reference phase (right/spoken)."""
    for meter in sorted({r["meter"] for r in rows}):
        rs = [r for r in rows if r["meter"] == meter]
        line = f"  cues {name:<8s} {meter:4s} n={len(rs):3d} chosen {sum(r['chosen'] == r['truth'] for r in rs)}/{len(rs)}"
        for c in CUES:
            spoken = [r for r in rs if np.ptp(r["values"][c]) > 1e-9]
            line += f" {c} {sum(int(np.argmax(r['values'][c]) == r['truth']) for r in spoken)}/{len(spoken)}"
        print(line)
    if show_items:
        for r in rows:
            if r["chosen"] != r["truth"]:
                v, t, ch = r["values"], r["truth"], r["chosen"]
                print(f"    {r['id']:<16s} {r['group']:<12s} {r['meter']:4s}"
                      + "".join(f" {c} {v[c][t] - v[c][ch]:+.2f}" for c in CUES))


def fit_cue_weights(rows: list[dict], l2: float = 0.01) -> np.ndarray:
    """Weights of :data:`CUES` (notation per 10 nats) that make the reference phases likeliest under
    a softmax over each item's phases (conditional logit, ``l2`` x the items x the squared weights)."""
    from scipy.optimize import minimize

    data = [(cue_matrix(r), r["truth"]) for r in rows]

    def loss(w: np.ndarray) -> float:
        total = 0.0
        for x, t in data:
            z = x @ w
            total -= z[t] - z.max() - np.log(np.exp(z - z.max()).sum())
        return total + l2 * len(data) * float(w @ w)

    return minimize(loss, np.ones(len(CUES)), method="L-BFGS-B").x


def cue_matrix(row: dict) -> np.ndarray:
    """(phases, cues) values of one :func:`cue_rows` row, the notation model per 10 nats."""
    return np.array([[row["values"][c][ph] / (10.0 if c == "notation" else 1.0) for c in CUES]
                     for ph in range(len(row["values"]["meter"]))])


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
    ap.add_argument("--sets", nargs="+", default=[s for s in SETS if s not in CHECK_SETS and not s.startswith("s1")],
                    help="default: every set but the stress corpora s10-s12 and the check sets r3, r4")
    ap.add_argument("--kw", nargs="*", default=[], help="analyse_rhythm keywords, name=python-literal")
    ap.add_argument("--items", action="store_true")
    ap.add_argument("--cues", action="store_true", help="each bar-phase cue's vote against the reference phase")
    ap.add_argument("--fit", default=None, help="with --cues: fit the cues' weights on this set, score every set")
    ap.add_argument("--dump", type=Path, default=None, help="write the per-item rows here (JSON), to compare runs")
    ap.add_argument("--compare", type=Path, default=None, help="list the items whose score position moved from this dump")
    ap.add_argument("--where", nargs="*", default=[], metavar="SET=CACHE[:DATA]",
                    help="a set's transcription cache (a bench_rhythm.py --cache folder; default out/rc10*) and, for "
                         "r1-r4, its corpus folder (default out/heldout/<set>/data)")
    a = ap.parse_args(argv)
    for spec in a.where:
        name, paths = spec.split("=", 1)
        cache, _, data = paths.partition(":")
        SETS[name] = (cache, Path(data) if data else SETS[name][1])
    kw = {k: ast.literal_eval(v) for k, v in (s.split("=", 1) for s in a.kw)}
    warnings.simplefilter("ignore")
    dump = {}
    before = json.loads(a.compare.read_text()) if a.compare else {}
    if a.cues:
        rows = {name: cue_rows(gather(name), kw) for name in a.sets}
        for name in a.sets:
            cue_report(name, rows[name], a.items)
        if a.fit:
            w = fit_cue_weights(rows[a.fit])
            print(f"weights fitted on {a.fit}: " + " ".join(f"{c} {v:+.2f}" for c, v in zip(CUES, w)))
            for name, rs in rows.items():
                fitted = sum(int(np.argmax(cue_matrix(r) @ w) == r["truth"]) for r in rs)
                print(f"  {name:<8s} phases right: chosen {sum(r['chosen'] == r['truth'] for r in rs)}"
                      f" -> fitted {fitted} of {len(rs)}")
        return 0
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
