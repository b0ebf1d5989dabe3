"""A short sung note the tracker heard at a talker's pitch: the caller's pitch is read from the strongest
harmonic comb within the caller's line (:func:`harmonic_comb_pitch`), and the note comes back at it
(:func:`_callers_pitch_under_talker`)."""
import numpy as np

from humitout.audio.f0 import midi_to_hz
from humitout.audio.notes.callers import _callers_pitch_under_talker
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import harmonic_comb_pitch

SR = 8000


def _voice(midi: float, dur_s: float, gain: float = 1.0) -> np.ndarray:
    """A voice at ``midi`` (harmonics at 1/h up to 3.4 kHz) for ``dur_s`` s."""
    t = np.arange(int(dur_s * SR)) / SR
    f = float(midi_to_hz(midi))
    return gain * sum(np.sin(2 * np.pi * h * f * t + h) / h for h in range(1, int(3400 / f) + 1))


def test_the_comb_reads_the_caller_under_a_lower_talker():
    # a 0.12 s sung D4 (62) with a man talking at B2 (47) as loud: the comb within the line 59-65 finds 62
    x = _voice(62.0, 0.12) + _voice(47.0, 0.12)
    assert abs(harmonic_comb_pitch(x, SR, 0.0, 0.12, 59.0, 65.0) - 62.0) <= 0.25


def test_the_comb_alone_reads_the_octave_under_as_strongly():
    # why the range is one octave: from 49 up, the comb at 50 (an octave under 62) collects 62's harmonics
    x = _voice(62.0, 0.12)
    assert abs(harmonic_comb_pitch(x, SR, 0.0, 0.12, 56.0, 65.0) - 62.0) <= 0.25
    low = harmonic_comb_pitch(x, SR, 0.0, 0.12, 49.0, 55.0)
    assert abs(low - 50.0) <= 0.25


def _notes():
    return [NoteEvent(0.0, 0.4, 60.0, 0.9), NoteEvent(0.45, 0.57, 47.0, 0.6), NoteEvent(0.6, 1.0, 64.0, 0.9)]


def test_a_dropped_note_at_the_callers_level_between_two_of_theirs_takes_the_callers_pitch():
    notes, midi = _notes(), np.array([60.0, 47.0, 64.0])
    keep = np.array([True, False, True])
    out, m, k = _callers_pitch_under_talker(notes, midi, keep, ~keep, np.array([0, 45, 60]),
                                            lambda a, b, lo, hi: 62.0, gap_s=0.3, margin_st=0.6)
    assert k.tolist() == [True, True, True]
    assert out[1].midi == 62.0 and m[1] == 62.0 and out[1].onset_s == 0.45


def test_the_comb_is_read_in_the_octave_around_the_line():
    seen = []
    _callers_pitch_under_talker(_notes(), np.array([60.0, 47.0, 64.0]), np.array([True, False, True]),
                                np.array([False, True, False]), np.array([0, 45, 60]),
                                lambda a, b, lo, hi: seen.append((a, b, lo, hi)) or 62.0, gap_s=0.3, margin_st=0.6)
    (a, b, lo, hi), = seen
    assert (a, b) == (0.45, 0.57) and lo > 56.0 and hi < 68.0 and hi - lo < 12.0


def test_a_line_wider_than_an_octave_is_left_alone():
    notes = [NoteEvent(0.0, 0.4, 50.0, 0.9), NoteEvent(0.45, 0.57, 40.0, 0.6), NoteEvent(0.6, 1.0, 64.0, 0.9)]
    keep = np.array([True, False, True])
    _, _, k = _callers_pitch_under_talker(notes, np.array([50.0, 40.0, 64.0]), keep, ~keep, np.array([0, 45, 60]),
                                          lambda a, b, lo, hi: 57.0, gap_s=0.3, margin_st=0.6)
    assert k.tolist() == [True, False, True]


def test_a_note_not_heard_at_the_callers_level_stays_dropped():
    keep = np.array([True, False, True])
    _, _, k = _callers_pitch_under_talker(_notes(), np.array([60.0, 47.0, 64.0]), keep, np.zeros(3, bool),
                                          np.array([0, 45, 60]), lambda a, b, lo, hi: 62.0, gap_s=0.3, margin_st=0.6)
    assert k.tolist() == [True, False, True]


def test_a_held_note_a_talker_cut_in_two_rejoins():
    notes = [NoteEvent(0.0, 0.4, 65.0, 0.9), NoteEvent(0.4, 0.5, 53.0, 0.6), NoteEvent(0.5, 1.0, 65.1, 0.9)]
    keep = np.array([True, False, True])
    out, _, k = _callers_pitch_under_talker(notes, np.array([65.0, 53.0, 65.1]), keep, ~keep, np.zeros(3, int),
                                            lambda a, b, lo, hi: 65.0, gap_s=0.3, margin_st=0.6)
    kept = [n for n, x in zip(out, k) if x]
    assert len(kept) == 1 and kept[0].onset_s == 0.0 and kept[0].offset_s == 1.0 and kept[0].midi == 65.1


def test_a_line_off_the_callers_register_is_left_alone():
    # the two notes around it an octave under the caller's register: the tracker on the caller's octave
    keep = np.array([True, False, True])
    _, _, k = _callers_pitch_under_talker(_notes(), np.array([60.0, 47.0, 64.0]), keep, ~keep, np.array([0, 45, 60]),
                                          lambda a, b, lo, hi: 62.0, gap_s=0.3, margin_st=0.6, register=(66.0, 76.0))
    assert k.tolist() == [True, False, True]
