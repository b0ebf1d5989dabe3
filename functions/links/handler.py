"""Share links: GET /s/{token} is the track page for that one track (fresh presigned links on
every visit), no sign-in needed."""
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from humitout.runtime import services
from humitout.web.app import shared_track
from humitout.web.http import Request

logger = Logger(service="links")
tracer = Tracer(service="links")
app = APIGatewayHttpResolver()


@app.get("/s/<token>")
def open_link(token: str):
    event = app.current_event
    r = shared_track(services(), Request(method="GET", path=event.raw_path), token)
    return Response(status_code=r.status, content_type=r.content_type, body=r.body, headers=r.headers)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event, context):
    return app.resolve(event, context)
