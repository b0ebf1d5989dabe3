"""Real Postgres (embedded pgserver): migrations, PIN lockout, idempotency, share links."""
import uuid

import pytest

from humitout.models import HumReading


@pytest.fixture
def phone():
    return "+1555" + str(uuid.uuid4().int)[:7]


@pytest.fixture
def user(svc, phone):
    return svc.db.create_user(f"{uuid.uuid4().hex}@example.com", phone, "246810")


def test_migrations_are_applied_once(svc):
    assert svc.db.migrate() == []  # the stack applied them; a second run applies nothing
    with svc.db.tx() as cur:
        cur.execute("SELECT name FROM schema_migrations")
        applied = sorted(r["name"] for r in cur.fetchall())
    from importlib import resources

    shipped = sorted(f.name for f in resources.files("humitout.db.migrations").iterdir() if f.name.endswith(".sql"))
    assert applied == shipped and "0002_production.sql" in shipped
    assert applied[0] == "0001_initial.sql"


def test_pin_is_stored_hashed(svc, user, phone):
    row = svc.db.user_for_phone(phone)
    assert row["pin_hash"].startswith("scrypt$") and "246810" not in row["pin_hash"]


def test_five_wrong_pins_lock_the_account_even_for_the_right_pin(svc, user, phone):
    results = [svc.db.check_pin(phone, "000000", 5, 900) for _ in range(5)]
    assert [r.status for r in results] == ["wrong"] * 4 + ["locked"]
    assert results[0].attempts_left == 4
    assert svc.db.check_pin(phone, "246810", 5, 900).status == "locked"


def test_right_pin_resets_the_failure_count(svc, user, phone):
    for _ in range(4):
        svc.db.check_pin(phone, "111111", 5, 900)
    assert svc.db.check_pin(phone, "246810", 5, 900).status == "ok"
    assert svc.db.check_pin(phone, "111111", 5, 900).attempts_left == 4


def test_unknown_caller_is_not_an_account(svc):
    assert svc.db.check_pin("+15550000001", "123456", 5, 900).status == "unknown_caller"


def test_calls_per_hour_are_limited_per_number(svc, phone):
    assert [svc.db.note_call_attempt(phone, 3) for _ in range(4)] == [True, True, True, False]


def test_same_recording_sid_gives_the_same_session(svc, user, phone):
    first, created = svc.db.create_session(user, "CA1", "RE-" + phone, phone, None)
    again, created_again = svc.db.create_session(user, "CA1", "RE-" + phone, phone, None)
    assert created and not created_again and first["id"] == again["id"]


def test_an_sms_key_is_sent_once(svc, phone):
    key = "exec-" + phone
    assert svc.db.claim_sms(key, phone, "hello")
    svc.db.finish_sms(key, "SM1")
    assert not svc.db.claim_sms(key, phone, "hello")


def test_share_links_expire_and_can_be_revoked(svc, user, phone):
    session, _ = svc.db.create_session(user, "CA2", "RE2-" + phone, phone, "jazz")
    track = svc.db.save_track(str(session["id"]), 1, "jazz", {"zip": "k"}, {"zip": 1}, {})
    live = svc.db.create_share_link(track, 30)
    expired = svc.db.create_share_link(track, 0)
    assert svc.db.resolve_share_link(live)["id"] == uuid.UUID(track)
    assert svc.db.resolve_share_link(expired) is None
    assert svc.db.revoke_share_link(live)
    assert svc.db.resolve_share_link(live) is None


def test_a_sessions_hum_meter_is_its_newest_tracks(svc, user, phone):
    session, _ = svc.db.create_session(user, "CA3", "RE3-" + phone, phone, None)
    sid = str(session["id"])
    assert svc.db.latest_hum_reading(sid)[0] is None
    svc.db.save_track(sid, 1, "pop", {}, {}, {"time_signature": "4/4"})   # made before the hum's meter was kept
    assert svc.db.latest_hum_reading(sid)[0] == "4/4"
    svc.db.save_track(sid, 2, "jazz", {}, {}, {"time_signature": "4/4", "hum_meter": "2/4"})
    assert svc.db.latest_hum_reading(sid)[0] == "2/4"


def test_a_sessions_bar_shift_is_its_newest_tracks(svc, user, phone):
    session, _ = svc.db.create_session(user, "CA4", "RE4-" + phone, phone, None)
    sid = str(session["id"])
    assert svc.db.latest_hum_reading(sid)[1] == 0
    svc.db.save_track(sid, 1, "pop", {}, {}, {"time_signature": "4/4"})   # made before bar 1 could be moved
    assert svc.db.latest_hum_reading(sid)[1] == 0
    svc.db.save_track(sid, 2, "pop", {}, {}, {"time_signature": "4/4", "bar_shift_beats": 3})
    assert svc.db.latest_hum_reading(sid)[1] == 3


def test_a_sessions_song_tempo_and_the_tempo_asked_for_are_its_newest_tracks(svc, user, phone):
    session, _ = svc.db.create_session(user, "CA5", "RE5-" + phone, phone, None)
    sid = str(session["id"])
    assert svc.db.latest_hum_reading(sid) == HumReading()   # no track yet: no tempo to halve
    svc.db.save_track(sid, 1, "pop", {}, {}, {"time_signature": "3/4", "tempo_bpm": 96.0})   # made before the ratio
    assert svc.db.latest_hum_reading(sid) == HumReading(meter="3/4", song_meter="3/4", tempo_bpm=96.0)
    svc.db.save_track(sid, 2, "jazz", {}, {}, {"time_signature": "4/4", "hum_meter": "2/4", "tempo_bpm": 48.0,
                                               "beat_ratio": 0.5, "asked_tempo_bpm": 48.0})
    assert svc.db.latest_hum_reading(sid) == HumReading(meter="2/4", song_meter="4/4", tempo_bpm=48.0, beat_ratio=0.5,
                                                        asked_tempo_bpm=48.0)


def test_failed_transactions_give_their_connection_back(svc):
    import psycopg2

    from humitout.db import Database

    small = Database(svc.db.url, max_connections=2)
    try:
        for _ in range(5):  # more failures than connections: a leak would exhaust the pool
            with pytest.raises(psycopg2.errors.UndefinedTable):
                with small.tx() as cur:
                    cur.execute("SELECT * FROM no_such_table")
        with small.tx() as cur:
            cur.execute("SELECT 1 AS ok")
            assert cur.fetchone()["ok"] == 1
    finally:
        small.close()
