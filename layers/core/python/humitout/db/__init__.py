"""Postgres access (psycopg2): migrations and the queries the handlers need.

The same code talks to Neon in AWS (``DATABASE_URL``) and to the embedded
pgserver locally. Every public method runs in its own transaction.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterator

import psycopg2
import psycopg2.extras
import psycopg2.pool

from humitout import security
from humitout.models import HumReading

psycopg2.extras.register_uuid()

MIGRATIONS_PACKAGE = "humitout.db.migrations"


@dataclass(frozen=True)
class PinCheck:
    """Outcome of a PIN attempt: ``status`` is ok, wrong, locked or unknown_caller."""

    status: str
    user_id: str | None = None
    attempts_left: int = 0
    locked_until: dt.datetime | None = None


# Errors after which a connection is unusable and the operation worth retrying (Neon suspends
# idle computes and drops their connections; a network blip ends a TCP session).
CONNECTION_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)


class Database:
    """A small thread-safe pool over one Postgres URL.

    Connections open lazily with a ``connect_timeout_s`` and TCP keepalives; one idle longer than
    ``idle_check_s`` is pinged before use and replaced when dead, so a warm Lambda survives Neon
    suspending its compute. A connection that raised a connection error is closed, not reused.
    """

    def __init__(self, url: str, max_connections: int = 16, *, connect_timeout_s: int = 5,
                 idle_check_s: float = 30.0):
        if not url:
            raise ValueError("DATABASE_URL is not set")
        self.url = url
        self.idle_check_s = idle_check_s
        self._pool = psycopg2.pool.ThreadedConnectionPool(
            0, max_connections, url, connect_timeout=connect_timeout_s, application_name="humitout",
            keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3)
        # Opened lazily (minconn 0: no connection at construction, so a cold start with the
        # database down fails at the first query, as a retryable error), but kept once opened:
        # psycopg2 keeps at most ``minconn`` returned connections and closes the rest.
        self._pool.minconn = max_connections
        # psycopg2's pool raises when exhausted; callers wait for a free connection instead.
        self._slots = threading.BoundedSemaphore(max_connections)
        self._last_used: dict[int, float] = {}

    def close(self) -> None:
        self._pool.closeall()

    def _connection(self):
        """A pooled connection known to be alive (pinged first when idle for a while)."""
        conn = self._pool.getconn()
        idle = time.monotonic() - self._last_used.get(id(conn), time.monotonic())
        if conn.closed or idle > self.idle_check_s:
            try:
                if conn.closed:
                    raise psycopg2.InterfaceError("connection already closed")
                with conn.cursor() as cur:
                    cur.execute("SELECT 1")
                conn.rollback()
            except CONNECTION_ERRORS:
                self._discard(conn)
                conn = self._pool.getconn()
        return conn

    def _discard(self, conn) -> None:
        self._last_used.pop(id(conn), None)
        self._pool.putconn(conn, close=True)

    @contextlib.contextmanager
    def tx(self) -> Iterator[psycopg2.extras.RealDictCursor]:
        """A cursor in a transaction: committed on success, rolled back on an exception."""
        with self._slots:
            conn = self._connection()
            try:
                with conn:
                    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                        yield cur
            except CONNECTION_ERRORS:
                self._discard(conn)
                raise
            except BaseException:
                self._release(conn)
                raise
            else:
                self._release(conn)

    def _release(self, conn) -> None:
        self._last_used[id(conn)] = time.monotonic()
        self._pool.putconn(conn, close=bool(conn.closed))

    # -- schema -----------------------------------------------------------------
    def migrate(self) -> list[str]:
        """Apply ``migrations/NNNN_*.sql`` not yet applied, in order; returns their names."""
        files = sorted(
            (f for f in resources.files(MIGRATIONS_PACKAGE).iterdir() if f.name.endswith(".sql")),
            key=lambda f: f.name,
        )
        applied_now = []
        with self.tx() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(424242)")
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            cur.execute("SELECT name FROM schema_migrations")
            done = {r["name"] for r in cur.fetchall()}
            for f in files:
                if f.name in done:
                    continue
                cur.execute(f.read_text())
                cur.execute("INSERT INTO schema_migrations(name) VALUES (%s)", (f.name,))
                applied_now.append(f.name)
        return applied_now

    # -- users ------------------------------------------------------------------
    def create_user(self, email: str, phone_e164: str, pin: str) -> str:
        """Create a user owning ``phone_e164``; returns the user id. PIN is stored as scrypt."""
        with self.tx() as cur:
            cur.execute(
                "INSERT INTO users(email, pin_hash) VALUES (%s, %s) RETURNING id",
                (email.strip().lower(), security.hash_pin(pin)),
            )
            user_id = str(cur.fetchone()["id"])
            cur.execute("INSERT INTO phone_numbers(e164, user_id) VALUES (%s, %s)", (phone_e164, user_id))
        return user_id

    def reset_pin(self, phone_e164: str, pin: str) -> bool:
        """Replace the PIN of the account owning ``phone_e164`` and clear any lockout."""
        with self.tx() as cur:
            cur.execute(
                "UPDATE users u SET pin_hash = %s, failed_pin_attempts = 0, locked_until = NULL, pin_sent_at = NULL"
                " FROM phone_numbers p WHERE p.user_id = u.id AND p.e164 = %s",
                (security.hash_pin(pin), phone_e164),
            )
            return cur.rowcount == 1

    def mark_pin_sent(self, user_id: str) -> None:
        """Note that the account's current PIN reached Twilio."""
        with self.tx() as cur:
            cur.execute("UPDATE users SET pin_sent_at = now() WHERE id = %s", (user_id,))

    def user_for_phone(self, phone_e164: str) -> dict | None:
        with self.tx() as cur:
            cur.execute(
                "SELECT u.* FROM users u JOIN phone_numbers p ON p.user_id = u.id WHERE p.e164 = %s",
                (phone_e164,),
            )
            return cur.fetchone()

    def check_pin(self, phone_e164: str, pin: str, max_failures: int, lockout_s: int) -> PinCheck:
        """Check a PIN for the account owning the caller's number; counts failures and locks."""
        with self.tx() as cur:
            cur.execute(
                "SELECT u.id, u.pin_hash, u.failed_pin_attempts, u.locked_until, now() AS now"
                " FROM users u JOIN phone_numbers p ON p.user_id = u.id WHERE p.e164 = %s FOR UPDATE OF u",
                (phone_e164,),
            )
            row = cur.fetchone()
            if row is None:
                return PinCheck("unknown_caller")
            if row["locked_until"] and row["locked_until"] > row["now"]:
                return PinCheck("locked", str(row["id"]), 0, row["locked_until"])
            if security.verify_pin(pin, row["pin_hash"]):
                cur.execute(
                    "UPDATE users SET failed_pin_attempts = 0, locked_until = NULL WHERE id = %s", (row["id"],)
                )
                return PinCheck("ok", str(row["id"]))
            failures = row["failed_pin_attempts"] + 1
            if failures >= max_failures:
                cur.execute(
                    "UPDATE users SET failed_pin_attempts = 0,"
                    " locked_until = now() + make_interval(secs => %s) WHERE id = %s RETURNING locked_until",
                    (lockout_s, row["id"]),
                )
                return PinCheck("locked", str(row["id"]), 0, cur.fetchone()["locked_until"])
            cur.execute("UPDATE users SET failed_pin_attempts = %s WHERE id = %s", (failures, row["id"]))
            return PinCheck("wrong", str(row["id"]), max_failures - failures)

    def note_call_attempt(self, caller: str, per_hour: int) -> bool:
        """Record a call from ``caller``; False when it is over ``per_hour`` in the last hour."""
        with self.tx() as cur:
            cur.execute("DELETE FROM call_attempts WHERE created_at < now() - interval '1 hour'")
            cur.execute(
                "SELECT count(*) AS n FROM call_attempts WHERE caller = %s", (caller,)
            )
            if cur.fetchone()["n"] >= per_hour:
                return False
            cur.execute("INSERT INTO call_attempts(caller) VALUES (%s)", (caller,))
            return True

    # -- sessions ---------------------------------------------------------------
    def create_session(
        self, user_id: str, call_sid: str, recording_sid: str, caller: str, style: str | None,
        session_id: str | None = None,
    ) -> tuple[dict, bool]:
        """Insert a session for a recording (with ``session_id``, or a random one); a repeat of
        ``recording_sid`` returns the first.

        Returns ``(row, created)``.
        """
        with self.tx() as cur:
            cur.execute(
                "INSERT INTO sessions(id, user_id, call_sid, recording_sid, caller, requested_style)"
                " VALUES (coalesce(%s::uuid, gen_random_uuid()), %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING RETURNING *",
                (session_id, user_id, call_sid, recording_sid, caller, style),
            )
            row = cur.fetchone()
            if row is not None:
                return row, True
            cur.execute("SELECT * FROM sessions WHERE recording_sid = %s", (recording_sid,))
            return cur.fetchone(), False

    def ensure_session(self, session_id: str, caller: str, call_sid: str, recording_sid: str,
                       style: str | None, execution_arn: str | None) -> None:
        """Create the session row the recording webhook could not write (database down then),
        for the account owning ``caller``; record ``execution_arn`` if none is. Raises
        ``LookupError`` when the number has no account."""
        with self.tx() as cur:
            cur.execute(
                "INSERT INTO sessions(id, user_id, call_sid, recording_sid, caller, requested_style, execution_arn)"
                " SELECT %s, p.user_id, %s, %s, %s, %s, %s FROM phone_numbers p WHERE p.e164 = %s"
                " ON CONFLICT DO NOTHING",
                (session_id, call_sid, recording_sid, caller, style, execution_arn, caller))
            cur.execute("UPDATE sessions SET execution_arn = coalesce(execution_arn, %s) WHERE id = %s",
                        (execution_arn, session_id))
            if cur.rowcount == 0:
                raise LookupError("the caller's number has no account")

    def get_session(self, session_id: str) -> dict | None:
        with self.tx() as cur:
            cur.execute("SELECT * FROM sessions WHERE id = %s", (session_id,))
            return cur.fetchone()

    def latest_session_for_phone(self, phone_e164: str) -> dict | None:
        """The caller's most recent session that has a completed analysis."""
        with self.tx() as cur:
            cur.execute(
                "SELECT s.* FROM sessions s JOIN phone_numbers p ON p.user_id = s.user_id"
                " WHERE p.e164 = %s AND s.melody IS NOT NULL ORDER BY s.created_at DESC LIMIT 1",
                (phone_e164,),
            )
            return cur.fetchone()

    def update_session(self, session_id: str, **fields: Any) -> None:
        """Set columns of a session (names are checked against the table) and ``updated_at``."""
        allowed = {
            "original_audio_key", "duration_s", "lyrics", "tempo", "detected_key", "mood_tags",
            "melody", "status", "error", "error_detail", "execution_arn",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown session fields: {sorted(unknown)}")
        if not fields:
            return
        values = [psycopg2.extras.Json(v) if k == "melody" else v for k, v in fields.items()]
        assignments = ", ".join(f"{k} = %s" for k in fields)
        with self.tx() as cur:
            cur.execute(
                f"UPDATE sessions SET {assignments}, updated_at = now() WHERE id = %s",
                (*values, session_id),
            )

    # -- tracks and links -------------------------------------------------------
    def allocate_version(self, session_id: str, execution_name: str) -> int:
        """The track version of this execution: the next free one for the session, taken under
        the session row's lock (concurrent remixes get different versions); the same execution
        (a retried task) gets the same version again."""
        with self.tx() as cur:
            cur.execute("SELECT version FROM track_versions WHERE execution_name = %s", (execution_name,))
            row = cur.fetchone()
            if row is not None:
                return int(row["version"])
            cur.execute(
                "UPDATE sessions SET versions_allocated = versions_allocated + 1 WHERE id = %s"
                " RETURNING versions_allocated", (session_id,))
            version = int(cur.fetchone()["versions_allocated"])
            cur.execute("INSERT INTO track_versions(execution_name, session_id, version) VALUES (%s, %s, %s)",
                        (execution_name, session_id, version))
            return version

    def stuck_sessions(self, older_than_s: int, limit: int = 100) -> list[dict]:
        """Sessions not completed or failed and unchanged for ``older_than_s`` seconds."""
        with self.tx() as cur:
            cur.execute(
                "SELECT id, caller, status, execution_arn FROM sessions"
                " WHERE status NOT IN ('completed', 'failed')"
                " AND updated_at < now() - make_interval(secs => %s) ORDER BY updated_at LIMIT %s",
                (older_than_s, limit))
            return cur.fetchall()

    def save_track(
        self, session_id: str, version: int, style: str, file_keys: dict, file_sizes: dict, params: dict
    ) -> str:
        """Insert (or, for a retried render of the same version, replace) a generated track."""
        with self.tx() as cur:
            cur.execute(
                "INSERT INTO generated_tracks(session_id, version, style, file_keys, file_sizes, generation_params)"
                " VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (session_id, version) DO UPDATE SET style = EXCLUDED.style,"
                " file_keys = EXCLUDED.file_keys, file_sizes = EXCLUDED.file_sizes,"
                " generation_params = EXCLUDED.generation_params RETURNING id",
                (session_id, version, style, json.dumps(file_keys), json.dumps(file_sizes), json.dumps(params)),
            )
            return str(cur.fetchone()["id"])

    def latest_hum_reading(self, session_id: str) -> HumReading:
        """How the hum of the session's newest track was read and played (:class:`~humitout.models.HumReading`),
        or that of a session with no track yet."""
        with self.tx() as cur:
            cur.execute("SELECT generation_params FROM generated_tracks WHERE session_id = %s"
                        " ORDER BY version DESC LIMIT 1", (session_id,))
            row = cur.fetchone()
        return HumReading.from_params(row["generation_params"] or {}) if row else HumReading()

    def get_track(self, track_id: str) -> dict | None:
        with self.tx() as cur:
            cur.execute("SELECT * FROM generated_tracks WHERE id = %s", (track_id,))
            return cur.fetchone()

    def create_share_link(self, track_id: str, ttl_days: int) -> str:
        token = security.new_link_token()
        with self.tx() as cur:
            cur.execute(
                "INSERT INTO share_links(token, track_id, expires_at)"
                " VALUES (%s, %s, now() + make_interval(days => %s))",
                (token, track_id, ttl_days),
            )
        return token

    def resolve_share_link(self, token: str) -> dict | None:
        """The track (joined with its session) behind a live token, else None."""
        with self.tx() as cur:
            cur.execute(
                "SELECT t.*, l.expires_at FROM share_links l"
                " JOIN generated_tracks t ON t.id = l.track_id JOIN sessions s ON s.id = t.session_id"
                " WHERE l.token = %s AND l.revoked_at IS NULL AND l.expires_at > now()",
                (token,),
            )
            return cur.fetchone()

    def revoke_share_link(self, token: str) -> bool:
        with self.tx() as cur:
            cur.execute(
                "UPDATE share_links SET revoked_at = now() WHERE token = %s AND revoked_at IS NULL", (token,)
            )
            return cur.rowcount == 1

    # -- SMS --------------------------------------------------------------------
    def claim_sms(self, idempotency_key: str, to_number: str, body: str) -> bool:
        """Reserve an outgoing SMS; False when this key was already sent (or is being sent).
        ``body`` is what is kept (callers blank out secrets first)."""
        with self.tx() as cur:
            cur.execute(
                "INSERT INTO sms_messages(idempotency_key, to_number, body) VALUES (%s, %s, %s)"
                " ON CONFLICT (idempotency_key) DO UPDATE SET body = EXCLUDED.body, status = 'pending'"
                " WHERE sms_messages.status = 'failed' RETURNING id",
                (idempotency_key, to_number, body),
            )
            return cur.fetchone() is not None

    def finish_sms(self, idempotency_key: str, provider_id: str | None, error: str | None = None) -> None:
        with self.tx() as cur:
            cur.execute(
                "UPDATE sms_messages SET provider_id = %s, status = %s, error = %s WHERE idempotency_key = %s",
                (provider_id, "failed" if error else "sent", error, idempotency_key),
            )
