"""The phone conversation: what each Twilio webhook does and the TwiML it answers.

PIN → optional style menu → ``<Record>`` → session + Step Functions execution.
Each function takes the already signature-checked webhook and returns TwiML (str).
"""
from __future__ import annotations

import hashlib
import logging
import urllib.parse
import uuid
from typing import NamedTuple

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from humitout.db import CONNECTION_ERRORS
from humitout.models import CALLER_METERS, HumReading, Style, TimeSignature
from humitout.music.styles import tempo_asked
from humitout.runtime import Services
from humitout.security import call_token, call_token_valid, seal_phone
from humitout.stage_inputs import CallStart, Length, NewVersionStart, PipelineStart
from humitout.telephony import RecordingWebhook, SmsWebhook, VoiceWebhook

logger = logging.getLogger("humitout.calls")
VOICE = "Polly.Joanna"
SESSION_NAMESPACE = uuid.UUID("5f0c2f0e-3b1d-4a53-9d7e-6e1f1c0a7a11")
STYLE_MENU = ", ".join(f"{i} for {s.value.replace('-', ' ')}" for i, s in enumerate(Style, start=1))


def _say(resp: VoiceResponse | Gather, text: str) -> None:
    resp.say(text, voice=VOICE)


def database_unavailable_call() -> str:
    """What a caller hears when the database cannot be reached (instead of Twilio's "application
    error"): nothing was saved, so they are asked to call again."""
    resp = VoiceResponse()
    _say(resp, "Sorry, Hum It Out is having trouble right now and couldn't save anything. "
               "Please call again in a few minutes. Goodbye.")
    resp.hangup()
    return str(resp)


def database_unavailable_sms() -> str:
    """The SMS reply when the database cannot be reached."""
    resp = MessagingResponse()
    resp.message("Hum It Out: sorry, we're having trouble right now. Please text again in a few minutes.")
    return str(resp)


def incoming_call(svc: Services, hook: VoiceWebhook) -> str:
    """``/twilio/voice``: greet a known caller and ask for the PIN."""
    resp = VoiceResponse()
    if not svc.db.note_call_attempt(hook.From, svc.settings.calls_per_hour):
        _say(resp, "You have called many times in the last hour. Please try again later. Goodbye.")
        resp.hangup()
        return str(resp)
    if svc.db.user_for_phone(hook.From) is None:
        _say(resp, "Welcome to Hum It Out. This phone number is not registered yet. "
                   "Please sign up first, then call again. Goodbye.")
        resp.hangup()
        return str(resp)
    gather = Gather(num_digits=6, action="/twilio/pin", method="POST", timeout=10)
    _say(gather, "Welcome to Hum It Out. Please enter your six digit PIN.")
    resp.append(gather)
    _say(resp, "We didn't get your PIN. Goodbye.")
    resp.hangup()
    return str(resp)


def pin_entered(svc: Services, hook: VoiceWebhook) -> str:
    """``/twilio/pin``: check the PIN (lockout after repeated failures), then offer styles."""
    s = svc.settings
    resp = VoiceResponse()
    check = svc.db.check_pin(hook.From, hook.Digits or "", s.pin_max_failures, s.pin_lockout_s)
    if check.status == "ok":
        token = call_token(s.twilio_auth_token, hook.CallSid, hook.From, s.call_token_ttl_s)
        gather = Gather(num_digits=1, action=f"/twilio/style?t={token}", method="POST", timeout=4,
                        finish_on_key="")
        _say(gather, f"Thanks. Choose a style: press {STYLE_MENU}, or wait and we'll choose for you.")
        resp.append(gather)
        resp.redirect(f"/twilio/style?t={token}", method="POST")
        return str(resp)
    if check.status == "locked":
        minutes = max(1, round(s.pin_lockout_s / 60))
        _say(resp, f"Too many wrong PINs. Your account is locked for {minutes} minutes. Goodbye.")
        resp.hangup()
    elif check.status == "wrong":
        gather = Gather(num_digits=6, action="/twilio/pin", method="POST", timeout=10)
        _say(gather, f"That PIN is not right. You have {check.attempts_left} tries left. Please enter it again.")
        resp.append(gather)
        resp.hangup()
    else:
        _say(resp, "This phone number is not registered. Goodbye.")
        resp.hangup()
    return str(resp)


