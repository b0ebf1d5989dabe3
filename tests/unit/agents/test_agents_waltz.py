"""A 3/4 hum through the Compose group chat (rules and a scripted LLM), and the render stage
reading the 3/4 arrangement it gives."""
import json
import math
import xml.etree.ElementTree as ET

import mido
import pytest
from humitout.agents.compose import _brief, compose_arrangement
from humitout.agents.llm import LLMSettings
from humitout.agents.rules import ComposeSession
from humitout.agents.schemas import (
    ChordProposal,
    check_bar_chords,
    meter_context,
    parse_reply,
)
from humitout.models import Style, TimeSignature
from test_agents_compose import VALID, ScriptedConfig, by_agent

# C major waltz, 8 bars of 3 beats: (MIDI pitch, start beat, beats)
WALTZ = [(72, 0, 2), (76, 2, 1), (79, 3, 2), (76, 5, 1), (77, 6, 2), (81, 8, 1), (79, 9, 3),
         (76, 12, 2), (72, 14, 1), (74, 15, 2), (77, 17, 1), (71, 18, 1), (74, 19, 1), (79, 20, 1), (72, 21, 3)]
WALTZ_CHORDS = [["C"], ["C"], ["F"], ["G"], ["C"], ["Dm", "Dm", "G"], ["G"], ["C"]]


@pytest.fixture
def waltz(make_hum):
    return make_hum(WALTZ).model_copy(update={"time_signature": TimeSignature(numerator=3)})


def _in_bars_of_3(arrangement):
    for chord in arrangement.chords:
        assert chord.start_beat % 3 in (0.0, 2.0)
    for part in arrangement.parts:
        for note in part.notes:
            assert note.start_beat + note.duration_beats <= arrangement.total_bars * 3 + 1e-9
            if part.name != "melody" and note.start_beat < arrangement.sections[-1].start_bar * 3:  # ending held
                end = note.start_beat + note.duration_beats - 1e-6
                assert math.floor(note.start_beat / 3) == math.floor(end / 3), (part.name, note)


@pytest.mark.parametrize("style", [None, *Style])
def test_rules_arrange_a_waltz_in_3_4_for_every_style(style, waltz):
    arrangement = compose_arrangement(waltz, style)
    assert (arrangement.time_signature.numerator, arrangement.time_signature.denominator) == (3, 4)
    sections = [(s.name, s.bars) for s in arrangement.sections]
    assert sections[:2] == [("intro", 2), ("verse", 8)] and ("chorus", 8) in sections and sections[-1][0] == "outro"
    assert arrangement.melody_offset_beats == 6.0
    _in_bars_of_3(arrangement)
    proposal = by_agent(arrangement)["ChordComposer"].decision.removeprefix("verse chords ").split(" | ")
    assert len(proposal) == 8 and all(len(bar.split()) in (1, 2) for bar in proposal)
    assert arrangement.chords[-1].roman.upper().startswith("I")


def test_a_4_4_hum_is_still_arranged_in_4_4(make_hum):
    arrangement = compose_arrangement(make_hum(WALTZ), Style.POP)
    assert arrangement.time_signature.numerator == 4
    assert arrangement.melody_offset_beats == 8.0 and arrangement.chords[-1].start_beat % 4 == 0
    assert sum(c.duration_beats for c in arrangement.chords) == arrangement.total_bars * 4


def test_chord_counts_per_bar_follow_the_meter():
    check_bar_chords([["C"], ["F", "G"], ["C", "C", "G"]], 3)
    for bad in ([["C", "F", "G", "C"]], [["C", "F", "F"]]):  # 4 a bar; a change on beat 2
        with pytest.raises(ValueError):
            check_bar_chords(bad, 3)
    with pytest.raises(ValueError):
        check_bar_chords([["C", "F", "G"]], 4)
    text = json.dumps({"bars": [["C", "C", "G"]], "reason": "x"})
    assert parse_reply("ChordComposer", text, 3).bars == [["C", "C", "G"]]
    with pytest.raises(ValueError):
        parse_reply("ChordComposer", text)
    assert ChordProposal.model_validate({"bars": [["F", "G"]], "reason": "x"}, context=meter_context(3)).slots(
        0, "major", 3)[1].start_beat == 2.0


