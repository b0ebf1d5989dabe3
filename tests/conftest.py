"""Shared fixtures: one embedded local stack (real Postgres, moto, gateway, Twilio stand-in)."""
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def stack():
    """The whole product running locally, as `humitout demo` runs it, except that failed tasks are
    retried every second (the ASL's exponential backoff slept 1+2+4+8 s through a long outage).

    Its state (the Postgres data folder, the S3 stand-in's files) lives in a folder of its own, not under
    pytest's numbered temporary folders: pytest deletes all but the newest three of those when another
    session starts, so a second ``pytest`` on the same machine took the running Postgres's socket and data
    away (55 database tests failed)."""
    from humitout_infra.local.stack import LocalStack

    with tempfile.TemporaryDirectory(prefix="humitout-test-stack-", ignore_cleanup_errors=True) as state_dir:
        with LocalStack(state_dir=Path(state_dir), retry_backoff_rate=1.0) as running:
            yield running


@pytest.fixture
def svc(stack):
    """The handlers' current clients (a test may reconfigure the stack, which rebuilds them)."""
    from humitout.runtime import services

    return services()
