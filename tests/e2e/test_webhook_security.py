"""Forged webhooks, PINs, lockout, sign-up and share links, through the local gateway."""
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

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


def _new_phone() -> str:
    return "+1555" + str(uuid.uuid4().int)[:7]


def _sign_up_http(stack, phone: str, email: str | None = None) -> requests.Response:
    return requests.post(stack.gateway.url + "/users", json={"email": email or f"{uuid.uuid4().hex}@example.com",
                                                             "phone": phone}, timeout=10)


@pytest.fixture
def generous_sign_up_limits(stack):
    stack.configure({"SIGNUPS_PER_HOUR_PER_CLIENT": "1000"})
    yield
    stack.configure({"SIGNUPS_PER_HOUR_PER_CLIENT": None})


def test_sign_up_over_http_texts_a_random_pin_once_and_never_returns_it(stack, generous_sign_up_limits, svc):
    phone = _new_phone()
    resp = _sign_up_http(stack, phone)
    assert resp.status_code == 202, resp.text
    texts = stack.twilio.wait_for_sms(phone, 1, 5)
    pin = re.search(r"PIN is (\d{6})", texts[0].body).group(1)
    assert pin not in resp.text and len(texts) == 1
    assert svc.db.check_pin(phone, pin, 5, 900).status == "ok"
    with svc.db.tx() as cur:  # the PIN is kept nowhere in clear
        cur.execute("SELECT body FROM sms_messages WHERE to_number = %s", (phone,))
        stored = [r["body"] for r in cur.fetchall()]
    assert stored and all(pin not in body and "******" in body for body in stored)
    bad = requests.post(stack.gateway.url + "/users", json={"email": "nope", "phone": "555"}, timeout=10)
    assert bad.status_code == 400


def test_sign_up_does_not_tell_anyone_which_numbers_are_registered(stack, generous_sign_up_limits, svc):
    phone = _new_phone()
    first = _sign_up_http(stack, phone)
    stack.twilio.wait_for_sms(phone, 1, 5)
    again = _sign_up_http(stack, phone)
    unknown = _sign_up_http(stack, _new_phone())
    assert first.status_code == again.status_code == unknown.status_code == 202
    assert first.text == again.text == unknown.text
    # the owner, not the asker, learns that the number is registered and how to get a new PIN
    note = stack.twilio.wait_for_sms(phone, 2, 5)[-1]
    assert "already has an account" in note.body and "Text PIN" in note.body


def test_sign_up_survives_a_twilio_failure_and_the_retry_delivers_a_working_pin(stack, generous_sign_up_limits, svc):
    phone = _new_phone()
    stack.twilio.sms_outages = 1
    failed = _sign_up_http(stack, phone)
    assert failed.status_code == 503 and svc.db.user_for_phone(phone) is not None
    retry = _sign_up_http(stack, phone)
    assert retry.status_code == 202
    pin = re.search(r"PIN is (\d{6})", stack.twilio.wait_for_sms(phone, 1, 5)[0].body).group(1)
    assert svc.db.check_pin(phone, pin, 5, 900).status == "ok"


def test_parallel_sign_ups_and_a_reused_email_get_4xx_never_500(stack, generous_sign_up_limits, svc):
    from concurrent.futures import ThreadPoolExecutor

    phone, email = _new_phone(), f"{uuid.uuid4().hex}@example.com"
    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda _: _sign_up_http(stack, phone, email).status_code, range(6)))
    assert set(codes) <= {202, 409, 429} and 202 in codes
    reused = _sign_up_http(stack, _new_phone(), email)
    assert reused.status_code == 409


def test_sign_up_is_limited_per_client_without_texting_more(stack):
    from humitout.runtime import services

    stack.configure({"SIGNUPS_PER_HOUR_PER_CLIENT": "3"})
    try:
        with services().db.tx() as cur:
            cur.execute("DELETE FROM call_attempts WHERE caller LIKE 'signup-client:%%'")
        phones = [_new_phone() for _ in range(6)]
        codes = [_sign_up_http(stack, p).status_code for p in phones]
    finally:
        stack.configure({"SIGNUPS_PER_HOUR_PER_CLIENT": None})
    assert codes == [202] * 3 + [429] * 3
    time.sleep(0.5)
    assert [len([m for m in stack.twilio.messages if m.to == p]) for p in phones] == [1] * 3 + [0] * 3


def test_texting_pin_gets_a_new_pin_that_works(stack, svc, new_caller):
    caller = new_caller()
    reply = stack.twilio.send_sms_to_app(caller.phone, APP_NUMBER, "PIN")
    pin = re.search(r"new PIN is (\d{6})", reply.text).group(1)
    assert svc.db.check_pin(caller.phone, pin, 5, 900).status == "ok"
    stranger = stack.twilio.send_sms_to_app(_new_phone(), APP_NUMBER, "pin")
    assert "no account" in stranger.text


def test_a_body_that_is_not_utf8_is_refused_with_400(stack, new_caller):
    caller = new_caller()
    body = f"AccountSid={stack.account_sid}&From={caller.phone}&CallSid=CA1&Body=%ff%fe".encode()
    for path in ("/twilio/voice", "/twilio/sms"):
        resp = requests.post(stack.gateway.url + path, data=body, timeout=10,
                             headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"})
        assert resp.status_code == 400, (path, resp.status_code)
    raw = requests.post(stack.gateway.url + "/users", data=b"\xff\xfe{", timeout=10,
                        headers={"Content-Type": "application/json"})
    assert raw.status_code == 400


def test_the_style_step_needs_an_unexpired_token_for_this_call_and_caller(stack, svc, new_caller):
    from humitout.security import call_token

    caller, other = new_caller(), new_caller()
    call_sid = "CA" + uuid.uuid4().hex
    form = {"AccountSid": stack.account_sid, "CallSid": call_sid, "From": caller.phone, "To": APP_NUMBER, "Digits": "1"}
    good = call_token(stack.auth_token, call_sid, caller.phone, 600)
    tokens = {
        "valid": good,
        "other caller": call_token(stack.auth_token, call_sid, other.phone, 600),
        "expired": call_token(stack.auth_token, call_sid, caller.phone, -1),
        "no secret": call_token("", call_sid, caller.phone, 600),
        "guess": "guess",
    }
    answers = {name: stack.twilio.post_webhook(f"/twilio/style?t={t}", form).text for name, t in tokens.items()}
    assert "<Record" in answers["valid"]
    assert all("<Record" not in text and "<Hangup" in text for name, text in answers.items() if name != "valid")


def test_share_links_show_only_their_own_session_and_die_when_revoked(stack, svc, new_caller, sample_hum):
    first, second = new_caller(), new_caller()
    with ThreadPoolExecutor(2) as calls:  # two callers at once: their pipelines share the machine, and the wait
        (_, _, sms_a), (_, _, sms_b) = calls.map(
            lambda c: call_and_wait(stack, c, sample_hum, style_digit="1", timeout_s=600), (first, second))
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


def test_a_signed_webhook_missing_its_fields_is_refused_with_400(stack, new_caller):
    caller = new_caller()
    resp = stack.twilio.post_webhook("/twilio/recording?t=x", {"AccountSid": stack.account_sid, "From": caller.phone})
    assert resp.status_code == 400
