"""Notes from a pitch track and frame levels (:func:`segment_notes`: voicing, cuts, pieces, the caller's notes),
with a note's onset moved where a quieter voice before it gives way to the caller's."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from scipy.ndimage import median_filter

from humitout.audio.arrays import true_runs
from humitout.audio.f0 import PitchTrack
from humitout.audio.median import median1d
from humitout.audio.notes.callers import drop_background_tone_notes, keep_callers_notes, talker_at_note_edges
from humitout.audio.notes.core import (ATTACK_RISE_DB, DEAD_PAD_S, DIP_WIN_S, JUMP_ST, LEVEL_WIN_S, LOST_FLOOR_DB,
                                       MAX_WEAK_ATTACK_S, MIN_JUMP_S, MIN_NOTE_S, ONSET_LEAD_S, STEADY_ST,
                                       SUBHARMONIC_ST, TAIL_DB, TALKER_LEAP_ST, NoteEvent, gap_s)
from humitout.audio.notes.levels import band_level_db, bridge_dead_air, level_ok_frames, moving_average, note_timbre
from humitout.audio.notes.reattack import (attack_before_pitch_change, detrend_vibrato_level, dip_cuts, merge_close,
                                           pitch_cuts, vibrato_centre, vibrato_wobble)
from humitout.audio.notes.voicing import (WEAK_TAIL_CTX_S, attack_through_tail, attack_through_tones,
                                          attack_under_gate, background_tones, drop_gate_flicker, extend_weak_edges,
                                          fill_weak_gaps, heard_at_new_pitch, hold_pitch_through_gaps,
                                          rescue_weak_voicing, smoothed_pitch_and_loud, voice_buried_pitch,
                                          voice_notch_gaps, voice_short_bursts)


GATE_HELD_S = 0.3     # s, least a note has been held (from its voiced run's start) before such a gate
CONF_DIP_CTX_S = 0.12  # s either side of a dip where the tracker's usual confidence and envelope are read
ATTACK_LEAD_S = 0.07  # s, longest a re-attack dip may precede the pitch change it starts (reverb delays it)
VIB_PERIOD_S = (0.14, 0.25)  # s, shortest and longest vibrato period (7-4 Hz) a dip may recur at
VIB_RECUR_REACH_S = 0.3  # s either side of a dip where the vibrato's period is read
MIN_SEP_S = 0.07      # s, closest two boundaries may be
BURIED_HOLD_S = 0.1    # s, how long a buried voice must hold its pitch (longer than MIN_NOTE_S: noise is less steady)
BURIED_FOLLOW_S = 0.05  # s, gap after a voiced note at another pitch within which a buried piece of MIN_NOTE_S is voiced
TONE_WALK_S = 0.3      # s, longest walk back from a weak attack over background-tone frames to its onset
BURST_MIN_S = 0.04    # s, shortest burst at one pitch, under MIN_NOTE_S, grown into a note (voice_short_bursts)
MAX_WEAK_GAP_S = 0.2  # s, longest weakly voiced (or notch-gated) gap inside a held pitch that is voiced again
MAX_GATED_GAP_S = 2.0  # s, longest gap the level gate cut in a voiced held pitch that is voiced again when flat
GATED_ATTACK_S = 0.1   # s, longest attack the level gate cut before a note that still gives its onset
TAIL_ATTACK_S = LEVEL_WIN_S  # s, longest attack heard through another note's reverberant tail that gives its onset
MAX_DEAD_S = 0.25     # s, longest dropout (padding included) bridged inside a note
ONSET_RISE_DB = 10.0     # dB under a note's level where the caller's voice is not on yet
ONSET_SEARCH_S = 0.1     # s after the tracker's onset searched for the caller's level rise
ONSET_MIN_SHIFT_S = 0.03  # s, smallest onset correction made
ONSET_HELD_S = 0.05      # s the tracker must have heard a quieter voice before the caller's attack it keeps following
ONSET_REDIP_DB = 2.0     # dB a talker's rise before a note falls back and climbs again at the caller's attack
HEAD_QUIET_DB = 3.0      # dB under a note's level that the end of another voice heard at its start stays
HEAD_MIN_S = 0.03        # s, shortest stretch at another pitch at a note's start taken for another voice
HEAD_MAX_S = 0.12        # s, longest such stretch (longer: a note of its own)
HEAD_AWAY_ST = 1.0       # semitones from a note where another note's pitch begins
HEAD_GLIDE_SHARE = 0.5   # share of its distance to a note's pitch over which a head glides into the note: a scoop
VIB_WIN_S = 0.25      # s, moving-average window longer than a vibrato period (4-7 Hz)
SOFT_ATTACK_MAX_S = 0.08     # s, longest head at a note's pitch walked back over (a sung n, m or l)
SOFT_ATTACK_MIN_S = 0.02     # s, shortest walk made
SOFT_ATTACK_CONF = 0.3       # tracker confidence the head's frames hold at least
SOFT_ATTACK_NEAR_ST = 1.0    # semitones from the note's pitch the head's frames lie at most
SOFT_ATTACK_OVER_DB = 1.0    # dB a head frame may stand over the note's first frame (a louder one is a tail)
SOFT_ATTACK_RISE_DB = 6.0    # dB the head's first frame stands over the quietest of the frames before it
SOFT_ATTACK_FLOOR_S = 0.05   # s before the head where that quiet is read
SOFT_ATTACK_ROOM_CONF = 0.05  # tracker confidence a head frame holds at least in a room (heard through a tail)
SOFT_ATTACK_ROOM_UNDER_DB = 10.0  # dB under the note's vowel a head frame in a room lies at least (a consonant)
SOFT_ATTACK_VOWEL_S = 0.1    # s from a note's onset over which its vowel's level is read
SOFT_ATTACK_RING_SHARE = 0.6  # share of the frames before a head in a room that must sound at another pitch
SOFT_ATTACK_SUB_CONF = 0.05  # tracker confidence a head frame on the note's pitch / 2 or / 3 holds at least
OVERSHOOT_LEAP_ST = 2.0  # semitones: a legato leap at least this large is read from the note's settled part
OVERSHOOT_HEAD_LEAP_ST = 4.5       # semitones: a leap at least this large whose overshoot may split off the note's head
OVERSHOOT_HEAD_ST = (0.4, 1.7)     # semitones beyond the note's pitch, in the leap's direction, such a head lies
OVERSHOOT_HEAD_MAX_S = 0.2         # s, longest such head
OVERSHOOT_HEAD_TOUCH_S = 0.02      # s, widest gap between the head and the rest of its note


def _core(m: np.ndarray, s: int, t: int) -> np.ndarray:
    """The central part (25 %-80 %) of frames ``s:t`` of pitch ``m``: a note's pitch without its glides."""
    d = t - s
    return m[s + int(0.25 * d): s + max(int(0.8 * d), int(0.25 * d) + 1)]


