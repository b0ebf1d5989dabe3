"""Sign-up: an account for an email + phone number, with a random PIN texted once."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from humitout import security
from humitout.pipeline import send_once
from humitout.runtime import Services

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SignUpError(ValueError):
    """The email or phone number is not acceptable."""


class AlreadyRegistered(SignUpError):
    """The phone number already belongs to an account."""


@dataclass(frozen=True)
class NewAccount:
    user_id: str
    phone: str
    pin: str  # shown once (CLI) and texted once; only its scrypt hash is stored


def sign_up(svc: Services, email: str, phone: str, reset_existing: bool = False) -> NewAccount:
    """Create the account (or, with ``reset_existing``, give an existing number a new PIN) and
    text the PIN to the phone."""
    if not EMAIL.match(email):
        raise SignUpError(f"not an email address: {email!r}")
    if not E164.match(phone):
        raise SignUpError(f"phone must be E.164, like +15551234567: {phone!r}")
    pin = security.new_pin()
    existing = svc.db.user_for_phone(phone)
    if existing is not None:
        if not reset_existing:
            raise AlreadyRegistered(f"{phone} is already registered")
        svc.db.reset_pin(phone, pin)
        user_id = str(existing["id"])
    else:
        user_id = svc.db.create_user(email, phone, pin)
    send_once(svc, f"pin:{user_id}:{secrets.token_hex(8)}", phone,
              f"Welcome to Hum It Out! Your PIN is {pin}. Call {svc.settings.twilio_from_number}, "
              "enter it, and hum your melody after the beep.")
    return NewAccount(user_id, phone, pin)
