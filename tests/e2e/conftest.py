"""Fixtures for tests that drive the local stack like a phone would."""
import uuid

import pytest

from e2e_helpers import Caller
from humitout_infra.local.cli import SAMPLE_HUM


@pytest.fixture
def new_caller(svc, stack):
    """A freshly signed-up caller (the sign-up SMS is consumed)."""

    def make() -> Caller:
        from humitout.accounts import sign_up

        phone = "+1555" + str(uuid.uuid4().int)[:7]
        account = sign_up(svc, f"{uuid.uuid4().hex[:8]}@example.com", phone)
        stack.twilio.wait_for_sms(phone, 1, 5)
        return Caller(phone, account.pin, account.user_id)

    return make


@pytest.fixture(scope="session")
def sample_hum() -> bytes:
    return SAMPLE_HUM.read_bytes()
