"""High voices read at a sub-harmonic: a low-rate codec (AMR-NB codes pitches above 400 Hz, its shortest
pitch lag, with twice their period) or a child's period doubling make the tracker follow f/2 for whole notes."""
import numpy as np
from scipy.signal import butter, sosfilt

from hum_synth import phone, wav_bytes
from humitout.audio.decode import decode_audio
from humitout.audio.f0 import PitchTrack
from humitout.audio.notes.core import NoteEvent
from humitout.audio.notes.partials import lift_lag_floor_subharmonics
from humitout.audio.notes.segment import judge_at_voice_pitch
from humitout.audio.transcribe import transcribe_samples

SR = 32000


def _hum(notes, doubled: tuple[float, float], odd_db: float, *, roll: float, gain: float = 1.0,
         sub_roll: float = 1.0) -> np.ndarray:
    """Notes [(onset_s, offset_s, midi)] with 5.5 Hz vibrato, partial k at ``gain * roll ** (k - 1)``;
    inside ``doubled`` (s) the period is doubled: odd multiples k of f/2 are added at ``sub_roll ** k``,
    ``odd_db`` dB under."""
    t = np.arange(int((notes[-1][1] + 0.5) * SR)) / SR
    x = np.zeros_like(t)
    for on, off, midi in notes:
        sel = (t >= on) & (t < off)
        u = t[sel] - on
        phase = 2 * np.pi * np.cumsum(440.0 * 2 ** ((midi - 69) / 12) * (1 + 0.004 * np.sin(2 * np.pi * 5.5 * u))) / SR
        env = np.minimum(1.0, np.minimum(u / 0.03, (off - on - u) / 0.03))
        sub = np.where((t[sel] >= doubled[0]) & (t[sel] < doubled[1]), 10 ** (odd_db / 20), 0.0)
        y = gain * sum(roll ** (k - 1) * np.sin(k * phase) for k in range(1, 7))
        y += sub * sum(sub_roll ** k * np.sin(k * phase / 2) for k in (1, 3, 5, 7, 9, 11))
        x[sel] = 0.3 * env * y
    return x


def _high_hum(notes, doubled: tuple[float, float], odd_db: float) -> np.ndarray:
    """A bright hum (partial k at 0.8 ** k) whose period doubles inside ``doubled`` (s), the odd multiples
    of f/2 falling off as 0.8 ** (k / 2), ``odd_db`` dB under (a child's period doubling)."""
    return _hum(notes, doubled, odd_db, roll=0.8, gain=0.8, sub_roll=0.8 ** 0.5)


def test_a_high_note_read_at_half_its_pitch_for_most_of_a_second_stays_at_its_pitch():
    notes = [(0.5, 1.0, 72), (1.0, 2.2, 74), (2.2, 2.7, 76), (2.7, 3.3, 74), (3.3, 3.8, 69)]
    y, sr = decode_audio(wav_bytes(phone(_high_hum(notes, (1.3, 2.1), -10.0), SR)))
    got = [(n.onset_s, n.offset_s, n.midi) for n in transcribe_samples(y, sr)[2]]
    assert len(got) == len(notes)
    for (on, off, midi), (a, b, m) in zip(notes, got):
        assert abs(m - midi) < 0.5 and abs(a - on) < 0.05


def _coded_hum(notes, doubled: tuple[float, float], odd_db: float = -30.0, roll: float = 0.5) -> np.ndarray:
    """A hum (partial k at ``roll ** (k - 1)``) of notes [(onset_s, offset_s, midi)] as a low-rate CELP codec
    gives back a voice over its 400 Hz pitch-lag floor inside ``doubled`` (s): coded with twice its period,
    so faint odd multiples of f/2, all ``odd_db`` dB under the fundamental, come with it."""
    return _hum(notes, doubled, odd_db, roll=roll)


def _transcribed(x: np.ndarray) -> list[tuple[float, float, float]]:
    y, sr = decode_audio(wav_bytes(phone(x, SR)))
    return [(n.onset_s, n.offset_s, n.midi) for n in transcribe_samples(y, sr)[2]]


