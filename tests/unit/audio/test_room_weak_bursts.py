"""A short note the tracker hears only weakly in a room is a note where its level climbs out of the rest or
tail before it (``voice_short_bursts(attack_db=)``, ``segment_notes(room=True)``): a room's tail only decays."""
import numpy as np

from humitout.audio.f0 import PitchTrack, midi_to_hz
from humitout.audio.notes.segment import segment_notes


def _notes(burst_db, room=True):
    """0.3 s held at MIDI 65 (confidence 0.8), its tail decaying to -47 dB at the old pitch over 0.3 s, a
    0.1 s burst at 63 that the tracker hears at 0.36-0.48 with levels ``burst_db`` (10 frames, dB), then
    0.3 s held at 60; modelled on stress s15 speaker_010 at 9.62 s."""
    midi = np.r_[np.full(30, 65.0), np.full(30, 65.0), np.full(20, 62.9), np.full(30, 60.0)]
    conf = np.r_[np.full(30, 0.8), np.linspace(0.3, 0.05, 30), np.full(2, 0.15), [0.36, 0.47, 0.48, 0.38, 0.4],
                 np.full(13, 0.05), np.full(30, 0.8)]
    e = np.r_[np.full(30, -20.0), np.linspace(-24.0, -47.0, 30), np.full(2, -47.0), burst_db,
              np.full(8, -50.0), np.full(30, -22.0)]
    e[:2] = -60.0
    track = PitchTrack(hz=midi_to_hz(midi), confidence=conf, voiced=conf >= 0.5)
    return [round(x.midi) for x in segment_notes(track, e, None, e.copy(), room=room)]


CLIMB = [-31.0, -23.0, -20.5, -19.5, -20.2, -22.4, -25.4, -31.0, -34.0, -38.0]


def test_a_weak_burst_climbing_out_of_the_tail_is_a_note_in_a_room():
    assert _notes(CLIMB) == [65, 63, 60]


def test_outside_a_room_a_weak_burst_stays_unvoiced():
    assert _notes(CLIMB, room=False) == [65, 60]


def test_a_weak_burst_that_does_not_climb_is_no_note():
    # the same weak frames 8 dB over the tail, no attack: a tail, a breath or another voice's murmur
    assert _notes([-40.0, -39.5, -39.0, -39.0, -39.5, -40.0, -41.0, -42.0, -43.0, -44.0]) == [65, 60]