def _settled(m: np.ndarray, s: int, t: int) -> np.ndarray:
    """The later part (50 %-90 %) of frames ``s:t`` of pitch ``m``: a note's pitch once the voice has settled
    after a leap into it.

    A voice that leaps overshoots the new pitch and settles onto it over 0.1-0.2 s (Saitou et al. 2005, "overshoot"
    in singing F0), so the core of a short note after a leap (:func:`_core`) lies on the overshoot: on dev and the
    held-out stand-ins r1-r3 most notes named a semitone off in pitch with a right onset (8-31 a set) are off in
    the leap's direction."""
    d = t - s
    return m[s + int(0.5 * d): s + max(int(0.9 * d), int(0.5 * d) + 1)]


def tail_between_cuts(level_db: np.ndarray, pitch: float, held: float, dip_to_pitch_cut: bool, *,
                      jump_st: float = JUMP_ST, rise_db: float = ATTACK_RISE_DB) -> bool:
    """Whether a piece of a voiced run, at ``pitch`` (MIDI) with frame levels ``level_db`` (dB), is the
    tail of the note ``held`` (MIDI) before it, heard through the gap before the next note: no note.

    The piece starts at a re-attack dip and ends at a pitch change (``dip_to_pitch_cut``), keeps the
    pitch of the note before it (within ``jump_st``) and never climbs ``rise_db`` over the quietest
    frame before it (no attack of its own: the level only falls or holds, as a room's tail or the
    voice's decay does, where a sung repeat climbs out of its dip). The dip is where the old note's
    direct sound stopped, the pitch change where the tracker first hears the next note; between
    them it still hears the old pitch (stress speakerphone seeds 10-15: 0.07-0.1 s pieces at the
    old pitch before a step, s10 speaker_003 at 9.51 s, s10 speaker_011 at 5.16 s, s14 speaker_000
    at 2.82 s, each an extra note at another pitch; the clean twin's gap is unvoiced)."""
    if not dip_to_pitch_cut or abs(pitch - held) > jump_st or len(level_db) < 2:
        return False
    return not bool(np.any(level_db[1:] - np.minimum.accumulate(level_db)[:-1] >= rise_db))


def _join_same_pitch(pieces: list[list[int]], m: np.ndarray, dips: set[int]) -> list[list[int]]:
    """Consecutive pieces ``[[s, t], ...]`` of one voiced run joined where the boundary is no
    re-attack dip (in ``dips``) and both sides have the same pitch (within ``JUMP_ST``): a
    tracker glitch cut the note there, the voice did not change."""
    out: list[list[int]] = []
    for s, t in pieces:
        if out and s not in dips and abs(median1d(_core(m, *out[-1])) - median1d(_core(m, s, t))) <= JUMP_ST:
            out[-1][1] = t
            continue
        out.append([s, t])
    return out


