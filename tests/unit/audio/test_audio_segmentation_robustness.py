"""Segmentation and tempo behaviours added for generalisation (vibrato level wobble,
weakly voiced short notes, tempo octave from the melody's note motion)."""
import numpy as np
import pytest

from humitout.audio.f0 import PitchTrack
from humitout.audio.notes.reattack import confidence_dip, detrend_vibrato_level, dip_cuts, envelope_change_db
from humitout.audio.notes.segment import segment_notes
from humitout.audio.notes.voicing import rescue_weak_voicing
from humitout.audio.tempo import estimate_tempo

HOP = 0.01


def _track(midi, conf):
    midi = np.asarray(midi, float)
    conf = np.asarray(conf, float)
    return PitchTrack(hz=440.0 * 2.0 ** ((midi - 69.0) / 12.0), confidence=conf, voiced=conf >= 0.5, hop_s=HOP)


def _vibrato_note(dur_s=1.6, midi=55.0, rate=5.5, extent_st=0.4, wobble_db=5.0):
    """One held low note with vibrato; the level wobbles in step with the pitch (formant/band sweep)."""
    t = np.arange(int(dur_s / HOP)) * HOP
    vib = np.sin(2 * np.pi * rate * t)
    m = midi + extent_st * vib
    e = -30.0 + wobble_db * vib          # peak-to-peak 2 x wobble_db, dips between the peaks
    return m, e


def _pad(m, e, lead=20):
    m = np.r_[np.full(lead, np.nan), m, np.full(lead, np.nan)]
    e = np.r_[np.full(lead, -80.0), e, np.full(lead, -80.0)]
    conf = np.where(np.isfinite(m), 0.9, 0.0)
    return np.nan_to_num(m, nan=50.0), e, conf


def _segment_pitch(m):
    """Notes of a pitch contour ``m`` (MIDI, 10 ms frames) sung at a steady -30 dB level, padded with silence."""
    m, e, conf = _pad(np.array(m, float), np.full(len(m), -30.0))
    return segment_notes(_track(m, conf), e)


def test_vibrato_level_wobble_does_not_split_a_held_note():
    m, e = _vibrato_note()
    m, e, conf = _pad(m, e)
    notes = segment_notes(_track(m, conf), e)
    assert len(notes) == 1
    assert abs(notes[0].midi - 55.0) < 0.3


def test_detrending_removes_only_the_pitch_locked_part_of_the_level():
    m, e = _vibrato_note(wobble_db=4.0)
    # a re-attack dip at 0.8 s (60 ms wide, 8 dB) that has nothing to do with the pitch
    t = np.arange(len(e)) * HOP
    dip = 8.0 * np.clip(1 - np.abs(t - 0.8) / 0.03, 0, 1)
    d = detrend_vibrato_level(e - dip, m, 25)
    core = (t > 0.3) & (t < 1.3) & (np.abs(t - 0.8) > 0.06)
    assert np.ptp(d[core]) < 3.0                          # wobble (8 dB peak-to-peak) mostly gone
    i = int(round(0.8 / HOP))
    assert d[i - 8:i + 9].max() - d[i] >= 5.0             # the dip survives


def test_vibrato_note_with_a_soft_re_attack_is_split_once():
    m, e = _vibrato_note(dur_s=1.6, wobble_db=4.0)
    t = np.arange(len(e)) * HOP
    e = e - 7.0 * np.clip(1 - np.abs(t - 0.8) / 0.035, 0, 1)   # "mm" re-attack of a repeated note
    m, e, conf = _pad(m, e)
    notes = segment_notes(_track(m, conf), e)
    assert len(notes) == 2
    assert abs(notes[1].onset_s - (0.2 + 0.8)) < 0.05


def test_short_weakly_voiced_note_with_steady_pitch_is_kept():
    # 0.8 s note (conf 0.9), gap, 0.12 s note whose confidence only reaches 0.4, gap, 0.8 s note
    m = np.r_[np.full(80, 60.0), np.full(10, 40.0), np.full(12, 62.0), np.full(10, 40.0), np.full(80, 64.0)]
    conf = np.r_[np.full(80, 0.9), np.full(10, 0.05), np.full(12, 0.4), np.full(10, 0.05), np.full(80, 0.9)]
    e = np.where(conf > 0.1, -30.0, -45.0)
    m, e, conf = np.r_[np.full(10, 50.0), m, np.full(10, 50.0)], np.r_[np.full(10, -80.0), e, np.full(10, -80.0)], \
        np.r_[np.zeros(10), conf, np.zeros(10)]
    notes = segment_notes(_track(m, conf), e)
    assert [round(n.midi) for n in notes] == [60, 62, 64]


def test_weak_voicing_with_wandering_pitch_stays_unvoiced():
    n = 30
    m = 60.0 + np.linspace(-4, 4, n)                       # a glide / noise, no steady pitch
    conf = np.full(n, 0.35)
    out = rescue_weak_voicing(m, conf, conf >= 0.5, np.ones(n, bool), 7)
    assert out.sum() < 7


def _onsets(bpm, beats):
    return np.cumsum(np.r_[0.0, np.asarray(beats[:-1], float)]) * 60.0 / bpm + 0.5


