from humitout.models import NoteEvent
from humitout.music.leadsheet import DIVISIONS, build_lead_sheet, key_fifths


def test_a_note_across_a_bar_line_is_split_into_tied_notes(arrangement):
    held = arrangement.model_copy(deep=True)
    held.part("melody").notes = [NoteEvent(start_beat=3.0, duration_beats=2.5, pitch=70, velocity=90)]
    held.lyrics = "hold"
    root = build_lead_sheet(held).getroot()
    measures = root.findall("part/measure")
    for measure in measures:
        assert sum(int(d.text) for d in measure.findall("note/duration")) == 4 * DIVISIONS
    pitched = [n for m in measures for n in m.findall("note") if n.find("pitch") is not None]
    assert [int(n.find("duration").text) for n in pitched] == [4, 6]  # quarter, tied dotted quarter
    assert [t.get("type") for t in pitched[0].findall("tie")] == ["start"]
    assert [t.get("type") for t in pitched[1].findall("tie")] == ["stop"]
    assert pitched[0].find("pitch/step").text == "A" and pitched[0].find("pitch/alter").text == "1"
    assert pitched[0].find("lyric/text").text == "hold" and pitched[1].find("lyric") is None


def test_key_signatures_and_flat_spelling_follow_the_key():
    assert key_fifths(0, "major") == 0 and key_fifths(9, "minor") == 0
    assert key_fifths(3, "major") == -3 and key_fifths(2, "minor") == -1 and key_fifths(4, "major") == 4