def segment_notes(track: PitchTrack, energy_db: np.ndarray, dead: np.ndarray | None = None,
                  dip_level_db: np.ndarray | None = None, envelope_db: np.ndarray | None = None,
                  quiet_level_db: np.ndarray | None = None,
                  comb_pitch: Callable[[float, float, float, float], float] | None = None,
                  octave_low: Callable[[NoteEvent], bool] | None = None,
                  band_levels_db: np.ndarray | None = None, room: bool = False) -> list[NoteEvent]:
    """Notes from a pitch track and the frame energy ``energy_db`` (n,) on the same grid;
    ``dead`` (n,) marks dropout frames (:func:`dead_air_frames`); re-attack dips are looked for
    in ``dip_level_db`` (n,) (:func:`band_level_db`, robust to notches), else in the energy.
    ``envelope_db`` (k, n) (:func:`harmonic_envelope_db`) gives each note's timbre
    (:func:`note_timbre`), which tells the caller's notes from other voices' (:func:`keep_callers_notes`),
    and, with ``dip_level_db``, a notch-robust level at the voice's own harmonics in which a re-attack
    dip that background sounds fill in the narrow bands still shows (:func:`dip_cuts`). ``quiet_level_db``
    (n,) (dB, the quietest narrow bands' level per frame) tells a phone suppressor's gate inside a held
    note, which leaves those bands and re-weights the note's harmonics, from a re-attack, which takes
    those bands down or comes back with the note's shape (:func:`dip_cuts`). ``comb_pitch`` (onset s,
    offset s, lowest and highest MIDI -> MIDI; e.g. :func:`harmonic_comb_pitch` of the call's samples) reads
    the caller's pitch under a talker's syllable (:func:`keep_callers_notes`). ``octave_low`` (note -> bool;
    e.g. :func:`coded_at_twice_period` of the call's samples) tells a note the tracker read an octave under
    the voice, which the talker and caller rules then judge an octave up (:func:`judge_at_voice_pitch`).
    ``band_levels_db`` (bands, n) (dB, :func:`narrow_band_levels_db`), given with ``dip_level_db`` and
    ``envelope_db`` for a call freed of a room's reverberation, finds the re-attack dips of legato repeats
    that the room's tail filled in those levels by every band dipping at once (:func:`dip_cuts`).
    ``room`` (the call was freed of a room's reverberation, ``FrontEnd.reverberant``) lets a short burst the
    tracker hears only weakly make a note where its level climbs out of the rest or tail before it
    (:func:`voice_short_bursts`' ``attack_db``).

    A voiced run of ``MIN_NOTE_S`` or more whose pitch cuts leave only pieces shorter than a note is one
    note (its pitch the median of the run's core, :func:`_core`), not none: a short sung note's scoop into
    its vowel or its release, which the tracker follows for a few frames (a child's 0.07-0.1 s "da" scooped
    1-1.5 st from above), is no second note, and a note needs ``MIN_NOTE_S`` to be one."""
    hop = track.hop_s
    n = min(len(track.hz), len(energy_db))
    midi_all = midi_heard = track.midi[:n]   # midi_heard: the tracker's own, NaN where it has none
    e = energy_db[:n]
    min_len = int(np.ceil(MIN_NOTE_S / hop - 1e-9))
    ok = ~dead[:n] if dead is not None and dead[:n].any() else None   # live samples, when some were lost
    level_ok = level_ok_frames(e, int(LEVEL_WIN_S / hop), ok, midi=midi_all, conf=track.confidence[:n])
    voiced = track.voiced[:n] & level_ok & np.isfinite(midi_all)
    voiced = rescue_weak_voicing(midi_all, track.confidence[:n], voiced, level_ok, min_len,
                                 tail_ctx=int(round(WEAK_TAIL_CTX_S / hop)))
    if track.wavering is not None:   # a pitch the tracker wavered under (f0.fold_subharmonic_wavering)
        voiced |= track.wavering[:n] & level_ok & np.isfinite(midi_all)
    if ok is not None:
        midi_all, voiced, e = bridge_dead_air(np.nan_to_num(midi_all), voiced & ok, e, dead[:n],
                                              int(round(MAX_DEAD_S / hop)), int(round(DEAD_PAD_S / hop)), hold=min_len,
                                              seen=track.voiced[:n] & np.isfinite(midi_all) & (e > LOST_FLOOR_DB))
    tones = np.zeros(0)   # pitches of steady background tones (an engine's, a fan's), when the cleaned level is known
    if dip_level_db is not None:
        buried_hold, win_level = int(round(BURIED_HOLD_S / hop)), int(round(LEVEL_WIN_S / hop))
        smoothed, loud = smoothed_pitch_and_loud(midi_heard, dip_level_db[:n], win_level)
        tones = background_tones(smoothed, track.confidence[:n], voiced, loud, buried_hold,
                                 heard=np.isfinite(midi_heard))   # read once, for voice_buried_pitch and the tone notes
        voiced = voice_buried_pitch(midi_heard, track.confidence[:n], voiced, level_ok, dip_level_db[:n],
                                    buried_hold, win_level, follow_hold=min_len,
                                    follow_gap=int(round(BURIED_FOLLOW_S / hop)), tones=tones)
        voiced, walked = attack_through_tones(midi_heard, track.confidence[:n], voiced, dip_level_db[:n],
                                              buried_hold, win_level, int(round(TONE_WALK_S / hop)))
        midi_all = np.where(np.isfinite(walked), walked, midi_all)
    voiced = drop_gate_flicker(voiced, track.confidence[:n], level_ok, min_len)
    midi_filled = np.nan_to_num(midi_all)   # unvoiced frames at 0, for the rules that read any frame
    min_jump = max(1, int(round(MIN_JUMP_S / hop)))
    filled = fill_weak_gaps(midi_filled, track.confidence[:n], voiced, level_ok,
                            int(round(MAX_WEAK_GAP_S / hop)), e, max_gated=int(round(MAX_GATED_GAP_S / hop)),
                            side=min_jump)
    midi_all = hold_pitch_through_gaps(midi_all, voiced, filled, min_jump, side=min_jump)
    midi_filled, voiced = np.nan_to_num(midi_all), filled
    voiced = extend_weak_edges(midi_filled, track.confidence[:n], voiced, level_ok,
                               int(round(MAX_WEAK_ATTACK_S / hop)), e)
    r = h = None   # notch-robust levels: of the narrow bands, and read at the voice's own harmonics
    if dip_level_db is not None:
        r = dip_level_db[:n]
        h = None if envelope_db is None else band_level_db(envelope_db[:, :n], hop)
        if ok is not None:
            r, h = (None if v is None else bridge_dead_air(np.zeros(n), np.ones(n, bool), v, dead[:n],
                                                            int(round(MAX_DEAD_S / hop)),
                                                            int(round(DEAD_PAD_S / hop)))[2]
                    for v in (r, h))
        voiced = voice_notch_gaps(midi_filled, track.confidence[:n], voiced, r,
                                  int(round(MAX_WEAK_GAP_S / hop)))
    voiced = voice_short_bursts(midi_filled, track.confidence[:n], voiced, level_ok, min_len,
                                int(round(BURST_MIN_S / hop)), dead=None if ok is None else dead[:n], level_db=e,
                                attack_db=TAIL_DB if room else None)
    win = int(round(DIP_WIN_S / hop))
    vib_win = int(round(VIB_WIN_S / hop)) | 1
    vib_recur = (tuple(int(round(p / hop)) for p in VIB_PERIOD_S), int(round(VIB_RECUR_REACH_S / hop)), vib_win)
    min_sep = int(round(MIN_SEP_S / hop))
    attack_lead = int(round(ATTACK_LEAD_S / hop))
    gated_attack = int(round(GATED_ATTACK_S / hop))
    tail_attack = int(round(TAIL_ATTACK_S / hop))
    gate_held = int(round(GATE_HELD_S / hop))
    conf_ctx = int(round(CONF_DIP_CTX_S / hop))
    e_s = moving_average(e, 3)
    r_s = None if r is None else moving_average(r, 3)
    h_s = None if h is None else moving_average(h, 3)
    own = None   # each narrow band's and each harmonic's own level, smoothed as the levels are
    if band_levels_db is not None and envelope_db is not None and r is not None:
        own = tuple(np.stack([moving_average(v, 3) for v in levels[:, :n]]) for levels in (band_levels_db, envelope_db))

    notes: list[NoteEvent] = []
    levels: list[float] = []   # median level (dB) of each note
    runs: list[int] = []       # first frame of each note's voiced run
    steady: list[float] = []   # share of each note's frames within STEADY_ST of its pitch
    timbre: list = []          # spectral shape of each note (bands,) (dB), when band levels are given
    for a, b in zip(*true_runs(voiced)):
        if b - a < min_len:
            continue
        m = midi_all[a:b]
        if len(m) >= 5:
            m = median_filter(m, size=5, mode="nearest")
        pc = pitch_cuts(vibrato_centre(m, hop), min_jump)
        wobble = vibrato_wobble(m, vib_win) if len(m) >= vib_win else None
        level = detrend_vibrato_level(e_s[a:b], m, vib_win, wobble=wobble)
        dc = dip_cuts(level, win, edge=min_len // 2,
                       robust=None if r_s is None else detrend_vibrato_level(r_s[a:b], m, vib_win, wobble=wobble),
                       m=m, vibrato=vib_recur, conf=track.confidence[a:b],
                       envelope=None if envelope_db is None else envelope_db[:, a:b], conf_ctx=conf_ctx,
                       harmonic=None if h_s is None else detrend_vibrato_level(h_s[a:b], m, vib_win, wobble=wobble),
                       quiet=None if quiet_level_db is None else quiet_level_db[a:b], gate_held=gate_held,
                       own_levels=None if own is None else tuple(v[:, a:b] for v in own), pitch_cuts=pc)
        moved, dc = attack_before_pitch_change(pc, dc, level, attack_lead, win)
        dips = (set(dc) | set(moved)) - set(pc)   # re-attacks, also those a pitch cut moved to
        pc = moved
        strength = {c: 2.0 for c in pc}
        strength.update({c: 1.0 for c in dc if c not in strength})
        cuts = merge_close(pc + dc, strength, min_sep)
        bounds = list(zip([0] + cuts, cuts + [len(m)]))
        merged: list[list[int]] = []
        pending = None
        for s, t in bounds:
            if t - s < min_len:
                pending = s if pending is None else pending
                continue
            merged.append([pending if pending is not None else s, t])
            pending = None
        if pending is not None and merged:
            merged[-1][1] = len(m)
        elif pending is not None:
            merged = [[0, len(m)]]   # every piece shorter than a note: one note's scoop or release, not two notes
        merged = _join_same_pitch(merged, m, dips)
        conf = track.confidence[a:b]
        pc_set, dc_set, last_pitch = set(pc), set(dc), None
        for s, t in merged:
            pitch = float(median1d(_core(m, s, t)))
            if last_pitch is not None and abs(pitch - last_pitch) >= OVERSHOOT_LEAP_ST:   # legato leap: overshoot
                pitch = float(median1d(_settled(m, s, t)))
            held, last_pitch = last_pitch, pitch
            if held is not None and tail_between_cuts(e[a + s:a + t], pitch, held, s in dc_set and t in pc_set):
                continue
            lead = ONSET_LEAD_S if s == 0 else 0.0
            start = a + s if s else min(attack_under_gate(a, midi_filled, track.confidence[:n], voiced,
                                                          level_ok, e, pitch, gated_attack),
                                        attack_through_tail(a, midi_filled, track.confidence[:n], voiced, e, pitch,
                                                            tail_attack, min_head=min_jump, min_run=min_len))
            notes.append(NoteEvent(onset_s=max(start * hop - lead, 0.0), offset_s=(a + t) * hop,
                                   midi=pitch,
                                   confidence=float(np.clip(np.mean(conf[s:t]), 0.0, 1.0))))
            levels.append(float(median1d(e[a + s:a + t])))
            runs.append(a)
            timbre.append(None if envelope_db is None else note_timbre(envelope_db, a + s, a + t))
            steady.append(float(np.mean(np.abs(midi_all[a + s:a + t] - notes[-1].midi) <= STEADY_ST)))
    notes, low = judge_at_voice_pitch(notes, octave_low)
    # before the caller's level and register are read
    edge = talker_at_note_edges(notes, skip_partials=True, levels_db=np.array(levels))
    notes, levels, runs, steady, timbre = ([v for v, x in zip(q, edge) if not x]
                                           for q in (notes, levels, runs, steady, timbre))
    kept = keep_callers_notes(notes, np.array(levels), np.array(runs), np.array(steady),
                              timbre=None if envelope_db is None
                              else np.array(timbre).reshape(len(notes), len(envelope_db)), comb_pitch=comb_pitch)
    kept = [replace(n, midi=n.midi - 12.0) if (n.onset_s, n.offset_s, n.midi) in low else n for n in kept]
    kept = drop_background_tone_notes(kept, tones)
    heard = track.voiced[:n] & np.isfinite(midi_all)
    return onsets_at_callers_pitch(onsets_at_level_rise(kept, e, midi_filled, voiced, hop, min_len=min_len,
                                                        heard=heard), e, midi_filled, heard, hop, min_len=min_len)


