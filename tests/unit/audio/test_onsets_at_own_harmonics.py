"""onsets_at_own_harmonics: a step to another pitch starts where the new pitch's own harmonics rise and the
old pitch's fall, not where the tracker let go of the old pitch; a note still sounding at its level keeps
its boundary however strong a tail at the new pitch under it."""
import numpy as np
from hum_synth import steady_voice

from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.harmonics import onsets_at_own_harmonics

SR = 8000
HOP = 0.01


def _step(tail: bool, sag_db: float = 0.0) -> np.ndarray:
    """1 s: MIDI 60 until 0.5 s, then MIDI 64. ``tail``: the 60's direct sound stops at 0.5 s and a room's
    tail rings on from 10 dB under, falling 60 dB/s (the tracker follows it for a while); else the 60 goes on
    at its level to 0.6 s (sung on) and the 64 starts there. The 64 sags ``sag_db`` dB from 0.53 to 0.58 s
    (a room's notch after its attack)."""
    rng = np.random.default_rng(3)
    t = np.arange(SR) / SR
    old = 0.1 * steady_voice(t, 60.0)
    if tail:
        old = np.where(t < 0.5, old, old * 10 ** ((-10.0 - 60.0 * (t - 0.5)) / 20))
    else:
        old = np.where(t < 0.6, old, 0.0)
    new = np.where(t >= (0.5 if tail else 0.6), 0.1 * steady_voice(t, 64.0), 0.0)
    new = np.where((t >= 0.53) & (t < 0.58), new * 10 ** (-sag_db / 20), new)
    return old + new + 1e-4 * rng.standard_normal(len(t))


def test_step_starts_where_the_new_pitchs_harmonics_rise():
    # the tracker held the old pitch through its tail and changed at 0.6 s; the new note began at 0.5 s
    notes = [NoteEvent(0.0, 0.6, 60.0, 0.9), NoteEvent(0.6, 1.0, 64.0, 0.9)]
    out = onsets_at_own_harmonics(notes, _step(tail=True), SR, HOP)
    assert abs(out[1].onset_s - 0.5) <= 0.02 and out[0].offset_s == out[1].onset_s
    assert [n.midi for n in out] == [60.0, 64.0]


def test_step_starts_at_the_attack_when_the_new_note_sags_after_it():
    # 9 dB under the new note's level for 50 ms after its attack: the onset is still the attack at 0.5 s
    notes = [NoteEvent(0.0, 0.6, 60.0, 0.9), NoteEvent(0.6, 1.0, 64.0, 0.9)]
    x = _step(tail=True, sag_db=9.0)
    assert abs(onsets_at_own_harmonics(notes, x, SR, HOP)[1].onset_s - 0.5) <= 0.02
    assert onsets_at_own_harmonics(notes, x, SR, HOP, sag_db=0.0)[1].onset_s >= 0.57   # an unbroken walk stops at the sag


def test_boundary_stays_where_the_old_note_sounds_on():
    # the 60 is sung on at its level to 0.6 s and the 64 starts there: the boundary is right as it is
    notes = [NoteEvent(0.0, 0.6, 60.0, 0.9), NoteEvent(0.6, 1.0, 64.0, 0.9)]
    assert onsets_at_own_harmonics(notes, _step(tail=False), SR, HOP) == notes


def test_new_pitch_under_a_note_still_at_its_level_moves_nothing():
    # the new pitch (64) sounds at the new note's level from 0.5 s, under the old note (60) that is sung on
    # at its level to 0.6 s (another voice, or a tail of an earlier 64): the old note has not stopped there
    rng = np.random.default_rng(4)
    t = np.arange(SR) / SR
    x = 0.1 * steady_voice(t, 60.0) * (t < 0.6) + 0.1 * steady_voice(t, 64.0) * (t >= 0.5) + 1e-4 * rng.standard_normal(len(t))
    notes = [NoteEvent(0.0, 0.6, 60.0, 0.9), NoteEvent(0.6, 1.0, 64.0, 0.9)]
    assert onsets_at_own_harmonics(notes, x, SR, HOP) == notes
    assert onsets_at_own_harmonics(notes, x, SR, HOP, old_fall_db=-100.0)[1].onset_s < 0.55   # what the check stops
