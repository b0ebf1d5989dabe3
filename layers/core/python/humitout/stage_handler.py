"""The Lambda entry point of a Step Functions stage: Powertools logging and tracing around one
function of :mod:`humitout.pipeline`, called with the process's :class:`~humitout.runtime.Services`."""
from __future__ import annotations

from typing import Callable

from aws_lambda_powertools import Logger, Tracer

from humitout.db import CONNECTION_ERRORS
from humitout.errors import TransientError
from humitout.runtime import Services, services


def stage_handler(service: str, stage: Callable[[Services, dict], dict]) -> Callable[[dict, object], dict]:
    """``handler(event, context)`` for a stage; errors propagate so Step Functions retries/catches.

    A lost or refused database connection becomes :class:`TransientError` (the state machine
    retries it with backoff). The event is not logged: it carries the caller's number.
    """
    logger = Logger(service=service)
    tracer = Tracer(service=service)

    @logger.inject_lambda_context(log_event=False)
    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event: dict, context) -> dict:
        logger.append_keys(session_id=event.get("session_id"))
        try:
            return stage(services(), event)
        except CONNECTION_ERRORS as exc:
            logger.warning("database unavailable; the state machine will retry", extra={"error": str(exc)})
            raise TransientError(f"database unavailable: {type(exc).__name__}: {exc}"[:500]) from exc

    return handler
