"""Compose task: analysis.json -> arrangement.json (AG2 agents + harmoniser)."""
from aws_lambda_powertools import Logger, Tracer

from humitout import pipeline
from humitout.runtime import services

logger = Logger(service="compose")
tracer = Tracer(service="compose")


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def handler(event, context):
    logger.append_keys(session_id=event.get("session_id"))
    return pipeline.compose(services(), event)
