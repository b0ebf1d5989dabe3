#!/usr/bin/env python3
"""Benchmark of the time side: beats, meter, downbeats, pickup, melody placement, song speed and
the flexed hum.

On ``../shared/bench/melody`` dev (each WAV through the whole Transcribe stage, scored with the
per-item ``<id>.beats.csv`` references and ``score_rhythm.py``):

* beat F and downbeat F (mir_eval, +-70 ms), meter accuracy (exact class, and 2/4 = 4/4 "duple")
  with the confusion table, tempo octave (and within 4 %, the #10 figure), pickup accuracy (whole
  beats before the first downbeat);
* score-position accuracy of the melody guide: the share of the reference notes whose
  transcribed note (onset within 70 ms) sits at the score's bar position (beat and subdivision,
  within 1/8 beat) after the best whole-bar shift;
* the melody speed per style (all six, Compose with the rules): the song tempo over the hum's
  must be exactly 1, 2 or 1/2 with the melody's beats scaled to match, and the sung span's length
  in song seconds over its length in the hum is printed;
* the flexed hum (``your-hum.wav`` for the first items): median distance (ms) of its note onsets,
  found again by the transcriber, from where the song's grid puts them.

The same is measured on our own generated tunes (``rhythm_tunes.py``: 2/4, 3/4, 4/4, 6/8 with
pickups, rubato and phrase-end slowing, hummed with ``tests/unit/audio/hum_synth.py`` over a phone
channel), which the analysis was not built on, and on eight familiar tunes (Twinkle, Happy
Birthday, Ode to Joy...) at 66, 100 and 150 BPM. Exit 1 when a dev target is missed.

``--familiar-set wide`` scores a wider familiar set instead of the eight (``rhythm_tunes.FAMILIAR_WIDE``:
32 public-domain tunes, 6 in 2/4, 7 in 6/8, 10 in 3/4, 9 in 4/4, 13 with a pickup), each at three
tempi of its counted beat: the quarter at 66, 100 and 150 BPM in simple meters, the dotted quarter at
44, 66 and 100 in 6/8 (the same eighth-note speeds, 132-300 a minute, as the simple tunes' quarter at
66-150 runs its eighths; a 6/8 tune counted at 100-150 dotted quarters would be sung at eighths of
0.13-0.2 s as a jig at its fastest, and the generated 6/8 tunes lie in 45-100). A check set nobody
tuned on: ``--per-item`` prints each hum's reference and reading (meter, tempo ratio, pickup, beat
and downbeat F, score position) to sort what goes wrong.

``--oracle`` splits the score-position error: the same figure with the reference meter, beat level
and first downbeat laid on the tracked beat times (``oracle-meter``: what is left is beat-time
errors, placement and transcription), and with the reference beats, downbeats and meter
(``oracle-grid``: placement and transcription only). Generated tunes are scored on their notated
positions; ``--rubato``/``--jitter`` make them harder (tempo wander, early/late attacks);
``--cache DIR`` keeps the transcriptions while the note code is unchanged and derives only the
rhythm again (rhythm changes are re-scored in seconds).

    .venv/bin/python tests/bench/bench_rhythm.py [--limit N] [--generated N] [--seed S | --seeds S ...]
        [--oracle] [--cache DIR] [--rubato R --jitter S] [--no-speed] [--no-familiar] [--no-dev]
        [--familiar-set {eight,wide}] [--per-item]
        [--data DIR --sets NAME [NAME ...]]

``--data DIR --sets NAME...`` scores other sets with beat references the same way and against the
same targets, per source collection too: e.g. the held-out stand-in that
``make_heldout_standin.py DIR --seed N`` builds (Chinese Essen, Lux/Lorraine, Aird's, O'Neill's;
``rhythm_refs.py`` makes its references as the dev ones are made). With ``--data`` the generated
and familiar tunes are left out unless asked for (``--generated N``, ``--familiar``).

``--stress [--stress-seed N]`` scores the phone stress corpus instead (``make_stress_corpus.py``, the
one ``bench_transcribe.py --stress`` uses: 12 dev melodies sung again with a new performance through
codecs, rooms, noise, dropouts and other voices; built under ``out/stress-corpus/`` when missing)
and prints beat F, downbeat F, meter, tempo within 4 %, pickup and score position per condition and
against ``clean``. Its beat references are the dev item's, carried from the dev performance's note
onsets to the re-sung ones (``rhythm_refs.mapped_beats``).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import sys
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "unit" / "audio"))
BENCH_DIR = Path(os.environ.get("HUMITOUT_BENCH_DIR")
                 or Path(__file__).resolve().parents[3] / "shared" / "bench" / "melody")
sys.path.insert(0, str(BENCH_DIR))

import rhythm_tunes  # noqa: E402
import score_rhythm  # noqa: E402
from rhythm_refs import mapped_beats  # noqa: E402

from humitout.agents.compose import compose_arrangement  # noqa: E402
from humitout.audio.rhythm import analyse_rhythm  # noqa: E402
from humitout.audio.transcribe import analyse_recording, hum_rhythm, pauses_of, rhythm_fields  # noqa: E402
from humitout.errors import BadAudio  # noqa: E402
from humitout.models import Analysis, Arrangement, HumReading, Style, TimeSignature  # noqa: E402
from humitout.music.styles import tempo_asked  # noqa: E402
from humitout.music.arrangement import hum_grid, melody_positions, quantise_melody, seconds_to_beats  # noqa: E402

TARGETS = {"downbeat_F": 0.90, "meter_ok": 0.90, "triple_recall": 0.85, "score_position": 0.90,
           "speed_kept": 1.0,
           "tempo_4pct": 0.90, "tempo_4pct_octave": 0.98}   # the last two: issue #10's tempo targets, at the reference beat
MAX_DUPLE_AS_TRIPLE = 0.05
MAX_FLEX_ERROR_MS = 20.0
MATCH_S = 0.07
TEMPO_TOL = 0.04   # issue #10: tempo within 4 % (or an exact octave: x2, x1/2, x3, x1/3)


def _usual_bar_beats(in_bar: np.ndarray) -> int:
    """Beats in the reference's usual bar: the commonest distance between its downbeats."""
    lengths = np.diff(np.flatnonzero(np.asarray(in_bar, int) == 1))
    return int(np.bincount(lengths).argmax()) if len(lengths) else int(np.max(in_bar))