def judge_at_voice_pitch(notes: list[NoteEvent], octave_low: Callable[[NoteEvent], bool] | None, *,
                         jump_st: float = JUMP_ST, under_st: float = TALKER_LEAP_ST
                         ) -> tuple[list[NoteEvent], set[tuple[float, float, float]]]:
    """``notes`` with those ``octave_low`` tells (the tracker read them an octave under the voice) an
    octave up, and the (onset, offset, midi) of each note so raised, for the rules that judge a note by its
    pitch against its neighbours' and the caller's register (:func:`talker_at_note_edges`,
    :func:`keep_callers_notes`); :func:`segment_notes` gives those notes back at the tracker's pitch, and
    :func:`lift_lag_floor_subharmonics` lifts them with its own test.

    A voice over a CELP codec's pitch-lag floor (AMR-NB: 400 Hz) is coded with twice its period, so the
    tracker reads a sung note over it an octave low, a leap of 7-12 st out of the caller's line: stress
    AMR-NB s10 amr_001 (69 to 73, 554 Hz, read at 61 for the whole 0.2 s note, taken for a talker at the
    held note's edge) and s11 amr_005 (69-70-69 at 440-466 Hz, the middle note read at 58 and dropped as
    outside the caller's register), each read right in the clean twin. A note that touches a neighbour
    within ``jump_st`` of its pitch an octave up is left as read: it is a piece of that note where the
    tracker slipped an octave, which :func:`keep_callers_notes` gives back to it (:func:`_absorb_outliers`).
    Only a note ``under_st`` semitones or more under a note next to it is asked (a leap those rules read as
    another voice; the spectrum is read for no other note)."""
    if octave_low is None:
        return notes, set()
    out = list(notes)
    for i, n in enumerate(notes):
        up = n.midi + 12.0
        nbrs = [notes[j] for j in (i - 1, i + 1) if 0 <= j < len(notes)]
        if (not any(m.midi - n.midi >= under_st for m in nbrs)
                or any(abs(gap_s(n, m)) < 1e-6 and abs(m.midi - up) <= jump_st for m in nbrs)):
            continue
        if octave_low(n):
            out[i] = replace(n, midi=up)
    return out, {(m.onset_s, m.offset_s, m.midi) for n, m in zip(notes, out) if m is not n}


