"""f0 track + energy -> notes (onset s, offset s, fractional MIDI).

1. Frame energy (dB, 10 ms hop, 30 ms window). A frame is part of a note when
   the tracker calls it voiced and it is no more than ``TAIL_DB`` under the
   loudest frame within +-``LEVEL_WIN_S`` (this ends notes where the voice,
   not the room's reverb tail, stops) or rises out of a silence
   (:func:`level_ok_frames`: a soft note right after a loud one), or the tracker is sure of it at another
   pitch than the louder notes either side (a tail is at its note's pitch and never precedes a louder one).
   Runs of weaker voicing (confidence >= ``WEAK_CONF``) that hold one steady pitch for ``MIN_NOTE_S`` are voiced
   too (short notes of low voices rarely reach 0.5), and so are short gaps
   inside a held pitch and weak attacks before a run at its pitch
   (:func:`fill_weak_gaps`, :func:`extend_weak_edges`: voicing from pitch
   continuity and level, which noise suppressors and codecs leave intact).
   A voice buried in noise (confidence 0.1-0.5) that holds its pitch where the noise-suppressed
   level rises out of the gaps is voiced, unless that pitch is a steady background tone the
   tracker also reports in the quiet frames (:func:`voice_buried_pitch`).
   A noise suppressor holding a note near the level gate's line makes the gate flicker; the
   fragments are dropped so the whole gap is judged at once (:func:`drop_gate_flicker`). A room notch
   that takes a held note's energy under the gate for a few frames while the tracker keeps the
   pitch leaves a gap the notch-robust level does not show; it is voiced again (:func:`voice_notch_gaps`).
   A note whose first frames the gate cut while the tracker already holds its pitch and the level
   climbs out of the gap before it (a speakerphone's slow attack) starts there (:func:`attack_under_gate`),
   and so does a note whose pitch (or, for ``MIN_JUMP_S`` or more, a partial of it) the tracker already hears,
   near the note's level, through the tail of a note at another pitch (:func:`attack_through_tail`).
   Dropouts (lost packets the network filled with digital silence,
   :func:`dead_air_frames`) are bridged when the voice is on at both ends
   (:func:`bridge_dead_air`).
2. Inside each voiced run, a new note starts
   * at a pitch change: the pitch leaves the current note's running median by
     more than ``JUMP_ST`` for at least ``MIN_JUMP_S``; the boundary is moved
     to where the contour crosses the midpoint of the two notes' pitches (the
     centre of a portamento), and
   * at a re-attack: an energy dip at least ``DIP_DB`` deep relative to the
     maxima on both sides (a consonant /d/ or /l/, or a hummed "mm" dip) that
     also shows in the median of narrow band levels (:func:`band_level_db`; a room
     notch swept by vibrato dips one or two bands only), or, where talkers or noise fill
     those bands, in the same median read at the voice's own harmonics while the tracker's
     confidence dips — this is what splits legato repeated notes. The levels are first freed of their vibrato-locked
     wobble (:func:`detrend_vibrato_level`); a shallow dip that comes back one vibrato cycle later
     is a room notch, not a re-attack (:func:`vibrato_recurrent_dip`), unless the tracker's confidence
     falters there while the voice's spectral envelope changes shape: a consonant, a re-attack even when
     reverb fills its dip to 3 dB (:func:`confidence_dip`, :func:`envelope_change_db`). A pitch change
     just after a re-attack dip starts where the level climbs out of the dip (:func:`attack_before_pitch_change`:
     under reverb the tracker hears the old note's tail for a while).
3. Pieces shorter than ``MIN_NOTE_S`` are transitions (scoops, glides) and join
   the following note; pieces a tracker glitch cut at the same pitch rejoin;
   the note pitch is the median of its central frames, which skips scoops into
   the note and falls off its end.
4. Only the caller's notes are kept (:func:`keep_callers_notes`: level, pitch
   continuity, range, harmonicity and steadiness against the caller's own
   notes; lone gliding syllables and short notes far outside the caller's
   central register are talkers, and so are faint syllables that run on from a talker's),
   so background talkers make no notes; a short, soft note whose spectral envelope is far from that of the
   caller's held notes is another voice, and a held note in the caller's register with the caller's
   envelope is the caller's however faint (a suppressor's duck); in a call where talkers were heard, a
   short note that is less harmonic than the caller, of another envelope and wavering or weak is one
   more of theirs; a note whose first frames are a quieter talker at
   another pitch starts where the caller's level rises (:func:`onsets_at_level_rise`), and one whose first
   frames are a somewhat quieter voice a semitone or more off its pitch starts where the tracker holds the
   caller's pitch (:func:`onsets_at_callers_pitch`). :func:`fold_partial_notes`
   (run on the samples by the caller) folds jumps to a strong partial or a
   sub-harmonic back into the note, and :func:`lift_octave_dips` lifts a single note read an octave
   under both its neighbours; :func:`~humitout.audio.notes.partials.drop_octave_peaks` drops one read an
   octave over both (a short one by the faint odd harmonics of half its pitch, a held one by the line its
   voice's own 3rd harmonic makes at 1.5 times the read pitch). A syllable-length note that leaps a fifth or
   more from the held note it touches is a talker at that note's attack or release (:func:`talker_at_note_edges`):
   dropped before the caller's notes are chosen (partial and sub-harmonic intervals are left to the
   fold) and, by :func:`drop_talker_edges`, after the fold.
5. Last, a note ends where its direct sound stops, not where a room's reverberant tail under it
   (which the tracker hears at the note's pitch) fades: where the level falls ``DIP_DB`` within the
   energy's window and stays down to the note's end (:func:`end_at_release`); within the call's own
   release time where its notes fall as a room's do, 20 dB in 0.1 s or longer (:func:`release_window_s`).
   Then, in a call with no room to ring the held pitch on, two pieces of one pitch either side of a short
   stretch where the tracker read another voice are one held note when the held pitch's harmonics keep
   their level through it (:func:`held_through_talker`: a talker stole the tracker; the caller went on).
   A step to another pitch starts where the new pitch's own harmonics rise while the old pitch's fall, not
   where the tracker lets go of the old pitch (:func:`onsets_at_own_harmonics`).

The steps live in these modules: :mod:`~humitout.audio.notes.core` (the note event, the limits several steps
share, the singer's tuning), :mod:`~humitout.audio.notes.levels` (frame levels read from the samples: energy,
dropouts, narrow bands, the harmonic envelope, the level gate), :mod:`~humitout.audio.notes.reattack` (re-attack
dips and pitch cuts, step 2), :mod:`~humitout.audio.notes.voicing` (which frames are the voice, step 1),
:mod:`~humitout.audio.notes.callers` (the caller's notes against talkers, step 4),
:mod:`~humitout.audio.notes.segment` (:func:`~humitout.audio.notes.segment.segment_notes`: steps 1-4 on a pitch
track), :mod:`~humitout.audio.notes.partials` (partials, sub-harmonics and octave slips read from the samples),
:mod:`~humitout.audio.notes.releases` (note ends, step 5) and :mod:`~humitout.audio.notes.harmonics` (held notes
and steps read at the notes' own harmonics, step 5). :func:`humitout.audio.transcribe.note_stage` runs them in
order.
"""
