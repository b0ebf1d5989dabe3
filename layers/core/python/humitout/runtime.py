"""The adapters a handler needs, built once per process from :class:`Settings`.

In AWS the secrets come from Secrets Manager, each read on its own (``TWILIO_SECRET_ARN``:
``{"account_sid", "auth_token"}``; ``OPENAI_SECRET_ARN``: the key; ``DATABASE_SECRET_ARN``: the
Postgres URL), through Powertools' parameters utility with caching. A secret still holding the
stack's placeholder counts as not configured. Locally they are plain environment variables.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, replace
from functools import cached_property

import boto3

from humitout.config import ConfigurationError, Settings, is_configured
from humitout.db import Database
from humitout.storage import Storage
from humitout.telephony import rest_client

logger = logging.getLogger("humitout.runtime")
SECRET_MAX_AGE_S = 300


def _read_secret(arn: str) -> str | None:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(arn, max_age=SECRET_MAX_AGE_S)
    return value if is_configured(value) else None


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """:meth:`Settings.from_env`, then each ``*_SECRET_ARN`` present read into its settings."""
    e = os.environ if env is None else env
    settings = Settings.from_env(e)
    changes: dict[str, str] = {}
    if e.get("TWILIO_SECRET_ARN"):
        raw = _read_secret(e["TWILIO_SECRET_ARN"])
        try:
            secret = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            logger.error("TwilioSecret is not JSON like {\"account_sid\": \"AC...\", \"auth_token\": \"...\"}")
            secret = {}
        if is_configured(secret.get("account_sid")) and is_configured(secret.get("auth_token")):
            changes.update(twilio_account_sid=secret["account_sid"].strip(),
                           twilio_auth_token=secret["auth_token"].strip())
    if e.get("OPENAI_SECRET_ARN"):
        changes["openai_api_key"] = (_read_secret(e["OPENAI_SECRET_ARN"]) or "").strip()
    if e.get("DATABASE_SECRET_ARN"):
        changes["database_url"] = (_read_secret(e["DATABASE_SECRET_ARN"]) or "").strip()
    return replace(settings, **changes)


def checked(settings: Settings) -> Settings:
    """Raise :class:`ConfigurationError` (after one clear log line) when a setting this function
    requires (``HUMITOUT_REQUIRES``) is not configured."""
    missing = settings.missing()
    if missing:
        message = "not configured: " + "; ".join(missing)
        logger.error("humitout configuration error: %s", message)
        raise ConfigurationError(message)
    return settings


@dataclass
class Services:
    """Lazily built clients; one instance per Lambda container (or local process)."""

    settings: Settings

    @cached_property
    def db(self) -> Database:
        s = self.settings
        return Database(s.database_url, connect_timeout_s=s.db_connect_timeout_s, idle_check_s=s.db_idle_check_s)

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
        s = self.settings
        if not is_configured(s.openai_api_key):
            return None
        import openai

        return openai.OpenAI(api_key=s.openai_api_key, base_url=s.openai_base_url or None,
                             timeout=s.openai_timeout_s, max_retries=1)


_lock = threading.Lock()
_services: Services | None = None


def services() -> Services:
    """The process-wide :class:`Services` (created on first use; fails fast when misconfigured)."""
    global _services
    with _lock:
        if _services is None:
            _services = Services(checked(load_settings()))
        return _services


def reset_services() -> None:
    """Forget the cached services (the local runner calls this after changing the env)."""
    global _services
    with _lock:
        if _services is not None and "db" in _services.__dict__:
            _services.db.close()
        _services = None
