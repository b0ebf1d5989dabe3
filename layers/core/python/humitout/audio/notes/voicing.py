"""Which frames are the voice: weak voicing rescued where the pitch holds, gaps a notch or a gate cut inside a
held pitch, weak attacks and short bursts, a voice buried in noise, and where an attack begins under the
level gate or through another note's tail."""
from __future__ import annotations

import numpy as np
from scipy.ndimage import maximum_filter1d, median_filter

from humitout.audio.arrays import true_runs
from humitout.audio.f0 import VOICED_CONF
from humitout.audio.median import median1d
from humitout.audio.notes.core import (ATTACK_RISE_DB, CALLER_LEAP_ST, DIP_CONFIRM_DB, DIP_DB, JUMP_ST, STEADY_ST,
                                       TONE_ST, WEAK_CONF, partial_off)
from humitout.audio.notes.reattack import gap_dip_db


WEAK_TAIL_STEP_ST = 1.0  # semitones from its note's pitch a weak, steady tail must lie to be a note of its own
WEAK_TAIL_CTX_S = 0.15   # s of the voiced note before such a tail whose median pitch it is read against
BURIED_CONF = 0.1      # voicing confidence from which a held pitch in loud frames of the cleaned call is a buried voice
BURIED_NEAR_DB = 10.0  # dB under the local maximum of the noise-suppressed level where a buried voice may sit
TONE_SLIP_FRAMES = 2   # frames the tracker may spend between a voice and a tone (neither pitch) in that walk
TONE_SHARE = 0.1       # share of the quiet frames at one pitch (nearest semitone) that makes it a steady background tone
BURST_EDGE_FRAMES = 1  # frames at each end of such a burst's voiced vowel held only to 2 * STEADY_ST (scoop, release)
GATE_STEP_DB = 6.0    # dB the level must stay down after a gap the level gate cut in a voiced held pitch
GATE_DECAY_DB = 2.0   # dB a gate-made gap's level may fall from its first half to its second and still be the voice
ATTACK_LEVEL_DB = 6.0  # dB under a run's first frames where a steady pitch before it is still its attack
RELEASE_DB = ATTACK_LEVEL_DB  # dB under a short burst's loudest frame where its vowel still sounds though the tracker loses its pitch (voice_short_bursts)
ATTACK_RAMP_DB = 0.5   # dB a frame of such an attack may sit over the quietest frame after it (level jitter)


