"""Twilio webhook plumbing for the Powertools HTTP API resolvers (API Gateway payload v2)."""
from __future__ import annotations

import binascii
from typing import TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import BadRequestError, ForbiddenError
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from pydantic import BaseModel

from humitout.config import Settings
from humitout.telephony import parse_form, public_url, signature_is_valid

Model = TypeVar("Model", bound=BaseModel)


def verified_webhook(event: APIGatewayProxyEventV2, settings: Settings, model: type[Model]) -> Model:
    """Check X-Twilio-Signature over the public URL as Twilio sent it; parse the form.

    The URL is ``PUBLIC_BASE_URL`` (which carries any stage path) + ``rawPath`` +
    ``?rawQueryString``. Raises ``ForbiddenError`` (403) before anything is written, and
    ``BadRequestError`` (400) for a body that is not UTF-8 form data.
    """
    try:
        form = parse_form(event.decoded_body)
    except (UnicodeDecodeError, binascii.Error) as exc:
        raise BadRequestError("body is not UTF-8 form data") from exc
    url = public_url(settings.public_base_url, event.raw_path, event.raw_query_string)
    if not signature_is_valid(settings.twilio_auth_token, url, form, event.headers.get("x-twilio-signature")):
        raise ForbiddenError("invalid Twilio signature")
    if form.get("AccountSid") != settings.twilio_account_sid:
        raise ForbiddenError("webhook for another Twilio account")
    try:
        return parse(event=form, model=model)
    except ValidationError as exc:
        raise BadRequestError(f"missing or invalid fields: {exc.error_count()}") from exc


def twiml(body: str) -> Response:
    return Response(status_code=200, content_type="application/xml", body=body)