@pytest.mark.parametrize("bpm", [72.0, 144.0])
def test_tempo_octave_follows_eighth_note_motion(bpm):
    # eighth-eighth-quarter: a pulse at twice the tempo is just as regular, but reads as quarters and halves
    beats = [0.5, 0.5, 1.0] * 10 + [2.0]
    on = _onsets(bpm, beats)
    off = on + 0.9 * np.asarray(beats) * 60.0 / bpm
    est = estimate_tempo(on, off, float(off[-1] + 0.5))
    assert abs(est.bpm - bpm) <= 0.04 * bpm


def test_legato_steps_after_a_slow_glide_each_become_a_note():
    """50 -> 46 -> 48 -> 50 sung legato (no level dip), shaped like a measured "mm" hum: four notes.

    The 50 -> 46 glide is seen as one excursion reaching on to 48 and 50; the cut
    must take the next note's pitch only, and the new note's reference must not
    start on a glide frame (which sits near 48 and would swallow the 48 note).
    """
    m = np.r_[np.full(25, 50.0), [49.7, 49.3, 48.5, 47.4, 46.7, 46.1], np.full(25, 46.0),
              [46.2, 46.4, 46.8, 47.2, 47.6, 47.8], np.full(23, 48.0), [48.3, 48.7, 49.3, 49.7],
              np.full(25, 50.0)]
    e = np.full(len(m), -25.0)
    m, e, conf = _pad(m, e)
    notes = segment_notes(_track(m, conf), e)
    assert [round(n.midi) for n in notes] == [50, 46, 48, 50]


def _notch_at_vibrato_top(dur_s=1.6, midi=69.0, rate=5.5, extent_st=0.12, notch_db=10.0, robust_db=6.0, lag=2):
    """A high held note whose strong fundamental meets a sharp room notch at the top of each
    vibrato cycle: the level dips ``notch_db`` there (and the band level ``robust_db``, the
    fundamental filling two bands), ``lag`` frames after the pitch peak."""
    t = np.arange(int(dur_s / HOP)) * HOP
    m = midi + extent_st * np.sin(2 * np.pi * rate * t)
    notch = np.exp(-(((np.r_[m[:lag], m[:-lag]]) - (midi + extent_st)) / 0.03) ** 2)   # the level lags the pitch
    return m, -30.0 - notch_db * notch, 5.0 - robust_db * notch


def test_held_note_dipping_at_each_vibrato_top_stays_one_note():
    m, e, r = _notch_at_vibrato_top()
    m, e, conf = _pad(m, e)
    r = np.r_[np.full(20, -60.0), r, np.full(20, -60.0)]
    notes = segment_notes(_track(m, conf), e, dip_level_db=r)
    assert len(notes) == 1


def _dip_every_vibrato_cycle(dur_s=1.6, midi=60.0, rate=5.5, lag=4, raw_db=7.0, robust_db=5.0):
    """A held note whose vibrato widens (0.1 to 0.35 semitones) while the level dips ``raw_db`` (the
    notch-robust level ``robust_db``) once per cycle, ``lag`` frames after each top: reverb and the
    level's window move a room notch's dip off the pitch that caused it, so the pitch at the dip is one
    the vibrato passes loud in other cycles."""
    t = np.arange(int(dur_s / HOP)) * HOP
    phase = 2 * np.pi * rate * t
    m = midi + np.linspace(0.1, 0.35, len(t)) * np.sin(phase)
    top = np.cos(np.r_[np.full(lag, np.pi), phase[:-lag]] - np.pi / 2)      # 1 at each (lagged) top
    dip = np.clip((top - 0.8) / 0.2, 0, 1)
    return m, -30.0 - raw_db * dip, 5.0 - robust_db * dip


def test_held_note_dipping_once_per_vibrato_cycle_off_the_pitch_the_notch_veto_reads_stays_one_note():
    m, e, r = _dip_every_vibrato_cycle()
    m, e, conf = _pad(m, e)
    r = np.r_[np.full(20, -60.0), r, np.full(20, -60.0)]
    assert len(segment_notes(_track(m, conf), e, dip_level_db=r)) == 1


def test_repeat_with_the_same_vibrato_and_a_one_off_dip_still_splits():
    m, e, r = _notch_at_vibrato_top(notch_db=0.0, robust_db=0.0)
    t = np.arange(len(e)) * HOP
    dip = np.clip(1 - np.abs(t - 0.8) / 0.035, 0, 1)             # the re-articulation of a repeated note
    m, e, conf = _pad(m, e - 8.0 * dip)
    r = np.r_[np.full(20, -60.0), r - 6.0 * dip, np.full(20, -60.0)]
    notes = segment_notes(_track(m, conf), e, dip_level_db=r)
    assert len(notes) == 2
    assert abs(notes[1].onset_s - (0.2 + 0.8)) < 0.05


def test_attack_scoop_does_not_teach_the_vibrato_detrend_a_false_wobble():
    # a steady note whose first frames scoop down onto the pitch while the level still rises out
    # of silence (a note starting right after a dropout): the ramp drags the run's moving averages
    # for a window's length, which is not a pitch-locked wobble; learnt as one, it carves dips out
    # of the flat level wherever the tiny vibrato goes flat
    t = np.arange(100) * HOP
    m = 64.0 + 0.035 * np.sin(2 * np.pi * 5.0 * t)
    m[:3] += [0.38, 0.13, 0.05]
    e = np.full(100, -23.0)
    e[:3] = [-67.0, -35.0, -28.0]
    m, e, conf = _pad(m, e)
    e[:20] = -100.0                      # digital silence before it: the ramp rises out of it, so it is voiced
    assert len(segment_notes(_track(m, conf), e)) == 1


