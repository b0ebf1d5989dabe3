"""Harder pitch-naming material (stop 37, issue 10): chromatic / modal tunes x singers with other intonation.

Tunes the dev corpus and the stand-ins do not use, cut where they leave the analysed key's diatonic scale most
(18-30 notes, ambitus <= 16 st): Bach chorale soprano lines, top lines of Mozart / Beethoven / Haydn / Schubert /
Schumann / Chopin / Joplin scores, O'Neill's tunes notated in a mode (K: ...mix / dor / phr / lyd); the shared
generator's singer (humsynth) and phone channel, with the singer's intonation changed per condition.
Run with the bench generator's venv (music21 10.5.1, see make_heldout_standin.py):
    /tmp/bench-venv/bin/python tests/bench/make_intonation_set.py OUTDIR --seed 13
Score offline with tests/bench/naming_rules_offline.py (raw note stage vs the naming rules).
Writes OUTDIR/<cond>/<id>.wav, .notes.csv, .json for conditions
base (humsynth's singer), scatter (no drift, per-note sd 20-35 c), fastdrift (drift 30-60 c, corr 0.4-1.5 s),
flatstart (first 3-5 s 40 c flat, then up within 1 s), offset (whole hum off A440 by
U(-50, 50) c), offsetscatter (that and scatter), stretch (leaps >= 5 st overshot by 5 % of the interval,
half of the error carried to the next note; female_high voice).
"""
import csv, json, os, pathlib, re, sys, warnings
import numpy as np
sys.path.insert(0, os.environ.get("HUMITOUT_BENCH_DIR", str(pathlib.Path(__file__).resolve().parents[3] / "shared" / "bench" / "melody")))
import humsynth, phone, melodies  # noqa
from make_corpus import choose_transposition
from scipy.io import wavfile

