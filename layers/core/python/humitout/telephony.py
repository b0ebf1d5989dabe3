"""Twilio: webhook payloads and signatures, TwiML, recording download, SMS.

Everything goes through the official ``twilio`` SDK. Locally, ``TWILIO_API_BASE``
points the SDK's HTTP client at the Twilio stand-in; the calls it makes are the
same REST calls it makes to https://api.twilio.com.
"""
from __future__ import annotations

import urllib.parse
from typing import Optional

import requests
from pydantic import BaseModel, ConfigDict
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from humitout.errors import BadAudio, TransientError

TWILIO_API = "https://api.twilio.com"
MAX_RECORDING_BYTES = 20 * 1024 * 1024


class TwilioWebhook(BaseModel):
    """Fields common to Twilio voice and messaging webhooks (form-encoded, PascalCase)."""

    model_config = ConfigDict(extra="allow")
    AccountSid: str
    From: str
    To: str = ""


class VoiceWebhook(TwilioWebhook):
    CallSid: str
    Digits: Optional[str] = None


class RecordingWebhook(VoiceWebhook):
    RecordingUrl: str
    RecordingSid: str
    RecordingDuration: Optional[float] = None


class SmsWebhook(TwilioWebhook):
    MessageSid: str
    Body: str = ""


def public_url(base_url: str, raw_path: str, raw_query: str = "") -> str:
    """The exact URL Twilio requested: configured public base + path (+ ``?query`` as sent).

    ``base_url`` must include any API Gateway stage path (e.g. ``https://x.execute-api…/prod``)
    and ``raw_path`` must not repeat it.
    """
    url = base_url.rstrip("/") + raw_path
    return f"{url}?{raw_query}" if raw_query else url


def signature_is_valid(auth_token: str, url: str, form: dict[str, str], signature: str | None) -> bool:
    """Twilio's X-Twilio-Signature check (HMAC-SHA1 of URL + sorted POST params)."""
    if not signature or not auth_token:
        return False
    return RequestValidator(auth_token).validate(url, form, signature)


def parse_form(body: str | None) -> dict[str, str]:
    """Decode an ``application/x-www-form-urlencoded`` body (last value wins, as Twilio sends one)."""
    return dict(urllib.parse.parse_qsl(body or "", keep_blank_values=True))


class _RebasedHttpClient(TwilioHttpClient):
    """Sends the SDK's requests to ``base`` instead of https://api.twilio.com (local stand-in)."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_API):
            url = self.base + url[len(TWILIO_API):]
        return super().request(method, url, *args, **kwargs)


def rest_client(account_sid: str, auth_token: str, api_base: str = "") -> Client:
    """A Twilio REST client; ``api_base`` non-empty rebases it (local stand-in)."""
    http_client = _RebasedHttpClient(api_base, timeout=10) if api_base else TwilioHttpClient(timeout=10)
    return Client(account_sid, auth_token, http_client=http_client)


def send_sms(client: Client, from_number: str, to_number: str, body: str) -> str:
    """Send one SMS; returns the Twilio Message SID. Network/5xx errors are transient."""
    from twilio.base.exceptions import TwilioRestException

    try:
        return client.messages.create(to=to_number, from_=from_number, body=body).sid
    except TwilioRestException as exc:
        if exc.status >= 500 or exc.status == 429:
            raise TransientError(f"twilio {exc.status}: {exc.msg}") from exc
        raise
    except requests.RequestException as exc:
        raise TransientError(f"twilio unreachable: {exc}") from exc


def fetch_recording(url: str, allowed_hosts: tuple[str, ...], account_sid: str, auth_token: str) -> bytes:
    """Download a recording (``.wav`` of Twilio's RecordingUrl) with basic auth.

    Only ``https`` URLs on ``allowed_hosts`` are fetched (``http`` is accepted for loopback
    hosts, which only the local stand-in uses). Raises ``BadAudio("fetch_failed")`` for a
    refused host or a 4xx, ``TransientError`` for 404 (not ready yet), 429, 5xx and network errors.
    """
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    loopback = host in {"127.0.0.1", "localhost", "::1"}
    if host not in allowed_hosts or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise BadAudio("fetch_failed", f"recording host not allowed: {host or url!r}")
    wav_url = url if parts.path.endswith((".wav", ".mp3")) else url + ".wav"
    try:
        resp = requests.get(wav_url, auth=(account_sid, auth_token), timeout=20, stream=True,
                            allow_redirects=False)
    except requests.RequestException as exc:
        raise TransientError(f"recording fetch failed: {exc}") from exc
    # 404: Twilio can answer the webhook before the recording file is ready, so it is retried too.
    if resp.status_code >= 500 or resp.status_code in (404, 429):
        raise TransientError(f"recording fetch: HTTP {resp.status_code}")
    if resp.status_code != 200:
        raise BadAudio("fetch_failed", f"recording fetch: HTTP {resp.status_code}")
    data = bytearray()
    for chunk in resp.iter_content(64 * 1024):
        data += chunk
        if len(data) > MAX_RECORDING_BYTES:
            raise BadAudio("too_long", f"recording larger than {MAX_RECORDING_BYTES} bytes")
    return bytes(data)