def style_chosen(svc: Services, hook: VoiceWebhook, token: str) -> str:
    """``/twilio/style``: remember the style (or none) and record up to 30 s after the beep."""
    resp = VoiceResponse()
    if not call_token_valid(svc.settings.twilio_auth_token, token, hook.CallSid, hook.From):
        _say(resp, "Sorry, something went wrong. Please call again.")
        resp.hangup()
        return str(resp)
    style = Style.from_text(hook.Digits) if hook.Digits else None
    heard = f"{style.value.replace('-', ' ')} it is. " if style else ""
    query = urllib.parse.urlencode({"t": token, **({"style": style.value} if style else {})})
    _say(resp, f"{heard}After the beep, hum or sing your melody for up to "
               f"{svc.settings.max_recording_s} seconds, then hang up.")
    resp.record(action=f"/twilio/recording?{query}", method="POST", max_length=svc.settings.max_recording_s,
                play_beep=True, trim="trim-silence", timeout=5, finish_on_key="#")
    # Twilio skips the action and goes on here when it recorded no audio at all.
    _say(resp, "We didn't hear anything. Please call again and hum after the beep. Goodbye.")
    resp.hangup()
    return str(resp)


def recording_done(svc: Services, hook: RecordingWebhook, token: str, style: str | None) -> str:
    """``/twilio/recording``: one session per RecordingSid, one execution named after it."""
    resp = VoiceResponse()
    if not call_token_valid(svc.settings.twilio_auth_token, token, hook.CallSid, hook.From):
        _say(resp, "Sorry, something went wrong. Please call again.")
        resp.hangup()
        return str(resp)
    chosen = Style.from_text(style)
    payload = CallStart(session_id=session_id_for(hook.RecordingSid),
                        caller=seal_phone(svc.settings.twilio_auth_token, hook.From), call_sid=hook.CallSid,
                        recording_url=hook.RecordingUrl, recording_sid=hook.RecordingSid, style=chosen)
    try:
        user = svc.db.user_for_phone(hook.From)
        if user is None:  # the number was unregistered during the call
            _say(resp, "This phone number is not registered any more. Goodbye.")
            resp.hangup()
            return str(resp)
        session, _created = svc.db.create_session(str(user["id"]), hook.CallSid, hook.RecordingSid, hook.From,
                                                  chosen.value if chosen else None, session_id=payload.session_id)
        payload.session_id = str(session["id"])
    except CONNECTION_ERRORS as exc:
        # The token proved the PIN; the hum must not be lost to a database blip: the pipeline
        # starts anyway and Transcribe creates the session row once the database answers.
        logger.warning("database unavailable at the recording webhook; starting the pipeline anyway (%s)",
                       type(exc).__name__)
    start_pipeline(svc, execution_name=hook.RecordingSid, payload=payload)
    _say(resp, "Got it! We're turning your melody into a track. We'll text you the links in a minute. Goodbye.")
    resp.hangup()
    return str(resp)


def session_id_for(recording_sid: str) -> str:
    """The session id of a recording (UUID v5 of its RecordingSid): the webhook and Transcribe
    agree on it even when the webhook could not write the row."""
    return str(uuid.uuid5(SESSION_NAMESPACE, recording_sid))


def execution_arn(state_machine_arn: str, name: str) -> str:
    """The ARN Step Functions gives the execution ``name`` of ``state_machine_arn``."""
    return state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + name


def start_pipeline(svc: Services, execution_name: str, payload: PipelineStart) -> str:
    """Start the state machine with a deterministic name; a repeat start is a no-op.

    Returns the execution ARN.
    """
    try:
        arn = svc.sfn.start_execution(
            stateMachineArn=svc.settings.state_machine_arn, name=execution_name, input=payload.model_dump_json()
        )["executionArn"]
    except svc.sfn.exceptions.ExecutionAlreadyExists:
        arn = execution_arn(svc.settings.state_machine_arn, execution_name)
    try:
        svc.db.update_session(payload.session_id, execution_arn=arn)
    except CONNECTION_ERRORS:  # Transcribe records it with the session (see recording_done)
        logger.warning("database unavailable: execution %s not recorded on its session yet", execution_name)
    return arn


