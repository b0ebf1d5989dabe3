"""Runtime settings: the one configuration path. Read once from the environment (Lambda env vars
or the local runner); in AWS the secrets are then filled in from Secrets Manager by
:func:`humitout.runtime.load_settings`, each secret on its own."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# The value the stack gives every secret it creates: "not configured yet" (never a usable value).
PLACEHOLDER = "REPLACE_ME"


def is_configured(value: str | None) -> bool:
    """False for an empty value or one still holding the stack's placeholder."""
    return bool(value and value.strip()) and PLACEHOLDER not in value


def _csv(value: str) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in value.split(",") if v.strip())


class ConfigurationError(RuntimeError):
    """A setting this function needs is missing (the message names it and where it comes from)."""


# What each named requirement means, and where the operator sets it (see :meth:`Settings.missing`).
REQUIREMENTS = {
    "database": ("database_url", "DATABASE_URL (secret DatabaseUrl: the Neon connection string)"),
    "twilio": ("twilio_auth_token", 'TWILIO_AUTH_TOKEN (secret TwilioSecret: {"account_sid", "auth_token"})'),
    "sender": ("sms_sender", "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID (stack parameter)"),
    "state_machine": ("state_machine_arn", "STATE_MACHINE_ARN (set by the stack)"),
    "bucket": ("bucket", "BUCKET (set by the stack)"),
    "public_url": ("public_base_url", "PUBLIC_BASE_URL (set by the stack)"),
}