def _ref_positions(ref_onsets: np.ndarray, beats: np.ndarray) -> np.ndarray:
    """Bar positions (bars from the first downbeat, fractional) of reference onsets from the reference
    beats (s, beat in bar). Each bar is as long as the reference has it, so a tune with a bar of another
    length (dev_012: four bars of 4 in a 3/4 tune) keeps its other bars' positions."""
    times, in_bar = beats[:, 0], beats[:, 1].astype(int)
    index = np.arange(len(times), dtype=float)
    pos = np.interp(ref_onsets, times, index, left=np.nan, right=np.nan)
    early = ref_onsets < times[0]
    pos[early] = (ref_onsets[early] - times[0]) / (times[1] - times[0])
    late = ref_onsets > times[-1]
    pos[late] = index[-1] + (ref_onsets[late] - times[-1]) / (times[-1] - times[-2])
    downs = np.flatnonzero(in_bar == 1)
    starts = np.append(downs, downs[-1] + _usual_bar_beats(in_bar)).astype(float)   # bar starts, in beats
    lengths = np.diff(starts)
    bar = np.clip(np.searchsorted(starts, pos, side="right") - 1, 0, len(lengths) - 1)
    return bar + (pos - starts[bar]) / lengths[bar]


def score_positions(analysis: Analysis, ref_notes: np.ndarray, beats: np.ndarray,
                    score_beats: np.ndarray | None = None) -> float:
    """Share of reference notes whose matched melody-guide note is at the score's bar position: the
    notated onsets ``score_beats`` (beats from the first reference beat) when known (our generated
    tunes, whose sung onsets are early or late), else the reference onsets on the reference beats."""
    notes = sorted(analysis.notes, key=lambda n: n.onset_s)
    if not notes:
        return 0.0
    grid = hum_grid(analysis)
    starts, _ = melody_positions(analysis)
    bar_quarters = grid.beats_per_bar * grid.quarters_per_beat
    est = starts / bar_quarters                                # bars from the verse start
    est_on = np.array([n.onset_s for n in notes])
    per_bar = _usual_bar_beats(beats[:, 1])
    if score_beats is None:
        ref = _ref_positions(ref_notes[:, 0], beats)
    else:
        ref = (np.asarray(score_beats, float) - int(np.flatnonzero(beats[:, 1] == 1)[0])) / per_bar
    tol = 1.0 / (8 * per_bar)
    pairs = []
    used = set()
    for i, t in enumerate(ref_notes[:, 0]):
        j = int(np.argmin(np.abs(est_on - t)))
        if abs(est_on[j] - t) <= MATCH_S and j not in used:
            used.add(j)
            pairs.append((ref[i], est[j]))
    if not pairs:
        return 0.0
    best = 0
    for shift in Counter(int(round(np.floor(e + 1e-6) - np.floor(r + 1e-6))) for r, e in pairs):
        ok = sum(1 for r, e in pairs
                 if abs((e - shift) - r) <= tol)
        best = max(best, ok)
    return best / len(ref_notes)


