"""held_through_talker: a held note a talker's syllable split is one note again when the held pitch's
harmonics hold through the stretch the tracker spent on the talker; a sung neighbour note stays."""
import numpy as np
from hum_synth import steady_voice

from humitout.audio.f0 import PitchTrack, midi_to_hz
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.harmonics import STEAL_HOLD_DB, held_through_talker, stolen_stretches

SR = 8000
HOP = 0.01


def _call(talker: bool) -> tuple[np.ndarray, PitchTrack, list[NoteEvent]]:
    """1 s of a caller holding MIDI 59, the tracker reading MIDI 54 from 0.45 to 0.53 s. ``talker``: the
    caller holds 59 throughout and a talker's syllable at 54, 4 dB louder, sounds over it there; else the
    caller herself sings a short 54 there (a neighbour note) and the 59 stops."""
    rng = np.random.default_rng(5)
    t = np.arange(SR) / SR
    inside = (t >= 0.45) & (t < 0.53)
    held, other = 0.05 * steady_voice(t, 59.0), 0.05 * 10 ** (4 / 20) * steady_voice(t, 54.0)
    x = (held + np.where(inside, other, 0.0)) if talker else np.where(inside, other, held)
    x = x + 1e-3 * rng.standard_normal(len(t))
    n = int(1.0 / HOP)
    midi = np.full(n, 59.0)
    midi[45:53] = 54.0
    track = PitchTrack(hz=midi_to_hz(midi), confidence=np.full(n, 0.8), voiced=np.ones(n, bool), hop_s=HOP)
    notes = [NoteEvent(0.0, 0.45, 59.0, 0.8), NoteEvent(0.45, 0.53, 54.0, 0.8), NoteEvent(0.53, 1.0, 59.0, 0.8)]
    return x, track, notes


def test_talker_inside_a_held_note_does_not_split_it():
    x, track, notes = _call(talker=True)
    (i, j, drop, other), = stolen_stretches(notes, x, SR, track)
    assert (i, j, round(other)) == (0, 2, 54) and drop < STEAL_HOLD_DB   # the 59's harmonics hold
    out = held_through_talker(notes, x, SR, track)
    assert [(n.onset_s, n.offset_s, round(n.midi)) for n in out] == [(0.0, 1.0, 59)]


def test_sung_neighbour_note_stays():
    # the same tracker reading, but the caller sang the 54: the 59's harmonics fall away, three notes
    x, track, notes = _call(talker=False)
    (_, _, drop, _), = stolen_stretches(notes, x, SR, track)
    assert drop > STEAL_HOLD_DB + 4.0
    assert [round(n.midi) for n in held_through_talker(notes, x, SR, track)] == [59, 54, 59]


def test_reading_within_a_whole_tone_of_the_held_pitch_is_no_talker():
    # a stretch read a whole tone or less off the held pitch is the voice's own scoop or a sung neighbour note
    # (a turn's 61 in a held 59), which the held pitch's comb cannot tell from a talker there: no join
    x, track, notes = _call(talker=True)
    for step in (58.0, 57.0):
        near = [n if n.midi == 59.0 else NoteEvent(n.onset_s, n.offset_s, step, n.confidence) for n in notes]
        read = PitchTrack(hz=np.where(np.isclose(track.hz, midi_to_hz(54.0)), midi_to_hz(step), track.hz),
                          confidence=track.confidence, voiced=track.voiced, hop_s=HOP)
        assert len(held_through_talker(near, x, SR, read)) == 3
