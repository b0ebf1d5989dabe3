"""A child's short sung notes (0.07-0.1 s "da", f0 500-700 Hz): the tracker follows the scoop into the vowel
and loses the pitch at its release (stress child, seeds 10 and 12)."""
import numpy as np

from humitout.audio.f0 import PitchTrack
from humitout.audio.notes.segment import segment_notes
from humitout.audio.notes.voicing import voice_short_bursts

HOP = 0.01
UNHEARD = (66.5, 0.01, -57.0)   # a frame the tracker does not hear: (MIDI read, confidence, level dB)
# a 0.08 s "da" at 72 (C5) after a held 74: scooped 1.2 st from above into its vowel, whose release the
# tracker reads 3.4 st low at confidence 0.34 / 0.10 while the level holds (frames of s10 child_003 at 2.52 s)
SHORT_DA = [(72.85, 0.25, -39.1), (72.75, 0.49, -35.9), (72.11, 0.68, -27.9), (71.77, 0.73, -24.3),
            (71.63, 0.67, -22.5), (68.59, 0.34, -23.7), (68.11, 0.10, -26.9)]


def _frames(*parts):
    rows = [r for p in parts for r in p]
    midi, conf, level = (np.array(v, float) for v in zip(*rows))
    return midi, conf, level


def _held(midi, seconds, conf=0.95, level=-24.0):
    return [(midi, conf, level)] * int(round(seconds / HOP))


def _call(short):
    """A held 74 for 0.3 s, 60 ms unheard, the short note ``short``, 50 ms unheard, a held 72 for 0.6 s."""
    return _frames([UNHEARD] * 30, _held(74.0, 0.3), [UNHEARD] * 6, short, [UNHEARD] * 5, _held(72.0, 0.6),
                   [UNHEARD] * 30)


def _notes(midi, conf, level):
    return segment_notes(PitchTrack(hz=440.0 * 2 ** ((midi - 69) / 12), confidence=conf, voiced=conf >= 0.5,
                                    hop_s=HOP), level)


def test_short_scooped_note_whose_release_the_tracker_loses_is_a_note():
    midi, conf, level = _call(SHORT_DA)
    onset = 0.3 + 0.3 + 0.06
    notes = _notes(midi, conf, level)
    assert any(abs(n.onset_s - onset) <= 0.03 and abs(n.midi - 72.0) <= 0.5 for n in notes), notes
    # the next 72, after the short note's consonant, stays a note of its own
    assert sum(abs(n.midi - 72.0) <= 0.5 for n in notes) == 2


def test_burst_grows_over_its_release_only_while_the_level_holds():
    midi, conf, level = _frames([UNHEARD] * 20, SHORT_DA, [UNHEARD] * 20)
    ok = level > -45.0
    out = voice_short_bursts(midi, conf, conf >= 0.5, ok, 7, 4, level_db=level)
    assert out[20:27].all()
    # the same release 10 dB under the vowel's peak: the voice has stopped, the frames carry no pitch of it
    level[25:27] = -33.0
    out = voice_short_bursts(midi, conf, conf >= 0.5, ok, 7, 4, level_db=level)
    assert not out[25:27].any()


def test_run_whose_pitch_pieces_are_all_shorter_than_a_note_is_one_note():
    # 7 voiced frames: 2 at the scoop (73.3), 5 at the vowel (72.0); a pitch cut leaves two pieces under 0.07 s
    scoop = [(73.4, 0.7, -30.0), (73.2, 0.7, -27.0)] + [(72.0, 0.8, -24.0)] * 5
    midi, conf, level = _frames([UNHEARD] * 30, scoop, [UNHEARD] * 30)
    notes = _notes(midi, conf, level)
    assert len(notes) == 1 and abs(notes[0].midi - 72.0) <= 0.5 and abs(notes[0].onset_s - 0.3) <= 0.03
