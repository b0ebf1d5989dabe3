"""The ready SMS of a call's first track ends with one tip for the next call when the line or the room cost
notes (the first of ``call_conditions``), or says that the song is of the take the caller started again or carries
the tune on across their words; a new version asked for by SMS repeats none. Every ready SMS offers the beat at
half or double time where the song can go so."""
import uuid

import pytest

from humitout.pipeline import notify
from humitout.security import seal_phone


def _track(svc, session_id: str, version: int, heard: list[str], **played) -> str:
    params = {"tempo_bpm": 96.0, "key": "D minor", "time_signature": "4/4", "hum_meter": "4/4", "bar_shift_beats": 0,
              "call_conditions": heard, "length": "normal", "variation_seed": 0, "agents": [], "your_hum": True,
              "audio_s": 70.0, **played}
    return svc.db.save_track(session_id, version, "pop", {}, {}, params)


def test_the_first_tracks_sms_ends_with_the_calls_first_tip_and_a_new_version_has_none(stack, svc):
    phone = "+1555" + str(uuid.uuid4().int)[:7]
    user = svc.db.create_user(f"{uuid.uuid4().hex}@example.com", phone, "123456")
    session, _ = svc.db.create_session(user, "CA" + uuid.uuid4().hex, "RE" + uuid.uuid4().hex, phone, None)
    sid, caller = str(session["id"]), seal_phone(svc.settings.twilio_auth_token, phone)
    heard = ["background_voices", "room_echo"]
    for version in (1, 2):
        notify(svc, {"session_id": sid, "caller": caller, "track_id": _track(svc, sid, version, heard),
                     "execution_id": f"exec-{uuid.uuid4().hex}"})
    first, second = (m.body for m in stack.twilio.wait_for_sms(phone, 2, 10))
    assert first.endswith("bars off? Reply SHIFT; too fast or slow? HALF or DOUBLE. Tip: We heard voices in the background; a quiet room keeps "
                          "them out of your melody.")
    assert second.endswith("bars off? Reply SHIFT; too fast or slow? HALF or DOUBLE.")


@pytest.mark.parametrize(("heard", "ending"), [
    (["started_again", "room_echo"], "You started your tune again partway through, so the song uses your last take."),
    (["talked_between", "dropouts"], "You stopped to talk partway through, so the song leaves your words out and "
                                     "carries your tune on."),
    (["paused_between", "room_echo"], "You paused partway through, so the song closes the gap and carries your tune "
                                      "on."),
    (["sang_again", "talked_between"], "You sang a bit of your tune again, so the song keeps your second go at it.")])
def test_the_sms_says_what_the_song_made_of_a_call_the_caller_broke_off(stack, svc, heard, ending):
    # news, not a tip: the take the caller started again, the bit sung again, or the tune carried on across their
    # words or silence
    phone = "+1555" + str(uuid.uuid4().int)[:7]
    user = svc.db.create_user(f"{uuid.uuid4().hex}@example.com", phone, "123456")
    session, _ = svc.db.create_session(user, "CA" + uuid.uuid4().hex, "RE" + uuid.uuid4().hex, phone, None)
    sid, caller = str(session["id"]), seal_phone(svc.settings.twilio_auth_token, phone)
    notify(svc, {"session_id": sid, "caller": caller, "track_id": _track(svc, sid, 1, heard),
                 "execution_id": f"exec-{uuid.uuid4().hex}"})
    (body,) = (m.body for m in stack.twilio.wait_for_sms(phone, 1, 10))
    assert body.endswith(f"bars off? Reply SHIFT; too fast or slow? HALF or DOUBLE. {ending}")


@pytest.mark.parametrize(("played", "ending"), [
    ({"tempo_bpm": 48.0, "beat_ratio": 0.5}, "bars off? Reply SHIFT; too slow? DOUBLE."),   # already at half time
    ({"tempo_bpm": 192.0, "beat_ratio": 2.0}, "bars off? Reply SHIFT; too fast? HALF."),
    ({"tempo_bpm": 150.0, "time_signature": "3/4", "hum_meter": "3/4"}, "bars off? Reply SHIFT."),   # neither: no
    # whole half of a 3-beat bar, and 300 BPM is too fast to play
])
def test_the_sms_offers_half_or_double_time_only_where_the_song_can_go_so(stack, svc, played, ending):
    phone = "+1555" + str(uuid.uuid4().int)[:7]
    user = svc.db.create_user(f"{uuid.uuid4().hex}@example.com", phone, "123456")
    session, _ = svc.db.create_session(user, "CA" + uuid.uuid4().hex, "RE" + uuid.uuid4().hex, phone, None)
    sid, caller = str(session["id"]), seal_phone(svc.settings.twilio_auth_token, phone)
    notify(svc, {"session_id": sid, "caller": caller, "track_id": _track(svc, sid, 2, [], **played),
                 "execution_id": f"exec-{uuid.uuid4().hex}"})
    (body,) = (m.body for m in stack.twilio.wait_for_sms(phone, 1, 10))
    assert body.endswith(ending)
