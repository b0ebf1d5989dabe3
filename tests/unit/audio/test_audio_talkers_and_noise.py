"""The caller's voice against background talkers and noise suppressors: which notes are the
caller's, where they start, and held notes a suppressor turns down."""
from collections.abc import Sequence

import numpy as np
import pytest

from humitout.audio.f0 import PitchTrack, midi_to_hz
from humitout.audio.notes.callers import (drop_background_tone_notes, drop_talker_edges, keep_callers_notes,
                                          talker_at_note_edges)
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.levels import (frame_energy_db, harmonic_envelope_db, level_ok_frames, lost_samples,
                                         narrow_band_levels_db)
from humitout.audio.notes.reattack import envelope_shift_db
from humitout.audio.notes.segment import onsets_at_callers_pitch, onsets_at_level_rise, segment_notes
from humitout.audio.notes.voicing import (attack_through_tones, hold_pitch_through_gaps, voice_buried_pitch,
                                          voice_short_bursts)

HOP = 0.01


def _with_caller(extra: list[tuple[float, float, float, float, int]]):
    """Eight 0.4 s caller notes (MIDI 60-63, 0 dB, each its own voiced run) plus ``extra`` notes
    (onset, offset, midi, level dB, voiced run); returns notes, levels, runs."""
    rows = [(0.5 * i, 0.5 * i + 0.4, 60.0 + (i % 4), 0.0, 100 + i) for i in range(8)] + extra
    rows.sort()
    notes = [NoteEvent(a, b, m, 0.9) for a, b, m, _, _ in rows]
    return notes, np.array([r[3] for r in rows]), np.array([r[4] for r in rows])


def test_faint_note_next_to_a_talkers_fainter_syllables_adds_no_note():
    # in a gap, a talker: a 0.12 s syllable 10 dB under the caller (in the caller's range, held:
    # faint enough to pass as a soft sung note) in one voiced run with a syllable 16 dB under, and
    # another 60 ms after a 15 dB one; a soft sung note 10 dB under, alone, is kept
    notes, levels, runs = _with_caller([(1.41, 1.53, 61.0, -10.0, 1), (1.53, 1.62, 62.0, -16.0, 1),
                                        (2.41, 2.46, 60.0, -15.0, 2), (2.52, 2.64, 61.0, -10.0, 3),
                                        (3.41, 3.6, 62.0, -10.0, 4)])
    kept = keep_callers_notes(notes, levels, runs, np.ones(len(notes)))
    assert [n.onset_s for n in kept if n.offset_s - n.onset_s < 0.3] == [3.41]


def test_note_continuing_a_callers_note_must_be_held_and_not_fainter_than_a_talker():
    # three notes in the voiced run of a caller's note, 2 st from it: 15 dB under it; 8 dB under
    # and gliding (on its pitch 10 % of the time); 8 dB under and held (the caller's soft note)
    extra = [(1.4, 1.55, 61.0, -15.0, 102), (2.4, 2.55, 62.0, -8.0, 104), (3.4, 3.55, 63.0, -8.0, 106)]
    notes, levels, runs = _with_caller(extra)
    steady = np.array([0.1 if n.onset_s == 2.4 else 1.0 for n in notes])
    kept = keep_callers_notes(notes, levels, runs, steady)
    assert [n.onset_s for n in kept if n.onset_s in (1.4, 2.4, 3.4)] == [3.4]


def test_soft_note_the_tracker_is_less_sure_of_is_kept_in_a_call_without_talkers():
    # a soft sung note 10 dB under the caller, alone in its voiced run, held, read at confidence 0.62 against the
    # caller's 0.9 (a room or a suppressor blurs it): with no talkers behind the caller it is theirs; at 0.5 the
    # tracker hears no voice there any more
    for conf, kept_it in ((0.62, True), (0.5, False)):
        notes, levels, runs = _with_caller([(1.41, 1.6, 61.0, -10.0, 1)])
        notes = [NoteEvent(n.onset_s, n.offset_s, n.midi, conf) if n.onset_s == 1.41 else n for n in notes]
        kept = keep_callers_notes(notes, levels, runs, np.ones(len(notes)))
        assert (1.41 in [n.onset_s for n in kept]) is kept_it


def test_quieter_talker_voiced_just_before_a_note_does_not_move_its_onset_early():
    # frames 0-41 silence, 42-49 a talker 12 dB under the caller at MIDI 55, 50-99 the caller at
    # 60; the tracker joined the talker's frames to the note as a scoop (onset 0.40 s)
    level = np.r_[np.full(42, -60.0), np.full(8, -37.0), np.full(50, -25.0), np.full(20, -60.0)]
    midi = np.r_[np.full(42, 0.0), np.full(8, 55.0), np.full(50, 60.0), np.full(20, 0.0)]
    voiced = (midi > 0)
    early = [NoteEvent(0.40, 1.0, 60.0, 0.9)]
    assert abs(onsets_at_level_rise(early, level, midi, voiced, HOP)[0].onset_s - 0.48) < 1e-9
    # a soft attack at the note's own pitch is the caller's: the onset stays
    soft = np.r_[np.full(42, 0.0), np.full(58, 60.0), np.full(20, 0.0)]
    assert onsets_at_level_rise(early, level, soft, voiced, HOP)[0].onset_s == 0.40


def test_tracker_still_on_a_talker_after_the_callers_attack_does_not_make_the_onset_late():
    # frames 0-29 silence, 30-59 a talker 15 dB under the caller at MIDI 45, from frame 60 the
    # caller at 68 (level 0 dB) while the tracker stays on the talker until frame 66: the note
    # starts where the level rose (0.60 s, less the 20 ms voicing lead), not at the pitch change
    level = np.r_[np.full(30, -60.0), np.full(30, -15.0), np.full(50, 0.0), np.full(20, -60.0)]
    midi = np.r_[np.full(30, 0.0), np.full(36, 45.0), np.full(44, 68.0), np.full(20, 0.0)]
    voiced = (midi > 0)
    late = [NoteEvent(0.66, 1.1, 68.0, 0.9)]
    assert abs(onsets_at_level_rise(late, level, midi, voiced, HOP)[0].onset_s - 0.58) < 1e-9
    # a voice at the caller's level right before the note (no rise out of a quieter one) stays out
    loud = np.r_[np.full(30, -60.0), np.full(80, 0.0), np.full(20, -60.0)]
    assert onsets_at_level_rise(late, loud, midi, voiced, HOP)[0].onset_s == 0.66
    # and a previous note of the caller's that ends at the pitch change keeps its frames
    prev = [NoteEvent(0.3, 0.66, 45.0, 0.9), NoteEvent(0.66, 1.1, 68.0, 0.9)]
    assert onsets_at_level_rise(prev, level, midi, voiced, HOP)[1].onset_s == 0.66


def test_talkers_own_syllable_fading_before_the_callers_attack_does_not_make_the_onset_early():
    # frames 30-59 a talker 20 dB under the caller at MIDI 45, rising at frame 60 to a syllable 9 dB
    # under (frames 60-65), which fades 4 dB (frames 66-68) before the caller's attack at MIDI 68
    # (frame 66, 0 dB from frame 69): the talker's rise is no attack of the caller's; the onset stays
    level = np.r_[np.full(30, -60.0), np.full(30, -20.0), np.full(6, -9.0), np.full(3, -13.0),
                  np.full(50, 0.0), np.full(20, -60.0)]
    midi = np.r_[np.full(30, 0.0), np.full(36, 45.0), np.full(53, 68.0), np.full(20, 0.0)]
    note = [NoteEvent(0.66, 1.19, 68.0, 0.9)]
    assert onsets_at_level_rise(note, level, midi, midi > 0, HOP)[0].onset_s == 0.66
    # a rise that the level holds into the note is the caller's attack (the tracker still on the talker)
    held = np.r_[np.full(30, -60.0), np.full(30, -20.0), np.full(9, -9.0), np.full(50, 0.0), np.full(20, -60.0)]
    assert abs(onsets_at_level_rise(note, held, midi, midi > 0, HOP)[0].onset_s - 0.58) < 1e-9


def _track(midi: np.ndarray, conf: np.ndarray) -> PitchTrack:
    return PitchTrack(midi_to_hz(midi), conf, conf >= 0.5)


def test_repeated_note_whose_consonant_dip_babble_fills_in_the_bands_is_two_notes():
    # two 0.45 s notes at MIDI 60 sung legato: at the consonant between them (frames 73-77) the level
    # dips 7 dB and the caller's harmonics 10 dB, while talkers fill the narrow bands, whose notch-robust
    # median stays flat; the tracker's confidence falls from 0.85 to 0.6 there
    n = 150
    note = np.zeros(n, bool)
    note[30:120] = True
    dip = np.zeros(n, bool)
    dip[73:78] = True
    midi = np.where(note, 60.0, 0.0)
    level = np.where(note, np.where(dip, -27.0, -20.0), -60.0)
    bands = np.where(note, -20.0, -60.0)
    envelope = np.tile(np.where(note, np.where(dip, -30.0, -20.0), -60.0), (10, 1))
    conf = np.where(note, np.where(dip, 0.6, 0.85), 0.0)
    notes = segment_notes(_track(midi, conf), level, None, bands, envelope)
    assert len(notes) == 2 and 0.73 <= notes[1].onset_s <= 0.78
    # the same dips with the tracker sure throughout (a room notch, no consonant) stay one note
    steady = np.where(note, 0.85, 0.0)
    assert len(segment_notes(_track(midi, steady), level, None, bands, envelope)) == 1


