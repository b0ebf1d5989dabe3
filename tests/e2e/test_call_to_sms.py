"""A call with a real hum goes through the whole local stack and ends in an SMS whose link
downloads a real package; Twilio retries and transient outages do not duplicate or lose it."""
import io
import re
import zipfile

import mido
import numpy as np
import pytest
import soundfile as sf

from humitout import storage

from e2e_helpers import call_and_wait, executions_named, get, link_in, page_links


def test_a_hummed_call_ends_in_an_sms_whose_link_downloads_wav_midi_and_zip(stack, svc, new_caller, sample_hum):
    caller = new_caller()
    call, desc, sms = call_and_wait(stack, caller, sample_hum, style_digit="3")  # 3 = jazz
    assert desc["status"] == "SUCCEEDED"
    assert "jazz track is ready" in sms.body and "your own hum on the beat" in sms.body
    assert re.search(r"Wrong beat\? Reply (\d/\d, )*\d/\d or \d/\d; bars off\? Reply SHIFT"
                     r"(; too (fast or slow\? HALF or DOUBLE|fast\? HALF|slow\? DOUBLE))?\.$", sms.body)

    page = get(link_in(sms.body))
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    links = page_links(page.text)
    assert {"backing-track.wav", "full-mix.wav", "session.mid", "download-package.zip", "metadata.json",
            "your-hum.wav", "mix-with-your-hum.wav"} <= set(links)
    assert "lyrics.txt" not in links  # no OpenAI key here: the empty lyrics file is not offered

    backing = get(links["backing-track.wav"]).content
    info = sf.info(io.BytesIO(backing))
    assert (info.samplerate, info.channels, info.subtype) == (48000, 2, "PCM_24")
    audio, _ = sf.read(io.BytesIO(backing))
    assert np.sqrt(np.mean(audio ** 2)) > 0.01  # real sound, not silence

    midi = mido.MidiFile(file=io.BytesIO(get(links["session.mid"]).content))
    names = {msg.name for track in midi.tracks for msg in track if msg.type == "track_name"}
    assert {"drums", "bass", "chords", "pad"} <= {n.lower().split()[0] for n in names}

    package = zipfile.ZipFile(io.BytesIO(get(links["download-package.zip"]).content))
    assert any(n.endswith("session.mid") for n in package.namelist())
    assert sum(n.startswith("stems/") and n.endswith(".wav") for n in package.namelist()) == 5

    track = svc.db.resolve_share_link(link_in(sms.body).rsplit("/", 1)[1])
    assert track["version"] == 1 and track["generation_params"]["length"] == "normal"  # a call makes a normal song
    session = svc.db.get_session(track["session_id"])
    assert session["status"] == "completed" and session["recording_sid"] == call.recording_sid
    assert session["detected_key"] and session["tempo"] > 0 and len(session["melody"]) > 5
    assert svc.storage.get_bytes(session["original_audio_key"]) == sample_hum


def test_a_webhook_delivered_three_times_makes_one_session_one_execution_one_sms(stack, svc, new_caller, sample_hum):
    caller = new_caller()
    call, desc, _ = call_and_wait(stack, caller, sample_hum)
    session = svc.db.latest_session_for_phone(caller.phone)
    # Twilio redelivers the recording webhook (e.g. our answer was slow): same signed request twice more.
    from humitout.security import call_token

    token = call_token(stack.auth_token, call.call_sid, caller.phone, 600)
    for _ in range(2):
        resp = stack.twilio.post_webhook(f"/twilio/recording?t={token}", {
            "AccountSid": stack.account_sid, "CallSid": call.call_sid, "From": caller.phone, "To": "+15005550006",
            "RecordingSid": call.recording_sid,
            "RecordingUrl": f"{stack.twilio.url}/2010-04-01/Accounts/{stack.account_sid}/Recordings/{call.recording_sid}",
        })
        assert resp.status_code == 200
    with svc.db.tx() as cur:
        cur.execute("SELECT count(*) AS n FROM sessions WHERE recording_sid = %s", (call.recording_sid,))
        assert cur.fetchone()["n"] == 1
    assert len(executions_named(stack, call.recording_sid)) == 1
    assert len(stack.twilio.wait_for_sms(caller.phone, 2)) == 2  # the PIN text and one track text
    assert svc.db.latest_session_for_phone(caller.phone)["id"] == session["id"]


def test_a_recording_outage_is_retried_and_the_call_still_succeeds(stack, new_caller, sample_hum):
    caller = new_caller()
    stack.twilio.recording_outages = 1  # the first download gets a 503
    call, desc, sms = call_and_wait(stack, caller, sample_hum, style_digit="1")
    assert desc["status"] == "SUCCEEDED" and "/s/" in sms.body
    from humitout_infra.local.history import summarise

    transcribe = next(r for r in summarise(stack.execution_history(call.recording_sid)) if r.name == "Transcribe")
    assert transcribe.attempts == 2 and "TransientError" in transcribe.errors[0]


