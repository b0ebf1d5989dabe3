"""A held note whose voicing the tracker loses for a few frames, with the frame at the gap's edge already
off the note's pitch (AMR-NB's doubled pitch lag near its 400 Hz floor, a confidence sag), stays one note:
the held pitch either side of the gap is read over the segmenter's ``MIN_JUMP_S``, not from that one frame
(``fill_weak_gaps(side=)``, ``held_pitch_beside``)."""
import numpy as np

from humitout.audio.f0 import PitchTrack
from humitout.audio.notes.core import MIN_JUMP_S
from humitout.audio.notes.segment import MAX_WEAK_GAP_S, segment_notes
from humitout.audio.notes.voicing import fill_weak_gaps, held_pitch_beside

HOP = 0.01
SIDE = int(round(MIN_JUMP_S / HOP))


def _track(midi, conf):
    midi, conf = np.asarray(midi, float), np.asarray(conf, float)
    return PitchTrack(hz=440.0 * 2.0 ** ((midi - 69.0) / 12.0), confidence=conf, voiced=conf >= 0.5, hop_s=HOP)


def _held_ab4_with_codec_glitch(gap_conf):
    """0.4 s of a held A-flat 4 (67.9) at confidence 0.6, one voiced frame the tracker already reads at 61.9,
    three unvoiced frames at 55.8 / 55.7 / 60.3 (the codec's doubled lag) at ``gap_conf``, 0.4 s more of
    67.9; silence either side; the level flat through the gap (stress AMR-NB s10 amr_001 at 8.76 s)."""
    midi = np.r_[np.full(20, 50.0), np.full(40, 67.9), 61.9, 55.8, 55.7, 60.3, np.full(40, 67.9), np.full(20, 50.0)]
    conf = np.r_[np.zeros(20), np.full(40, 0.6), 0.53, np.full(3, gap_conf), np.full(40, 0.6), np.zeros(20)]
    level = np.r_[np.full(20, -80.0), np.full(84, -21.0), np.full(20, -80.0)]
    return midi, conf, level


def test_held_note_split_only_by_a_glitch_at_the_gaps_edge_is_one_note():
    midi, conf, level = _held_ab4_with_codec_glitch(0.47)
    notes = segment_notes(_track(midi, conf), level)
    assert len(notes) == 1
    assert abs(notes[0].midi - 67.9) < 0.3 and notes[0].offset_s - notes[0].onset_s > 0.8


def test_gap_where_the_tracker_loses_the_voice_is_not_filled_on_the_held_pitch():
    # the same gap where the tracker hears no voice (confidence 0.16: a breath or re-attack whose level dip
    # noise filled) is left: only a voice the tracker still hears justifies reading past the edge frame
    midi, conf, level = _held_ab4_with_codec_glitch(0.16)
    voiced = conf >= 0.5
    out = fill_weak_gaps(midi, conf, voiced, level > -60, int(round(MAX_WEAK_GAP_S / HOP)), level, side=SIDE)
    assert not out[61:64].any()


def test_edge_frame_alone_decides_without_side():
    midi, conf, level = _held_ab4_with_codec_glitch(0.47)
    voiced = conf >= 0.5
    assert held_pitch_beside(midi, voiced, 61, 64, SIDE) == (67.9, 67.9)
    assert not fill_weak_gaps(midi, conf, voiced, level > -60, int(round(MAX_WEAK_GAP_S / HOP)), level)[61:64].any()
    assert fill_weak_gaps(midi, conf, voiced, level > -60, int(round(MAX_WEAK_GAP_S / HOP)), level,
                          side=SIDE)[61:64].all()