def onsets_at_callers_pitch(notes: list[NoteEvent], level_db: np.ndarray, midi: np.ndarray, heard: np.ndarray,
                            hop_s: float, *, min_len: int = 7, quiet_db: float = HEAD_QUIET_DB,
                            min_head_s: float = HEAD_MIN_S, max_head_s: float = HEAD_MAX_S,
                            away_st: float = HEAD_AWAY_ST, glide_share: float = HEAD_GLIDE_SHARE,
                            lead_s: float = ONSET_LEAD_S,
                            min_shift_s: float = ONSET_MIN_SHIFT_S) -> list[NoteEvent]:
    """``notes`` whose first frames are another, quieter voice begin where the tracker reaches their pitch.

    In the consonant or breath before a note, the tracker follows whichever voice is there, so a talker's
    syllable joins the note as its scoop and the onset comes early. Pitch continuity and level tell such a
    head from the caller's own scoop or attack. From the note's onset, the tracker (``heard`` (n,) bool,
    pitch ``midi`` (n,), frames ``hop_s`` s apart) first holds the note's pitch (within ``JUMP_ST`` for
    ``MIN_JUMP_S``; a glide passing through it does not count) at a frame at most ``max_head_s`` s in.
    The head before that frame is another voice when:

    - at least ``min_head_s`` s of its frames are ``away_st`` semitones or more off the note (another
      note's pitch, not the note's own drift);
    - their median pitch is not between the previous note's and the note's (``JUMP_ST`` either side)
      when that note ended within ``max_head_s`` s (the previous note's tail, or the caller's glide from
      it into this one);
    - they do not glide into the note: all on one side of its pitch with the last at most
      ``1 - glide_share`` of the first one's distance from it is the caller's scoop, however wide (a
      talker holds its own pitch or jumps). A head that holds one pitch (``min_head_s`` s or more of its
      frames within ``JUMP_ST`` of their median) is no scoop, whatever its last frames do: the tracker's
      step from a talker into the note passes through a frame or two near the note;
    - the level ``level_db`` (n,) (dB) over the second half of the head stays ``quiet_db`` dB or more
      under the note's median level from that frame on (the caller's scoop sings at the note's level once
      its attack is over; a background talker stays under the caller).

    The onset then moves to that frame less ``lead_s`` (voicing starts that much after the attack), when
    that moves it ``min_shift_s`` s or more and leaves the note ``min_len`` frames. When the level climbs to
    that line inside the head after ``min_head_s`` s or more of the quieter voice at another pitch, and does
    not fall ``quiet_db`` dB under the line again before the tracker reaches the note's pitch, the caller's
    attack came while the tracker still followed the talker: the onset moves to that climb instead (less
    ``lead_s``). A talker's syllable as loud as the caller that fades again before the note is left alone. Run after
    :func:`onsets_at_level_rise`, which moves the onset of a head 10 dB or more under the note to where the
    level rises. On stress seeds 10-13 it moves 13 babble onsets (12 closer to the reference, 4 more
    COnP matches) and nothing in the other 13 conditions; on dev and held-out r1/r2 nothing, on r3/r4 one
    onset each (no match changes). The held head and the climb inside it (stop 32) move 45 more onsets on
    seeds 10-21 (13 to a COnP match, none from one; babble, noise, child, speakerphone) and 14 on seeds 22-27
    (one match won, one lost: a caller's own slow attack read 25-28 semitones under the note)."""
    out = list(notes)
    n = len(level_db)
    min_head, max_head = int(round(min_head_s / hop_s)), int(round(max_head_s / hop_s))
    hold = max(1, int(round(MIN_JUMP_S / hop_s)))
    for i, note in enumerate(out):
        s = int(round(note.onset_s / hop_s))
        t = min(int(round(note.offset_s / hop_s)), n)
        on = heard[s:t] & (np.abs(midi[s:t] - note.midi) <= JUMP_ST)
        starts, stops = true_runs(on)
        held = starts[stops - starts >= hold]   # runs of ``hold`` frames or more on the note's pitch
        if not len(held):
            continue
        k = s + int(held[0])
        away = heard[s:k] & (np.abs(midi[s:k] - note.midi) >= away_st)
        if k - s > max_head or away.sum() < min_head or t - k < min_len:
            continue
        away_pitch = midi[s:k][away]
        head = float(median1d(away_pitch))
        if (i and out[i - 1].offset_s >= note.onset_s - max_head_s
                and min(out[i - 1].midi, note.midi) - JUMP_ST <= head <= max(out[i - 1].midi, note.midi) + JUMP_ST):
            continue   # the previous note's tail, or the caller's glide from it into this one
        off = away_pitch - note.midi
        holds = np.sum(np.abs(away_pitch - head) <= JUMP_ST) >= min_head   # a talker holds its own pitch
        if not holds and (np.all(off > 0) or np.all(off < 0)) and abs(off[-1]) <= (1.0 - glide_share) * abs(off[0]):
            continue   # the caller's scoop: a glide into the note from one side
        line = float(median1d(level_db[k:t])) - quiet_db
        if level_db[(s + k) // 2:k].max() > line:
            up = s + int(np.argmax(level_db[s:k] > line))   # the caller's attack, heard at the talker's pitch
            if away[:up - s].sum() < min_head or level_db[up:k].min() <= line - quiet_db:
                continue
            k = up
        onset = k * hop_s - lead_s
        if onset - note.onset_s >= min_shift_s:
            out[i] = replace(note, onset_s=onset)
    return out


def onsets_at_level_rise(notes: list[NoteEvent], level_db: np.ndarray, midi: np.ndarray, voiced: np.ndarray,
                         hop_s: float, *, min_len: int = 7, rise_db: float = ONSET_RISE_DB,
                         search_s: float = ONSET_SEARCH_S, min_shift_s: float = ONSET_MIN_SHIFT_S,
                         lead_s: float = ONSET_LEAD_S, held_s: float = ONSET_HELD_S,
                         redip_db: float = ONSET_REDIP_DB, heard: np.ndarray | None = None) -> list[NoteEvent]:
    """``notes`` whose start is another, quieter voice begin where the caller's voice comes on.

    A background talker voiced right before a note (within one voiced run) joins the note as its
    scoop, so the onset comes early. When a note's first frames are all ``rise_db`` dB or more under
    its median level ``level_db`` (n,) (dB, frames ``hop_s`` s apart), voiced (``voiced`` (n,)) mostly
    at another pitch than the note's (``midi`` (n,), more than ``JUMP_ST`` off), and the level rises
    to that line within ``search_s`` s (leaving the note ``min_len`` frames or more), the onset moves to
    the rise less ``lead_s`` (the level reaches the line about as late after the attack as voicing
    does), when that moves it ``min_shift_s`` s or more. A sung scoop is at the note's level or
    near its pitch and stays.

    The other way round, the tracker may still follow a talker at another pitch for a few frames
    after the caller's attack (the talker's voice is steadier there than the caller's onset): when
    the frames right before a note (at most ``search_s`` s, after the previous note) are voiced by the
    tracker (``heard`` (n,) bool, its own voicing before the level gate; default ``voiced``) at
    another pitch (more than ``JUMP_ST`` off) but at or over the line, and the level rose to the line
    from under it there while the tracker already heard a quieter voice (``held_s`` s or more voiced
    under the line right before the rise), the onset moves back to that rise less ``lead_s``, when that
    moves it ``min_shift_s`` s or more. A voice at the caller's level before the note with no rise out
    of a quieter one, or a talker's syllable rising out of silence, is left alone. So is a rise the
    level falls back from by ``redip_db`` dB or more within the note's first ``search_s`` s and then
    climbs ``redip_db`` dB again: that rise was the talker's own syllable, and the caller's attack is
    the second climb (babble s12 item 000: a talker 18 st under the note rising and fading 5 dB
    just before it; speaker s11 item 004: 3 dB; on all stress seeds 10-12, dev and held-out r1 the
    rule moves only these two onsets, both right, at any depth from 1.5 to 2.5 dB)."""
    out = list(notes)
    n = len(level_db)
    search = int(round(search_s / hop_s))
    for i, note in enumerate(out):
        s = int(round(note.onset_s / hop_s))
        t = min(int(round(note.offset_s / hop_s)), n)
        if t - s < min_len:
            continue
        line = float(median1d(level_db[s:t])) - rise_db
        k = _attack_before(level_db, midi, voiced if heard is None else heard, note.midi, line, s, search,
                           int(np.ceil(out[i - 1].offset_s / hop_s - 1e-9)) if i else 0,
                           int(round(held_s / hop_s)))
        if k is not None and _falls_and_climbs(level_db[s:min(s + search, t)], float(level_db[k:s].max()),
                                               redip_db):
            k = None
        if k is not None:
            onset = max(k * hop_s - lead_s, 0.0)
            if note.onset_s - onset >= min_shift_s:
                out[i] = replace(note, onset_s=onset)
            continue
        up = np.flatnonzero(level_db[s:min(s + search, t - min_len) + 1] >= line)
        if not len(up) or up[0] == 0:
            continue
        k = s + int(up[0])
        if np.mean(voiced[s:k]) < 0.5 or np.mean(np.abs(midi[s:k] - note.midi) > JUMP_ST) < 0.5:
            continue
        onset = k * hop_s - lead_s
        if onset - note.onset_s >= min_shift_s:
            out[i] = replace(note, onset_s=onset)
    return out


def onsets_at_soft_attack(notes: list[NoteEvent], midi: np.ndarray, conf: np.ndarray, level_db: np.ndarray,
                          hop_s: float, *, max_s: float = SOFT_ATTACK_MAX_S, min_s: float = SOFT_ATTACK_MIN_S,
                          min_conf: float = SOFT_ATTACK_CONF, near_st: float = SOFT_ATTACK_NEAR_ST,
                          over_db: float = SOFT_ATTACK_OVER_DB, rise_db: float = SOFT_ATTACK_RISE_DB,
                          floor_s: float = SOFT_ATTACK_FLOOR_S,
                          sub_conf: float | None = SOFT_ATTACK_SUB_CONF, room: bool = False,
                          room_conf: float = SOFT_ATTACK_ROOM_CONF,
                          ring_share: float = SOFT_ATTACK_RING_SHARE, room_under_db: float = SOFT_ATTACK_ROOM_UNDER_DB,
                          vowel_s: float = SOFT_ATTACK_VOWEL_S) -> list[NoteEvent]:
    """``notes`` whose sound began before the voicing did start where it began.

    A sung voiced consonant ("na", "la", "mm") or a soft attack is 10-30 dB under the vowel, so the level
    gate leaves it out of the note, and a codec (Speex, AMR-NB) smears an attack the same way: the note
    starts 40-80 ms after the sound the listener hears as its onset (stress diphone "na" from Festival's
    recorded syllables; Speex, AMR-NB). Walking back from a note's onset (after the note before it), frames
    the tracker hears at the note's pitch (``midi`` (n,) within ``near_st`` semitones, confidence ``conf``
    (n,) ``min_conf`` or more), none more than ``over_db`` dB over the note's first frame in ``level_db``
    (n,) (dB, frames ``hop_s`` s apart: walking back, a consonant fades; a room's tail of the note before
    grows), up to ``max_s`` s, are the note's head when there are ``min_s`` s of them and the first stands
    ``rise_db`` dB or more over the quietest of the ``floor_s`` s before it (the sound begins there). Stress
    seeds 10-21, 28-43: 16 items up, 1 down; the combined voice + channel conditions of seeds 10-15: 6 up,
    none down; dev unchanged (tests/bench/HISTORY.md, stop 46).

    A head frame may also lie at the note's pitch / 2 or / 3 (within ``near_st``) at confidence ``sub_conf`` or
    more (None: not): a high voice's attack the tracker first reads at a sub-harmonic, before it settles (a
    child's D5-E5 through AMR-NB, whose codec starts the note on a lag of two or three periods, and a child's
    "mm" alone: 23 of 84 late onsets of the child sets of stress seeds 50-66 had such a head; stop 63).

    With ``room`` (the call was freed of a room's reverberation), a note whose head the walk above does not place,
    after a note more than ``JUMP_ST`` away, is walked back again with the note before ringing on at its pitch: over
    frames the tracker hears at the note's pitch at ``room_conf`` or more, each nearer it than the ringing pitch and
    more than ``JUMP_ST`` from that (a tail keeps its own note's pitch, so what sounds at this pitch under it is this
    note) and ``room_under_db`` dB or more under the loudest of the note's first ``vowel_s`` s (a consonant, not the
    vowel of a glide out of the note before). The head holds when ``ring_share`` or more of the ``floor_s`` s before
    it sound at another pitch (the tail: the head begins under it, not out of silence, so no rise shows) and it is no
    glide out of the note before into this one (:func:`_glides_in`). A sung "na" or "la" through a speakerphone: the
    murmur the clean line hears at confidence 0.5-0.8 reaches the tracker at 0.1-0.3 under the tail, and the note
    started 50-60 ms late at its vowel. Over 636 reverberant calls (stress seeds 10-21, 28-31, 36-39 and 71-75, the
    diphone + speakerphone sets of seeds 13-20): 8 up, none down (tests/bench/HISTORY.md, stop 71)."""
    out = list(notes)
    n = len(level_db)
    longest, shortest = int(round(max_s / hop_s)), int(round(min_s / hop_s))
    floor, vowel = int(round(floor_s / hop_s)), max(int(round(vowel_s / hop_s)), 1)

    def head(k: int, after: int, pitch: float, frame_conf: float, ringing: float | None) -> int:
        """First frame of the head walked back from frame ``k`` (none at or before ``after``): frames at ``pitch``
        (confidence ``frame_conf`` or more; with ``ringing``, a pitch sounding on, also nearer ``pitch`` than it
        and more than ``JUMP_ST`` from it) or at its sub-harmonics, none louder than frame ``k`` by ``over_db`` (with
        ``ringing``: each ``room_under_db`` dB or more under the loudest of the note's first ``vowel_s`` s)."""
        # a consonant fades walking back (a tail grows); under a ringing note, it lies well under its vowel
        line = level_db[k] + over_db if ringing is None else float(np.max(level_db[k:k + vowel])) - room_under_db
        j = k
        while j - 1 > after and k - (j - 1) <= longest:
            f = j - 1
            heard = np.isfinite(midi[f])
            off = abs(midi[f] - pitch) if heard else np.inf
            at_pitch = conf[f] >= frame_conf and (off <= near_st if ringing is None
                                                  else heard_at_new_pitch(midi[f], pitch, ringing, within_st=near_st))
            at_sub = (heard and sub_conf is not None and conf[f] >= sub_conf
                      and any(abs(midi[f] - (pitch - d)) <= near_st for d in SUBHARMONIC_ST)
                      and (ringing is None or abs(midi[f] - ringing) > JUMP_ST))
            if not ((at_pitch or at_sub) and level_db[f] <= line):
                break
            j = f
        return j

    for i, note in enumerate(out):
        k = int(round(note.onset_s / hop_s))
        if k >= n:
            continue
        after = int(np.ceil(out[i - 1].offset_s / hop_s - 1e-9)) if i else 0
        j = head(k, after, note.midi, min_conf, None)
        if k - j >= shortest and level_db[j] >= float(np.min(level_db[max(j - floor, 0):j])) + rise_db:
            out[i] = replace(note, onset_s=j * hop_s)
            continue
        if not room or not i or abs(out[i - 1].midi - note.midi) <= JUMP_ST:
            continue
        # in a room the note before rings on at its own pitch: weak frames at this note's pitch under it are its head
        ringing = out[i - 1].midi
        j = head(k, after, note.midi, room_conf, ringing)
        before = slice(max(j - floor, after, 0), j)   # empty: the head follows the ringing note's own end
        rings = (np.all(np.isfinite(midi[before])) and np.all(conf[before] >= room_conf)
                 and np.sum(np.abs(midi[before] - note.midi) > JUMP_ST) >= ring_share * (before.stop - before.start))
        if k - j < shortest or _glides_in(midi[j:k], note.midi, ringing) or not rings:
            continue
        out[i] = replace(note, onset_s=j * hop_s)
    return out


def _glides_in(head: np.ndarray, pitch: float, before: float, *, min_st: float = 0.3) -> bool:
    """Whether the frames ``head`` (MIDI, in time order) glide from the side of the note before (at ``before``)
    into ``pitch``: each nearer it than the last, the first ``min_st`` semitones or more off on that side."""
    off = (head - pitch) * np.sign(before - pitch)
    return bool(len(head) and off[0] >= min_st and np.all(np.diff(off) < 0))


def _falls_and_climbs(level_db: np.ndarray, peak_db: float, depth_db: float) -> bool:
    """Whether the level ``level_db`` (n,, dB) falls ``depth_db`` dB or more under ``peak_db`` and then
    climbs ``depth_db`` dB or more out of its lowest frame."""
    if not len(level_db):
        return False
    j = int(np.argmin(level_db))
    return bool(level_db[j] <= peak_db - depth_db and level_db[j:].max() >= level_db[j] + depth_db)


def _attack_before(level_db: np.ndarray, midi: np.ndarray, heard: np.ndarray, pitch: float, line: float,
                   s: int, search: int, lo: int, held: int) -> int | None:
    """The frame where the level rose to ``line`` (dB) in the frames the tracker voices (``heard``) at
    another pitch than ``pitch`` (more than ``JUMP_ST``) right before frame ``s`` (at most ``search``
    frames, none before ``lo``), all at or over the line from it to ``s``, while the tracker already
    heard a quieter voice: the ``held`` frames before the rise are voiced under the line (a talker's
    own syllable rising out of silence or out of a weakly voiced dip is no caller's attack). None
    when there is no such rise."""
    k = s
    while (k - 1 >= max(lo, s - search) and heard[k - 1] and abs(midi[k - 1] - pitch) > JUMP_ST
           and level_db[k - 1] >= line):
        k -= 1
    q = k - held
    if k == s or q < max(lo, 0) or not heard[q:k].all() or (level_db[q:k] >= line).any():
        return None
    return k


def joined_overshoot_heads(notes: list[NoteEvent], *, leap_st: float = OVERSHOOT_HEAD_LEAP_ST,
                           beyond_st: tuple[float, float] = OVERSHOOT_HEAD_ST, max_head_s: float = OVERSHOOT_HEAD_MAX_S,
                           touch_s: float = OVERSHOOT_HEAD_TOUCH_S) -> list[NoteEvent]:
    """``notes`` (in time order) with each note's overshoot head joined back to it: a note of at most ``max_head_s`` s
    that the next note follows within ``touch_s`` s, lying ``beyond_st`` semitones past that note's pitch in the
    direction of the leap of ``leap_st`` semitones or more from the note before into it, is that note's start (the
    joined note starts there, at the settled note's pitch).

    A voice that leaps overshoots the new pitch by up to a couple of semitones and settles over 0.1-0.2 s (Saitou et
    al. 2005); where the overshoot lies more than ``JUMP_ST`` off for ``MIN_JUMP_S`` the pitch cut splits it off as a
    short note, and the settled note starts 0.1-0.2 s late. On dev and stand-ins r1-r4, of such heads after a leap of
    4.5 semitones or more, 1.7 or less beyond, 23 were overshoots (the reference has one note from the head's onset at
    the settled pitch) and 2 were sung notes; after a smaller leap or further beyond, sung figures (a step to an upper
    neighbour and back) outnumber them."""
    out: list[NoteEvent] = []
    for n in notes:
        if len(out) >= 2:
            before, head = out[-2], out[-1]
            beyond, leap = head.midi - n.midi, n.midi - before.midi
            if (head.offset_s - head.onset_s <= max_head_s and n.onset_s - head.offset_s <= touch_s
                    and abs(leap) >= leap_st and np.sign(beyond) == np.sign(leap)
                    and beyond_st[0] <= abs(beyond) <= beyond_st[1]):
                out[-1] = replace(n, onset_s=head.onset_s, confidence=max(head.confidence, n.confidence))
                continue
        out.append(n)
    return out
