"""Scheduled sweeper (EventBridge, every few minutes; a thread of ``humitout serve`` locally):
sessions stuck in a non-final state are reconciled with their execution, the caller texted once."""
from aws_lambda_powertools import Logger

from humitout.pipeline import sweep
from humitout.runtime import services

logger = Logger(service="sweeper")


@logger.inject_lambda_context
def handler(event, context):
    actions = sweep(services())
    if actions:
        logger.info("sessions reconciled", extra={"reconciled": len(actions),
                                                  "texted": sum(a["texted"] for a in actions),
                                                  "executions": sorted({a["execution"] for a in actions})})
    return {"reconciled": len(actions), "texted": sum(a["texted"] for a in actions)}
