"""The old note's pitch heard between a re-attack dip and the next note's pitch is that note's tail
(a room's, or the voice's decay), no note of its own (``tail_between_cuts``)."""
import numpy as np

from humitout.audio.f0 import PitchTrack, midi_to_hz
from humitout.audio.notes.segment import segment_notes


def _notes(piece_db):
    """A voiced run: 0.49 s at MIDI 62 with a re-attack dip at 0.39 s, the frames after it at ``piece_db``
    (dB), then 0.51 s at 59 from 0.49 s; levels -20 dB elsewhere."""
    n = 100
    midi = np.r_[np.full(49, 62.0), np.full(51, 59.0)]
    e = np.full(n, -20.0)
    e[36:40] = [-22.0, -25.0, -28.0, -32.0]
    e[40:49] = piece_db
    e[:3] = e[-3:] = -60.0
    track = PitchTrack(hz=midi_to_hz(midi), confidence=np.full(n, 0.9), voiced=np.ones(n, bool))
    return [(round(x.onset_s, 2), round(x.offset_s, 2), round(x.midi)) for x in segment_notes(track, e, None, e.copy())]


def test_the_old_pitch_held_under_the_dip_before_a_step_is_the_old_notes_tail():
    # after the dip the level holds 10 dB down at the old pitch for 90 ms, then the next note's pitch:
    # the tail of the 62 heard through the gap, no second 62 (stress s10 speaker_011 at 5.16 s)
    notes = _notes([-31.0, -30.0, -30.0, -30.0, -30.0, -30.0, -30.0, -30.0, -30.0])
    assert [m for _, _, m in notes] == [62, 59]
    assert notes[0][1] <= 0.4 and notes[1][0] >= 0.48


def test_a_repeat_that_climbs_out_of_its_dip_is_a_note():
    # the same frames climbing 10 dB out of the dip: a sung repeat of the 62 before the step
    notes = _notes([-30.0, -27.0, -24.0, -21.0, -20.0, -20.0, -20.0, -21.0, -22.0])
    assert [m for _, _, m in notes] == [62, 62, 59]