def _held_with_dip(broadband_db: float, robust_db: float):
    """A held note (1.6 s, MIDI 60) whose level and notch-robust level dip once, 90 ms wide, at 0.8 s."""
    t = np.arange(160) * HOP
    shape = np.clip(1.5 - np.abs(t - 0.8) / 0.03, 0, 1)
    m, e, conf = _pad(np.full(160, 60.0), -30.0 - broadband_db * shape)
    robust = np.r_[np.full(20, -80.0), -30.0 - robust_db * shape, np.full(20, -80.0)]
    return _track(m, conf), e, robust


def test_reverb_filled_re_attack_dipping_4_5_db_in_both_levels_splits_the_note():
    track, e, robust = _held_with_dip(4.5, 4.5)
    assert len(segment_notes(track, e, None, robust)) == 2


def _with_consonant(track, at_s: float, conf_drop: float, formant_db: float):
    """``track`` whose voicing confidence falls by ``conf_drop`` for about 60 ms around ``at_s`` s, and
    a spectral envelope (:func:`harmonic_envelope_db`'s 10 grid points) whose 3rd-5th points rise
    ``formant_db`` dB over the same frames (a consonant moving the formants; -120 dB where unvoiced)."""
    t = np.arange(len(track.confidence)) * HOP
    bump = np.clip(1 - np.abs(t - at_s) / 0.03, 0, 1)
    conf = track.confidence - conf_drop * bump
    env = np.linspace(0.0, -20.0, 10)[:, None] - 30.0 + np.zeros((10, len(t)))
    env[2:5] += formant_db * bump
    env[:, track.confidence == 0] = -120.0
    return PitchTrack(hz=track.hz, confidence=conf, voiced=conf >= 0.5, hop_s=HOP), env


def _split_args(track, e, robust, conf_drop, formant_db):
    """segment_notes' arguments for a held note with a consonant of that strength at 1.0 s."""
    track, env = _with_consonant(track, 1.0, conf_drop, formant_db)
    return track, e, None, robust, env


def test_3_5_db_re_attack_dip_where_the_tracker_falters_and_the_formants_move_splits_the_note():
    # reverb fills a consonant between repeated notes to 3.5 dB in both levels (under DIP_BOTH_DB);
    # the consonant still takes the tracker's confidence down 0.25 and moves the formants
    track, e, robust = _held_with_dip(3.5, 3.5)
    notes = segment_notes(*_split_args(track, e, robust, 0.25, 10.0))
    assert len(notes) == 2
    assert abs(notes[1].onset_s - 1.0) < 0.05


def test_3_5_db_dip_the_tracker_stays_sure_through_does_not_split_the_note():
    track, e, robust = _held_with_dip(3.5, 3.5)
    assert len(segment_notes(*_split_args(track, e, robust, 0.0, 10.0))) == 1


def test_3_5_db_dip_with_a_confidence_wobble_but_the_same_vowel_does_not_split_the_note():
    # a codec's confidence wobble at a level dip leaves the envelope where it was
    track, e, robust = _held_with_dip(3.5, 3.5)
    assert len(segment_notes(*_split_args(track, e, robust, 0.25, 0.0))) == 1


def test_re_attack_dips_at_one_repeated_pitch_escape_the_notch_veto_when_they_are_consonants():
    # three repeats of one pitch, each re-attack dipping 6 dB with the pitch sagging 0.15 st: every
    # dip's pitch is loud nowhere else, so the notch veto takes each for a room notch; the
    # consonants' confidence dips and formant moves tell them from a notch
    t = np.arange(160) * HOP
    shape = np.clip(sum(np.clip(1.5 - np.abs(t - c) / 0.03, 0, 1) for c in (0.4, 0.8, 1.2)), 0, 1)
    m, e = 60.0 - 0.15 * shape, -30.0 - 6.0 * shape
    env = np.linspace(0.0, -20.0, 10)[:, None] - 30.0 + np.zeros((10, 160))
    env[2:5] += 10.0 * shape
    assert dip_cuts(e, 12, 3, e.copy(), m, conf=np.full(160, 0.9), envelope=env) == []
    assert dip_cuts(e, 12, 3, e.copy(), m, conf=0.9 - 0.25 * shape, envelope=env) == [39, 79, 119]


def test_confidence_sagging_into_a_notes_end_is_no_dip():
    conf = np.r_[np.full(20, 0.9), np.linspace(0.9, 0.5, 10)]
    assert confidence_dip(conf, 22, 12) < 0.05
    assert confidence_dip(np.r_[conf[:25], np.full(12, 0.9)], 22, 12) > 0.15


def test_envelope_change_reads_a_formant_move_not_a_level_change():
    env = np.linspace(0.0, -20.0, 10)[:, None] + np.zeros((10, 30))
    louder = env.copy()
    louder[:, 13:18] += 8.0              # the same vowel, 8 dB louder
    assert envelope_change_db(louder, 15, 12) < 0.01
    moved = env.copy()
    moved[2:5, 13:18] += 10.0            # three grid points 10 dB up: a formant moved
    assert envelope_change_db(moved, 15, 12) > 3.5


def test_4_5_db_dip_the_notch_robust_level_barely_shows_does_not_split_the_note():
    track, e, robust = _held_with_dip(4.5, 2.0)
    assert len(segment_notes(track, e, None, robust)) == 1