def test_a_phrase_over_a_codecs_pitch_lag_floor_coded_with_twice_its_period_keeps_its_octave():
    # G#4-B4 (415-494 Hz) hummed over AMR-NB's 400 Hz lag floor: the tracker follows the doubled period
    # for all four notes, whose own 1st and 3rd harmonics are missing
    notes = [(0.5, 0.8, 64), (0.8, 1.1, 64), (1.1, 1.4, 68), (1.4, 1.7, 71), (1.7, 2.0, 68), (2.0, 2.3, 68),
             (2.3, 2.6, 66), (2.6, 3.0, 64)]
    got = _transcribed(_coded_hum(notes, (1.1, 2.3)))
    assert [round(m) for _, _, m in got] == [m for _, _, m in notes]


def test_a_short_note_over_the_lag_floor_read_an_octave_low_out_of_the_callers_register_is_kept_and_lifted():
    # A#4 (466 Hz) between rests in an A4-C5 phrase, coded with twice its period: the tracker reads it at
    # A#3, 11 st under the phrase, where the caller's register rule would take it for a talker
    notes = [(0.5, 1.0, 67), (1.0, 1.4, 69), (1.5, 1.76, 70), (1.9, 2.3, 69), (2.3, 2.7, 71), (2.7, 3.1, 72),
             (3.1, 3.5, 69), (3.5, 4.0, 67)]
    got = _transcribed(_coded_hum(notes, (1.5, 1.76)))
    assert [round(m) for _, _, m in got] == [m for _, _, m in notes]


def test_the_talker_rules_judge_a_note_read_an_octave_low_at_the_voices_pitch_unless_it_slipped_inside_a_note():
    notes = [NoteEvent(0.5, 1.0, 69.0, 0.9), NoteEvent(1.0, 1.2, 61.0, 0.7), NoteEvent(1.2, 1.5, 61.0, 0.7),
             NoteEvent(1.5, 1.7, 71.0, 0.9), NoteEvent(1.8, 2.0, 59.0, 0.7), NoteEvent(2.0, 2.5, 71.0, 0.9)]
    got, raised = judge_at_voice_pitch(notes, lambda n: n.midi < 65)
    # the 61s go up; the 59 touching a 71 is a slip of that note's pitch, left for its register rule
    assert [n.midi for n in got] == [69.0, 73.0, 73.0, 71.0, 59.0, 71.0]
    assert raised == {(1.0, 1.2, 73.0), (1.2, 1.5, 73.0)}
    assert judge_at_voice_pitch(notes, None) == (notes, set())


def test_a_phrase_sung_an_octave_lower_stays_there():
    notes = [(0.5, 0.8, 64), (0.8, 1.1, 64), (1.1, 1.4, 56), (1.4, 1.7, 59), (1.7, 2.0, 56), (2.0, 2.3, 56),
             (2.3, 2.6, 66), (2.6, 3.0, 64)]
    got = _transcribed(_coded_hum(notes, (0.0, 0.0)))
    assert [round(m) for _, _, m in got] == [m for _, _, m in notes]


def test_a_low_voice_without_its_fundamental_under_the_lag_floor_keeps_its_pitch():
    # D3 (147 Hz) through a loudspeaker that cuts its fundamental and leaves a weak 3rd harmonic
    t = np.arange(int(0.6 * 16000)) / 16000
    f = 440.0 * 2 ** ((50 - 69) / 12)
    x = sum(a * np.sin(2 * np.pi * k * f * t) for k, a in ((1, 0.001), (2, 1.0), (3, 0.01), (4, 0.5), (5, 0.3)))
    note = NoteEvent(0.05, 0.55, 50.0, 0.8)
    assert lift_lag_floor_subharmonics([note], x, 16000) == [note]


def _murmur_hum(midi: float, partials: tuple[float, ...], murmur_db: float, dur: float = 0.4) -> np.ndarray:
    """A hum at ``midi`` (partial k at ``partials[k - 1]``, 16 kHz) over breath noise through a closed mouth's
    resonances (250-450 Hz and 0.9-1.1 kHz bands), ``murmur_db`` dB relative to unit-variance noise."""
    t = np.arange(int(dur * 16000)) / 16000
    phase = 2 * np.pi * np.cumsum(440.0 * 2 ** ((midi - 69) / 12) * (1 + 0.004 * np.sin(2 * np.pi * 5.5 * t))) / 16000
    x = sum(a * np.sin(k * phase) for k, a in enumerate(partials, start=1))
    rng = np.random.default_rng(0)
    noise = sum(sosfilt(butter(2, band, btype="bandpass", fs=16000, output="sos"), rng.standard_normal(len(t)))
                for band in ((250.0, 450.0), (900.0, 1100.0)))
    return x + 10 ** (murmur_db / 20) * noise


