"""Real faults on the local stack lose nothing: the database going away during a pipeline, the
sweeper reconciling what a failed run left behind, concurrent remixes, odd lyrics."""
import threading
import time
import uuid

import psycopg2
import pytest

from e2e_helpers import APP_NUMBER, call_and_wait


class DatabaseOutage:
    """Postgres unreachable: existing connections killed (as when Neon suspends its compute) and
    new ones refused, until :meth:`end`."""

    def __init__(self, svc):
        self.url = svc.db.url
        self._real_connect = psycopg2.connect
        self._down = threading.Event()

    def start(self) -> None:
        conn = self._real_connect(self.url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE pid <> pg_backend_pid() AND datname = current_database()")
        conn.close()
        self._down.set()

    def end(self) -> None:
        self._down.clear()

    def connect(self, *args, **kwargs):
        if self._down.is_set():
            raise psycopg2.OperationalError("could not connect to server: Connection refused (outage)")
        return self._real_connect(*args, **kwargs)


@pytest.fixture
def outage(svc, monkeypatch):
    fault = DatabaseOutage(svc)
    monkeypatch.setattr(psycopg2, "connect", fault.connect)
    yield fault
    fault.end()


def _place_call_then(stack, caller, audio, when_transcribe_starts, monkeypatch):
    """Place a call; ``when_transcribe_starts()`` runs just before the pipeline's first Transcribe
    attempt, i.e. right after the recording webhook answered."""
    real_invoke = stack.lambdas.invoke
    fired = threading.Event()

    def invoke(name, event):
        if name == "transcribe" and not fired.is_set():
            fired.set()
            when_transcribe_starts()
        return real_invoke(name, event)

    monkeypatch.setattr(stack.lambdas, "invoke", invoke)
    return stack.twilio.place_call(caller.phone, APP_NUMBER, [caller.pin, "1"], audio)


def test_a_short_database_outage_after_the_recording_is_retried_and_the_track_arrives(
        stack, svc, new_caller, sample_hum, outage, monkeypatch):
    caller = new_caller()
    call = _place_call_then(stack, caller, sample_hum,
                           lambda: (outage.start(), threading.Timer(2.5, outage.end).start()), monkeypatch)
    desc = stack.wait_for_execution(call.recording_sid, timeout_s=300)
    sms = stack.twilio.wait_for_sms(caller.phone, 2, timeout_s=30)[-1]
    assert desc["status"] == "SUCCEEDED" and "/s/" in sms.body
    from humitout_infra.local.history import summarise

    first = next(r for r in summarise(stack.execution_history(call.recording_sid)) if r.name == "Transcribe")
    assert first.attempts >= 2 and "database unavailable" in first.errors[0]


def test_a_long_database_outage_still_texts_the_caller_and_the_sweeper_records_it_once(
        stack, svc, new_caller, sample_hum, outage, monkeypatch):
    caller = new_caller()
    call = _place_call_then(stack, caller, sample_hum, outage.start, monkeypatch)
    desc = stack.wait_for_execution(call.recording_sid, timeout_s=300)
    told = stack.twilio.wait_for_sms(caller.phone, 2, timeout_s=30)[-1]  # sent with the database down
    assert desc["status"] == "FAILED" and desc.get("error") == "SessionFailed"
    assert "something went wrong" in told.body
    outage.end()
    from humitout.runtime import services

    session = services().db.latest_session_for_phone(caller.phone) or _session_of(services(), call.recording_sid)
    assert session["status"] == "received"  # nothing could be recorded during the outage
    stack.configure({"SWEEP_AFTER_S": "0"})
    try:
        stack.lambdas.invoke("sweeper", {})
        stack.lambdas.invoke("sweeper", {})
    finally:
        stack.configure({"SWEEP_AFTER_S": None})
    after = _session_of(services(), call.recording_sid)
    assert after["status"] == "failed" and "SessionFailed" in after["error_detail"]
    time.sleep(0.3)
    assert len([m for m in stack.twilio.messages if m.to == caller.phone]) == 2  # PIN + one apology


def _session_of(svc, recording_sid):
    with svc.db.tx() as cur:
        cur.execute("SELECT * FROM sessions WHERE recording_sid = %s", (recording_sid,))
        return cur.fetchone()


def test_the_sweeper_texts_a_caller_whose_run_never_finished_exactly_once(stack, svc, new_caller):
    caller = new_caller()
    session, _ = svc.db.create_session(caller.user_id, "CA" + uuid.uuid4().hex, "RE" + uuid.uuid4().hex,
                                       caller.phone, None)
    # StartExecution never happened (or the execution vanished): the session would wait for ever.
    stack.configure({"SWEEP_AFTER_S": "0"})
    try:
        from humitout.runtime import services

        first = stack.lambdas.invoke("sweeper", {})
        second = stack.lambdas.invoke("sweeper", {})
    finally:
        stack.configure({"SWEEP_AFTER_S": None})
    assert first["texted"] >= 1 and second["texted"] == 0
    texts = stack.twilio.wait_for_sms(caller.phone, 2, timeout_s=10)
    assert "something went wrong" in texts[-1].body
    time.sleep(0.3)
    assert len([m for m in stack.twilio.messages if m.to == caller.phone]) == 2
    assert _session_of(services(), session["recording_sid"])["status"] == "failed"


def test_concurrent_remixes_get_their_own_versions_and_each_sms_names_its_style(stack, svc, new_caller, sample_hum):
    caller = new_caller()
    call_and_wait(stack, caller, sample_hum, style_digit="1")
    replies = []
    threads = [threading.Thread(target=lambda s=s: replies.append(stack.twilio.send_sms_to_app(caller.phone, APP_NUMBER, s)))
               for s in ("jazz short", "rock short")]  # short songs: the versions, not the length, are tested
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    texts = stack.twilio.wait_for_sms(caller.phone, 4, timeout_s=240)[-2:]
    assert sorted("jazz" in t.body for t in texts) == [False, True]
    assert sorted("rock" in t.body for t in texts) == [False, True]
    from humitout.runtime import services

    with services().db.tx() as cur:
        cur.execute("SELECT version, style FROM generated_tracks t JOIN sessions s ON s.id = t.session_id"
                    " WHERE s.caller = %s ORDER BY version", (caller.phone,))
        rows = cur.fetchall()
    assert [r["version"] for r in rows] == [1, 2, 3] and {r["style"] for r in rows[1:]} == {"jazz", "rock"}


def test_regenerations_are_limited_per_number_with_a_friendly_sms(stack, svc, new_caller, sample_hum):
    caller = new_caller()
    call_and_wait(stack, caller, sample_hum, style_digit="1")
    stack.configure({"REGENERATIONS_PER_HOUR": "1"})
    try:
        ok = stack.twilio.send_sms_to_app(caller.phone, APP_NUMBER, "jazz short")  # a short song renders faster
        refused = stack.twilio.send_sms_to_app(caller.phone, APP_NUMBER, "rock")
    finally:
        stack.configure({"REGENERATIONS_PER_HOUR": None})
    assert "making a jazz version" in ok.text
    assert "that's our limit" in refused.text
    stack.twilio.wait_for_sms(caller.phone, 3, timeout_s=240)


def test_with_the_database_down_callers_and_texters_are_told_to_try_again_not_an_application_error(
        stack, svc, new_caller, outage):
    import requests

    caller = new_caller()
    outage.start()
    call = stack.twilio.place_call(caller.phone, APP_NUMBER, [caller.pin], None)
    text = stack.twilio.send_sms_to_app(caller.phone, APP_NUMBER, "jazz")
    signup = requests.post(stack.gateway.url + "/users", json={"email": "a@example.com", "phone": "+15550001111"},
                           timeout=10)
    outage.end()
    assert any("call again in a few minutes" in s for s in call.said)
    assert text.status_code == 200 and "text again in a few minutes" in text.text
    assert signup.status_code == 503


def test_serve_runs_the_sweeper_on_its_schedule(stack):
    ran = threading.Event()
    previous = stack.lambdas.on_invoke

    def watch(name, seconds, ok):
        if name == "sweeper" and ok:
            ran.set()
        if previous:
            previous(name, seconds, ok)

    stack.lambdas.on_invoke = watch
    stack.start_schedules(period_scale_s=0.05)  # 5 "minutes" = 0.25 s
    try:
        assert ran.wait(10)
    finally:
        stack.stop_schedules()
        stack.lambdas.on_invoke = previous


def test_a_database_blip_at_the_recording_webhook_loses_no_hum(stack, svc, new_caller, sample_hum, outage, monkeypatch,
                                                               caplog):
    caller = new_caller()
    real_invoke = stack.lambdas.invoke

    def invoke(name, event):
        if name == "voice" and event.get("rawPath") == "/twilio/recording":
            outage.start()
            threading.Timer(2.0, outage.end).start()
        return real_invoke(name, event)

    monkeypatch.setattr(stack.lambdas, "invoke", invoke)
    call = stack.twilio.place_call(caller.phone, APP_NUMBER, [caller.pin, "1"], sample_hum)
    assert any("Got it" in s for s in call.said)
    assert "database unavailable at the recording webhook" in caplog.text
    desc = stack.wait_for_execution(call.recording_sid, timeout_s=300)
    sms = stack.twilio.wait_for_sms(caller.phone, 2, timeout_s=30)[-1]
    assert desc["status"] == "SUCCEEDED" and "/s/" in sms.body
    from humitout.calls import session_id_for
    from humitout.runtime import services

    session = _session_of(services(), call.recording_sid)
    assert str(session["id"]) == session_id_for(call.recording_sid)
    assert session["status"] == "completed" and session["execution_arn"].endswith(call.recording_sid)