SMS_HELP = ("Hum It Out: call us and hum a melody to get a backing track. Reply with a style "
            f"({', '.join(s.value for s in Style)}), SHORT or LONG, a meter ({', '.join(CALLER_METERS)} or WALTZ), "
            "SHIFT (or SHIFT BACK) to move the bar lines a beat, HALF or DOUBLE for the beat at half or twice the "
            "speed (your melody keeps its own), AGAIN for a new version of your last hum, or PIN for a new PIN.")


def _new_pin_reply(svc: Services, phone: str) -> str:
    """The reply to "PIN": a new PIN for the sender's account (rate-limited per number)."""
    from humitout.accounts import resend_pin

    if not svc.db.note_call_attempt(f"signup:{phone}", svc.settings.pin_texts_per_hour):
        return "Hum It Out: you've asked for several PINs in the last hour. Please try again later."
    pin = resend_pin(svc, phone)
    if pin is None:
        return "Hum It Out: this number has no account yet. Sign up first, then call us and hum!"
    return f"Hum It Out: your new PIN is {pin}. Call {svc.settings.twilio_from_number} and enter it."


AGAIN_WORDS = frozenset({"again", "another", "new", "remix"})
LENGTH_WORDS = {"short": "short", "shorter": "short", "long": "long", "longer": "long"}


class SmsRequest(NamedTuple):
    """What an SMS asks for (:func:`sms_request`)."""

    style: Style | None
    length: Length           # "short" | "normal" | "long"
    meter: TimeSignature | None
    shift: int               # beats to move bar 1 from the newest version's: "shift" 1, "shift back" -1, else 0
    tempo_factor: float = 1.0   # the song's tempo over the newest version's: "half" 0.5, "double" 2, else 1


SHIFT_WORDS = frozenset({"shift"})
BACK_WORDS = frozenset({"back", "earlier"})
TEMPO_WORDS = {"half": 0.5, "halftime": 0.5, "half-time": 0.5, "slower": 0.5,
               "double": 2.0, "doubletime": 2.0, "double-time": 2.0, "faster": 2.0}
"""Words asking for the song's beat at half or twice the newest version's tempo ("half time", "slower": the drums
and chords at half the speed, the melody at its own; there is no step between, as the melody keeps its speed), and
the factor each names."""


def sms_request(body: str) -> SmsRequest | None:
    """What an SMS asks for: a style ("jazz", "hip hop", "3"), a song length ("short",
    "long"), a meter ("3/4", "waltz", "6/8": the song's bars when the hum's were misread), "shift"
    (bar 1 a beat later; "shift back", a beat earlier), "half" or "double" (time: the song's beat at half or
    twice the speed) and/or "again", in any combination ("jazz long", "waltz", "3/4 shift", "half time").
    None when the text asks for none of these."""
    text = body.strip().lower()
    style = Style.from_text(text)
    if style is not None:
        return SmsRequest(style, "normal", None, 0)
    words = text.replace(",", " ").split()
    named = {w: TimeSignature.from_text(w) for w in words}
    meters = [named[w] for w in words if named[w] is not None]
    shift = (-1 if BACK_WORDS & set(words) else 1) if SHIFT_WORDS & set(words) else 0
    factors = [TEMPO_WORDS[w] for w in words if w in TEMPO_WORDS]
    moves = (SHIFT_WORDS | BACK_WORDS if shift else frozenset()) | (TEMPO_WORDS.keys() | {"time"} if factors else set())
    rest = " ".join(w for w in words if w not in AGAIN_WORDS and w not in LENGTH_WORDS and w not in moves
                    and named[w] is None)
    style = Style.from_text(rest) if rest else None
    if not words or (rest and style is None):
        return None
    lengths = [LENGTH_WORDS[w] for w in words if w in LENGTH_WORDS]
    return SmsRequest(style, lengths[-1] if lengths else "normal", meters[-1] if meters else None, shift,
                      factors[-1] if factors else 1.0)