def test_quieter_talker_at_another_pitch_joined_to_a_note_does_not_make_its_onset_early():
    # frames 0-29 silence, 30-35 a talker 8 dB under the caller at MIDI 50 (too loud for the 10 dB
    # level-rise rule), 36-95 the caller at 54: the 60 ms talker piece joins the note as its scoop;
    # the note starts where the tracker reaches the caller's pitch (0.36 s, less the 20 ms voicing lead)
    midi = np.r_[np.full(30, 0.0), np.full(6, 50.0), np.full(60, 54.0), np.full(30, 0.0)]
    conf = np.r_[np.full(30, 0.0), np.full(6, 0.7), np.full(60, 0.9), np.full(30, 0.0)]
    level = np.r_[np.full(30, -60.0), np.full(6, -28.0), np.full(60, -20.0), np.full(30, -60.0)]
    notes = segment_notes(_track(midi, conf), level)
    assert len(notes) == 1 and abs(notes[0].onset_s - 0.34) < 1e-9
    early = [NoteEvent(0.28, 0.96, 54.0, 0.9)]
    heard = conf >= 0.5
    assert abs(onsets_at_callers_pitch(early, level, midi, heard, HOP)[0].onset_s - 0.34) < 1e-9
    # the caller's own scoop, a semitone and a half under the note at the note's level, stays the onset
    scoop = np.r_[np.full(30, -60.0), np.full(66, -20.0), np.full(30, -60.0)]
    assert onsets_at_callers_pitch(early, scoop, midi, heard, HOP)[0].onset_s == 0.28
    # so does a head at the note's own pitch drifting 0.7 st (one voice, no other note's pitch)
    drift = np.r_[np.full(30, 0.0), np.full(6, 54.7), np.full(60, 54.0), np.full(30, 0.0)]
    assert onsets_at_callers_pitch(early, level, drift, heard, HOP)[0].onset_s == 0.28
    # and a head at the pitch of the caller's note just before (its tail) or between it and the note
    # (the caller's glide from one into the other)
    prev = [NoteEvent(0.0, 0.28, 50.0, 0.9)] + early
    assert onsets_at_callers_pitch(prev, level, midi, heard, HOP)[1].onset_s == 0.28
    glide = np.r_[np.full(30, 0.0), np.linspace(47.0, 53.0, 6), np.full(60, 54.0), np.full(30, 0.0)]
    below = [NoteEvent(0.0, 0.28, 45.0, 0.9)] + early
    assert onsets_at_callers_pitch(below, level, glide, heard, HOP)[1].onset_s == 0.28
    # a quiet scoop from far below into the note, with no note before it, is the caller's too
    assert onsets_at_callers_pitch(early, level, glide, heard, HOP)[0].onset_s == 0.28


def test_talker_held_before_a_note_is_its_head_even_through_the_trackers_step_into_the_note():
    # frames 30-35 a talker 8 dB under the caller, holding MIDI 46; frame 36 the tracker's step from it
    # into the caller's 54 (52.8: the last frame at another pitch lies near the note, as a scoop's
    # would); 37-96 the caller. A held pitch is no scoop: the note starts where the tracker reaches the
    # caller's pitch (0.37 s less the 20 ms voicing lead)
    midi = np.r_[np.full(30, 0.0), np.full(6, 46.0), 52.8, np.full(60, 54.0), np.full(30, 0.0)]
    heard = np.r_[np.zeros(30, bool), np.ones(67, bool), np.zeros(30, bool)]
    level = np.r_[np.full(30, -60.0), np.full(7, -28.0), np.full(60, -20.0), np.full(30, -60.0)]
    early = [NoteEvent(0.30, 0.97, 54.0, 0.9)]
    assert abs(onsets_at_callers_pitch(early, level, midi, heard, HOP)[0].onset_s - 0.35) < 1e-9


def test_callers_attack_heard_at_the_talkers_pitch_starts_the_note():
    # frames 30-35 a talker 8 dB under the caller at MIDI 46; at frame 36 the caller's attack reaches
    # the caller's level while the tracker still reads the talker for 40 ms, then the caller's 54:
    # the note starts at the climb (0.36 s less the 20 ms voicing lead), not at the talker's first frame
    midi = np.r_[np.full(30, 0.0), np.full(10, 46.0), np.full(60, 54.0), np.full(30, 0.0)]
    heard = np.r_[np.zeros(30, bool), np.ones(70, bool), np.zeros(30, bool)]
    level = np.r_[np.full(30, -60.0), np.full(6, -28.0), np.full(64, -20.0), np.full(30, -60.0)]
    early = [NoteEvent(0.30, 1.00, 54.0, 0.9)]
    assert abs(onsets_at_callers_pitch(early, level, midi, heard, HOP)[0].onset_s - 0.34) < 1e-9
    # a talker's syllable as loud as the caller that fades again before the caller comes in is no attack
    redip = level.copy()
    redip[38:40] = -30.0
    assert onsets_at_callers_pitch(early, redip, midi, heard, HOP)[0].onset_s == 0.30


def test_held_note_a_noise_suppressor_holds_near_the_level_gate_stays_one_note():
    # 0.35 s of a held note 15 dB down, flickering 1 dB around the level gate's line; the tracker
    # voices the pitch throughout
    flicker = -35.0 + np.where(np.arange(35) % 6 < 3, 1.0, -1.0)
    level = np.r_[np.full(30, -70.0), np.full(80, -20.0), flicker, np.full(80, -20.0), np.full(30, -70.0)]
    conf = np.r_[np.full(30, 0.0), np.full(195, 0.9), np.full(30, 0.0)]
    notes = segment_notes(_track(np.full(len(level), 67.0), conf), level)
    assert len(notes) == 1


def test_held_note_a_suppressor_turned_down_stays_one_note_where_the_tracker_hears_it_weakly():
    # a held 67 at -20 dB; a noise suppressor takes it 15 dB down for 0.45 s (the level flickering
    # 1 dB around the level gate's line), and for 5 frames in there the tracker hears the pitch at
    # 0.4 only (stress s10 / s11 ns_agc_010: 0.34-0.49 for 1-4 frames, level flat): the weak frames
    # fall under the level gate, but their level does not dip under the turned-down note before
    # them, so they are the same note
    flicker = -35.0 + np.where(np.arange(45) % 6 < 3, 1.0, -1.0)
    level = np.r_[np.full(30, -70.0), np.full(80, -20.0), flicker, np.full(80, -20.0), np.full(30, -70.0)]
    conf = np.r_[np.full(30, 0.0), np.full(205, 0.9), np.full(30, 0.0)]
    conf[130:135] = 0.4
    assert len(segment_notes(_track(np.full(len(level), 67.0), conf), level)) == 1
    # the same weak frames 6 dB under the turned-down note: a re-attack, two notes
    level[130:135] -= 6.0
    assert len(segment_notes(_track(np.full(len(level), 67.0), conf), level)) == 2



def _noisy_call(buried_midi: float, tone_midi: float = 41.0):
    """Four 0.4 s notes the tracker voices (MIDI 60, 62, 60, 62; 0.25 s gaps) with a fifth, 0.3 s at
    ``buried_midi``, after the second, that it hears at confidence 0.18 under fan noise; in the gaps
    it follows the fan's line at ``tone_midi`` (confidence 0.03). Returns the track, the call's
    level (noise fills the gaps to 6 dB under the voice) and the cleaned level (20 dB under)."""
    rng = np.random.default_rng(0)
    gap = lambda k: (np.full(k, tone_midi) + 0.2 * rng.standard_normal(k), np.full(k, 0.03), -31.0, -22.0)
    note = lambda k, m, c: (np.full(k, m) + 0.05 * rng.standard_normal(k), np.full(k, c), -25.0, -2.0)
    parts = [gap(30), note(40, 60.0, 0.9), gap(25), note(40, 62.0, 0.9), gap(25), note(30, buried_midi, 0.18),
             gap(25), note(40, 60.0, 0.9), gap(25), note(40, 62.0, 0.9), gap(30)]
    midi = np.concatenate([p[0] for p in parts])
    conf = np.concatenate([p[1] for p in parts])
    level = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
    clean = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])
    return _track(midi, conf), level, clean


def test_voice_buried_in_noise_holding_its_pitch_makes_a_note_and_a_background_tone_does_not():
    # the fifth note at 57 is sung: a steady pitch where the cleaned level rises out of the gaps
    track, level, clean = _noisy_call(57.0)
    notes = segment_notes(track, level, None, clean)
    assert [round(n.midi) for n in notes] == [60, 62, 57, 60, 62]
    assert abs(notes[2].onset_s - 1.60) < 0.03
    # the same piece at the fan's pitch (the tracker reports it in the quiet frames) is the fan
    track, level, clean = _noisy_call(41.4)
    assert [round(n.midi) for n in segment_notes(track, level, None, clean)] == [60, 62, 60, 62]


def test_engine_tone_the_tracker_follows_before_the_tune_adds_no_note():
    # before the first note the tracker follows the fan's line at 41 for 0.6 s at confidence 0.3 (the
    # noise in the level 6 dB under the voice): steady and loud enough to make a note, but at the pitch
    # the tracker reports in the quiet frames, 19 st under the tune, and never voiced firmly
    track, level, clean = _noisy_call(57.0)
    fan = 41.0 + 0.05 * np.random.default_rng(1).standard_normal(60)
    notes = segment_notes(_track(np.r_[np.full(10, 41.0), fan, track.midi], np.r_[np.full(10, 0.03), np.full(60, 0.3),
                                                                             track.confidence]),
                          np.r_[np.full(70, -31.0), level], None, np.r_[np.full(70, -22.0), clean])
    assert [round(n.midi) for n in notes] == [60, 62, 57, 60, 62]


