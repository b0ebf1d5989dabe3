"""Voice webhooks: /twilio/voice (call in), /twilio/pin, /twilio/style, /twilio/recording."""
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.metrics import MetricUnit

from humitout import calls
from humitout.db import CONNECTION_ERRORS
from humitout.runtime import services
from humitout.telephony import RecordingWebhook, VoiceWebhook
from humitout.webhooks import twiml, verified_webhook

logger = Logger(service="voice")
tracer = Tracer(service="voice")
metrics = Metrics(namespace="HumItOut", service="voice")
app = APIGatewayHttpResolver()


@app.post("/twilio/voice")
def incoming_call():
    svc = services()
    hook = verified_webhook(app.current_event, svc.settings, VoiceWebhook)
    metrics.add_metric(name="CallsReceived", unit=MetricUnit.Count, value=1)
    return twiml(calls.incoming_call(svc, hook))


@app.post("/twilio/pin")
def pin_entered():
    svc = services()
    hook = verified_webhook(app.current_event, svc.settings, VoiceWebhook)
    return twiml(calls.pin_entered(svc, hook))


@app.post("/twilio/style")
def style_chosen():
    svc = services()
    hook = verified_webhook(app.current_event, svc.settings, VoiceWebhook)
    return twiml(calls.style_chosen(svc, hook, app.current_event.get_query_string_value("t", "")))


@app.post("/twilio/recording")
def recording_done():
    svc = services()
    hook = verified_webhook(app.current_event, svc.settings, RecordingWebhook)
    logger.append_keys(recording_sid=hook.RecordingSid, call_sid=hook.CallSid)
    metrics.add_metric(name="RecordingsReceived", unit=MetricUnit.Count, value=1)
    event = app.current_event
    return twiml(calls.recording_done(svc, hook, event.get_query_string_value("t", ""),
                                      event.get_query_string_value("style")))


@app.exception_handler(list(CONNECTION_ERRORS))
def database_unavailable(exc: Exception):
    logger.warning("database unavailable", extra={"error": type(exc).__name__})
    metrics.add_metric(name="DatabaseUnavailable", unit=MetricUnit.Count, value=1)
    return twiml(calls.database_unavailable_call())


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(event, context):
    return app.resolve(event, context)
