"""Speech without a melody is told apart from a hum, including a fast one and one sung out of tune; a caller's
words around the hum are no notes, nor words between two parts of it, and the tune runs on across them in its bars; a
tune the caller stopped and started again is its last take."""
import io
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import butter, resample_poly, sosfilt

from hum_synth import hum, perform, phone, room, scale_notes, tune, wav_bytes
from humitout.audio.decode import decode_audio
from humitout.audio import speech
from humitout.audio.f0 import PitchTrack
from humitout.audio.notes.core import NoteEvent
from humitout.audio.speech import (HELD_VOWEL_DB, SPEECH_VOWEL_DRIFT_DB, VowelDrifts, note_vowel_drift_db,
                                   semitone_grid_fit, sounds_like_speech, without_spoken_edges, without_words_between)
from humitout.audio.transcribe import MIN_VOICED_S, analyse_recording, transcribe_samples
from humitout.errors import BadAudio
from humitout.music.arrangement import quantise_melody


SENTENCE = ("Hi, this is Sam. I'm calling about the parcel that was supposed to arrive on Tuesday; "
            "could you check where it is and text me back? Thanks.")


def _spoken(text: str, voice: str, *, low_pass_hz: float | None = None) -> bytes:
    """``text`` spoken by espeak-ng ``voice`` at 8 kHz, optionally low-passed at ``low_pass_hz`` (Hz)."""
    assert shutil.which("espeak-ng"), "espeak-ng is installed by ./dev (Debian package)"
    wav = subprocess.run(["espeak-ng", "-v", voice, "--stdout", text], check=True, capture_output=True).stdout
    x, rate = sf.read(io.BytesIO(wav))
    x = resample_poly(x, 8000, rate)
    if low_pass_hz:
        x = sosfilt(butter(8, low_pass_hz, fs=8000, output="sos"), x)
    return wav_bytes(0.3 * x / np.abs(x).max())


@pytest.mark.parametrize("voice", ["en", "en+f3", "de"])
def test_spoken_sentences_are_no_melody(voice):
    with pytest.raises(BadAudio) as err:
        analyse_recording(_spoken(SENTENCE, voice))
    assert err.value.code == "no_melody" and "speech" in err.value.detail


@pytest.mark.parametrize("voice", ["en", "en+f3", "de"])
def test_speech_without_its_fricatives_is_no_melody(voice):
    # a channel that keeps nothing over 1.8 kHz (as codecs and rooms smear the s and sh sounds away):
    # the pitch of speech still glides inside its syllables
    with pytest.raises(BadAudio) as err:
        analyse_recording(_spoken(SENTENCE, voice, low_pass_hz=1800.0))
    assert err.value.code == "no_melody" and "speech" in err.value.detail


HELLO = "Hello? Hello? Can you hear me? I think the line is bad, I'll try again later, sorry about that."


@pytest.mark.parametrize(("voice", "rt60_s"), [("en+f3", 0.5), ("en+m3", 0.8)])
def test_speech_on_a_speakerphone_is_no_melody(voice, rt60_s):
    # a speakerphone: early reflections 2.5 and 4.5 ms late (comb notches) and a room's tail 3 dB over the
    # direct sound; the room steadies the syllables' pitch (still in 86-89 % of the frames inside the notes) or
    # lengthens them, so one pitch sign fails, and the moving vowels tell the speech
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "--stdout", HELLO], check=True,
                         capture_output=True).stdout
    x, rate = sf.read(io.BytesIO(wav))
    x = resample_poly(x, 32000, rate)
    reflections = np.zeros(200)
    reflections[[0, 80, 144]] = [1.0, 0.7, -0.6]
    call = room(np.convolve(0.3 * x / np.abs(x).max(), reflections)[: len(x)], rt60_s, -3.0, seed=2)
    with pytest.raises(BadAudio) as err:
        analyse_recording(wav_bytes(phone(call)))
    assert err.value.code == "no_melody" and "vowels move" in err.value.detail


def test_a_fast_hum_sung_out_of_tune_is_not_speech():
    # a low voice singing 0.15 s legato notes each up to 0.45 st off the semitone, over hiss: the pitch
    # moves between the notes and sits off any one grid, but holds still inside each note
    rng = np.random.default_rng(5)
    steps = [0, 2, 4, 2, 0, -3, -5, -3, 0, 2, 4, 5, 7, 5, 4, 2] * 3
    notes = [(0.4 + 0.15 * k, 0.55 + 0.15 * k, 43 + st + rng.uniform(-0.45, 0.45)) for k, st in enumerate(steps)]
    x = hum(notes, seed=1) + 0.02 * np.random.default_rng(2).standard_normal(int((notes[-1][1] + 0.5) * 32000))
    analysis = analyse_recording(wav_bytes(phone(x)))
    assert len(analysis.notes) >= 40