def test_weak_note_at_a_background_tone_is_kept_inside_the_tunes_register():
    # the tune at 55-62 voiced firmly; weak notes at the tones 41 (14 st under it: the engine) and 56
    # (a sung note the noise buries, inside the register)
    notes = [NoteEvent(0.5 * i, 0.5 * i + 0.4, 55.0 + i, 0.9) for i in range(8)]
    weak_low, weak_in = NoteEvent(4.0, 4.8, 41.2, 0.3), NoteEvent(5.0, 5.3, 56.1, 0.3)
    assert drop_background_tone_notes(notes + [weak_low, weak_in], np.array([41.0, 56.0])) == notes + [weak_in]
    # when the caller sings firmly down there too, the weak note is theirs
    firm_low = [NoteEvent(6.0 + 0.5 * i, 6.4 + 0.5 * i, 42.0, 0.8) for i in range(2)]
    assert weak_low in drop_background_tone_notes(notes + [weak_low] + firm_low, np.array([41.0]))


def test_short_staccato_note_whose_attack_the_level_gate_cut_under_noise_is_voiced():
    # a loud note at 61 (-17 dB, 40 frames), 10 frames of car noise (-40 dB), then a 0.09 s note at 59
    # 5 dB softer: the tracker hears its attack at 0.46 (-32.6 dB, over 15 dB under the loud note, and
    # only 7 dB over the noise floor: the level gate cuts it), its vowel at 0.7 for 4 frames and its
    # release at 0.3; 7 frames in all, a note
    level = np.r_[np.full(40, -17.0), np.full(10, -40.0), -32.6, np.full(4, -22.0), -24.0, -30.0, np.full(20, -40.0)]
    conf = np.r_[np.full(40, 0.9), np.full(10, 0.03), 0.46, np.full(4, 0.7), 0.3, 0.1, np.full(20, 0.03)]
    midi = np.r_[np.full(40, 61.0), np.full(10, 55.0), 59.3, 59.2, 59.2, 59.25, 59.1, 58.5, 58.5, np.full(20, 55.0)]
    level_ok = level_ok_frames(level, 30)
    assert not level_ok[50]
    voiced = (conf >= 0.5) & level_ok
    out = voice_short_bursts(midi, conf, voiced, level_ok, 7, 4, level_db=level)
    assert out[50:57].all() and not out[40:50].any() and not out[57:].any()
    # a frame before the burst whose level falls into it is a tail, not the attack: too few frames
    level[50] = -21.0
    level_ok = level_ok_frames(level, 30)
    out = voice_short_bursts(midi, conf, (conf >= 0.5) & level_ok & (np.arange(len(level)) != 50),
                             level_ok & (np.arange(len(level)) != 50), 7, 4, level_db=level)
    assert not out[50]


def test_short_note_whose_first_weak_frame_still_glides_from_the_note_before_is_voiced():
    # a note at 66, then a quick one at 64 (0.1 s): the tracker's first weak frame (0.3) still reads
    # 65.1 on the glide down, then the vowel at 64 for 2 frames (0.6) and weak frames at 63.3-64.5
    midi = np.r_[np.full(30, 66.0), np.full(8, 66.5), 65.1, 64.5, 64.0, 63.6, 63.3, 63.8, 63.9, 63.8, np.full(10, 66.5)]
    conf = np.r_[np.full(30, 0.9), np.full(8, 0.05), 0.3, 0.49, 0.66, 0.57, 0.43, 0.29, 0.26, 0.26, np.full(10, 0.05)]
    level_ok = np.ones(len(midi), bool)
    out = voice_short_bursts(midi, conf, conf >= 0.5, level_ok, 7, 4, level_db=np.full(len(midi), -20.0))
    assert out[39:46].all() and not out[38] and not out[46:].any()


def test_note_whose_first_frames_the_tracker_spends_on_the_engine_keeps_its_pitch_and_onset():
    # a note at 65, a glide up to 68 over 5 frames, then 8 frames where car noise takes the tracker's
    # confidence to 0.3 and its pitch to the engine (41) and elsewhere while the level holds (no dip:
    # the gap is voiced again), then 68 held: the note at 68 starts at the glide, at its pitch
    rng = np.random.default_rng(2)
    midi = np.r_[np.full(40, 65.0), 65.5, 66.7, 67.3, 67.8, 68.2, 59.7, 61.2, 68.6, 51.2, 40.7, 40.7, 54.5, 61.0,
                 np.full(40, 68.0)] + 0.03 * rng.standard_normal(93)
    conf = np.r_[np.zeros(10), np.full(35, 0.8), np.full(8, 0.3), np.full(30, 0.8), np.zeros(10)]
    level = np.r_[np.full(10, -60.0), np.full(73, -25.0), np.full(10, -60.0)]
    notes = segment_notes(_track(midi, conf), level)
    assert [round(nt.midi) for nt in notes] == [65, 68] and abs(notes[1].onset_s - 0.40) <= 0.03
    # a gap shorter than MIN_JUMP_S keeps the tracker's frames
    voiced = np.ones(93, bool)
    voiced[48:51] = False
    assert np.array_equal(hold_pitch_through_gaps(midi, voiced, np.ones(93, bool), 5), midi)


def test_buried_pitch_does_not_lengthen_a_note_the_tracker_voices_at_that_pitch():
    # 20 frames voiced at 60, then 20 weakly voiced frames at the same pitch (a repeat's dip or a
    # late onset is the tracker's to place), then 20 weakly voiced frames at 64 (a new note)
    n = 80
    midi = np.r_[np.full(60, 60.0), np.full(20, 64.0)]
    conf = np.r_[np.full(20, 0.9), np.full(60, 0.2)]
    conf[-20:] = 0.2
    conf[40:60] = 0.02
    midi[40:60] = 50.0 + 8.0 * np.random.default_rng(1).random(20)   # noise: no steady pitch
    out = voice_buried_pitch(midi, conf, conf >= 0.5, np.ones(n, bool), np.zeros(n), 10, 30)
    assert not out[20:60].any() and out[60:].all()


def test_buried_note_right_after_a_loud_one_is_voiced_where_the_level_gate_cut_it():
    # a loud note at 66 (40 frames), then a note at 59 that a phone's suppressor took 15 dB down
    # (confidence 0.2): the level gate, reading the loud note within 0.3 s, cuts its first 20 frames
    n = 100
    midi = np.r_[np.full(40, 66.0), np.full(60, 59.0)]
    conf = np.r_[np.full(40, 0.9), np.full(60, 0.2)]
    level_ok = np.r_[np.ones(40, bool), np.zeros(20, bool), np.ones(40, bool)]
    out = voice_buried_pitch(midi, conf, conf >= 0.5, level_ok, np.zeros(n), 10, 30)
    assert out.all()
    # frames the gate cut that hold the loud note's own pitch are its reverb tail and stay unvoiced
    midi[40:60] = 66.0
    out = voice_buried_pitch(midi, conf, conf >= 0.5, level_ok, np.zeros(n), 10, 30)
    assert not out[40:60].any() and out[60:].all()


def test_quieter_note_the_tracker_voices_right_after_a_loud_one_starts_where_the_level_gate_cut_it():
    # a loud note at 66 (40 frames), then a note at 59 sung 15 dB softer that the tracker voices at
    # once (confidence 0.8): the level gate, reading the loud note within 0.3 s, cuts its first 20
    # frames, and the voiced run only starts after them
    n = 100
    midi = np.r_[np.full(40, 66.0), np.full(60, 59.0)]
    conf = np.full(n, 0.8)
    level_ok = np.r_[np.ones(40, bool), np.zeros(20, bool), np.ones(40, bool)]
    out = voice_buried_pitch(midi, conf, (conf >= 0.5) & level_ok, level_ok, np.zeros(n), 10, 30)
    assert out.all()
    # frames the gate cut that keep the loud note's pitch are its reverb tail: the onset stays
    midi[40:60] = 66.0
    out = voice_buried_pitch(midi, conf, (conf >= 0.5) & level_ok, level_ok, np.zeros(n), 10, 30)
    assert not out[40:60].any()
    # weakly voiced frames the gate did not cut before a run at their pitch: the tracker's onset stays
    midi[40:60], conf[40:60] = 59.0, 0.3
    out = voice_buried_pitch(midi, conf, (conf >= 0.5) & level_ok, np.ones(n, bool), np.zeros(n), 10, 30)
    assert not out[40:60].any()


def test_a_sung_notes_decay_in_the_quiet_frames_is_no_background_tone():
    # a note at 57 (30 frames), then 90 quiet frames: its decay at 57 for 40 frames (confidence 0.3),
    # then silence the tracker reads as noise; later a voice buried in noise at 57 (20 frames,
    # confidence 0.2, loud in the cleaned level) makes a note: 57 is the caller's, not a fan's
    n = 160
    rng = np.random.default_rng(3)
    midi = np.r_[np.full(70, 57.0), 40.0 + 30.0 * rng.random(50), np.full(20, 57.0), 40.0 + 30.0 * rng.random(20)]
    conf = np.r_[np.full(30, 0.9), np.full(40, 0.3), np.full(50, 0.02), np.full(20, 0.2), np.full(20, 0.02)]
    clean = np.r_[np.zeros(30), np.full(90, -30.0), np.zeros(20), np.full(20, -30.0)]
    out = voice_buried_pitch(midi, conf, conf >= 0.5, np.ones(n, bool), clean, 10, 80)
    assert out[120:140].all() and not out[30:120].any()
    # the same pitch reported in quiet frames away from any note at it (the first note and its decay
    # at 62 now) is a background tone
    midi[:70] = 62.0
    midi[80:120] = 57.0
    out = voice_buried_pitch(midi, conf, conf >= 0.5, np.ones(n, bool), clean, 10, 80)
    assert not out[120:140].any()


