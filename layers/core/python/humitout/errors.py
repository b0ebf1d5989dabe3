"""Errors that end a pipeline run with a reason the caller can be told.

A Lambda raising one of these fails its Step Functions task with ``errorType``
equal to the class name and ``errorMessage`` equal to ``"<code>: <detail>"``;
the state machine retries only :class:`TransientError` and routes everything
else to ``NotifyFailure``, which maps the code to an SMS with :func:`caller_message`.
"""
from __future__ import annotations


class PipelineError(Exception):
    """A permanent failure with a machine-readable ``code``."""

    code = "internal"

    def __init__(self, code: str | None = None, detail: str = ""):
        self.code = code or self.code
        self.detail = detail
        super().__init__(f"{self.code}: {detail}" if detail else self.code)


class BadAudio(PipelineError):
    """The recording cannot give a melody. Codes: ``empty``, ``undecodable``,
    ``too_long``, ``silence``, ``noise``, ``no_melody``, ``too_short``, ``clipped``."""

    code = "no_melody"


class TransientError(Exception):
    """Worth retrying (network, throttling, a provider's 5xx)."""


CALLER_MESSAGES = {
    "empty": "we didn't receive any audio from your call. Please call again and hum after the beep.",
    "undecodable": "we couldn't read your recording. Please call again and hum after the beep.",
    "not_audio": "we couldn't read your recording. Please call again and hum after the beep.",
    "too_long": "your recording was longer than we can use. Please hum for up to 30 seconds.",
    "silence": "we couldn't hear anything. Hum a little louder, close to the phone, and call again.",
    "noise": "there was too much background noise to hear a melody. Try a quieter spot and call again.",
    "no_melody": "we couldn't hear a melody - hum a little louder and call again.",
    "too_short": "your melody was too short. Hum for at least a few seconds and call again.",
    "clipped": "your recording was too loud and distorted. Hold the phone a little further away and call again.",
    "fetch_failed": "we couldn't fetch your recording. Please call again.",
    "internal": "something went wrong on our side. Please call again in a minute.",
}


def caller_message(code: str) -> str:
    """The SMS body (after the greeting) for a failure ``code``; unknown codes get ``internal``."""
    return "Hum It Out: sorry, " + CALLER_MESSAGES.get(code, CALLER_MESSAGES["internal"])


def parse_error_code(error_message: str | None) -> str:
    """Extract the code from a ``"<code>: <detail>"`` Lambda error message."""
    if not error_message:
        return "internal"
    head = error_message.split(":", 1)[0].strip()
    return head if head in CALLER_MESSAGES else "internal"