C = melodies.corpus_root()
SCALE = {"major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10]}


def events_of(part):
    from music21 import chord, note, harmony
    ev = []
    for el in part.stripTies().flatten().notesAndRests:
        if isinstance(el, harmony.ChordSymbol) or el.duration.isGrace or float(el.quarterLength) <= 0:
            continue
        on, ql = float(el.offset), float(el.quarterLength)
        if isinstance(el, note.Rest):
            ev.append((on, on + ql, None))
        elif isinstance(el, chord.Chord):
            ev.append((on, on + ql, max(p.midi for p in el.pitches)))
        elif isinstance(el, note.Note):
            ev.append((on, on + ql, int(el.pitch.midi)))
    mono = []
    for e in sorted(ev, key=lambda e: e[0]):
        if mono and e[0] < mono[-1][1] - 1e-6:
            continue
        mono.append(e)
    return mono


def best_window(ev, key, rng, n_lo=18, n_hi=30, max_range=16):
    """Excerpt of n_lo..n_hi notes with the most notes off the analysed key's diatonic scale."""
    notes = [e for e in ev if e[2] is not None]
    if len(notes) < n_lo:
        return None
    tonic = key.tonic.pitchClass
    scale = {(tonic + s) % 12 for s in SCALE.get(key.mode, SCALE["major"])}
    off = np.array([(e[2] % 12) not in scale for e in notes])
    best, arg = -1, None
    n = int(rng.integers(n_lo, n_hi + 1))
    for s in range(0, len(notes) - n + 1):
        p = [e[2] for e in notes[s:s + n]]
        if max(p) - min(p) > max_range:
            continue
        q = [e[1] - e[0] for e in notes[s:s + n]]
        if min(q) < 0.2 * np.median(q):
            continue
        c = off[s:s + n].sum() + rng.uniform(0, 0.5)
        if c > best:
            best, arg = c, s
    if arg is None:
        return None
    return notes[arg:arg + n], int(off[arg:arg + n].sum())


def melody(ev_sel, rng):
    on = np.array([e[0] for e in ev_sel]); off = np.array([e[1] for e in ev_sel])
    on, off = on - on[0], off - on[0]
    ql = off - on
    spq = rng.uniform(0.3, 0.45) / np.median(ql)
    spq = max(spq, 0.11 / ql.min())
    on, off = on * spq, off * spq
    rest_after = np.r_[on[1:] > off[:-1] + 1e-6, True]
    return on, off, np.array([e[2] for e in ev_sel], int), rest_after, 60 * 1 / spq


def sources(rng):
    """(collection, name, events, key) of candidate tunes."""
    from music21 import converter, corpus, stream
    out = []
    warnings.simplefilter("ignore")
    bach = sorted((C / "bach").glob("bwv*.mxl"))
    for p in rng.choice(bach, 25, replace=False):
        try:
            sc = converter.parse(str(p)); part = sc.parts[0]
            out.append(("bach-soprano", p.name, events_of(part), sc.analyze("key")))
        except Exception:
            pass
    classical = []
    for d in ("mozart", "beethoven", "haydn", "schubert", "schumann_robert", "joplin", "chopin", "schumann_clara"):
        classical += [p for p in sorted((C / d).rglob("*")) if p.suffix in (".mxl", ".xml", ".krn", ".musicxml")]
    for p in rng.choice(classical, min(18, len(classical)), replace=False):
        try:
            sc = converter.parse(str(p)); part = sc.parts[0]
            ev = events_of(part)
            # only the first ~200 quarter notes (a theme, not the whole movement)
            ev = [e for e in ev if e[0] < 200]
            out.append(("classical-top", str(p.relative_to(C)), ev, part.analyze("key")))
        except Exception:
            pass
    modal = []
    for p in sorted((C / "oneills1850").glob("*.abc")):
        for t in melodies._split_abc(p.read_text(encoding="latin-1")):
            k = re.search(r"^K:\s*(\S+)", t, re.M)
            if k and re.search(r"(?i)(mix|dor|phr|lyd)", k.group(1)):
                modal.append((p.name, t))
    for i in rng.choice(len(modal), min(40, len(modal)), replace=False):
        name, t = modal[i]
        try:
            sc = converter.parse(t, format="abc")
            if isinstance(sc, stream.Opus):
                sc = sc.scores[0]
            part = sc.parts[0] if sc.parts else sc
            out.append(("oneills-modal", name + ":" + re.search(r"^T:\s*(.*)$", t, re.M).group(1), events_of(part), part.analyze("key")))
        except Exception:
            pass
    return out


def patched_render(perf, singer, rng, fast):
    if not fast:
        return humsynth.render(perf, singer, rng)
    orig = humsynth._smooth_noise
    def sn(r, n, fs, corr_s):
        return orig(r, n, fs, corr_s / 4.0 if corr_s >= 2.0 else corr_s)
    humsynth._smooth_noise = sn
    try:
        return humsynth.render(perf, singer, rng)
    finally:
        humsynth._smooth_noise = orig


def make(outdir, seed, n_per_coll):
    rng = np.random.default_rng(seed)
    src = sources(rng)
    picked = {}
    for coll, name, ev, key in src:
        w = best_window(ev, key, rng)
        if w is None:
            continue
        picked.setdefault(coll, []).append((w[1], name, w[0], key))
    mels = []
    for coll, lst in picked.items():
        lst.sort(key=lambda x: -x[0])
        mels += [(coll,) + x for x in lst[:n_per_coll]]
        print(coll, len(lst), "chromatic counts", [x[0] for x in lst[:n_per_coll]], flush=True)
    voices = list(humsynth.VOICES); styles = humsynth.STYLES
    conds = ["base", "scatter", "fastdrift", "flatstart", "stretch", "offset", "offsetscatter"]
    for cond in conds:
        d = pathlib.Path(outdir) / cond
        d.mkdir(parents=True, exist_ok=True)
        for i, (coll, nchrom, name, ev_sel, key) in enumerate(mels):
            r = np.random.default_rng([seed, conds.index(cond), i])
            on, off, pit, rest_after, bpm = melody(ev_sel, r)
            vname = "female_high" if cond == "stretch" else voices[i % 4]
            voice = humsynth.VOICES[vname]
            shift = choose_transposition(pit, voice, r)
            singer = humsynth.Singer.sample(r, vname, styles[(i // 4) % 4])
            if cond == "scatter":
                singer.drift_max_cents = 0.0
                singer.detune_sd_cents = float(r.uniform(20, 35))
                singer.detune_max_cents = 2.5 * singer.detune_sd_cents
            if cond == "offsetscatter":
                singer.drift_max_cents = 0.0
                singer.detune_sd_cents = float(r.uniform(20, 35))
                singer.detune_max_cents = 2.5 * singer.detune_sd_cents
            if cond == "fastdrift":
                singer.drift_max_cents = float(r.uniform(30, 60))
            perf = humsynth.perform(on, off, pit + shift, rest_after, singer, r)
            if cond == "flatstart":
                t0 = perf.notes[0].onset + r.uniform(3, 5)
                for nt in perf.notes:
                    nt.detune_cents += -40.0 * float(np.clip(1 - (nt.onset - t0) / 1.0, 0, 1))
            if cond == "stretch":
                err = 0.0
                for j in range(1, len(perf.notes)):
                    iv = perf.notes[j].midi - perf.notes[j - 1].midi
                    err = 0.5 * err + (5.0 * iv if abs(iv) >= 5 else 0.0)
                    perf.notes[j].detune_cents += err
            if cond in ("offset", "offsetscatter"):
                g = float(r.uniform(-50, 50))
                for nt in perf.notes:
                    nt.detune_cents += g
            rend = patched_render(perf, singer, r, cond == "fastdrift")
            ch = phone.ChannelParams.sample(r)
            pcm = phone.apply(rend.audio, humsynth.FS, ch, r)
            iid = f"{cond}_{i:03d}"
            wavfile.write(d / f"{iid}.wav", phone.FS_OUT, pcm)
            with open(d / f"{iid}.notes.csv", "w", newline="") as f:
                w = csv.writer(f); w.writerow(["onset", "offset", "midi_pitch"])
                for nt in rend.notes:
                    w.writerow([f"{nt.onset:.4f}", f"{nt.offset:.4f}", nt.midi])
            meta = {"id": iid, "cond": cond, "collection": coll, "source": name, "off_scale_notes": nchrom,
                    "key": f"{key.tonic.name} {key.mode}", "transpose": shift, "tempo_bpm": bpm, "voice": vname,
                    "detune_sd_cents": singer.detune_sd_cents, "drift_max_cents": singer.drift_max_cents,
                    "sung_cents": [nt.sung_cents for nt in rend.notes], "midi": [nt.midi for nt in rend.notes]}
            json.dump(meta, open(d / f"{iid}.json", "w"))
        print(cond, "done", flush=True)


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("out"); ap.add_argument("--seed", type=int, default=13); ap.add_argument("--n", type=int, default=12)
    a = ap.parse_args()
    make(a.out, a.seed, a.n)
