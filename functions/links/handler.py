"""Share links: GET /s/{token} renders a page of freshly presigned download links."""
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from humitout.links import share_page
from humitout.runtime import services

logger = Logger(service="links")
tracer = Tracer(service="links")
app = APIGatewayHttpResolver()


@app.get("/s/<token>")
def open_link(token: str):
    status, page = share_page(services(), token)
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=page,
                    headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event, context):
    return app.resolve(event, context)
