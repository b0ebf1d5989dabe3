"""A single note the tracker read an octave under its line is lifted back; sung drops stay."""
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import lift_octave_dips


def _line(*midis: float, gap_s: float = 0.0) -> list[NoteEvent]:
    """Notes of 0.4 s at ``midis``, ``gap_s`` s apart."""
    return [NoteEvent(i * (0.4 + gap_s), i * (0.4 + gap_s) + 0.4, m, 0.8) for i, m in enumerate(midis)]


def test_a_held_note_read_an_octave_under_its_neighbours_is_lifted():
    # s14 speaker_010: B3 (59) between C#4 and F#4, read as B2 for its whole length
    notes = lift_octave_dips(_line(66.1, 47.0, 61.1, 59.1))
    assert [round(n.midi, 1) for n in notes] == [66.1, 59.0, 61.1, 59.1]


def test_a_sung_drop_of_a_seventh_or_an_octave_leap_up_stays():
    line = _line(60.0, 50.0, 60.0, 72.0, 60.0)   # a drop of a seventh and back; an octave leap up and back
    assert lift_octave_dips(line) == line


def test_notes_across_a_phrase_break_are_not_neighbours():
    line = _line(60.0, 48.0, 60.0, gap_s=0.5)
    assert lift_octave_dips(line) == line


def test_a_line_that_starts_or_ends_low_is_left_alone():
    line = _line(48.0, 60.0, 62.0, 50.0)
    assert lift_octave_dips(line) == line
