"""The Lambda entry point of a Step Functions stage: Powertools logging and tracing around one
function of :mod:`humitout.pipeline`, called with the process's :class:`~humitout.runtime.Services`."""
from __future__ import annotations

from typing import Callable

from aws_lambda_powertools import Logger, Tracer

from humitout.runtime import Services, services


def stage_handler(service: str, stage: Callable[[Services, dict], dict]) -> Callable[[dict, object], dict]:
    """``handler(event, context)`` for a stage; errors propagate so Step Functions retries/catches."""
    logger = Logger(service=service)
    tracer = Tracer(service=service)

    @logger.inject_lambda_context(log_event=True)
    @tracer.capture_lambda_handler
    def handler(event: dict, context) -> dict:
        logger.append_keys(session_id=event.get("session_id"))
        return stage(services(), event)

    return handler
