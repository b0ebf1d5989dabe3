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


FUNCTIONS = (
    FunctionSpec("voice", "voice"),
    FunctionSpec("sms", "sms"),
    FunctionSpec("links", "links"),
    FunctionSpec("users", "users"),
    FunctionSpec("web", "web"),
    FunctionSpec("transcribe", "transcribe", memory_mb=1769, timeout_s=120, container=True, asl_arn_key="TranscribeFunctionArn"),
    FunctionSpec("compose", "compose", memory_mb=1024, timeout_s=180, container=True, asl_arn_key="ComposeFunctionArn"),
    FunctionSpec("render", "render", memory_mb=3008, timeout_s=300, container=True, asl_arn_key="RenderFunctionArn"),
    FunctionSpec("notify", "notify", timeout_s=30, asl_arn_key="NotifyFunctionArn"),
    FunctionSpec("notify-failure", "notify", entry="failure_handler", timeout_s=30,
                 asl_arn_key="NotifyFailureFunctionArn"),
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
