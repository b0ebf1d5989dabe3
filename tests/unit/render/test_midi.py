import io

import mido

from humitout.music.midi import CHANNEL_BY_PART, build_midi, spread_lyrics, write_midi

REQUIRED_META = {"track_name", "set_tempo", "time_signature", "key_signature", "marker", "lyrics"}


def _reopened(arrangement, tmp_path) -> mido.MidiFile:
    path = write_midi(build_midi(arrangement), tmp_path / "session.mid")
    return mido.MidiFile(path)


def test_session_midi_reopens_with_mido_and_has_every_meta_event(arrangement, tmp_path):
    midi_file = _reopened(arrangement, tmp_path)
    types = {msg.type for track in midi_file.tracks for msg in track}
    assert REQUIRED_META | {"program_change"} <= types
    assert midi_file.type == 1 and len(midi_file.tracks) == 1 + len(arrangement.parts)
    tempo = next(m for m in midi_file.tracks[0] if m.type == "set_tempo").tempo
    assert round(mido.tempo2bpm(tempo), 3) == arrangement.tempo_bpm
    key = next(m for m in midi_file.tracks[0] if m.type == "key_signature").key
    assert key == "C"
    markers = [m.text for m in midi_file.tracks[0] if m.type == "marker"]
    assert markers == [s.name for s in arrangement.sections]


def test_each_part_has_a_named_track_on_its_channel_with_drums_on_channel_10(arrangement, tmp_path):
    midi_file = _reopened(arrangement, tmp_path)
    for track, part in zip(midi_file.tracks[1:], arrangement.parts):
        assert track.name
        channels = {m.channel for m in track if not m.is_meta}
        assert channels == {CHANNEL_BY_PART[part.name]}
        programs = [m.program for m in track if m.type == "program_change"]
        assert programs == [0 if part.is_drum else part.program]
        assert sum(1 for m in track if m.type == "note_on" and m.velocity) == len(part.notes)
    drum_track = midi_file.tracks[1 + [p.name for p in arrangement.parts].index("drums")]
    assert {m.channel for m in drum_track if not m.is_meta} == {9}


def test_lyrics_are_on_the_melody_guide_track_at_note_onsets(arrangement):
    midi_file = build_midi(arrangement)
    buffer = io.BytesIO()
    midi_file.save(file=buffer)
    buffer.seek(0)
    reopened = mido.MidiFile(file=buffer)
    melody = reopened.tracks[1 + [p.name for p in arrangement.parts].index("melody")]
    tick, lyric_ticks, onset_ticks = 0, [], set()
    for msg in melody:
        tick += msg.time
        if msg.type == "lyrics":
            lyric_ticks.append(tick)
        elif msg.type == "note_on" and msg.velocity:
            onset_ticks.add(tick)
    words = [m.text for m in melody if m.type == "lyrics"]
    assert " ".join(words) == arrangement.lyrics
    assert set(lyric_ticks) <= onset_ticks
    assert all(m.type != "lyrics" for t in reopened.tracks if t is not melody for m in t)


def test_words_are_spread_evenly_and_share_notes_when_notes_run_out():
    assert spread_lyrics("a b c", 6) == [(0, "a"), (2, "b"), (4, "c")]
    assert spread_lyrics("a b c d", 2) == [(0, "a b"), (1, "c d")]
    assert spread_lyrics("", 4) == [] and spread_lyrics("a", 0) == []


def test_reverb_and_chorus_sends_follow_the_style(arrangement):
    from humitout.models import Style
    from humitout.music.mixing import style_mix

    for style in (Style.JAZZ, Style.ELECTRONIC):
        styled = arrangement.model_copy(update={"style": style})
        sends = {}
        for track in build_midi(styled).tracks[1:]:
            for msg in track:
                if msg.type == "control_change" and msg.control in (91, 93):
                    sends.setdefault(msg.channel, {})[msg.control] = msg.value
        for part in styled.parts:
            channel = CHANNEL_BY_PART[part.name]
            assert (sends[channel][91], sends[channel][93]) == style_mix(style).send(part.name)
    assert style_mix(Style.ELECTRONIC).send("pad")[1] > 0 == style_mix(Style.JAZZ).send("pad")[1]