def test_a_childs_high_mm_read_at_half_its_pitch_through_its_murmur_is_lifted_when_weakly_voiced():
    # E5 (659 Hz) hummed: the murmur's noise band under the fundamental fills f/2 and 3f/2 to ~17 dB under
    # the voice, and the tracker, unsure (confidence 0.35), reads E4
    x = _murmur_hum(76.0, (1.0, 0.6, 0.36, 0.22, 0.13), 5.0)
    assert lift_lag_floor_subharmonics([NoteEvent(0.0, 0.4, 64.0, 0.35)], x, 16000)[0].midi == 76.0
    # read at that octave with confidence, the note needs its odd harmonics 24 dB under to move
    assert lift_lag_floor_subharmonics([NoteEvent(0.0, 0.4, 64.0, 0.8)], x, 16000)[0].midi == 64.0
    # cut in two where the tracker wavered, the two weakly voiced pieces become one note again
    got = lift_lag_floor_subharmonics([NoteEvent(0.0, 0.2, 64.0, 0.35), NoteEvent(0.2, 0.4, 64.1, 0.4)], x, 16000)
    assert [(n.onset_s, n.offset_s, round(n.midi)) for n in got] == [(0.0, 0.4, 76)]


def test_a_weakly_voiced_note_with_a_weak_fundamental_keeps_its_pitch():
    # E4 (330 Hz) with its fundamental and 3rd harmonic ~8-9 dB under its 2nd (a formant on 2f), weakly voiced
    x = _murmur_hum(64.0, (0.4, 1.0, 0.35, 0.5, 0.2, 0.3), -10.0)
    note = NoteEvent(0.0, 0.4, 64.0, 0.35)
    assert lift_lag_floor_subharmonics([note], x, 16000) == [note]


def test_a_weakly_voiced_low_note_under_the_phone_bands_low_cut_keeps_its_pitch():
    # A#3 (233 Hz): the phone channel takes its fundamental away and a back vowel's first formant sits on
    # 2f, so its 3rd and 5th harmonics read 15-20 dB under the 2nd; weakly voiced, it is still A#3
    x = _murmur_hum(58.0, (0.01, 1.0, 0.18, 0.5, 0.1), -30.0)
    note = NoteEvent(0.0, 0.4, 58.0, 0.35)
    assert lift_lag_floor_subharmonics([note], x, 16000) == [note]


def _track_of(midi_conf: list[tuple[float, float]], hop: float = 0.01) -> PitchTrack:
    hz = np.array([440.0 * 2 ** ((m - 69) / 12) for m, _ in midi_conf])
    conf = np.array([c for _, c in midi_conf])
    return PitchTrack(hz=hz, confidence=conf, voiced=conf >= 0.5, hop_s=hop)


def test_a_lifted_note_starts_where_the_tracker_first_heard_it_at_the_voices_pitch():
    # G#4 (415 Hz) coded with twice its period after its first 50 ms: the tracker hears G#4 weakly at
    # 0.20-0.24 s, slides for two frames, then reads G#3 from 0.27 s, where the note was made
    t = np.arange(int(0.8 * 16000)) / 16000
    f = 440.0 * 2 ** ((68 - 69) / 12)
    x = np.where(t >= 0.15, sum(a * np.sin(2 * np.pi * k * f * t) for k, a in ((1, 1.0), (2, 0.5), (3, 0.3))), 0.0)
    frames = [(50.0, 0.0)] * 19 + [(67.6, 0.16), (67.8, 0.37), (67.9, 0.46), (67.9, 0.51), (68.0, 0.5), (68.0, 0.47),
                                   (66.5, 0.43), (59.0, 0.42)] + [(56.0, 0.7)] * 53
    note = NoteEvent(0.25, 0.8, 56.0, 0.7)
    got = lift_lag_floor_subharmonics([note], x, 16000, track=_track_of(frames))
    assert [(round(n.onset_s, 2), n.midi) for n in got] == [(0.18, 68.0)]
    # without the track, or with no head at the voice's pitch, it keeps its onset
    assert lift_lag_floor_subharmonics([note], x, 16000)[0].onset_s == 0.25
    flat = [(50.0, 0.0)] * 25 + [(66.5, 0.43), (59.0, 0.42)] + [(56.0, 0.7)] * 53
    assert lift_lag_floor_subharmonics([note], x, 16000, track=_track_of(flat))[0].onset_s == 0.25