def test_quick_buried_note_right_after_a_note_is_voiced_and_the_same_piece_alone_is_not():
    # a note at 60 (40 frames), 2 frames of noise, then 8 frames (0.08 s, under the 0.1 s a buried
    # voice must hold alone) at 57 heard at confidence 0.2: the voice moved straight on to a quick note
    n = 80
    midi = np.r_[np.full(40, 60.0), np.full(2, 58.5), np.full(8, 57.0), np.full(30, 50.0)]
    conf = np.r_[np.full(40, 0.9), np.full(2, 0.05), np.full(8, 0.2), np.full(30, 0.02)]
    args = (midi, conf, conf >= 0.5, np.ones(n, bool), np.zeros(n), 10, 30)
    assert voice_buried_pitch(*args, follow_hold=7, follow_gap=5)[42:50].all()
    assert not voice_buried_pitch(*args)[42:50].any()
    # the same piece 0.2 s after the note may be noise's
    midi2, conf2 = np.r_[midi[:40], np.full(20, 50.0), midi[42:]], np.r_[conf[:40], np.full(20, 0.02), conf[42:]]
    out = voice_buried_pitch(midi2, conf2, conf2 >= 0.5, np.ones(98, bool), np.zeros(98), 10, 30,
                             follow_hold=7, follow_gap=5)
    assert not out[60:68].any()


def _engine_attack(before_midi: float, before_gap: list[float], attack_conf: float = 0.2):
    """Quiet frames where the tracker follows an engine line at 39 (confidence 0.03, cleaned level
    30 dB down), a note at ``before_midi`` (confidence 0.9), frames of pitch ``before_gap`` (confidence
    0.02), 6 frames where the tracker follows the engine under a ducked attack (loud), then 40 frames
    at 59 (confidence ``attack_conf``) and the engine again. Returns midi, conf, clean level, the
    attack's first frame."""
    k = len(before_gap)
    midi = np.r_[39.0 + 0.1 * np.sin(np.arange(60)), np.full(40, before_midi), before_gap, np.full(6, 39.0),
                 np.full(40, 59.0), np.full(30, 39.0)]
    conf = np.r_[np.full(60, 0.03), np.full(40, 0.9), np.full(k, 0.02), np.full(6, 0.04),
                 np.full(40, attack_conf), np.full(30, 0.03)]
    clean = np.r_[np.full(60, -30.0), np.zeros(40), np.full(k, -5.0), np.full(6, -2.0), np.full(40, -2.0),
                  np.full(30, -30.0)]
    return midi, conf, clean, 100 + k


def test_weak_attack_the_tracker_hears_as_the_engine_tone_is_walked_back_to_its_onset():
    midi, conf, clean, a = _engine_attack(66.0, [47.0, 52.0, 45.0, 55.0])
    voiced = (conf >= 0.5) | (conf == 0.2)   # the note at 66 and the buried note at 59
    out, pitch = attack_through_tones(midi, conf, voiced, clean, 10, 30, 30)
    assert out[a:a + 46].all() and not out[a - 4:a].any()
    assert np.all(pitch[a:a + 6] == 59.0) and np.isnan(pitch[a + 6:]).all()   # the attack's pitch, not the engine's
    # an attack the tracker voices with confidence is its own onset
    midi, conf, clean, a = _engine_attack(66.0, [47.0, 52.0, 45.0, 55.0], attack_conf=0.9)
    out, _ = attack_through_tones(midi, conf, conf >= 0.5, clean, 10, 30, 30)
    assert not out[a:a + 6].any()
    # engine frames between a confident note at 59 and the weak one are the dip before a repeat
    midi, conf, clean, a = _engine_attack(59.0, [39.0, 39.0, 39.0, 39.0])
    out, _ = attack_through_tones(midi, conf, (conf >= 0.5) | (conf == 0.2), clean, 10, 30, 30)
    assert not out[100:a + 6].any()


def test_weak_attack_walked_over_engine_frames_gives_one_note_at_the_sung_pitch():
    # the whole chain: the note at 59 starts where the engine frames under its attack begin
    midi, conf, clean, a = _engine_attack(66.0, [47.0, 52.0, 45.0, 55.0])
    level = np.where(clean > -10.0, -25.0, -40.0)
    notes = segment_notes(_track(midi, conf), level, None, clean)
    assert [round(n.midi) for n in notes] == [66, 59]
    assert abs(notes[1].onset_s - a * HOP) <= 0.03


def test_talker_syllable_leaping_from_a_held_notes_edge_is_flagged_and_a_partial_left_to_the_fold():
    # a held note (0.7 s, MIDI 69) with a 0.12 s note 9 st under before it and one an octave over
    # (the tracker on the 2nd partial) after it; later a grace note 2 st under a held note
    notes = [NoteEvent(0.38, 0.5, 60.0, 0.6), NoteEvent(0.5, 1.2, 69.0, 0.9), NoteEvent(1.2, 1.32, 81.0, 0.6),
             NoteEvent(1.6, 1.68, 67.0, 0.8), NoteEvent(1.68, 2.3, 69.0, 0.9)]
    assert list(talker_at_note_edges(notes)) == [True, False, True, False, False]
    assert list(talker_at_note_edges(notes, skip_partials=True)) == [True, False, False, False, False]


def _leap_from_held(leap_midi: float, leap_db: float, next_midi: float = 59.3) -> list[bool]:
    """talker_at_note_edges on a held 52 (0.7 s, -27 dB), a 0.2 s note at ``leap_midi`` in its voiced run
    (``leap_db`` dB) and, after 90 ms, a held note at ``next_midi`` (-24 dB)."""
    notes = [NoteEvent(1.0, 1.7, 52.0, 0.9), NoteEvent(1.7, 1.9, leap_midi, 0.7), NoteEvent(1.99, 2.4, next_midi, 0.9),
             NoteEvent(2.5, 3.2, 55.0, 0.9)]
    return list(talker_at_note_edges(notes, levels_db=np.array([-27.0, leap_db, -24.0, -26.0])))


def test_a_short_note_leapt_to_from_a_held_note_as_loud_as_it_is_sung():
    # the caller leaps a fifth and more out of a held note into a quick note (stress s50 speaker_002 at 3.39 s: 52
    # then 59.5, 5 dB louder): a talker fills a gap of the caller's voice, so it lies under the caller
    assert _leap_from_held(59.5, -22.0) == [False, False, False, False]
    assert _leap_from_held(59.5, -36.0) == [False, True, False, False]        # 9 dB under the held note: a talker


def test_a_loud_piece_at_a_partial_or_into_a_scoop_is_still_no_sung_note():
    assert _leap_from_held(71.0, -22.0) == [False, True, False, False]        # the held note's 3rd partial
    # touching a note a whole tone from it: the scoop of that note, which the rule folds away
    notes = [NoteEvent(1.0, 1.7, 52.0, 0.9), NoteEvent(1.7, 1.85, 60.3, 0.7), NoteEvent(1.85, 2.4, 59.0, 0.9),
             NoteEvent(2.5, 3.2, 55.0, 0.9)]
    assert list(talker_at_note_edges(notes, levels_db=np.array([-27.0, -22.0, -24.0, -26.0]))) == [False, True,
                                                                                                  False, False]


def test_talker_syllable_that_cut_a_held_note_in_two_is_dropped_and_the_note_rejoins():
    notes = [NoteEvent(0.5, 1.1, 62.0, 0.9), NoteEvent(1.1, 1.22, 50.0, 0.6), NoteEvent(1.22, 1.5, 62.2, 0.9)]
    out = drop_talker_edges(notes)
    assert [(n.onset_s, n.offset_s, n.midi) for n in out] == [(0.5, 1.5, 62.0)]


def test_out_of_register_moment_inside_a_held_note_leaves_one_note():
    # the tracker leaves a held caller's note (MIDI 62, 0.95 s, one voiced run) for 0.25 s at 86 (a
    # talker or a high partial, not at a partial's interval) while the level holds: one note again
    notes, levels, runs = _with_caller([(4.0, 4.5, 62.0, 0.0, 200), (4.5, 4.75, 86.0, 0.0, 200),
                                        (4.75, 5.2, 62.1, 0.0, 200)])
    kept = keep_callers_notes(notes, levels, runs, np.ones(len(notes)))
    assert [(n.onset_s, n.offset_s, n.midi) for n in kept if n.onset_s >= 4.0] == [(4.0, 5.2, 62.0)]