def test_an_sms_with_a_style_a_length_a_meter_or_shift_makes_a_new_version_of_the_last_hum(stack, svc, new_caller,
                                                                                             sample_hum):
    caller = new_caller()
    call_and_wait(stack, caller, sample_hum, style_digit="1")
    reply = stack.twilio.send_sms_to_app(caller.phone, "+15005550006", "Rock short 3/4")
    assert reply.status_code == 200 and "making a rock version in 3/4 (short)" in reply.text
    sms = stack.twilio.wait_for_sms(caller.phone, 3, timeout_s=120)[-1]
    assert "rock track is ready" in sms.body and ", 3/4, " in sms.body and "Reply 2/4, 4/4 or 6/8;" in sms.body
    track = svc.db.resolve_share_link(link_in(sms.body).rsplit("/", 1)[1])
    assert track["version"] == 2 and track["style"] == "rock"
    assert track["generation_params"]["length"] == "short" and track["generation_params"]["variation_seed"] > 0
    assert track["generation_params"]["time_signature"] == "3/4"
    # the meter named once stays for the next version that names none
    stack.twilio.send_sms_to_app(caller.phone, "+15005550006", "again")
    sms = stack.twilio.wait_for_sms(caller.phone, 4, timeout_s=120)[-1]
    track = svc.db.resolve_share_link(link_in(sms.body).rsplit("/", 1)[1])
    assert track["version"] == 3 and track["generation_params"]["time_signature"] == "3/4"
    # "shift": bar 1 a beat later, in the meter kept
    reply = stack.twilio.send_sms_to_app(caller.phone, "+15005550006", "shift")
    assert "with the bar lines a beat later" in reply.text
    sms = stack.twilio.wait_for_sms(caller.phone, 5, timeout_s=120)[-1]
    track = svc.db.resolve_share_link(link_in(sms.body).rsplit("/", 1)[1])
    assert track["version"] == 4 and track["generation_params"]["time_signature"] == "3/4"
    assert track["generation_params"]["bar_shift_beats"] == 1
    # "shift back" from the newest version's bar 1: where the hum was read
    reply = stack.twilio.send_sms_to_app(caller.phone, "+15005550006", "jazz shift back")
    assert "making a jazz version with the bar lines a beat earlier" in reply.text
    sms = stack.twilio.wait_for_sms(caller.phone, 6, timeout_s=120)[-1]
    track = svc.db.resolve_share_link(link_in(sms.body).rsplit("/", 1)[1])
    assert track["version"] == 5 and track["style"] == "jazz"
    assert track["generation_params"]["time_signature"] == "3/4" and track["generation_params"]["bar_shift_beats"] == 0


def test_half_or_double_time_by_sms_sets_the_songs_beat_keeps_it_for_the_next_versions_and_says_where_it_cannot(
        stack, svc, new_caller, sample_hum):
    caller = new_caller()
    *_, sms = call_and_wait(stack, caller, sample_hum, style_digit="1")
    first_track = svc.db.resolve_share_link(link_in(sms.body).rsplit("/", 1)[1])
    first = first_track["generation_params"]
    assert first["beat_ratio"] == 1.0   # the sample hum as a pop song: at its own tempo, half and double time open
    word, factor = ("half", 0.5) if "HALF" in sms.body else ("double", 2.0)   # what the ready SMS offers
    reply = stack.twilio.send_sms_to_app(caller.phone, "+15005550006", word.upper())
    assert f"at {word} time ({round(first['tempo_bpm'] * factor)} bpm)" in reply.text
    sms = stack.twilio.wait_for_sms(caller.phone, 3, timeout_s=120)[-1]   # the PIN, the first track, this
    second_track = svc.db.resolve_share_link(link_in(sms.body).rsplit("/", 1)[1])
    second = second_track["generation_params"]
    assert second["tempo_bpm"] == pytest.approx(first["tempo_bpm"] * factor, rel=1e-3)
    assert second["beat_ratio"] == first["beat_ratio"] * factor and second["asked_tempo_bpm"] == second["tempo_bpm"]
    # the melody keeps its speed: the same sung notes in half or twice the beats
    spans = [(lambda m: m[-1]["song_beat"] - m[0]["song_beat"])(svc.storage.get_json(
        f"{storage.version_prefix(str(track['session_id']), int(track['version']))}/arrangement.json")["time_map"])
        for track in (first_track, second_track)]
    assert spans[1] == pytest.approx(spans[0] * factor, rel=0.02)
    # the same word again goes past the ratios a song may use (or its tempo range): said, and no version made
    again = stack.twilio.send_sms_to_app(caller.phone, "+15005550006", word)
    assert f"can't go at {word} time" in again.text
    # a style named next keeps the beat asked for
    stack.twilio.send_sms_to_app(caller.phone, "+15005550006", "jazz")
    sms = stack.twilio.wait_for_sms(caller.phone, 4, timeout_s=120)[-1]
    third = svc.db.resolve_share_link(link_in(sms.body).rsplit("/", 1)[1])
    assert third["version"] == 3 and third["style"] == "jazz"
    assert third["generation_params"]["tempo_bpm"] == pytest.approx(second["tempo_bpm"])
    # "shift" moves bar 1 a song beat: two of the hum's at half time, one at double
    stack.twilio.send_sms_to_app(caller.phone, "+15005550006", "shift")
    sms = stack.twilio.wait_for_sms(caller.phone, 5, timeout_s=120)[-1]
    fourth = svc.db.resolve_share_link(link_in(sms.body).rsplit("/", 1)[1])["generation_params"]
    assert fourth["bar_shift_beats"] == (2 if factor == 0.5 else 1) and fourth["tempo_bpm"] == third["generation_params"]["tempo_bpm"]


def test_an_unknown_sms_gets_help(stack, new_caller):
    caller = new_caller()
    reply = stack.twilio.send_sms_to_app(caller.phone, "+15005550006", "what is this?")
    assert reply.status_code == 200 and "Reply with a style" in reply.text