def test_held_note_a_room_notch_takes_under_the_level_gate_stays_one_note_when_the_notch_robust_level_holds():
    # the broadband level drops 20 dB for ~50 ms (under the gate's TAIL_DB line) while the tracker
    # keeps the pitch: a notch in one or two bands leaves the notch-robust level 2 dB down
    track, e, robust = _held_with_dip(20.0, 2.0)
    assert len(segment_notes(track, e, None, robust)) == 1
    # a release both levels show (8 dB in the notch-robust one) still ends the note
    track, e, robust = _held_with_dip(20.0, 8.0)
    assert len(segment_notes(track, e, None, robust)) == 2


def _note_after_a_slow_attack(attack_db, attack_midi=57.0, attack_conf=0.6):
    """A note (MIDI 60, 0.2-0.8 s, -25 dB) whose tail decays to -50 dB by 0.9 s, then six frames of
    ``attack_db`` (dB) at ``attack_midi`` voiced with ``attack_conf``, then a note at MIDI 57 from 0.96 s."""
    m = np.r_[np.full(60, 60.0), np.full(10, 60.0), np.full(6, attack_midi), np.full(60, 57.0)]
    e = np.r_[np.full(60, -25.0), np.linspace(-28.0, -50.0, 10), attack_db, np.full(60, -25.0)]
    conf = np.r_[np.full(70, 0.9), np.full(6, attack_conf), np.full(60, 0.9)]
    m, e = np.r_[np.full(20, 50.0), m, np.full(20, 50.0)], np.r_[np.full(20, -80.0), e, np.full(20, -80.0)]
    return _track(m, np.r_[np.zeros(20), conf, np.zeros(20)]), e


def test_slow_attack_under_the_level_gate_still_gives_the_notes_onset():
    # a speakerphone: the tracker holds the new pitch 60 ms while the level climbs from 16 to 20 dB
    # under the note's peak (under the gate's TAIL_DB line); the note starts where its pitch does
    track, e = _note_after_a_slow_attack(np.linspace(-45.0, -41.0, 6))
    notes = segment_notes(track, e)
    assert [round(n.midi) for n in notes] == [60, 57]
    assert abs(notes[1].onset_s - 0.88) < 0.015


def test_gated_frames_that_do_not_climb_out_of_the_gap_leave_the_onset_alone():
    # the floor of the gap (a reverb tail's end, or the bottom of a dip between repeated notes) at the
    # new pitch is no attack yet, nor are frames the tracker only weakly voices
    for attack_db, conf in ((np.full(6, -50.0), 0.6), (np.linspace(-45.0, -41.0, 6), 0.4)):
        track, e = _note_after_a_slow_attack(attack_db, attack_conf=conf)
        notes = segment_notes(track, e)
        assert [round(n.midi) for n in notes] == [60, 57]
        assert abs(notes[1].onset_s - 0.94) < 0.015


def _quiet_note_after_a_loud_one(heard_midi=59.0, heard_db=-33.0, before=66.0, after=59.0):
    """A loud note (MIDI ``before``, 0.2-0.8 s, -14 dB), its reverberant tail at its own pitch for 80 ms
    (conf 0.3, -20 to -30 dB), 80 ms the tracker hears at ``heard_midi`` (conf 0.4, ``heard_db`` dB), then a
    note at ``after`` (conf 0.9, -33 dB: a lower note a speakerphone renders 19 dB quieter) until 1.6 s."""
    m = np.r_[np.full(60, before), np.full(8, before), np.full(8, heard_midi), np.full(64, after)]
    e = np.r_[np.full(60, -14.0), np.linspace(-20.0, -30.0, 8), np.full(8, heard_db), np.full(64, -33.0)]
    conf = np.r_[np.full(60, 0.9), np.full(8, 0.3), np.full(8, 0.4), np.full(64, 0.9)]
    m, e = np.r_[np.full(20, 50.0), m, np.full(20, 50.0)], np.r_[np.full(20, -80.0), e, np.full(20, -80.0)]
    return _track(m, np.r_[np.zeros(20), conf, np.zeros(20)]), e


def test_quiet_note_heard_through_the_last_notes_tail_starts_where_its_pitch_is_heard():
    # the level gate (15 dB under the loud note within 0.3 s) cuts the quiet note's first 0.3 s and the
    # tracker hears its pitch only weakly through the tail; a tail keeps its own note's pitch, so the
    # frames at the new pitch are the new note's attack: it starts at 0.88 s (less the voicing lead), not 1.10 s
    track, e = _quiet_note_after_a_loud_one()
    notes = segment_notes(track, e)
    assert [round(n.midi) for n in notes] == [66, 59]
    assert abs(notes[1].onset_s - 0.86) < 0.015


def test_frames_nearer_the_last_notes_pitch_or_under_the_new_notes_level_are_no_attack():
    # the note's own frames the gate cut are still its start (0.96 s less the voicing lead), but not
    # frames before them 0.3 st off the last note (a semitone step: its tail) ...
    track, e = _quiet_note_after_a_loud_one(heard_midi=60.3, before=60.0, after=61.0)
    notes = segment_notes(track, e)
    assert [round(n.midi) for n in notes] == [60, 61]
    assert abs(notes[1].onset_s - 0.94) < 0.005
    # ... nor frames at the new pitch 12 dB under it (the gap before the note: a consonant)
    track, e = _quiet_note_after_a_loud_one(heard_db=-45.0)
    notes = segment_notes(track, e)
    assert [round(n.midi) for n in notes] == [66, 59]
    assert abs(notes[1].onset_s - 0.94) < 0.005


