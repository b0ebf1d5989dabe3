"""Arrangement -> standard MIDI file (``session.mid``), ready for a DAW and for rendering.

One named track per part on a fixed channel (drums on MIDI channel 10, i.e.
index 9), a first track with tempo, time signature, key signature and one
marker per section, GM program changes, part level/pan/reverb/chorus as CC 7/10/91/93 (sends from :mod:`humitout.music.mixing`),
and lyrics on the melody-guide track. Times in the file are ticks at
:data:`TICKS_PER_BEAT` per quarter note; the arrangement's times are beats.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import mido
import pretty_midi

from humitout.models import Arrangement
from humitout.music.mixing import style_mix
from humitout.music.lyric_timing import melody_notes, spread_lyrics

TICKS_PER_BEAT = 480

CHANNEL_BY_PART = {"melody": 0, "bass": 1, "chords": 2, "pad": 3, "drums": 9}
"""0-based MIDI channel of each part (channel index 9 is the GM drum channel 10)."""

TRACK_NAME_BY_PART = {
    "drums": "Drums",
    "bass": "Bass",
    "chords": "Chords",
    "pad": "Pad",
    "melody": "Melody guide",
}

CC_VOLUME, CC_PAN, CC_REVERB_SEND, CC_CHORUS_SEND = 7, 10, 91, 93


def volume_cc(level_db: float, loudest_level_db: float) -> int:
    """CC 7 value for a part ``level_db`` below the loudest part (GM: gain = 40 log10(cc/127) dB)."""
    return max(1, min(127, round(127 * 10 ** ((level_db - loudest_level_db) / 40))))


def pan_cc(pan: float) -> int:
    """CC 10 value for ``pan`` in [-1 (left), 1 (right)]; 64 is centre."""
    return max(0, min(127, round(64 + 63 * pan)))


def build_midi(arrangement: Arrangement) -> mido.MidiFile:
    """Build the session MIDI file (type 1): a conductor track, then one track per part."""
    seconds_per_beat = 60.0 / arrangement.tempo_bpm
    pm = pretty_midi.PrettyMIDI(resolution=TICKS_PER_BEAT, initial_tempo=arrangement.tempo_bpm)
    ts = arrangement.time_signature
    pm.time_signature_changes.append(pretty_midi.TimeSignature(ts.numerator, ts.denominator, 0.0))
    key_number = arrangement.key.tonic_pc + (12 if arrangement.key.mode == "minor" else 0)
    pm.key_signature_changes.append(pretty_midi.KeySignature(key_number, 0.0))

    names = [p.name for p in arrangement.parts]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate part names: {names}")
    loudest_db = max((p.level_db for p in arrangement.parts), default=0.0)
    mix = style_mix(arrangement.style)  # reverb / chorus sends per part
    for part in arrangement.parts:
        is_drum = part.name == "drums"
        instrument = pretty_midi.Instrument(
            program=0 if is_drum else part.program, is_drum=is_drum, name=TRACK_NAME_BY_PART[part.name]
        )
        instrument.control_changes += [
            pretty_midi.ControlChange(CC_VOLUME, volume_cc(part.level_db, loudest_db), 0.0),
            pretty_midi.ControlChange(CC_PAN, pan_cc(part.pan), 0.0),
            pretty_midi.ControlChange(CC_REVERB_SEND, mix.send(part.name)[0], 0.0),
            pretty_midi.ControlChange(CC_CHORUS_SEND, mix.send(part.name)[1], 0.0),
        ]
        instrument.notes = [
            pretty_midi.Note(
                velocity=n.velocity,
                pitch=n.pitch,
                start=n.start_beat * seconds_per_beat,
                end=(n.start_beat + n.duration_beats) * seconds_per_beat,
            )
            for n in part.notes
        ]
        pm.instruments.append(instrument)

    buffer = io.BytesIO()
    pm.write(buffer)
    buffer.seek(0)
    midi_file = mido.MidiFile(file=buffer)
    _finish_tracks(midi_file, arrangement)
    return midi_file


def _beat_to_tick(beat: float) -> int:
    return round(beat * TICKS_PER_BEAT)


def _finish_tracks(midi_file: mido.MidiFile, arrangement: Arrangement) -> None:
    """Add what pretty_midi cannot write: fixed channels, conductor name, markers, lyrics."""
    conductor = midi_file.tracks[0]
    _insert_events(conductor, [(0, mido.MetaMessage("track_name", name=f"Hum It Out ({arrangement.style.value})"))])
    beats_per_bar = arrangement.time_signature.numerator * 4 / arrangement.time_signature.denominator
    _insert_events(
        conductor,
        [
            (_beat_to_tick(s.start_bar * beats_per_bar), mido.MetaMessage("marker", text=s.name))
            for s in sorted(arrangement.sections, key=lambda s: s.start_bar)
        ],
    )
    for track, part in zip(midi_file.tracks[1:], arrangement.parts):
        channel = CHANNEL_BY_PART[part.name]
        for msg in track:
            if not msg.is_meta:
                msg.channel = channel
        if part.name == "melody" and arrangement.lyrics.strip():
            notes = melody_notes(arrangement)
            _insert_events(
                track,
                [
                    (_beat_to_tick(notes[i].start_beat), mido.MetaMessage("lyrics", text=midi_text(words)))
                    for i, words in spread_lyrics(arrangement.lyrics, len(notes))
                ],
            )


def midi_text(text: str) -> str:
    """``text`` as mido must be given it so the file holds its UTF-8 bytes (mido writes meta text
    as Latin-1, which cannot hold Chinese, Cyrillic, curly quotes or emoji). UTF-8 in text events
    is the convention DAWs read (RP-026 allows it); :func:`read_midi_text` reverses this."""
    return text.encode("utf-8").decode("latin-1")


def read_midi_text(text: str) -> str:
    """The text of a meta message read by mido from a file written with :func:`midi_text`."""
    raw = text.encode("latin-1")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # a Latin-1 file from elsewhere
        return text


def _insert_events(track: mido.MidiTrack, events: Iterable[tuple[int, mido.MetaMessage]]) -> None:
    """Insert meta ``events`` (absolute tick, message) into ``track``: after the track name,
    before the track's other events at the same tick."""
    absolute: list[tuple[int, int, int, mido.Message]] = []
    tick = 0
    for order, msg in enumerate(track):
        tick += msg.time
        absolute.append((tick, 0 if msg.type == "track_name" else 2, order, msg))
    absolute += [(t, 1, order, msg) for order, (t, msg) in enumerate(events)]
    absolute.sort(key=lambda e: e[:3])
    end_tick = max(t for t, *_ in absolute)
    body = [(t, msg) for t, _, _, msg in absolute if msg.type != "end_of_track"]
    track.clear()
    previous = 0
    for t, msg in body:
        track.append(msg.copy(time=t - previous))
        previous = t
    track.append(mido.MetaMessage("end_of_track", time=end_tick - previous))


def write_midi(midi_file: mido.MidiFile, path: Path) -> Path:
    """Save ``midi_file`` to ``path`` (parents created) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    midi_file.save(path)
    return path
