"""Forged webhooks, PINs, lockout, sign-up and share links, through the local gateway."""
import re
import uuid

import pytest
import requests

from humitout_infra.topology import ROUTES

from e2e_helpers import APP_NUMBER, call_and_wait, get, link_in, page_links, session_count


def _table_counts(svc) -> dict:
    with svc.db.tx() as cur:
        counts = {}
        for table in ("users", "sessions", "call_attempts", "sms_messages", "share_links", "generated_tracks"):
            cur.execute(f"SELECT count(*) AS n FROM {table}")
            counts[table] = cur.fetchone()["n"]
        return counts


@pytest.mark.parametrize("path", [p for m, p, _ in ROUTES if p.startswith("/twilio/")])
def test_a_forged_or_unsigned_webhook_is_refused_and_writes_nothing(stack, svc, new_caller, path):
    caller = new_caller()
    before = _table_counts(svc)
    form = {"AccountSid": stack.account_sid, "CallSid": "CA" + "0" * 32, "From": caller.phone, "To": APP_NUMBER,
            "Digits": caller.pin, "RecordingSid": "RE" + uuid.uuid4().hex, "RecordingUrl": "https://api.twilio.com/x",
            "MessageSid": "SM" + "0" * 32, "Body": "jazz"}
    forged = stack.twilio.post_webhook(path, form, forge=True)
    unsigned = requests.post(stack.gateway.url + path, data=form, timeout=10)
    # A valid signature over another URL (e.g. the stage path left out) is also a forgery here.
    from twilio.request_validator import RequestValidator

    other_url_sig = RequestValidator(stack.auth_token).compute_signature(stack.gateway.url + "/prod" + path, form)
    moved = requests.post(stack.gateway.url + path, data=form, headers={"X-Twilio-Signature": other_url_sig},
                          timeout=10)
    assert [forged.status_code, unsigned.status_code, moved.status_code] == [403, 403, 403]
    assert _table_counts(svc) == before


def test_a_webhook_for_another_twilio_account_is_refused(stack, new_caller):
    caller = new_caller()
    resp = stack.twilio.post_webhook("/twilio/voice", {"AccountSid": "AC" + "1" * 32, "CallSid": "CA1",
                                                       "From": caller.phone, "To": APP_NUMBER})
    assert resp.status_code == 403


def test_the_recording_step_needs_proof_of_the_pin(stack, svc, new_caller):
    caller = new_caller()
    before = session_count(svc)
    resp = stack.twilio.post_webhook("/twilio/recording?t=guess", {
        "AccountSid": stack.account_sid, "CallSid": "CA" + "2" * 32, "From": caller.phone, "To": APP_NUMBER,
        "RecordingSid": "RE" + uuid.uuid4().hex, "RecordingUrl": f"{stack.twilio.url}/x"})
    assert resp.status_code == 200 and "<Hangup" in resp.text
    assert session_count(svc) == before


def test_an_unregistered_number_is_told_to_sign_up(stack):
    call = stack.twilio.place_call("+15550009999", APP_NUMBER, [], None)
    assert any("not registered" in s for s in call.said)


def test_a_wrong_pin_says_how_many_tries_are_left(stack, new_caller):
    caller = new_caller()
    call = stack.twilio.place_call(caller.phone, APP_NUMBER, ["000000"], None)
    assert any("4 tries left" in s for s in call.said)


def test_five_wrong_pins_lock_the_caller_out_for_15_minutes(stack, svc, new_caller, sample_hum):
    caller = new_caller()
    wrong = "000000" if caller.pin != "000000" else "111111"
    call = stack.twilio.place_call(caller.phone, APP_NUMBER, [wrong] * 5, None)
    assert any("locked for 15 minutes" in s for s in call.said)
    again = stack.twilio.place_call(caller.phone, APP_NUMBER, [caller.pin, ""], sample_hum)
    assert again.recording_sid is None and any("locked" in s for s in again.said)
    row = svc.db.user_for_phone(caller.phone)
    assert row["locked_until"] is not None and caller.pin not in row["pin_hash"]


def test_sign_up_over_http_texts_a_random_pin_once_and_never_returns_it(stack, svc):
    phone = "+1555" + str(uuid.uuid4().int)[:7]
    resp = requests.post(stack.gateway.url + "/users", json={"email": f"{phone[1:]}@example.com", "phone": phone},
                         timeout=10)
    assert resp.status_code == 201, resp.text
    texts = stack.twilio.wait_for_sms(phone, 1, 5)
    pin = re.search(r"PIN is (\d{6})", texts[0].body).group(1)
    assert pin not in resp.text and len(texts) == 1
    assert svc.db.check_pin(phone, pin, 5, 900).status == "ok"
    dup = requests.post(stack.gateway.url + "/users", json={"email": "x@example.com", "phone": phone}, timeout=10)
    assert dup.status_code == 409
    bad = requests.post(stack.gateway.url + "/users", json={"email": "nope", "phone": "555"}, timeout=10)
    assert bad.status_code == 400


def test_share_links_show_only_their_own_session_and_die_when_revoked(stack, svc, new_caller, sample_hum):
    first, second = new_caller(), new_caller()
    _, _, sms_a = call_and_wait(stack, first, sample_hum, style_digit="1")
    _, _, sms_b = call_and_wait(stack, second, sample_hum, style_digit="1")
    token_a, token_b = link_in(sms_a.body).rsplit("/", 1)[1], link_in(sms_b.body).rsplit("/", 1)[1]
    session_a = str(svc.db.resolve_share_link(token_a)["session_id"])
    session_b = str(svc.db.resolve_share_link(token_b)["session_id"])
    links_a = page_links(get(link_in(sms_a.body)).text)
    assert links_a and all(f"sessions/{session_a}/" in url and session_b not in url for url in links_a.values())

    assert get(stack.gateway.url + "/s/" + "A" * 22).status_code == 404
    assert svc.db.revoke_share_link(token_a)
    assert get(link_in(sms_a.body)).status_code == 404
    assert get(link_in(sms_b.body)).status_code == 200


def test_the_share_page_presigns_short_lived_links_each_visit(stack, svc, new_caller, sample_hum):
    caller = new_caller()
    _, _, sms = call_and_wait(stack, caller, sample_hum, style_digit="2")
    first = page_links(get(link_in(sms.body)).text)["full-mix.wav"]
    # moto never verifies presigned URLs, so check what they were signed with.
    assert "X-Amz-Expires=3600" in first and "X-Amz-Signature=" in first
    assert "response-content-disposition=attachment" in first


def test_a_caller_number_is_rate_limited(stack, svc, new_caller):
    caller = new_caller()
    limit = svc.settings.calls_per_hour
    for _ in range(limit):
        call = stack.twilio.place_call(caller.phone, APP_NUMBER, [], None)
        assert any("enter your six digit PIN" in s for s in call.said)
    refused = stack.twilio.place_call(caller.phone, APP_NUMBER, [], None)
    assert any("called many times" in s for s in refused.said)


def test_a_call_that_records_nothing_is_told_to_call_again(stack, svc, new_caller):
    caller = new_caller()
    before = session_count(svc)
    call = stack.twilio.place_call(caller.phone, APP_NUMBER, [caller.pin, ""], None)
    assert call.recording_sid is None and any("didn't hear anything" in s for s in call.said)
    assert session_count(svc) == before
