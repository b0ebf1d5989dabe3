"""Held notes and steps read at the notes' own harmonics: a held note a talker stole the tracker from is one
note (:func:`held_through_talker`), a step starts where the new pitch's own harmonics rise
(:func:`onsets_at_own_harmonics`), and so does a note the tracker heard a talker's pitch in front of
(:func:`onsets_under_talker`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from humitout.audio.f0 import PitchTrack, midi_to_hz
from humitout.audio.notes.core import COMB_HARMONICS, JUMP_ST, MIN_NOTE_S, PHONE_TOP_HZ, NoteEvent
from humitout.audio.notes.partials import harmonic_levels_db


STEAL_MAX_S = 0.15        # s, longest stretch a talker holds the tracker inside the caller's held note
STEAL_MIN_S = 0.03        # s, shortest such stretch (fewer frames away: the tracker's own flicker, left to the cuts)
STEAL_SAME_ST = 0.5       # semitones within which the held note's pieces either side of the stretch agree
STEAL_HOLD_DB = 6.0       # dB under its level either side that the held pitch's harmonics keep through the stretch
STEAL_AWAY_ST = 2.5       # semitones from the held pitch the tracker's reading in the stretch lies (closer: the voice's own
                          # scoop, or a sung neighbour note a step away, which the held pitch's comb does not tell from a talker)
STEAL_REACH_S = 0.05      # s either side of the stretch also read for a dip (a re-attack's dip sits just before its scoop)
STEAL_PROBE_S = 0.04      # s, window over which the held pitch's harmonics are read inside the stretch
STEAL_FLANK_S = 0.1       # s of the held note either side of the stretch its harmonics are read over
OWN_STEP_MIN_ST = 1.0     # semitones: a step at least this large is checked for a late onset (onsets_at_own_harmonics)
OWN_REACH_S = 0.15        # s before the tracker's boundary the new note's own harmonics may start it
OWN_BODY_S = 0.1          # s of each note its harmonics' level is read over
OWN_RISE_DB = 10.0        # dB the new pitch's own harmonics stand over their level in the old note
OWN_LINE_DB = 6.0         # dB under the new note's level its own harmonics reach at its onset
OWN_OLD_FALL_DB = 3.0     # dB under its level the old pitch's own harmonics lie once the old note has stopped
OWN_SAG_DB = 6.0          # dB under that line the new note's own harmonics may sag between its onset and the boundary
OWN_WIN_S = 0.04          # s, window of those harmonic levels
OWN_NFFT = 1024           # FFT points of that window (7.8 Hz bins at 8 kHz)
TALKER_HEAD_AWAY_ST = 2.0  # semitones from a note the tracker's reading just before it lies: further than a melodic step
TALKER_HEAD_MIN_S = 0.03   # s of voiced frames at such a pitch before the note (onsets_under_talker)
TALKER_ATTACK_DB = 6.0     # dB under the note's level the frame energy at an onset under a talker may lie


def _harmonics_in_band(f_hz: float, harmonics: int, band_hz: tuple[float, float]) -> list[int]:
    """The harmonic numbers among the first ``harmonics`` of ``f_hz`` (Hz) that lie inside ``band_hz`` (Hz)."""
    return [h for h in range(1, harmonics + 1) if band_hz[0] <= h * f_hz <= band_hz[1]]


def _comb_power_db(x: np.ndarray, sr: int, a_s: float, b_s: float, f_hz: float, *,
                   harmonics: int = COMB_HARMONICS, band_hz: tuple[float, float] = (100.0, PHONE_TOP_HZ)) -> float:
    """Summed power (dB) of the harmonics of ``f_hz`` (those inside ``band_hz``, the first ``harmonics``)
    in ``x`` (n,) at ``sr`` Hz from ``a_s`` to ``b_s`` s (:func:`harmonic_levels_db`)."""
    seg = x[max(int(a_s * sr), 0):max(int(b_s * sr), int(a_s * sr) + 2)]
    hs = tuple(_harmonics_in_band(f_hz, harmonics, band_hz))
    if len(seg) < 16 or not hs:
        return -np.inf
    return float(10.0 * np.log10(np.sum(10.0 ** (np.array(harmonic_levels_db(seg, sr, f_hz, hs)) / 10.0))))


def stolen_stretches(notes: list[NoteEvent], x: np.ndarray, sr: int, track: PitchTrack, *,
                     max_s: float = STEAL_MAX_S, min_s: float = STEAL_MIN_S, same_st: float = STEAL_SAME_ST,
                     flank_s: float = STEAL_FLANK_S, reach_s: float = STEAL_REACH_S, probe_s: float = STEAL_PROBE_S,
                     jump_st: float = JUMP_ST) -> list[tuple[int, int, float, float]]:
    """``(i, j, drop_db, other_midi)`` for each pair of notes ``i < j`` at one pitch (within ``same_st``
    semitones) split where the tracker left that pitch for ``min_s`` to ``max_s`` s (another pitch, or none)
    between them, with only notes of that stretch's length between them: ``drop_db`` (dB) is how far the
    harmonics of the held pitch fall in that stretch under their level in the ``flank_s`` s either side
    (:func:`_comb_power_db`), ``other_midi`` the median pitch the tracker read there more than ``jump_st``
    semitones off the held one (NaN where it read none)."""
    hop, out = track.hop_s, []
    midi = track.midi
    for i, a in enumerate(notes):
        for j in range(i + 1, len(notes)):
            b = notes[j]
            if b.onset_s - a.offset_s > max_s:
                break
            if abs(b.midi - a.midi) > same_st:
                if b.offset_s - b.onset_s > max_s:
                    break
                continue
            held = 0.5 * (a.midi + b.midi)
            lo, hi = max(int(round((a.offset_s - flank_s) / hop)), 0), min(int(round((b.onset_s + flank_s) / hop)), len(midi))
            m = midi[lo:hi]
            away = ~(np.isfinite(m) & (np.abs(m - held) <= jump_st))
            k = np.flatnonzero(away)
            if not len(k) or away.sum() * hop < min_s - 1e-9 or (k[-1] + 1 - k[0]) * hop > max_s + 1e-9:
                break
            u, v = (lo + k[0]) * hop, (lo + k[-1] + 1) * hop
            if u < a.onset_s + flank_s / 2 or v > b.offset_s - flank_s / 2 or u > b.onset_s + hop or v < a.offset_s - hop:
                break   # the stretch lies inside the held note, some of it either side, and is where it was cut
            f = float(midi_to_hz(held))
            p, q = u - reach_s, v + reach_s   # the stretch and the frames either side where a re-attack dips
            side = [_comb_power_db(x, sr, p - flank_s, p, f), _comb_power_db(x, sr, q, q + flank_s, f)]
            inner = min(_comb_power_db(x, sr, w, w + probe_s, f)
                        for w in np.arange(p, max(q - probe_s, p) + 1e-9, hop))
            seen = m[k[0]:k[-1] + 1]
            seen = seen[np.isfinite(seen) & (np.abs(seen - held) > jump_st)]
            other = float(np.median(seen)) if len(seen) else np.nan   # the pitch the tracker read instead
            out.append((i, j, float(np.mean(side)) - inner, other))
            break
    return out


def held_through_talker(notes: list[NoteEvent], x: np.ndarray, sr: int, track: PitchTrack, *,
                        hold_db: float = STEAL_HOLD_DB, away_st: float = STEAL_AWAY_ST, **kw) -> list[NoteEvent]:
    """Notes with a held note that a talker's syllable split joined again: two pieces at one pitch either
    side of a short stretch where the tracker read another voice (or none) are one note when the held
    pitch's harmonics keep within ``hold_db`` of their level either side through that stretch
    (:func:`stolen_stretches`; ``kw`` its limits), and the notes the tracker made of that stretch go.

    The caller does not stop: a sung neighbour note or a re-attack takes the held pitch's harmonics
    away, a talker heard over the caller for a few frames leaves them (stress babble seeds 10-15: 9 of the
    18 splits the clean twin does not make are a talker 2-12 st off holding the tracker 0.04-0.13 s, or
    a voicing gap after it, with the held pitch's harmonics flat through it). Only a reading more than
    ``away_st`` semitones off the held pitch is asked: a sung neighbour note a step away (an air's turn or
    cut, 53-55-53 in 0.07-0.1 s) leaves the held pitch's comb only -2 to 6 dB down, as a talker does, since
    a 40 ms window does not resolve a whole tone at a low voice's first harmonics (stress corpus of other
    tunes, seeds 50-57: 12 calls up, none down; dev-tune stress, combined, dev and stand-ins: 1 up, 2 down)."""
    joins = [(i, j) for i, j, drop, other in stolen_stretches(notes, x, sr, track, **kw)
             if drop <= hold_db and abs(other - 0.5 * (notes[i].midi + notes[j].midi)) >= away_st]
    if not joins:
        return notes
    out, skip = list(notes), set()
    for i, j in reversed(joins):
        if i in skip or j in skip:
            continue
        a, b = out[i], out[j]
        w = np.array([a.offset_s - a.onset_s, b.offset_s - b.onset_s])
        out[i] = replace(a, offset_s=b.offset_s, midi=float(np.average([a.midi, b.midi], weights=w)),
                         confidence=float(np.average([a.confidence, b.confidence], weights=w)))
        skip.update(range(i + 1, j + 1))
    return [n for k, n in enumerate(out) if k not in skip]


def _frame_power(x: np.ndarray, sr: int, centres_s: np.ndarray, win_s: float, nfft: int) -> np.ndarray:
    """Power spectra (frames, ``nfft`` // 2 + 1) of ``x`` (n,) at ``sr`` Hz in Hann windows of ``win_s`` s
    centred at ``centres_s`` (s); a window reaching past either end of ``x`` reads zeros there."""
    half = int(win_s * sr / 2)
    padded = np.concatenate([np.zeros(half), x, np.zeros(half)])
    starts = np.clip(np.round(centres_s * sr).astype(int), 0, len(x))
    frames = padded[starts[:, None] + np.arange(2 * half)[None, :]]
    return np.abs(np.fft.rfft(frames * np.hanning(2 * half), nfft, axis=1)) ** 2


def _own_comb_db(power: np.ndarray, sr: int, nfft: int, f_hz: float, other_hz: float, *, harmonics: int = COMB_HARMONICS,
                 band_hz: tuple[float, float] = (100.0, PHONE_TOP_HZ)) -> np.ndarray | None:
    """Per frame of ``power`` (:func:`_frame_power`), the summed peak power (dB) at the first ``harmonics``
    multiples of ``f_hz`` inside ``band_hz`` that lie off every multiple of ``other_hz`` (more than 3 % + 8 Hz
    away): the harmonics only a voice at ``f_hz`` sounds. None where fewer than two are left (an octave step)."""
    others = other_hz * np.arange(1, int(band_hz[1] / other_hz) + 2)
    hs = [h for h in _harmonics_in_band(f_hz, harmonics, band_hz)
          if np.min(np.abs(h * f_hz - others)) > 0.03 * h * f_hz + 8.0]
    if len(hs) < 2:
        return None
    freqs = np.fft.rfftfreq(nfft, 1.0 / sr)
    peaks = [power[:, np.abs(freqs - h * f_hz) <= max(0.03 * h * f_hz, 8.0)].max(axis=1) for h in hs]
    return 10.0 * np.log10(np.sum(peaks, axis=0) + 1e-20)


def onsets_at_own_harmonics(notes: list[NoteEvent], x: np.ndarray, sr: int, hop_s: float, *,
                            min_step_st: float = OWN_STEP_MIN_ST, reach_s: float = OWN_REACH_S,
                            body_s: float = OWN_BODY_S, min_len_s: float = MIN_NOTE_S, max_gap_s: float = OWN_REACH_S,
                            rise_db: float = OWN_RISE_DB, line_db: float = OWN_LINE_DB,
                            old_fall_db: float = OWN_OLD_FALL_DB, sag_db: float = OWN_SAG_DB,
                            win_s: float = OWN_WIN_S,
                            nfft: int = OWN_NFFT) -> list[NoteEvent]:
    """``notes`` with each step to another pitch (``min_step_st`` semitones or more, the notes touching or
    ``max_gap_s`` s apart) starting where the new note's own harmonics rise, up to ``reach_s`` s before the
    tracker's boundary (the note before it ends there too).

    The tracker holds the old pitch while the old note's sound (its direct sound's release, a room's tail, a
    codec's smoothing) outweighs the new one's, so a step can start 50-150 ms late (stress speakerphone s14
    speaker_011: the new pitch's harmonics rise 11 dB at 6.73 s, the reference onset, the tracker changes
    pitch at 6.81 s). Here the harmonics of the new pitch that no harmonic of the old one lies near (so the
    old note and its tail add nothing there; :func:`_own_comb_db`, in ``win_s`` s windows on the ``hop_s``
    grid) are read from ``body_s`` s into the new note back into the old one: where they stand ``rise_db`` or
    more over their level in the old note before the reach, the onset is the earliest frame where they are
    within ``line_db`` of the new note's level (and past halfway up from the old note's) while the old
    pitch's own harmonics lie ``old_fall_db`` or more under their level in the old note (the old note has
    stopped), on the walk back from the boundary over frames where the new pitch's harmonics stay within
    ``sag_db`` of that line (and a quarter of the way up): after its attack a new note's harmonics can sag
    through a room's notch or the vowel's own shape before the tracker takes it (stress s13 speaker_008 at
    6.76 s, s18 speaker_000 at 1.17 s: 5-7 dB under the line for 40-80 ms). A frame where the old note still
    sounds at its level is no onset, however strong the new pitch's harmonics (a room's tail of an earlier note
    at the new pitch under a short note between: stress s10 speaker_009 at 7.99 s)."""
    out = list(notes)
    for i in range(1, len(out)):
        a, b = out[i - 1], out[i]
        if b.onset_s - a.offset_s > max_gap_s + 1e-6 or abs(b.midi - a.midi) < min_step_st:
            continue
        kb, ka = int(round(b.onset_s / hop_s)), int(round(a.onset_s / hop_s))
        k0 = max(ka, int(round((b.onset_s - reach_s - body_s) / hop_s)))
        kend = int(round(min(b.offset_s, b.onset_s + body_s) / hop_s))
        lo = max(int(round((b.onset_s - reach_s) / hop_s)), ka + int(round(min_len_s / hop_s)))
        if lo >= kb or kend - kb < 4 or lo - k0 < 3:
            continue
        f_new, f_old = float(midi_to_hz(b.midi)), float(midi_to_hz(a.midi))
        power = _frame_power(x, sr, np.arange(k0, kend) * hop_s, win_s, nfft)
        new, old = _own_comb_db(power, sr, nfft, f_new, f_old), _own_comb_db(power, sr, nfft, f_old, f_new)
        if new is None or old is None:
            continue
        body, before = float(np.median(new[kb - k0 + 2:])), float(np.median(new[:lo - k0]))
        held = float(np.median(old[:lo - k0]))
        if body - before < rise_db:
            continue
        k = _earliest_on_line(new, k0, lo, kb, body, before, line_db=line_db, sag_db=sag_db,
                              onset_ok=lambda j: old[j - k0] <= held - old_fall_db)
        if k < kb:
            out[i - 1] = replace(a, offset_s=min(a.offset_s, k * hop_s))
            out[i] = replace(b, onset_s=k * hop_s)
    return out


def _earliest_on_line(new: np.ndarray, k0: int, lo: int, kb: int, body: float, before: float, *, line_db: float,
                      sag_db: float, onset_ok: Callable[[int], bool]) -> int:
    """The onset frame a note's own harmonics give: walking back from its boundary frame ``kb`` to ``lo`` over
    frames where their level ``new`` (dB per frame, from frame ``k0``) stays within ``sag_db`` of the line (the
    note's level ``body`` less ``line_db`` dB, and past halfway up from ``before``, their level before the
    note) and a quarter of the way up, the earliest frame on that line where ``onset_ok(frame)``; ``kb`` when
    there is none."""
    line = max(body - line_db, before + 0.5 * (body - before))
    floor = max(line - sag_db, before + 0.25 * (body - before))
    k = j = kb
    while j - 1 >= lo and new[j - 1 - k0] >= floor:
        j -= 1
        if new[j - k0] >= line and onset_ok(j):
            k = j
    return k


def onsets_under_talker(notes: list[NoteEvent], x: np.ndarray, sr: int, track: PitchTrack, level_db: np.ndarray, *,
                        away_st: float = TALKER_HEAD_AWAY_ST, min_heard_s: float = TALKER_HEAD_MIN_S,
                        attack_db: float = TALKER_ATTACK_DB, reach_s: float = OWN_REACH_S,
                        body_s: float = OWN_BODY_S, max_gap_s: float = OWN_REACH_S, rise_db: float = OWN_RISE_DB,
                        line_db: float = OWN_LINE_DB, sag_db: float = OWN_SAG_DB, win_s: float = OWN_WIN_S,
                        nfft: int = OWN_NFFT) -> list[NoteEvent]:
    """``notes`` with each note that follows no note of the caller's (none ended within ``max_gap_s`` s), and
    in front of which the tracker heard another voice, starting where its own harmonics rise, up to
    ``reach_s`` s before the tracker's onset (never before the previous note's end).

    A talker's syllable holds the tracker while the caller's attack comes under it, and the note starts only
    when the caller outweighs the talker, 50-100 ms late (stress babble: s16 babble_000 at 0.55 s, the
    caller's harmonics up 30 dB at 0.56-0.58 s while the tracker read the talker 15 semitones under until
    0.65 s). Another voice: at least ``min_heard_s`` s of voiced frames (``track``) in the ``reach_s`` s
    before the note whose pitch lies ``away_st`` semitones or more from the note's (a melodic step is
    the caller's own scoop or previous note). Then, as in :func:`onsets_at_own_harmonics`, the note's
    harmonics that no harmonic of that voice's median pitch lies near are read in ``win_s`` s windows from
    ``reach_s + body_s`` s before the note to ``body_s`` s into it; where the note's own level stands
    ``rise_db`` or more over their floor before it (the tenth percentile of the frames before the note),
    the onset walks back as :func:`_earliest_on_line` walks (``line_db``, ``sag_db``) to frames whose
    energy (``level_db`` (n,) dB) is at most ``attack_db`` dB under the note's: the caller's attack is
    as loud as the note, a babble floor at the note's harmonics is not (s19 babble_007: the line reached
    in the babble 60 ms before an attack 20 dB louder).

    Stress seeds 10-39, note-stage reruns against the main of stop 44: 11 cells up, 4 down (babble 9
    up, 1 down; diphone 2 up; speakerphone, bass and nasal one note lost each); dev and the held-out
    stand-ins read the same."""
    out = list(notes)
    hop = track.hop_s
    midi, heard = track.midi, track.voiced
    for i, b in enumerate(out):
        prev_off = out[i - 1].offset_s if i else 0.0
        if i and b.onset_s - prev_off <= max_gap_s + 1e-6:
            continue
        after_prev = int(round(prev_off / hop)) + 1 if i else 0
        kb = int(round(b.onset_s / hop))
        lo = max(int(round((b.onset_s - reach_s) / hop)), after_prev)
        k0 = max(int(round((b.onset_s - reach_s - body_s) / hop)), after_prev)
        kend = int(round(min(b.offset_s, b.onset_s + body_s) / hop))
        if lo >= kb or kend - kb < 4 or lo - k0 < 3:
            continue
        head = midi[lo:kb]
        away = heard[lo:kb] & np.isfinite(head) & (np.abs(head - b.midi) >= away_st)
        if away.sum() * hop < min_heard_s - 1e-9:
            continue
        power = _frame_power(x, sr, np.arange(k0, kend) * hop, win_s, nfft)
        new = _own_comb_db(power, sr, nfft, float(midi_to_hz(b.midi)), float(midi_to_hz(float(np.median(head[away])))))
        if new is None:
            continue
        body, before = float(np.median(new[kb - k0 + 2:])), float(np.percentile(new[:kb - k0], 10))
        if body - before < rise_db:
            continue
        loud = float(np.median(level_db[kb:kend])) - attack_db
        k = _earliest_on_line(new, k0, lo, kb, body, before, line_db=line_db, sag_db=sag_db,
                              onset_ok=lambda j: level_db[j] >= loud)
        if k < kb:
            out[i] = replace(b, onset_s=k * hop)
    return out
