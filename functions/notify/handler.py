"""Notify tasks: the success SMS (handler) and NotifyFailure (failure_handler)."""
from aws_lambda_powertools import Logger, Tracer

from humitout import pipeline
from humitout.runtime import services

logger = Logger(service="notify")
tracer = Tracer(service="notify")


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def handler(event, context):
    logger.append_keys(session_id=event.get("session_id"))
    return pipeline.notify(services(), event)


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def failure_handler(event, context):
    logger.append_keys(session_id=event.get("session_id"))
    return pipeline.notify_failure(services(), event)