def _staccato(burst_conf, burst_midi=None):
    """0.5 s note, a 0.09 s staccato note between short rests, 0.5 s note; the short one's vowel is
    heard for 5 frames at ``burst_conf``, its attack and release keep its pitch at confidence 0.1."""
    burst_midi = np.full(len(burst_conf), 72.0) if burst_midi is None else np.asarray(burst_midi, float)
    edge = np.full(2, 72.0)
    m = np.r_[np.full(10, 50.0), np.full(50, 67.0), np.full(8, 50.0), edge, burst_midi, edge,
              np.full(8, 50.0), np.full(50, 65.0), np.full(10, 50.0)]
    conf = np.r_[np.zeros(10), np.full(50, 0.95), np.full(8, 0.02), np.full(2, 0.1), burst_conf,
                 np.full(2, 0.1), np.full(8, 0.02), np.full(50, 0.95), np.zeros(10)]
    e = np.r_[np.full(10, -80.0), np.full(50, -25.0), np.full(8, -55.0), np.full(2, -32.0),
              np.full(len(burst_conf), -26.0), np.full(2, -32.0), np.full(8, -55.0), np.full(50, -25.0),
              np.full(10, -80.0)]
    return _track(m, conf), e


def test_short_staccato_note_heard_for_a_few_frames_is_kept():
    # a child's "da" of 0.09 s: its vowel reaches confidence 0.3-0.7 for 5 frames only (under MIN_NOTE_S)
    track, e = _staccato(np.array([0.3, 0.55, 0.7, 0.6, 0.35]))
    notes = segment_notes(track, e)
    assert [round(n.midi) for n in notes] == [67, 72, 65]
    assert abs(notes[1].onset_s - 0.68) < 0.05


def test_short_burst_without_a_steady_pitch_stays_unvoiced():
    track, e = _staccato(np.array([0.3, 0.55, 0.7, 0.6, 0.35]), burst_midi=[70.0, 71.0, 72.0, 73.0, 74.0])
    assert [round(n.midi) for n in segment_notes(track, e)] == [67, 65]


def _attack_read_at_a_partial(head_midi, before=66.0, after=58.3, head=6):
    """A loud note (MIDI ``before``, 0.2-0.8 s, -20 dB), its reverberant tail at its own pitch for 60 ms
    (conf 0.3), ``head`` frames (10 ms) the tracker reads at ``head_midi`` (conf 0.45, -32 dB: the next
    note's attack), two frames gliding into the next note, then that note at ``after``, weakly (conf 0.35)
    for 0.1 s and then clearly (conf 0.9), at -32 dB, ending 0.74 s after the head starts."""
    tail = 12 - head
    m = np.r_[np.full(60, before), np.full(tail, before), np.full(head, head_midi), [49.5, 56.9], np.full(60, after)]
    e = np.r_[np.full(60, -20.0), np.linspace(-26.0, -31.0, tail), np.full(62 + head, -32.0)]
    conf = np.r_[np.full(60, 0.9), np.full(tail, 0.3), np.full(head, 0.45), np.full(2, 0.4), np.full(10, 0.35),
                 np.full(50, 0.9)]
    m, e = np.r_[np.full(20, 50.0), m, np.full(20, 50.0)], np.r_[np.full(20, -80.0), e, np.full(20, -80.0)]
    return _track(m, np.r_[np.zeros(20), conf, np.zeros(20)]), e


def test_attack_the_tracker_reads_an_octave_off_through_the_last_notes_tail_starts_the_note():
    # a speakerphone's room: the new note's fundamental builds under the last note's tail and the tracker
    # reads it an octave low (11.8 st under 58.3) for 60 ms, then glides in: the note starts there (0.86 s
    # less the voicing lead), not where the tracker glides into its pitch (0.94 s)
    track, e = _attack_read_at_a_partial(46.5)
    notes = segment_notes(track, e)
    assert [round(n.midi) for n in notes] == [66, 58]
    assert abs(notes[1].onset_s - 0.84) < 0.005


def test_a_frame_or_two_at_a_partial_before_a_note_is_no_attack():
    # under MIN_JUMP_S (50 ms) at the octave under the note: a talker's or the caller's own consonant in
    # a dry call, whose note starts where the tracker glides into its pitch
    track, e = _attack_read_at_a_partial(46.5, head=2)
    notes = segment_notes(track, e)
    assert [round(n.midi) for n in notes] == [66, 58]
    assert abs(notes[1].onset_s - 0.92) < 0.005


def test_frames_at_a_partial_before_a_leap_out_of_the_callers_line_are_no_attack():
    # 11.7 st under the last note (over CALLER_LEAP_ST): as often a talker's note, whose onset the
    # partial frames do not move
    track, e = _attack_read_at_a_partial(46.5, before=70.0)
    notes = segment_notes(track, e)
    assert [round(n.midi) for n in notes] == [70, 58]
    assert abs(notes[1].onset_s - 0.92) < 0.005


