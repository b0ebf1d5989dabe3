"""A legato note is held into the singer's articulation gap before the next note, not ended where the voice
falls silent (held_into_articulation)."""
import numpy as np
from hum_synth import phone, stopped_hum, wav_bytes

import humitout.audio.transcribe as transcribe
from humitout.audio.decode import decode_audio
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.releases import held_into_articulation
from humitout.audio.transcribe import transcribe_samples


def _notes(*spans):
    return [NoteEvent(onset_s=a, offset_s=b, midi=60.0 + 2 * i, confidence=0.9) for i, (a, b) in enumerate(spans)]


def test_a_note_the_next_follows_within_a_consonants_gap_is_held_to_just_before_it():
    held = held_into_articulation(_notes((0.5, 0.95), (1.0, 1.4)))
    assert abs(held[0].offset_s - 0.97) < 1e-9
    assert (held[0].onset_s, held[0].midi) == (0.5, 60.0)
    assert (held[1].onset_s, held[1].offset_s) == (1.0, 1.4)


def test_a_note_before_a_rest_and_a_note_already_held_keep_their_ends():
    notes = _notes((0.5, 0.88), (1.0, 1.38), (1.4, 1.8))   # a 120 ms rest, then a 20 ms gap
    assert held_into_articulation(notes) == notes


def test_a_legato_line_sung_with_consonant_gaps_ends_each_note_just_before_the_next(monkeypatch):
    # a stepwise line whose voice stops 80 ms before each next note (a /d/ or /l/): the note stage reads each
    # onset about 30 ms early and each offset 10 ms late, so without the rule 40 ms of silence stay between the
    # notes; with it 30 ms
    sung = [(0.5 + 0.4 * i, 0.82 + 0.4 * i, m) for i, m in enumerate([60, 62, 64, 65, 67, 65, 64, 62])]
    y, sr = decode_audio(wav_bytes(phone(stopped_hum(sung, voiced_before_onset_s=0.0), 32000)))

    def gaps():
        notes = transcribe_samples(y, sr)[2]
        assert [round(n.midi) for n in notes] == [m for _, _, m in sung]
        return [b.onset_s - a.offset_s for a, b in zip(notes, notes[1:])]

    assert max(gaps()) <= 0.031
    monkeypatch.setattr(transcribe, "held_into_articulation", lambda notes, **kw: notes)
    assert np.median(gaps()) >= 0.035
