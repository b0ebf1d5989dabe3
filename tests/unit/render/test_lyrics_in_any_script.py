"""Lyrics in any script survive Render: the MIDI file holds them as UTF-8, the lead sheet and
lyrics file keep the real text (mido alone writes meta text as Latin-1 and crashed on them)."""
import io

import mido
import pytest

from conftest import make_arrangement
from humitout.music.midi import build_midi, read_midi_text

LYRICS = {
    "chinese": "月亮代表我的心 你问我爱你有多深",
    "russian": "Катюша выходила на берег",
    "curly apostrophe": "don’t stop believin’ tonight",
    "emoji": "la la 🎵 la la 🎶 hey",
}


@pytest.mark.parametrize("lyrics", LYRICS.values(), ids=LYRICS.keys())
def test_midi_lyrics_in_any_script_round_trip_as_utf8(lyrics):
    arrangement = make_arrangement(lyrics=lyrics)
    buffer = io.BytesIO()
    build_midi(arrangement).save(file=buffer)
    assert lyrics.split()[0].encode("utf-8") in buffer.getvalue()
    buffer.seek(0)
    words = [read_midi_text(m.text) for t in mido.MidiFile(file=buffer).tracks for m in t if m.type == "lyrics"]
    assert " ".join(words) == lyrics


def test_the_whole_package_renders_with_non_latin_lyrics(tmp_path):
    from humitout.music.package import build_package

    lyrics = LYRICS["chinese"] + " " + LYRICS["emoji"]
    result = build_package(make_arrangement(bars=8, lyrics=lyrics), tmp_path, params={"seed": 1})
    xml = next(p for p in result.files.values() if p.suffix == ".musicxml").read_text(encoding="utf-8")
    assert "月亮代表我的心" in xml and "🎵" in xml