def test_a_fast_staccato_hum_is_not_speech():
    melody = [60, 62, 64, 65, 67, 65, 64, 62] * 3
    x, sr = decode_audio(wav_bytes(phone(hum(scale_notes(melody, step=0.18, gap=0.05)))))
    track, energy, notes = transcribe_samples(x, sr)
    assert semitone_grid_fit(notes) > 0.9
    assert sounds_like_speech(track, notes) is None


def _active_rms(x: np.ndarray) -> float:
    """RMS of ``x`` over its 20 ms frames (at 32 kHz) within 30 dB of the loudest (active speech level)."""
    power = np.mean(x[: len(x) // 640 * 640].reshape(-1, 640) ** 2, axis=1)
    return float(np.sqrt(np.mean(power[power > power.max() / 1000])))


def _words(text: str, voice: str, *, as_loud_as: np.ndarray) -> np.ndarray:
    """``text`` spoken by espeak-ng ``voice`` at 32 kHz (the hum synthesizer's rate), at the active level of
    ``as_loud_as``."""
    assert shutil.which("espeak-ng"), "espeak-ng is installed by ./dev (Debian package)"
    wav = subprocess.run(["espeak-ng", "-v", voice, "--stdout", text], check=True, capture_output=True).stdout
    x, rate = sf.read(io.BytesIO(wav))
    x = resample_poly(x, 32000, rate)
    return x * _active_rms(as_loud_as) / _active_rms(x)


TUNE = [60, 62, 64, 60, 60, 62, 64, 60, 64, 65, 67, 67]   # Frère Jacques' first bars, 0.4 s a note


def _pitches(midi: list[float]) -> list[NoteEvent]:
    """Notes 0.4 s apart at ``midi`` (the pitch tests of a take started again)."""
    return [NoteEvent(0.4 * k, 0.4 * k + 0.35, float(m), 1.0) for k, m in enumerate(midi)]


@pytest.mark.parametrize(("voice", "rt60_s"), [("en", 0.0), ("en+f3", 0.0), ("en+f3", 0.7)])
def test_the_callers_words_before_and_after_the_hum_become_no_notes(voice, rt60_s):
    # "Okay, here goes." 0.6 s before the hum and "That's it." 0.8 s after it, as loud as the hum; on a
    # speakerphone in a room (RT60 0.7 s) the syllables ring on and steady, and the moving vowel tells them
    sung = hum(scale_notes(TUNE, start=0.2, step=0.4, gap=0.05), seed=3)
    before, after = (_words(text, voice, as_loud_as=sung) for text in ("Okay, here goes.", "That's it, bye!"))
    pause = np.zeros(int(0.6 * 32000))
    call = np.concatenate([pause, before, pause, sung, pause, pause[: len(pause) // 3], after, pause])
    call = room(call, rt60_s, 0.0) if rt60_s else call
    start = (2 * len(pause) + len(before)) / 32000
    analysis = analyse_recording(wav_bytes(phone(call)))
    assert len(analysis.notes) == len(TUNE)
    assert analysis.notes[0].onset_s == pytest.approx(start + 0.2, abs=0.05)
    assert round(analysis.notes[-1].midi) == 67
    assert "background_voices" not in analysis.call.conditions   # the caller's own words


def test_a_hum_opening_with_a_quick_phrase_keeps_it():
    # six 0.12 s notes, a 0.4 s breath, then the tune: quick notes, but each holds its pitch
    quick = [(0.4 + 0.14 * k, 0.52 + 0.14 * k, m) for k, m in enumerate([67, 65, 64, 62, 64, 65])]
    x, sr = decode_audio(wav_bytes(phone(hum(quick + scale_notes(TUNE, start=1.64, step=0.4, gap=0.05), seed=4))))
    track, _, notes = transcribe_samples(x, sr)
    kept, words = without_spoken_edges(track, notes, min_rest_s=MIN_VOICED_S)
    assert words == [] and kept == notes and len(notes) == len(quick) + len(TUNE)


@pytest.mark.parametrize(("voice", "words"), [("en", "Sorry, wait. Let me start again."),
                                              ("en+f3", "Oops, too high. One more time.")])
def test_a_tune_started_again_after_the_callers_words_is_its_last_take(voice, words):
    # four notes of the tune three semitones too high, a pause, the caller's words as loud as the hum, a pause,
    # then the whole tune: the song is of the second take, and the caller is told why
    false_start = hum(scale_notes([m + 3 for m in TUNE[:4]], start=0.2, step=0.4, gap=0.05), seed=5)
    sung = hum(scale_notes(TUNE, start=0.2, step=0.4, gap=0.05), seed=3)
    talk = _words(words, voice, as_loud_as=sung)
    pause = np.zeros(int(0.6 * 32000))
    call = np.concatenate([false_start, pause, talk, pause, sung, pause])
    start = (len(false_start) + 2 * len(pause) + len(talk)) / 32000 + 0.2
    analysis = analyse_recording(wav_bytes(phone(call)))
    assert len(analysis.notes) == len(TUNE)
    assert analysis.notes[0].onset_s == pytest.approx(start, abs=0.05)
    assert [round(n.midi) for n in analysis.notes[:4]] == TUNE[:4]
    assert analysis.call.conditions[0] == "started_again"
    assert analysis.call.started_again_s == pytest.approx(start, abs=0.05)
    assert "background_voices" not in analysis.call.conditions   # the caller's own words and first take


def test_a_false_start_that_slipped_near_its_opening_is_still_a_take_started_again():
    # six notes of the tune three semitones too high whose fifth slips up a fourth: its first intervals are not the
    # take's (stress s71 restart+babble_005, a note put in), but the take sings all of it again; before stop 70 the
    # opening alone barred it and the false start, the words and the take made one tune
    false_start = [63, 65, 67, 63, 67, 63]
    assert not speech.opens_alike(_pitches(false_start), _pitches(TUNE))
    assert speech.sings_again(_pitches(false_start), _pitches(TUNE))
    sung = hum(scale_notes(TUNE, start=0.2, step=0.4, gap=0.05), seed=3)
    talk = _words("Sorry, wait. Let me start again.", "en", as_loud_as=sung)
    pause = np.zeros(int(0.6 * 32000))
    first = hum(scale_notes(false_start, start=0.2, step=0.4, gap=0.05), seed=5)
    analysis = analyse_recording(wav_bytes(phone(np.concatenate([first, pause, talk, pause, sung, pause]))))
    assert [round(n.midi) for n in analysis.notes] == TUNE
    assert analysis.call.conditions[0] == "started_again"


def test_a_lone_short_note_apart_from_the_hum_at_either_edge_is_none_of_it():
    # stress s74 spoken+babble_007 / _010: one syllable of the caller's words (or a talker's) 2-3 s before the hum,
    # which the edge-words test cannot judge alone, was the song's first note
    tune = [NoteEvent(3.0 + 0.4 * k, 3.35 + 0.4 * k, 60.0 + k, 1.0) for k in range(8)]
    before, after = NoteEvent(1.0, 1.2, 55.0, 1.0), NoteEvent(7.5, 7.7, 50.0, 1.0)
    assert speech.without_lone_edge_notes([before] + tune + [after]) == (tune, [(1.0, 1.2), (7.5, 7.7)])
    # a pickup leading into the tune and a long note apart from it stay
    for first in (NoteEvent(2.4, 2.6, 55.0, 1.0), NoteEvent(0.5, 1.5, 55.0, 1.0)):
        assert speech.without_lone_edge_notes([first] + tune) == ([first] + tune, [])


def test_a_tune_whose_opening_comes_back_after_a_breath_stays_whole():
    # the first bars, a breath of 0.8 s, the same bars again: a phrase that returns, with no words before it
    phrase = TUNE[:8]
    notes = scale_notes(phrase, start=0.2, step=0.4, gap=0.05) \
        + scale_notes(phrase, start=0.2 + 0.4 * len(phrase) + 0.8, step=0.4, gap=0.05)
    analysis = analyse_recording(wav_bytes(phone(hum(notes, seed=6))))
    assert len(analysis.notes) == 2 * len(phrase)
    assert analysis.call.started_again_s is None and "started_again" not in analysis.call.conditions


def test_the_callers_words_between_two_parts_of_the_hum_become_no_notes():
    # the tune's first bars, a pause, "And then it goes like this." as loud as the hum, a pause, the rest of it
    first, rest = TUNE[:6], TUNE[6:]
    sung_first = hum(scale_notes(first, start=0.2, step=0.4, gap=0.05), seed=3)
    sung_rest = hum(scale_notes(rest, start=0.0, step=0.4, gap=0.05), seed=4)
    talk = _words("And then it goes like this.", "en", as_loud_as=sung_first)
    pause = np.zeros(int(0.6 * 32000))
    analysis = analyse_recording(wav_bytes(phone(np.concatenate([sung_first, pause, talk, pause, sung_rest, pause]))))
    assert [round(n.midi) for n in analysis.notes] == TUNE
    assert analysis.call.started_again_s is None and "background_voices" not in analysis.call.conditions


def test_words_between_two_parts_that_open_alike_but_go_on_differently_leave_both_parts():
    # a phrase and its first ending, "And then it goes like this.", the phrase again to another, longer ending: the
    # second part opens as the first did and runs longer, as a take started again would, but does not sing the first
    # part again as a whole, so both parts are the song
    first = [60, 62, 64, 60, 64, 65, 67]
    rest = [60, 62, 64, 60, 67, 69, 67, 65, 64, 60, 62, 60]
    sung_first = hum(scale_notes(first, start=0.2, step=0.4, gap=0.05), seed=3)
    sung_rest = hum(scale_notes(rest, start=0.0, step=0.4, gap=0.05), seed=4)
    talk = _words("And then it goes like this.", "en", as_loud_as=sung_first)
    pause = np.zeros(int(0.6 * 32000))
    analysis = analyse_recording(wav_bytes(phone(np.concatenate([sung_first, pause, talk, pause, sung_rest, pause]))))
    assert [round(n.midi) for n in analysis.notes] == first + rest
    assert analysis.call.started_again_s is None and "started_again" not in analysis.call.conditions


def test_a_take_sings_the_false_start_again_in_any_key_through_a_split_or_a_slip():
    tune_notes = _pitches(TUNE)
    assert speech.sings_again(_pitches([m + 3 for m in TUNE[:4]]), tune_notes)        # too high, then again
    assert speech.sings_again(_pitches(TUNE[:2] + [62] + TUNE[2:8]), tune_notes)       # a held note split in two
    assert speech.sings_again(_pitches(TUNE[:7] + [59]), tune_notes)                   # one note off
    # the same opening to another ending: not the first part sung again
    assert not speech.sings_again(_pitches(TUNE[:4] + [64, 65, 67, 65, 64]), _pitches(TUNE[:4] + [67, 69, 67, 65, 64]))


# Ode to Joy's first two phrases (4/4, no pickup; the halves that end each phrase on beat 3)
ODE = tune([(m, d) for m, d in zip([64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62],
                                   [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.5, .5, 2])] * 2)


@pytest.mark.parametrize("cut_short", [0.0, 0.5])
def test_a_tune_broken_off_to_talk_runs_on_in_its_bars_across_the_words(cut_short):
    # the first phrase, the caller's words ("And then it goes like this.") with pauses, the second phrase; the
    # phrase's last half note sung out or cut short by half (the caller stops to talk)
    notes, _ = perform(ODE, 100.0, seed=3)
    first, rest = notes[:15], notes[15:]
    on, off, midi = first[-1]
    first[-1] = (on, off - cut_short * (off - on), midi)
    sung_first = hum(first, duration_s=first[-1][1] + 0.6, seed=3)
    talk = _words("And then it goes like this.", "en", as_loud_as=sung_first)
    sung_rest = hum([(a - rest[0][0] + 0.6, b - rest[0][0] + 0.6, m) for a, b, m in rest], seed=4)
    analysis = analyse_recording(wav_bytes(phone(np.concatenate([sung_first, talk, sung_rest]))))
    assert [round(n.midi) for n in analysis.notes] == [m for m, _, _ in ODE]
    assert len(analysis.breaks_s) == 1 and analysis.tempo_bpm == pytest.approx(100.0, rel=0.05)
    assert analysis.call.conditions[0] == "talked_between"   # the SMS tells the caller the tune runs on
    melody = quantise_melody(analysis)
    # every note where the score has it, the second phrase too, as if the caller had not stopped
    assert [n.start_beat - melody[0].start_beat for n in melody] == [s for _, s, _ in ODE]


def test_a_bit_sung_again_after_the_callers_words_is_kept_once_and_the_tune_runs_on_in_its_bars():
    # the Ode's first phrase and three notes of the second, "No, wait. That bit again.", the second phrase from its
    # start: the song has every note once (the second go) and the second phrase where the score has it
    notes, _ = perform(ODE, 100.0, seed=5)
    first, rest = notes[:18], notes[15:]
    sung_first = hum(first, duration_s=first[-1][1] + 0.5, seed=3)
    talk = _words("No, wait. That bit again.", "en", as_loud_as=sung_first)
    sung_rest = hum([(a - rest[0][0] + 0.6, b - rest[0][0] + 0.6, m) for a, b, m in rest], seed=3)
    analysis = analyse_recording(wav_bytes(phone(np.concatenate([sung_first, talk, sung_rest]))))
    assert [round(n.midi) for n in analysis.notes] == [m for m, _, _ in ODE]
    assert analysis.call.conditions[0] == "sang_again"   # the SMS tells the caller the song keeps their second go
    melody = quantise_melody(analysis)
    assert [n.start_beat - melody[0].start_beat for n in melody] == [s for _, s, _ in ODE]


def test_a_quick_phrase_between_two_breaths_stays():
    # six 0.12 s notes between two 0.5 s breaths, in the middle of the tune: quick, but each holds its pitch and vowel
    quick = [(3.0 + 0.14 * k, 3.12 + 0.14 * k, m) for k, m in enumerate([67, 65, 64, 62, 64, 65])]
    notes = scale_notes(TUNE[:6], start=0.2, step=0.4, gap=0.05) + quick \
        + scale_notes(TUNE[6:], start=4.3, step=0.4, gap=0.05)
    x, sr = decode_audio(wav_bytes(phone(hum(notes, seed=7))))
    track, _, heard = transcribe_samples(x, sr)
    assert len(heard) == len(notes)
    assert without_words_between(track, heard, min_rest_s=MIN_VOICED_S) == (heard, [])


def test_vowel_drift_of_a_run_weighs_its_notes_and_reads_each_note_once(monkeypatch):
    hop = 0.01
    n = 200
    track = PitchTrack(hz=np.full(n, 220.0), confidence=np.ones(n), voiced=np.ones(n, bool), hop_s=hop)
    # an 8-point harmonic envelope: held flat for the first second (a sung vowel), then sliding 0 -> 16 dB across
    # the grid over the second second (one vowel into another, as a syllable of talk moves)
    envelope = np.full((8, n), -30.0)
    slope = np.linspace(-1.0, 1.0, 8)[:, None] * np.linspace(0.0, 16.0, 100)[None, :]
    envelope[:, 100:] += slope
    held, moved = NoteEvent(0.0, 0.6, 57.0, 1.0), NoteEvent(1.0, 2.0, 57.0, 1.0)
    reads = []
    monkeypatch.setattr(speech, "note_vowel_drift_db",
                        lambda *a, **k: reads.append(a[2]) or note_vowel_drift_db(*a, **k))
    vowels = VowelDrifts(envelope, track)
    assert vowels.of([held]) < HELD_VOWEL_DB
    assert vowels.of([moved]) >= SPEECH_VOWEL_DRIFT_DB
    assert vowels.of([held, moved]) == vowels.of([moved])        # the longer note's drift is the weighted median
    assert reads == [held, moved]                                  # asked four times, each note read once


@pytest.mark.parametrize(("glide_st", "talk"), [(2.0, True), (0.3, False)])
def test_quick_notes_with_held_vowels_are_talk_only_when_their_pitch_glides_as_speech(glide_st, talk):
    # five 0.15 s notes whose vowel holds (a flat harmonic envelope); each note's pitch slides ``glide_st`` st: words
    # of a voice that holds its vowels glide 0.5-1.1 st, a sung note at most 0.19 st, a quick tune through a noise
    # suppressor about 0.2 st
    hop, n = 0.01, 100
    midi = np.full(n, np.nan)
    voiced = np.zeros(n, bool)
    notes = []
    for k in range(5):
        start = 5 + 20 * k
        midi[start:start + 15] = 57.0 + 2 * k + np.linspace(0.0, glide_st, 15)
        voiced[start:start + 15] = True
        notes.append(NoteEvent(start * hop, (start + 15) * hop, 57.0 + 2 * k, 1.0))
    hz = np.where(voiced, 440.0 * 2.0 ** ((np.nan_to_num(midi) - 69.0) / 12.0), 0.0)
    track = PitchTrack(hz=hz, confidence=voiced.astype(float), voiced=voiced, hop_s=hop)
    vowels = VowelDrifts(np.full((8, n), -30.0), track)
    assert vowels.of(notes) < HELD_VOWEL_DB
    assert (speech.talk_signs(track, notes, vowels) >= speech.TALK_SIGNS) is talk
