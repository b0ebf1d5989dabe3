#!/usr/bin/env python3
"""Beat references for a corpus made by the shared generator (``../shared/bench/melody``), in the
dev corpus's format: ``<id>.beats.csv`` (``time_s,beat_in_bar``) and ``beats_index.csv``.

The shared dev corpus ships references made by a tool we do not have; this rebuilds them the way
its README and ``score_rhythm.py`` describe, so a held-out stand-in (``make_heldout_standin.py``)
can be scored with ``bench_rhythm.py --data DIR --sets heldout``:

* each item's source tune (``<id>.json``: file, tune index, excerpt in quarter lengths) is parsed
  again with the generator's ``melodies.py`` (music21), and its bars are read from the notation
  (:func:`bars_from_measures`): meter, pickup, bars of another length;
* the beat is the notated one (quarter for x/4, half for x/2, eighth for 3/8, dotted quarter for
  6/8 9/8 12/8, dotted half for 6/4); the beats run from the last one at or before the first sung
  note to the last one at or before the end of the last note, and a beat that would fall before
  0 s is left out;
* score time (quarter lengths) is mapped to performed time (s) piecewise-linearly through the
  performed onsets of ``<id>.notes.csv`` (sung notes matched one-to-one to the excerpt's notes;
  rests have no onset), and continued before the first / after the last onset with the tempo of
  the notes within three beats of it (:func:`performed_seconds`).

Checked against the shared dev references (seed 20251124): the same beats to 0.05 ms on every
item, the same ``beat_in_bar`` and index fields (``tests/bench/rhythm_refs.py --compare``).

:func:`mapped_beats` carries such references from one performance of a tune to another (the phone
stress corpus re-sings dev items: ``bench_rhythm.py --stress``).

The pure mapping (:func:`beat_grid`, :func:`performed_seconds`, :func:`reference_beats`,
:func:`mapped_beats`) needs only
numpy; building from a corpus needs music21 and the generator, so it runs in the generator's
virtualenv::

    /tmp/bench-venv/bin/python tests/bench/rhythm_refs.py DATA --sets heldout [--generator DIR]
    /tmp/bench-venv/bin/python tests/bench/rhythm_refs.py OUT --sets dev --compare ../shared/bench/melody/data
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np

BENCH = Path(os.environ.get("HUMITOUT_BENCH_DIR", Path(__file__).resolve().parents[3] / "shared" / "bench" / "melody"))
EPS = 1e-6
INDEX_FIELDS = ["id", "meter", "beats_per_bar", "pickup_beats", "first_downbeat_s", "meter_class", "beat_unit_ql",
                "n_beats", "n_downbeats", "beat_bpm", "irregular_bars", "meters_in_excerpt", "n_notes",
                "notes_on_beats", "notes_sha1"]


@dataclasses.dataclass(frozen=True)
class Bar:
    """One bar of the notation: its downbeat and length (quarter lengths from the tune's first
    note's bar), its meter (``"3/4"``) and whether its length differs from that meter's bar."""
    start_ql: float
    length_ql: float
    meter: str
    irregular: bool = False


def meter_beat(meter: str) -> tuple[float, int]:
    """(beat unit in quarter lengths, beats per bar) of a notated meter: ``"6/8"`` -> (1.5, 2),
    ``"3/4"`` -> (1.0, 3), ``"2/2"`` -> (2.0, 2), ``"C"`` -> (1.0, 4)."""
    text = {"C": "4/4", "c": "4/4", "C|": "2/2", "c|": "2/2"}.get(meter.strip(), meter.strip())
    num, den = (int(x) for x in text.split("/"))
    if num in (6, 9, 12) and den >= 4:
        return 3 * 4.0 / den, num // 3
    return 4.0 / den, num


def beat_grid(bars: list[Bar], until_ql: float, unit: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every beat of ``bars`` (quarter lengths, beat in bar from 1), continued after the last bar
    with bars of the last meter up to ``until_ql``. The beat is ``unit`` quarter lengths in every
    bar (a 3/2 bar in a 2/4 song has six quarter beats), or each bar's own when ``None``."""
    starts, in_bar = [], []
    for bar in bars:
        step = unit or meter_beat(bar.meter)[0]
        n = max(1, int(np.ceil(bar.length_ql / step - EPS)))
        starts += [bar.start_ql + k * step for k in range(n)]
        in_bar += list(range(1, n + 1))
    if bars:
        own, per_bar = meter_beat(bars[-1].meter)
        step = unit or own
        per_bar = max(1, int(round(own * per_bar / step)))
        t, k = bars[-1].start_ql + bars[-1].length_ql, 0
        while t <= until_ql + EPS:
            starts.append(t)
            in_bar.append(k + 1)
            t, k = t + step, (k + 1) % per_bar
    return np.array(starts, float), np.array(in_bar, int)


def performed_seconds(score_ql: np.ndarray, note_ql: np.ndarray, onset_s: np.ndarray, beat_ql: float,
                      *, edge_beats: float = 3.0) -> np.ndarray:
    """Performed time (s) of score positions ``score_ql`` (quarter lengths), piecewise-linear through
    the performed onsets ``onset_s`` of the notes at ``note_ql``. Before the first onset the line
    continues with the mean tempo from the first note to the first note at least ``edge_beats``
    beats (of ``beat_ql`` quarter lengths) after it, and likewise after the last onset."""
    q = np.asarray(note_ql, float)
    t = np.asarray(onset_s, float)
    x = np.asarray(score_ql, float)
    later = np.flatnonzero(q >= q[0] + edge_beats * beat_ql - EPS)
    j = later[0] if len(later) else len(q) - 1
    earlier = np.flatnonzero(q <= q[-1] - edge_beats * beat_ql + EPS)
    k = earlier[-1] if len(earlier) else 0
    head = (t[j] - t[0]) / (q[j] - q[0])
    tail = (t[-1] - t[k]) / (q[-1] - q[k])
    return np.where(x < q[0], t[0] + (x - q[0]) * head,
                    np.where(x > q[-1], t[-1] + (x - q[-1]) * tail, np.interp(x, q, t)))


def mapped_beats(beats: np.ndarray, pickup: int, src_onsets: np.ndarray, dst_onsets: np.ndarray,
                 *, edge_beats: float = 3.0) -> np.ndarray:
    """Reference beats ``(time_s, beat_in_bar)`` of a performance whose note onsets are ``dst_onsets``
    (s), from the beats of another performance of the same notes (``beats``, onsets ``src_onsets``,
    one to one). Piecewise-linear between matched onsets; before the first / after the last onset
    the line goes on with the tempo of the notes within ``edge_beats`` beats of it
    (:func:`performed_seconds`). Beats of ``beats`` lost before 0 s (``pickup``, the whole
    beats before its first downbeat, counts them) are restored one beat period apart first; beats
    that fall before 0 s in the new performance are left out."""
    src = np.asarray(src_onsets, float)
    dst = np.asarray(dst_onsets, float)
    if len(src) != len(dst) or len(src) < 2:
        raise ValueError(f"{len(src)} notes in one performance, {len(dst)} in the other")
    times, in_bar = beats[:, 0].astype(float), beats[:, 1].astype(int)
    per_bar = int(in_bar.max())
    lost = pickup - int(np.flatnonzero(in_bar == 1)[0])
    if lost > 0:
        period = times[1] - times[0]
        times = np.r_[times[0] - period * np.arange(lost, 0, -1), times]
        in_bar = np.r_[(in_bar[0] - 1 - np.arange(lost, 0, -1)) % per_bar + 1, in_bar]
    mapped = performed_seconds(times, src, dst, float(np.median(np.diff(times))), edge_beats=edge_beats)
    keep = mapped >= 0.0
    return np.column_stack([mapped[keep], in_bar[keep]])


@dataclasses.dataclass
class Reference:
    """The reference beats of one item (s, beat in bar) and its index fields; ``beat_bpm`` is 60 over
    the median beat interval, of all the beats (also those left out before 0 s)."""
    times_s: np.ndarray
    in_bar: np.ndarray
    beat_bpm: float
    pickup_beats: int
    meter: str
    irregular_bars: int
    meters: list[str]
    notes_on_beats: int


def reference_beats(bars: list[Bar], note_ql: np.ndarray, end_ql: float, onset_s: np.ndarray) -> Reference:
    """The reference beats of a sung excerpt: its notes start at ``note_ql`` (quarter lengths, the
    bars' time line) and were sung at ``onset_s`` (s); the last note ends at ``end_ql``. The beats
    run from the last beat at or before the first note to the last at or before ``end_ql``; those
    that would fall before 0 s are left out (the pickup still counts them). The beat is the one of
    the meter of the bar the first note is in, in every bar; a bar is irregular when its length
    differs from that meter's bar or from its own meter's."""
    note_ql = np.asarray(note_ql, float)
    opening = next((b for b in bars if b.start_ql + b.length_ql > note_ql[0] + EPS), bars[-1])
    unit, per_bar = meter_beat(opening.meter)
    full = unit * per_bar
    grid, in_bar = beat_grid(bars, end_ql, unit)
    first = int(np.flatnonzero(grid <= note_ql[0] + EPS)[-1])
    last = int(np.flatnonzero(grid <= end_ql + EPS)[-1])
    grid, in_bar = grid[first:last + 1], in_bar[first:last + 1]
    down = np.flatnonzero(in_bar == 1)
    pickup = int(down[0]) if len(down) else 0
    bar_at = [b for b in bars if b.start_ql + b.length_ql > grid[0] + EPS and b.start_ql <= grid[-1] + EPS]
    times = performed_seconds(grid, note_ql, onset_s, unit)
    keep = times >= 0.0
    on_beat = sum(bool(np.any(np.abs(grid - q) < EPS)) for q in note_ql)
    return Reference(times_s=times[keep], in_bar=in_bar[keep],
                     beat_bpm=60.0 / float(np.median(np.diff(times))) if len(times) > 1 else float("nan"),
                     pickup_beats=pickup, meter=opening.meter,
                     irregular_bars=sum(b.irregular or abs(b.length_ql - full) > EPS for b in bar_at),
                     meters=list(dict.fromkeys(b.meter for b in bar_at)), notes_on_beats=on_beat)


def bars_from_measures(measures: list[tuple[float, float, str]]) -> list[Bar]:
    """Bars from the notation's measures ``(offset_ql, duration_ql, meter in force)``, in order.
    A measure shorter than its meter's bar, or in a one-beat meter (a 1/4 bar in a 3/4 song), is a
    fragment. The first, when short, is a pickup (its bar ends where the next begins); one in a
    one-beat meter lengthens the bar before it (as the shared dev references have it: dev_012);
    the last is a whole bar (the last bar is often shortened by the pickup); other fragments in a
    row are joined while they fit in one bar (a bar split by a repeat sign or first/second
    endings), and what they make is a bar of its own, short if they do not fill it (dev_014)."""
    def fragment(i: int) -> bool:
        _, dur, meter = measures[i]
        unit, per_bar = meter_beat(meter)
        return per_bar < 2 or dur < unit * per_bar - EPS

    bars: list[Bar] = []
    i = 0
    while i < len(measures):
        off, dur, meter = measures[i]
        unit, per_bar = meter_beat(meter)
        full = unit * per_bar
        if not fragment(i):
            bars.append(Bar(off, dur, meter, irregular=dur > full + EPS))
        elif per_bar < 2 and bars:
            prev = bars[-1]
            bars[-1] = Bar(prev.start_ql, prev.length_ql + dur, prev.meter, irregular=True)
        elif i == 0:
            bars.append(Bar(off + dur - full, full, meter))
        elif i == len(measures) - 1:
            bars.append(Bar(off, full, meter))
        else:
            while i + 1 < len(measures) - 1 and fragment(i + 1) and dur + measures[i + 1][1] <= full + EPS:
                i += 1
                dur += measures[i][1]
            bars.append(Bar(off, dur, meter, irregular=dur < full - EPS))
        i += 1
    return bars


# ------------------------------------------------------------------ corpus side (music21)

def measures_of(text: str) -> list[tuple[float, float, str]]:
    """``(offset_ql, duration_ql, meter in force)`` of every measure of one ABC tune (music21),
    on the same time line as ``melodies.load_tune``'s events; a tune without bar lines gets one bar
    of its meter at its start (the beat grid continues from it)."""
    from music21 import converter, stream
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = converter.parse(text, format="abc")
        if isinstance(score, stream.Opus):
            score = score.scores[0]
        part = score.parts[0] if score.parts else score
        out, meter = [], None
        for m in part.getElementsByClass("Measure"):
            if m.timeSignature is not None:
                meter = m.timeSignature.ratioString
            if meter is None:
                found = part.recurse().getElementsByClass("TimeSignature")
                meter = found[0].ratioString if found else "4/4"
            out.append((float(m.offset), float(m.duration.quarterLength), meter))
        if not out:   # no bar lines: whole bars of the notated meter from the first note
            found = part.recurse().getElementsByClass("TimeSignature")
            if found:
                out.append((0.0, float(found[0].barDuration.quarterLength), found[0].ratioString))
    return out


def item_reference(meta: dict, notes: np.ndarray) -> Reference:
    """The reference of one generated item from its ``.json`` and ``.notes.csv`` rows; needs the
    generator's ``melodies`` importable."""
    import melodies
    src = meta["source"]
    cand = melodies.Candidate(src["collection"], src["file"], src["tune_index"])
    tune = melodies.load_tune(cand)
    a, b = src["excerpt_quarter_lengths"]
    sung = [e for e in tune.events if e[2] is not None and e[0] >= a - EPS and e[1] <= b + EPS]
    if len(sung) != len(notes):
        raise ValueError(f"{meta['id']}: {len(sung)} notes in the excerpt, {len(notes)} sung")
    bars = bars_from_measures(measures_of(melodies._tunes_of(cand.path)[cand.index]))
    return reference_beats(bars, np.array([e[0] for e in sung]), float(sung[-1][1]), notes[:, 0])


def _num(x: float, digits: int) -> str:
    return repr(round(float(x), digits))


def write_set(set_dir: Path) -> tuple[int, list[str]]:
    """Write ``<id>.beats.csv`` and ``beats_index.csv`` for every item of ``set_dir``; returns the
    number written and the ids skipped (with why)."""
    from score_rhythm import meter_class
    rows, skipped = [], []
    for meta_path in sorted(set_dir.glob("*.json")):
        meta = json.loads(meta_path.read_text())
        if "source" not in meta:
            continue
        notes_path = set_dir / f"{meta['id']}.notes.csv"
        notes = np.loadtxt(notes_path, delimiter=",", skiprows=1, ndmin=2)
        try:
            ref = item_reference(meta, notes)
        except (ValueError, IndexError, ZeroDivisionError) as e:
            skipped.append(f"{meta['id']} ({e})")
            continue
        if len(ref.times_s) < 2 or not np.any(ref.in_bar == 1):
            skipped.append(f"{meta['id']} (fewer than two beats or no downbeat)")
            continue
        with open(set_dir / f"{meta['id']}.beats.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["time_s", "beat_in_bar"])
            for t, k in zip(ref.times_s, ref.in_bar):
                w.writerow([f"{t:.4f}", int(k)])
        times = np.round(ref.times_s, 4)
        unit, per_bar = meter_beat(ref.meter)
        rows.append({"id": meta["id"], "meter": ref.meter, "beats_per_bar": per_bar, "pickup_beats": ref.pickup_beats,
                     "first_downbeat_s": _num(times[ref.in_bar == 1][0], 4), "meter_class": meter_class(ref.meter),
                     "beat_unit_ql": unit, "n_beats": len(times), "n_downbeats": int(np.sum(ref.in_bar == 1)),
                     "beat_bpm": _num(ref.beat_bpm, 2),
                     "irregular_bars": ref.irregular_bars, "meters_in_excerpt": " ".join(ref.meters),
                     "n_notes": len(notes), "notes_on_beats": ref.notes_on_beats,
                     "notes_sha1": hashlib.sha1(notes_path.read_bytes()).hexdigest()[:12]})
    with open(set_dir / "beats_index.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=INDEX_FIELDS)
        w.writeheader()
        w.writerows(rows)
    return len(rows), skipped


def compare(mine: Path, theirs: Path) -> int:
    """Print how the references in ``mine`` (a set folder) differ from those in ``theirs``; returns
    the number of items that differ in any field or by more than 1 ms in a beat."""
    def index(d: Path) -> dict:
        with open(d / "beats_index.csv") as f:
            return {r["id"]: r for r in csv.DictReader(f)}
    a, b = index(mine), index(theirs)
    differ, worst, medians = 0, [], []
    for iid in sorted(b):
        if iid not in a:
            print(f"{iid}: missing")
            differ += 1
            continue
        x = np.loadtxt(mine / f"{iid}.beats.csv", delimiter=",", skiprows=1, ndmin=2)
        y = np.loadtxt(theirs / f"{iid}.beats.csv", delimiter=",", skiprows=1, ndmin=2)
        fields = [k for k in INDEX_FIELDS if a[iid].get(k) != b[iid].get(k)]
        if len(x) != len(y):
            print(f"{iid}: {len(x)} beats, theirs {len(y)}; fields differing: {fields}")
            differ += 1
            continue
        err = np.abs(x[:, 0] - y[:, 0]) * 1000.0
        worst.append(err.max())
        medians.append(np.median(err))
        if fields or err.max() > 1.0 or not np.array_equal(x[:, 1], y[:, 1]):
            differ += 1
            print(f"{iid}: max {err.max():.2f} ms, beat_in_bar same {np.array_equal(x[:, 1], y[:, 1])}; "
                  + ", ".join(f"{k} {a[iid].get(k)} (theirs {b[iid].get(k)})" for k in fields))
    print(f"{len(b)} items, {differ} differ; beat time |difference| max {max(worst):.3f} ms, "
          f"median of the per-item medians {np.median(medians):.3f} ms")
    return differ


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="corpus folder holding <set>/ folders")
    ap.add_argument("--sets", nargs="+", default=["heldout"])
    ap.add_argument("--generator", type=Path, default=BENCH,
                    help="folder of the generator's melodies.py and score_rhythm.py")
    ap.add_argument("--compare", type=Path, default=None,
                    help="a corpus folder with references to compare with (e.g. the shared data/)")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(a.generator.resolve()))
    status = 0
    for name in a.sets:
        n, skipped = write_set(a.data / name)
        print(f"{name}: beat references for {n} items" + (f"; skipped {', '.join(skipped)}" if skipped else ""))
        if a.compare is not None and compare(a.data / name, a.compare / name):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
