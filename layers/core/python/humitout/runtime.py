"""The adapters a handler needs, built once per process from :class:`Settings`.

In AWS the Twilio auth token and the OpenAI key come from Secrets Manager
(``TWILIO_SECRET_ARN`` / ``OPENAI_SECRET_ARN``, read through Powertools'
parameters utility with caching); locally they are plain environment variables.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, replace
from functools import cached_property

import boto3

from humitout.config import Settings
from humitout.db import Database
from humitout.storage import Storage
from humitout.telephony import rest_client


def _with_secrets(settings: Settings) -> Settings:
    twilio_arn = os.environ.get("TWILIO_SECRET_ARN")
    openai_arn = os.environ.get("OPENAI_SECRET_ARN")
    if not (twilio_arn or openai_arn):
        return settings
    from aws_lambda_powertools.utilities import parameters

    changes = {}
    if twilio_arn:
        secret = json.loads(parameters.get_secret(twilio_arn, max_age=300))
        changes.update(twilio_account_sid=secret["account_sid"], twilio_auth_token=secret["auth_token"])
    if openai_arn:
        changes["openai_api_key"] = parameters.get_secret(openai_arn, max_age=300)
    if os.environ.get("DATABASE_SECRET_ARN"):
        changes["database_url"] = parameters.get_secret(os.environ["DATABASE_SECRET_ARN"], max_age=300)
    return replace(settings, **changes)


@dataclass
class Services:
    """Lazily built clients; one instance per Lambda container (or local process)."""

    settings: Settings

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.database_url)

    @cached_property
    def storage(self) -> Storage:
        return Storage(self.settings.bucket)

    @cached_property
    def sfn(self):
        return boto3.client("stepfunctions")

    @cached_property
    def sns(self):
        return boto3.client("sns")

    @cached_property
    def twilio(self):
        s = self.settings
        return rest_client(s.twilio_account_sid, s.twilio_auth_token, s.twilio_api_base)

    @cached_property
    def openai(self):
        """An ``openai.OpenAI`` client, or None without a key (features degrade, never fake)."""
        if not self.settings.openai_api_key:
            return None
        import openai

        return openai.OpenAI(api_key=self.settings.openai_api_key, timeout=60, max_retries=2)


_lock = threading.Lock()
_services: Services | None = None


def services() -> Services:
    """The process-wide :class:`Services` (created on first use)."""
    global _services
    with _lock:
        if _services is None:
            _services = Services(_with_secrets(Settings.from_env()))
        return _services


def reset_services() -> None:
    """Forget the cached services (the local runner calls this after changing the env)."""
    global _services
    with _lock:
        if _services is not None and "db" in _services.__dict__:
            _services.db.close()
        _services = None
