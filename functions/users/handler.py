"""Sign-up: POST /users {"email", "phone"} → account with a random PIN, texted once to the phone."""
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from pydantic import BaseModel

from humitout.accounts import AlreadyRegistered, SignUpError, sign_up
from humitout.runtime import services

logger = Logger(service="users")
tracer = Tracer(service="users")
app = APIGatewayHttpResolver()


class SignUpRequest(BaseModel):
    email: str
    phone: str


def _json(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type="application/json", body=body)


@app.post("/users")
def create_user():
    try:
        request = parse(event=app.current_event.json_body or {}, model=SignUpRequest)
    except (ValidationError, ValueError):
        return _json(400, {"error": 'send JSON {"email": "...", "phone": "+15551234567"}'})
    svc = services()
    if not svc.db.note_call_attempt(f"signup:{request.phone}", 3):
        return _json(429, {"error": "too many sign-ups for this number; try again in an hour"})
    try:
        account = sign_up(svc, request.email, request.phone)
    except AlreadyRegistered as exc:
        return _json(409, {"error": str(exc)})
    except SignUpError as exc:
        return _json(400, {"error": str(exc)})
    # The PIN goes to the phone only: whoever calls this endpoint never sees it.
    return _json(201, {"user_id": account.user_id, "phone": account.phone, "pin": "sent by SMS"})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event, context):
    return app.resolve(event, context)