def test_valid_llm_replies_in_3_4_are_used(waltz):
    replies = {**VALID, "ChordComposer": {"bars": WALTZ_CHORDS, "reason": "waltz I-IV-V"},
               "ArrangementDirector": {"intro_bars": 2, "repeat_verse": False, "ending_bars": 1, "reason": "r"}}
    config = ScriptedConfig({agent: json.dumps(reply) for agent, reply in replies.items()})
    arrangement = compose_arrangement(waltz, llm=LLMSettings(config, timeout_s=5))
    assert {d.source for d in arrangement.rationale} == {"llm"}
    assert arrangement.time_signature.numerator == 3
    verse = [(c.start_beat, c.symbol) for c in arrangement.chords if 6 <= c.start_beat < 30]
    assert verse[4:7] == [(18.0, "C"), (21.0, "Dm"), (23.0, "G")]
    _in_bars_of_3(arrangement)
    brief = json.loads(_brief(ComposeSession(waltz, None)))
    assert brief["time_signature"] == "3/4" and brief["verse_bars_at_hum_tempo"] == 8
    assert brief["melody_at_hum_tempo (beat in bar:note(duration in beats))"][1] == "bar 2: 0:G5(2) 2:E5(1)"


def test_4_4_chord_replies_for_a_waltz_fall_back_to_the_rules(waltz):
    four = [["C", "C", "G", "C"]] * 8  # one per beat of a 4/4 bar
    replies = {**VALID, "ChordComposer": {"bars": four, "reason": "4/4"}}
    config = ScriptedConfig({agent: json.dumps(reply) for agent, reply in replies.items()})
    arrangement = compose_arrangement(waltz, llm=LLMSettings(config, timeout_s=5))
    composer = by_agent(arrangement)["ChordComposer"]
    assert composer.source == "rules" and composer.reason.startswith("LLM reply invalid")
    _in_bars_of_3(arrangement)


def test_an_llm_that_halves_a_waltz_tempo_falls_back_to_the_rules(make_hum):
    fast_waltz = make_hum(WALTZ, tempo_bpm=200.0).model_copy(update={"time_signature": TimeSignature(numerator=3)})
    replies = {**VALID, "GenreSpecialist": {"style": "jazz", "tempo_bpm": 100, "reason": "half time"}}
    config = ScriptedConfig({agent: json.dumps(reply) for agent, reply in replies.items()})
    arrangement = compose_arrangement(fast_waltz, Style.JAZZ, llm=LLMSettings(config, timeout_s=5))
    specialist = by_agent(arrangement)["GenreSpecialist"]
    assert specialist.source == "rules" and "melody would change speed" in specialist.reason
    assert arrangement.tempo_bpm == 200.0  # the hum's tempo: halving a 3-beat bar is not allowed
    _in_bars_of_3(arrangement)


def test_render_accepts_the_waltz(waltz, tmp_path):
    from humitout.music.package import build_package

    arrangement = compose_arrangement(waltz, Style.POP)
    package = build_package(arrangement, tmp_path)
    midi = mido.MidiFile(package.files["midi"])
    signatures = [(m.numerator, m.denominator) for track in midi.tracks for m in track if m.type == "time_signature"]
    assert signatures and set(signatures) == {(3, 4)}
    sheet = ET.parse(package.files["lead_sheet"]).getroot()
    assert {el.text for el in sheet.iter("beats")} == {"3"}
    assert {el.text for el in sheet.iter("beat-type")} == {"4"}
    assert json.loads(package.files["metadata"].read_text())["time_signature"] == "3/4"
    assert ComposeSession(waltz, None).beats_per_bar == 3