def _caller_and_gap_voice(gap_shape_db: np.ndarray):
    """Four 0.4 s caller notes (MIDI 60, 62, 64, 62, -20 dB, a falling spectral envelope over the
    nine narrow bands) and, in the 0.4 s gap after the second, a 0.12 s voice at MIDI 61, 7 dB
    under the caller, whose bands have the shape ``gap_shape_db`` (9,): pitch track, level, bands."""
    caller_shape = np.linspace(6.0, -18.0, 9)
    midi, level, shape = [], [], []
    for part in [(0.2, 0.0, -70.0, 0.0), (0.4, 60.0, -20.0, 1), (0.2, 0.0, -70.0, 0), (0.4, 62.0, -20.0, 1),
                 (0.14, 0.0, -70.0, 0), (0.12, 61.0, -27.0, 2), (0.14, 0.0, -70.0, 0), (0.4, 64.0, -20.0, 1),
                 (0.2, 0.0, -70.0, 0), (0.4, 62.0, -20.0, 1), (0.2, 0.0, -70.0, 0)]:
        k = int(round(part[0] / HOP))
        midi.append(np.full(k, part[1]))
        level.append(np.full(k, part[2]))
        shape.append(np.tile([np.zeros(9), caller_shape, gap_shape_db][int(part[3])][:, None], k))
    midi, level = np.concatenate(midi), np.concatenate(level)
    bands = level[None, :] + np.concatenate(shape, axis=1)
    conf = np.where(midi > 0, 0.9, 0.0)
    return _track(np.where(midi > 0, midi, 60.0), conf), level, bands


def test_short_voice_in_a_gap_with_another_timbre_adds_no_note():
    # a talker's syllable in a gap of the caller's: in the caller's range, held, 7 dB under the
    # caller; only its spectral envelope (rising where the caller's falls) tells it apart
    talker = np.array([-12.0, -6.0, 0.0, 3.0, 0.0, -6.0, -3.0, -9.0, 0.0])
    track, level, bands = _caller_and_gap_voice(talker)
    assert [round(n.midi) for n in segment_notes(track, level)] == [60, 62, 61, 64, 62]   # level alone keeps it
    assert [round(n.midi) for n in segment_notes(track, level, envelope_db=bands)] == [60, 62, 64, 62]
    # the caller's own soft pickup there has the caller's envelope and stays
    track, level, bands = _caller_and_gap_voice(np.linspace(6.0, -18.0, 9) + 0.5)
    assert [round(n.midi) for n in segment_notes(track, level, envelope_db=bands)] == [60, 62, 61, 64, 62]


_CALLER_TIMBRE = np.array([6.0, 4.0, 2.0, 0.0, -1.0, -2.0, -4.0, -6.0, -8.0])   # dB at the voice's harmonics
_QUIET_TALKERS = [(1.41, 1.5, 57.0, -16.0, 2), (2.41, 2.5, 66.0, -16.0, 3)]
"""Two talker syllables 16 dB under the caller (``_with_caller`` extras), which the level test drops: they
make the call one with talkers."""


def _timbres(n_notes: int, far: Sequence[int] = ()) -> np.ndarray:
    """(n_notes, 9) spectral envelopes: the caller's (:data:`_CALLER_TIMBRE`) with 0.5 dB of noise, and
    for the notes ``far`` one 3.75 dB from it at every harmonic, alternately up and down."""
    timbre = _CALLER_TIMBRE + np.random.default_rng(0).normal(0.0, 0.5, (n_notes, len(_CALLER_TIMBRE)))
    timbre[list(far)] = _CALLER_TIMBRE + 3.75 * (-1.0) ** np.arange(len(_CALLER_TIMBRE))
    return timbre


def _assert_kept_only_with_the_callers_timbre(notes: list[NoteEvent], levels: np.ndarray, runs: np.ndarray,
                                              onset_s: float) -> None:
    """The note starting at ``onset_s`` is dropped with no timbre known, kept with the caller's spectral
    envelope on every note, and dropped again when its own envelope is another voice's."""
    timbre = _timbres(len(notes))
    steady = np.ones(len(notes))
    assert onset_s not in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady)]
    assert onset_s in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady, timbre=timbre)]
    timbre[[n.onset_s for n in notes].index(onset_s)] = _CALLER_TIMBRE[::-1]
    assert onset_s not in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady, timbre=timbre)]


def test_held_note_a_suppressor_dimmed_keeps_the_callers_timbre_and_is_kept():
    # a phone's noise suppressor takes a held note it learned as noise 15 dB down, and the tracker's
    # confidence there falls to 0.3: by level and confidence it is a talker's, but it is 0.5 s long,
    # held, in the caller's register and has the caller's spectral envelope; another voice's
    # envelope there is not the caller's
    notes, levels, runs = _with_caller([(4.1, 4.6, 61.0, -15.0, 1)])
    notes = [NoteEvent(n.onset_s, n.offset_s, n.midi, 0.3 if n.onset_s == 4.1 else n.confidence) for n in notes]
    _assert_kept_only_with_the_callers_timbre(notes, levels, runs, 4.1)


def test_soft_held_note_with_the_callers_timbre_needs_no_confidence_margin():
    # a 0.2 s held note in the caller's range, 8 dB under the caller, heard at confidence 0.5 under
    # noise (the caller's notes: 0.9): by confidence alone it is not the caller's; with the caller's
    # spectral envelope it is, and with another voice's it is not
    notes, levels, runs = _with_caller([(4.1, 4.3, 61.0, -8.0, 1)])
    notes = [NoteEvent(n.onset_s, n.offset_s, n.midi, 0.5 if n.onset_s == 4.1 else n.confidence) for n in notes]
    timbre = _timbres(len(notes))
    i = [n.onset_s for n in notes].index(4.1)
    timbre[i] = _CALLER_TIMBRE
    steady = np.ones(len(notes))
    assert 4.1 not in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady)]
    assert 4.1 in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady, timbre=timbre)]
    timbre[i] = _CALLER_TIMBRE[::-1]
    assert 4.1 not in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady, timbre=timbre)]


def test_weak_short_note_stepping_between_two_callers_notes_with_near_timbre_is_kept():
    # AMR-NB: a 0.08 s "da" 8 dB under the caller, heard at confidence 0.5 (the caller's notes: 0.9) and
    # 1.4 from the caller's timbre (over the 1.0 that needs no confidence margin), between two of the
    # caller's notes 10 ms away: a step of the caller's line is kept, a leap out of it is not
    def kept(midi: float, far_db: float) -> bool:
        notes, levels, runs = _with_caller([(3.41, 3.49, midi, -8.0, 1)])
        notes = [NoteEvent(n.onset_s, n.offset_s, n.midi, 0.5 if n.onset_s == 3.41 else n.confidence) for n in notes]
        timbre = _timbres(len(notes))
        timbre[[n.onset_s for n in notes].index(3.41)] = (_CALLER_TIMBRE
                                                           + far_db * (-1.0) ** np.arange(len(_CALLER_TIMBRE)))
        return 3.41 in [n.onset_s for n in keep_callers_notes(notes, levels, runs, np.ones(len(notes)), timbre=timbre)]
    assert kept(62.5, 2.1)
    assert not kept(67.0, 2.1)   # 4 st over both neighbours (62, 63): not a step
    assert not kept(62.5, 3.0)   # another voice's timbre


def test_short_voice_of_another_timbre_in_a_call_with_talkers_adds_no_note():
    # a 0.12 s voice in a gap before the caller's last note, in the caller's range: less harmonic than the
    # caller (confidence 0.75 against 0.9) and 2.5 from the caller's timbre (under the 3.5 that alone makes it
    # another voice)
    def kept(with_talkers: bool, steady_share: float, level_db: float = 0.0) -> bool:
        extra = [(4.1, 4.22, 61.0, level_db, 1), (4.5, 4.9, 62.0, 0.0, 108)]
        if with_talkers:
            extra += _QUIET_TALKERS
        notes, levels, runs = _with_caller(extra)
        notes = [NoteEvent(n.onset_s, n.offset_s, n.midi, 0.75 if n.onset_s == 4.1 else n.confidence) for n in notes]
        timbre = _timbres(len(notes), far=[[n.onset_s for n in notes].index(4.1)])
        steady = np.array([steady_share if n.onset_s == 4.1 else 1.0 for n in notes])
        return 4.1 in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady, timbre=timbre)]
    # as loud as the caller, straying from its pitch in a frame (80 % of its frames on it): speech
    assert not kept(with_talkers=True, steady_share=0.8)
    assert kept(with_talkers=False, steady_share=0.8)   # no talker heard: the caller's own short note
    assert kept(with_talkers=True, steady_share=1.0)    # as loud as the caller and holding its pitch: sung
    # holding its pitch but 10 dB under the caller, under the caller's own notes' level
    assert not kept(with_talkers=True, steady_share=1.0, level_db=-10.0)
    assert kept(with_talkers=False, steady_share=1.0, level_db=-10.0)


def test_callers_note_right_after_a_talkers_syllable_in_one_voiced_run_keeps_the_callers_voice():
    # the tracker goes straight from a talker's syllable (0.1 s, 15 dB under the caller) into a 0.24 s
    # note 8 dB under the caller, in one voiced run: held, as harmonic as the caller (confidence 0.9) and
    # with the caller's spectral envelope it is the caller singing after the talker and stays; with
    # another voice's envelope, or with no envelope to tell, it continues the talker's speech and goes
    notes, levels, runs = _with_caller([(4.05, 4.15, 52.0, -15.0, 1), (4.15, 4.39, 61.0, -8.0, 1)])
    steady = np.ones(len(notes))
    i = [n.onset_s for n in notes].index(4.15)
    timbre = _timbres(len(notes), far=[i - 1])
    assert 4.15 in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady, timbre=timbre)]
    assert 4.15 not in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady)]
    timbre[i] = _CALLER_TIMBRE[::-1]
    assert 4.15 not in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady, timbre=timbre)]
    # the "talker's" note at the note's own pitch is the faint start of the same sung note: the piece,
    # which would give that note a late onset, stays dropped
    notes, levels, runs = _with_caller([(4.05, 4.15, 61.0, -15.0, 1), (4.15, 4.39, 61.0, -8.0, 1)])
    timbre = _timbres(len(notes), far=[i - 1])
    assert 4.15 not in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady, timbre=timbre)]


