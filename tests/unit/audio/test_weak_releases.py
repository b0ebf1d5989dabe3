"""A note's soft end that noise, a codec or a phone's suppressor buries: the tracker hears its last frames
only weakly (confidence between WEAK_CONF and voicing), and the note ends where it stops hearing its pitch."""
import numpy as np

from humitout.audio.notes.core import NoteEvent, TAIL_DB
from humitout.audio.notes.releases import end_at_weak_release

HOP = 0.01


def _note_with_soft_end(end_conf=0.4, end_midi=57.0, end_db=-30.0, next_onset_s=None):
    """A 0.32 s A3 (57) voiced from 0.5 s (confidence 0.9, -24 dBFS), then 5 frames at ``end_conf``,
    ``end_midi``, ``end_db`` (its soft end), then silence (the tracker wandering at confidence 0.05).
    Returns the notes (the A3 as the voiced run gave it, and a note at ``next_onset_s`` if given), the
    tracker's pitch and confidence and the frame energy."""
    lead, held, soft, rest = 50, 32, 5, 30
    midi = np.r_[np.full(lead, 45.0), np.full(held, 57.0), np.full(soft, end_midi), 48.0 + 10.0 * np.sin(np.arange(rest))]
    conf = np.r_[np.full(lead, 0.02), np.full(held, 0.9), np.full(soft, end_conf), np.full(rest, 0.05)]
    e = np.r_[np.full(lead, -70.0), np.full(held, -24.0), np.full(soft, end_db), np.full(rest, -60.0)]
    notes = [NoteEvent(0.5, 0.82, 57.0, 0.9)]
    if next_onset_s is not None:
        notes.append(NoteEvent(next_onset_s, next_onset_s + 0.3, 60.0, 0.9))
    return notes, midi, conf, e


def test_a_note_whose_soft_end_the_tracker_hears_weakly_ends_where_it_stops_hearing_it():
    notes, midi, conf, e = _note_with_soft_end()
    out = end_at_weak_release(notes, midi, conf, e, HOP)
    assert abs(out[0].offset_s - 0.87) < 1e-6
    assert (out[0].onset_s, out[0].midi) == (0.5, 57.0)   # only the offset moves


def test_frames_under_weak_confidence_at_another_pitch_or_in_the_floor_move_no_offset():
    for kw in ({"end_conf": 0.1}, {"end_midi": 58.5}, {"end_db": -24.0 - TAIL_DB - 3.0}):
        notes, midi, conf, e = _note_with_soft_end(**kw)
        assert end_at_weak_release(notes, midi, conf, e, HOP)[0].offset_s == 0.82, kw


def test_a_soft_end_stops_a_frame_short_of_the_next_note():
    notes, midi, conf, e = _note_with_soft_end(next_onset_s=0.85)
    out = end_at_weak_release(notes, midi, conf, e, HOP)
    assert abs(out[0].offset_s - 0.84) < 1e-6 and out[1].onset_s == 0.85
