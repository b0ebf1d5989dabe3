"""Render task (container image with FluidSynth): arrangement.json -> DAW package in S3."""
from aws_lambda_powertools import Logger, Tracer

from humitout import pipeline
from humitout.runtime import services

logger = Logger(service="render")
tracer = Tracer(service="render")


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def handler(event, context):
    logger.append_keys(session_id=event.get("session_id"))
    return pipeline.render(services(), event)
