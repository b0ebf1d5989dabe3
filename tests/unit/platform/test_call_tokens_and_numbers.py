"""The PIN-passed proof is keyed by the secret, bound to the call and the caller, and expires;
phone numbers are masked for logs and sealed in state payloads; the configuration treats the
stack's placeholder secrets as not configured."""
import hashlib
import hmac

import pytest

from humitout import security
from humitout.config import PLACEHOLDER, Settings, is_configured

SECRET = "f0" * 16


def test_a_call_token_is_valid_only_for_its_call_caller_and_secret_until_it_expires():
    token = security.call_token(SECRET, "CA1", "+15551230000", ttl_s=600, now=1000)
    assert security.call_token_valid(SECRET, token, "CA1", "+15551230000", now=1500)
    assert not security.call_token_valid(SECRET, token, "CA2", "+15551230000", now=1500)
    assert not security.call_token_valid(SECRET, token, "CA1", "+15559999999", now=1500)
    assert not security.call_token_valid("another-secret", token, "CA1", "+15551230000", now=1500)
    assert not security.call_token_valid(SECRET, token, "CA1", "+15551230000", now=1601)
    assert not security.call_token_valid(SECRET, "1600." + "0" * 32, "CA1", "+15551230000", now=1500)


def test_a_call_token_cannot_be_made_without_the_secret():
    expires = 2000
    unkeyed = hashlib.sha256(f"pin-ok|CA1|+15551230000|{expires}".encode()).hexdigest()[:32]
    empty_key = hmac.new(b"", f"pin-ok|CA1|+15551230000|{expires}".encode(), hashlib.sha256).hexdigest()[:32]
    for mac in (unkeyed, empty_key):
        assert not security.call_token_valid(SECRET, f"{expires}.{mac}", "CA1", "+15551230000", now=1000)
    assert not security.call_token_valid("", security.call_token("", "CA1", "+1555", 600), "CA1", "+1555")


def test_numbers_are_masked_for_logs_and_sealed_for_payloads():
    assert security.mask_phone("+15551234567") == "+1********67"
    sealed = security.seal_phone(SECRET, "+15551234567")
    assert "5551234567" not in sealed and sealed != security.seal_phone(SECRET, "+15551234567")
    assert security.unseal_phone(SECRET, sealed) == "+15551234567"
    assert security.unseal_phone(SECRET, "+15551234567") == "+15551234567"
    with pytest.raises(Exception):
        security.unseal_phone("another-secret", sealed)


def test_placeholder_secrets_count_as_not_configured():
    assert not is_configured(PLACEHOLDER) and not is_configured("") and not is_configured("  ")
    assert is_configured("postgresql://u:p@ep-x-pooler.neon.tech/db")
    settings = Settings.from_env({"HUMITOUT_REQUIRES": "database,sender", "DATABASE_URL": PLACEHOLDER})
    assert len(settings.missing()) == 2 and "DatabaseUrl" in settings.missing()[0]
    sender = Settings.from_env({"TWILIO_FROM_NUMBER": "+15017122661", "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32})
    assert sender.sms_sender.startswith("MG")


def test_render_leftovers_of_a_killed_invocation_are_removed_but_running_renders_kept(tmp_path):
    import os
    import time

    from humitout.pipeline import remove_stale_dirs

    old, fresh, other = tmp_path / "render-old", tmp_path / "render-now", tmp_path / "keep-me"
    for d in (old, fresh, other):
        d.mkdir()
        (d / "mix.wav").write_bytes(b"x")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    os.utime(other, (time.time() - 3600, time.time() - 3600))
    assert remove_stale_dirs(tmp_path, "render-", older_than_s=900) == 1
    assert not old.exists() and fresh.exists() and other.exists()


def test_the_failure_code_is_read_from_a_step_functions_cause():
    import json

    from humitout.errors import parse_error_code
    from humitout.pipeline import error_message

    cause = json.dumps({"errorType": "BadAudio", "errorMessage": "silence: peak -60 dBFS"})
    assert parse_error_code(error_message(cause)) == "silence"
    assert parse_error_code(error_message("too_short: 1.2 s")) == "too_short"
    assert parse_error_code(error_message(None)) == "internal"
