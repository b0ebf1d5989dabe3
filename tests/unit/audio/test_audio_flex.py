"""The caller's hum flexed onto the song's grid: its notes start where the song's beats put them."""
import numpy as np
import pytest

from hum_synth import hum, perform, phone, tune, wav_bytes
from humitout.audio.decode import decode_audio
from humitout.audio.flex import anchors_s, flex_to_song
from humitout.audio.transcribe import analyse_recording, transcribe_samples
from humitout.music.arrangement import melody_positions, time_map

SCORE = tune([(55, 1), (57, .5), (59, .5), (60, 1), (55, 1), (57, 2), (59, 1), (55, 1)] * 3)


def test_your_hum_onsets_fall_on_the_grid():
    notes, _ = perform(SCORE, 96.0, rubato=0.10, seed=5)
    data = wav_bytes(phone(hum(notes, seed=5)))
    analysis = analyse_recording(data)
    x, sr = decode_audio(data)
    starts, _ = melody_positions(analysis)
    expected = starts * 60.0 / analysis.tempo_bpm
    flexed = flex_to_song(x, sr, time_map(analysis), analysis.tempo_bpm, float(expected[-1]) + 3.0)
    _, _, found = transcribe_samples(flexed, sr)
    onsets = np.array([n.onset_s for n in found])
    errors = np.array([np.min(np.abs(onsets - e)) for e in expected])
    assert np.median(errors) <= 0.02 and np.mean(errors <= 0.05) >= 0.9
    # pitch unchanged: the flexed notes have the sung pitches
    assert sorted({round(n.midi) for n in found}) == sorted({round(m) for _, _, m in notes})


def test_anchors_that_would_run_backwards_are_dropped():
    anchors = anchors_s([(1.0, 0.0), (1.5, 1.0), (1.4, 2.0), (2.0, 0.5), (2.5, 3.0)], 120.0)
    assert anchors.tolist() == [[1.0, 0.0], [1.5, 0.5], [2.5, 1.5]]


def test_your_hum_leaves_out_what_the_caller_said_around_it():
    # a "word" at 0.5-1.0 s and at 4.5-4.8 s of the recording, the hum from 2.0 to 3.5 s
    sr = 8000
    t = np.arange(5 * sr) / sr
    x = 0.3 * np.sin(2 * np.pi * 220 * t) * (((t >= 0.5) & (t < 1.0)) | ((t >= 2.0) & (t < 3.5)) | (t >= 4.5))
    span = (2.0, 3.5)
    kept = flex_to_song(x, sr, [(2.0, 4.0), (3.0, 6.0)], 120.0, 5.0, hum_span_s=span)
    whole = flex_to_song(x, sr, [(2.0, 4.0), (3.0, 6.0)], 120.0, 5.0)

    def rms(y, a, b):
        return float(np.sqrt(np.mean(y[int(a * sr):int(b * sr)] ** 2)))
    assert rms(whole, 0.5, 1.0) > 0.1 and rms(whole, 4.5, 4.8) > 0.1        # the words, at their own speed
    assert rms(kept, 0.5, 1.0) < 1e-3 and rms(kept, 4.5, 4.8) < 1e-3
    assert rms(kept, 2.1, 3.4) == pytest.approx(rms(whole, 2.1, 3.4), rel=0.01)   # the hum as it was


def test_your_hum_leaves_out_the_words_between_two_parts_of_the_hum_and_the_second_part_lands_on_its_beat():
    # the hum's first part (220 Hz) at 1.0-2.0 s, the caller's words (500 Hz) at 2.5-4.0 s, the second part (330 Hz)
    # from 4.5 s; the song has the second part a beat (1 s at 60 BPM) after the first part's last note
    sr = 8000
    t = np.arange(7 * sr) / sr
    first, words, second = (t >= 1.0) & (t < 2.0), (t >= 2.5) & (t < 4.0), (t >= 4.5) & (t < 5.5)
    x = 0.3 * (np.sin(2 * np.pi * 220 * t) * first + np.sin(2 * np.pi * 500 * t) * words
               + np.sin(2 * np.pi * 330 * t) * second)
    song = flex_to_song(x, sr, [(1.0, 1.0), (1.5, 1.5), (4.5, 2.5), (5.0, 3.0)], 60.0, 5.0, hum_span_s=(1.0, 5.5),
                        breaks_s=[(2.1, 4.5)])

    def level(y, hz, a, b):   # amplitude of the ``hz`` tone in y[a s: b s]
        seg = y[int(a * sr):int(b * sr)]
        ts = np.arange(len(seg)) / sr
        return 2 * float(np.hypot(np.mean(seg * np.sin(2 * np.pi * hz * ts)), np.mean(seg * np.cos(2 * np.pi * hz * ts))))
    assert level(song, 500, 0.0, 5.0) < 0.003                      # no word is left
    assert level(song, 220, 1.05, 1.95) > 0.2                        # the first part where it was
    assert level(song, 330, 2.55, 3.4) > 0.2 and level(song, 330, 2.0, 2.45) < 0.01   # the second part on its beat
