"""Where a note ends: at a weakly voiced release, and where its direct sound stops rather than where a room's
reverberant tail under it fades (:func:`end_at_release`, within the call's own release time)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from humitout.audio.f0 import VOICED_CONF
from humitout.audio.notes.core import (ATTACK_RISE_DB, DIP_DB, DIP_WIN_S, ENERGY_WIN_S, LEVEL_WIN_S,
                                       MAX_WEAK_ATTACK_S, MIN_JUMP_S, MIN_NOTE_S, ONSET_LEAD_S, STEADY_ST, TAIL_DB,
                                       WEAK_CONF, NoteEvent)


ROOM_TAIL_FALL_DB_PER_S = 30.0 / 0.06  # dB/s, slowest a voice's own stop falls (30 dB within 20-60 ms): a slower fall is a room's tail
RELEASE_FALL_DB = 20.0  # dB under a note's held level its release is timed to (release_falls_s)
ROOM_RELEASE_S = 0.10   # s, median release (RELEASE_FALL_DB) from which a call's note ends fall as a room's do
VOICE_STOP_S = 0.05     # s, slowest a dry voice's stop falls RELEASE_FALL_DB (20-50 ms)
ARTICULATION_GAP_S = 0.06   # s, longest silence between two notes that is the singer's articulation, not a rest
ARTICULATION_KEEP_S = 0.03  # s, silence a note held into such a gap leaves before the next note


def end_at_weak_release(notes: list[NoteEvent], midi: np.ndarray, conf: np.ndarray, energy_db: np.ndarray,
                        hop_s: float = 0.01, *, max_s: float = MAX_WEAK_ATTACK_S, tail_db: float = TAIL_DB,
                        ctx_s: float = MIN_NOTE_S, room: bool = False,
                        stopped_db: float = DIP_DB,
                        tail_fall_db_per_s: float = ROOM_TAIL_FALL_DB_PER_S) -> list[NoteEvent]:
    """``notes`` with each note that ends where the tracker stopped voicing carried on to where it stops
    hearing the note's pitch: over up to ``max_s`` s of frames after its offset that the tracker hears at
    confidence ``WEAK_CONF`` or more, under ``VOICED_CONF``, within ``2 * STEADY_ST`` of the note's pitch
    (``midi`` (n,), MIDI; ``conf`` (n,)), at most ``tail_db`` dB under the note's loudest frame in its last
    ``ctx_s`` s (``energy_db`` (n,), dBFS), stopping a frame short of the next note's onset.

    A sung note's last 20-60 ms are its softest, and the tracker's confidence falls under voicing there
    first (more so under noise, a codec or a phone's suppressor), so the voiced run, and the note, ended
    early: on stress seeds 10-15 10 % of the clean calls' matched notes ended more than 50 ms before the
    reference (ns_agc 20 %, noise 17 %, AMR-NB 10 %), 4 % with this rule (ns_agc 10 %, noise 8 %, AMR-NB
    3 %), while those ending more than 50 ms late stay at 0.2-0.7 %. The mirror of
    :func:`extend_weak_edges` at a note's start, made last, after the rules that read a note's length
    (the caller's, the partials'), so that only the offset moves: grown inside :func:`segment_notes`, a
    longer note passed duration tests a tone or a talker's piece should fail (noise stress s11: a tone read
    at 84.9 kept) and a release became a note of its own (dev COnP 0.981 -> 0.980). A room's tail also holds
    the pitch weakly after a note: speakerphone calls end 1.2 % more of their notes over 50 ms late.

    In a ``room`` (a call the front end found reverberant), a note whose level has already fallen
    ``stopped_db`` dB (a re-attack dip's depth, :func:`end_at_release`'s line for a voice that stops)
    under that loudest frame by its last voiced frame, and whose weak frames after it fall no faster
    than ``tail_fall_db_per_s`` dB/s, slower than a voice stops (30 dB within 20-60 ms, the fastest falls
    :func:`enhance_call` measures on dry calls; a room's tail falls 60 dB per RT60, 75-300 dB/s for RT60
    0.2-0.8 s), is not carried on: its direct sound stopped while the tracker still voiced it, and the
    weak frames are the room's tail, not the voice's release. On stress seeds 10-15 the speakerphone notes the extension
    made late had fallen a median 8.6 dB by their last voiced frame, those it ended right 2.0 dB."""
    out = list(notes)
    n = len(midi)
    ctx, max_frames = int(round(ctx_s / hop_s)), int(round(max_s / hop_s))
    for i, note in enumerate(out):
        b = int(round(note.offset_s / hop_s))
        if b >= n or b < 1:
            continue
        nxt = int(round(out[i + 1].onset_s / hop_s)) if i + 1 < len(out) else n
        stop = min(n, nxt - 1, b + max_frames)
        loudest = np.max(energy_db[max(b - ctx, 0):b])
        ref = loudest - tail_db
        t = b
        while (t < stop and WEAK_CONF <= conf[t] < VOICED_CONF and abs(midi[t] - note.midi) <= 2 * STEADY_ST
               and energy_db[t] >= ref):
            t += 1
        if (t > b and room and energy_db[b - 1] < loudest - stopped_db
                and energy_db[b - 1] - energy_db[t - 1] <= tail_fall_db_per_s * (t - b) * hop_s):
            continue   # the direct sound stopped while voiced; what follows falls as a room's tail does
        if t > b:
            out[i] = replace(note, offset_s=t * hop_s)
    return out


def release_falls_s(notes: list[NoteEvent], energy_db: np.ndarray, hop_s: float, *, held_db: float = ATTACK_RISE_DB,
                    fall_db: float = RELEASE_FALL_DB, ref_s: float = DIP_WIN_S, max_s: float = LEVEL_WIN_S,
                    min_s: float = MIN_NOTE_S) -> np.ndarray:
    """The call's release times (k,), s: for each of its ``notes`` whose fall is measurable, how long the
    level (``energy_db`` (n,), dB, on the ``hop_s`` s grid) takes to fall ``fall_db`` dB under the note's
    held level (its highest over the note's last ``ref_s`` s) from the last frame within ``held_db`` dB of
    it, before the next note's onset and within ``max_s`` s of the note's end. Notes under ``min_s`` s are
    skipped; a note whose level never falls that far there (a legato step, a tail the next note fills)
    gives no reading.

    A voice stops 20 dB within 20-50 ms; in a room the reverberant tail under the stopped voice stretches
    that fall (:func:`enhance_call`'s 20 dB line: never under 0.1 s in a room). Stress seeds 10-15, the
    median per call: clean 0.03-0.065 s (72 calls), speakerphone 0.06-0.29 s, also in the calls the front
    end does not find reverberant (0.08-0.29 s)."""
    n = len(energy_db)
    ref, reach, min_len = int(round(ref_s / hop_s)), int(round(max_s / hop_s)), int(round(min_s / hop_s))
    falls = []
    for k, note in enumerate(notes):
        s, t = int(round(note.onset_s / hop_s)), int(round(note.offset_s / hop_s))
        if t - s <= min_len or t >= n:
            continue
        lo = max(s, t - ref)
        held = np.max(energy_db[lo:t])
        stop = max(t, min(n, t + reach, int(round(notes[k + 1].onset_s / hop_s)) if k + 1 < len(notes) else n))
        top = np.flatnonzero(energy_db[lo:stop] >= held - held_db)
        if not np.isfinite(held) or not len(top):
            continue
        below = np.flatnonzero(energy_db[lo + top[-1]:stop] <= held - fall_db)
        if len(below):
            falls.append(below[0] * hop_s)
    return np.array(falls)


def release_window_s(notes: list[NoteEvent], energy_db: np.ndarray, hop_s: float, *,
                     fall_s: float = ENERGY_WIN_S, room_release_s: float = ROOM_RELEASE_S,
                     voice_stop_s: float = VOICE_STOP_S, min_falls: int = 2) -> float:
    """Longest time, in s, a note's level may take to fall through :func:`end_at_release`'s line where its
    voice stops: ``fall_s`` (the energy's window), or, in a call whose note ends fall as a room's do, the
    call's own release time (the median of :func:`release_falls_s` over ``min_falls`` or more notes,
    ``room_release_s`` s or longer, and none within ``voice_stop_s`` s, a dry voice's stop).

    A room's early reflections and tail smear the stop itself over 40-110 ms, so a fall held to the
    energy's window leaves those notes running on through their tails to the next note or into the rest
    (speakerphone, stress seeds 10-15: 118 offsets later than the COnPOff tolerance that the clean twin
    ends right, 73 of them in calls the front end does not find reverberant, where no other room rule
    acts; 82 with this window, the call's first note left out by :func:`note_stage`). A dry voice's
    slower fades (a singer's decrescendo, a synthetic voice's slide, a phone AGC pulling its gain down
    after a loud attack, which a longer window alone cut: HISTORY, stop 35) keep the energy's window,
    since their calls' other notes still stop within 20-50 ms (an AGC'd call with two measurable falls,
    median 0.11 s, one of them a voice's stop: stress s16 ns_agc 002)."""
    falls = release_falls_s(notes, energy_db, hop_s)
    if len(falls) < min_falls or np.median(falls) < room_release_s or falls.min() <= voice_stop_s:
        return fall_s
    return max(fall_s, float(np.median(falls)))


def end_at_release(notes: list[NoteEvent], energy_db: np.ndarray, midi: np.ndarray, hop_s: float,
                   dead: np.ndarray | None = None, *, drop_db: float = DIP_DB, ref_s: float = DIP_WIN_S,
                   steady_st: float = STEADY_ST, max_tail_s: float = LEVEL_WIN_S, min_tail_s: float = MIN_JUMP_S,
                   release_s: float = ONSET_LEAD_S, fall_s: float = ENERGY_WIN_S,
                   min_s: float = MIN_NOTE_S) -> list[NoteEvent]:
    """Each note ends where its direct sound stops, not where the room's tail under it fades.

    In a room (a speakerphone) the tracker keeps hearing a note's pitch in its reverberant tail, so a
    note sung up to a short gap (a consonant, a breath) runs on through the gap into the next note, or
    past its release into the rest. A tail only decays: where the level (``energy_db`` (n,), dB, on the
    ``hop_s`` s grid) falls ``drop_db`` (dB, a re-attack dip's depth) under its highest over the
    ``ref_s`` s before and stays under that line to the note's end, the note's direct sound is ending.
    Only frames the tracker hears (``midi`` (n,), MIDI, NaN where it hears none) within ``steady_st``
    st of the note's pitch give that highest level (a glide in from a louder note is not this note's
    held level). The fall must be a stop: ``drop_db`` within ``fall_s`` s (the energy's window; a
    singer's decrescendo, a synthetic voice's fade or a phone's AGC pulling its gain down after a
    loud attack take longer). The note then ends ``release_s`` s later (the voice's own release: its
    level is ``drop_db`` down about as long before the voice stops as voicing starts after an attack),
    when what follows the fall lasts ``min_tail_s`` s or more (a tail outlasts the release; a dry
    voice's fall ends within it) and at most ``max_tail_s`` s (the level gate's reach), and the note
    keeps ``min_s`` s or more. Onsets and pitches are untouched; a tail with dropout frames (``dead``
    (n,)) is left as it is."""
    n = min(len(energy_db), len(midi))
    ref, max_tail, min_len = int(round(ref_s / hop_s)), int(round(max_tail_s / hop_s)), int(round(min_s / hop_s))
    fall = int(round(fall_s / hop_s))
    out = []
    for note in notes:
        s, t = int(round(note.onset_s / hop_s)), min(int(round(note.offset_s / hop_s)), n)
        end = None   # first frame of the fall that lasts to the note's end
        if t - s > min_len:
            tail_max = -np.inf   # highest level from frame j to the note's end
            for j in range(t - 1, max(s + min_len, t - max_tail) - 1, -1):
                tail_max = max(tail_max, energy_db[j])
                lo = max(s, j - ref)
                held = energy_db[lo:j][np.abs(midi[lo:j] - note.midi) <= steady_st]
                if len(held) and tail_max < np.max(held) - drop_db:
                    end = j
                elif end is not None:   # the level before it holds within drop_db: the fall starts at end
                    break
        if (end is not None and (t - end) * hop_s >= min_tail_s - 1e-9
                and np.max(energy_db[max(s, end - fall):end]) - energy_db[end] >= drop_db
                and not (dead is not None and dead[end:t].any())):
            note = replace(note, offset_s=min(end * hop_s + release_s, note.offset_s))
        out.append(note)
    return out


def held_into_articulation(notes: list[NoteEvent], *, max_gap_s: float = ARTICULATION_GAP_S,
                           keep_s: float = ARTICULATION_KEEP_S) -> list[NoteEvent]:
    """``notes`` (in time order) with each note that the next one follows within ``max_gap_s`` s held on to
    ``keep_s`` s before that note's onset; onsets, pitches and longer gaps are untouched.

    Between legato notes a singer's consonant, or a hummed "mm"'s re-attack, silences the voice for 30-80 ms. A
    listener, and a score, hears the note held to the next one, not a rest (a sixteenth's rest at 120 BPM is 125
    ms), but the level gate and the tracker end the note where the voice falls silent, so a short legato note
    ended more than the offset tolerance (50 ms, or a fifth of the note) before its reference. Held to ``keep_s``
    s before the next onset instead, it lands within that tolerance, while a note before a real rest, whose offset
    the gap's own 30-60 ms leave at most ``max_gap_s - keep_s`` s late, stays within it too. Not for a call freed
    of a room's reverberation (:func:`end_at_release` and the room's tail already set those ends)."""
    out = list(notes)
    for i in range(len(out) - 1):
        gap = out[i + 1].onset_s - out[i].offset_s
        if keep_s < gap < max_gap_s:
            out[i] = replace(out[i], offset_s=out[i + 1].onset_s - keep_s)
    return out