@pytest.mark.parametrize("midi, kept", [(61.0, True), (54.0, False)])
def test_note_with_the_callers_voice_after_a_talker_still_keeps_to_the_callers_line(midi, kept):
    # the same note between two of the caller's notes (63 at 3.5-3.9 s, 62 at 4.5-4.9 s) in a call whose
    # caller also sings 52 and 72: on their line it is the caller's; 8 st under it (the tracker an octave
    # under a fast run, which the talker rules caught beside it) it goes
    notes, levels, runs = _with_caller([(4.05, 4.15, 52.0, -15.0, 1), (4.15, 4.39, midi, -8.0, 1),
                                        (4.5, 4.9, 62.0, 0.0, 5), (5.0, 5.4, 52.0, 0.0, 6), (5.5, 5.9, 72.0, 0.0, 7)])
    i = [n.onset_s for n in notes].index(4.15)
    timbre = _timbres(len(notes), far=[i - 1])
    out = keep_callers_notes(notes, levels, runs, np.ones(len(notes)), timbre=timbre)
    assert (4.15 in [n.onset_s for n in out]) == kept


def test_short_sung_note_the_talkers_blur_is_kept_when_it_carries_the_callers_line():
    # in a call with talkers, a 0.1 s note between two caller's notes (MIDI 62 at 3.0-3.4 s, 63 at
    # 3.5-3.9 s), touching both: a sung note heard through the talkers as a mixture (confidence 0.75
    # against 0.9, 2.5 from the caller's timbre, straying from its pitch in a frame) has the marks of
    # a talker, but at a pitch between its neighbours' it carries the caller's melodic line and
    # stays; at a leap out of that line (4 st under both) it is a talker's and goes
    assert _kept_between_callers_notes(62.5, steady_share=0.8)
    assert _kept_between_callers_notes(63.0, steady_share=0.8)
    assert not _kept_between_callers_notes(58.0, steady_share=0.8)
    assert not _kept_between_callers_notes(67.0, steady_share=0.8)


def test_talker_note_leaping_out_of_the_callers_line_is_dropped_though_it_holds_its_pitch():
    # the same 0.1 s voice between the caller's notes at 62 and 63, holding its pitch at the caller's
    # level: a step beyond them (61, 64.5) may be the caller's ornament and stays; a leap of more
    # than a whole tone out of their line (59, 66) is a talker cutting in
    assert _kept_between_callers_notes(61.0, steady_share=1.0)
    assert _kept_between_callers_notes(64.5, steady_share=1.0)
    assert not _kept_between_callers_notes(59.0, steady_share=1.0)
    assert not _kept_between_callers_notes(66.0, steady_share=1.0)


def test_talker_as_clearly_voiced_as_the_caller_leaping_far_out_of_her_line_is_dropped():
    # a man behind a high caller, voiced as cleanly as she is (confidence 0.9, holding his pitch, as
    # loud), cuts into her phrase between her notes at 62 and 63 with two 0.05 s syllables far from
    # her timbre: more than a fifth out of her line (54 and 53, or 43 and 42) they are his and go;
    # within a fifth of it (58, 57) they may be her own leap and stay
    assert [n.midi for n in _gap_voice_kept(43.0, 42.0) if 3.4 <= n.onset_s < 3.5] == []
    assert [n.midi for n in _gap_voice_kept(54.0, 53.0) if 3.4 <= n.onset_s < 3.5] == []
    assert [n.midi for n in _gap_voice_kept(58.0, 57.0) if 3.4 <= n.onset_s < 3.5] == [58.0, 57.0]


def test_release_the_tracker_reads_at_a_partial_goes_back_to_its_note_not_to_a_talker():
    # the first 0.05 s after the caller's note at 62 (3.0-3.4 s), in its voiced run, read 19 st under
    # it (the tracker on a partial of its release): the note keeps that time instead of losing it
    kept = _gap_voice_kept(43.0, 62.5, first_run=106)
    assert [(n.onset_s, n.offset_s) for n in kept if 3.0 <= n.onset_s < 3.5] == [(3.0, 3.45), (3.45, 3.5)]


def _run_piece_kept(midi: float, far: bool) -> bool:
    """Whether a 0.1 s piece at ``midi`` in the voiced run of the caller's note at 3.0-3.4 s (MIDI 62, run
    106), right after it, as loud and as harmonic as the caller and holding its pitch, is kept in a call
    with talkers; ``far``: its spectral envelope is another voice's."""
    notes, levels, runs = _with_caller([(3.4, 3.5, midi, 0.0, 106), *_QUIET_TALKERS])
    i = [n.onset_s for n in notes].index(3.4)
    timbre = _timbres(len(notes), far=[i] if far else [])
    return 3.4 in [n.onset_s for n in keep_callers_notes(notes, levels, runs, np.ones(len(notes)), timbre=timbre)]


def test_talker_taking_the_tracker_at_a_held_notes_edge_in_its_voiced_run_is_dropped():
    # the tracker goes on from the caller's held note into a talker's syllable 5 st under it without a
    # break in voicing (under the 7 st leap of talker_at_note_edges): the envelope changed from the
    # caller's to another voice's, so it is the talker's and goes; with the caller's envelope it is a
    # sung legato step and stays, and so is a step of a whole tone or less whatever the envelope
    assert not _run_piece_kept(57.0, far=True)
    assert _run_piece_kept(57.0, far=False)
    assert _run_piece_kept(60.5, far=True)


@pytest.mark.parametrize("next_midi, kept", [(64.0, True), (60.5, False)])
def test_short_note_of_another_timbre_stepping_on_from_a_held_note_along_the_callers_line_is_kept(next_midi, kept):
    # a 0.1 s note 3 st over the caller's held 60 (4.0-4.4 s) in its voiced run, far from the caller's timbre:
    # when the caller's next note (50 ms later) lies beyond it (64) it is a sung step of the tune the
    # talkers blur; when that note falls back (60.5) it leaps out of the line and is a talker's
    extra = [(4.0, 4.4, 60.0, 0.0, 9), (4.4, 4.5, 63.0, 0.0, 9), (4.55, 4.9, next_midi, 0.0, 10), *_QUIET_TALKERS]
    notes, levels, runs = _with_caller(extra)
    timbre = _timbres(len(notes), far=[[n.onset_s for n in notes].index(4.4)])
    out = keep_callers_notes(notes, levels, runs, np.ones(len(notes)), timbre=timbre)
    assert (4.4 in [n.onset_s for n in out]) == kept


def test_talker_cutting_a_held_note_in_its_voiced_run_leaves_one_note():
    # the caller holds 61 for 0.8 s (4.0-4.8 s, one voiced run) and a talker takes the tracker 6 st over
    # it for 80 ms in the middle: the note rejoins over its whole span
    extra = [(4.0, 4.35, 61.0, 0.0, 9), (4.35, 4.43, 67.0, 0.0, 9), (4.43, 4.8, 61.0, 0.0, 9), *_QUIET_TALKERS]
    notes, levels, runs = _with_caller(extra)
    timbre = _timbres(len(notes), far=[[n.onset_s for n in notes].index(4.35)])
    kept = keep_callers_notes(notes, levels, runs, np.ones(len(notes)), timbre=timbre)
    assert [(n.onset_s, n.offset_s, n.midi) for n in kept if n.onset_s >= 4.0] == [(4.0, 4.8, 61.0)]
    # heard 8 dB under the caller, the talker filled the caller's breath between two sung 61s: it goes, and
    # the two notes stay two
    levels[[n.onset_s for n in notes].index(4.35)] = -8.0
    kept = keep_callers_notes(notes, levels, runs, np.ones(len(notes)), timbre=timbre)
    assert [(n.onset_s, n.offset_s) for n in kept if n.onset_s >= 4.0] == [(4.0, 4.35), (4.43, 4.8)]


def _gap_voice_kept(first: float, second: float, first_run: int = 1) -> list[NoteEvent]:
    """The caller's notes (:func:`_with_caller`) kept when, in a call with talkers, two 0.05 s notes at
    ``first`` and ``second`` (MIDI; the first in voiced run ``first_run``: 106 is that of the caller's
    note at 3.0-3.4 s) fill the gap at 3.4-3.5 s, as loud as the caller, as harmonic, holding their
    pitch and far from the caller's timbre."""
    extra = [(3.4, 3.45, first, 0.0, first_run), (3.45, 3.5, second, 0.0, 1), *_QUIET_TALKERS]
    notes, levels, runs = _with_caller(extra)
    timbre = _timbres(len(notes), far=[i for i, n in enumerate(notes) if 3.4 <= n.onset_s < 3.5])
    return keep_callers_notes(notes, levels, runs, np.ones(len(notes)), timbre=timbre)


