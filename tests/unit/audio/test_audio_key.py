"""Key detector on hummed folk-tune excerpts (notes as the Transcribe stage would hand them over)."""
import numpy as np

from humitout.audio.key import estimate_key

# German folk tune excerpt (Essen); music21 analyses the whole tune as B minor.  It stops on A,
# so a last-note bonus and Temperley's profiles alone call it A major.
B_MINOR_EXCERPT_MIDI = [61, 61, 64, 61, 59, 61, 59, 57, 66, 66, 64, 62, 61, 59, 62, 61, 59, 59, 62,
                        61, 59, 57, 66, 66, 64, 62, 61, 59, 66, 64, 62, 61, 62, 61, 59, 59, 57]
B_MINOR_EXCERPT_DUR = [0.53, 0.28, 0.54, 0.28, 0.26, 0.22, 0.27, 0.54, 0.43, 0.26, 0.41, 0.16, 0.27,
                       0.26, 0.17, 0.21, 0.51, 0.51, 0.29, 0.17, 0.25, 0.27, 0.43, 0.28, 0.41, 0.15,
                       0.28, 0.54, 0.25, 0.4, 0.12, 0.29, 0.42, 0.17, 0.29, 0.35, 0.28]

# Chinese (Essen) pentatonic excerpt on Bb C Eb F Ab; music21: Bb minor.  Its relative major
# (Db) is absent and Eb major shares every note, so only the tonic/minor-triad emphasis decides.
BB_MINOR_PENTATONIC_MIDI = [46, 46, 48, 51, 53, 51, 48, 53, 51, 48, 46, 51, 48, 46, 51, 51, 48, 51, 53,
                            51, 51, 48, 46, 44, 46, 48, 46, 46, 46, 46, 48, 53, 51, 48, 53, 51, 48]
BB_MINOR_PENTATONIC_DUR = [0.23, 0.34, 0.28, 0.33, 0.96, 0.31, 0.2, 0.29, 0.65, 0.63, 0.61, 0.33, 0.14,
                           0.1, 0.31, 0.24, 0.16, 0.14, 0.33, 0.63, 0.18, 0.17, 0.14, 0.19, 0.09, 0.18,
                           1.11, 0.21, 0.17, 0.28, 0.18, 0.69, 0.35, 0.28, 0.33, 0.65, 0.67]


def test_minor_excerpt_stopping_on_the_subtonic_is_not_called_its_major_neighbour():
    k = estimate_key(np.array(B_MINOR_EXCERPT_MIDI, float), np.array(B_MINOR_EXCERPT_DUR))
    assert (k.tonic_pc, k.mode) == (11, "minor")


def test_pentatonic_minor_excerpt_is_not_called_the_major_key_sharing_its_notes():
    k = estimate_key(np.array(BB_MINOR_PENTATONIC_MIDI, float), np.array(BB_MINOR_PENTATONIC_DUR))
    assert (k.tonic_pc, k.mode) == (10, "minor")


def test_plain_major_scale_tune_is_major_on_its_tonic():
    midi = np.array([60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 72, 67, 64, 60], float)
    k = estimate_key(midi, np.full(len(midi), 0.4))
    assert (k.tonic_pc, k.mode) == (0, "major")
    assert 0.0 <= k.confidence <= 1.0


def test_transposing_the_tune_transposes_the_key():
    midi = np.array(B_MINOR_EXCERPT_MIDI, float)
    for shift in (1, 5, 7):
        k = estimate_key(midi + shift, np.array(B_MINOR_EXCERPT_DUR))
        assert (k.tonic_pc, k.mode) == ((11 + shift) % 12, "minor")


def test_profile_correlation_equals_numpys_corrcoef_to_the_bit():
    from humitout.audio.key import TP_MINOR, profile_correlation
    rng = np.random.default_rng(7)
    for i in range(500):
        profile = rng.random(12) * (rng.random(12) < 0.6) * 4.0
        profile[i % 12] += 0.3
        if i % 3 == 0:
            profile = np.round(profile, 1)   # ties and repeated values
        template = np.roll(TP_MINOR, i % 12)
        assert profile_correlation(profile, template) == np.corrcoef(profile, template)[0, 1]


def test_a_pitch_halfway_to_a_note_outside_the_key_is_read_as_the_scales_note():
    from humitout.audio.key import on_the_scale_when_between
    from humitout.models import Key
    c_major = Key(tonic_pc=0, mode="major", confidence=0.8)
    # C 55 cents sharp (nearer C#), B 55 cents flat (nearer Bb): the scale's C and B; a C# sung 10 cents off
    # and an E 45 cents sharp (F is in the scale too) keep their pitches
    named = on_the_scale_when_between(np.array([60.55, 70.45, 61.1, 64.45]), c_major)
    assert named.tolist() == [60.0, 71.0, 61.1, 64.45]
    a_minor = Key(tonic_pc=9, mode="minor", confidence=0.8)
    # D# 45 cents sharp: the scale's E; G# 45 cents sharp stays (the raised 7th is in the minor scale)
    assert on_the_scale_when_between(np.array([63.45, 68.45]), a_minor).tolist() == [64.0, 68.45]
