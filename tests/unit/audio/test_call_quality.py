"""How the call sounded (``analysis.json``'s ``call``): a clean line adds nothing; talkers between the notes,
steady noise, a room's echo and a line that drops audio each give their own condition, and nothing else."""
from pathlib import Path

import numpy as np
from hum_synth import at_peak, hum, phone, room, wav_bytes
from scipy.signal import butter, sosfilt

from humitout.audio.call_quality import read_call
from humitout.audio.notes.core import NoteEvent
from humitout.audio.transcribe import analyse_recording

SR = 32000
MELODY = [(1.0 + 0.5 * i, 1.44 + 0.5 * i, m) for i, m in enumerate([57, 60, 62, 64, 62, 60, 59, 57])]  # 1.0-4.94 s
DURATION_S = 6.5


def _talker(start_s: float, end_s: float, *, level: float, seed: int = 1) -> np.ndarray:
    """Someone talking from ``start_s`` to ``end_s`` s: 0.18 s syllables 0.06 s apart, the pitch gliding
    through 110-170 Hz as speech does, each harmonic up to 3 kHz 3 dB under the one before."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(DURATION_S * SR)) / SR
    f0 = 140 + 30 * np.sin(2 * np.pi * 1.3 * t + rng.uniform(0, 6)) + 8 * np.sin(2 * np.pi * 4.1 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    voice = sum(10 ** (-3 * (h - 1) / 20) * np.sin(h * phase) for h in range(1, 20))
    syllable = ((t - start_s) % 0.24) < 0.18
    return voice * syllable * ((t >= start_s) & (t < end_s)) * level / 3.0


def _call(x: np.ndarray):
    return analyse_recording(wav_bytes(phone(x, SR))).call


def test_a_clean_call_adds_nothing():
    call = _call(hum(MELODY, duration_s=DURATION_S, sr=SR))
    assert call.conditions == [] and call.background_voices_s == 0.0 and call.voice_to_background_db > 30


def test_someone_talking_before_and_after_the_hum_is_background_voices():
    x = hum(MELODY, duration_s=DURATION_S, sr=SR)
    call = _call(x + _talker(0.05, 0.85, level=0.15) + _talker(5.3, 6.4, level=0.15, seed=2))
    assert call.conditions == ["background_voices"] and call.background_voices_s >= 0.5


def test_pitched_sound_as_loud_as_the_hum_is_the_callers_own_voice_not_background_voices():
    # a 2 s hum at -20 dB between 1 s of pitched sound before it and after it: at -22 dB the caller's own words
    # ("OK, here goes"), at -35 dB a talker behind them
    hop, n = 0.01, 400
    t = np.arange(n) * hop
    notes = [NoteEvent(1.0, 3.0, 60.0, 0.9)]
    sung = (t >= 1.0) & (t < 3.0)

    def heard(around_db: float):
        energy = np.where(sung, -20.0, around_db)
        return read_call(notes, hop_s=hop, voiced=np.ones(n, bool), confidence=np.full(n, 0.9), energy_db=energy,
                         dead=np.zeros(n, bool), reverberant=False)
    assert heard(-22.0).conditions == []   # nor is it background noise
    assert heard(-35.0).conditions == ["background_voices"]


def test_steady_noise_8_db_under_the_hum_in_the_phone_band_is_background_noise_not_voices():
    x = hum(MELODY, duration_s=DURATION_S, sr=SR)
    band = butter(4, [300, 3400], btype="bandpass", fs=SR, output="sos")
    noise = sosfilt(band, np.random.default_rng(3).standard_normal(len(x)))
    noise *= np.sqrt(np.mean(sosfilt(band, x)[x != 0] ** 2) / np.mean(noise ** 2)) * 10 ** (-8 / 20)
    call = _call(x + noise)
    assert call.conditions == ["background_noise"] and call.voice_to_background_db < 15


def test_a_speakerphone_in_a_room_is_room_echo():
    # detached notes, so the room's tail shows after each (RT60 0.6 s, the tail 3 dB under the direct sound)
    detached = [(0.4 + 0.8 * i, 0.9 + 0.8 * i, m) for i, m in enumerate([57, 60, 62, 59, 57, 64, 62, 60])]
    call = _call(room(hum(detached, sr=SR), rt60_s=0.6, drr_db=3.0))
    assert "room_echo" in call.conditions and "background_voices" not in call.conditions


def test_audio_the_line_lost_inside_the_hum_is_dropouts_and_silence_around_it_is_not():
    y = phone(hum(MELODY, duration_s=DURATION_S, sr=SR), SR)
    y[int(2.2 * 8000):int(2.26 * 8000)] = 0.0          # a lost 60 ms packet inside a note
    y[: int(0.3 * 8000)] = 0.0                          # the recording starting in digital silence
    call = analyse_recording(wav_bytes(y)).call
    assert call.conditions == ["dropouts"] and call.dropouts == 1


def test_without_frames_away_from_the_notes_no_noise_is_claimed():
    notes = [NoteEvent(0.0, 1.0, 60.0, 0.9)]
    n = 100   # the whole call is one note: nothing to read the background from
    call = read_call(notes, hop_s=0.01, voiced=np.ones(n, bool), confidence=np.full(n, 0.9),
                     energy_db=np.full(n, -20.0), dead=np.zeros(n, bool), reverberant=False)
    assert call.conditions == [] and call.voice_to_background_db is None



def test_a_singer_whose_notes_fade_slowly_is_not_told_of_a_speakerphone():
    # the demo hum: a dry synthetic voice whose notes fade 20 dB over 0.08-0.24 s, as a room's tail would
    sample = Path(__file__).resolve().parents[3] / "samples" / "hum.wav"
    assert analyse_recording(sample.read_bytes()).call.conditions == []


def test_a_hum_at_a_48_dbfs_peak_is_quiet_voice_and_nothing_else():
    x = phone(hum(MELODY, duration_s=DURATION_S, sr=SR), SR)
    floor = 10 ** (-80 / 20) * np.random.default_rng(2).standard_normal(len(x))   # a 16-bit line's own floor: no
    quiet = at_peak(x, -48.0) + floor                                              # exact zeros to read as lost audio
    assert analyse_recording(wav_bytes(quiet, subtype="PCM_16")).call.conditions == ["quiet_voice"]


def test_a_hum_at_a_28_dbfs_peak_is_not_quiet():
    x = phone(hum(MELODY, duration_s=DURATION_S, sr=SR), SR)
    assert analyse_recording(wav_bytes(at_peak(x, -28.0))).call.conditions == []


def test_a_quiet_hum_through_mu_law_is_told_quiet_voice_first_and_keeps_its_notes():
    """Mu-law quantises a -46 dBFS hum's silences to exact zeros, which also read as lost audio (dropouts): the
    caller is told to hum closer, not that the line cut out."""
    x = phone(hum(MELODY, duration_s=DURATION_S, sr=SR), SR)
    a = analyse_recording(wav_bytes(at_peak(x, -46.0)))
    assert a.call.conditions[0] == "quiet_voice"
    assert [round(n.midi) for n in a.notes] == [m for _, _, m in MELODY]
