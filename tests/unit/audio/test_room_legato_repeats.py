"""A legato repeat in a room: the re-attack dip that the room's tail fills in the call's levels still shows in
every narrow band and harmonic at once, each against its own level (``dip_cuts``' ``own_levels``)."""
import numpy as np
from hum_synth import hum, phone, room, wav_bytes

import humitout.audio.transcribe as transcribe
from humitout.audio.decode import decode_audio
from humitout.audio.transcribe import front_end, transcribe_samples

SR = 32000
HELD = [(0.4 + 1.0 * i, 1.2 + 1.0 * i, m) for i, m in enumerate([57, 60, 62, 59, 57, 64])]   # 0.8 s each
REPEATS = [on + 0.4 for on, _, _ in HELD]   # each held note sung as two: a 12 dB re-attack dip in its middle


def _speakerphone(x: np.ndarray) -> tuple[np.ndarray, int]:
    """``x`` through a speakerphone's comb (an echo 1.3 ms late at 0.6: notches 12 dB deep, 770 Hz apart) and
    a room (RT60 0.5 s, tail 3 dB under the direct sound), then the phone line."""
    d = int(0.0013 * SR)
    y = x.copy()
    y[d:] += 0.6 * x[:-d]
    return decode_audio(wav_bytes(phone(room(y, 0.5, 3.0), SR)))


def _without_rule(monkeypatch):
    segment = transcribe.segment_notes
    monkeypatch.setattr(transcribe, "segment_notes", lambda *a, band_levels_db=None, **kw: segment(*a, **kw))


def test_legato_repeats_under_a_rooms_tail_are_two_notes_each(monkeypatch):
    # a 0.3 st vibrato carries each harmonic through the comb on its own, so the levels' maxima around a dip
    # come from different bands at different times, and the room fills the 9 dB dip to a few dB in them: two
    # more of the six repeats are two notes with the rule than without (10 notes of 12 against 8), and every
    # note starts within the bench's 50 ms of a sung onset at its pitch
    y, sr = _speakerphone(hum(HELD, sr=SR, dips=REPEATS, dip_db=9.0, vibrato_st=0.3))
    assert front_end(y, sr).reverberant
    notes = transcribe_samples(y, sr)[2]
    sung = sorted([(on, m) for on, _, m in HELD] + [(on, m) for on, (_, _, m) in zip(REPEATS, HELD)])
    for n in notes:
        assert min(abs(n.onset_s - on) for on, m in sung if m == round(n.midi)) <= 0.05
    _without_rule(monkeypatch)
    assert len(transcribe_samples(y, sr)[2]) <= len(notes) - 2


def test_held_notes_with_vibrato_in_a_room_stay_whole():
    # the same room, comb and vibrato without re-attack dips: the bands wobble one by one, no note splits
    y, sr = _speakerphone(hum(HELD, sr=SR, vibrato_st=0.3))
    notes = transcribe_samples(y, sr)[2]
    assert [round(n.midi) for n in notes] == [m for _, _, m in HELD]


def test_a_dry_call_is_not_read_for_dips_every_band_makes(monkeypatch):
    # without a room the call is not dereverberated and the note stage is the one before the rule, to the note
    y, sr = decode_audio(wav_bytes(phone(hum(HELD, sr=SR, dips=REPEATS, dip_db=6.0, vibrato_st=0.3), SR)))
    assert not front_end(y, sr).reverberant
    notes = transcribe_samples(y, sr)[2]
    _without_rule(monkeypatch)
    assert transcribe_samples(y, sr)[2] == notes
