"""The caller's voice among others: talkers as loud as the caller's soft notes, other registers."""
import numpy as np

from hum_synth import hum, phone, wav_bytes
from humitout.audio.decode import decode_audio
from humitout.audio.notes.callers import keep_callers_notes
from humitout.audio.notes.core import MAX_WEAK_ATTACK_S, NoteEvent
from humitout.audio.notes.segment import MAX_WEAK_GAP_S
from humitout.audio.notes.voicing import extend_weak_edges, fill_weak_gaps
from humitout.audio.transcribe import transcribe_samples

SR = 32000


def _notes(x: np.ndarray) -> list[tuple[float, float, float]]:
    y, sr = decode_audio(wav_bytes(phone(x, SR)))
    return [(n.onset_s, n.offset_s, n.midi) for n in transcribe_samples(y, sr)[2]]


def _talker(duration_s: float, syllables) -> np.ndarray:
    """A talker: syllables [(start_s, length_s, midi)] with a rise-fall glide, speech-like harmonics."""
    t = np.arange(int(duration_s * SR)) / SR
    out = np.zeros_like(t)
    for start, length, midi in syllables:
        m = (t >= start) & (t < start + length)
        u = (t[m] - start) / length
        phase = 2 * np.pi * np.cumsum(440.0 * 2 ** ((midi + 2.0 * np.sin(np.pi * u) - 69) / 12)) / SR
        out[m] = np.sin(np.pi * u) ** 2 * sum(a * np.sin((k + 1) * phase)
                                               for k, a in enumerate([0.3, 1.0, 0.7, 0.5, 0.35, 0.25, 0.15]))
    return out


def _caller_notes(extra: list[tuple[float, float, float]]):
    """Eight 0.4 s caller notes around MIDI 67 at 0 dB, plus ``extra`` notes (onset, offset, midi)
    at -3 dB (a talker as loud as the caller's soft notes); each note its own voiced run unless it
    touches the previous one."""
    notes = [NoteEvent(0.5 * i, 0.5 * i + 0.4, 67.0 + (i % 4), 0.9) for i in range(8)]
    notes += [NoteEvent(a, b, m, 0.9) for a, b, m in extra]
    notes.sort(key=lambda n: n.onset_s)
    levels = np.array([-3.0 if n.midi < 60 else 0.0 for n in notes])
    runs, run = [], 0
    for i, n in enumerate(notes):
        run = run if i and abs(notes[i - 1].offset_s - n.onset_s) < 1e-9 else i
        runs.append(run)
    return notes, levels, np.array(runs)


def test_loud_talker_note_far_under_the_callers_register_is_dropped():
    notes, levels, runs = _caller_notes([(2.41, 2.49, 50.0)])
    kept = keep_callers_notes(notes, levels, runs)
    assert [round(n.midi) for n in kept] == [67 + (i % 4) for i in range(8)]


def test_octave_under_the_attack_of_a_callers_note_joins_it_and_a_talker_does_not():
    for attack_midi, expected_onset in ((55.0, 2.0), (52.0, 2.1)):   # a sub-harmonic; a talker
        notes, levels, runs = _caller_notes([])
        notes[4] = NoteEvent(2.1, 2.4, notes[4].midi, 0.9)          # the attack 2.0-2.1 s is taken
        notes.insert(4, NoteEvent(2.0, 2.1, attack_midi, 0.8))
        levels = np.r_[levels[:4], -3.0, levels[4:]]
        runs = np.r_[runs[:4], 4, 4, runs[5:] + 1]
        kept = keep_callers_notes(notes, levels, runs)
        assert [round(n.midi) for n in kept] == [67 + (i % 4) for i in range(8)]
        assert kept[4].onset_s == expected_onset


def test_loud_gliding_syllable_alone_in_a_gap_is_dropped_and_a_short_held_note_kept():
    notes, levels, runs = _caller_notes([(2.41, 2.49, 68.0), (3.41, 3.56, 68.0)])
    levels[:] = 0.0                                             # both as loud as the caller
    steady = np.ones(len(notes))
    steady[[i for i, n in enumerate(notes) if n.onset_s == 3.41]] = 0.3   # speech glides
    kept = keep_callers_notes(notes, levels, runs, steady)
    assert [n.onset_s for n in kept if n.midi == 68.0 and n.onset_s > 2.3] == [2.41, 2.5]


