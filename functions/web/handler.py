"""The web app "My tracks" (sign-in, history with live progress, track pages) and its static files."""
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from humitout.runtime import services
from humitout.web import app as web
from humitout.web.http import Reply, Request, parse_cookies

logger = Logger(service="web")
tracer = Tracer(service="web")
app = APIGatewayHttpResolver()


def request() -> Request:
    """The current API Gateway (HTTP API 2.0) event as a :class:`Request`."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    raw_cookies = list(event.get("cookies") or []) + ([headers["cookie"]] if "cookie" in headers else [])
    body = event.decoded_body or ""
    return Request(method=event.request_context.http.method, path=event.raw_path,
                   query=dict(event.query_string_parameters or {}), headers=headers,
                   cookies=parse_cookies(raw_cookies), body=body.encode() if isinstance(body, str) else body)


def reply(r: Reply) -> Response:
    return Response(status_code=r.status, content_type=r.content_type, body=r.body, headers=r.headers,
                    cookies=r.cookies)


@app.get("/app")
def home():
    return reply(web.home(services(), request()))


@app.get("/app/signin")
def sign_in_form():
    return reply(web.sign_in_form(services(), request()))


@app.post("/app/signin")
def sign_in():
    return reply(web.sign_in(services(), request()))


@app.post("/app/signin-link")
def request_link():
    return reply(web.request_link(services(), request()))


@app.get("/app/signin-link/<token>")
def link_form(token: str):
    return reply(web.link_form(services(), request(), token))


@app.post("/app/signin-link/<token>")
def use_link(token: str):
    return reply(web.use_link(services(), request(), token))


@app.post("/app/signout")
def sign_out():
    return reply(web.sign_out(services(), request()))


@app.get("/app/sessions/<session_id>/progress")
def progress(session_id: str):
    return reply(web.progress(services(), request(), session_id))


@app.post("/app/sessions/<session_id>/versions")
def new_version(session_id: str):
    return reply(web.new_version(services(), request(), session_id))


@app.get("/app/tracks/<track_id>")
def track(track_id: str):
    return reply(web.track(services(), request(), track_id))


@app.post("/app/tracks/<track_id>/share")
def share(track_id: str):
    return reply(web.share(services(), request(), track_id))


@app.post("/app/tracks/<track_id>/revoke")
def revoke(track_id: str):
    return reply(web.revoke(services(), request(), track_id))


@app.get("/static/<name>")
def static(name: str):
    return reply(web.static(services(), request(), name))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event, context):
    return app.resolve(event, context)