ORACLES = ("estimated", "oracle-meter", "oracle-grid")
"""Score-position variants (``--oracle``): the analysis as is; the reference meter, beat level and
first downbeat on the *tracked* beat times (so wrong meter/downbeat/tempo-octave errors are gone, the
tracker's beat-time errors remain); the reference beats, downbeats and meter (only the melody
placement on the grid and the transcription errors remain)."""

METERS = {"2/4": (2, 4), "3/4": (3, 4), "4/4": (4, 4), "6/8": (6, 8)}


def with_grid(analysis: Analysis, beats_s: np.ndarray, first_downbeat: int, meter: str) -> Analysis:
    """``analysis`` with another beat grid: beats (s), the index of its first downbeat, a meter class."""
    num, den = METERS.get(meter, (4, 4))
    signature = TimeSignature(numerator=num, denominator=den)
    per_bar = signature.beats_per_bar
    beats_s = np.asarray(beats_s, float)
    downbeats = beats_s[first_downbeat % per_bar::per_bar]
    beat_bpm = 60.0 * (len(beats_s) - 1) / float(beats_s[-1] - beats_s[0])
    return analysis.model_copy(update={"beats_s": [float(b) for b in beats_s],
                                       "downbeats_s": [float(b) for b in downbeats],
                                       "time_signature": signature,
                                       "tempo_bpm": beat_bpm * signature.quarters_per_beat})


