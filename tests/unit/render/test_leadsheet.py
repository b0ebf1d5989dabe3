import xml.etree.ElementTree as ET

import pytest
from music21.harmony import ChordSymbol

from humitout.models import NoteEvent
from humitout.music.leadsheet import build_score, choose_clef, render_svg, spell, write_lead_sheet


def _xml(arrangement, tmp_path) -> ET.Element:
    return ET.parse(write_lead_sheet(arrangement, tmp_path / "sheet.musicxml")).getroot()


def _pitched(root):
    return [n for n in root.iter("note") if n.find("pitch") is not None]


def test_lead_sheet_is_partwise_musicxml_with_full_bars_chords_and_lyrics(arrangement, tmp_path):
    root = _xml(arrangement, tmp_path)
    assert root.tag == "score-partwise"
    measures = root.findall("part/measure")
    assert len(measures) == arrangement.total_bars
    divisions = int(root.find("part/measure/attributes/divisions").text)
    for measure in measures:
        assert sum(int(d.text) for d in measure.findall("note/duration")) == 4 * divisions
    harmonies = root.findall("part/measure/harmony")
    assert len(harmonies) == len(arrangement.chords)
    assert harmonies[5].find("kind").text == "minor-seventh" and harmonies[5].find("root/root-step").text == "A"
    assert harmonies[6].find("bass/bass-step").text == "A"
    assert " ".join(t.text for t in root.iter("text")) == arrangement.lyrics
    assert [r.text for r in root.iter("rehearsal")] == ["Intro", "Verse", "Ending"]


def test_verovio_engraves_it_without_warnings_with_beams_and_the_chosen_clef(arrangement, tmp_path):
    svg, log = render_svg(write_lead_sheet(arrangement, tmp_path / "s.musicxml").read_text())
    assert log.strip() == ""
    assert 'class="beam"' in svg and 'class="clef"' in svg
    root = ET.parse(tmp_path / "s.musicxml").getroot()
    assert root.findall(".//beam") and (root.find(".//clef/sign").text, root.find(".//clef/line").text) == ("G", "2")
    assert root.find(".//clef/clef-octave-change") is None


def test_a_low_male_melody_gets_a_treble_8vb_clef_that_verovio_draws(arrangement, tmp_path):
    low = arrangement.model_copy(deep=True)
    for n in low.part("melody").notes:
        n.pitch -= 15  # G4-ish melody -> around E3, a baritone
    root = _xml(low, tmp_path)
    clef = root.find(".//clef")
    assert (clef.find("sign").text, clef.find("clef-octave-change").text) == ("G", "-1")
    svg, log = render_svg((tmp_path / "sheet.musicxml").read_text())
    assert log.strip() == "" and 'class="clef"' in svg


@pytest.mark.parametrize("pitches, expected", [
    ([67, 72, 76, 79], "treble"), ([50, 55, 57, 60, 62], "treble-8vb"), ([36, 40, 43, 47], "bass"),
])
def test_clef_is_the_one_with_fewest_ledger_lines(pitches, expected):
    assert choose_clef(pitches) == expected


def test_a_detached_quarter_is_written_as_a_quarter_not_a_dotted_eighth_and_a_rest(arrangement):
    sung = arrangement.model_copy(deep=True)
    sung.part("melody").notes = [NoteEvent(start_beat=beat, duration_beats=0.75, pitch=67, velocity=90)
                                 for beat in range(5)]
    first_bar = build_score(sung).parts[0].getElementsByClass("Measure")[0]
    written = [(n.quarterLength, n.isRest) for n in first_bar.notesAndRests if not isinstance(n, ChordSymbol)]
    assert written == [(1.0, False)] * 4


def test_a_note_across_a_bar_line_is_tied_and_off_beat_notes_show_the_beat(arrangement):
    held = arrangement.model_copy(deep=True)
    held.part("melody").notes = [NoteEvent(start_beat=0.75, duration_beats=1.25, pitch=70, velocity=90),
                                 NoteEvent(start_beat=3.0, duration_beats=2.5, pitch=70, velocity=90)]
    held.lyrics = "one two"
    notes = [n for n in build_score(held).recurse().notes if not isinstance(n, ChordSymbol)]
    assert [float(n.quarterLength) for n in notes] == [0.25, 1.0, 1.0, 1.5]
    assert [n.tie.type if n.tie else None for n in notes] == ["start", "stop", "start", "stop"]
    assert notes[0].pitch.name == "B-"  # Bb in C major, not A#


def test_rests_show_the_middle_of_a_4_4_bar():
    from humitout.music.leadsheet import _split_by_beat

    assert _split_by_beat(0.0, 3.0, 4, rest=True) == [2.0, 1.0]
    assert _split_by_beat(1.0, 3.0, 4, rest=True) == [1.0, 2.0]
    assert _split_by_beat(0.0, 4.0, 4, rest=True) == [4.0]
    assert _split_by_beat(0.0, 3.0, 4) == [3.0]  # a dotted half note from beat 1 is fine


def test_spelling_follows_the_key_signature():
    assert spell(66, 0).name == "F#" and spell(70, 0).name == "B-"
    assert spell(68, -3).name == "A-" and spell(68, 4).name == "G#"
    assert spell(59, -6).nameWithOctave == "C-4"


def test_each_key_spells_from_music21s_major_scale_once():
    from music21 import key

    from humitout.music.leadsheet import scale_names

    scale_names.cache_clear()
    for fifths in range(-7, 8):
        scale = {p.pitchClass: p.name for p in key.KeySignature(fifths).getScale("major").pitches}
        for midi in range(36, 96):
            if midi % 12 in scale:
                assert spell(midi, fifths).name == scale[midi % 12], (midi, fifths)
    assert scale_names.cache_info().misses == 15  # one scale realised per key, not one per note


def test_verovio_engraves_from_a_worker_thread_too(arrangement, tmp_path):
    """The local stack and Lambda's runtime call Render outside the main thread."""
    from concurrent.futures import ThreadPoolExecutor

    xml = write_lead_sheet(arrangement, tmp_path / "s.musicxml").read_text()
    with ThreadPoolExecutor(1) as pool:
        svg, log = pool.submit(render_svg, xml).result()
    assert log.strip() == "" and 'class="clef"' in svg
