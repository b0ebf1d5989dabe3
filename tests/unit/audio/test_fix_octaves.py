"""Octave correction folds a tracker's short octave excursion back into the line it interrupts
(a hum does not jump an octave for a few frames) and leaves real melodies alone."""
import numpy as np

from humitout.audio.f0 import fix_octaves


def test_a_short_octave_excursion_inside_a_note_is_folded_back():
    midi = np.full(100, 60.0)
    midi[40:46] += 12.0  # 60 ms an octave up: the tracker's error, not the singer's
    voiced = np.ones(100, bool)
    assert np.allclose(fix_octaves(midi, voiced), 60.0)


def test_a_melody_with_real_leaps_and_an_unvoiced_gap_is_unchanged():
    midi = np.r_[np.full(50, 60.0), np.full(50, 67.0), np.full(20, 0.0), np.full(50, 72.0)]
    voiced = midi > 0
    assert np.array_equal(fix_octaves(midi, voiced), midi)


def test_octave_flips_on_the_trackers_own_frames_leave_no_in_between_pitches(monkeypatch):
    """swift-f0 answers every 16 ms; a high note it reads at half its pitch on every other frame for
    0.1 s is folded back before the 10 ms interpolation, which would otherwise put pitches half
    way between the octaves there (steps under the jump test's size, so kept as sung)."""
    from types import SimpleNamespace

    from humitout.audio import f0

    ts = np.arange(0.0, 1.0, 0.016)
    midi = np.full(len(ts), 74.0)
    midi[30:37:2] -= 12.0   # every other frame of 0.1 s an octave under: a codec's doubled period
    res = SimpleNamespace(timestamps=ts, pitch_hz=440.0 * 2 ** ((midi - 69) / 12), confidence=np.full(len(ts), 0.9))
    monkeypatch.setattr(f0, "_swift", lambda: SimpleNamespace(detect=lambda x, sr, fmin, fmax: res))
    track = f0.track_f0(np.zeros(16000), 16000)
    assert np.allclose(track.midi[track.voiced], 74.0, atol=0.01)


def _wavering(n=40, sub_frames=(5, 11, 17, 23, 29), subs=(2, 3, 5, 2, 3), pitch=75.0):
    """A weakly voiced high note (confidence 0.2) whose tracker answers jump to f/2, f/3, f/5 now and then."""
    midi = np.full(n, pitch)
    for i, k in zip(sub_frames, subs):
        midi[i] -= 12.0 * np.log2(k)
    return midi, np.full(n, 0.2)


def test_a_weak_note_wavering_onto_its_subharmonics_is_folded_onto_its_pitch():
    """A child's high "mm": every answer is a period of one waveform, so all agree on the pitch."""
    from humitout.audio.f0 import fold_subharmonic_wavering

    midi, conf = _wavering()
    midi[12] = 60.3   # one answer no sub-harmonic explains, inside the stretch
    out, mask = fold_subharmonic_wavering(midi, conf, 0.016)
    assert mask.all()
    assert np.allclose(out, 75.0, atol=0.01)


def test_a_weak_note_read_mostly_an_octave_low_is_folded_where_its_third_subharmonic_shows_too():
    """A child's E5 through AMR-NB: the codec doubles the period, so the tracker answers f/2 most of the time,
    f/3 often and f itself rarely. Only f has both f/2 and f/3 under it: the stretch is that voice at f. A steady
    tone at f/2 with a few answers at f (no third sub-harmonic) stays where the tracker mostly heard it."""
    from humitout.audio.f0 import fold_subharmonic_wavering

    n = 40
    midi = np.full(n, 76.0 - 12.0)
    midi[[3, 17, 30]] = 76.0
    midi[[6, 7, 8, 21, 22, 35]] = 76.0 - 12.0 * np.log2(3.0)
    out, mask = fold_subharmonic_wavering(midi, np.full(n, 0.2), 0.016)
    assert mask.all()
    assert np.allclose(out, 76.0, atol=0.01)

    octave_low = np.full(n, 64.0)
    octave_low[[3, 17, 30, 33]] = 76.0
    out, mask = fold_subharmonic_wavering(octave_low, np.full(n, 0.2), 0.016)
    assert not mask.any()
    assert np.array_equal(out, octave_low)


def test_weak_frames_that_do_not_waver_onto_one_pitchs_subharmonics_are_left_alone():
    """Noise at low confidence (pitches anywhere), a weak steady pitch with no sub-harmonic
    answers, and a steady low tone under one higher frame are no wavering voice."""
    from humitout.audio.f0 import fold_subharmonic_wavering

    rng = np.random.default_rng(0)
    noise = rng.uniform(45.0, 80.0, 40)
    steady = np.full(40, 75.0)
    tone = np.r_[np.full(39, 40.2), 59.2]   # 40.2 is 59.2's f/3, but the tracker mostly answers 40.2
    for midi in (noise, steady, tone):
        out, mask = fold_subharmonic_wavering(midi, np.full(40, 0.2), 0.016)
        assert not mask.any()
        assert np.array_equal(out, midi)


def test_the_pitch_track_voices_a_note_the_tracker_wavered_under(monkeypatch):
    """End to end on the tracker's own frames: 0.6 s at confidence 0.2 between two voiced notes,
    answered at 75 and at its sub-harmonics, becomes a note at 75; without the wavering mask the
    segmenter has no note there."""
    from dataclasses import replace
    from types import SimpleNamespace

    from humitout.audio import f0
    from humitout.audio.notes.segment import segment_notes

    ts = np.arange(0.0, 2.0, 0.016)
    midi = np.full(len(ts), 70.0)
    conf = np.full(len(ts), 0.9)
    mid = (ts >= 0.7) & (ts < 1.3)
    w, c = _wavering(int(mid.sum()), sub_frames=(3, 9, 14, 20, 27, 33), subs=(2, 3, 5, 2, 6, 2))
    midi[mid], conf[mid] = w, c
    res = SimpleNamespace(timestamps=ts, pitch_hz=440.0 * 2 ** ((midi - 69) / 12), confidence=conf)
    monkeypatch.setattr(f0, "_swift", lambda: SimpleNamespace(detect=lambda x, sr, fmin, fmax: res))
    track = f0.track_f0(np.zeros(32000), 16000)
    energy = np.full(len(track.hz), -20.0)
    notes = segment_notes(track, energy)
    assert [round(n.midi) for n in notes] == [70, 75, 70]
    assert abs(notes[1].onset_s - 0.7) < 0.03 and abs(notes[1].offset_s - 1.3) < 0.03
    assert [round(n.midi) for n in segment_notes(replace(track, wavering=None), energy)] == [70, 70]
