"""Sign-up: an account for an email + phone number, with a random PIN texted once; and the PIN
re-sent on request. Only the PIN's scrypt hash is stored (``sms_messages`` keeps the text with
the PIN blanked out)."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import psycopg2.errors

from humitout import security
from humitout.pipeline import send_once
from humitout.runtime import Services

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PIN_MASK = "******"


class SignUpError(ValueError):
    """The email or phone number is not acceptable."""


class AlreadyRegistered(SignUpError):
    """The phone number already belongs to an account whose PIN was delivered."""


class ConcurrentSignUp(SignUpError):
    """Another request is signing this number up right now (it texts the PIN)."""


class EmailInUse(SignUpError):
    """The email address belongs to another account."""


@dataclass(frozen=True)
class NewAccount:
    user_id: str
    phone: str
    pin: str  # shown once (CLI) and texted once; only its scrypt hash is stored


def sign_up(svc: Services, email: str, phone: str, reset_existing: bool = False) -> NewAccount:
    """Create the account and text the PIN to the phone.

    An existing number whose PIN never arrived (the SMS failed) gets a new PIN, so retrying a
    sign-up after a Twilio failure works; with ``reset_existing`` any existing number does.
    Otherwise :class:`AlreadyRegistered`. Losing a race with a concurrent sign-up of the same
    number raises :class:`ConcurrentSignUp`; an email owned by another account :class:`EmailInUse`.
    """
    if not EMAIL.match(email):
        raise SignUpError(f"not an email address: {email!r}")
    if not E164.match(phone):
        raise SignUpError(f"phone must be E.164, like +15551234567: {phone!r}")
    pin = security.new_pin()
    existing = svc.db.user_for_phone(phone)
    if existing is None:
        try:
            user_id = svc.db.create_user(email, phone, pin)
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "users_email_key":
                raise EmailInUse("that email address is already in use") from exc
            raise ConcurrentSignUp("a sign-up of this number is under way") from exc
    if existing is not None:
        if not (reset_existing or existing["pin_sent_at"] is None):
            raise AlreadyRegistered(f"{security.mask_phone(phone)} is already registered")
        svc.db.reset_pin(phone, pin)
        user_id = str(existing["id"])
    text_pin(svc, user_id, phone, pin)
    return NewAccount(user_id, phone, pin)


def request_sign_up(svc: Services, email: str, phone: str, client: str) -> bool:
    """A sign-up as the public endpoint takes it from ``client`` (its address). False, with
    nothing done, when an hourly limit is reached: per client (``signups_per_hour_per_client``),
    overall (``signups_per_hour``) or per number (``pin_texts_per_hour``). Otherwise True after
    :func:`sign_up`, except that the owner of an already registered number is texted how to get
    a new PIN instead (so the answer never tells which numbers are registered) and a concurrent
    sign-up of the same number leaves the texting to the one that won. Raises what
    :func:`sign_up` raises otherwise."""
    s = svc.settings
    if not (svc.db.note_call_attempt(f"signup-client:{client}", s.signups_per_hour_per_client)
            and svc.db.note_call_attempt("signup-all", s.signups_per_hour)
            and svc.db.note_call_attempt(f"signup:{phone}", s.pin_texts_per_hour)):
        return False
    try:
        sign_up(svc, email, phone)
    except AlreadyRegistered:
        tell_already_registered(svc, phone)
    except ConcurrentSignUp:
        pass  # the request that won texts the PIN
    return True


def pin_message(svc: Services, pin: str) -> str:
    return (f"Welcome to Hum It Out! Your PIN is {pin}. Call {svc.settings.twilio_from_number}, "
            "enter it, and hum your melody after the beep.")


def text_pin(svc: Services, user_id: str, phone: str, pin: str) -> None:
    """Text ``pin`` to ``phone`` (stored with the PIN blanked) and note that it arrived."""
    body = pin_message(svc, pin)
    send_once(svc, f"pin:{user_id}:{secrets.token_hex(8)}", phone, body, stored_body=body.replace(pin, PIN_MASK))
    svc.db.mark_pin_sent(user_id)


def resend_pin(svc: Services, phone: str) -> str | None:
    """A new PIN for the account owning ``phone`` (the old one stops working); None when the
    number has no account. The caller texts it back in the SMS reply."""
    user = svc.db.user_for_phone(phone)
    if user is None:
        return None
    pin = security.new_pin()
    svc.db.reset_pin(phone, pin)
    svc.db.mark_pin_sent(str(user["id"]))
    return pin


def tell_already_registered(svc: Services, phone: str) -> None:
    """Text the owner of ``phone`` that someone tried to sign it up again, and how to get a PIN."""
    send_once(svc, f"dup:{phone}:{secrets.token_hex(8)}", phone,
              "Hum It Out: someone (maybe you) tried to sign up with this number, which already has an "
              f"account. Forgot your PIN? Text PIN to {svc.settings.twilio_from_number} for a new one.")
