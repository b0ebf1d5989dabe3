"""Short sung syllables ("da", "la") that AMR-NB blurs at their edges (stress AMR, seeds 11 / 12)."""
import numpy as np

from humitout.audio.notes.voicing import voice_short_bursts


def _burst(midi_core: list[float], conf_core: list[float]):
    """20 unheard frames (confidence 0.01, pitch read at 66.5), the burst, 20 unheard frames."""
    midi = np.r_[np.full(20, 66.5), midi_core, np.full(20, 66.5)]
    conf = np.r_[np.full(20, 0.01), conf_core, np.full(20, 0.01)]
    return midi, conf


def test_burst_grows_over_frames_the_tracker_does_not_hear_at_its_consonants():
    # a 0.09 s "da" at 59: the codec's attack frame reads 60.5 at confidence 0.24 and the release 60.6
    # at 0.07; the vowel holds 59.1-59.4 for 5 frames (0.53-0.84) and one weak frame at 58.8
    midi, conf = _burst([60.5, 59.4, 59.2, 59.2, 59.1, 59.1, 58.8, 60.6],
                        [0.24, 0.53, 0.80, 0.84, 0.83, 0.78, 0.35, 0.07])
    out = voice_short_bursts(midi, conf, conf >= 0.5, np.ones(len(midi), bool), 7, 4)
    assert out[20:27].sum() + out[27] >= 7 and not out[:19].any() and not out[29:].any()


def test_burst_whose_first_voiced_frame_scoops_into_the_vowel_is_voiced():
    # a "la" at 57: its first voiced frame (0.57) still reads 57.6, the vowel 56.9-57.3
    midi, conf = _burst([58.0, 57.6, 57.3, 57.0, 56.9, 56.9, 57.0, 56.8],
                        [0.27, 0.57, 0.64, 0.65, 0.57, 0.48, 0.39, 0.36])
    out = voice_short_bursts(midi, conf, conf >= 0.5, np.ones(len(midi), bool), 7, 4)
    assert out[20:28].sum() >= 7
    # a run whose vowel itself wanders (1 st inside its voiced frames) is not grown into a note
    midi, conf = _burst([57.0, 57.0, 58.0, 57.0, 58.0, 57.0, 57.0, 57.0],
                        [0.27, 0.57, 0.64, 0.65, 0.57, 0.60, 0.39, 0.36])
    out = voice_short_bursts(midi, conf, conf >= 0.5, np.ones(len(midi), bool), 7, 4)
    assert np.array_equal(out, conf >= 0.5)
