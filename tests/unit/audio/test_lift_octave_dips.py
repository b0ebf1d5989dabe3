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


def test_a_note_read_a_twelfth_under_both_neighbours_takes_their_register():
    # s51 child_000: a child's D5 (74) between E5 and C5, read at its 3rd sub-harmonic (55.0) for its whole length
    notes = lift_octave_dips(_line(72.0, 76.1, 55.0, 72.0, 70.0))
    assert [round(n.midi, 1) for n in notes] == [72.0, 76.1, 74.0, 72.0, 70.0]


def test_low_notes_a_twelfth_under_high_ones_stay_where_the_tune_lives_down_there():
    line = _line(55.0, 74.0, 55.0, 74.0, 55.0)   # a tune leaping between two registers: its middle is the low one
    assert lift_octave_dips(line) == line