def _steady_frames(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pitch ``m`` (k,) (MIDI) as a median of 5 frames, and which of its frames lie within ``STEADY_ST`` of its
    median."""
    if len(m) >= 5:
        m = median_filter(m, size=5, mode="nearest")
    return m, np.abs(m - np.median(m)) <= STEADY_ST


def rescue_weak_voicing(midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray,
                        level_ok: np.ndarray, min_len: int, *, tail_ctx: int | None = None,
                        tail_step_st: float = WEAK_TAIL_STEP_ST) -> np.ndarray:
    """Voiced mask (n,) plus weakly voiced runs that hold one steady pitch.

    Short notes of low voices often peak at a tracker confidence of 0.3-0.45
    with a correct pitch. A run of frames with confidence >= ``WEAK_CONF`` and
    a loud enough level, that holds fewer than ``min_len`` strongly voiced
    frames (so it would not make a note), becomes voiced where its pitch stays
    within ``STEADY_ST`` of the run's median, when that is ``min_len`` frames
    or more.

    A run that already makes a note keeps its voiced frames; with ``tail_ctx`` (frames), its weak frames
    after the last voiced one become voiced the same way when their steady pitch lies ``tail_step_st``
    semitones or more from the median pitch of the ``tail_ctx`` voiced-run frames before them: a short
    note that ends a phrase straight after a step, which the tracker hears only weakly (on a speakerphone
    the room's tail of the note before holds its confidence down: stress s10 speaker_006 at 3.07 s, a
    0.17 s note at 48 read at confidence 0.46-0.25 after a held 50, as loud as it). A release keeps the
    note's pitch or glides off it, so it holds no steady pitch a step away.
    """
    out = voiced.copy()
    weak = (conf >= WEAK_CONF) & level_ok & np.isfinite(midi)
    for a, b in zip(*true_runs(weak)):
        if b - a < min_len:
            continue
        if voiced[a:b].sum() < min_len:
            _, steady = _steady_frames(midi[a:b])
            if steady.sum() >= min_len:
                out[a:b] |= steady
            continue
        end = a + int(np.flatnonzero(voiced[a:b])[-1]) + 1   # the weak frames after the run's last voiced frame
        if tail_ctx is None or b - end < min_len:
            continue
        tail, steady = _steady_frames(midi[end:b])
        held = np.median(midi[max(end - tail_ctx, a):end])
        if steady.sum() >= min_len and abs(np.median(tail[steady]) - held) >= tail_step_st:
            out[end:b] |= steady
    return out


def smoothed_pitch_and_loud(midi: np.ndarray, clean_db: np.ndarray, win: int,
                            near_db: float = BURIED_NEAR_DB) -> tuple[np.ndarray, np.ndarray]:
    """The tracker's pitch ``midi`` (n,, MIDI, NaN unheard -> 0) as a median of 5 frames, and which
    frames are loud: within ``near_db`` dB of the maximum of the cleaned level ``clean_db`` (n,, dB)
    within +-``win`` frames. What :func:`background_tones` reads its quiet frames from."""
    m = median_filter(np.nan_to_num(midi), size=5, mode="nearest")
    loud = clean_db >= maximum_filter1d(clean_db, size=2 * win + 1, mode="nearest") - near_db
    return m, loud


def voice_buried_pitch(midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray, level_ok: np.ndarray,
                       clean_db: np.ndarray, hold: int, win: int, *, min_conf: float = BURIED_CONF,
                       near_db: float = BURIED_NEAR_DB, tone_share: float = TONE_SHARE,
                       tone_st: float = TONE_ST, follow_hold: int | None = None, follow_gap: int = 0,
                       tones: np.ndarray | None = None) -> np.ndarray:
    """Voiced mask (n,) plus pieces where a voice buried in noise holds its pitch at a low confidence.

    Under street, car or fan noise at 8-15 dB SNR the tracker often hears a sung note's pitch right
    while its confidence stays at 0.1-0.3, under what :func:`rescue_weak_voicing` accepts; the
    noise-suppressed level ``clean_db`` (n,, dB; :func:`band_level_db` of the cleaned call) still
    rises 10-20 dB out of the gaps there, since the suppressor takes the steady noise out. A piece of
    ``hold`` frames or more is voiced where every frame is unvoiced, ``level_ok``, at a confidence of
    ``min_conf`` or more and within ``near_db`` dB of the maximum of ``clean_db`` within +-``win``
    frames, and the pitch (median of 5 frames) moves less than ``STEADY_ST`` from frame to frame.
    Frames the level gate cut count too where their pitch is more than ``JUMP_ST`` from that of the
    last voiced frame before them: a phone's suppressor takes a note sung right after a loud one
    10-16 dB down, under the gate's line (15 dB under the loud note within 0.3 s), while a reverb tail
    the gate is there for keeps the loud note's pitch.

    Steady tones hold a pitch too (an engine's or fan's line the suppressor leaves a trace of): the
    pitches the tracker reports in the quiet frames (unvoiced, under the ``near_db`` line) that
    take ``tone_share`` of them or more (nearest semitone) are background tones, and a piece within
    ``tone_st`` semitones of one stays unvoiced (:func:`background_tones`: a note's decay or room
    reverb is no tone; ``tones`` (MIDI): those background tones, when the caller has read them of the
    same frames already). A piece that would lengthen a voiced run at its own pitch (within ``JUMP_ST``)
    stays unvoiced too: that note's onset, and the dip between repeated notes, are the tracker's to
    place; unless the level gate alone cut the piece and the tracker voices every frame of it
    (confidence ``VOICED_CONF`` or more): the start of a quieter note sung right after a loud one at
    another pitch (the gate cuts it for up to ``win`` frames; a repeat's dip keeps the old pitch).

    With ``follow_hold`` (frames, under ``hold``), a shorter piece of at least that many frames is
    voiced too where it starts at most ``follow_gap`` frames after a voiced frame more than
    ``JUMP_ST`` from its pitch: the voice moving straight on from a note to a quick one the noise
    buries (noise stress s10: a 0.13 s note after a held one, its pitch heard at confidence 0.2 for
    0.08 s). Alone, a piece that short is as likely the noise's."""
    out = voiced.copy()
    m, loud = smoothed_pitch_and_loud(midi, clean_db, win, near_db)
    if tones is None:
        tones = background_tones(m, conf, voiced, loud, hold, tone_share=tone_share, heard=np.isfinite(midi))
    last, tail = decay_frames(m, voiced)
    cand = ~voiced & (level_ok | ~tail) & loud & (conf >= min_conf) & np.isfinite(midi)
    shortest = hold if follow_hold is None else min(hold, follow_hold)
    for a, b in zip(*true_runs(cand)):
        if b - a < shortest:
            continue
        cuts = np.flatnonzero(np.abs(np.diff(m[a:b])) > STEADY_ST) + 1
        for s, t in zip(np.r_[0, cuts] + a, np.r_[cuts, b - a] + a):
            if t - s < shortest:
                continue
            p = float(median1d(m[s:t]))
            gated_start = bool(np.all(~level_ok[s:t] & (conf[s:t] >= VOICED_CONF)))   # so at another pitch than the tail
            if t - s < hold and not (last[s] >= 0 and s - last[s] <= follow_gap
                                     and abs(m[last[s]] - p) > JUMP_ST):
                continue
            if ((len(tones) and np.min(np.abs(tones - p)) <= tone_st)
                    or (s > 0 and voiced[s - 1] and abs(m[s - 1] - p) <= JUMP_ST)
                    or (t < len(voiced) and voiced[t] and abs(m[t] - p) <= JUMP_ST and not gated_start)):
                continue
            out[s:t] = True
    return out


def decay_frames(m: np.ndarray, voiced: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per frame of the pitch ``m`` (n,) (MIDI, smoothed): the last ``voiced`` frame at or before it
    (-1 where none), and whether the frame keeps that frame's pitch (within ``JUMP_ST``): a sung note's
    decay or reverb tail when the frame itself is unvoiced."""
    last = np.maximum.accumulate(np.where(voiced, np.arange(len(m)), -1))
    return last, (last >= 0) & (np.abs(m - m[np.maximum(last, 0)]) <= JUMP_ST)


def background_tones(m: np.ndarray, conf: np.ndarray, voiced: np.ndarray, loud: np.ndarray, min_frames: int, *,
                     tone_share: float = TONE_SHARE, heard: np.ndarray | None = None) -> np.ndarray:
    """Pitches (MIDI, whole semitones) of steady background tones: those the tracker reports
    (``m`` (n,), smoothed; where ``heard``) in ``tone_share`` or more of the quiet frames (not ``voiced``,
    not ``loud``, confidence under ``VOICED_CONF``), when there are ``min_frames`` of them or more.
    Quiet frames that keep the pitch of the last voiced frame before them (within ``JUMP_ST``) are no
    evidence of a tone: they are that note's decay or, through a speakerphone's room, its reverb,
    which would make the caller's most sung pitches look like background tones."""
    _, tail = decay_frames(m, voiced)
    quiet = ~voiced & ~loud & ~tail & (conf < VOICED_CONF) & (np.ones(len(m), bool) if heard is None else heard)
    if quiet.sum() < min_frames:
        return np.zeros(0)
    pitches, counts = np.unique(np.round(m[quiet]), return_counts=True)
    return pitches[counts >= tone_share * quiet.sum()]


def attack_through_tones(midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray, clean_db: np.ndarray,
                         min_frames: int, win: int, max_len: int, *, near_db: float = BURIED_NEAR_DB,
                         tone_share: float = TONE_SHARE, tone_st: float = TONE_ST,
                         slip: int = TONE_SLIP_FRAMES) -> tuple[np.ndarray, np.ndarray]:
    """Voiced mask (n,) with weak attacks walked back to their onset over frames where the tracker
    followed a background tone, and the pitch (n,) (MIDI) of the frames so voiced (NaN elsewhere).

    A phone's suppressor and AGC duck a soft note's attack after a loud one, and under a car's engine
    line the tracker follows the engine there (ns_agc stress s11: the attacks of held notes read the
    engine at 38-39 for 20-110 ms, the note's pitch at confidence 0.04-0.2 around them). A weak attack
    (a voiced run whose first 3 frames are all under ``VOICED_CONF``, at a pitch more than ``tone_st``
    from every background tone, :func:`background_tones` of the frames ``near_db`` dB or more under
    the maximum of the cleaned level ``clean_db`` (n,, dB) within +-``win`` frames) is walked back
    over up to ``max_len`` unvoiced frames where the tracker reports the note's pitch (``midi`` (n,),
    within ``2 * STEADY_ST``, any confidence) or a background tone in a loud frame, with up to ``slip``
    frames in a row at neither (the tracker moving between the two). The frames walked are voiced,
    at the attack's pitch, when the walk crossed a tone frame and ended within ``max_len`` (a tone
    running on from further back gives no onset: a fan's line the tracker holds through a rest). A walk that reaches a voiced run stops
    there, and joins it only when that run's last frame is weak too (two buried pieces of one note):
    a confident run before it is another note, often a repeat."""
    out = voiced.copy()
    pitch = np.full(len(midi), np.nan)
    m, loud = smoothed_pitch_and_loud(midi, clean_db, win, near_db)
    tones = background_tones(m, conf, voiced, loud, min_frames, tone_share=tone_share, heard=np.isfinite(midi))
    midi = np.nan_to_num(midi, nan=-99.0)
    if not len(tones):
        return out, pitch
    at_tone = (np.min(np.abs(midi[:, None] - tones[None, :]), axis=1) <= tone_st) & loud
    for a in true_runs(voiced)[0]:
        ref = float(median1d(midi[a:a + 3]))
        if np.max(conf[a:a + 3]) >= VOICED_CONF or np.min(np.abs(tones - ref)) <= tone_st:
            continue
        t, other, start, tone_at, ended = a, 0, a, -1, False
        while t > 0 and a - t < max_len and not voiced[t - 1]:
            if abs(midi[t - 1] - ref) <= 2 * STEADY_ST:
                other = 0
            elif at_tone[t - 1]:
                other, tone_at = 0, t - 1
            else:
                other += 1
                if other > slip:
                    ended = True
                    break
            t -= 1
            if other == 0:
                start = t
        ended = ended or t == 0 or voiced[t - 1]
        if (ended and tone_at >= start
                and (start == 0 or not voiced[start - 1] or conf[start - 1] < VOICED_CONF)):
            out[start:a] = True
            pitch[start:a] = ref
    return out, pitch


def drop_gate_flicker(voiced: np.ndarray, conf: np.ndarray, level_ok: np.ndarray, min_len: int) -> np.ndarray:
    """Voiced mask (n,) without voiced fragments shorter than ``min_len`` frames that lie between
    frames the tracker voices (confidence ``VOICED_CONF`` or more) but the level gate cut (not
    ``level_ok``): a noise suppressor holding a note down near the gate's line makes the gate flicker,
    and the fragments would break one gate-made gap (which :func:`fill_weak_gaps` voices again when
    its level holds) into short ones that it does not."""
    out = voiced.copy()
    gated = (conf >= VOICED_CONF) & ~level_ok
    for a, b in zip(*true_runs(voiced)):
        if b - a < min_len and a > 0 and b < len(voiced) and gated[a - 1] and gated[b]:
            out[a:b] = False
    return out


def held_pitch_beside(midi: np.ndarray, voiced: np.ndarray, a: int, b: int, side: int) -> tuple[float, float] | None:
    """The pitch (MIDI) held on each side of the gap ``a:b`` of the voiced mask ``voiced`` (n,), read past the
    voiced frame at each edge: the median of ``midi`` (n,) over the ``side`` voiced frames behind it; None
    unless both sides have them and every one lies within ``STEADY_ST`` of its side's median (a held pitch).

    The frame right at a gap's edge is where the tracker is already losing the voice (its confidence
    falling into the gap), and its pitch is the least sure of the note's: through AMR-NB a held A-flat 4
    (415 Hz, at the codec's 400 Hz shortest pitch lag) reads 61.9 on the frame before a 3-frame gap the
    codec's doubled lag makes, 67.9 on the 20 frames before that (stress s10 amr_001); a held C3 whose
    confidence sags to 0.35 reads 47.8 on the frame before the gap and 48.3 on either side (s10 amr_006).
    ``side`` is the segmenter's own ``MIN_JUMP_S`` (an excursion shorter than it cuts no note), so a side
    holds a pitch as long as the segmenter needs to hear a new one. A side still moving (the tracker
    sliding into the next note after the gap: held-out r3 heldout_026, 60 → 67 through 55.4 and 60) holds
    none."""
    lo, hi = a - 1, b + 1
    while lo > 0 and a - 1 - lo < side and voiced[lo - 1]:
        lo -= 1
    while hi < len(midi) and hi - b - 1 < side and voiced[hi]:
        hi += 1
    before, after = midi[lo:a - 1], midi[b + 1:hi]
    if len(before) < side or len(after) < side:
        return None
    held = float(np.median(before)), float(np.median(after))
    if np.any(np.abs(before - held[0]) > STEADY_ST) or np.any(np.abs(after - held[1]) > STEADY_ST):
        return None
    return held


def fill_weak_gaps(midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray, level_ok: np.ndarray,
                   max_len: int, level_db: np.ndarray | None = None, *, step_db: float = GATE_STEP_DB,
                   max_gated: int = 200, decay_db: float = GATE_DECAY_DB, side: int = 1,
                   same_db: float = DIP_CONFIRM_DB) -> np.ndarray:
    """Voiced mask (n,) with short unvoiced gaps inside a held pitch voiced again.

    Noise suppressors, codecs and room notches make the tracker's confidence sag under 0.5 for
    a few frames in the middle of a note. A gap of at most ``max_len`` frames is voiced when
    every frame in it keeps a confidence of ``WEAK_CONF`` or more and a loud enough level
    (``level_ok``), the pitch on both sides is the same (within ``STEADY_ST``) and the gap's
    pitch stays within ``2 * STEADY_ST`` of it: the caller's voice continues through it. With
    ``level_db`` (n,), a gap whose level stays less than ``DIP_DB`` under the maxima on both sides
    is voiced too whatever the tracker says there (a noise suppressor's artefacts): a release or
    a re-attack would dip. Real breaks between notes still split at the level dip.
    A gap the level gate alone made (the tracker voices every frame of it at the same pitch)
    is voiced too when the level after it stays more than ``step_db`` dB under the level before
    it: a noise suppressor or AGC turning a held note down, not a reverb tail before a
    re-attack (the voice comes back as loud). Such a gap longer than ``max_len`` (up to
    ``max_gated`` frames, ``MAX_GATED_GAP_S`` s in :func:`segment_notes`) is voiced when its
    level does not decay (the median of its second half at most ``decay_db`` dB under its first
    half's): a noise suppressor holding a note 15+ dB down for a while; a reverb tail only decays.
    A weakly voiced gap (as above) that the level gate cut is voiced too when its level dips less
    than ``DIP_DB`` under the maxima on both sides and does not decay (``decay_db``, as above; a
    gap of one frame has no halves to compare): a suppressor holding the note 12-25 dB down puts it
    right at the level gate's 15 dB line, the frames before the gap pass the gate while the weak ones
    in it do not, although they are as loud; a release or a re-attack dips, a tail decays. On stress
    s10 / s11 ns_agc_010 a held note turned down 14-15 dB was split at 1-4 frames the tracker heard
    at 0.34-0.49 (COnP 0.929 -> 0.963 each); no other note of seeds 10-11's 14 conditions moved.

    The pitch either side is that of the voiced frames at the gap's edges; where they disagree, it is the
    pitch held behind them (:func:`held_pitch_beside`, ``side`` frames each side; ``side`` 1 reads only the
    edge frames) when the tracker still hears a voice through the gap (every frame at ``WEAK_CONF`` or more)
    and the level after it stays within ``same_db`` dB of the level before (medians over ``side`` frames
    past the edge frames). The edge frame is where the tracker is losing the voice, and a codec reads it
    off the note: AMR-NB's doubled pitch lag at its 400 Hz floor takes a held A-flat 4 to 61.9 on the frame
    before a 3-frame gap and 55.8 in it (stress s10 amr_001), a confidence sag takes a held C3 from 48.3 to
    47.8 (s10 amr_006): each held note came out as two. Where the tracker loses the voice (confidence under
    ``WEAK_CONF``: a breath or re-attack whose dip noise filled, stress s11 noise_010) or the note after the
    gap is quieter (an old note's tail before the next note: held-out r3 heldout_026, 5 dB down), the gap
    stays. On stress seeds 10-15 (14 conditions), dev and held-out r1-r3, r6, r7 this changes three cells,
    each up: s10 amr (COnP 0.988 → 0.992, COnPOff 0.979 → 0.990), s14 ns_agc and s15 speakerphone (+0.001).
    """
    out = voiced.copy()
    for a, b in zip(*true_runs(~voiced)):
        if a == 0 or b >= len(midi):
            continue
        before, after = midi[a - 1], midi[b]
        if abs(before - after) > STEADY_ST:   # the edge frames disagree: the held pitch either side may not,
            held = held_pitch_beside(midi, voiced, a, b, side) if side > 1 else None
            if (held is None or abs(held[0] - held[1]) > STEADY_ST or not np.all(conf[a:b] >= WEAK_CONF)
                    or (level_db is not None and np.median(level_db[b + 1:b + 1 + side])
                        < np.median(level_db[max(a - 1 - side, 0):a - 1]) - same_db)):
                continue   # ... where the tracker still hears a voice through the gap, as loud after it
            before, after = held
        ref = 0.5 * (before + after)
        if b - a > max_len:   # a long gate-made gap whose level does not decay: the voice turned down
            h = (b - a) // 2
            if (level_db is not None and b - a <= max_gated and np.all(conf[a:b] >= VOICED_CONF)
                    and np.all(np.abs(midi[a:b] - ref) <= 2 * STEADY_ST)
                    and np.median(level_db[a + h:b]) >= np.median(level_db[a:a + h]) - decay_db):
                out[a:b] = True
            continue
        weakly_voiced = np.all(conf[a:b] >= WEAK_CONF) and np.all(np.abs(midi[a:b] - ref) <= 2 * STEADY_ST)
        no_dip = level_db is not None and gap_dip_db(level_db, a, b, max_len) < DIP_DB
        step_down = (level_db is not None and np.all(conf[a:b] >= VOICED_CONF) and
                     level_db[b:b + max_len].max() < level_db[max(a - max_len, 0):a].max() - step_db)
        turned_down = (weakly_voiced and no_dip
                       and (b - a < 2 or np.median(level_db[a + (b - a) // 2:b])
                            >= np.median(level_db[a:a + (b - a) // 2]) - decay_db))
        if (np.all(level_ok[a:b]) and (weakly_voiced or no_dip)) or (weakly_voiced and (step_down or turned_down)):
            out[a:b] = True
    return out


def hold_pitch_through_gaps(midi: np.ndarray, voiced: np.ndarray, filled: np.ndarray, min_len: int, *,
                            side: int = 1) -> np.ndarray:
    """``midi`` (n,, MIDI) with the held pitch written into the frames of each gap of ``min_len`` frames
    or more that :func:`fill_weak_gaps` voiced again (``filled`` but not ``voiced``, between two voiced
    frames) where the tracker's pitch strays more than ``2 * STEADY_ST`` from it: the held pitch is
    the mean of the voiced frames on either side. A gap voiced again because its level does not dip
    is voiced whatever the tracker says there; under car or fan noise it says the engine's or fan's
    pitch or wanders (noise stress s10: eight frames at 41-61 inside a held 68 took the note's pitch
    to 64 and cut it). Shorter gaps (``min_len``: ``MIN_JUMP_S``, under which a pitch excursion cuts
    no note) are left alone: there the tracker flickers, and its voiced neighbours may be the tone."""
    out = midi.copy()
    for a, b in zip(*true_runs(filled & ~voiced)):
        if b - a < min_len or a == 0 or b >= len(midi) or not (voiced[a - 1] and voiced[b]):
            continue
        before, after = midi[a - 1], midi[b]
        if side > 1 and not abs(before - after) <= STEADY_ST:   # voiced again on the held pitch either side
            before, after = held_pitch_beside(midi, voiced, a, b, side) or (before, after)   # (fill_weak_gaps)
        ref = 0.5 * (before + after)
        stray = ~(np.abs(midi[a:b] - ref) <= 2 * STEADY_ST)
        out[a:b][stray] = ref
    return out


def voice_notch_gaps(midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray, robust_db: np.ndarray,
                     max_len: int, *, min_conf: float = VOICED_CONF, dip_db: float = DIP_DB) -> np.ndarray:
    """Voiced mask (n,) with short gaps inside a held pitch voiced again where the level gate alone
    made them: a speakerphone's room notch swept into a held note takes the frame energy 10-15 dB
    down for a few frames (under the gate's line) while the tracker keeps the pitch.

    A gap of at most ``max_len`` frames is voiced when every frame in it keeps a confidence of
    ``min_conf`` or more, the pitch on both sides is the same (within ``STEADY_ST``), the gap's
    pitch stays within ``2 * STEADY_ST`` of it, and the notch-robust level ``robust_db`` (n,)
    (:func:`band_level_db`) dips less than ``dip_db`` dB under the maxima within ``max_len``
    frames on both sides: a release or a re-attack takes every band down, a notch one or two.
    The re-attack rules of :func:`segment_notes` still split the note where the levels dip."""
    out = voiced.copy()
    for a, b in zip(*true_runs(~voiced)):
        if a == 0 or b >= len(midi) or b - a > max_len or abs(midi[a - 1] - midi[b]) > STEADY_ST:
            continue
        ref = 0.5 * (midi[a - 1] + midi[b])
        if (np.all(conf[a:b] >= min_conf) and np.all(np.abs(midi[a:b] - ref) <= 2 * STEADY_ST)
                and gap_dip_db(robust_db, a, b, max_len) < dip_db):
            out[a:b] = True
    return out


def extend_weak_edges(midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray, level_ok: np.ndarray,
                      max_len: int, level_db: np.ndarray | None = None) -> np.ndarray:
    """Voiced mask (n,) with each voiced run grown back over up to ``max_len`` frames before it
    that the tracker voices weakly (confidence ``WEAK_CONF`` or more, loud enough) at the run's
    starting pitch (within ``2 * STEADY_ST`` of its first frames' median): a note's attack the
    tracker hears late under noise suppression or a codec. With ``level_db`` (n,), frames at most
    ``ATTACK_LEVEL_DB`` under the run's first frames count whatever their confidence: a steady
    pitch at the caller's level is the caller's voice, noise gives no steady pitch."""
    out = voiced.copy()
    for a, b in zip(*true_runs(voiced)):
        ref = median1d(midi[a:min(a + 3, b)])
        loud = -np.inf if level_db is None else np.max(level_db[a:min(a + 3, b)]) - ATTACK_LEVEL_DB
        t = a
        while (t > 0 and a - t < max_len and not out[t - 1] and level_ok[t - 1]
               and (conf[t - 1] >= WEAK_CONF or level_db[t - 1] >= loud) and abs(midi[t - 1] - ref) <= 2 * STEADY_ST):
            t -= 1
        out[t:a] = True
    return out


def voice_short_bursts(midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray, level_ok: np.ndarray,
                       min_len: int, min_burst: int, dead: np.ndarray | None = None,
                       level_db: np.ndarray | None = None, edge_frames: int = BURST_EDGE_FRAMES,
                       release_db: float = RELEASE_DB, attack_db: float | None = None) -> np.ndarray:
    """Voiced mask (n,) plus short sung notes the tracker hears for fewer than ``min_len`` frames: a
    run of at least ``min_burst`` frames that are ``voiced`` or at a confidence of ``WEAK_CONF`` or more
    and loud enough (``level_ok``), fewer than ``min_len`` of them voiced (no note yet), one at
    ``VOICED_CONF`` or more, whose pitch (``midi`` (n,), MIDI) stays within ``STEADY_ST`` of its median in
    the frames at ``VOICED_CONF`` (its vowel) and within ``2 * STEADY_ST`` of it in the weaker frames at
    its edges (a scoop into the vowel, its release; weak frames at its ends further than that from the
    run's median are shed first: the glide in from the note before, or off to the next), is voiced and grown to ``min_len`` frames over the
    frames on either side (the later first) that keep that pitch (within ``2 * STEADY_ST``) and are loud
    enough; when they are too few it stays unvoiced. With ``level_db`` (n,, dB), a frame before the run
    the level gate cut counts as loud enough when the tracker hears the pitch there (confidence
    ``WEAK_CONF`` or more) and the level climbs from it into the run: the note's attack, not a reverb
    tail (a tail only decays, and comes after its note). Street or car noise raises the floor the
    gate's attack rule (:func:`level_ok_frames`) measures a rise from, so it cuts the first frame of a
    soft staccato note sung after a louder one (noise stress s11: two 0.09 s notes the clean twin keeps).

    A short staccato note (a "da" of 0.07-0.12 s) gives the tracker a few frames of its vowel. On a
    child's voice (f0 250-700 Hz, 4-12 harmonics in the phone band) its confidence peaks at 0.3-0.8
    for 4-6 frames, under the ``MIN_NOTE_S`` the segmenter needs, while the frames at the vowel's edges
    keep its pitch at a lower confidence (stress child seeds 10-15: 26 of its 32 dropped notes never
    became a candidate note, 18 of 20 on clean). Noise and speech rarely hold one pitch that long at
    that confidence. A run within a frame of a ``dead`` (n,) frame (:func:`dead_air_frames`) is left
    alone: it is a live piece of a note a network dropout cut, which :func:`bridge_dead_air` rejoins
    or leaves out.

    AMR-NB blurs such a syllable's edges (stress AMR s11 / s12 / s18 / s19: "da" / "la" of 0.08-0.13 s): its
    first or last voiced frame still reads the scoop into the vowel or the release 0.6-0.9 st off, and the
    consonant frames either side, which the tracker no longer hears (confidence under ``WEAK_CONF``), read
    anything (1.3-1.4 st off, or another octave). So the ``edge_frames`` voiced frames at each end of a vowel
    of ``2 * edge_frames + 2`` voiced frames or more are held only to ``2 * STEADY_ST``, and the growth to
    ``min_len`` also takes loud enough frames the tracker does not hear, whatever pitch it reads there
    (they carry no pitch against the note; a frame it hears at another pitch still stops the growth).

    A child's "da" at 500-700 Hz leaves 4-6 harmonics in the phone band: the tracker's lock on its vowel is
    brief, and at the vowel's release it reads another pitch (3-4 st off) at a confidence under
    ``VOICED_CONF`` while the level still holds (stress child s10 child_003 at 2.52 s: 68.6 / 68.1 at 0.34 /
    0.10 for a 72 the singer holds, 1-4 dB under the vowel's peak). So the growth after the burst also takes
    a frame heard under ``VOICED_CONF`` at any pitch while its level ``level_db`` stays within ``release_db``
    dB of the burst's loudest frame: the vowel still sounds there; a voice that stopped falls further.

    With ``attack_db`` (dB; :func:`segment_notes` passes ``TAIL_DB`` for a call freed of a room's
    reverberation, ``None`` elsewhere) and ``level_db``, a burst the tracker never hears at ``VOICED_CONF``
    is a note too when every frame of it holds its pitch within ``STEADY_ST`` (there is no confident vowel to
    tell the scoop from) and its loudest frame stands ``attack_db`` or more over the quietest of the
    ``min_len`` frames before it: an attack. A room's tail only decays, so a climb that deep is a new direct
    sound, and the steady pitch on it is the new note's; the tail mixed under the note is what keeps the
    tracker unsure (a speakerphone's held notes read at 0.6-0.8 where the clean twin reads 0.85-0.99, and
    stress s15 speaker_010's short notes of 0.09-0.15 s, which the clean twin's tracker hears at 0.69-0.75,
    peak at 0.42-0.48 climbing 17-29 dB out of the rest before them)."""
    out = voiced.copy()
    heard = voiced | ((conf >= WEAK_CONF) & level_ok & (midi > 0))
    for a, b in zip(*true_runs(heard)):
        if b - a < min_burst or voiced[a:b].sum() >= min_len:
            continue
        weak = conf[a:b].max() < VOICED_CONF
        if weak and (attack_db is None or level_db is None
                     or level_db[a:b].max() - level_db[max(a - min_len, 0):a].min(initial=np.inf) < attack_db):
            continue   # never heard confidently, and no attack out of a rest or a tail under it
        if dead is not None and dead[max(a - 1, 0):b + 1].any():
            continue
        ref = float(median1d(midi[a:b]))
        while b - a > min_burst and conf[a] < VOICED_CONF and abs(midi[a] - ref) > 2 * STEADY_ST:
            a += 1   # a weak frame still gliding in from the note before
        while b - a > min_burst and conf[b - 1] < VOICED_CONF and abs(midi[b - 1] - ref) > 2 * STEADY_ST:
            b -= 1   # or sliding off
        ref = float(median1d(midi[a:b]))
        dev = np.abs(midi[a:b] - ref)
        vowel = dev if weak else dev[conf[a:b] >= VOICED_CONF]
        if not weak and len(vowel) >= 2 * edge_frames + 2:
            vowel = vowel[edge_frames:len(vowel) - edge_frames]   # its first / last voiced frames: scoop, release
        if len(vowel) == 0 or vowel.max() > STEADY_ST or dev.max() > 2 * STEADY_ST:
            continue
        s, t = a, b
        held_db = -np.inf if level_db is None else float(level_db[a:b].max()) - release_db   # the vowel still sounds
        while t - s < min_len:
            if t < len(midi) and not out[t] and level_ok[t] and (abs(midi[t] - ref) <= 2 * STEADY_ST
                                                                 or conf[t] < WEAK_CONF
                                                                 or (conf[t] < VOICED_CONF and level_db is not None
                                                                     and level_db[t] >= held_db)):
                t += 1
            elif (s > 0 and not out[s - 1] and (abs(midi[s - 1] - ref) <= 2 * STEADY_ST or conf[s - 1] < WEAK_CONF)
                  and (level_ok[s - 1] or (level_db is not None and conf[s - 1] >= WEAK_CONF
                                           and level_db[s - 1] < level_db[s]))):
                s -= 1
            else:
                break
        if t - s >= min_len:
            out[s:t] = True
    return out


def attack_under_gate(a: int, midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray, level_ok: np.ndarray,
                      level_db: np.ndarray, ref: float, max_len: int, *, ramp_db: float = ATTACK_RAMP_DB,
                      rise_db: float = ATTACK_RISE_DB) -> int:
    """First frame of the attack of a voiced run starting at frame ``a`` whose first frames the level
    gate cut: ``a`` moved back over up to ``max_len`` frames before it that are neither ``voiced`` (another
    run's) nor ``level_ok`` but that the tracker voices (``conf`` >= ``VOICED_CONF``) at the note's pitch
    ``ref`` (``midi`` within ``2 * STEADY_ST``), while the level ``level_db`` (n,, dB) climbs from them
    into the run (none more than ``ramp_db`` dB over the quietest frame between it and ``a``) and out of
    the gap before them (each ``rise_db`` dB or more over the quietest frame of the unvoiced frames, at
    most ``2 * max_len``, before ``a``).

    A speakerphone's small loudspeaker and room make some attacks slow: the tracker holds the new
    pitch 50-70 ms before the level is within ``TAIL_DB`` of the note's peak. A reverb tail of an
    earlier note at that pitch decays into the attack, so the walk stops where the level climbs back;
    the floor of a dip between repeated notes (the gate cut the dip's bottom) is no attack yet."""
    lo = max(a - 2 * max_len, 0)
    prev = np.flatnonzero(voiced[lo:a])
    lo = lo + int(prev[-1]) + 1 if len(prev) else lo
    if lo >= a:
        return a
    floor = float(level_db[lo:a].min())
    t, low = a, level_db[a]
    while (t > lo and a - t < max_len and not level_ok[t - 1] and conf[t - 1] >= VOICED_CONF
           and abs(midi[t - 1] - ref) <= 2 * STEADY_ST and floor + rise_db <= level_db[t - 1] <= low + ramp_db):
        t -= 1
        low = min(low, level_db[t])
    return t


def heard_at_new_pitch(pitch: float, new: float, old: float, *, within_st: float) -> bool:
    """Whether a frame the tracker reads at ``pitch`` (MIDI) hears a new note at ``new`` rather than a note
    at ``old`` still sounding: within ``within_st`` semitones of ``new``, and further from ``old`` than both
    ``JUMP_ST`` and its own distance from ``new`` (a tail keeps its own note's pitch)."""
    off_new = abs(pitch - new)
    return bool(off_new <= within_st and abs(pitch - old) > max(JUMP_ST, off_new))


def attack_through_tail(a: int, midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray, level_db: np.ndarray,
                        ref: float, max_len: int, *, min_head: int, min_run: int, min_conf: float = WEAK_CONF,
                        below_db: float = ATTACK_LEVEL_DB, held: int = 5, slip: int = TONE_SLIP_FRAMES,
                        max_leap_st: float = CALLER_LEAP_ST) -> int:
    """First frame of the attack of a voiced run starting at frame ``a`` at pitch ``ref`` (MIDI) right
    after a note at another pitch, where the tracker hears a partial of the new note through the
    previous note's tail before it hears the note itself; otherwise :func:`attack_at_new_pitch`.

    A frame the tracker hears a partial's interval (:func:`partial_off`: 12, 19 or 24 semitones, within
    ``STEADY_ST``, a partial lies at the interval itself) from ``ref``, nearer that interval from ``ref``
    than from the previous note and more than ``JUMP_ST`` from that note, is the attack too, where the
    tracker holds such frames for ``min_head`` frames or more (as long as a pitch must stay away to be a
    change, ``MIN_JUMP_S``). The walk back from ``a`` (over up to ``max_len`` frames, at a confidence
    ``conf`` (n,) of ``min_conf`` or more and a level ``level_db`` (n,, dB) at most ``below_db`` dB under
    the run's first three frames, as :func:`attack_at_new_pitch`'s) reaches such a frame over at most
    ``slip`` frames that are neither (the tracker gliding from the partial into the note), never over a
    frame within ``JUMP_ST`` of the previous note's pitch (its tail, the median of its last ``held``
    voiced frames), and the previous note is read from voiced runs (``voiced`` (n,) bool) of ``min_run``
    frames or more (a shorter run is no note); the new note must lie within ``max_leap_st`` semitones of
    it (a step of the caller's line; a note further off after a sung note is as often a talker's, and its
    onset is then left to :func:`attack_at_new_pitch`).
    At a reverberant attack the new note's fundamental builds up under the previous note's tail, and
    the tracker reads its octave, its sub-octave or a third of its frequency for 50-170 ms before it
    settles (speakerphone seeds 10-20: about 15 of the 46 onsets more than 50 ms late that the clean
    twin places right). A frame or two at a partial before a dry note is as often a talker's or the
    caller's own consonant (babble: onsets already 10-50 ms early, made 50-60 ms early)."""
    lo = max(a - 2 * max_len, 0)
    starts, stops = true_runs(voiced[lo:a])
    runs = [(lo + s, lo + e) for s, e in zip(starts, stops) if e - s >= min_run]
    if not runs:
        return a
    prev = np.concatenate([np.arange(s, e) for s, e in runs])
    before = float(median1d(midi[prev[-held:]]))
    if abs(before - ref) <= JUMP_ST:
        return a
    if abs(before - ref) > max_leap_st:
        return attack_at_new_pitch(a, midi, conf, voiced, level_db, ref, max_len, min_conf=min_conf,
                                   below_db=below_db, held=held)
    line = float(median1d(level_db[a:a + 3])) - below_db

    def attack(j: int) -> int:
        """2: the tracker hears a partial of the new note at frame ``j``; 1: the new note; 0: neither."""
        if conf[j] < min_conf or level_db[j] < line:
            return 0
        off_new, off_before = abs(midi[j] - ref), abs(midi[j] - before)
        if off_new > 2 * STEADY_ST and partial_off(midi[j] - ref) <= STEADY_ST \
                and partial_off(midi[j] - ref) < partial_off(midi[j] - before) and off_before > JUMP_ST:
            return 2
        return int(heard_at_new_pitch(midi[j], ref, before, within_st=2 * STEADY_ST))

    t = k = a
    n_partial = 0
    while k > prev[-1] + 1 and a - k < max_len and t - k <= slip and abs(midi[k - 1] - before) > JUMP_ST:
        k -= 1
        heard = attack(k)
        if heard == 2 or (heard == 1 and k == t - 1):   # only a partial is reached over glide frames
            t = k
            n_partial += heard == 2
    if n_partial < min_head:   # no head at a partial: the walk at the new note's pitch alone
        return attack_at_new_pitch(a, midi, conf, voiced, level_db, ref, max_len, min_conf=min_conf,
                                   below_db=below_db, held=held)
    return t


def attack_at_new_pitch(a: int, midi: np.ndarray, conf: np.ndarray, voiced: np.ndarray, level_db: np.ndarray,
                        ref: float, max_len: int, *, min_conf: float = WEAK_CONF,
                        below_db: float = ATTACK_LEVEL_DB, held: int = 5) -> int:
    """First frame of the attack of a voiced run starting at frame ``a`` at pitch ``ref`` (MIDI) right
    after a note at another pitch: ``a`` moved back over up to ``max_len`` unvoiced frames (``voiced``
    (n,) bool), none before the previous voiced frame, where the tracker already hears the run's pitch
    (``midi`` (n,) within ``2 * STEADY_ST`` of ``ref``, at a confidence ``conf`` of ``min_conf`` or more)
    rather than the previous note's (the median of its last ``held`` voiced frames, more than
    ``JUMP_ST`` from ``ref``: each frame lies nearer ``ref`` and more than ``JUMP_ST`` from it), at a
    level ``level_db`` (n,, dB) at most ``below_db`` dB under the run's first three frames.

    Through a speakerphone in a room, the previous note's reverberant tail fills the first 50-180 ms
    of the next one: the tracker's confidence climbs slowly there (0.25-0.5, under what voices a
    frame), and the level gate, 15 dB under the loud previous note within ``LEVEL_WIN_S``, cuts a next
    note 17-20 dB quieter than it (stress s11, s14, s17: a fifth under it). A tail keeps its own note's
    pitch, so frames the tracker hears at the new pitch are the new note's. A level under the line is
    the gap before a note (a consonant, or a short note at the same pitch), not its attack."""
    lo = max(a - 2 * max_len, 0)
    prev = np.flatnonzero(voiced[lo:a]) + lo
    if not len(prev):
        return a
    before = float(median1d(midi[prev[-held:]]))
    if abs(before - ref) <= JUMP_ST:
        return a
    line = float(median1d(level_db[a:a + 3])) - below_db
    t = a
    while (t > prev[-1] + 1 and a - t < max_len and conf[t - 1] >= min_conf and level_db[t - 1] >= line
           and heard_at_new_pitch(midi[t - 1], ref, before, within_st=2 * STEADY_ST)):
        t -= 1
    return t
