"""PINs, tokens and phone numbers: scrypt PIN hashes (never the PIN in clear), 128-bit random
link tokens, expiring call tokens, masked numbers for logs and sealed numbers for payloads."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def new_pin() -> str:
    """A cryptographically random 6-digit PIN (leading zeros allowed)."""
    return f"{secrets.randbelow(10**6):06d}"


def hash_pin(pin: str) -> str:
    """``scrypt$N$r$p$salt$hash`` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """Constant-time check of ``pin`` against a :func:`hash_pin` string."""
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p),
                            dklen=len(hash_hex) // 2)
    return hmac.compare_digest(digest.hex(), hash_hex)


def new_link_token() -> str:
    """128 random bits, URL-safe base64 without padding (22 characters)."""
    return secrets.token_urlsafe(16)


def call_token(secret: str, call_sid: str, caller: str, ttl_s: int, now: float | None = None) -> str:
    """Proof, carried in the next webhook's URL, that this call (``call_sid`` from ``caller``)
    passed the PIN step: ``<expiry unix s>.<HMAC-SHA256(secret, call|caller|expiry)>``."""
    expires = int((time.time() if now is None else now) + ttl_s)
    return f"{expires}.{_call_mac(secret, call_sid, caller, expires)}"


def call_token_valid(secret: str, token: str, call_sid: str, caller: str, now: float | None = None) -> bool:
    """True for an unexpired :func:`call_token` of this call and caller (constant-time compare)."""
    expires_text, _, mac = (token or "").partition(".")
    if not expires_text.isdigit() or not secret:
        return False
    expires = int(expires_text)
    if expires < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(mac, _call_mac(secret, call_sid, caller, expires))


def _call_mac(secret: str, call_sid: str, caller: str, expires: int) -> str:
    message = f"pin-ok|{call_sid}|{caller}|{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def mask_phone(number: str | None) -> str:
    """A phone number for logs: country prefix and last two digits (``+1********67``)."""
    if not number:
        return ""
    if len(number) <= 5:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


SEALED_PREFIX = "sealed:"


def _seal_key(secret: str) -> bytes:
    return hashlib.sha256(b"humitout-phone-seal\0" + secret.encode()).digest()


def seal_phone(secret: str, number: str) -> str:
    """``number`` encrypted (AES-256-GCM, key derived from ``secret``) for a Step Functions
    payload, whose history would otherwise show it in clear; :func:`unseal_phone` reverses it."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_seal_key(secret)).encrypt(nonce, number.encode(), b"phone")
    return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def unseal_phone(secret: str, value: str) -> str:
    """The number inside a :func:`seal_phone` value (a plain number is returned as is)."""
    if not value.startswith(SEALED_PREFIX):
        return value
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = value[len(SEALED_PREFIX):]
    blob = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    return AESGCM(_seal_key(secret)).decrypt(blob[:12], blob[12:], b"phone").decode()
