"""drop_notes_over_register: a note far over the call's middle (more than an octave and a semitone) is the tracker an
octave high and drops an octave; a sung leap an octave over the middle stays."""
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import drop_notes_over_register


def _tune(high_midi: float) -> list[NoteEvent]:
    """Six 0.4 s notes around MIDI 60, the fourth at ``high_midi``."""
    pitches = [60.0, 62.0, 60.0, high_midi, 59.0, 60.0]
    return [NoteEvent(0.5 * i, 0.5 * i + 0.4, m, 0.9) for i, m in enumerate(pitches)]


def test_note_far_over_the_middle_drops_an_octave():
    assert [n.midi for n in drop_notes_over_register(_tune(76.0))] == [60.0, 62.0, 60.0, 64.0, 59.0, 60.0]


def test_sung_leap_an_octave_over_the_middle_stays():
    assert [n.midi for n in drop_notes_over_register(_tune(72.0))] == [60.0, 62.0, 60.0, 72.0, 59.0, 60.0]
