"""A singer drifts: each note is named against the singer's own tuning around it (``in_singers_tuning``),
not against A = 440 Hz."""
import numpy as np
from hum_synth import hum, phone, scale_notes, wav_bytes

import humitout.audio.transcribe as transcribe
from humitout.audio.notes.core import NoteEvent, in_singers_tuning
from humitout.audio.transcribe import analyse_recording

SR = 32000
MELODY = [60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 69, 71, 69, 67, 65, 64, 62, 64, 60]   # C major, 10 s


def _drifting_hum() -> bytes:
    """``MELODY`` sung 0.5 s a note while the singer's pitch creeps up from 10 cents flat to 45 cents sharp
    (each note also 15 cents sharp or flat of that line, as sung notes are)."""
    notes = scale_notes(MELODY)
    drift = np.linspace(-0.10, 0.45, len(notes))
    detune = 0.15 * (-1.0) ** np.arange(len(notes))
    sung = [(on, off, m + d + e) for (on, off, m), d, e in zip(notes, drift, detune)]
    return wav_bytes(phone(hum(sung, sr=SR), SR))


def test_a_singer_drifting_sharp_over_the_call_keeps_every_note(monkeypatch):
    data = _drifting_hum()
    heard = [round(n.midi) for n in analyse_recording(data).notes]
    assert heard == MELODY
    monkeypatch.setattr(transcribe, "in_singers_tuning", lambda notes: notes)
    against_a440 = [round(n.midi) for n in analyse_recording(data).notes]
    assert against_a440 != MELODY   # the notes sung over 50 cents sharp are named a semitone up


def test_notes_sung_in_tune_keep_their_pitches_chromatic_ones_too():
    notes = [NoteEvent(0.5 * i, 0.5 * i + 0.45, float(m), 0.9) for i, m in enumerate([60, 61, 62, 63, 64, 66, 67, 70])]
    assert [n.midi for n in in_singers_tuning(notes)] == [n.midi for n in notes]


def test_the_reference_follows_the_singer_within_a_phrase_not_the_whole_call():
    # 8 s sung 40 cents flat, then 8 s 40 cents sharp: one reference for the whole call (the mean, 0) would
    # leave every note 40 cents off; the local reference takes each half's own
    flat = [NoteEvent(0.5 * i, 0.5 * i + 0.45, 60 + (i % 5) - 0.4, 0.9) for i in range(16)]
    sharp = [NoteEvent(8.0 + 0.5 * i, 8.0 + 0.5 * i + 0.45, 60 + (i % 5) + 0.4, 0.9) for i in range(16)]
    tuned = in_singers_tuning(flat + sharp, window_s=3.0)
    inner = tuned[:10] + tuned[-10:]   # the notes whose window holds one half only
    assert max(abs(n.midi - round(n.midi)) for n in inner) < 1e-6
