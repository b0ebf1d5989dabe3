"""The caller's notes, not a TV or cafe talker behind them: level, pitch continuity, register, harmonicity,
steadiness and timbre against the caller's own notes (:func:`keep_callers_notes`), talkers before the
first and after the last phrase, steady background tones and talkers at a held note's edges."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from humitout.audio.f0 import VOICED_CONF
from humitout.audio.notes.core import (CALLER_LEAP_ST, COMB_STEP_ST, JUMP_ST, PHRASE_GAP_S, TALKER_LEAP_ST, TONE_ST,
                                       NoteEvent, gap_s, note_level_db, partial_off, weighted_quantile)


CALLER_WIN_S = 4.0    # s, half-width of the window giving the caller's local level
CALLER_WEAK_DB = 7.0  # dB under the caller's level where a note needs more evidence to be the caller's
CALLER_FAINT_DB = 13.0  # dB under the caller's level: a note alone in its run there is a background voice
CALLER_RANGE_ST = 2.0   # semitones outside the caller's pitch range still theirs
CALLER_CONF_MARGIN = 0.2  # voicing confidence under the caller's median still theirs
CALLER_ALONE_CONF_MARGIN = 0.3  # the same in a call where no talkers are behind the caller
CALLER_MIN_STEADY = 0.6  # share of a weak note's frames on its pitch: sung notes hold, speech glides
CALLER_CORE_Q = 0.1     # duration-weighted quantiles (q, 1 - q) of the caller's notes giving their central register
CALLER_OUTLIER_ST = 7.0  # semitones outside that central register where a short note is not the caller's
CALLER_OUTLIER_S = 0.3   # s, longest note dropped (or absorbed into its neighbour) for being out of register
CALLER_GLIDE_S = 0.2     # s, longest lone note (its own voiced run) dropped when its pitch glides
CALLER_GLIDE_STEADY = 0.4  # share of frames on its pitch under which a lone short note glides
CALLER_BLIP_S = 0.1      # s, notes shorter than this ...
CALLER_BLIP_DB = 9.0     # ... and this many dB under the caller's level are a background voice
CALLER_TALKER_GAP_S = 0.12  # s, gap across which a faint syllable-length note continues a talker's voice
CALLER_TIMBRE_HELD_S = 0.25  # s, shortest caller's note (an anchor) that teaches the caller's timbre
CALLER_TIMBRE_S = 0.2        # s, longest note judged by its timbre
CALLER_TIMBRE_DB = 0.0       # dB under the caller's level from which a short note is judged by its timbre
CALLER_TIMBRE_Z = 3.5        # timbre distance (:func:`timbre_distance`) at which such a note is another voice
CALLER_TIMBRE_FLOOR_DB = 1.0  # dB added to the spread of the caller's timbre
CALLER_TIMBRE_MAX_SHARE = 0.25  # largest share of the notes the timbre test may drop (more: speech alone)
CALLER_TIMBRE_LIKE_Z = 1.0   # timbre distance under which a held note in the caller's range needs no confidence margin
CALLER_HELD_CORE_ST = 3.0    # semitones outside the caller's central register where a held note of theirs is kept
CALLER_TALKERS_SHARE = 0.1   # share of the notes already other voices from which talkers are behind the caller
CALLER_TALKER_Z = 1.8        # timbre distance from which a short, less harmonic, wavering note is then a talker's
CALLER_STEP_ST = 2.0         # semitones, a melodic step (a whole tone): a note further outside its neighbours leaps
LEAD_IN_LEAP_ST = 12.0 + JUMP_ST  # semitones: more than an octave (give or take JUMP_ST), further than a pickup leaps into a tune
CALLER_TALKER_CONF = 0.1     # voicing confidence under the caller's median such a note has
CALLER_SUNG_DB = 3.0         # dB under the caller's level down to which a note a talker rule dropped is the caller singing
TALKER_EDGE_S = 0.2      # s, longest note at a held note's edge taken for a talker when it leaps away
TALKER_HELD_S = 0.25     # s, shortest held note whose edges are checked
TALKER_SUNG_DB = 0.0     # dB under the held note down to which a note leaping from its edge is the caller singing


def timbre_distance(timbre: np.ndarray, model: np.ndarray, weights: np.ndarray, *,
                    floor_db: float = CALLER_TIMBRE_FLOOR_DB) -> np.ndarray:
    """Per note (k,), how far its spectral shape (row of ``timbre`` (k, bands), dB, :func:`note_timbre`)
    lies from that of the ``model`` notes (k,) bool, weighted by ``weights`` (k,): the root mean
    square over the bands of the difference from their weighted mean, in units of their weighted
    spread plus ``floor_db`` dB (a voice's held notes vary a little with vowel and pitch)."""
    w = weights[model]
    mu = np.average(timbre[model], axis=0, weights=w)
    sd = np.sqrt(np.average((timbre[model] - mu) ** 2, axis=0, weights=w)) + floor_db
    return np.sqrt(np.mean(((timbre - mu) / sd) ** 2, axis=1))


def keep_callers_notes(notes: list[NoteEvent], levels_db: np.ndarray, runs: np.ndarray,
                       steady: np.ndarray | None = None, *,
                       window_s: float = CALLER_WIN_S, weak_db: float = CALLER_WEAK_DB,
                       faint_db: float = CALLER_FAINT_DB, range_margin_st: float = CALLER_RANGE_ST,
                       conf_margin: float = CALLER_CONF_MARGIN, alone_conf_margin: float = CALLER_ALONE_CONF_MARGIN,
                       leap_st: float = CALLER_LEAP_ST,
                       min_steady: float = CALLER_MIN_STEADY, core_q: float = CALLER_CORE_Q,
                       outlier_st: float = CALLER_OUTLIER_ST,
                       outlier_s: float = CALLER_OUTLIER_S, glide_s: float = CALLER_GLIDE_S,
                       glide_steady: float = CALLER_GLIDE_STEADY, blip_s: float = CALLER_BLIP_S,
                       blip_db: float = CALLER_BLIP_DB, talker_gap_s: float = CALLER_TALKER_GAP_S,
                       timbre: np.ndarray | None = None, timbre_held_s: float = CALLER_TIMBRE_HELD_S,
                       timbre_s: float = CALLER_TIMBRE_S, timbre_db: float = CALLER_TIMBRE_DB,
                       timbre_z: float = CALLER_TIMBRE_Z, timbre_max_share: float = CALLER_TIMBRE_MAX_SHARE,
                       timbre_like_z: float = CALLER_TIMBRE_LIKE_Z,
                       held_core_st: float = CALLER_HELD_CORE_ST, talkers_share: float = CALLER_TALKERS_SHARE,
                       talker_z: float = CALLER_TALKER_Z, talker_conf: float = CALLER_TALKER_CONF,
                       register_z: float | None = CALLER_TALKER_Z,
                       step_st: float = CALLER_STEP_ST, phrase_gap_s: float = PHRASE_GAP_S,
                       comb_pitch: Callable[[float, float, float, float], float] | None = None,
                       sung_db: float = CALLER_SUNG_DB, lead_in: bool = True,
                       trail_out: bool = True) -> list[NoteEvent]:
    """The notes that are the caller's voice, not a TV or cafe talker behind it.

    The caller is the loud, steady voice: their level at a note is the duration-weighted median
    level (dB, ``levels_db`` (k,)) of the notes within +-``window_s`` s (follows AGC and a moving
    phone). Notes no more than ``weak_db`` under it are the caller's ("anchors"); they give the
    caller's harmonicity (median confidence). A weaker note is the caller's when it continues a caller's note without
    a break in voicing (same run in ``runs`` (k,): the run's first frame), at most ``leap_st``
    semitones away (pitch continuity with the caller's voice) and held (below: a talker cutting in
    as a caller's note ends glides); these and
    the anchors give the caller's pitch range (lowest to highest +- ``range_margin_st``
    semitones), together with the notes that have the caller's voice (held, within ``faint_db``, at most
    ``conf_margin`` under the caller's harmonicity and under ``talker_z`` from the caller's timbre, below)
    at most ``phrase_gap_s`` s and ``leap_st`` semitones from one of these, or from a note so added
    (:func:`_callers_voice_nearby`). A singer's lowest notes need this: sung with less effort and, for a
    high voice, with the fundamental (a child's strongest partial) under the phone band's 300 Hz low cut,
    they read fainter than the caller's level (stress child seeds 10-13: notes under 300 Hz a median 2.0 dB
    under it, 12 % of them more than 7 dB under, against 0.0 dB and 3 % over 300 Hz), so they are no
    anchors and can lie 2-4 st under the range of the louder notes (stress child s10 child_005, 62.0 under
    64.9, and s20 child_010's first note, 60.1 under 63.5: held, at confidence 0.86-0.97, 1.1-1.4 from the
    caller's timbre, 7-9 dB under). Any other note must be within ``faint_db`` of the caller's level,
    inside the caller's range,
    at most ``conf_margin`` under the caller's harmonicity and held (``steady`` (k,): share of its
    frames within ``STEADY_ST`` of its pitch, at least ``min_steady``; speech glides), or it is dropped.
    The margin guards against talkers: in a call where no talkers are behind the caller (below) it is
    ``alone_conf_margin`` for every test here, since a room, a suppressor or a codec blurs a soft sung note's
    voicing too (stop 62, note-stage reruns of 330 sets with 0.3 against 0.2: 65 calls up, 19 down; held-out
    stand-ins r1-r6 12 up, none down; dev identical; ungated, babble calls with words lost up to 0.27 summed
    per condition).
    The harmonicity margin is waived for a held note under ``talker_z`` from the caller's timbre (below)
    that steps between two of the caller's notes (each at most ``phrase_gap_s`` s away; its pitch within
    ``step_st`` of theirs): AMR-NB holds a short sung "la" at confidence 0.5 against the caller's 0.9
    (stress AMR s12 amr_007 at 7.10 s, 8 dB under, 1.7 from the caller's timbre).
    A note shorter than ``blip_s`` s and more than ``blip_db`` dB under the caller's level is
    dropped even when it continues a caller's note: a talker's syllable (on the dev, held-out and
    stress sets, no note that short and that faint matched a sung note). Notes that faint, or
    that short and faint, are a talker's; a note not the caller's by level or continuity, at most
    ``outlier_s`` s long, that shares its voiced run with a talker's note or lies within
    ``talker_gap_s`` s of one continues that talker's speech and is dropped too (a talker's
    syllables run on at changing levels; on stress seeds 10 and 11 this dropped 7 babble notes in the
    gaps and lead-ins, and no sung note). A note that has the caller's voice is spared: held, at most
    ``conf_margin`` under the caller's harmonicity and under ``talker_z`` from the caller's timbre (below)
    (the tracker went from a talker's syllable straight into the caller's note in one voiced run, or the
    caller sang right after it), unless it lies between two of the caller's notes (each at most ``phrase_gap_s``
    s away) more than ``outlier_st`` semitones outside their line (the tracker an octave under a fast run), or
    the talker's note beside it holds its pitch (``JUMP_ST``): then that note was the faint start of the same
    sung note (a room's notch, a suppressor) and this piece would only give it a late onset. On
    stress babble seeds 10-17, the 10 notes this rule dropped read 0.84 and 1.07 from the caller's timbre on
    the two sung notes (both as harmonic as the caller and held), 2.2-3.4 on the eight talker syllables.

    The caller's timbre is learned from the recording itself: the spectral shapes (``timbre`` (k, bands),
    :func:`note_timbre` of the envelope read at the voice's harmonics, :func:`harmonic_envelope_db`) of the
    anchors of at least ``timbre_held_s`` s, weighted by duration. A note of at most ``timbre_s`` s more
    than ``timbre_db`` dB under the caller's level whose shape lies ``timbre_z`` or more from theirs
    (:func:`timbre_distance`) is another voice, whatever its level, pitch or steadiness (a talker's
    syllable in a gap of the caller's; the caller's own soft pickups keep the caller's envelope). On
    stress babble seeds 10-12, short sung notes read a distance of 0.7 (median; 90th percentile 1.4)
    and talker notes 3.4 (10th percentile 2.2); on held-out r1 no sung note reaches 3.5. When more than
    ``timbre_max_share`` of the notes would go so, the recording is one voice whose timbre keeps
    changing (speech alone: a third of a spoken sentence's syllables read far from its few held
    vowels, while talkers in a caller's gaps are a few notes) and is left whole for the speech check.
    The other way round, a note of at least ``timbre_held_s`` s, held, within ``held_core_st`` semitones of the caller's
    central register (below) and with a shape under ``timbre_z`` from the caller's is the caller's
    whatever its level and confidence: a phone's noise suppressor learns a held or recurring note as
    noise and takes it 10-16 dB down, and a speakerphone's room dims a quiet phrase, but neither
    changes the voice's envelope (stress seeds 10-12: 16 notes kept so with the nine-band envelope,
    each on a sung note; none on the dev set or held-out r1). Likewise a held note within ``faint_db``
    and in the caller's range whose shape lies under ``timbre_like_z`` from theirs (closer than most of
    the caller's own short notes, median 0.7) needs no confidence margin: noise or a codec lowers the
    tracker's confidence in a soft note, not its envelope (dev +1 note, held-out r1 +2, stress gsm s10,
    opus s11, diphone s12 +1 each; one kept on babble s10 is the caller's note 0.8 st flat, missed clean too).

    When talkers are behind the caller (``talkers_share`` of the notes or more already judged other
    voices by the tests above: 38 of the 48 babble calls of stress seeds 10-13, median 0.16; 5 of
    their 576 other calls, at most 0.14; no dev or held-out r1/r3 call, at most 0.08), a short note
    (at most ``timbre_s`` s) is a talker's when it has the marks of another voice together: a shape
    ``talker_z`` or more from the caller's (short sung notes read 0.7, 90th percentile 1.4), voicing
    ``talker_conf`` or more under the caller's harmonicity, and either a pitch that strays from its
    median in at least one frame (speech glides; a sung note, however short, holds) or a level more
    than ``weak_db`` under the caller's (not an anchor). Each mark alone also fits some of the
    caller's short notes under a codec, noise or a room; on stress seeds 10-13 the marks together in
    calls with talkers dropped 23 babble notes, of which 18 were talkers in the gaps and 5 sung
    notes, and none elsewhere (dev, held-out r1 and r3 unchanged). Such a note that carries the
    caller's melodic line is kept all the same (:func:`_in_callers_line`: the caller's notes before
    and after it lie at most ``talker_gap_s`` s away and its pitch between theirs, give or take
    ``JUMP_ST``): a sung note the talkers blur reads as the mixture, far from the caller's timbre and
    less harmonic, but its pitch still steps along the tune, while a talker's syllable cut in
    between two sung notes leaps out of it (on stress babble seeds 10-13 this kept 4 of the 5 sung
    notes the marks dropped and 1 of their 27 talker notes). So, between two of the caller's notes,
    a short note far from the caller's timbre and less harmonic that leaps more than ``step_st``
    semitones out of their line is a talker's even when it holds its pitch at the caller's level
    (one talker note more on stress babble seed 13, nothing else). Whatever its harmonicity, a short
    note far from the caller's timbre (``talker_z``, up to ``timbre_s`` s) is a talker's when it lies
    more than ``outlier_st`` semitones (a fifth) outside the line of the caller's notes before and
    after it, each at most ``phrase_gap_s`` s away: a loud talker in another register (a man behind
    a high female caller, voiced as cleanly as she is) cuts into the caller's phrase with syllables
    a fifth to two octaves away, often two in a row, while a melody steps on from the notes around
    it (stress babble seeds 14 and 15: 7 notes at a talker's pitch, none at a sung one's, though 4 lie
    on a short sung note the tracker heard at the talker's pitch; seeds 10-13, dev and held-out r1
    unchanged). One that touches a caller's note of its voiced run at a partial's
    interval is left to the register check below, which gives its time back to that note (the
    tracker on a partial of the note's release: s11 babble_005 at 10.08 s). Likewise, whatever its
    level and harmonicity, a short note far from the caller's timbre that touches a held note of the
    caller's (at least ``TALKER_HELD_S`` s, under ``talker_z`` from the caller's timbre) in its voiced
    run, more than ``step_st`` semitones from it and not at a partial's interval, is a talker who
    took the tracker at that note's edge or in its middle (under the ``TALKER_LEAP_ST`` leap of
    :func:`talker_at_note_edges`): the voicing went on, but the spectral envelope changed from the
    caller's to another voice's, while a sung legato step keeps the caller's envelope. It goes, and
    one at most ``sung_db`` dB under the caller's level that cut the held note in two rejoins it
    (:func:`_absorb_outliers`: the caller sang on through it; a quieter one filled the caller's
    breath between two sung notes at one pitch, which stay two: s20 babble_006 at 1.69 s, 6.7 dB
    under, between two sung 50s), unless it carries the
    caller's line on to their next note (between two of the caller's notes at most ``phrase_gap_s`` s
    away, its pitch between theirs give or take ``JUMP_ST``): a short sung step the talkers blur reads as
    far from the caller's timbre (s14 babble_006 at 4.99 s: 42 to 44 to 46, 1.9 from it). On stress
    babble seeds 10-14 this drops s13 babble_002 at 14.06 s (6.3 st under the note it follows, 2.7 from
    the caller's timbre) and babble_003 at 8.57 s (6.1 st over a held 51, 2.1), nothing else; on seeds
    15-21, 28, 29 (not studied) s15 babble_009 at 14.14 s and s20 babble_006 / babble_007; dev and
    held-out r1-r3 unchanged.

    In a call with talkers, a note these rules dropped that is as loud as the caller (at most ``sung_db``
    dB under the caller's level), between two of the caller's notes at most ``phrase_gap_s`` s away, is
    the caller singing under a talker's syllable: the tracker followed the talker (a talker behind the
    call sits 10-20 dB under the caller, so a note at the caller's level carries the caller's voice).
    With ``comb_pitch`` (onset s, offset s, lowest, highest MIDI -> MIDI: the pitch whose harmonic comb
    is strongest there, :func:`harmonic_comb_pitch`), it is kept at the caller's pitch read within the
    octave centred on the line of those two notes (:func:`_callers_pitch_under_talker`; a comb an octave
    under the caller's pitch reads about as strong as the caller's own, so the range holds no octave
    pair, and a line wider than ``12 - 2 * JUMP_ST`` semitones is left alone), when that line and pitch lie
    in the caller's central register. Measured on stress babble seeds 10-12 (notes the talker rules
    dropped more than a fifth out of the line of the caller's notes around them): those on a sung note
    read 2.1 dB under the caller's level to 0.0 (seven; two more 7.9-8.5 dB under), talker syllables in
    the caller's gaps 2.3 to 18.9 dB under (one of 21 within 3 dB). On seeds 10-17 this gives back 13
    sung notes at their onset and pitch and adds 3 notes at no sung pitch; no other stress condition,
    dev or held-out r1-r4 changes.

    A note alone in its voiced run, at most ``glide_s`` s long, with under ``glide_steady`` of its
    frames on its pitch is a talker's syllable even at the caller's level (a sung note, however
    short, holds its pitch), unless such syllables make a third of the notes or more (a recording
    of speech alone is left whole: the Transcribe stage refuses it as speech). Loud talkers pass
    the level test, so register decides last: a note of at most ``outlier_s`` s
    more than ``outlier_st`` semitones outside the caller's central register (the duration-weighted
    ``core_q`` to ``1 - core_q`` quantiles of the anchors' pitches: a few short talker notes do not
    move them; the caller's short notes at the melody's extremes sit inside the margin) is a
    talker cutting in, or the tracker taking a partial. Melodies keep their notes
    within a few semitones of that register (1 of 1202 dev notes lies more than 5 st outside
    it). Such a note is dropped, unless it touches a caller's note in the same voiced run at a
    partial's interval (12, 19 or 24 semitones, within 1): the tracker took a partial of that
    note's attack or release, which the note then covers; one that touches a caller's note at its
    pitch on both sides cut that held note in two, which then rejoins (:func:`_absorb_outliers`).
    When talkers are behind the caller (below), loud talkers are anchors too and can make a quarter of
    them (adult talkers 15-20 st under a child's "mm": the 0.1 quantile fell from 65 to 54), so that
    register comes from the anchors within ``register_z`` (None: all anchors) of the caller's timbre
    (stop 46: babble seeds 10-21, 28-43 9 items up, 1 down; child + babble 5 up, none down; dev and the
    stand-ins, which have no talkers, unchanged).

    With ``lead_in``, the notes before the caller's first held note are judged against the caller's
    held notes rather than the level window (:func:`talkers_before_first_phrase`): there a talker is the
    only voice and passes as the caller by level. It acts only where the rest of the call shows talkers
    (``talkers_share`` of the notes after the caller's first held note not kept; stop 39): ungated it
    dropped five sung notes of a clean hum whose first held note comes late (the rhythm bench's wide
    familiar set, Yankee Doodle @150). Gated, it drops the lead-in talkers of s14 babble_010, s15
    babble_006 and s28 babble_006 (cells +0.001 to +0.002, none down on seeds 10-15, 28, 29); the wide
    set's notes, dev and held-out r1-r3, r6, r7 are unchanged.

    With ``trail_out``, a note after the end of the tune (the caller's last held note, or their last note at
    their own level if later) that starts more than ``phrase_gap_s`` after the caller's last note and lies
    more than ``weak_db`` under the caller's held notes is a talker heard once the tune has ended
    (:func:`talkers_after_last_phrase`, stop 40).
    """
    if len(notes) < 3:
        return notes
    on = np.array([n.onset_s for n in notes])
    dur = np.array([n.offset_s - n.onset_s for n in notes])
    centre = on + dur / 2
    in_window = np.abs(centre[None, :] - centre[:, None]) <= window_s   # (k, k): the notes around each note
    ref = np.array([weighted_quantile(levels_db[w], dur[w], 0.5) for w in in_window])
    anchor = levels_db >= ref - weak_db
    if anchor.sum() < 3:
        return notes
    midi = np.array([n.midi for n in notes])
    conf = np.array([n.confidence for n in notes])
    held = np.ones(len(notes), bool) if steady is None else steady >= min_steady
    caller = anchor.copy()
    for order in (range(1, len(notes)), range(len(notes) - 2, -1, -1)):   # continuity, both ways
        for i in order:
            j = i - 1 if order.step == 1 else i + 1
            if (caller[j] and not caller[i] and held[i] and runs[i] == runs[j]   # a continuation is held
                    and abs(midi[i] - midi[j]) <= leap_st):
                caller[i] = True
    conf_ref = float(np.median(conf[anchor]))
    model = anchor & (dur >= timbre_held_s)
    timbre_known = timbre is not None and model.sum() >= 3
    dist = timbre_distance(timbre, model, dur) if timbre_known else np.full(len(notes), np.inf)
    core_lo = weighted_quantile(midi[anchor], dur[anchor], core_q)
    core_hi = weighted_quantile(midi[anchor], dur[anchor], 1.0 - core_q)
    out_lo, out_hi = core_lo, core_hi   # the register the outlier test below reads

    def judged(margin: float) -> np.ndarray:
        """Which notes are kept (k,) with a voicing ``margin`` under the caller's."""
        ranged = _callers_voice_nearby(on, on + dur, midi, caller,
                                       held & (conf >= conf_ref - margin) & (dist < talker_z)
                                       & (levels_db >= ref - faint_db), gap_s=phrase_gap_s, leap_st=leap_st)
        lo, hi = midi[ranged].min(), midi[ranged].max()
        _, stepped = _in_callers_line(on, on + dur, midi, caller, gap_s=phrase_gap_s, margins_st=(step_st,))
        keep = caller | ((levels_db >= ref - faint_db) & (midi >= lo - range_margin_st)
                         & (midi <= hi + range_margin_st) & held
                         & ((conf >= conf_ref - margin) | (dist < timbre_like_z) | (stepped & (dist < talker_z))))
        if steady is not None:   # a lone syllable that glides is a talker, however loud
            alone = (runs[:, None] == runs[None, :]).sum(axis=1) == 1
            glide = alone & (dur <= glide_s) & (steady < glide_steady)
            if glide.sum() < len(notes) / 3:   # speech alone is left whole for the speech check
                keep &= ~glide
        talker = (levels_db < ref - faint_db) | ((dur < blip_s) & (levels_db < ref - blip_db))
        dimmed = np.zeros(len(notes), bool)   # the caller's held notes a suppressor turned down
        if timbre_known:
            other_voice = (dur <= timbre_s) & (levels_db < ref - timbre_db) & (dist >= timbre_z)
            if other_voice.sum() <= timbre_max_share * len(notes):   # else one voice of changing timbre: speech
                keep &= ~other_voice
            dimmed = ((dur >= timbre_held_s) & held & (dist < timbre_z)
                      & (midi >= core_lo - held_core_st) & (midi <= core_hi + held_core_st))
        keep = (keep & ~talker) | dimmed
        near = _near_pairs(on, on + dur, runs, talker_gap_s)
        talker_left = talker & ~dimmed
        runs_on = ~caller & ~dimmed & (dur <= outlier_s) & _near_any(near, talker_left)
        same_pitch = np.abs(midi[:, None] - midi[None, :]) <= JUMP_ST
        at_pitch = _near_any(near & same_pitch, talker_left)   # the talker note at its own pitch
        between, in_reach = _in_callers_line(on, on + dur, midi, keep & ~runs_on, gap_s=phrase_gap_s,
                                             margins_st=(outlier_st,))
        sung = (held & (conf >= conf_ref - margin) & (dist < talker_z)   # the caller's voice, next to a talker
                & (in_reach | ~between) & ~at_pitch)
        keep &= ~(runs_on & ~sung)
        return keep

    keep = judged(conf_margin)
    behind = timbre_known and steady is not None and np.mean(~keep) >= talkers_share   # talkers behind the caller
    if not behind and alone_conf_margin > conf_margin:
        keep = judged(alone_conf_margin)
    edge = np.zeros(len(notes), bool)
    if behind:
        own = anchor & (dist < register_z) if register_z is not None else anchor
        if own.sum() >= 3:   # the register of the anchors in the caller's own voice
            out_lo = weighted_quantile(midi[own], dur[own], core_q)
            out_hi = weighted_quantile(midi[own], dur[own], 1.0 - core_q)
        voice = keep & (dur <= timbre_s) & (dist >= talker_z) & (conf <= conf_ref - talker_conf)
        between, in_line, near_line = _in_callers_line(on, on + dur, midi, keep & ~voice, gap_s=talker_gap_s,
                                                       margins_st=(JUMP_ST, step_st))
        keep &= ~((voice & ((steady < 1.0) | ~anchor) & ~in_line) | (voice & between & ~near_line))
        other = keep & (dur <= timbre_s) & (dist >= talker_z)
        apart, in_reach = _in_callers_line(on, on + dur, midi, keep & ~other, gap_s=phrase_gap_s,
                                           margins_st=(outlier_st,))
        keep &= ~(other & apart & ~in_reach & ~_touches_at_partial(notes, runs, keep & ~other))
        edge = keep & (dur <= timbre_s) & (dist >= talker_z) & _leaps_from_held(
            notes, runs, keep & (dur >= TALKER_HELD_S) & (dist < talker_z), step_st)
        _, stepping = _in_callers_line(on, on + dur, midi, keep & ~edge, gap_s=phrase_gap_s, margins_st=(JUMP_ST,))
        edge &= ~stepping   # a sung step between two of the caller's notes, blurred by the talkers
        keep &= ~edge   # given to _absorb_outliers below: one cutting a held note in two rejoins it
        if comb_pitch is not None:   # a sung note under the talker's syllable: the caller's pitch from the comb
            notes, midi, keep = _callers_pitch_under_talker(notes, midi, keep,
                                                            ~keep & ~edge & (levels_db >= ref - sung_db), runs,
                                                            comb_pitch, gap_s=phrase_gap_s, margin_st=JUMP_ST,
                                                            register=(core_lo, core_hi))
    edge &= levels_db >= ref - sung_db   # the caller sang on through it: a held note it cut rejoins
    outlier = (keep & (dur <= outlier_s) & ((midi < out_lo - outlier_st) | (midi > out_hi + outlier_st))) | edge
    keep |= edge
    if timbre_known and steady is not None:
        # the caller's held notes in their own voice: neither edge rule drops one (the lead-in rule acts only
        # before the first of them, the trail-out rule only after the last), so both read the same mask
        callers_held = keep & held & model & (dist < timbre_z)
        if lead_in:
            keep &= ~talkers_before_first_phrase(midi, levels_db, dur, dist, keep & ~outlier, callers_held,
                                                 weak_db=weak_db, timbre_z=timbre_z, talker_z=talker_z,
                                                 talkers_share=talkers_share)
        if trail_out:
            keep &= ~talkers_after_last_phrase(on, dur, levels_db, keep & ~outlier, callers_held, dist,
                                               weak_db=weak_db, rest_s=phrase_gap_s, held_s=timbre_held_s,
                                               like_z=timbre_like_z, talker_z=talker_z)
    return _absorb_outliers([n for n, k in zip(notes, keep) if k], runs[keep], outlier[keep])


def talkers_before_first_phrase(midi: np.ndarray, levels_db: np.ndarray, dur: np.ndarray, dist: np.ndarray,
                                kept: np.ndarray, held_voice: np.ndarray, *, weak_db: float = CALLER_WEAK_DB,
                                timbre_z: float = CALLER_TIMBRE_Z, talker_z: float = CALLER_TALKER_Z,
                                leap_st: float = LEAD_IN_LEAP_ST,
                                talkers_share: float = CALLER_TALKERS_SHARE) -> np.ndarray:
    """Per note (k,): a ``kept`` note before the caller's first held note that is another voice.

    Only in a call that shows talkers where the caller sings: ``talkers_share`` or more of the notes
    after the caller's first held note are not ``kept`` (other voices, or register outliers). A lead-in
    is judged by marks (a leap, a faint level, another envelope) that the caller's own opening also
    shows now and then, so the rule needs evidence of talkers from the rest of the call: without it, a
    clean hum whose first held note comes late (Yankee Doodle @150 on the rhythm bench's wide familiar
    set, first held note at 2.8 s) lost five sung notes. That share after the first held note is
    0.1 or more in 9 of 12 babble calls of stress seed 10 and in none of its 156 calls of the other 13
    conditions, nor in any of the wide set's 96 clean hums (Yankee Doodle @150: 1 of 15, 0.067).

    Before the caller sings, talkers are the only voice in the call, so the level window of
    :func:`keep_callers_notes` takes them for the caller. The caller's own voice is read instead
    from their held notes (``held_voice`` (k,): held, at least ``CALLER_TIMBRE_HELD_S`` s, under
    ``timbre_z`` from the caller's timbre): their level is the duration-weighted median level (dB,
    ``levels_db`` (k,), durations ``dur`` (k,) s) of those notes. Going back from the first of them, a
    kept note is a talker's when its shape lies ``timbre_z`` or more from the caller's (``dist`` (k,),
    :func:`timbre_distance`; whatever its length: the caller's own lead-in notes read under 3.4 on
    stress seeds 10-15), or when it leaps more than ``leap_st`` semitones (``midi`` (k,)), over an
    octave, into the next kept note and is either more than ``weak_db`` dB under the caller's held
    level or ``talker_z`` or more from the caller's timbre: a pickup steps or leaps into the tune
    within an octave (a major sixth is a common pickup: "My Bonnie"), a talker's syllables jump about
    in another voice. Neither mark of another voice alone will do: the caller's soft pickups and
    first short notes read more than ``weak_db`` under their held notes (142 of 778 on stress
    seeds 10-15, every condition), and codecs move a short note's envelope past ``talker_z``. Both
    marks at once, however, are a talker's wherever the note lies (stop 44): faint and in another
    envelope, a talker's syllable one to five semitones under the caller's first note steps into the
    tune like a pickup (stress babble s15 babble_005, s18 babble_005, s21 babble_009: 7.6-12.2 dB
    under, 2.3-3.3 from the caller's timbre); in calls with talkers (the gate above) the caller's own
    pickups with both marks are rare (stress seeds 10-39: 10 babble calls and one noise call gain a
    note, one babble call loses one; dev and the held-out stand-ins read the same). A note so
    dropped is skipped: the note before it is judged against the next kept note after it.
    """
    talker = np.zeros(len(midi), bool)
    first = np.flatnonzero(held_voice)
    if not len(first):
        return talker
    later = np.arange(len(midi)) > first[0]
    if not later.any() or np.mean(~kept[later]) < talkers_share:   # no talkers where the caller sings
        return talker
    level = weighted_quantile(levels_db[held_voice], dur[held_voice], 0.5)
    nxt = int(first[0])
    for i in range(nxt - 1, -1, -1):
        if not kept[i]:
            continue
        faint, unlike = levels_db[i] < level - weak_db, dist[i] >= talker_z
        if dist[i] >= timbre_z or (faint and unlike) or ((faint or unlike) and abs(midi[nxt] - midi[i]) > leap_st):
            talker[i] = True
        else:
            nxt = i
    return talker


def talkers_after_last_phrase(on: np.ndarray, dur: np.ndarray, levels_db: np.ndarray, kept: np.ndarray,
                              held_voice: np.ndarray, dist: np.ndarray, *, weak_db: float = CALLER_WEAK_DB,
                              rest_s: float = PHRASE_GAP_S, held_s: float = CALLER_TIMBRE_HELD_S,
                              like_z: float = CALLER_TIMBRE_LIKE_Z, talker_z: float = CALLER_TALKER_Z) -> np.ndarray:
    """Per note (k,): a ``kept`` note after the end of the caller's tune that is another voice.

    The mirror of :func:`talkers_before_first_phrase`. Once the tune has ended the talkers behind the
    caller are the only voice again, and the level window of :func:`keep_callers_notes` reads them
    against the caller's last notes, so a talker's syllable 8-15 dB under the caller passes as a weak
    note of theirs (stress babble: s11 babble_008 at 10.75 s, s18 babble_008 at 26.85 s, s31 babble_007
    at 27.08 s). The caller's level is their held notes' (``held_voice`` (k,)): the duration-weighted
    median level (dB, ``levels_db`` (k,), durations ``dur`` (k,) s) of those notes; the tune ends at the
    later of their last held note and their last kept note within ``weak_db`` of that level. Going on
    from there, a kept note is a talker's when it starts more than ``rest_s`` s (a phrase gap: it opens a
    new phrase) after the end of the caller's last note (onsets ``on`` (k,) s) and lies more than
    ``weak_db`` dB under the caller's held level: a caller who sings another phrase after the tune's end
    sings it at their own level. Whatever the rest, a note that far under the caller and ``talker_z`` or more
    from their timbre (``dist``) is a talker's too: both marks of another voice at once, as for a lead-in
    (stop 44; stress seeds 10-39: 7 calls gain a note, babble s15, s17, s18, s28, s34, s36 and ns_agc s11, none
    loses one; dev, the held-out stand-ins and the wide familiar set read the same). A note held ``held_s`` s or
    more whose spectral envelope lies under ``like_z`` from the caller's (``dist`` (k,), :func:`timbre_distance`)
    is the caller's however faint (a dropout's or a suppressor's duck: s17 dropouts_011, a 1.5 s note 12 dB under,
    0.5 from the caller's envelope, 0.8 s after the last held note; the talkers read 1.4-5.2). A note so dropped
    is skipped: the next is measured from the caller's last note before it.

    On the stress corpus's babble and clean calls of seeds 10-21 and 28-31, each of the 22 notes after
    the caller's last held note that lies on a sung note follows the note before it legato (gap
    0.00-0.11 s; 5 of them 7-12 dB under: the caller's soft ending), while 14 of the 17 talker notes
    there start 0.16-0.66 s after the caller's last note (the others run on from those), 7.6-15.2 dB
    under (one 5.7). With the phrase gap as the rest, 12 of them go (s11, s18-s21, s31), no sung note.
    The tune's end is not the last held note alone: a fast tune of short notes may hold its last note
    long before it ends, and its soft short notes after a breath then read as this rule's talkers
    (held-out stand-in r6 heldout_054, last held note at 11 s of 28 s: two sung notes lost, 9 and 13
    dB under, 0.3-0.5 s after a breath); from the caller's last note at their own level none are.

    Unlike the lead-in rule it needs no evidence of talkers elsewhere in the call (that gate, a tenth
    of the notes after the first held note not the caller's, passes s18-s20 and s31 babble but not s11
    babble_008 or s21's calls): its two marks together, a new phrase well under the caller after the
    tune has ended, are not a caller's, whereas a lead-in's marks (a leap, another envelope) are a
    caller's own pickup's now and then. Ungated, the rhythm bench's wide familiar set (96 clean hums),
    dev, the held-out stand-ins and every non-babble stress call of seeds 10-21 and 28-35 read the same.
    """
    talker = np.zeros(len(on), bool)
    held = np.flatnonzero(held_voice)
    if not len(held):
        return talker
    level = weighted_quantile(levels_db[held_voice], dur[held_voice], 0.5)
    prev = int(max(held[-1], np.flatnonzero(kept & (levels_db >= level - weak_db))[-1:].max(initial=0)))
    for i in range(prev + 1, len(on)):
        if not kept[i]:
            continue
        callers = dur[i] >= held_s and dist[i] < like_z
        faint = levels_db[i] < level - weak_db
        if faint and not callers and (on[i] - (on[prev] + dur[prev]) > rest_s or dist[i] >= talker_z):
            talker[i] = True
        else:
            prev = i
    return talker


def drop_background_tone_notes(notes: list[NoteEvent], tones: np.ndarray, *, tone_st: float = TONE_ST,
                               core_q: float = CALLER_CORE_Q, outlier_st: float = CALLER_OUTLIER_ST) -> list[NoteEvent]:
    """``notes`` without those that are a steady background tone the tracker followed: a note the tracker
    never voices firmly (mean confidence under ``VOICED_CONF``) within ``tone_st`` semitones of one of
    ``tones`` (MIDI, :func:`background_tones`: the pitch the tracker reports most in the quiet frames) and
    more than ``outlier_st`` semitones outside the central register of the firmly voiced notes (their
    duration-weighted ``core_q`` to ``1 - core_q`` pitch quantiles, as in :func:`keep_callers_notes`).

    A car's engine or a fan hums at a steady 80-100 Hz that the tracker hears, at a confidence of
    0.2-0.4, wherever the caller is quiet: before the first note and in long rests it makes notes of
    0.4-0.9 s, an octave or more under the tune, too long for the caller's register check (which
    leaves notes over ``CALLER_OUTLIER_S`` alone: a held note of the caller's) and loud enough, with
    the noise in the level, to pass the caller's level. A sung note the noise buries may sit at a
    tone's pitch too, but inside the tune's register (noise stress seeds 11-13: five such notes,
    each matching no sung note; none of the caller's notes dropped)."""
    if not len(tones) or not notes:
        return notes
    midi = np.array([n.midi for n in notes])
    dur = np.array([n.offset_s - n.onset_s for n in notes])
    firm = np.array([n.confidence >= VOICED_CONF for n in notes])
    if firm.sum() < 3:
        return notes
    lo = weighted_quantile(midi[firm], dur[firm], core_q) - outlier_st
    hi = weighted_quantile(midi[firm], dur[firm], 1.0 - core_q) + outlier_st
    tone = ~firm & (np.min(np.abs(midi[:, None] - tones[None, :]), axis=1) <= tone_st) & ((midi < lo) | (midi > hi))
    return [n for n, t in zip(notes, tone) if not t]


def talker_at_note_edges(notes: list[NoteEvent], *, max_s: float = TALKER_EDGE_S,
                         leap_st: float = TALKER_LEAP_ST, held_s: float = TALKER_HELD_S,
                         skip_partials: bool = False, levels_db: np.ndarray | None = None,
                         sung_db: float = TALKER_SUNG_DB, scoop_st: float = CALLER_STEP_ST) -> np.ndarray:
    """Per note (k,) bool: a background talker heard at the attack or release of a held note.

    In a gap of the caller's voice (a consonant, a breath before a note, the decay after one) the
    tracker follows whichever voice is there, so a talker's syllable joins the caller's note in one
    voiced run. A note of at most ``max_s`` s that touches (or overlaps) a note of ``held_s`` s or more and lies
    ``leap_st`` semitones or more away from it is such a syllable: a sung leap of a fifth or more
    into or out of a held note is itself held. With ``skip_partials``, notes at a partial's interval
    from that note (:func:`_partial_leap`) are left to
    :func:`fold_partial_notes`, which has the spectrum to tell them; run after it, whatever still
    leaps is another voice. On stress seeds 10-12 the notes so flagged were talkers but for one
    sung note (babble COnP +0.001 / +0.009 / +0.004, AMR seed 11 +0.003).

    Other tunes than the dev set's leap a fifth or more into quick notes (Irish and Scottish airs:
    stress s50 speaker_002 at 3.39 s, a 0.2 s 59 leapt to from a held 52 in one voiced run). With the notes' median
    levels ``levels_db`` (k,) (dB), a note as loud as the held note or louder (``sung_db`` dB under it at most: a
    talker fills a gap of the caller's voice, so it lies under the caller), not at a partial's interval from the
    held note and touching no other note within ``scoop_st`` semitones of its own pitch (then it is that note's
    scoop or release, which this rule folds away) is the caller singing the leap. With the level gate's rule of
    stop 51, note-stage reruns of 11,188 calls: 206 up, 67 down; other tunes 86 / 7 (tests/bench/HISTORY.md)."""
    dur = np.array([n.offset_s - n.onset_s for n in notes])
    out = np.zeros(len(notes), bool)
    held = dur >= held_s
    for i, n in enumerate(notes):
        if dur[i] > max_s:
            continue
        touching = [j for j in (i - 1, i + 1) if 0 <= j < len(notes) and gap_s(n, notes[j]) < 1e-6]
        scoop = any(abs(notes[j].midi - n.midi) <= scoop_st for j in touching)
        for j in touching:
            if not held[j] or abs(notes[j].midi - n.midi) < leap_st:
                continue
            partial = _partial_leap(n.midi - notes[j].midi)
            sung = levels_db is not None and not scoop and not partial and levels_db[i] >= levels_db[j] - sung_db
            if not (skip_partials and partial) and not sung:
                out[i] = True
                break
    return out


def _touches_in_run(notes: list[NoteEvent], runs: np.ndarray, among: np.ndarray,
                    leap: Callable[[float], bool]) -> np.ndarray:
    """Per note (k,): whether it touches a note of ``among`` (k,) next to it in its voiced run (``runs`` (k,))
    at an interval (semitones, this note's pitch minus that one's) that ``leap`` accepts."""
    return np.array([any(0 <= j < len(notes) and among[j] and runs[j] == runs[i] and abs(gap_s(n, notes[j])) < 1e-6
                         and leap(n.midi - notes[j].midi) for j in (i - 1, i + 1))
                     for i, n in enumerate(notes)], bool)


def _touches_at_partial(notes: list[NoteEvent], runs: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Per note (k,): whether it touches a note of ``among`` (k,) in its voiced run (``runs`` (k,))
    at a partial's interval (:func:`_partial_leap`): the tracker on a partial of that note's attack
    or release, which :func:`_absorb_outliers` gives back to it."""
    return _touches_in_run(notes, runs, among, _partial_leap)


def _leaps_from_held(notes: list[NoteEvent], runs: np.ndarray, held: np.ndarray, step_st: float) -> np.ndarray:
    """Per note (k,): whether it touches a ``held`` (k,) note of its voiced run (``runs`` (k,)) more than
    ``step_st`` semitones from it, not at a partial's interval (:func:`_partial_leap`)."""
    return _touches_in_run(notes, runs, held, lambda d_st: abs(d_st) > step_st and not _partial_leap(d_st))


def _partial_leap(d_st: float) -> bool:
    """Whether two notes ``d_st`` semitones apart may be one voice, the tracker on a partial (12, 19
    or 24 semitones, within 1, either way: either note may be the wrong one)."""
    return partial_off(d_st) <= 1.0


def drop_talker_edges(notes: list[NoteEvent], level_db: np.ndarray | None = None, hop_s: float = 0.01,
                      **kw) -> list[NoteEvent]:
    """``notes`` without the talkers at held notes' edges (:func:`talker_at_note_edges`, keyword
    parameters passed on; with the frame levels ``level_db`` (n,) (dB, frames of ``hop_s`` s), each note's median
    level for its loudness test). Where such a syllable cut one note of the caller in two (the notes
    touching or overlapping it on both sides within ``JUMP_ST`` of each other), the two rejoin as one note with
    the longer one's pitch."""
    levels = None if level_db is None else np.array([note_level_db(level_db, n, hop_s) for n in notes])
    edge = talker_at_note_edges(notes, levels_db=levels, **kw)
    keep = ~edge
    out = list(notes)
    for i in np.flatnonzero(edge):
        j, k = i - 1, i + 1
        if (0 < i < len(out) - 1 and keep[j] and keep[k] and gap_s(out[j], out[i]) < 1e-6
                and gap_s(out[i], out[k]) < 1e-6 and abs(out[j].midi - out[k].midi) <= JUMP_ST):
            long_j = out[j].offset_s - out[j].onset_s >= out[k].offset_s - out[k].onset_s
            out[j] = replace(out[j], offset_s=out[k].offset_s, midi=out[j].midi if long_j else out[k].midi)
            keep[k] = False
    return [n for n, x in zip(out, keep) if x]


def _near_pairs(onsets: np.ndarray, offsets: np.ndarray, runs: np.ndarray, gap_s: float) -> np.ndarray:
    """Per pair of notes (k, k): whether they share a voiced run (``runs`` (k,)) or lie at most ``gap_s`` s
    apart (``onsets``, ``offsets`` (k,), s)."""
    gap = np.maximum(onsets[:, None] - offsets[None, :], onsets[None, :] - offsets[:, None])
    return (runs[:, None] == runs[None, :]) | (gap <= gap_s)


def _near_any(near: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per note (k,): whether a note in ``mask`` (k,) is ``near`` it ((k, k), :func:`_near_pairs`); False
    for the notes in ``mask``."""
    return near[:, mask].any(axis=1) & ~mask


def _callers_pitch_under_talker(notes: list[NoteEvent], midi: np.ndarray, keep: np.ndarray, heard: np.ndarray,
                                runs: np.ndarray, comb_pitch: Callable[[float, float, float, float], float], *,
                                gap_s: float, margin_st: float,
                                register: tuple[float, float] = (-np.inf, np.inf)) -> tuple[list[NoteEvent], np.ndarray, np.ndarray]:
    """``notes``, their pitches ``midi`` (k,) and the ``keep`` (k,) mask, with the ``heard`` (k,) notes (ones
    a talker rule dropped at the caller's level) that lie between two kept notes at most ``gap_s`` s away
    given back at the caller's pitch: ``comb_pitch`` over their time within the octave centred on the line
    of those two notes, when that line is at most ``12 - 2 * margin_st`` semitones wide. Touching pieces of
    one voiced run (``runs`` (k,)) between the same two notes are one note. When they fill the time between those two, touching both, and the pitch lies
    within ``JUMP_ST`` of both, the talker cut one held note of the caller's in two: it rejoins over its
    span with the longer piece's pitch (as :func:`_absorb_outliers` rejoins one cut by an outlier); when
    they touch one of them within ``JUMP_ST``, they are its attack or release and it takes their time. The
    two notes and the pitch must lie in the caller's central ``register`` (lowest, highest MIDI): a line
    off it is the tracker on a partial or an octave of the caller, whose comb then reads a partial too
    (stress babble s16 babble_000: the caller's G4 read at G3 between two notes an octave low)."""
    notes, midi, keep = list(notes), midi.copy(), keep.copy()
    on = np.array([n.onset_s for n in notes])
    off = np.array([n.offset_s for n in notes])
    between, = _in_callers_line(on, off, midi, keep, gap_s=gap_s, margins_st=())
    idx = np.flatnonzero(keep)
    groups: list[list[int]] = []
    for i in np.flatnonzero(heard & between):
        if groups and groups[-1][-1] == i - 1 and runs[i] == runs[i - 1] and abs(on[i] - off[i - 1]) < 1e-6:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    for g in groups:
        k = int(np.searchsorted(idx, g[0]))
        p, q = idx[k - 1], idx[k]
        if abs(midi[p] - midi[q]) > 12.0 - 2.0 * margin_st:
            continue
        mid = (midi[p] + midi[q]) / 2.0   # the octave around the line (a comb an octave under reads as strong)
        pitch = comb_pitch(on[g[0]], off[g[-1]], mid - 6.0 + COMB_STEP_ST, mid + 6.0 - COMB_STEP_ST)
        if not register[0] <= min(pitch, midi[p], midi[q]) <= max(pitch, midi[p], midi[q]) <= register[1]:
            continue   # off the caller's register: the tracker on a partial or an octave of the caller
        touch = [runs[j] == runs[g[0]] and abs(on[g[0]] - off[j] if j == p else on[j] - off[g[-1]]) < 1e-6
                 and abs(midi[j] - pitch) <= JUMP_ST for j in (p, q)]
        if all(touch) and q == g[-1] + 1 and p == g[0] - 1:
            long_p = off[p] - on[p] >= off[q] - on[q]
            notes[q] = replace(notes[q], onset_s=on[p], midi=midi[p] if long_p else midi[q],
                               confidence=max(notes[p].confidence, notes[q].confidence))
            midi[q], keep[p] = notes[q].midi, False
            continue
        if any(touch):
            j = p if touch[0] else q
            notes[j] = replace(notes[j], onset_s=min(on[j], on[g[0]]), offset_s=max(off[j], off[g[-1]]))
            continue
        notes[g[0]] = replace(notes[g[0]], offset_s=off[g[-1]], midi=pitch)
        midi[g[0]], keep[g[0]] = pitch, True
    return notes, midi, keep


def _callers_voice_nearby(onsets: np.ndarray, offsets: np.ndarray, midi: np.ndarray, caller: np.ndarray,
                          voice: np.ndarray, *, gap_s: float, leap_st: float) -> np.ndarray:
    """``caller`` (k,) grown, both ways in time, over the notes with the caller's ``voice`` (k,) that lie
    at most ``gap_s`` s from a note so grown (or a ``caller`` note) and at most ``leap_st`` semitones
    from its pitch (``midi`` (k,)): the notes that give the caller's pitch range."""
    out = caller.copy()
    for order in (range(1, len(midi)), range(len(midi) - 2, -1, -1)):
        for i in order:
            j = i - 1 if order.step == 1 else i + 1
            gap = onsets[i] - offsets[j] if j < i else onsets[j] - offsets[i]
            if out[j] and not out[i] and voice[i] and gap <= gap_s and abs(midi[i] - midi[j]) <= leap_st:
                out[i] = True
    return out


def _in_callers_line(onsets: np.ndarray, offsets: np.ndarray, midi: np.ndarray, caller: np.ndarray, *,
                     gap_s: float, margins_st: tuple[float, ...]) -> tuple[np.ndarray, ...]:
    """Per note (k,): whether it lies between the ``caller`` (k,) note before it and the one after it
    (both at most ``gap_s`` s away), then for each of ``margins_st`` whether it also carries the
    caller's melodic line from one to the other: its pitch (``midi``) between theirs, give or take
    that many semitones."""
    between = np.zeros(len(onsets), bool)
    in_line = np.zeros((len(margins_st), len(onsets)), bool)
    margins = np.asarray(margins_st, float)
    idx = np.flatnonzero(caller)
    for i in range(len(onsets)):
        k = int(np.searchsorted(idx, i))
        if caller[i] or k == 0 or k == len(idx):
            continue
        p, q = idx[k - 1], idx[k]
        between[i] = onsets[i] - offsets[p] <= gap_s and onsets[q] - offsets[i] <= gap_s
        if between[i]:
            in_line[:, i] = (min(midi[p], midi[q]) - margins <= midi[i]) & (midi[i] <= max(midi[p], midi[q]) + margins)
    return (between, *in_line)


def _absorb_outliers(notes: list[NoteEvent], runs: np.ndarray, outlier: np.ndarray) -> list[NoteEvent]:
    """``notes`` without the ``outlier`` (k,) ones. An outlier that touches an in-register note in
    the same voiced run (``runs`` (k,)) at a partial's interval (12, 19, 24 semitones, within 1)
    joins it (the longer one if two), which takes over its time span; others are dropped (a
    talker's syllable next to a note is not part of it). An outlier that touches in-register notes
    of its voiced run on both sides, within ``JUMP_ST`` of each other, cut one held note of the
    caller's in two (the tracker took a talker or a high partial for a moment while the caller's
    level held): the two rejoin as one note over its time span, with the longer one's pitch."""
    out = list(notes)
    keep = ~outlier
    for i in np.flatnonzero(outlier):
        touch = [j for j in (i - 1, i + 1) if 0 <= j < len(out) and not outlier[j] and runs[j] == runs[i]
                 and abs(gap_s(out[i], out[j])) < 1e-6]
        if len(touch) == 2 and keep[touch[0]] and abs(out[touch[0]].midi - out[touch[1]].midi) <= JUMP_ST:
            j, k = touch
            long_j = out[j].offset_s - out[j].onset_s >= out[k].offset_s - out[k].onset_s
            out[k] = replace(out[k], onset_s=out[j].onset_s, midi=out[j].midi if long_j else out[k].midi,
                             confidence=max(out[j].confidence, out[k].confidence))
            keep[j] = False
            continue
        nbrs = [j for j in touch if _partial_leap(out[i].midi - out[j].midi)]
        if nbrs:
            j = max(nbrs, key=lambda k: out[k].offset_s - out[k].onset_s)
            out[j] = replace(out[j], onset_s=min(out[j].onset_s, out[i].onset_s),
                             offset_s=max(out[j].offset_s, out[i].offset_s))
    return [n for n, k in zip(out, keep) if k]
