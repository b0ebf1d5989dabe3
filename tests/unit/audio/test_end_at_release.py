"""A note ends where its direct sound stops, not where a room's reverberant tail under it fades (end_at_release)."""
import numpy as np
from hum_synth import phone, room, stopped_hum, wav_bytes

import humitout.audio.transcribe as transcribe
from humitout.audio.decode import decode_audio
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.releases import end_at_release
from humitout.audio.transcribe import transcribe_samples

SR = 32000
HOP = 0.01
# a phrase of steps with an 80 ms consonant gap before each note
SUNG = [(0.5 + 0.5 * i, 0.92 + 0.5 * i, m) for i, m in enumerate([60, 62, 64, 62, 60, 59, 57, 59])]


def _offset_errors(y: np.ndarray, sr: int) -> list[float]:
    notes = transcribe_samples(y, sr)[2]
    assert [round(n.midi) for n in notes] == [m for _, _, m in SUNG]
    return [n.offset_s - off for n, (_, off, _) in zip(notes, SUNG)]


def test_notes_in_a_room_end_where_the_voice_stops_before_the_next_note(monkeypatch):
    # RT60 0.5 s, tail 6 dB under the direct sound (not found reverberant: no dereverberation). The tracker
    # hears each note's pitch through the gap, so without the rule the notes run on 50-90 ms (mean 0.075 s);
    # with it six of eight end 30 ms after the voice (mean 0.039 s)
    y, sr = decode_audio(wav_bytes(phone(room(stopped_hum(SUNG), 0.5, 6.0), SR)))
    assert np.mean(_offset_errors(y, sr)) <= 0.045
    monkeypatch.setattr(transcribe, "end_at_release", lambda notes, *a, **kw: notes)
    assert np.mean(_offset_errors(y, sr)) >= 0.07


def test_a_dry_voices_notes_keep_their_ends(monkeypatch):
    # the hum's own 30 ms release is no tail: every offset is the one the note stage gave before the rule
    y, sr = decode_audio(wav_bytes(phone(stopped_hum(SUNG), SR)))
    errors = _offset_errors(y, sr)
    monkeypatch.setattr(transcribe, "end_at_release", lambda notes, *a, **kw: notes)
    assert _offset_errors(y, sr) == errors


def _level(held_db: float, frames: int, tail_db: float, tail: int) -> np.ndarray:
    return np.r_[np.full(frames, held_db), np.full(tail, tail_db)]


def test_a_tail_after_the_fall_is_cut_release_s_after_the_fall():
    e = _level(-20.0, 30, -28.0, 10)            # 0.3 s held, then 0.1 s of tail 8 dB down
    midi = np.full(40, 60.0)
    out = end_at_release([NoteEvent(0.0, 0.4, 60.0, 0.9)], e, midi, HOP)
    assert abs(out[0].offset_s - 0.32) < 1e-9  # the fall at 0.30 s, plus the 20 ms release


def test_a_short_fall_a_glide_from_a_louder_note_a_slow_slide_and_dropouts_are_left():
    midi = np.full(40, 60.0)
    note = NoteEvent(0.0, 0.4, 60.0, 0.9)
    # what follows the fall lasts 40 ms: the voice's own release
    assert end_at_release([note], _level(-20.0, 36, -28.0, 4), midi, HOP) == [note]
    # the loud frames before the "fall" are a louder note glided in from 3 st higher
    glide = np.r_[np.full(8, 63.0), np.full(32, 60.0)]
    assert end_at_release([note], _level(-12.0, 8, -20.0, 32), glide, HOP) == [note]
    # the level slides 8 dB over 80 ms (an AGC pulling its gain down, a decrescendo): no stop
    slide = np.r_[np.full(22, -20.0), -20.0 - np.arange(1, 9), np.full(10, -28.0)]
    assert end_at_release([note], slide, midi, HOP) == [note]
    # the quiet frames are lost packets
    dead = np.r_[np.zeros(30, bool), np.ones(10, bool)]
    assert end_at_release([note], _level(-20.0, 30, -28.0, 10), midi, HOP, dead) == [note]
