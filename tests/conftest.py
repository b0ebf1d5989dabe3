"""Shared fixtures: one embedded local stack (real Postgres, moto, gateway, Twilio stand-in)."""
import os

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The whole product running locally, as `humitout demo` runs it, except that failed tasks are
    retried every second (the ASL's exponential backoff slept 1+2+4+8 s through a long outage)."""
    from humitout_infra.local.stack import LocalStack

    with LocalStack(state_dir=tmp_path_factory.mktemp("state"), retry_backoff_rate=1.0) as running:
        yield running


@pytest.fixture
def svc(stack):
    """The handlers' current clients (a test may reconfigure the stack, which rebuilds them)."""
    from humitout.runtime import services

    return services()
