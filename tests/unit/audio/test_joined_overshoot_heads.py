"""A leap's overshoot that the pitch cut split off a note's start is joined back to the note (joined_overshoot_heads)."""
from hum_synth import hum, phone, wav_bytes

import humitout.audio.transcribe as transcribe
from humitout.audio.decode import decode_audio
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.segment import joined_overshoot_heads
from humitout.audio.transcribe import transcribe_samples


def _line(*notes):
    return [NoteEvent(onset_s=a, offset_s=b, midi=m, confidence=0.8) for a, b, m in notes]


def test_an_overshoot_head_after_a_leap_starts_its_note():
    notes = _line((0.5, 0.9, 60.0), (0.9, 1.05, 68.2), (1.05, 1.5, 67.0), (1.5, 2.0, 65.0))
    assert [(n.onset_s, n.offset_s, n.midi) for n in joined_overshoot_heads(notes)] == \
        [(0.5, 0.9, 60.0), (0.9, 1.5, 67.0), (1.5, 2.0, 65.0)]


def test_sung_figures_keep_their_notes():
    upper_neighbour_after_a_step = _line((0.5, 0.9, 60.0), (0.9, 1.05, 63.0), (1.05, 1.5, 62.0))
    a_step_past_the_leap = _line((0.5, 0.9, 60.0), (0.9, 1.05, 69.0), (1.05, 1.5, 67.0))
    a_scoop_from_below = _line((0.5, 0.9, 60.0), (0.9, 1.05, 66.0), (1.05, 1.5, 67.0))
    a_head_after_a_gap = _line((0.5, 0.9, 60.0), (0.9, 1.0, 68.2), (1.05, 1.5, 67.0))
    for notes in (upper_neighbour_after_a_step, a_step_past_the_leap, a_scoop_from_below, a_head_after_a_gap):
        assert joined_overshoot_heads(notes) == notes


def test_a_hum_that_overshoots_its_leaps_keeps_one_note_a_pitch(monkeypatch):
    # leaps of 5 semitones overshot by 1.6 and settled over 0.2 s: without the rule the two leaps down-then-up split
    # a 0.1 s head off their notes (53.7 before 55, 55.7 before 57), whose onsets then come 0.1 s late
    sung = [(0.5, 1.0, 60), (1.0, 1.5, 67), (1.5, 2.0, 60), (2.0, 2.5, 55), (2.5, 3.0, 62), (3.0, 3.6, 57)]
    y, sr = decode_audio(wav_bytes(phone(hum(sung, overshoot_st=1.6), 32000)))
    notes = transcribe_samples(y, sr)[2]
    assert [round(n.midi) for n in notes] == [m for _, _, m in sung]
    assert all(abs(notes[i].onset_s - sung[i][0]) <= 0.03 for i in (3, 5))
    monkeypatch.setattr(transcribe, "joined_overshoot_heads", lambda notes, **kw: notes)
    assert len(transcribe_samples(y, sr)[2]) == len(sung) + 2