def _kept_between_callers_notes(midi: float, steady_share: float) -> bool:
    """Whether a 0.1 s note at ``midi`` between the caller's notes at 3.0-3.4 s (MIDI 62) and 3.5-3.9 s
    (63), as loud as the caller, with ``steady_share`` of its frames on its pitch, confidence 0.75 (the
    caller: 0.9) and 2.5 from the caller's timbre, in a call with talkers, is kept."""
    extra = [(3.4, 3.5, midi, 0.0, 1), *_QUIET_TALKERS]
    notes, levels, runs = _with_caller(extra)
    notes = [NoteEvent(n.onset_s, n.offset_s, n.midi, 0.75 if n.onset_s == 3.4 else n.confidence) for n in notes]
    timbre = _timbres(len(notes), far=[[n.onset_s for n in notes].index(3.4)])
    steady = np.array([steady_share if n.onset_s == 3.4 else 1.0 for n in notes])
    return 3.4 in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady, timbre=timbre)]


def _formant_voice(midi: float, dur_s: float, formants: list[tuple[float, float, float]], sr: int) -> np.ndarray:
    """A harmonic voice at ``midi`` whose harmonics follow the envelope of ``formants`` (centre Hz,
    width Hz, gain), at unit RMS."""
    t = np.arange(int(dur_s * sr)) / sr
    f0 = float(midi_to_hz(midi))
    x = np.zeros_like(t)
    for k in range(1, int(3800 / f0) + 1):
        a = sum(g * np.exp(-0.5 * ((k * f0 - fc) / bw) ** 2) for fc, bw, g in formants) + 0.01
        x += a * np.sin(2 * np.pi * k * f0 * t + k)
    return x / np.sqrt(np.mean(x ** 2))


def test_talker_in_a_gap_of_a_high_voice_is_told_by_the_envelope_at_its_harmonics():
    # a high caller (MIDI 67-74, harmonics 400-600 Hz apart) sings five held notes and, in a gap, a
    # soft 0.15 s pickup 8 dB under; in another gap a talker says a 0.15 s syllable at the same pitch,
    # only 2 dB under the caller, with its second formant at 1500 Hz instead of 1000 Hz
    sr = 16000
    caller = [(500.0, 150.0, 1.0), (1000.0, 200.0, 0.5), (2500.0, 300.0, 0.1)]
    talker = [(500.0, 150.0, 1.0), (1500.0, 200.0, 0.7), (2500.0, 300.0, 0.3)]
    parts = [(67, 0.4, caller, 1.0), (71, 0.4, caller, 1.0), (70, 0.15, caller, 0.4), (74, 0.4, caller, 1.0),
             (70, 0.15, talker, 0.8), (69, 0.4, caller, 1.0), (72, 0.4, caller, 1.0)]
    x, midi = [], []
    for m, dur, formants, gain in parts:
        x += [np.zeros(int(0.2 * sr)), gain * _formant_voice(m, dur, formants, sr)]
        midi += [np.zeros(int(round(0.2 / HOP))), np.full(int(round(dur / HOP)), float(m))]
    x, midi = np.concatenate(x + [np.zeros(int(0.2 * sr))]) * 0.05, np.concatenate(midi + [np.zeros(20)])
    track = _track(np.where(midi > 0, midi, 60.0), np.where(midi > 0, 0.9, 0.0))
    level = frame_energy_db(x, sr, len(midi))
    envelope = harmonic_envelope_db(x, sr, np.where(midi > 0, track.hz, 0.0))
    assert [round(n.midi) for n in segment_notes(track, level, envelope_db=envelope)] == [67, 71, 70, 74, 69, 72]
    # summed over fixed narrow bands, the high voice's shape moves with its pitch, which hides the talker
    bands = narrow_band_levels_db(x, sr, len(midi))
    assert [round(n.midi) for n in segment_notes(track, level, envelope_db=bands)] == [67, 71, 70, 74, 70, 69, 72]


def test_envelope_of_frames_mostly_lost_in_a_dropout_is_no_reading():
    # a held voice with 0.1 s of lost packets (digital silence): frames whose window is mostly lost
    # give no envelope, like the narrow band levels, instead of the shape of what is left
    sr = 16000
    x = 0.05 * _formant_voice(60, 1.0, [(500.0, 150.0, 1.0), (1000.0, 200.0, 0.5)], sr)
    x[int(0.45 * sr):int(0.55 * sr)] = 0.0
    hz = np.full(100, float(midi_to_hz(60)))
    env = harmonic_envelope_db(x, sr, hz, lost=lost_samples(x, sr))
    assert np.all(env[:, 48:53] == -120.0) and np.all(env[:, 20:30] > -60.0) and np.all(env[:, 70:80] > -60.0)


def test_held_note_a_suppressor_gates_for_50_ms_stays_one_note_and_a_legato_repeat_still_splits():
    # a 1.2 s note at MIDI 60 (frames 30-149); 0.8 s in (frames 110-114) a phone's noise suppressor gates
    # its harmonics: the level dips 12 dB and the band median 10 dB, the pitch holds, the tracker stays
    # nearly as sure (0.88 -> 0.84), the quietest bands (the call's background) stay at -45 dB, and the
    # note comes back with its harmonics re-weighted (the suppressor's floor caught up with some: the
    # upper half of the envelope 8 dB down against the lower, 4 dB rms off its shape before the gate)
    n = 180
    note = np.zeros(n, bool)
    note[30:150] = True
    dip = np.zeros(n, bool)
    dip[110:115] = True
    midi = np.where(note, 60.0, 0.0)
    level = np.where(note, np.where(dip, -32.0, -20.0), -60.0)
    bands = np.where(note, np.where(dip, -30.0, -20.0), -60.0)
    same = np.tile(np.where(note, np.where(dip, -32.0, -20.0), -60.0), (10, 1))
    reweighted = same.copy()
    reweighted[5:, 115:150] -= 8.0
    conf = np.where(note, np.where(dip, 0.84, 0.88), 0.0)
    quiet = np.where(note, -45.0, -60.0)
    assert len(segment_notes(_track(midi, conf), level, None, bands, reweighted, quiet_level_db=quiet)) == 1
    # the same dip where the voice comes back with the shape it had (a singer's legato repeat of the
    # same vowel, on a clean call whose background holds the quietest bands) is two notes
    notes = segment_notes(_track(midi, conf), level, None, bands, same, quiet_level_db=quiet)
    assert len(notes) == 2 and 1.08 <= notes[1].onset_s <= 1.16
    # and so is a legato repeat whose voice takes the quietest bands down with it (-45 -> -55 dB)
    repeat = np.where(dip, -55.0, quiet)
    notes = segment_notes(_track(midi, conf), level, None, bands, reweighted, quiet_level_db=repeat)
    assert len(notes) == 2 and 1.08 <= notes[1].onset_s <= 1.16
    # and a re-attack where the tracker's confidence falters (0.88 -> 0.6), the bands held or not
    falter = np.where(dip, 0.6, conf)
    assert len(segment_notes(_track(midi, falter), level, None, bands, reweighted, quiet_level_db=quiet)) == 2
    # a gate in the note's first 0.3 s is read as a re-attack still (the suppressor's floor needs longer)
    early = np.zeros(n, bool)
    early[50:55] = True
    level_e = np.where(note, np.where(early, -32.0, -20.0), -60.0)
    bands_e = np.where(note, np.where(early, -30.0, -20.0), -60.0)
    reweighted_e = np.tile(np.where(note, np.where(early, -32.0, -20.0), -60.0), (10, 1))
    reweighted_e[5:, 55:150] -= 8.0
    assert len(segment_notes(_track(midi, conf), level_e, None, bands_e, reweighted_e, quiet_level_db=quiet)) == 2


def test_envelope_shift_reads_the_strong_harmonics_shape_after_a_frame_against_before():
    env = np.full((10, 40), -20.0)
    env[:, 17:24] = -32.0            # a dip at frame 20: its own frames are left out
    assert envelope_shift_db(env, 20, 12) == pytest.approx(0.0)
    env[5:, 24:] -= 6.0              # the upper half 6 dB down after it: 3 dB rms off the shape
    assert envelope_shift_db(env, 20, 12) == pytest.approx(3.0)
    env[9, :17] = -70.0              # a point over 12 dB under the strongest reads the background: left out
    env[9, 24:] = -50.0
    after = np.r_[np.zeros(5), np.full(4, -6.0)]
    assert envelope_shift_db(env, 20, 12) == pytest.approx(np.sqrt(np.mean((after - after.mean()) ** 2)))


def test_callers_low_note_a_phrase_after_a_callers_note_widens_the_range_when_it_has_the_callers_voice():
    # a child's lowest note (its fundamental under the phone band's 300 Hz cut, so it reads 9 dB under
    # the caller's level and is no anchor) 4 st under the caller's other notes (60-63), 0.15 s after
    # the last of them, as harmonic as the caller and held: with the caller's spectral envelope it
    # is theirs and widens their range; with another voice's, or with no timbre known, it is out
    # of the caller's range and dropped
    notes, levels, runs = _with_caller([(4.05, 4.35, 56.0, -9.0, 1)])
    _assert_kept_only_with_the_callers_timbre(notes, levels, runs, 4.05)