def test_frames_at_a_partial_of_the_last_note_or_at_no_partial_are_no_attack():
    # 46.7 is 19.3 st under the last note (a third of its frequency: its tail) more nearly than an
    # octave under the new one (11.6 st) ...
    for head in (46.7, 52.0):   # ... and 52.0 is no partial of either
        track, e = _attack_read_at_a_partial(head)
        notes = segment_notes(track, e)
        assert [round(n.midi) for n in notes] == [66, 58]
        assert abs(notes[1].onset_s - 0.92) < 0.005   # where the glide into the note begins


def _held_note_then_weak_tail(tail_midi: float) -> tuple[np.ndarray, np.ndarray]:
    """30 frames held at 50 (confidence 0.8), then 15 frames at ``tail_midi`` the tracker hears only weakly (0.35)."""
    m = np.r_[np.full(30, 50.0), np.full(15, tail_midi)]
    conf = np.r_[np.full(30, 0.8), np.full(15, 0.35)]
    return m, conf


def test_weak_short_note_a_step_after_a_held_note_is_voiced():
    m, conf = _held_note_then_weak_tail(48.0)
    out = rescue_weak_voicing(m, conf, conf >= 0.5, np.ones(len(m), bool), 7, tail_ctx=15)
    assert out[30:].all()
    notes = segment_notes(_track(np.r_[np.full(20, np.nan), m, np.full(20, np.nan)],
                                 np.r_[np.zeros(20), conf, np.zeros(20)]), np.full(len(m) + 40, -30.0))
    assert [round(n.midi) for n in notes] == [50, 48]


def test_weak_tail_at_the_held_pitch_stays_a_release():
    m, conf = _held_note_then_weak_tail(50.2)
    out = rescue_weak_voicing(m, conf, conf >= 0.5, np.ones(len(m), bool), 7, tail_ctx=15)
    assert not out[30:].any()


def test_a_held_note_with_a_wide_vibrato_stays_one_note():
    # a trained singer's vibrato, 0.8 st either side of the note at 5.5 Hz: the pitch leaves the running
    # pitch by more than a note change does, and comes back every cycle
    m, e = _vibrato_note(extent_st=0.8, wobble_db=0.0)
    m, e, conf = _pad(m, e)
    notes = segment_notes(_track(m, conf), e)
    assert len(notes) == 1
    assert abs(notes[0].midi - 55.0) < 0.3


def _sung_steps(seq: list[int], frames: list[int]) -> list[float]:
    """A pitch contour (10 ms frames) of the notes ``seq`` (MIDI) held ``frames`` frames each, each step a 30 ms glide."""
    m: list[float] = []
    for k, (pitch, n) in enumerate(zip(seq, frames)):
        m += list(np.linspace(seq[k - 1] if k else pitch, pitch, 4)[1:]) + [pitch] * (n - 3)
    return m


def test_a_legato_trill_of_sung_steps_keeps_its_notes():
    # 64 and 65 in turn every 0.13 s, each step a 30 ms glide: cycles as fast as a vibrato's, but steps
    seq = [64, 65] * 6
    assert [round(n.midi) for n in _segment_pitch(_sung_steps(seq, [13] * len(seq)))] == seq


# 10 ms frames of the tracker's pitch (MIDI) of two calls of the stress corpus's ``vibrato`` condition:
# a 6.5 Hz vibrato 0.9 st either side of 54 whose cycles are uneven (30 ms covers up to 0.73 of a half-cycle
# where a sine's covers 0.59), and a held 60 whose vibrato starts late and widens over its first cycle before a
# leap down to 55; and a held 60 with a vibrato 0.5 st either side, then a leap down to 57 and up to 63, whose
# middle matches the vibrato's
UNEVEN_VIBRATO = [
    53.42, 53.12, 52.94, 53.05, 53.28, 53.65, 54.04, 54.45, 54.71, 54.88, 54.91, 54.76, 54.52, 54.06, 53.65, 53.27,
    53.04, 52.94, 53.01, 53.23, 53.5, 53.87, 54.24, 54.62, 54.81, 54.91, 54.88, 54.62, 54.3, 53.95, 53.58, 53.19,
    52.99, 52.85, 52.79, 53.08, 53.48, 53.94, 54.36, 54.73, 54.82, 54.85, 54.78, 54.44, 54.01, 53.54, 53.24, 53.05,
    52.95, 52.93, 53.05, 53.36, 53.7, 54.02, 54.35, 54.7, 54.79, 54.78, 54.63, 54.28, 53.89, 53.55, 53.23, 52.94,
    52.89, 52.95, 53.16, 53.56, 54.01, 54.47, 54.77, 54.94, 54.88, 54.74, 54.46, 54.09, 53.71, 53.37, 53.1, 52.89
]
LATE_VIBRATO = [
    60.07, 60.06, 60.08, 60.14, 60.23, 60.23, 60.22, 60.2, 60.18, 60.16, 60.13, 60.13, 60.15, 60.16, 60.16, 60.15,
    60.15, 60.15, 60.14, 60.14, 60.12, 60.08, 60.03, 59.94, 59.87, 59.81, 59.77, 59.79, 59.85, 59.99, 60.17, 60.44,
    60.7, 60.92, 61.0, 61.02, 60.99, 60.77, 60.51, 60.19, 59.9, 59.62, 59.34, 59.19, 59.13, 59.16, 59.27, 59.48,
    59.76, 60.07, 60.4, 60.67, 60.9, 60.99, 61.02, 60.96, 60.81, 60.61, 60.32, 60.04, 59.77, 59.57, 59.4, 59.27,
    58.74, 58.06, 57.18, 56.34, 55.52, 55.12, 54.75, 54.44, 54.36, 54.35, 54.36, 54.42, 54.5, 54.57, 54.63, 54.68,
    54.72, 54.74, 54.75, 54.78, 54.82, 54.84, 54.86, 54.86, 54.87, 54.88, 54.87, 54.88, 54.88, 54.93, 55.09
]
LEAPS_AFTER_VIBRATO = [
    59.91, 59.88, 59.86, 59.84, 59.83, 59.82, 59.68, 59.52, 59.4, 59.31, 59.24, 59.23, 59.3, 59.49, 59.72, 59.94,
    60.07, 60.16, 60.23, 60.23, 60.22, 60.18, 60.02, 59.83, 59.65, 59.48, 59.31, 59.25, 59.21, 59.21, 59.26, 59.33,
    59.44, 59.65, 59.91, 60.06, 60.2, 60.32, 60.31, 60.26, 60.13, 60.03, 59.95, 59.88, 59.63, 59.13, 58.41, 57.7,
    57.2, 56.81, 56.5, 56.45, 56.42, 56.41, 56.46, 56.52, 56.56, 56.62, 56.7, 56.79, 56.86, 56.91, 56.9, 56.91,
    57.04, 57.33, 57.72, 58.65, 59.62, 60.64, 61.34, 61.93, 62.39, 62.75, 63.04, 63.16, 63.18, 63.03, 62.91, 62.79
]


