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
from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url
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
    """Decode an ``application/x-www-form-urlencoded`` body (last value wins, as Twilio sends one).
    Percent-escapes that are not UTF-8 raise ``UnicodeDecodeError``."""
    return dict(urllib.parse.parse_qsl(body or "", keep_blank_values=True, errors="strict"))


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


def send_sms(client: Client, sender: str, to_number: str, body: str) -> str:
    """Send one SMS from ``sender`` (an E.164 number, or a Messaging Service SID ``MG…``);
    returns the Twilio Message SID. Network/5xx/429 errors are transient."""
    from twilio.base.exceptions import TwilioRestException

    origin = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
    try:
        return client.messages.create(to=to_number, body=body, **origin).sid
    except TwilioRestException as exc:
        if exc.status >= 500 or exc.status == 429:
            raise TransientError(f"twilio {exc.status}: {exc.msg}") from exc
        raise
    except requests.RequestException as exc:
        raise TransientError(f"twilio unreachable: {exc}") from exc


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """``host`` is one of ``allowed``, or a subdomain of an entry written ``.example.com``."""
    host = host.lower().rstrip(".")
    return any(host == a or (a.startswith(".") and host.endswith(a)) for a in allowed)


def _checked_url(url: str, allowed_hosts: tuple[str, ...]) -> Url:
    """Parse ``url`` with urllib3 (the parser ``requests`` fetches with) and refuse anything
    but ``https`` (``http`` only for a loopback host that is itself allow-listed: the local
    stand-in), user-info, or a host off the allow-list."""
    try:
        parts = parse_url(url)
    except LocationParseError as exc:
        raise BadAudio("fetch_failed", f"unparseable recording URL: {exc}") from exc
    host = (parts.host or "").lower()
    loopback = host in {"127.0.0.1", "localhost", "[::1]"}
    if parts.auth is not None or not host_allowed(host, allowed_hosts) \
            or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise BadAudio("fetch_failed", f"recording URL not allowed: {parts.scheme}://{host}")
    return Url(scheme=parts.scheme, host=host, port=parts.port, path=parts.path or "/", query=parts.query)


_http = requests.Session()


def fetch_recording(url: str, allowed_hosts: tuple[str, ...], account_sid: str, auth_token: str, *,
                    credential_hosts: tuple[str, ...] = ("api.twilio.com",), max_redirects: int = 3,
                    timeout_s: float = 20.0) -> bytes:
    """Download a recording (``.wav`` of Twilio's RecordingUrl).

    Every hop (the URL and up to ``max_redirects`` redirects, which Twilio uses to serve media)
    must be ``https`` on ``allowed_hosts``; basic auth goes only to ``credential_hosts``. Each URL
    is parsed once by urllib3 and fetched as that parse re-serialised, so the checked host is the
    fetched host. Raises ``BadAudio("fetch_failed")`` for a refused URL, too many redirects or a
    4xx, ``TransientError`` for 404 (not ready yet), 429, 5xx and network errors.
    """
    target = _checked_url(url, allowed_hosts)
    if not (target.path or "").endswith((".wav", ".mp3")):
        target = target._replace(path=target.path.rstrip("/") + ".wav")
    for _hop in range(max_redirects + 1):
        auth = (account_sid, auth_token) if host_allowed(target.host, credential_hosts) else None
        try:
            resp = _http.get(target.url, auth=auth, timeout=timeout_s, stream=True, allow_redirects=False)
        except requests.RequestException as exc:
            raise TransientError(f"recording fetch failed: {exc}") from exc
        if resp.is_redirect:
            location = resp.headers.get("location", "")
            resp.close()
            target = _checked_url(urllib.parse.urljoin(target.url, location), allowed_hosts)
            continue
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
    raise BadAudio("fetch_failed", f"recording fetch: more than {max_redirects} redirects")
