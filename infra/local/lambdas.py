"""Runs the real handler files in-process, the way Lambda would: one event at a time per
loaded copy ("container"), a small pool of copies per function, a LambdaContext each call."""
from __future__ import annotations

import importlib.util
import queue
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

from humitout_infra.topology import FUNCTIONS_DIR, FunctionSpec, function

REGION = "us-east-1"
ACCOUNT = "123456789012"


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:humitout-{name}"


def name_from_arn(arn_or_name: str) -> str:
    """``arn:aws:lambda:…:function:humitout-render[:qualifier]`` or ``humitout-render`` → ``render``."""
    parts = arn_or_name.split(":")
    name = parts[6] if len(parts) >= 7 else arn_or_name
    return name.removeprefix("humitout-")


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_s: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))


class FunctionFailed(Exception):
    """A handler raised: carries Lambda's error payload (errorType, errorMessage, stackTrace)."""

    def __init__(self, payload: dict):
        super().__init__(payload["errorMessage"])
        self.payload = payload


class LocalLambdas:
    """Invoke handlers by function name: up to ``webhook_copies`` concurrent invocations of a
    webhook function and ``stage_copies`` of a container (CPU-heavy) stage."""

    def __init__(self, webhook_copies: int = 32, stage_copies: int = 2):
        self.webhook_copies = webhook_copies
        self.stage_copies = stage_copies
        self._pools: dict[str, queue.Queue] = {}
        self._created: dict[str, int] = {}
        self._lock = threading.Lock()
        self._ended = threading.Condition()
        self.last_ended_at = float("-inf")  # time.monotonic() when the latest invocation ended
        self.on_invoke: Callable[[str, float, bool], None] | None = None  # (name, seconds, ok)

    def _load(self, spec: FunctionSpec) -> Callable:
        path = FUNCTIONS_DIR / spec.folder / "handler.py"
        module_name = f"humitout_fn_{spec.folder}_{uuid.uuid4().hex[:8]}"
        mod_spec = importlib.util.spec_from_file_location(module_name, path)
        module: ModuleType = importlib.util.module_from_spec(mod_spec)
        mod_spec.loader.exec_module(module)
        return getattr(module, spec.entry)

    def _checkout(self, spec: FunctionSpec) -> Callable:
        with self._lock:
            pool = self._pools.setdefault(spec.name, queue.Queue())
            limit = self.stage_copies if spec.container else self.webhook_copies
            if pool.empty() and self._created.get(spec.name, 0) < limit:
                self._created[spec.name] = self._created.get(spec.name, 0) + 1
                pool.put(self._load(spec))
        return pool.get()

    def wait_for_invocation_end(self, since: float, timeout_s: float) -> None:
        """Block until an invocation has ended after ``since`` (``time.monotonic()`` seconds;
        returns at once if one has), or for at most ``timeout_s`` seconds."""
        with self._ended:
            self._ended.wait_for(lambda: self.last_ended_at > since, timeout_s)

    def invoke(self, name: str, event: Any) -> Any:
        """Run the handler; raises :class:`FunctionFailed` with Lambda's error payload."""
        spec = function(name)
        fn = self._checkout(spec)
        ctx = LambdaContext(f"humitout-{name}", spec.memory_mb, function_arn(name), spec.timeout_s)
        started = time.monotonic()
        ok = False
        try:
            result = fn(event, ctx)
            ok = True
            return result
        except Exception as exc:
            raise FunctionFailed({
                "errorType": type(exc).__name__,
                "errorMessage": str(exc),
                "stackTrace": traceback.format_exception(exc)[-30:],
            }) from exc
        finally:
            self._pools[spec.name].put(fn)
            with self._ended:
                self.last_ended_at = time.monotonic()
                self._ended.notify_all()
            if self.on_invoke:
                self.on_invoke(name, time.monotonic() - started, ok)