def variation_seed(message_sid: str) -> int:
    """The arrangement seed of an SMS request: from its MessageSid, so each request gives
    another arrangement and Twilio's retries of one request the same."""
    return int(hashlib.sha256(message_sid.encode()).hexdigest()[:8], 16)


def _next_bar_shift(latest: HumReading, meter: TimeSignature | None, shift: int, beat_ratio: float) -> int:
    """The hum's beats to move bar 1 for a "shift" (``shift`` 1) or "shift back" (-1), a song beat at ``beat_ratio``
    song beats per hum beat (:func:`~humitout.music.arrangement.shift_step_beats`: two of the hum's at half time):
    from the newest version's bar 1 (``latest``), or from the hum's reading in a meter named anew (Compose takes it
    modulo the song bar)."""
    from humitout.music.arrangement import shift_step_beats   # here, not at import: the SMS webhook's cold start

    hum_meter = meter or TimeSignature.from_text(latest.meter) or TimeSignature()
    step = shift * shift_step_beats(hum_meter, beat_ratio)
    if meter is not None and meter.text != latest.meter:
        return step
    return latest.bar_shift + step


def sms_received(svc: Services, hook: SmsWebhook) -> str:
    """``/twilio/sms``: "jazz" (or any style), "short"/"long", a meter, "shift", "half"/"double" or "again" → a
    new version of the caller's last hum, with another variation seed."""
    resp = MessagingResponse()
    if hook.Body.strip().lower() == "pin":
        resp.message(_new_pin_reply(svc, hook.From))
        return str(resp)
    request = sms_request(hook.Body)
    if request is None:
        resp.message(SMS_HELP)
        return str(resp)
    style, length, meter, shift, factor = request
    session = svc.db.latest_session_for_phone(hook.From)
    if session is None:
        resp.message("Hum It Out: we don't have a hum from you yet. Call us and hum a melody first!")
        return str(resp)
    latest = svc.db.latest_hum_reading(str(session["id"]))
    tempo = tempo_asked(latest, factor, meter=meter) if factor != 1.0 else None
    if factor != 1.0 and tempo is None:
        if latest.tempo_bpm is None:
            resp.message("Hum It Out: your track is still being made. Reply HALF or DOUBLE once it has arrived.")
        else:
            half = factor < 1.0
            resp.message(f"Hum It Out: your track can't go at {'half' if half else 'double'} time from "
                         f"{round(latest.tempo_bpm)} bpm and keep your melody's speed. Reply "
                         f"{'DOUBLE' if half else 'HALF'}, a style or AGAIN for another version.")
        return str(resp)
    if not svc.db.note_call_attempt(f"regen:{hook.From}", svc.settings.regenerations_per_hour):
        resp.message(f"Hum It Out: you've made {svc.settings.regenerations_per_hour} new versions in the last "
                     "hour - that's our limit. Try again in a little while, or call us with a new hum!")
        return str(resp)
    start_pipeline(svc, execution_name=hook.MessageSid, payload=NewVersionStart(
        session_id=str(session["id"]), caller=seal_phone(svc.settings.twilio_auth_token, hook.From),
        analysis_key=f"sessions/{session['id']}/analysis.json", style=style, length=length,
        meter=meter.text if meter else None,
        bar_shift=_next_bar_shift(latest, meter, shift, latest.beat_ratio * (factor if tempo else 1.0))
        if shift else None,
        song_tempo_bpm=tempo, variation_seed=variation_seed(hook.MessageSid)))
    what = f"a {style.value} version" if style else "a new version"
    if meter is not None:
        what = f"{what} in {meter.text}"
    if shift:
        what = f"{what} with the bar lines a beat {'later' if shift > 0 else 'earlier'}"
    if tempo is not None:
        what = f"{what} at {'half' if factor < 1.0 else 'double'} time ({round(tempo)} bpm)"
    if length != "normal":
        what = f"{what} ({length})"
    resp.message(f"Hum It Out: making {what} of your last melody. We'll text you the links shortly.")
    return str(resp)