def _lead_in_call(lead: tuple[float, float, float, float], lead_timbre: np.ndarray | None, *, lead_in: bool = True,
                  talkers: bool = True):
    """A call whose caller sings eight 0.4 s notes from 1.0 s (a tune from MIDI 67 down to 56 and back, 0 dB,
    each its own voiced run, the caller's spectral envelope) after one note ``lead`` (onset, offset, midi,
    level dB) with envelope ``lead_timbre`` (None: the caller's) before the first, and with ``talkers`` the
    two quiet talker syllables of :data:`_QUIET_TALKERS` in the tune's gaps: whether that note is kept."""
    tune = [67.0, 63.0, 60.0, 56.0, 58.0, 60.0, 63.0, 65.0]
    rows = [lead + (1,)] + [(1.0 + 0.5 * i, 1.4 + 0.5 * i, m, 0.0, 100 + i) for i, m in enumerate(tune)]
    if talkers:
        rows = sorted(rows + _QUIET_TALKERS)
    notes = [NoteEvent(a, b, m, 0.9) for a, b, m, _, _ in rows]
    timbre = _timbres(len(notes))
    if lead_timbre is not None:
        timbre[0] = lead_timbre
    kept = keep_callers_notes(notes, np.array([r[3] for r in rows]), np.array([r[4] for r in rows]),
                              np.ones(len(notes)), timbre=timbre, lead_in=lead_in)
    return lead[0] in [n.onset_s for n in kept]


def test_talker_before_the_callers_first_note_adds_no_note():
    # before the caller sings, a talker is the only voice, so the level window takes it for the caller; the
    # caller's held notes give their own voice instead.
    # 0.24 s (too long for the short-note timbre test), 5 dB under the caller, a semitone from the first
    # note, with another voice's spectral envelope (3.5 or more from the caller's): a talker
    other_voice = _CALLER_TIMBRE[::-1]
    assert _lead_in_call((0.5, 0.74, 66.0, -5.0), other_voice, lead_in=False)   # kept without the rule
    assert not _lead_in_call((0.5, 0.74, 66.0, -5.0), other_voice)
    # as loud as an anchor, 2.5 from the caller's timbre, leaping 13 st (over an octave) into the first note:
    # a talker's syllable, not a pickup
    far = _timbres(1, far=[0])[0]
    assert _lead_in_call((0.7, 0.85, 54.0, -5.0), far, lead_in=False)   # kept without the rule
    assert not _lead_in_call((0.7, 0.85, 54.0, -5.0), far)
    # the caller's own pickups stay: a soft one 10 dB under the caller stepping a tone into the first note,
    # one leaping 13 st into it with the caller's envelope at the caller's level, and one a major sixth
    # under it (9 st, within an octave) whose envelope a codec moved to 2.5 from the caller's
    assert _lead_in_call((0.6, 0.85, 65.0, -10.0), None)
    assert _lead_in_call((0.7, 0.85, 54.0, -3.0), None)
    assert _lead_in_call((0.7, 0.85, 58.0, -5.0), far)


def test_faint_lead_in_in_another_voice_is_a_talker_even_when_it_steps_into_the_tune():
    # 9 dB under the caller and 2.5 from their timbre, a talker's syllable a major sixth or a tone under the
    # first note steps into the tune like a pickup; both marks of another voice at once: dropped where talkers
    # sing behind the caller, kept without the rule and in a call without talkers
    far = _timbres(1, far=[0])[0]
    for midi in (58.0, 65.0):
        assert _lead_in_call((0.7, 0.85, midi, -9.0), far, lead_in=False)
        assert not _lead_in_call((0.7, 0.85, midi, -9.0), far)
        assert _lead_in_call((0.7, 0.85, midi, -9.0), far, talkers=False)
    # either mark alone stays: as faint in the caller's envelope, or in another envelope at an anchor's level
    assert _lead_in_call((0.7, 0.85, 65.0, -9.0), None)
    assert _lead_in_call((0.7, 0.85, 65.0, -5.0), far)


def test_lead_in_rule_needs_talkers_where_the_caller_sings():
    # the same two lead-ins, in a call with no talker after the caller's first held note (a clean hum whose
    # first held note comes late: Yankee Doodle @150 lost five sung notes to the ungated rule), stay: the
    # marks the rule reads (a leap, another envelope) are the caller's own now and then
    other_voice = _CALLER_TIMBRE[::-1]
    far = _timbres(1, far=[0])[0]
    assert not _lead_in_call((0.5, 0.74, 66.0, -5.0), other_voice)   # talkers in the tune's gaps: dropped
    assert _lead_in_call((0.5, 0.74, 66.0, -5.0), other_voice, talkers=False)
    assert not _lead_in_call((0.7, 0.85, 54.0, -5.0), far)
    assert _lead_in_call((0.7, 0.85, 54.0, -5.0), far, talkers=False)


def _trail_out_call(trail: list[tuple[float, float, float, float]], *, trail_out: bool = True,
                    far: Sequence[int] = ()) -> list[bool]:
    """A call whose caller sings eight 0.4 s notes from 1.0 s (the tune of :func:`_lead_in_call`, 0 dB, each
    its own voiced run, the caller's spectral envelope, the last ending at 4.9 s), then the notes ``trail``
    (onset, offset, midi, level dB; the caller's envelope, or another voice's (2.5 from it) for the indices
    ``far`` of ``trail``; their own voiced runs): whether each is kept."""
    tune = [67.0, 63.0, 60.0, 56.0, 58.0, 60.0, 63.0, 65.0]
    rows = ([(1.0 + 0.5 * i, 1.4 + 0.5 * i, m, 0.0, 100 + i) for i, m in enumerate(tune)]
            + [t + (200 + j,) for j, t in enumerate(trail)])
    notes = [NoteEvent(a, b, m, 0.9) for a, b, m, _, _ in rows]
    kept = keep_callers_notes(notes, np.array([r[3] for r in rows]), np.array([r[4] for r in rows]),
                              np.ones(len(notes)), timbre=_timbres(len(notes), far=[len(tune) + j for j in far]),
                              trail_out=trail_out)
    onsets = [n.onset_s for n in kept]
    return [t[0] in onsets for t in trail]


def test_talker_after_the_callers_last_note_adds_no_note():
    # once the tune has ended, a talker is the only voice again and passes the level window as a weak note
    # of the caller's: two 0.15 s syllables 10 and 12 dB under the caller, the first 0.4 s after the caller's
    # last note (more than a phrase gap), the second 0.15 s after the first (measured from the caller's last
    # note, not from the dropped syllable): both kept without the rule, both dropped with it
    talker = [(5.3, 5.45, 64.0, -10.0), (5.6, 5.75, 62.0, -12.0)]
    assert _trail_out_call(talker, trail_out=False) == [True, True]
    assert _trail_out_call(talker) == [False, False]
    # the caller's own endings stay: a soft note 10 dB under following the last note legato, or 0.1 s after
    # it (within a phrase gap), and another phrase after a rest sung at the caller's level (3 dB under)
    assert _trail_out_call([(4.9, 5.05, 64.0, -10.0)]) == [True]
    assert _trail_out_call([(5.0, 5.15, 64.0, -10.0)]) == [True]
    assert _trail_out_call([(5.3, 5.45, 64.0, -3.0)]) == [True]
    # a soft short note after a breath is the caller's when the caller sings on at their own level after it
    # (a fast tune whose last held note comes early: held-out r6 heldout_054)
    assert _trail_out_call([(5.3, 5.45, 64.0, -10.0), (5.5, 5.65, 62.0, -1.0)]) == [True, True]
    # and a held note with the caller's envelope is theirs however faint (a dropout's or a suppressor's duck)
    assert _trail_out_call([(5.3, 5.8, 64.0, -12.0)]) == [True]


def test_faint_note_in_another_voice_after_the_tune_is_a_talker_even_without_a_rest():
    # 10 dB under the caller and 2.5 from their timbre, following the caller's last note legato or within a
    # phrase gap: both marks of another voice at once, so a talker's, rest or none
    for onset in (4.9, 5.0):
        note = [(onset, onset + 0.15, 64.0, -10.0)]
        assert _trail_out_call(note, far=[0], trail_out=False) == [True]
        assert _trail_out_call(note, far=[0]) == [False]
    # either mark alone stays: as faint in the caller's envelope (above), or in another envelope at an
    # anchor's level (5 dB under)
    assert _trail_out_call([(5.0, 5.15, 64.0, -5.0)], far=[0]) == [True]


def test_loud_talkers_long_notes_do_not_stretch_the_register_a_short_note_is_judged_by():
    # a child sings 0.4 s notes at 70-73; adult talkers as loud as the child hold 0.4 s syllables
    # 18-20 st under (anchors by level, another voice by timbre) and mutter two faint ones; a loud
    # 0.2 s note at 52 is out of the child's register, though within 7 st of the talkers' notes
    rows = [(0.5 * i, 0.5 * i + 0.4, 70.0 + (i % 4), 0.0, 100 + i) for i in range(12)]
    rows += [(6.0 + 0.5 * i, 6.4 + 0.5 * i, 50.0 + i, 0.0, 200 + i) for i in range(2)]
    rows += [(1.41, 1.5, 57.0, -16.0, 2), (2.41, 2.5, 66.0, -16.0, 3), (7.1, 7.3, 52.0, 0.0, 4)]
    rows.sort()
    notes = [NoteEvent(a, b, m, 0.9) for a, b, m, _, _ in rows]
    levels, runs = np.array([r[3] for r in rows]), np.array([r[4] for r in rows])
    timbre = _timbres(len(notes))
    timbre[[i for i, n in enumerate(notes) if 6.0 <= n.onset_s < 7.0]] = _CALLER_TIMBRE[::-1]
    steady = np.ones(len(notes))
    # the timbre model is learned on every held anchor, the talkers' too, so they stand only 1.6 from it here
    kept = keep_callers_notes(notes, levels, runs, steady, timbre=timbre, register_z=1.0)
    assert 7.1 not in [n.onset_s for n in kept]
    assert 7.1 in [n.onset_s for n in keep_callers_notes(notes, levels, runs, steady, timbre=timbre, register_z=None)]
