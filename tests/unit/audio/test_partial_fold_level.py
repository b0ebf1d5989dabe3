"""fold_partial_notes: a piece at a neighbour's partial that is louder than that neighbour is a sung leap."""
import numpy as np
from hum_synth import steady_voice

from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.levels import frame_energy_db
from humitout.audio.notes.partials import fold_partial_notes

SR = 8000


def _call(second_midi: float, second_db: float) -> tuple[np.ndarray, np.ndarray, list[NoteEvent]]:
    """0.5 s of MIDI 46 then 0.3 s of ``second_midi`` ``second_db`` dB louder, the voice's harmonics up to
    1.4 kHz and a floor of white noise over the band (a noise suppressor's residual), which fills the band
    above the harmonics so that the half-pitch multiples there read as loud as the note's own."""
    rng = np.random.default_rng(3)
    t = np.arange(int(0.8 * SR)) / SR
    lo, hi = steady_voice(t, 46.0, 1400.0), steady_voice(t, second_midi, 1400.0)
    x = np.where(t < 0.5, 0.05 * lo / np.abs(lo).max(), 0.05 * 10 ** (second_db / 20) * hi / np.abs(hi).max())
    x = x + 3e-3 * rng.standard_normal(len(t))
    return x, frame_energy_db(x, SR, 80), [NoteEvent(0.0, 0.5, 46.0, 0.9), NoteEvent(0.5, 0.8, second_midi, 0.9)]


def test_octave_leap_sung_louder_is_not_folded_into_the_note_before():
    # a singer leaping an octave up sings louder (6 dB here); the floor over the band makes the spectrum
    # read as the 2nd partial of the 46, so without the level the 58 is folded into it (main: one 46)
    x, level, notes = _call(58.0, 6.0)
    assert [round(n.midi) for n in fold_partial_notes(notes, x, SR)] == [46]   # no level given: folded
    assert [round(n.midi) for n in fold_partial_notes(notes, x, SR, level_db=level)] == [46, 58]


def test_partial_lock_at_the_same_level_is_still_folded():
    # the tracker reads the 2nd partial of the held 46 for its last 0.3 s: same voice, same level
    x, level, _ = _call(46.0, 0.0)
    notes = [NoteEvent(0.0, 0.5, 46.0, 0.9), NoteEvent(0.5, 0.8, 58.0, 0.9)]
    assert [round(n.midi) for n in fold_partial_notes(notes, x, SR, level_db=level)] == [46]