def test_a_sung_vibrato_with_uneven_cycles_stays_one_note():
    notes = _segment_pitch([54.0] * 30 + UNEVEN_VIBRATO)
    assert len(notes) == 1
    assert abs(notes[0].midi - 54.0) < 0.3


def test_a_vibrato_that_starts_late_and_widens_stays_one_note():
    assert [round(n.midi) for n in _segment_pitch(LATE_VIBRATO)] == [60, 55]


def test_a_leap_away_and_back_after_a_vibrato_is_not_its_cycle():
    # the leaps' middle is the vibrato's, but they swing 6.6 st: a vibrato widening would swing as it does
    notes = _segment_pitch(LEAPS_AFTER_VIBRATO)
    assert [round(n.midi) for n in notes] == [60, 57, 63]
    assert abs(notes[1].onset_s - (20 + 49) * HOP) < 0.03


# 10 ms frames of the tracker's pitch of two more ``vibrato`` calls (stress seeds 11 and 10): a held 52 whose vibrato
# starts 0.2 s in and widens (troughs 51.78 and 51.31, 0.47 st apart) for one and a half cycles before the voice
# stops; and a held 55 whose vibrato gets one cycle in before a step down to 53 and a leap down to 50
LATE_VIBRATO_AT_THE_END = [
    51.79, 51.95, 52.07, 52.14, 52.11, 52.07, 52.05, 52.04, 52.04, 52.04, 52.04, 52.04, 52.05, 52.06, 52.06, 52.05,
    52.03, 52.0, 51.98, 51.96, 51.93, 51.91, 51.86, 51.82, 51.78, 51.78, 51.82, 51.93, 52.06, 52.22, 52.43, 52.58,
    52.7, 52.75, 52.77, 52.74, 52.66, 52.54, 52.33, 52.16, 52.02, 51.82, 51.63, 51.45, 51.37, 51.31, 51.31, 51.32,
    51.36, 51.53, 51.7, 51.88, 52.03, 52.14, 52.11
]
ONE_VIBRATO_CYCLE_BEFORE_A_STEP = [
    53.86, 54.1, 54.32, 54.55, 54.65, 54.74, 54.83, 54.89, 54.94, 54.96, 54.96, 54.96, 54.95, 54.93, 54.93, 54.89,
    54.85, 54.8, 54.74, 54.69, 54.75, 54.87, 55.11, 55.43, 55.73, 55.88, 55.91, 55.87, 55.54, 55.18, 54.77, 54.47,
    54.27, 54.3, 54.4, 54.53, 55.03, 55.45, 55.75, 55.86, 55.91, 55.84, 55.62, 55.3, 54.94, 54.66, 54.52, 54.41,
    54.31, 54.19, 54.03, 53.84, 53.61, 53.38, 53.14, 52.99, 52.89, 52.9, 52.89, 52.87, 52.87, 52.87, 52.85, 52.85,
    52.85, 52.85, 52.85, 52.85, 52.85, 52.86, 52.87, 52.87, 52.87, 52.89, 52.9, 52.91, 52.77, 52.47, 51.9, 51.25,
    50.61, 50.13, 49.87, 49.75, 49.77, 49.78, 49.75, 49.75, 49.75, 49.79, 49.81, 49.81, 49.73, 49.67, 49.64
]


# and a held 63 (stress seed 10) whose vibrato widens from 0.5 to 0.8 st either side (troughs 0.56 st apart) and stops
# partway through its next half-cycle, as the voice does
VIBRATO_WIDENING_INTO_THE_STOP = [
    63.01, 63.01, 63.05, 63.15, 63.18, 63.18, 63.15, 63.14, 63.13, 63.14, 63.15, 63.15, 63.14, 63.13, 63.15, 63.14,
    63.12, 63.02, 62.94, 62.89, 62.9, 62.95, 63.08, 63.32, 63.64, 63.78, 63.88, 63.91, 63.9, 63.82, 63.54, 63.25,
    62.96, 62.66, 62.43, 62.33, 62.35, 62.43, 62.65, 62.87, 63.09, 63.37, 63.54, 63.56
]