def oracle_analysis(analysis: Analysis, item: dict, oracle: str) -> Analysis:
    """The analysis for one of :data:`ORACLES` (see there) on a bench item with reference beats."""
    beats = item["beats"]
    meter = item["ref"]["meter_class"]
    ref_t, in_bar = beats[:, 0], beats[:, 1].astype(int)
    first_down = int(np.flatnonzero(in_bar == 1)[0])
    if oracle == "oracle-grid":
        return with_grid(analysis, ref_t, first_down, meter)
    if oracle == "estimated" or len(analysis.beats_s) < 2:
        return analysis
    # oracle-meter: the reference beat level laid on the tracked beat times (a tracked beat
    # position every ``ratio`` tracked beats, the phase nearest the reference beats), its
    # downbeat the one nearest the reference's first downbeat
    tracked = np.asarray(analysis.beats_s, float)
    index = np.arange(len(tracked), dtype=float)

    def position(t: np.ndarray) -> np.ndarray:
        return seconds_to_beats(np.asarray(t, float), list(tracked), 60.0 / float(np.median(np.diff(tracked))))

    ref_pos = position(ref_t)
    ratio = float(np.median(np.diff(ref_pos)))
    # (reference beat in tracked beats, the tracked subdivision a reference beat falls on)
    ratio, unit = min(((1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (0.5, 0.5), (1 / 3, 1 / 3), (1.5, 0.5), (2 / 3, 1 / 3)),
                      key=lambda r: abs(np.log(ratio / r[0])))
    start = round(float(np.median(ref_pos - ratio * np.arange(len(ref_pos)))) / unit) * unit
    lo, hi = position(np.array([ref_t[0] - 4 * (ref_t[1] - ref_t[0]), ref_t[-1] + 4 * (ref_t[-1] - ref_t[-2])]))
    k = np.arange(math.floor((lo - start) / ratio), math.ceil((hi - start) / ratio) + 1)
    grid_pos = start + k * ratio
    period = float(np.median(np.diff(tracked)))
    times = np.where(grid_pos < 0, tracked[0] + grid_pos * period,
                     np.where(grid_pos > index[-1], tracked[-1] + (grid_pos - index[-1]) * period,
                              np.interp(grid_pos, index, tracked)))
    down = int(np.argmin(np.abs(times - ref_t[first_down])))
    return with_grid(analysis, times, down, meter)


def rhythm_row(analysis: Analysis, ref: dict, pickup_ref: int) -> dict:
    ts = analysis.time_signature
    out = {"beats_s": analysis.beats_s, "downbeats_s": analysis.downbeats_s, "meter": ts.text,
           "tempo_bpm": analysis.tempo_bpm / ts.quarters_per_beat}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = score_rhythm.score_item(ref, out)
    row["pickup_ok"] = float(math.ceil(analysis.pickup_beats - 0.15) == pickup_ref)
    row["est_pickup"], row["ref_pickup"] = float(analysis.pickup_beats), pickup_ref
    ratio = out["tempo_bpm"] / ref["beat_bpm"]
    row["tempo_4pct"] = float(abs(ratio - 1.0) <= TEMPO_TOL)
    row["tempo_4pct_octave"] = float(any(abs(ratio / k - 1.0) <= TEMPO_TOL for k in (1.0, 2.0, 0.5, 3.0, 1 / 3)))
    return row


def speed_rows(analysis: Analysis) -> list[dict]:
    """Per style, as the style chooses the tempo and at the caller's half and double time of that where the song
    can go so (``asked``; :func:`~humitout.music.styles.tempo_asked`): whether the song keeps the melody's speed
    exactly (tempo ratio 1, 2, 1/2 and the melody guide written at that ratio), and the sung span's duration ratio
    song / hum."""
    rows = []
    for style in Style:
        chosen = compose_arrangement(analysis, style)
        played = HumReading(meter=analysis.time_signature.text, song_meter=chosen.time_signature.text,
                            tempo_bpm=chosen.tempo_bpm, beat_ratio=chosen.beat_ratio)
        asked = [bpm for bpm in (tempo_asked(played, 0.5), tempo_asked(played, 2.0)) if bpm]
        rows += [speed_row(analysis, style, chosen, False)] + [
            speed_row(analysis, style, compose_arrangement(analysis, style, asked_tempo_bpm=bpm), True) for bpm in asked]
    return rows


def speed_row(analysis: Analysis, style: Style, arrangement: Arrangement, asked: bool) -> dict:
    """Whether ``arrangement`` keeps the melody's speed exactly, and the sung span's duration ratio song / hum
    (:func:`speed_rows`)."""
    ratio = arrangement.tempo_bpm / analysis.tempo_bpm
    whole = min((1.0, 2.0, 0.5), key=lambda r: abs(r - ratio))
    expected = quantise_melody(analysis, whole)
    melody = arrangement.part("melody").notes
    verse = arrangement.melody_offset_beats
    written = [(round(n.start_beat - verse, 6), n.pitch) for n in melody[:len(expected)]]
    same = written == [(round(n.start_beat, 6), n.pitch) for n in expected]
    exact = abs(ratio - whole) < 1e-6 and same and (not asked or math.isclose(
        arrangement.tempo_bpm, arrangement.asked_tempo_bpm or 0.0, rel_tol=1e-4))   # the tempo the caller asked for
    hum_span = analysis.notes[-1].onset_s - analysis.notes[0].onset_s
    song_span = (expected[-1].start_beat - expected[0].start_beat) * 60.0 / arrangement.tempo_bpm
    return {"style": style.value, "exact": exact, "ratio": whole, "asked": asked,
            "speed": song_span / hum_span if hum_span > 0 else 1.0}


def summarize(rows: list[dict], positions: list[float]) -> dict:
    s = score_rhythm.summarize(rows)
    triple = [r for r in rows if r["ref_class"] == "3/4"]
    duple = [r for r in rows if r["ref_class"] in ("2/4", "4/4")]
    s["triple_recall"] = float(np.mean([r["est_class"] == "3/4" for r in triple])) if triple else float("nan")
    s["duple_as_triple"] = float(np.mean([r["est_class"] in ("3/4", "6/8") for r in duple])) if duple else 0.0
    s["pickup"] = float(np.mean([r["pickup_ok"] for r in rows]))
    s["tempo_4pct"] = float(np.mean([r["tempo_4pct"] for r in rows]))
    s["tempo_4pct_octave"] = float(np.mean([r["tempo_4pct_octave"] for r in rows]))
    s["score_position"] = float(np.mean(positions))
    return s


def print_summary(name: str, s: dict) -> None:
    print(f"{name}: beat F {s['beat_F']:.3f}  downbeat F {s['downbeat_F']:.3f}  meter {s['meter_ok']:.3f} "
          f"(duple {s['meter_duple_ok']:.3f})  3/4 recall {s['triple_recall']:.3f}  duple called triple "
          f"{s['duple_as_triple']:.3f}  tempo x1 {s['tempo_ok']:.3f} (octave {s['tempo_octave_ok']:.3f})  "
          f"pickup {s['pickup']:.3f}  score position {s['score_position']:.3f}")
    print(f"  tempo within 4 %: {s['tempo_4pct']:.3f}  (or an exact octave: {s['tempo_4pct_octave']:.3f})")
    conf = s["meter_confusion"]
    cols = ["2/4", "4/4", "3/4", "6/8", "other"]
    print("  meter confusion (rows reference, columns estimate): " + " ".join(f"{c:>6s}" for c in cols))
    for rc in ["2/4", "4/4", "3/4", "6/8"]:
        counts = [conf.get(f"{rc}->{c}", 0) for c in cols]
        if sum(counts):
            print(f"  {rc:>52s}: " + " ".join(f"{n:6d}" for n in counts))
    print("  tempo ratios: " + ", ".join(f"{k} {v}" for k, v in sorted(s["tempo_ratios"].items())))


def corpus_items(limit: int | None, data: Path | None = None, set_name: str = "dev") -> list[dict]:
    """The items of ``data/set_name`` (default: the shared corpus's dev) with beat references
    (``beats_index.csv``, e.g. a held-out stand-in from ``make_heldout_standin.py``); each carries
    its source collection (``group``) when its ``.json`` names one."""
    data = BENCH_DIR / "data" if data is None else data
    refs = score_rhythm.load_refs(data, set_name)[:limit]
    with open(data / set_name / "beats_index.csv") as f:
        index = {r["id"]: r for r in csv.DictReader(f)}
    items = []
    for ref in refs:
        d = Path(ref["wav"]).parent
        beats = np.loadtxt(d / f"{ref['id']}.beats.csv", delimiter=",", skiprows=1, ndmin=2)
        notes = np.loadtxt(d / f"{ref['id']}.notes.csv", delimiter=",", skiprows=1, ndmin=2)
        meta = d / f"{ref['id']}.json"
        group = json.loads(meta.read_text()).get("source", {}).get("collection") if meta.exists() else None
        items.append({"ref": ref, "beats": beats, "notes": notes, "pickup": int(index[ref["id"]]["pickup_beats"]),
                      "audio": Path(ref["wav"]).read_bytes(), "group": group})
    return items


def _item(tune, audio: bytes, name: str) -> dict:
    beats = tune.beats
    ref = {"id": name, "meter": tune.meter, "meter_class": tune.meter, "irregular": False,
           "beats": beats[:, 0], "downbeats": beats[beats[:, 1] == 1, 0], "beat_bpm": tune.beat_bpm}
    return {"ref": ref, "beats": beats, "notes": tune.notes, "pickup": tune.pickup_beats, "audio": audio,
            "score_beats": tune.score_beats}


def familiar_items(tempi: tuple[float, ...] = (66.0, 100.0, 150.0)) -> list[dict]:
    """The familiar tunes of ``rhythm_tunes.FAMILIAR`` hummed at each of ``tempi`` (quarter BPM)."""
    from hum_synth import hum, phone, wav_bytes
    items = []
    for k, name in enumerate(rhythm_tunes.FAMILIAR):
        for bpm in tempi:
            tune = rhythm_tunes.familiar(name, bpm, seed=k)
            audio = wav_bytes(phone(hum([tuple(x) for x in tune.notes], seed=k)))
            items.append(_item(tune, audio, f"{name}@{bpm:g}"))
    return items


WIDE_TEMPI = {"2/4": (66.0, 100.0, 150.0), "3/4": (66.0, 100.0, 150.0), "4/4": (66.0, 100.0, 150.0),
              "6/8": (44.0, 66.0, 100.0)}
"""Counted beats a minute of the wide familiar set: the quarter in simple meters, the dotted quarter in
6/8 (eighths at 132-300 a minute in both; see the module docstring)."""


def familiar_wide_items() -> list[dict]:
    """The tunes of ``rhythm_tunes.FAMILIAR_WIDE`` hummed at their meter's :data:`WIDE_TEMPI`."""
    from hum_synth import hum, phone, wav_bytes
    items = []
    for k, (name, (meter, _, _)) in enumerate(rhythm_tunes.FAMILIAR_WIDE.items()):
        for bpm in WIDE_TEMPI[meter]:
            tune = rhythm_tunes.familiar_wide(name, bpm, seed=100 + k)
            audio = wav_bytes(phone(hum([tuple(x) for x in tune.notes], seed=100 + k)))
            items.append(_item(tune, audio, f"{name}@{bpm:g}"))
    return items


def print_items(items: list[dict], rows: list[dict], positions: list[float]) -> None:
    """One line per item: reference meter / pickup / beat BPM, the reading, and its scores."""
    print("  per item: id | ref meter pickup bpm | est meter tempo-ratio pickup | beat F downbeat F score position")
    for item, row, pos in zip(items, rows, positions):
        print(f"    {row['id']:32s} | {row['ref_class']:>3s} {item['pickup']:d} {row['ref_bpm']:6.1f} | "
              f"{str(row['est_class']):>5s} {str(row['tempo_ratio']):>5s} {row.get('est_pickup', float('nan')):4.2f} | "
              f"{row['beat_F']:.2f} {row['downbeat_F']:.2f} {pos:.2f}")


def generated_items(n: int, seed: int, **performance) -> list[dict]:
    """``n`` generated tunes (``rhythm_tunes.tune``, ``performance``: its rubato / jitter_s) from
    ``seed``, hummed over the phone channel."""
    from hum_synth import hum, phone, wav_bytes
    items = []
    for k in range(n):
        tune = rhythm_tunes.tune(seed + k, **performance)
        audio = wav_bytes(phone(hum([tuple(x) for x in tune.notes], seed=seed + k)))
        items.append(_item(tune, audio, f"gen_{seed + k}"))
    return items


def stress_items(folder: Path, dev: Path | None = None) -> list[dict]:
    """The items of one stress-corpus condition folder (``make_stress_corpus.py``), each with the
    beat references of the dev item it sings again (``from`` in its ``.json``) carried onto its own
    performance by ``rhythm_refs.mapped_beats``; meter and pickup are the dev item's."""
    dev = BENCH_DIR / "data" / "dev" if dev is None else dev
    dev_refs = {r["id"]: r for r in score_rhythm.load_refs(dev.parent, dev.name)}
    with open(dev / "beats_index.csv") as f:
        pickups = {r["id"]: int(r["pickup_beats"]) for r in csv.DictReader(f)}
    items = []
    for meta_path in sorted(folder.glob("*.json")):
        meta = json.loads(meta_path.read_text())
        src = meta["from"]
        notes = np.loadtxt(folder / f"{meta['id']}.notes.csv", delimiter=",", skiprows=1, ndmin=2)
        dev_notes = np.loadtxt(dev / f"{src}.notes.csv", delimiter=",", skiprows=1, ndmin=2)
        dev_beats = np.loadtxt(dev / f"{src}.beats.csv", delimiter=",", skiprows=1, ndmin=2)
        pickup = pickups[src]
        beats = mapped_beats(dev_beats, pickup, dev_notes[:, 0], notes[:, 0])
        ref = {**dev_refs[src], "id": meta["id"], "set": folder.name, "wav": str(folder / f"{meta['id']}.wav"),
               "beats": beats[:, 0], "downbeats": beats[beats[:, 1] == 1, 0],
               "beat_bpm": 60.0 / float(np.median(np.diff(beats[:, 0])))}
        items.append({"ref": ref, "beats": beats, "notes": notes, "pickup": pickup, "from": src,
                      "audio": (folder / f"{meta['id']}.wav").read_bytes(), "group": None})
    return items


def stress_table(summaries: dict[str, dict]) -> None:
    """Print each stress condition's rhythm figures and their change against ``clean``."""
    keys = [("beat_F", "beat F"), ("downbeat_F", "downbeat F"), ("meter_ok", "meter"),
            ("tempo_4pct", "tempo 4 %"), ("pickup", "pickup"), ("score_position", "score position")]
    clean = summaries.get("clean", {})
    print("\nstress corpus: rhythm per condition (change vs clean in brackets)")
    print("| condition | " + " | ".join(name for _, name in keys) + " | rejected |")
    print("|---|" + "---|" * (len(keys) + 1))
    for cond, s in summaries.items():
        cells = [f"{s[k]:.3f}" + ("" if cond == "clean" or k not in clean else f" ({s[k] - clean[k]:+.3f})")
                 for k, _ in keys]
        print(f"| {cond} | " + " | ".join(cells) + f" | {s.get('rejected', 0)} |")
    mean = {k: float(np.mean([s[k] for c, s in summaries.items() if c != "clean"])) for k, _ in keys}
    print("| mean of the others | " + " | ".join(f"{mean[k]:.3f}" + (f" ({mean[k] - clean[k]:+.3f})" if k in clean else "")
                                             for k, _ in keys) + " |")


def with_rhythm(analysis: Analysis) -> Analysis:
    """``analysis`` with its rhythm fields derived again from its notes by the current rhythm code."""
    on = np.array([n.onset_s for n in analysis.notes])
    off = np.array([n.offset_s for n in analysis.notes])
    midi = np.array([n.midi for n in analysis.notes])
    return analysis.model_copy(update=hum_rhythm(on, off, midi, analysis.duration_s, pauses_of(analysis))[1])


def _notes_code_hash() -> str:
    """Hash of the sources that make the notes (``humitout/audio`` with its ``notes`` package, but its
    rhythm; ``models.py``): a cached transcription is reused only while they are unchanged."""
    import humitout.audio
    import humitout.models
    h = hashlib.sha1()
    sources = sorted(p for p in Path(humitout.audio.__file__).parent.rglob("*.py")
                     if p.name not in ("rhythm.py", "tempo.py"))
    for path in sources + [Path(humitout.models.__file__)]:
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def analyse(audio: bytes, cache: Path | None) -> Analysis:
    """The Transcribe stage's analysis of ``audio``; with ``cache`` (a folder) the transcription is read
    from there when this audio was transcribed by the same note code before, and only the rhythm is
    derived again (for trying rhythm changes quickly)."""
    if cache is None:
        return analyse_recording(audio)
    path = cache / f"{hashlib.sha1(audio).hexdigest()[:16]}-{_notes_code_hash()}.json"
    if path.exists():
        return with_rhythm(Analysis.model_validate_json(path.read_text()))
    analysis = analyse_recording(audio)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(analysis.model_dump_json())
    return analysis


def run(items: list[dict], name: str, *, speed: bool, flex: int, cache: Path | None = None,
        oracles: tuple[str, ...] = (), per_item: bool = False) -> tuple[dict, list[dict], list[float]]:
    rows, positions, speeds, flex_errors = [], [], [], []
    oracle_positions: dict[str, list[float]] = {o: [] for o in oracles}
    rejected = 0
    for j, item in enumerate(items):
        try:
            analysis = analyse(item["audio"], cache)
        except BadAudio:   # a hum the product refuses: no beats, meter, tempo or notes
            rejected += 1
            rows.append(score_rhythm.score_item(item["ref"], None) | {"pickup_ok": 0.0, "tempo_4pct": 0.0,
                                                                      "tempo_4pct_octave": 0.0})
            positions.append(0.0)
            for o in oracles:
                oracle_positions[o].append(0.0)
            continue
        rows.append(rhythm_row(analysis, item["ref"], item["pickup"]))
        positions.append(score_positions(analysis, item["notes"], item["beats"], item.get("score_beats")))
        for o in oracles:
            oracle_positions[o].append(score_positions(oracle_analysis(analysis, item, o), item["notes"], item["beats"],
                                                       item.get("score_beats")))
        if speed:
            speeds.extend(speed_rows(analysis))
        if j < flex:
            flex_errors.extend(flex_onset_errors_ms(analysis, item["audio"]))
        print(f"\r  {name}: {j + 1}/{len(items)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    s = summarize(rows, positions)
    s["rejected"] = rejected
    print_summary(name, s)
    if per_item:
        print_items(items, rows, positions)
    if rejected:
        print(f"  rejected as no hum: {rejected} of {len(items)}")
    groups = sorted({item["group"] for item in items if item.get("group")})
    if len(groups) > 1:
        for group in groups:
            mine = [k for k, item in enumerate(items) if item.get("group") == group]
            print_summary(f"  {name} / {group} ({len(mine)} items)", summarize([rows[k] for k in mine],
                                                                                 [positions[k] for k in mine]))
    if oracles:
        s["oracle_positions"] = {o: float(np.mean(v)) for o, v in oracle_positions.items()}
        print("  score position: " + "  ".join(f"{o} {v:.3f}" for o, v in s["oracle_positions"].items()))
    if speeds:
        print("  melody speed per style (exactly kept / all; song/hum span ratio median [min, max]; ratios used):")
        for style in Style:
            mine = [r for r in speeds if r["style"] == style.value and not r["asked"]]
            sp = np.array([r["speed"] for r in mine])
            print(f"    {style.value:>10s}: {sum(r['exact'] for r in mine)}/{len(mine)}; {np.median(sp):.3f} "
                  f"[{sp.min():.3f}, {sp.max():.3f}]; {dict(Counter(r['ratio'] for r in mine))}")
        asked = [r for r in speeds if r["asked"]]
        print(f"    the caller's half / double time: {sum(r['exact'] for r in asked)}/{len(asked)}; "
              f"{dict(Counter(r['ratio'] for r in asked))}")
        s["speed_kept"] = float(np.mean([r["exact"] for r in speeds]))
    if flex_errors:
        s["flex_median_ms"] = float(np.median(flex_errors))
        print(f"  flexed hum: median onset error vs the song grid {s['flex_median_ms']:.1f} ms "
              f"(90th percentile {np.percentile(flex_errors, 90):.1f} ms, {len(flex_errors)} notes)")
    return s, rows, positions


def flex_onset_errors_ms(analysis: Analysis, audio: bytes) -> list[float]:
    """|onset in the flexed hum - where the song grid puts the note| (ms) for each re-transcribed note."""
    from humitout.audio.decode import decode_audio
    from humitout.audio.flex import flex_to_song
    from humitout.audio.transcribe import transcribe_samples
    from humitout.music.arrangement import time_map
    x, sr = decode_audio(audio)
    tempo = analysis.tempo_bpm
    starts, _ = melody_positions(analysis)
    expected = starts * 60.0 / tempo
    flexed = flex_to_song(x, sr, time_map(analysis), tempo, float(expected.max()) + 3.0)
    _, _, notes = transcribe_samples(flexed, sr)
    found = np.array([n.onset_s for n in notes])
    if not len(found):
        return []
    return [float(np.min(np.abs(found - e)) * 1000.0) for e in expected]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="first N dev items")
    ap.add_argument("--generated", type=int, default=None,
                    help="generated tunes (0: none; default 40, or 0 with --data)")
    ap.add_argument("--seed", type=int, default=7000)
    ap.add_argument("--flex", type=int, default=8, help="items whose hum is flexed and checked")
    ap.add_argument("--familiar", action=argparse.BooleanOptionalAction, default=None,
                    help="also the familiar tunes (Twinkle, Happy Birthday...) at 66, 100, 150 BPM "
                         "(default: yes, or no with --data)")
    ap.add_argument("--familiar-set", choices=("eight", "wide"), default="eight",
                    help="the eight familiar tunes (default) or the wide set of 32 (rhythm_tunes.FAMILIAR_WIDE)")
    ap.add_argument("--per-item", action="store_true", help="print each item's reading and scores")
    ap.add_argument("--no-dev", action="store_true", help="only the generated tunes (no targets checked)")
    ap.add_argument("--data", type=Path, default=None,
                    help="corpus folder holding <set>/ folders with beat references (e.g. a held-out stand-in "
                         "from make_heldout_standin.py) instead of the shared corpus's; per collection too")
    ap.add_argument("--sets", nargs="+", default=None,
                    help="sets of the corpus to score like dev, each against the dev targets (default: dev)")
    ap.add_argument("--seeds", type=int, nargs="*", default=None,
                    help="several generated sets (seeds), instead of --seed")
    ap.add_argument("--speed", action=argparse.BooleanOptionalAction, default=True,
                    help="check the melody speed per style on dev (six Compose calls an item)")
    ap.add_argument("--cache", type=Path, default=None,
                    help="folder of transcriptions: each WAV is transcribed once (while the note code is unchanged), "
                         "later runs derive only the rhythm again from the cached notes")
    ap.add_argument("--oracle", action="store_true",
                    help="also the score position with the reference meter/downbeat on the tracked beats "
                         "(oracle-meter) and with the reference beats, downbeats and meter (oracle-grid)")
    ap.add_argument("--rubato", type=float, default=None,
                    help="tempo wander of the generated tunes (share; rhythm_tunes' default 0.06)")
    ap.add_argument("--jitter", type=float, default=None,
                    help="early/late attacks of the generated tunes (s, standard deviation; default 0.012)")
    ap.add_argument("--stress", action="store_true",
                    help="score the phone stress corpus (make_stress_corpus.py), clean vs each condition")
    ap.add_argument("--stress-seed", type=int, default=10)
    ap.add_argument("--stress-items", type=int, default=12)
    a = ap.parse_args(argv)
    if a.generated is None:
        a.generated = 0 if a.data or a.stress else 40
    if a.familiar is None:
        a.familiar = a.data is None and not a.stress
    performance = {k: v for k, v in (("rubato", a.rubato), ("jitter_s", a.jitter)) if v is not None}
    oracles = ORACLES[1:] if a.oracle else ()
    common = {"cache": a.cache, "oracles": oracles, "per_item": a.per_item}
    if a.generated:
        for seed in (a.seeds or [a.seed]):
            run(generated_items(a.generated, seed, **performance),
                f"generated (seed {seed}{''.join(f', {k} {v:g}' for k, v in performance.items())})",
                speed=False, flex=a.flex, **common)
    if a.familiar:
        if a.familiar_set == "wide":
            run(familiar_wide_items(), "familiar tunes (wide)", speed=False, flex=0, **common)
        else:
            run(familiar_items(), "familiar tunes", speed=False, flex=0, **common)
    if a.stress:
        from bench_transcribe import stress_conditions, stress_corpus
        root = stress_corpus(a.stress_seed, a.stress_items)
        summaries = {}
        for cond in stress_conditions(root):
            summaries[cond], _, _ = run(stress_items(root / cond)[:a.limit], cond, speed=False, flex=0, **common)
        stress_table(summaries)
        return 0
    if a.no_dev:
        return 0
    status = 0
    for set_name in a.sets or ["dev"]:
        summary, _, _ = run(corpus_items(a.limit, a.data, set_name), set_name, speed=a.speed, flex=a.flex, **common)
        missed = [k for k, v in TARGETS.items() if not summary.get(k, 0.0) >= v]
        if summary["duple_as_triple"] > MAX_DUPLE_AS_TRIPLE:
            missed.append("duple_as_triple")
        if "flex_median_ms" in summary and summary["flex_median_ms"] > MAX_FLEX_ERROR_MS:
            missed.append("flex_median_ms")
        print(f"targets ({set_name}): " + ", ".join(f"{k} >= {v}" for k, v in TARGETS.items())
              + f", duple called triple <= {MAX_DUPLE_AS_TRIPLE}, flexed hum median <= {MAX_FLEX_ERROR_MS} ms")
        print("missed: " + (", ".join(missed) if missed else "none"))
        status = status or (1 if missed else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