@dataclass(frozen=True)
class Settings:
    """Every knob of the service. Field docs give the environment variable."""

    database_url: str = ""  # DATABASE_URL (Neon in AWS, from DATABASE_SECRET_ARN; locally pgserver's)
    db_connect_timeout_s: int = 5  # DATABASE_CONNECT_TIMEOUT_S: seconds to open a connection
    db_idle_check_s: float = 30.0  # DATABASE_IDLE_CHECK_S: a pooled connection idle longer is pinged first
    bucket: str = "humitout-local"  # BUCKET
    public_base_url: str = "http://127.0.0.1:8080"  # PUBLIC_BASE_URL: exact URL Twilio calls
    twilio_account_sid: str = "AC00000000000000000000000000000000"  # TWILIO_ACCOUNT_SID
    twilio_auth_token: str = ""  # TWILIO_AUTH_TOKEN (from TWILIO_SECRET_ARN in AWS)
    twilio_from_number: str = ""  # TWILIO_FROM_NUMBER: the number callers dial and SMS come from
    twilio_messaging_service_sid: str = ""  # TWILIO_MESSAGING_SERVICE_SID: sends SMS instead of the number
    twilio_api_base: str = ""  # TWILIO_API_BASE: empty = https://api.twilio.com (local stand-in otherwise)
    recording_hosts: tuple[str, ...] = ("api.twilio.com",)  # RECORDING_HOSTS: allow-list (".x.com" = subdomains)
    credential_hosts: tuple[str, ...] = ("api.twilio.com",)  # TWILIO_CREDENTIAL_HOSTS: get basic auth
    state_machine_arn: str = ""  # STATE_MACHINE_ARN
    topic_arn: str = ""  # EVENTS_TOPIC_ARN: SNS topic for session events (optional)
    openai_api_key: str = ""  # OPENAI_API_KEY (from OPENAI_SECRET_ARN in AWS; lyrics + LLM agents when set)
    openai_base_url: str = ""  # OPENAI_BASE_URL: another OpenAI-compatible endpoint
    openai_timeout_s: float = 20.0  # OPENAI_TIMEOUT_S: per request (one retry)
    llm_model: str = "gpt-4o-mini"  # HUMITOUT_LLM_MODEL
    llm_timeout_s: float = 20.0  # HUMITOUT_LLM_TIMEOUT_S: an agent waits this long, then uses its rules
    link_ttl_days: int = 30  # LINK_TTL_DAYS
    presign_ttl_s: int = 3600  # PRESIGN_TTL_S
    pin_max_failures: int = 5  # PIN_MAX_FAILURES
    pin_lockout_s: int = 900  # PIN_LOCKOUT_S
    calls_per_hour: int = 20  # CALLS_PER_HOUR per caller number
    call_token_ttl_s: int = 600  # CALL_TOKEN_TTL_S: the PIN-passed proof expires after this
    regenerations_per_hour: int = 10  # REGENERATIONS_PER_HOUR: SMS remixes per number
    signups_per_hour_per_client: int = 5  # SIGNUPS_PER_HOUR_PER_CLIENT (source IP)
    signups_per_hour: int = 200  # SIGNUPS_PER_HOUR: all clients together
    pin_texts_per_hour: int = 3  # PIN_TEXTS_PER_HOUR: PIN/sign-up SMS per number
    sweep_after_s: int = 600  # SWEEP_AFTER_S: a session unchanged this long is checked by the sweeper
    max_recording_s: int = 30  # MAX_RECORDING_S
    soundfont: str = ""  # HUMITOUT_SOUNDFONT
    state_dir: Path = field(default_factory=lambda: Path(".state"))  # HUMITOUT_STATE_DIR
    web_session_secret: str = ""  # WEB_SESSION_SECRET: signs web cookies and CSRF tokens (empty = derived from the Twilio auth token)
    requires: tuple[str, ...] = ()  # HUMITOUT_REQUIRES: what this function cannot run without (AWS)

    @property
    def sms_sender(self) -> str:
        """The Messaging Service SID when set, else the from number."""
        return self.twilio_messaging_service_sid or self.twilio_from_number

    def missing(self, requirements: tuple[str, ...] | None = None) -> list[str]:
        """The settings named in ``requirements`` (default: :attr:`requires`) that are not
        configured, each as "VARIABLE (where to set it)"."""
        out = []
        for name in self.requires if requirements is None else requirements:
            attr, where = REQUIREMENTS[name]
            if not is_configured(getattr(self, attr)):
                out.append(where)
        return out

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        e = os.environ if env is None else env
        d = cls()

        def num(name: str, default, kind=int):
            return kind(e.get(name) or default)

        return cls(
            database_url=e.get("DATABASE_URL", d.database_url),
            db_connect_timeout_s=num("DATABASE_CONNECT_TIMEOUT_S", d.db_connect_timeout_s),
            db_idle_check_s=num("DATABASE_IDLE_CHECK_S", d.db_idle_check_s, float),
            bucket=e.get("BUCKET", d.bucket),
            public_base_url=e.get("PUBLIC_BASE_URL", d.public_base_url).rstrip("/"),
            twilio_account_sid=e.get("TWILIO_ACCOUNT_SID", d.twilio_account_sid),
            twilio_auth_token=e.get("TWILIO_AUTH_TOKEN", d.twilio_auth_token),
            twilio_from_number=e.get("TWILIO_FROM_NUMBER", d.twilio_from_number).strip(),
            twilio_messaging_service_sid=e.get("TWILIO_MESSAGING_SERVICE_SID", d.twilio_messaging_service_sid).strip(),
            twilio_api_base=e.get("TWILIO_API_BASE", d.twilio_api_base).rstrip("/"),
            recording_hosts=_csv(e["RECORDING_HOSTS"]) if e.get("RECORDING_HOSTS") else d.recording_hosts,
            credential_hosts=(_csv(e["TWILIO_CREDENTIAL_HOSTS"]) if e.get("TWILIO_CREDENTIAL_HOSTS")
                              else d.credential_hosts),
            state_machine_arn=e.get("STATE_MACHINE_ARN", d.state_machine_arn),
            topic_arn=e.get("EVENTS_TOPIC_ARN", d.topic_arn),
            openai_api_key=e.get("OPENAI_API_KEY", d.openai_api_key).strip(),
            openai_base_url=e.get("OPENAI_BASE_URL", d.openai_base_url).strip(),
            openai_timeout_s=num("OPENAI_TIMEOUT_S", d.openai_timeout_s, float),
            llm_model=e.get("HUMITOUT_LLM_MODEL") or d.llm_model,
            llm_timeout_s=num("HUMITOUT_LLM_TIMEOUT_S", d.llm_timeout_s, float),
            link_ttl_days=num("LINK_TTL_DAYS", d.link_ttl_days),
            presign_ttl_s=num("PRESIGN_TTL_S", d.presign_ttl_s),
            pin_max_failures=num("PIN_MAX_FAILURES", d.pin_max_failures),
            pin_lockout_s=num("PIN_LOCKOUT_S", d.pin_lockout_s),
            calls_per_hour=num("CALLS_PER_HOUR", d.calls_per_hour),
            call_token_ttl_s=num("CALL_TOKEN_TTL_S", d.call_token_ttl_s),
            regenerations_per_hour=num("REGENERATIONS_PER_HOUR", d.regenerations_per_hour),
            signups_per_hour_per_client=num("SIGNUPS_PER_HOUR_PER_CLIENT", d.signups_per_hour_per_client),
            signups_per_hour=num("SIGNUPS_PER_HOUR", d.signups_per_hour),
            pin_texts_per_hour=num("PIN_TEXTS_PER_HOUR", d.pin_texts_per_hour),
            sweep_after_s=num("SWEEP_AFTER_S", d.sweep_after_s),
            max_recording_s=num("MAX_RECORDING_S", d.max_recording_s),
            soundfont=e.get("HUMITOUT_SOUNDFONT", d.soundfont),
            state_dir=Path(e.get("HUMITOUT_STATE_DIR", str(d.state_dir))),
            requires=_csv(e.get("HUMITOUT_REQUIRES", "")),
            web_session_secret=e.get("WEB_SESSION_SECRET", d.web_session_secret),
        )