def test_a_held_notes_start_read_an_octave_low_over_the_lag_floor_joins_it_unless_sung_an_octave_under():
    # C5 (523 Hz) held 0.8 s; the codec's noise fills the odd multiples of C4 16 dB under C5 throughout. The
    # tracker reads its first 0.2 s at C4: that piece's odd harmonics lie as far under its 2nd as the gaps
    # between the held note's own harmonics, so it is the held note's
    t = np.arange(int(0.8 * 16000)) / 16000
    f = 440.0 * 2 ** ((60 - 69) / 12)
    voice = sum(a * np.sin(2 * np.pi * k * 2 * f * t) for k, a in ((1, 1.0), (2, 0.5), (3, 0.3)))
    fill = 10 ** (-16 / 20) * sum(np.sin(2 * np.pi * k * f * t + k) for k in (1, 3, 5, 7, 9))
    notes = [NoteEvent(0.0, 0.2, 60.0, 0.7), NoteEvent(0.2, 0.8, 72.0, 0.9)]
    got = lift_lag_floor_subharmonics(notes, voice + fill, 16000)
    assert [(n.onset_s, n.offset_s, n.midi) for n in got] == [(0.0, 0.8, 72.0)]
    # sung an octave under for 0.2 s (a voice at C4, its odd harmonics as strong as its even ones): kept
    low = np.where(t < 0.2, sum(a * np.sin(2 * np.pi * k * f * t) for k, a in ((1, 1.0), (2, 0.7), (3, 0.5), (4, 0.3))),
                   voice)
    assert lift_lag_floor_subharmonics(notes, low + fill, 16000) == notes


def test_a_note_touching_its_own_octave_high_misreading_keeps_its_pitch():
    # C4 (262 Hz) sung 0.8 s with its odd harmonics as strong as its 2nd; the tracker read its last 0.6 s
    # an octave high: the longer note is the error, so the C4 piece is not joined into it
    t = np.arange(int(0.8 * 16000)) / 16000
    f = 440.0 * 2 ** ((60 - 69) / 12)
    x = sum(a * np.sin(2 * np.pi * k * f * t) for k, a in ((1, 1.0), (2, 0.4), (3, 0.6), (4, 0.3), (5, 0.4)))
    notes = [NoteEvent(0.0, 0.2, 60.0, 0.7), NoteEvent(0.2, 0.8, 72.0, 0.9)]
    assert lift_lag_floor_subharmonics(notes, x, 16000) == notes


def test_a_lifted_piece_the_tracker_heard_at_its_pitch_from_the_note_before_joins_that_note():
    # D5 (587 Hz) held 0.6 s; the codec codes its last 0.2 s with twice its period and the tracker reads
    # D4 there, right after reading D5 up to the cut: lifted, the piece joins the D5 it continues
    t = np.arange(int(0.6 * 16000)) / 16000
    f = 440.0 * 2 ** ((74 - 69) / 12)
    x = sum(a * np.sin(2 * np.pi * k * f * t) for k, a in ((1, 1.0), (2, 0.5), (3, 0.3)))
    notes = [NoteEvent(0.0, 0.4, 74.0, 0.9), NoteEvent(0.4, 0.6, 62.0, 0.7)]
    held = [(74.0, 0.8)] * 42 + [(62.0, 0.7)] * 18
    got = lift_lag_floor_subharmonics(notes, x, 16000, track=_track_of(held))
    assert [(n.onset_s, n.offset_s, n.midi) for n in got] == [(0.0, 0.6, 74.0)]
    # without the track, or when the tracker lost the voice before the piece (a breath, a new attack), the
    # lifted piece keeps its own onset
    assert [n.midi for n in lift_lag_floor_subharmonics(notes, x, 16000)] == [74.0, 74.0]
    breath = [(74.0, 0.8)] * 37 + [(74.0, 0.1)] * 5 + [(62.0, 0.7)] * 18
    got = lift_lag_floor_subharmonics(notes, x, 16000, track=_track_of(breath))
    assert [(n.onset_s, n.midi) for n in got] == [(0.0, 74.0), (0.4, 74.0)]


