"""Runtime settings, read once from the environment (Lambda env vars or the local runner)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _csv(value: str) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in value.split(",") if v.strip())


@dataclass(frozen=True)
class Settings:
    """Every knob of the service. Field docs give the environment variable."""

    database_url: str = ""  # DATABASE_URL (Neon in AWS; the local runner sets pgserver's)
    bucket: str = "humitout-local"  # BUCKET
    public_base_url: str = "http://127.0.0.1:8080"  # PUBLIC_BASE_URL: exact URL Twilio calls
    twilio_account_sid: str = "AC00000000000000000000000000000000"  # TWILIO_ACCOUNT_SID
    twilio_auth_token: str = ""  # TWILIO_AUTH_TOKEN (from Secrets Manager in AWS)
    twilio_from_number: str = "+15005550006"  # TWILIO_FROM_NUMBER
    twilio_api_base: str = ""  # TWILIO_API_BASE: empty = https://api.twilio.com (local stand-in otherwise)
    recording_hosts: tuple[str, ...] = ("api.twilio.com",)  # RECORDING_HOSTS: allow-list
    state_machine_arn: str = ""  # STATE_MACHINE_ARN
    topic_arn: str = ""  # EVENTS_TOPIC_ARN: SNS topic for session events (optional)
    openai_api_key: str = ""  # OPENAI_API_KEY (lyrics + LLM agents when set)
    link_ttl_days: int = 30  # LINK_TTL_DAYS
    presign_ttl_s: int = 3600  # PRESIGN_TTL_S
    pin_max_failures: int = 5  # PIN_MAX_FAILURES
    pin_lockout_s: int = 900  # PIN_LOCKOUT_S
    calls_per_hour: int = 20  # CALLS_PER_HOUR per caller number
    max_recording_s: int = 30  # MAX_RECORDING_S
    soundfont: str = ""  # HUMITOUT_SOUNDFONT
    state_dir: Path = field(default_factory=lambda: Path(".state"))  # HUMITOUT_STATE_DIR
    web_session_secret: str = ""  # WEB_SESSION_SECRET: signs web cookies and CSRF tokens (empty = derived from the Twilio auth token)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        e = os.environ if env is None else env
        d = cls()
        return cls(
            database_url=e.get("DATABASE_URL", d.database_url),
            bucket=e.get("BUCKET", d.bucket),
            public_base_url=e.get("PUBLIC_BASE_URL", d.public_base_url).rstrip("/"),
            twilio_account_sid=e.get("TWILIO_ACCOUNT_SID", d.twilio_account_sid),
            twilio_auth_token=e.get("TWILIO_AUTH_TOKEN", d.twilio_auth_token),
            twilio_from_number=e.get("TWILIO_FROM_NUMBER", d.twilio_from_number),
            twilio_api_base=e.get("TWILIO_API_BASE", d.twilio_api_base).rstrip("/"),
            recording_hosts=_csv(e["RECORDING_HOSTS"]) if e.get("RECORDING_HOSTS") else d.recording_hosts,
            state_machine_arn=e.get("STATE_MACHINE_ARN", d.state_machine_arn),
            topic_arn=e.get("EVENTS_TOPIC_ARN", d.topic_arn),
            openai_api_key=e.get("OPENAI_API_KEY", d.openai_api_key),
            link_ttl_days=int(e.get("LINK_TTL_DAYS", d.link_ttl_days)),
            presign_ttl_s=int(e.get("PRESIGN_TTL_S", d.presign_ttl_s)),
            pin_max_failures=int(e.get("PIN_MAX_FAILURES", d.pin_max_failures)),
            pin_lockout_s=int(e.get("PIN_LOCKOUT_S", d.pin_lockout_s)),
            calls_per_hour=int(e.get("CALLS_PER_HOUR", d.calls_per_hour)),
            max_recording_s=int(e.get("MAX_RECORDING_S", d.max_recording_s)),
            soundfont=e.get("HUMITOUT_SOUNDFONT", d.soundfont),
            state_dir=Path(e.get("HUMITOUT_STATE_DIR", str(d.state_dir))),
            web_session_secret=e.get("WEB_SESSION_SECRET", d.web_session_secret),
        )
