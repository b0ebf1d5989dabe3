"""Sign-up: POST /users {"email", "phone"} → account with a random PIN, texted once to the phone.

The answer never says whether a number was already registered (202 either way); the owner of a
registered number is texted how to get a new PIN instead. Limited per client, overall and per number.
"""
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from pydantic import BaseModel
from twilio.base.exceptions import TwilioRestException

from humitout.accounts import EmailInUse, SignUpError, request_sign_up
from humitout.db import CONNECTION_ERRORS
from humitout.errors import TransientError
from humitout.runtime import services

logger = Logger(service="users")
tracer = Tracer(service="users")
app = APIGatewayHttpResolver()

ACCEPTED = {"status": "If this number can be registered, its PIN is on the way by SMS. "
                      "Already registered? Text PIN to our number for a new one."}


class SignUpRequest(BaseModel):
    email: str
    phone: str


def _json(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type="application/json", body=body)


@app.post("/users")
def create_user():
    try:
        request = parse(event=app.current_event.json_body or {}, model=SignUpRequest)
    except (ValidationError, ValueError, TypeError):
        return _json(400, {"error": 'send JSON {"email": "...", "phone": "+15551234567"}'})
    client = app.current_event.request_context.http.source_ip or "unknown"
    try:
        if not request_sign_up(services(), request.email, request.phone, client):
            return _json(429, {"error": "too many sign-ups; try again in an hour"})
    except EmailInUse as exc:
        return _json(409, {"error": str(exc)})
    except SignUpError as exc:
        return _json(400, {"error": str(exc)})
    except TwilioRestException:
        return _json(400, {"error": "we couldn't text that number; use a mobile number that can receive SMS"})
    except TransientError:
        logger.warning("sign-up SMS failed; the account waits for a retry")
        return _json(503, {"error": "we couldn't text your PIN just now; please try again in a minute"})
    # The PIN goes to the phone only: whoever calls this endpoint never sees it.
    return _json(202, ACCEPTED)


@app.exception_handler(list(CONNECTION_ERRORS))
def database_unavailable(exc: Exception):
    logger.warning("database unavailable", extra={"error": type(exc).__name__})
    return _json(503, {"error": "we're having trouble right now; please try again in a few minutes"})


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event, context):
    return app.resolve(event, context)