def test_a_sung_note_touching_its_own_octave_high_misreading_is_not_lifted_into_it():
    # C5 (523 Hz) sung 0.8 s, its 2nd harmonic 3 dB over its fundamental; the tracker reads its first
    # 0.2 s right and the rest an octave high. The piece's odd harmonics stand 3 dB under its 2nd (a voice
    # of its own at C5), and the longer note's spectrum between its "harmonics" is as strong: not a piece
    # the codec coded at twice the period, so it keeps its pitch
    t = np.arange(int(0.8 * 16000)) / 16000
    f = 440.0 * 2 ** ((72 - 69) / 12)
    x = sum(a * np.sin(2 * np.pi * k * f * t) for k, a in ((1, 0.7), (2, 1.0), (3, 0.5), (4, 0.3)))
    notes = [NoteEvent(0.0, 0.2, 72.0, 0.9), NoteEvent(0.2, 0.8, 84.0, 0.9)]
    assert lift_lag_floor_subharmonics(notes, x, 16000) == notes


def test_a_held_notes_start_read_an_octave_low_joins_it_where_the_voice_runs_on_and_not_over_a_reattack():
    # A-flat 4 (415 Hz, at AMR-NB's 400 Hz shortest lag) held 0.8 s; the codec codes its first 0.3 s with
    # twice its period and the tracker reads A-flat 3 there, at confidence 0.6 right through to the rest of
    # the note (stress s14 amr_010): no odd harmonic of A-flat 3 at all, so the piece is lifted, and the
    # voice never stops at the cut (the tracker hears it, the level holds), so it is one note
    t = np.arange(int(0.8 * 16000)) / 16000
    f = 440.0 * 2 ** ((68 - 69) / 12)
    x = sum(a * np.sin(2 * np.pi * k * f * t) for k, a in ((1, 1.0), (2, 0.5), (3, 0.3)))
    notes = [NoteEvent(0.0, 0.3, 56.0, 0.6), NoteEvent(0.3, 0.8, 68.0, 0.8)]
    held = [(56.0, 0.6)] * 30 + [(68.0, 0.8)] * 50
    got = lift_lag_floor_subharmonics(notes, x, 16000, track=_track_of(held))
    assert [(n.onset_s, n.offset_s, n.midi) for n in got] == [(0.0, 0.8, 68.0)]
    # a re-attack at the cut (the level dips 12 dB for 40 ms), or a breath (the tracker loses the voice for
    # five frames), keeps two notes, both at A-flat 4; so does a call without the track
    dip = np.where(np.abs(t - 0.3) < 0.02, 10 ** (-12 / 20), 1.0)
    breath = [(56.0, 0.6)] * 28 + [(60.0, 0.1)] * 5 + [(68.0, 0.8)] * 47
    for y, track in ((x * dip, _track_of(held)), (x, _track_of(breath)), (x, None)):
        got = lift_lag_floor_subharmonics(notes, y, 16000, track=track)
        assert [(n.onset_s, n.midi) for n in got] == [(0.0, 68.0), (0.3, 68.0)]


def test_a_confident_piece_an_octave_under_the_held_note_around_it_is_lifted_on_the_weak_bar():
    # s17 child_001: a held E5 (659 Hz) read at E4 in its middle at confidence 0.63, its murmur filling f/2 and
    # 3f/2 ~17 dB under the voice: the notes either side, the rest of it, are at E5
    x = _murmur_hum(76.0, (1.0, 0.6, 0.36, 0.22, 0.13), 5.0, dur=1.2)
    notes = [NoteEvent(0.0, 0.4, 76.0, 0.7), NoteEvent(0.4, 0.8, 64.0, 0.63), NoteEvent(0.8, 1.2, 76.0, 0.7)]
    assert lift_lag_floor_subharmonics(notes, x, 16000, under_st=None) == notes    # confidence alone: not lifted
    got = lift_lag_floor_subharmonics(notes, x, 16000)
    assert [(n.onset_s, n.offset_s, round(n.midi)) for n in got] == [(0.0, 1.2, 76)]
    # an E4 really sung there (its own fundamental and 3rd 8-9 dB under its 2nd) between the E5s stays
    x = np.concatenate([_murmur_hum(76.0, (1.0, 0.6, 0.36, 0.22, 0.13), 5.0),
                        _murmur_hum(64.0, (0.4, 1.0, 0.35, 0.5, 0.2, 0.3), -10.0),
                        _murmur_hum(76.0, (1.0, 0.6, 0.36, 0.22, 0.13), 5.0)])
    assert lift_lag_floor_subharmonics(notes, x, 16000) == notes
