"""level_ok_frames: a room's tail follows its note at its pitch, so the level gate keeps a quiet note the tracker
is sure of between two louder notes at other pitches."""
import numpy as np

from humitout.audio.notes.levels import level_ok_frames

WIN = 30   # frames (0.3 s at 10 ms)


def _call(quiet_midi: float, quiet_conf: float):
    """A note at 56 (-24 dB, 20 frames), 5 frames of silence (-42 dB), 18 frames at ``quiet_midi`` (-32 dB,
    confidence ``quiet_conf``), then a louder note at 61 (-13 dB, 20 frames): (level, midi, conf), each (63,)."""
    level = np.r_[np.full(20, -24.0), np.full(5, -42.0), np.full(18, -32.0), np.full(20, -13.0)]
    midi = np.r_[np.full(20, 56.0), np.full(5, np.nan), np.full(18, quiet_midi), np.full(20, 61.0)]
    conf = np.r_[np.full(20, 0.9), np.full(5, 0.05), np.full(18, quiet_conf), np.full(20, 0.9)]
    return level, midi, conf


def test_quiet_low_note_before_a_louder_leap_up_is_the_voice():
    # a male 44 whose fundamental the phone band cuts, 19 dB under the 61 sung right after it
    level, midi, conf = _call(44.0, 0.9)
    assert not level_ok_frames(level, WIN)[25:43].any()        # the level alone puts it under the line
    assert level_ok_frames(level, WIN, midi=midi, conf=conf)[25:43].all()


def test_quiet_note_the_tracker_is_unsure_of_stays_under_the_line():
    level, midi, conf = _call(44.0, 0.7)
    assert not level_ok_frames(level, WIN, midi=midi, conf=conf)[25:43].any()


def test_soft_head_of_the_louder_note_stays_under_the_line():
    # frames at the louder note's own pitch are its soft attack, not a note of their own
    level, midi, conf = _call(61.0, 0.9)
    assert not level_ok_frames(level, WIN, midi=midi, conf=conf)[25:43].any()


def test_room_tail_of_a_note_before_a_louder_one_stays_under_the_line():
    # the 56 rings on in the room at its pitch, 5-12 dB under it, the tracker sure of it, until the 61 comes
    level = np.r_[np.full(20, -20.0), np.linspace(-25.0, -32.0, 15), np.full(20, -10.0)]
    midi = np.r_[np.full(35, 56.0), np.full(20, 61.0)]
    conf = np.full(55, 0.9)
    assert not level_ok_frames(level, WIN)[27:35].any()
    assert not level_ok_frames(level, WIN, midi=midi, conf=conf)[27:35].any()


def _after_a_louder_note(quiet_midi: float):
    """A held 65 (-16 dB, 40 frames), its room tail falling to -41 dB over 5 frames, then 20 frames at
    ``quiet_midi`` (-31.5 dB, confidence 0.88) and a fade: (level, midi, conf), each (75,)."""
    level = np.r_[np.full(40, -16.0), np.linspace(-20.0, -41.0, 5), np.full(20, -31.5), np.linspace(-33.0, -45.0, 10)]
    midi = np.r_[np.full(45, 65.0), np.full(30, quiet_midi)]
    conf = np.r_[np.full(40, 0.9), np.full(5, 0.3), np.full(20, 0.88), np.full(10, 0.3)]
    return level, midi, conf


def test_quiet_note_after_a_louder_one_rising_out_of_the_rooms_tail_is_the_voice():
    # stress s50 speaker_010 at 9.12 s: a 61 after a held 65, 15 dB under it (a loudspeaker cuts its 277 Hz
    # fundamental); the room's tail fills the gap, so it rises only 10 dB, but a tail only decays
    level, midi, conf = _after_a_louder_note(61.0)
    assert not level_ok_frames(level, WIN)[45:65].any()
    assert level_ok_frames(level, WIN, midi=midi, conf=conf)[45:65].all()


def test_quiet_frames_at_the_louder_notes_own_pitch_after_it_stay_under_the_line():
    level, midi, conf = _after_a_louder_note(65.0)
    assert not level_ok_frames(level, WIN, midi=midi, conf=conf)[45:65].any()