def test_low_talker_as_loud_as_the_caller_between_notes_adds_no_note():
    pitches = [67.0, 69.0, 71.0, 72.0, 71.0, 69.0, 67.0, 69.0, 71.0, 67.0]
    sung = [(0.5 + 0.8 * i, 1.1 + 0.8 * i, m) for i, m in enumerate(pitches)]
    x = hum(sung, duration_s=9.0, sr=SR)
    talk = _talker(9.0, [(0.05, 0.16, 50.0), (3.36, 0.2, 52.0), (6.56, 0.22, 49.0)])
    level = np.sqrt(np.mean(x[np.abs(x) > 0.01] ** 2))
    talk *= level / np.sqrt(np.mean(talk[np.abs(talk) > 0.01] ** 2)) * 10 ** (-4 / 20)
    est = _notes(x + talk + 1e-3 * np.random.default_rng(0).standard_normal(len(x)))
    assert [round(m) for _, _, m in est] == [round(m) for m in pitches]


def test_vowel_at_the_callers_level_the_tracker_barely_voices_starts_the_note():
    # a re-pitched vowel: 0.3 s at the note's pitch and level with a confidence of 0.1, then voiced;
    # before it, 0.2 s of a talker at another pitch, as loud
    n = 100
    midi = np.r_[np.full(30, 55.0), np.full(70, 67.0)]
    conf = np.r_[np.full(30, 0.1), np.full(30, 0.1), np.full(40, 0.9)]
    voiced = conf >= 0.5
    level = np.full(n, -22.0)
    out = extend_weak_edges(midi, conf, voiced, np.ones(n, bool), int(round(MAX_WEAK_ATTACK_S / 0.01)), level)
    assert np.flatnonzero(out)[0] == 30 and out[30:].all()


def test_held_note_the_tracker_loses_for_180_ms_without_a_dip_stays_voiced():
    # a noise suppressor gating a held note: the confidence sags for 0.18 s, the level does not dip
    conf = np.r_[np.full(40, 0.9), np.full(18, 0.05), np.full(40, 0.9)]
    midi = np.full(len(conf), 64.0)
    out = fill_weak_gaps(midi, conf, conf >= 0.5, np.ones(len(conf), bool), int(round(MAX_WEAK_GAP_S / 0.01)),
                         np.full(len(conf), -25.0))
    assert out.all()


def test_faint_talker_syllable_right_after_a_callers_note_adds_no_note():
    # a 80 ms syllable 10 dB under the caller, 2 st from the note it follows in the same voiced run
    # (pitch continuity alone would make it the caller's), and a soft sung note 8 dB under kept
    notes, levels, runs = _caller_notes([(0.4, 0.48, 69.0), (1.9, 2.0, 69.0)])
    levels[[i for i, n in enumerate(notes) if n.onset_s == 0.4]] = -10.0
    levels[[i for i, n in enumerate(notes) if n.onset_s == 1.9]] = -8.0
    kept = keep_callers_notes(notes, levels, runs, np.ones(len(notes)))
    assert [n.onset_s for n in kept if n.midi == 69.0] == [1.0, 1.9, 3.0]


def test_held_note_a_noise_suppressor_turns_down_mid_note_stays_voiced_and_a_reverb_gap_does_not():
    # the tracker voices the whole held pitch; 0.1 s of it falls under the level gate as a noise
    # suppressor turns the note 8 dB down for good (one note) or as a reverb tail sits between
    # two attacks at the same level (a repeat: the gap stays)
    n_gap = 10
    conf = np.full(90, 0.9)
    midi = np.full(90, 64.0)
    gated = np.r_[np.ones(40, bool), np.zeros(n_gap, bool), np.ones(40, bool)]
    for after_db, filled in ((-33.0, True), (-25.0, False)):
        level = np.r_[np.full(40, -25.0), np.full(n_gap, -41.0), np.full(40, after_db)]
        out = fill_weak_gaps(midi, conf, gated, gated, int(round(MAX_WEAK_GAP_S / 0.01)), level)
        assert out[40:50].all() == filled


def test_held_note_a_noise_suppressor_holds_down_for_half_a_second_stays_voiced_and_a_reverb_tail_does_not():
    # the tracker voices the held pitch throughout; for 0.5 s the level sits 18 dB down (under the
    # level gate) and comes back: one note. A reverb tail decaying 40 dB between two attacks of the
    # same pitch is a break between two notes.
    conf = np.full(150, 0.9)
    midi = np.full(150, 57.0)
    gated = np.r_[np.ones(50, bool), np.zeros(50, bool), np.ones(50, bool)]
    suppressed = np.r_[np.full(50, -26.0), -44.0 + np.sin(np.arange(50)), np.full(50, -26.0)]
    tail = np.r_[np.full(50, -26.0), np.linspace(-42.0, -66.0, 50), np.full(50, -26.0)]
    for level, filled in ((suppressed, True), (tail, False)):
        out = fill_weak_gaps(midi, conf, gated, gated, int(round(MAX_WEAK_GAP_S / 0.01)), level)
        assert out[50:100].all() == filled
