"""What runs where: the Lambda functions and HTTP routes, shared by the CDK stack and the
local runner so both wire the same handlers to the same paths and state-machine tasks."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS_DIR = REPO_ROOT / "functions"
STATE_MACHINE_FILE = REPO_ROOT / "infra" / "statemachine" / "pipeline.asl.json"


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda: ``functions/<folder>/handler.py`` exposing ``entry``."""

    name: str
    folder: str
    entry: str = "handler"
    memory_mb: int = 512
    timeout_s: int = 15
    # Stages needing numpy/scipy/onnxruntime/FluidSynth exceed Lambda's 250 MB zip limit: they
    # run from the one container image (functions/render/Dockerfile), each with its own CMD.
    container: bool = False
    asl_arn_key: str | None = None  # the ${...} substitution in the state machine
    # What the function cannot run without (humitout.config.REQUIREMENTS; HUMITOUT_REQUIRES in
    # AWS, checked at cold start). "sender": it texts, so it gets the sending number.
    requires: tuple[str, ...] = ("database",)
    schedule_minutes: int | None = None  # run on an EventBridge schedule (and by `humitout serve`)


FUNCTIONS = (
    FunctionSpec("voice", "voice", requires=("database", "twilio", "state_machine", "public_url")),
    FunctionSpec("sms", "sms", requires=("database", "twilio", "sender", "state_machine", "public_url")),
    FunctionSpec("links", "links", requires=("database", "bucket")),
    FunctionSpec("users", "users", requires=("database", "twilio", "sender")),
    FunctionSpec("web", "web", requires=("database", "bucket", "twilio", "state_machine", "public_url")),
    FunctionSpec("transcribe", "transcribe", memory_mb=1769, timeout_s=120, container=True,
                 asl_arn_key="TranscribeFunctionArn", requires=("database", "twilio", "bucket")),
    FunctionSpec("compose", "compose", memory_mb=1024, timeout_s=180, container=True,
                 asl_arn_key="ComposeFunctionArn", requires=("database", "bucket")),
    # Render is single-threaded (CPU s <= wall s per stage) with a 389 MB peak for a 60 s song
    # (bench_render): 1769 MB is one full vCPU, the most it can use, with 4x memory headroom; its
    # WAVs + ZIP need ~270 MB of /tmp per minute of song, so the stack gives it 2 GB.
    FunctionSpec("render", "render", memory_mb=1769, timeout_s=300, container=True,
                 asl_arn_key="RenderFunctionArn", requires=("database", "bucket")),
    FunctionSpec("notify", "notify", timeout_s=30, asl_arn_key="NotifyFunctionArn",
                 requires=("database", "twilio", "sender", "public_url")),
    # NotifyFailure texts from the execution input even with the database down: no "database".
    FunctionSpec("notify-failure", "notify", entry="failure_handler", timeout_s=30,
                 asl_arn_key="NotifyFailureFunctionArn", requires=("twilio", "sender")),
    FunctionSpec("sweeper", "sweeper", timeout_s=120, schedule_minutes=5,
                 requires=("database", "twilio", "sender", "state_machine")),
)

# (method, path, function name); paths use API Gateway's {param} syntax.
ROUTES = (
    ("POST", "/twilio/voice", "voice"),
    ("POST", "/twilio/pin", "voice"),
    ("POST", "/twilio/style", "voice"),
    ("POST", "/twilio/recording", "voice"),
    ("POST", "/twilio/sms", "sms"),
    ("GET", "/s/{token}", "links"),
    ("POST", "/users", "users"),
    # The web app "My tracks" and its static files (functions/web).
    ("GET", "/app", "web"),
    ("GET", "/app/signin", "web"),
    ("POST", "/app/signin", "web"),
    ("POST", "/app/signout", "web"),
    ("POST", "/app/signin-link", "web"),
    ("GET", "/app/signin-link/{token}", "web"),
    ("POST", "/app/signin-link/{token}", "web"),
    ("GET", "/app/sessions/{session_id}/progress", "web"),
    ("POST", "/app/sessions/{session_id}/versions", "web"),
    ("GET", "/app/tracks/{track_id}", "web"),
    ("POST", "/app/tracks/{track_id}/share", "web"),
    ("POST", "/app/tracks/{track_id}/revoke", "web"),
    ("GET", "/static/{name}", "web"),
)


def function(name: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.name == name:
            return spec
    raise KeyError(name)
