"""In a room, the weak frames the tracker still hears after a note's direct sound stopped are the room's tail:
end_at_weak_release does not carry a note on over them (``room=True``), while a soft release is still carried."""
import numpy as np
from hum_synth import hum, room

from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.levels import frame_energy_db
from humitout.audio.notes.releases import ROOM_TAIL_FALL_DB_PER_S, end_at_weak_release

SR = 32000
HOP = 0.01
STOP_S = 0.92   # the voice stops within 5 ms here


def _stopped_hum() -> np.ndarray:
    """A 0.42 s A3 (57) from 0.5 s whose voice stops within 5 ms at ``STOP_S``."""
    x = hum([(0.5, 0.95, 57)], sr=SR, duration_s=1.6)
    t = np.arange(len(x)) / SR
    return x * np.clip((STOP_S - t) / 0.005, 0.0, 1.0)


def _track(voiced_to: int, weak_to: int, n: int = 160):
    """The tracker's pitch (57 throughout the note and after it) and confidence: 0.9 from frame 50 up to
    ``voiced_to``, 0.4 (weak, under voicing) up to ``weak_to``, 0.05 after."""
    midi = np.full(n, 57.0)
    conf = np.full(n, 0.05)
    conf[50:voiced_to] = 0.9
    conf[voiced_to:weak_to] = 0.4
    return midi, conf


def test_a_rooms_tail_falls_no_faster_than_the_room_line_and_a_stopped_voice_does():
    # frame energy of the stopped hum in rooms of RT60 0.5 / 0.8 s, tail 0-6 dB under the direct sound:
    # from 30 ms after the stop (past the energy window) the level falls slower than ROOM_TAIL_FALL_DB_PER_S
    stop = int(round(STOP_S / HOP))
    for rt60, drr in ((0.5, 0.0), (0.5, 6.0), (0.8, 0.0), (0.8, 6.0)):
        e = frame_energy_db(room(_stopped_hum(), rt60, drr, sr=SR), SR, 160, HOP)
        fall = -np.diff(e[stop + 3:stop + 10]) / HOP
        assert np.all(fall < ROOM_TAIL_FALL_DB_PER_S), (rt60, drr, fall)
    dry = frame_energy_db(_stopped_hum(), SR, 160, HOP)
    assert dry[stop + 2] < dry[stop - 3] - 60.0


def test_a_note_voiced_into_a_rooms_tail_is_not_carried_on_over_its_weak_frames_in_a_room():
    # RT60 0.5 s, tail 6 dB under: the tracker voices the note 30 ms into the tail (level already 7 dB under
    # the note at its last voiced frame) and hears its pitch weakly 100 ms more
    e = frame_energy_db(room(_stopped_hum(), 0.5, 6.0, sr=SR), SR, 160, HOP)
    midi, conf = _track(voiced_to=95, weak_to=105)
    notes = [NoteEvent(0.5, 0.95, 57.0, 0.9)]
    assert e[94] < np.max(e[88:95]) - 5.0
    assert end_at_weak_release(notes, midi, conf, e, HOP, room=True)[0].offset_s == 0.95
    assert end_at_weak_release(notes, midi, conf, e, HOP)[0].offset_s >= 0.97   # without the room: carried on


def test_a_soft_release_or_a_fall_faster_than_a_rooms_tail_is_still_carried_on_in_a_room():
    n = 120
    midi = np.full(n, 57.0)
    conf = np.r_[np.full(50, 0.02), np.full(32, 0.9), np.full(5, 0.4), np.full(n - 87, 0.05)]
    notes = [NoteEvent(0.5, 0.82, 57.0, 0.9)]
    # a soft release: the level holds within 5 dB of the note where voicing ends
    soft = np.r_[np.full(50, -70.0), np.full(32, -24.0), np.full(5, -30.0), np.full(n - 87, -60.0)]
    assert abs(end_at_weak_release(notes, midi, conf, soft, HOP, room=True)[0].offset_s - 0.87) < 1e-6
    # the level 6 dB down at the last voiced frame, then falling 6 dB a frame (600 dB/s, a voice's own stop,
    # 30 dB in 50 ms): still carried on, to where it falls 15 dB under the note
    fast = np.r_[np.full(50, -70.0), np.full(31, -24.0), [-30.0], -36.0 - 6.0 * np.arange(5),
                 np.full(n - 87, -60.0)]
    assert abs(end_at_weak_release(notes, midi, conf, fast, HOP, room=True)[0].offset_s - 0.83) < 1e-6
    # a fall of 1.5 dB a frame (150 dB/s, a room's tail): not carried on in a room, carried on otherwise
    slow = np.r_[np.full(50, -70.0), np.full(31, -24.0), [-30.0], -31.5 - 1.5 * np.arange(5),
                 np.full(n - 87, -60.0)]
    assert end_at_weak_release(notes, midi, conf, slow, HOP, room=True)[0].offset_s == 0.82
    # a small room's tail, 3 dB a frame (300 dB/s: RT60 0.2 s), is still slower than a voice stops
    short_room = np.r_[np.full(50, -70.0), np.full(31, -24.0), [-30.0], -33.0 - 3.0 * np.arange(5),
                       np.full(n - 87, -60.0)]
    assert end_at_weak_release(notes, midi, conf, short_room, HOP, room=True)[0].offset_s == 0.82
    assert abs(end_at_weak_release(notes, midi, conf, slow, HOP)[0].offset_s - 0.87) < 1e-6
