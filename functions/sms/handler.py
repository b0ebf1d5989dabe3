"""Incoming SMS webhook: /twilio/sms ("jazz", "again", "help")."""
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from humitout import calls
from humitout.db import CONNECTION_ERRORS
from humitout.runtime import services
from humitout.telephony import SmsWebhook
from humitout.webhooks import twiml, verified_webhook

logger = Logger(service="sms")
tracer = Tracer(service="sms")
app = APIGatewayHttpResolver()


@app.post("/twilio/sms")
def sms_received():
    svc = services()
    hook = verified_webhook(app.current_event, svc.settings, SmsWebhook)
    return twiml(calls.sms_received(svc, hook))


@app.exception_handler(list(CONNECTION_ERRORS))
def database_unavailable(exc: Exception):
    logger.warning("database unavailable", extra={"error": type(exc).__name__})
    return twiml(calls.database_unavailable_sms())


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event, context):
    return app.resolve(event, context)
