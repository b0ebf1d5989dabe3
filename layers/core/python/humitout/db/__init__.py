"""Postgres access (psycopg2): migrations and the queries the handlers need.

The same code talks to Neon in AWS (``DATABASE_URL``) and to the embedded
pgserver locally. Every public method runs in its own transaction.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterator

import psycopg2
import psycopg2.extras
import psycopg2.pool

from humitout import security

psycopg2.extras.register_uuid()

MIGRATIONS_PACKAGE = "humitout.db.migrations"


@dataclass(frozen=True)
class PinCheck:
    """Outcome of a PIN attempt: ``status`` is ok, wrong, locked or unknown_caller."""

    status: str
    user_id: str | None = None
    attempts_left: int = 0
    locked_until: dt.datetime | None = None


class Database:
    """A small thread-safe pool over one Postgres URL."""

    def __init__(self, url: str, max_connections: int = 16):
        if not url:
            raise ValueError("DATABASE_URL is not set")
        self.url = url
        self._pool = psycopg2.pool.ThreadedConnectionPool(1, max_connections, url)
        # psycopg2's pool raises when exhausted; callers wait for a free connection instead.
        self._slots = threading.BoundedSemaphore(max_connections)

    def close(self) -> None:
        self._pool.closeall()

    @contextlib.contextmanager
    def tx(self) -> Iterator[psycopg2.extras.RealDictCursor]:
        """A cursor in a transaction: committed on success, rolled back on an exception."""
        with self._slots:
            conn = self._pool.getconn()
            try:
                with conn:
                    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                        yield cur
            except psycopg2.OperationalError:
                self._pool.putconn(conn, close=True)
                raise
            except BaseException:
                self._pool.putconn(conn)
                raise
            else:
                self._pool.putconn(conn)

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
                "UPDATE users u SET pin_hash = %s, failed_pin_attempts = 0, locked_until = NULL"
                " FROM phone_numbers p WHERE p.user_id = u.id AND p.e164 = %s",
                (security.hash_pin(pin), phone_e164),
            )
            return cur.rowcount == 1

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
        self, user_id: str, call_sid: str, recording_sid: str, caller: str, style: str | None
    ) -> tuple[dict, bool]:
        """Insert a session for a recording; a repeat of ``recording_sid`` returns the first.

        Returns ``(row, created)``.
        """
        with self.tx() as cur:
            cur.execute(
                "INSERT INTO sessions(user_id, call_sid, recording_sid, caller, requested_style)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (recording_sid) DO NOTHING RETURNING *",
                (user_id, call_sid, recording_sid, caller, style),
            )
            row = cur.fetchone()
            if row is not None:
                return row, True
            cur.execute("SELECT * FROM sessions WHERE recording_sid = %s", (recording_sid,))
            return cur.fetchone(), False

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
    def next_track_version(self, session_id: str) -> int:
        with self.tx() as cur:
            cur.execute(
                "SELECT coalesce(max(version), 0) + 1 AS v FROM generated_tracks WHERE session_id = %s",
                (session_id,),
            )
            return int(cur.fetchone()["v"])

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
        """Reserve an outgoing SMS; False when this key was already sent (or is being sent)."""
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
