"""A note's quiet voiced head (a sung "n", a soft attack the level gate cut) starts the note, in a room also where
the tracker hears it only weakly under the ringing note before; a room's tail of the note before, a glide out of it,
or a sound at the note's level all along, does not."""
import numpy as np

from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.segment import onsets_at_soft_attack
from humitout.audio.notes.voicing import heard_at_new_pitch

HOP = 0.01


def _frames(n: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(midi, confidence, level dB) of ``n`` silent frames."""
    return np.full(n, np.nan), np.zeros(n), np.full(n, -55.0)


def test_a_quiet_head_at_the_notes_pitch_starts_the_note():
    midi, conf, level = _frames()
    midi[30:36], conf[30:36], level[30:36] = 60.0, 0.4, -40.0    # "n" at the note's pitch, 15-20 dB under the vowel
    midi[36:70], conf[36:70], level[36:70] = 60.0, 0.9, -20.0
    note = NoteEvent(0.36, 0.70, 60.0, 0.9)
    assert onsets_at_soft_attack([note], midi, conf, level, HOP)[0].onset_s == 0.30


def test_a_rooms_tail_of_the_note_before_is_no_head():
    midi, conf, level = _frames()
    midi[:30], conf[:30], level[:30] = 60.0, 0.9, -20.0
    midi[30:36], conf[30:36], level[30:36] = 60.0, 0.5, np.linspace(-25.0, -40.0, 6)   # decays into the dip
    level[36] = -42.0
    midi[36:70], conf[36:70], level[37:70] = 60.0, 0.9, -20.0
    notes = [NoteEvent(0.0, 0.29, 60.0, 0.9), NoteEvent(0.36, 0.70, 60.0, 0.9)]
    assert onsets_at_soft_attack(notes, midi, conf, level, HOP)[1].onset_s == 0.36


def test_a_sound_at_the_heads_level_all_along_is_no_head():
    midi, conf, level = _frames()
    midi[:36], conf[:36], level[:36] = 60.0, 0.4, -40.0   # a steady tone at the note's pitch before it
    midi[36:70], conf[36:70], level[36:70] = 60.0, 0.9, -20.0
    note = NoteEvent(0.36, 0.70, 60.0, 0.9)
    assert onsets_at_soft_attack([note], midi, conf, level, HOP)[0].onset_s == 0.36


def test_a_head_the_tracker_hears_at_another_pitch_is_no_head():
    midi, conf, level = _frames()
    midi[30:36], conf[30:36], level[30:36] = 63.0, 0.4, -40.0
    midi[36:70], conf[36:70], level[36:70] = 60.0, 0.9, -20.0
    note = NoteEvent(0.36, 0.70, 60.0, 0.9)
    assert onsets_at_soft_attack([note], midi, conf, level, HOP)[0].onset_s == 0.36


def test_a_high_notes_head_the_tracker_reads_at_half_its_pitch_starts_the_note():
    """A child's E5 through AMR-NB: the codec starts the note on a lag of two periods, the tracker reads its first
    60 ms at E4 (76 - 12), weakly, then settles."""
    midi, conf, level = _frames()
    midi[30:36], conf[30:36], level[30:36] = 64.0, 0.2, -26.0
    midi[36:70], conf[36:70], level[36:70] = 76.0, 0.8, -24.0
    note = NoteEvent(0.36, 0.70, 76.0, 0.8)
    assert onsets_at_soft_attack([note], midi, conf, level, HOP)[0].onset_s == 0.30
    assert onsets_at_soft_attack([note], midi, conf, level, HOP, sub_conf=None)[0].onset_s == 0.36


def test_a_weak_sound_a_fifth_under_a_sub_harmonic_is_no_head():
    midi, conf, level = _frames()
    midi[30:36], conf[30:36], level[30:36] = 59.0, 0.2, -26.0   # neither 76 / 2 (64) nor 76 / 3 (57)
    midi[36:70], conf[36:70], level[36:70] = 76.0, 0.8, -24.0
    note = NoteEvent(0.36, 0.70, 76.0, 0.8)
    assert onsets_at_soft_attack([note], midi, conf, level, HOP)[0].onset_s == 0.36


def _after_a_ringing_note() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[NoteEvent]]:
    """(midi, confidence, level dB, notes) of a held 64 whose room tail rings on at 64 while a 60 is sung under it:
    its "n" is heard weakly at 60 from 0.30 s (confidence 0.1-0.3, at the tail's level, no rise), its vowel from 0.36 s."""
    midi, conf, level = _frames()
    midi[:20], conf[:20], level[:20] = 64.0, 0.9, -20.0
    midi[20:30], conf[20:30], level[20:30] = 64.0, np.linspace(0.8, 0.3, 10), np.linspace(-30.0, -44.0, 10)
    midi[30:36], conf[30:36], level[30:36] = 60.2, np.linspace(0.1, 0.3, 6), -45.0
    midi[36:70], conf[36:70], level[36:70] = 60.0, 0.9, -22.0
    return midi, conf, level, [NoteEvent(0.0, 0.20, 64.0, 0.9), NoteEvent(0.36, 0.70, 60.0, 0.9)]


def test_in_a_room_a_weak_head_at_the_notes_pitch_under_the_ringing_note_before_starts_the_note():
    midi, conf, level, notes = _after_a_ringing_note()
    assert onsets_at_soft_attack(notes, midi, conf, level, HOP, room=True)[1].onset_s == 0.30
    assert onsets_at_soft_attack(notes, midi, conf, level, HOP)[1].onset_s == 0.36   # a dry call asks a rise


def test_in_a_room_a_glide_out_of_the_note_before_is_no_head():
    midi, conf, level, notes = _after_a_ringing_note()
    midi[30:36] = np.linspace(61.0, 60.2, 6)   # the singer sliding down from 64 into 60
    assert onsets_at_soft_attack(notes, midi, conf, level, HOP, room=True)[1].onset_s == 0.36


def test_a_frame_is_heard_at_the_new_pitch_only_nearer_it_than_the_note_still_sounding():
    assert heard_at_new_pitch(64.1, 64.0, 60.0, within_st=0.5)        # at the new note's pitch
    assert not heard_at_new_pitch(61.8, 64.0, 60.0, within_st=2.5)    # nearer the ringing note: its tail
    assert not heard_at_new_pitch(60.5, 61.0, 60.0, within_st=1.0)    # within JUMP_ST of the ringing note
    assert not heard_at_new_pitch(63.0, 64.0, 60.0, within_st=0.5)    # too far from the new note
