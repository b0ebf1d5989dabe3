"""The state machine's input and each Task's input (``infra/statemachine/pipeline.asl.json``'s Parameters).

Every key a start payload names is present in its JSON (None where unset): the Tasks' JSONPaths
(``$.meter``) fail on a missing key. Each stage validates its input first, so a payload the code and the
state machine disagree on fails at the stage with the key named, not later as a KeyError.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from humitout.models import Contract, Style

Length = Literal["short", "normal", "long"]


class VersionChoices(Contract):
    """What a caller chose for a version (by key press, SMS or the web app), as Compose reads it."""

    style: Style | None = None  # None: the agents choose
    length: Length = "normal"
    meter: str | None = None  # a caller meter ("3/4", models.CALLER_METERS) or models.AS_HUMMED; None: the newest
    # version's, else the hum's own
    bar_shift: int | None = None  # beats to move bar 1 later ("shift"); None: as far as the newest version's
    song_tempo_bpm: float | None = Field(default=None, ge=0.0)  # the song tempo asked for ("half", "double");
    # 0: the style's choice; None: the newest version's
    variation_seed: int = Field(default=0, ge=0)  # another arrangement of the same choices ("again")


class PipelineStart(VersionChoices):
    """The state machine's input (``start_execution``)."""

    session_id: str
    caller: str  # the caller's number, sealed (humitout.security.seal_phone)


class CallStart(PipelineStart):
    """A call's recording: Transcribe, then the rest."""

    call_sid: str
    recording_url: str
    recording_sid: str


class NewVersionStart(PipelineStart):
    """A new version of a saved hum (SMS or web app): from its ``analysis.json`` straight to Compose."""

    analysis_key: str


class TranscribeInput(Contract):
    session_id: str
    caller: str
    recording_url: str
    recording_sid: str
    call_sid: str
    style: Style | None = None
    execution_arn: str | None = None


class ComposeInput(VersionChoices):
    session_id: str
    analysis_key: str
    execution_id: str  # the execution's name: one version per execution


class RenderInput(Contract):
    session_id: str
    version: int = Field(ge=1)
    arrangement_key: str


class NotifyInput(Contract):
    session_id: str
    caller: str
    track_id: str
    execution_id: str


class NotifyFailureInput(Contract):
    session_id: str
    caller: str
    error: dict[str, str | None] = {}  # the Catch's {"Error", "Cause"}
    execution_id: str


STAGE_INPUTS: dict[str, type[Contract]] = {
    "transcribe": TranscribeInput, "compose": ComposeInput, "render": RenderInput, "notify": NotifyInput,
    "notify_failure": NotifyFailureInput,
}
