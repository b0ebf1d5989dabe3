"""Neon suspends idle computes and drops their connections: a pooled connection that died while
idle is replaced before use, a connection error never poisons the pool, and an SMS key is sent
once however often it is asked for."""
import uuid

import psycopg2
import pytest

from humitout.db import Database


def _kill_pooled_connection(db) -> None:
    """Terminate the server side of ``db``'s one pooled connection, as a suspending Neon does."""
    with db.tx() as cur:
        cur.execute("SELECT pg_backend_pid() AS pid")
        pid = cur.fetchone()["pid"]
    conn = psycopg2.connect(db.url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        assert cur.fetchone()[0]
    conn.close()


@pytest.fixture
def make_db(svc):
    made = []

    def make(**kwargs):
        db = Database(svc.db.url, max_connections=1, **kwargs)
        made.append(db)
        return db

    yield make
    for db in made:
        db.close()


def _ping(db) -> int:
    with db.tx() as cur:
        cur.execute("SELECT 1 AS ok")
        return cur.fetchone()["ok"]


def test_a_connection_that_died_while_idle_is_replaced_before_use(make_db):
    db = make_db(idle_check_s=0.0)
    _kill_pooled_connection(db)
    assert _ping(db) == 1  # pinged, found dead, replaced: the caller never sees it


def test_a_connection_error_discards_the_connection_so_the_next_call_works(make_db):
    db = make_db(idle_check_s=3600.0)
    _kill_pooled_connection(db)
    with pytest.raises((psycopg2.OperationalError, psycopg2.InterfaceError)):
        _ping(db)  # not idle long enough to be checked: this call fails (and is retried upstream)
    assert _ping(db) == 1


def test_send_once_sends_one_sms_per_key_and_keeps_no_pin(stack, svc):
    from humitout.pipeline import send_once

    phone = "+1555" + str(uuid.uuid4().int)[:7]
    key = "exec-" + uuid.uuid4().hex
    sent = [send_once(svc, key, phone, "Your PIN is 123456", stored_body="Your PIN is ******") for _ in range(3)]
    assert sent == [True, False, False]
    assert len(stack.twilio.wait_for_sms(phone, 1, 5)) == 1
    with svc.db.tx() as cur:
        cur.execute("SELECT body FROM sms_messages WHERE idempotency_key = %s", (key,))
        assert cur.fetchone()["body"] == "Your PIN is ******"
