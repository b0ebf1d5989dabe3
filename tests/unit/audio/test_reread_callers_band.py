"""reread_callers_band: frames where the tracker followed a low talker far under the caller's register, while the
call stays at the caller's level, are read again in the caller's band; the caller's own readings, and a talker
alone in a gap under the caller's level, stay as read."""
import numpy as np
from hum_synth import steady_voice

from humitout.audio.f0 import PitchTrack, midi_to_hz, reread_callers_band
from humitout.audio.notes.levels import frame_energy_db

SR = 16000
HOP = 0.01
T = np.arange(int(3.0 * SR)) / SR
FRAMES = np.arange(int(3.0 / HOP)) * HOP


def _call(talker_db: float) -> tuple[np.ndarray, np.ndarray]:
    """3 s: the caller holds MIDI 72 (0.1-1.4 s), sings a quick 74 (1.45-1.57 s) and 72 again (1.62-2.9 s); a talker
    at MIDI 39 ``talker_db`` dB under the caller talks throughout. (samples, frame energy dB)"""
    sung = np.where((T >= 1.45) & (T < 1.57), 74.0, 72.0)
    on = ((T >= 0.1) & (T < 1.4)) | ((T >= 1.45) & (T < 1.57)) | ((T >= 1.62) & (T < 2.9))
    f = midi_to_hz(sung)
    caller = 0.1 * sum(10 ** (-3 * (h - 1) / 20) * np.sin(2 * np.pi * h * np.cumsum(f) / SR) * (h * f < 3400)
                       for h in range(1, 6)) * on
    talker = 0.1 * 10 ** (talker_db / 20) * steady_voice(T, 39.0)
    x = caller + talker + 1e-4 * np.random.default_rng(3).standard_normal(len(T))
    return x, frame_energy_db(x, SR, len(FRAMES), HOP)


def _first_pass(read_in_note: float) -> PitchTrack:
    """The tracker's first reading: the caller's pitch on their notes (confidence 0.8), but ``read_in_note`` over
    the 74 (the talker took it, 0.8), and the talker's 39 in the gaps (0.45)."""
    held = (FRAMES >= 0.1) & (FRAMES < 1.4) | (FRAMES >= 1.62) & (FRAMES < 2.9)
    quick = (FRAMES >= 1.45) & (FRAMES < 1.57)
    midi = np.where(held, 72.0, np.where(quick, read_in_note, 39.0))
    return PitchTrack(hz=np.asarray(midi_to_hz(midi), float), confidence=np.where(held | quick, 0.8, 0.45),
                      voiced=np.ones(len(FRAMES), bool), hop_s=HOP)


def test_callers_quick_note_a_low_talker_took_is_read_in_the_callers_band():
    x, energy = _call(talker_db=-10.0)
    out = reread_callers_band(_first_pass(39.0), energy, x, SR).midi
    assert np.all(np.abs(out[147:155] - 74.0) < 0.5)
    assert np.all(np.abs(out[20:130] - 72.0) < 1e-6)           # the caller's own readings stay


def test_talker_alone_in_a_gap_under_the_callers_level_stays_as_read():
    x, energy = _call(talker_db=-20.0)
    out = reread_callers_band(_first_pass(39.0), energy, x, SR).midi
    assert np.all(np.abs(out[141:144] - 39.0) < 1e-6) and np.all(np.abs(out[158:161] - 39.0) < 1e-6)


def test_reading_near_the_callers_register_is_not_asked():
    # a reading 5 semitones under the register is a note of the caller's, not another voice
    x, energy = _call(talker_db=-10.0)
    track = _first_pass(67.0)
    assert np.array_equal(reread_callers_band(track, energy, x, SR).hz, track.hz)


def test_the_asked_frames_read_in_the_band_around_them_as_in_the_whole_call():
    # the band is read only around the asked frames (with the tracker's context): there it gives the same pitch as
    # the tracker reading the whole call in that band (the model's own outputs; the frame times differ in rounding
    # only); away from them it reads nothing
    from humitout.audio.f0 import _band_reading, _swift
    x, _ = _call(talker_db=-10.0)
    asked = (FRAMES >= 1.45) & (FRAMES < 1.57)
    line = float(midi_to_hz(64.0))
    band = _band_reading(x, SR, len(FRAMES), HOP, fmin=line, fmax=2000.0, asked=asked)
    whole = _swift().detect(x, SR, fmin=line, fmax=2000.0)
    ok = whole.pitch_hz > 0
    expected = np.interp(FRAMES, whole.timestamps[ok], 69.0 + 12.0 * np.log2(whole.pitch_hz[ok] / 440.0))
    assert np.allclose(band[asked], expected[asked], rtol=0.0, atol=1e-9) and np.all(np.abs(band[asked] - 74.0) < 0.5)
    assert np.isnan(band[:50]).all() and np.isnan(band[250:]).all()
