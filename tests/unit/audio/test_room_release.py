"""In a call whose note ends fall as a room's do, a stop smeared by the room still ends the note
(release_falls_s, release_window_s, end_at_release's fall window)."""
import numpy as np

from humitout.audio.notes.core import ENERGY_WIN_S, NoteEvent
from humitout.audio.notes.releases import ROOM_RELEASE_S, end_at_release, release_falls_s, release_window_s

HOP = 0.01
PERIOD = 80     # frames from one note's onset to the next
HELD = 30       # frames the voice holds its note (it stops 0.3 s after the onset)
HEARD = 40      # frames the tracker keeps voicing the note (its offset as the note stage gives it)


def _call(ends: list[np.ndarray]) -> tuple[list[NoteEvent], np.ndarray, np.ndarray]:
    """Notes of 0.4 s every 0.8 s, each held at -20 dB for 0.3 s and then following its ``ends`` profile
    (dB, from the voice's stop on) down to a -70 dB floor."""
    e = np.full(PERIOD * len(ends), -70.0)
    notes = []
    for i, end in enumerate(ends):
        s = i * PERIOD
        e[s:s + HELD] = -20.0
        e[s + HELD:s + PERIOD] = np.maximum(np.r_[end, np.full(PERIOD, -70.0)][:PERIOD - HELD], -70.0)
        notes.append(NoteEvent(s * HOP, (s + HEARD) * HOP, 60.0, 0.9))
    return notes, e, np.full(len(e), 60.0)


# a room: the stop smeared over 60 ms (1 dB a frame, so 5 dB takes 50 ms), then the tail at 50 dB/s
ROOM = np.r_[-20.0 - np.arange(1, 7), -26.0 - 0.5 * np.arange(1, 60)]
# a voice that stops: 25 dB within 20 ms, then the floor
STOP = np.array([-30.0, -45.0, -70.0])
# a dry singer's decrescendo into the stop: 8 dB over 80 ms, then the floor
SLIDE = np.r_[-20.0 - np.arange(1, 9), -70.0]


def test_the_calls_release_time_is_slow_in_a_room_and_fast_for_a_dry_voice():
    notes, e, _ = _call([ROOM] * 4)
    falls = release_falls_s(notes, e, HOP)
    assert len(falls) == 4 and falls.min() > 0.2             # 20 dB takes the tail 0.31 s
    notes, e, _ = _call([STOP] * 3 + [SLIDE])
    falls = release_falls_s(notes, e, HOP)
    assert len(falls) == 4 and np.median(falls) <= 0.03
    assert release_window_s(notes, e, HOP) == ENERGY_WIN_S  # a dry call keeps the energy's window


def test_a_stop_smeared_by_the_room_ends_the_note_only_in_a_call_that_releases_as_a_room():
    notes, e, midi = _call([ROOM] * 4)
    window = release_window_s(notes, e, HOP)
    assert window >= ROOM_RELEASE_S
    out = end_at_release(notes, e, midi, HOP, fall_s=window)
    # each note ends 20 ms after the level is 5 dB down (0.05 s after the stop), not 0.1 s after it
    assert [round(n.offset_s - n.onset_s, 3) for n in out] == [0.37] * 4
    # with the energy's window alone (main before this rule) the smeared stop is no stop: the tail stays on
    assert end_at_release(notes, e, midi, HOP) == notes


def test_a_call_with_one_voice_stop_keeps_the_energys_window():
    # two slow falls (an AGC pulling its gain down after the attack) but one note that stops as a voice does
    notes, e, _ = _call([ROOM, ROOM, STOP])
    assert release_window_s(notes, e, HOP) == ENERGY_WIN_S


def test_a_dry_singers_decrescendo_keeps_its_end():
    notes, e, midi = _call([STOP] * 3 + [SLIDE])
    out = end_at_release(notes, e, midi, HOP, fall_s=release_window_s(notes, e, HOP))
    assert out[3] == notes[3]
