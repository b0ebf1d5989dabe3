"""Web sign-in with phone number + PIN (or a one-time link by SMS), cookie sessions and CSRF tokens.

The PIN goes through the phone line's own check (:meth:`Database.check_pin`: scrypt,
failure counter and lockout, the same ``PIN_MAX_FAILURES``/``PIN_LOCKOUT_S``), and sign-in
attempts per number are limited like calls (``CALLS_PER_HOUR``, counted separately).

A session cookie is ``<token>.<HMAC-SHA256>``: 256 random bits signed with the web secret;
the database keeps only SHA-256(token), so sign-out (``revoked_at``) ends it everywhere.
CSRF tokens are HMACs of the session (or, before sign-in, of a random pre-session cookie),
so no extra storage is needed.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from humitout.accounts import E164
from humitout.config import Settings
from humitout.pipeline import send_once
from humitout.runtime import Services

SESSION_COOKIE = "hio_session"
PRE_SESSION_COOKIE = "hio_pre"
SECRET_LABEL = b"humitout-web-v1"


def web_secret(settings: Settings) -> bytes:
    """The key for cookies and CSRF: ``WEB_SESSION_SECRET``, else derived from the Twilio auth
    token (already a secret in every deployment), so no new secret has to be provisioned."""
    if settings.web_session_secret:
        return settings.web_session_secret.encode()
    if not settings.twilio_auth_token:
        raise RuntimeError("neither WEB_SESSION_SECRET nor TWILIO_AUTH_TOKEN is set")
    return hmac.new(settings.twilio_auth_token.encode(), SECRET_LABEL, hashlib.sha256).digest()


def _mac(secret: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(secret, f"{purpose}|{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(secret: bytes, value: str) -> str:
    return f"{value}.{_mac(secret, 'cookie', value)}"


def unsign(secret: bytes, signed: str | None) -> str | None:
    """The value of a :func:`sign` string, or None when the signature does not match."""
    if not signed or "." not in signed:
        return None
    value, mac = signed.rsplit(".", 1)
    return value if hmac.compare_digest(mac, _mac(secret, "cookie", value)) else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret: bytes, bound_to: str) -> str:
    """The CSRF token for forms of one session (``bound_to`` = the session's token hash, or the
    pre-session cookie value on the sign-in form)."""
    return _mac(secret, "csrf", bound_to)


def csrf_ok(secret: bytes, bound_to: str | None, submitted: str | None) -> bool:
    return bool(bound_to and submitted) and hmac.compare_digest(submitted, csrf_token(secret, bound_to))


def normalise_phone(text: str) -> str:
    """``+1 (555) 123-4567`` -> ``+15551234567`` (spaces, dots, dashes, brackets dropped)."""
    return re.sub(r"[\s().-]", "", text or "")


@dataclass(frozen=True)
class SignIn:
    """Outcome of a sign-in: ``status`` is ok, wrong, locked, unknown, invalid or rate_limited;
    ``cookie`` is the signed session cookie value when ok."""

    status: str
    cookie: str | None = None
    attempts_left: int = 0
    locked_until: dt.datetime | None = None


@dataclass(frozen=True)
class WebUser:
    user_id: str
    token_hash: str
    phone: str | None


def sign_in(svc: Services, phone_text: str, pin: str, *, session_ttl_s: int = 14 * 86400) -> SignIn:
    """Check ``pin`` for the account owning ``phone_text`` and open a session of
    ``session_ttl_s`` seconds."""
    s = svc.settings
    phone = normalise_phone(phone_text)
    if not E164.match(phone):
        return SignIn("invalid")
    if not svc.db.note_call_attempt(f"web-sign-in:{phone}", s.calls_per_hour):
        return SignIn("rate_limited")
    check = svc.db.check_pin(phone, pin.strip(), s.pin_max_failures, s.pin_lockout_s)
    if check.status == "unknown_caller":
        return SignIn("unknown")
    if check.status != "ok":
        return SignIn(check.status, attempts_left=check.attempts_left, locked_until=check.locked_until)
    return SignIn("ok", cookie=open_session(svc, check.user_id, session_ttl_s=session_ttl_s))


def open_session(svc: Services, user_id: str, *, session_ttl_s: int) -> str:
    """Store a new session of ``session_ttl_s`` seconds; returns the signed cookie value."""
    token = secrets.token_urlsafe(32)
    with svc.db.tx() as cur:
        cur.execute("INSERT INTO web_sessions(token_hash, user_id, expires_at)"
                    " VALUES (%s, %s, now() + make_interval(secs => %s))",
                    (token_hash(token), user_id, session_ttl_s))
    return sign(web_secret(svc.settings), token)


def send_sign_in_link(svc: Services, phone_text: str, link_base: str, *, ttl_s: int = 900,
                      per_hour: int = 5) -> bool:
    """Text a one-time sign-in link (``link_base`` + token, valid ``ttl_s`` seconds) to the number
    if it has an account; at most ``per_hour`` per number (SMS cost money). Returns whether one
    was sent; the page says the same either way, so it does not tell who has an account."""
    phone = normalise_phone(phone_text)
    if not E164.match(phone) or not svc.db.note_call_attempt(f"web-link:{phone}", per_hour):
        return False
    user = svc.db.user_for_phone(phone)
    if user is None:
        return False
    token = secrets.token_urlsafe(32)
    with svc.db.tx() as cur:
        cur.execute("INSERT INTO web_sign_in_links(token_hash, user_id, expires_at)"
                    " VALUES (%s, %s, now() + make_interval(secs => %s))", (token_hash(token), user["id"], ttl_s))
    minutes = max(1, round(ttl_s / 60))
    send_once(svc, f"web-link:{token_hash(token)}", phone,
              f"Hum It Out: sign in to My tracks with {link_base}{token} (works once, for {minutes} minutes).")
    return True


def use_sign_in_link(svc: Services, token: str, *, session_ttl_s: int) -> str | None:
    """Spend a sign-in link: the signed session cookie, or None when it is unknown, used or expired."""
    with svc.db.tx() as cur:
        cur.execute("UPDATE web_sign_in_links SET used_at = now() WHERE token_hash = %s AND used_at IS NULL"
                    " AND expires_at > now() RETURNING user_id", (token_hash(token),))
        row = cur.fetchone()
    return open_session(svc, str(row["user_id"]), session_ttl_s=session_ttl_s) if row else None


def current_user(svc: Services, cookie: str | None) -> WebUser | None:
    """The signed-in user behind a session cookie (None when unsigned, expired or signed out)."""
    token = unsign(web_secret(svc.settings), cookie)
    if token is None:
        return None
    digest = token_hash(token)
    with svc.db.tx() as cur:
        cur.execute("SELECT w.user_id, (SELECT min(p.e164) FROM phone_numbers p WHERE p.user_id = w.user_id) AS phone"
                    " FROM web_sessions w WHERE w.token_hash = %s AND w.revoked_at IS NULL AND w.expires_at > now()",
                    (digest,))
        row = cur.fetchone()
    return WebUser(str(row["user_id"]), digest, row["phone"]) if row else None


def sign_out(svc: Services, user: WebUser) -> None:
    with svc.db.tx() as cur:
        cur.execute("UPDATE web_sessions SET revoked_at = now() WHERE token_hash = %s", (user.token_hash,))
