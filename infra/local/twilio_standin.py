"""A local Twilio: the REST endpoints the product calls (Messages, Recordings, with basic
auth) and a phone that places calls — signed webhooks, TwiML followed verb by verb."""
from __future__ import annotations

import base64
import re
import secrets
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import requests
from humitout_infra.local.http_util import BackgroundServer, QuietHandler
from twilio.request_validator import RequestValidator

API_PREFIX = "/2010-04-01/Accounts/"


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class Message:
    sid: str
    to: str
    from_: str
    body: str


@dataclass
class CallResult:
    """What the caller heard and did, and the recording that was made."""

    call_sid: str
    said: list[str] = field(default_factory=list)
    recording_sid: str | None = None
    recording_done_at: float | None = None  # time.monotonic() when the recording webhook answered
    webhook_seconds: list[float] = field(default_factory=list)


class TwilioStandIn(BackgroundServer):
    """Runs on 127.0.0.1:``port``. ``account_sid``/``auth_token`` guard the REST API and sign webhooks."""

    def __init__(self, account_sid: str, auth_token: str, webhook_base: str, port: int = 0):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.webhook_base = webhook_base.rstrip("/")
        self.messages: list[Message] = []
        self.recordings: dict[str, bytes] = {}
        self.recording_outages = 0  # answer this many recording downloads with 503 (fault injection)
        self.sms_outages = 0  # answer this many Messages requests with 503 (fault injection)
        # Like Twilio, serve recordings through a redirect to a media URL that needs no credentials.
        self.redirect_recordings = True
        self._media_keys: dict[str, str] = {}
        self._changed = threading.Condition()
        self.validator = RequestValidator(auth_token)
        standin = self

        class Handler(QuietHandler):
            def _authorised(self) -> bool:
                expected = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
                return secrets.compare_digest(self.headers.get("Authorization", ""), expected)

            def _refused(self, m: re.Match | None, outages: str) -> bool:
                """Answer as Twilio's REST API does and return True when the request (``m``: its
                path matched, the account SID first) is not found, not authorised, or meets an
                injected outage (``outages``: the stand-in's counter, one used up per answer)."""
                if not m:
                    self.send_json(404, {"code": 20404, "message": "Not found", "status": 404})
                    return True
                if not self._authorised() or m.group(1) != account_sid:
                    self.send_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                    return True
                with standin._changed:
                    outage = getattr(standin, outages) > 0
                    setattr(standin, outages, getattr(standin, outages) - outage)
                if outage:
                    self.send_json(503, {"code": 20503, "message": "Service unavailable", "status": 503})
                return outage

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self._refused(re.fullmatch(API_PREFIX + r"(AC\w+)/Messages\.json", self.path), "sms_outages"):
                    return
                if not form.get("To") or not form.get("Body"):
                    return self.send_json(400, {"code": 21604, "message": "'To' and 'Body' are required", "status": 400})
                msg = Message(_sid("SM"), form["To"], form.get("From", ""), form["Body"])
                with standin._changed:
                    standin.messages.append(msg)
                    standin._changed.notify_all()
                self.send_json(201, {"sid": msg.sid, "account_sid": account_sid, "to": msg.to, "from": msg.from_,
                                 "body": msg.body, "status": "queued", "num_segments": "1",
                                 "date_created": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
                                 "uri": f"{API_PREFIX}{account_sid}/Messages/{msg.sid}.json"})

            def do_GET(self):
                media = re.fullmatch(r"/media/(RE\w+)\.wav\?key=(\w+)", self.path)
                if media:
                    if standin._media_keys.get(media.group(1)) != media.group(2) \
                            or "Authorization" in self.headers:  # media hosts must not see credentials
                        return self.send_json(403, {"message": "Forbidden", "status": 403})
                    return self.send_body(200, {"Content-Type": "audio/x-wav"}, standin.recordings[media.group(1)])
                m = re.fullmatch(API_PREFIX + r"(AC\w+)/Recordings/(RE\w+?)(\.wav)?", self.path)
                if self._refused(m, "recording_outages"):
                    return
                data = standin.recordings.get(m.group(2))
                if data is None:
                    return self.send_json(404, {"code": 20404, "message": "Recording not found", "status": 404})
                if standin.redirect_recordings:
                    key = standin._media_keys.setdefault(m.group(2), secrets.token_hex(8))
                    # "localhost": another host than the API's 127.0.0.1, as Twilio's media host is
                    return self.send_body(302, {"Location": f"http://localhost:{self.server.server_address[1]}"
                                                            f"/media/{m.group(2)}.wav?key={key}"}, b"")
                self.send_body(200, {"Content-Type": "audio/x-wav"}, data)

        self.serve(Handler, port, "twilio")

    # -- the phone side ---------------------------------------------------------------------------
    def post_webhook(self, path_and_query: str, params: dict[str, str], forge: bool = False) -> requests.Response:
        """POST a form to the app the way Twilio does, with X-Twilio-Signature over the full URL."""
        url = self.webhook_base + path_and_query
        signature = self.validator.compute_signature(url, params)
        if forge:
            signature = base64.b64encode(b"not-a-signature-0000").decode()
        return requests.post(url, data=params, headers={"X-Twilio-Signature": signature,
                                                        "User-Agent": "TwilioProxy/1.1"}, timeout=60)

    def place_call(self, from_number: str, to_number: str, digits: list[str], recording: bytes | None,
                   max_steps: int = 20) -> CallResult:
        """Call the app: answer each ``<Gather>`` with the next entry of ``digits`` (``""`` = time
        out), upload ``recording`` at ``<Record>``, follow ``<Redirect>`` until ``<Hangup>``."""
        call = CallResult(_sid("CA"))
        base = {"AccountSid": self.account_sid, "CallSid": call.call_sid, "From": from_number, "To": to_number,
                "Direction": "inbound", "ApiVersion": "2010-04-01"}
        pending = list(digits)
        next_request: tuple[str, dict] | None = ("/twilio/voice", {**base, "CallStatus": "ringing"})
        for _ in range(max_steps):
            if next_request is None:
                break
            path, params = next_request
            started = time.monotonic()
            resp = self.post_webhook(path, params)
            call.webhook_seconds.append(time.monotonic() - started)
            if "RecordingSid" in params:
                call.recording_done_at = time.monotonic()
            if resp.status_code != 200:
                call.said.append(f"[HTTP {resp.status_code}]")
                break
            next_request = self._follow(ET.fromstring(resp.content), call, base, pending, recording)
        return call

    def _follow(self, twiml: ET.Element, call: CallResult, base: dict, pending: list[str],
                recording: bytes | None) -> tuple[str, dict] | None:
        """Execute the verbs of one TwiML document; returns the next webhook to POST, if any."""
        for verb in twiml:
            if verb.tag == "Say":
                call.said.append(verb.text or "")
            elif verb.tag == "Gather":
                call.said.extend(child.text or "" for child in verb if child.tag == "Say")
                answer = pending.pop(0) if pending else ""
                if answer:
                    return verb.get("action"), {**base, "CallStatus": "in-progress", "Digits": answer}
            elif verb.tag == "Redirect":
                return verb.text, {**base, "CallStatus": "in-progress"}
            elif verb.tag == "Record":
                if recording is None:  # nothing recorded: Twilio skips the action, goes on
                    continue
                sid = _sid("RE")
                self.recordings[sid] = recording
                call.recording_sid = sid
                return verb.get("action"), {
                    **base, "CallStatus": "completed", "RecordingSid": sid,
                    "RecordingUrl": f"{self.url}{API_PREFIX}{self.account_sid}/Recordings/{sid}",
                    "RecordingDuration": "0",
                }
            elif verb.tag == "Hangup":
                return None
        return None

    def send_sms_to_app(self, from_number: str, to_number: str, body: str) -> requests.Response:
        """An incoming text from a phone to the app's number."""
        return self.post_webhook("/twilio/sms", {
            "AccountSid": self.account_sid, "MessageSid": _sid("SM"), "From": from_number, "To": to_number,
            "Body": body, "NumMedia": "0", "ApiVersion": "2010-04-01"})

    def wait_for_sms(self, to_number: str, count: int = 1, timeout_s: float = 300) -> list[Message]:
        """Block until ``count`` messages went to ``to_number``; returns them (TimeoutError otherwise)."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                got = [m for m in self.messages if m.to == to_number]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(got)}/{count} SMS to {to_number} after {timeout_s:.0f} s")
                self._changed.wait(left)