def test_a_vibrato_that_starts_late_and_widens_before_the_note_ends_stays_one_note():
    assert [round(n.midi) for n in _segment_pitch(LATE_VIBRATO_AT_THE_END)] == [52]


def test_a_widening_vibrato_the_voice_stops_partway_through_a_half_cycle_stays_one_note():
    assert [round(n.midi) for n in _segment_pitch(VIBRATO_WIDENING_INTO_THE_STOP)] == [63]


def test_one_vibrato_cycle_before_a_step_is_no_note_of_its_own():
    notes = _segment_pitch(ONE_VIBRATO_CYCLE_BEFORE_A_STEP)
    assert [round(n.midi) for n in notes] == [55, 53, 50]
    assert abs(notes[1].onset_s - (20 + 50) * HOP) < 0.03   # where the pitch leaves the vibrato on its way down to 53


def test_a_sung_turn_around_a_held_note_keeps_its_notes():
    # upper neighbour, the note, lower neighbour at 0.13 s each: one cycle as fast as a vibrato's, sung in steps
    for seq in ([60, 62, 60, 58, 60], [60, 61, 60, 59, 60]):
        assert [round(n.midi) for n in _segment_pitch(_sung_steps(seq, [30, 13, 13, 13, 30]))] == seq


# a held 45 (stress seed 11, ``vibrato``) whose vibrato starts 0.2 s in and widens over its one cycle (44.2, then 45.9:
# outer points 0.73 st apart) before the voice stops in the next half-cycle
ONE_WIDENING_CYCLE_AT_THE_STOP = [
    45.41, 45.02, 44.89, 44.93, 44.92, 44.92, 44.93, 44.93, 44.94, 44.94, 44.95, 44.95, 44.96, 44.96, 44.95, 44.94,
    44.95, 45.02, 45.10, 45.18, 45.17, 45.14, 45.08, 44.92, 44.75, 44.61, 44.46, 44.32, 44.20, 44.14, 44.17, 44.27,
    44.41, 44.62, 44.83, 45.04, 45.26, 45.47, 45.67, 45.80, 45.90, 45.86, 45.68, 45.41, 45.17, 44.92, 44.66
]


def test_a_vibrato_still_widening_when_the_voice_stops_after_one_cycle_stays_one_note():
    assert [round(n.midi) for n in _segment_pitch(ONE_WIDENING_CYCLE_AT_THE_STOP)] == [45]

# a held 57 (stress seed 81, ``vibrato``) whose vibrato starts 0.3 s in from the held pitch (56.6, then 58.2: one cycle
# whose first point is the held pitch, not a peak) and whose last trough (56.5) stalls before the voice glides on to 55
VIBRATO_FROM_THE_HELD_PITCH_INTO_A_STEP = [
    57.55, 57.40, 57.31, 57.21, 57.09, 57.13, 57.18, 57.23, 57.27, 57.30, 57.29, 57.28, 57.27, 57.28, 57.29, 57.31,
    57.31, 57.31, 57.30, 57.29, 57.29, 57.31, 57.33, 57.35, 57.35, 57.34, 57.29, 57.29, 57.32, 57.31, 57.28, 57.20,
    57.05, 56.88, 56.76, 56.66, 56.58, 56.56, 56.56, 56.57, 56.80, 57.08, 57.33, 57.59, 57.86, 58.03, 58.14, 58.17,
    58.18, 58.15, 58.06, 57.89, 57.65, 57.33, 57.03, 56.77, 56.59, 56.47, 56.47, 56.51, 56.57, 56.49, 56.34, 56.09,
    55.82, 55.57, 55.36, 55.24, 55.18, 55.16, 55.15, 55.18, 55.21, 55.23, 55.23, 55.22, 55.20, 55.22, 55.24, 55.26,
    55.31, 55.35, 55.39, 55.35, 55.28
]


# a held 57 (the same call, 5.76 s) whose vibrato starts from the held pitch 0.25 s in (55.9, then 58.0) as the voice stops
VIBRATO_FROM_THE_HELD_PITCH_AT_THE_STOP = [
    55.70, 56.06, 56.33, 56.46, 56.50, 56.54, 56.66, 56.70, 56.69, 56.69, 56.72, 56.77, 56.80, 56.80, 56.76, 56.72,
    56.69, 56.69, 56.73, 56.81, 56.83, 56.84, 56.82, 56.79, 56.74, 56.60, 56.43, 56.21, 56.04, 55.92, 55.92, 55.97,
    56.04, 56.28, 56.53, 56.81, 57.12, 57.43, 57.69, 57.86, 57.96, 57.90, 57.79, 57.59, 57.36, 57.06, 56.56
]


def test_a_vibrato_that_starts_from_the_held_pitch_and_stalls_before_the_next_note_is_that_notes_vibrato():
    assert [round(n.midi) for n in _segment_pitch(VIBRATO_FROM_THE_HELD_PITCH_INTO_A_STEP)] == [57, 55]


def test_a_vibrato_that_starts_from_the_held_pitch_as_the_voice_stops_stays_one_note():
    assert [round(n.midi) for n in _segment_pitch(VIBRATO_FROM_THE_HELD_PITCH_AT_THE_STOP)] == [57]
