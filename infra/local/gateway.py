"""A local stand-in for API Gateway (HTTP API, payload format 2.0): each HTTP request
becomes the proxy event API Gateway would send, and the handler's result becomes the reply."""
from __future__ import annotations

import base64
import re
import time
import urllib.parse
import uuid

from humitout_infra.local.http_util import BackgroundServer, QuietHandler
from humitout_infra.local.lambdas import ACCOUNT, FunctionFailed, LocalLambdas
from humitout_infra.topology import ROUTES


def _route_pattern(path: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")


COMPILED_ROUTES = [(method, path, _route_pattern(path), fn) for method, path, fn in ROUTES]


def proxy_event(method: str, raw_path: str, raw_query: str, headers: dict[str, str], body: bytes,
                source_ip: str = "127.0.0.1") -> tuple[str, dict] | None:
    """``(function name, event)`` for a request, or None when no route matches."""
    for route_method, route_path, pattern, fn in COMPILED_ROUTES:
        match = pattern.match(raw_path)
        if route_method != method or not match:
            continue
        query = urllib.parse.parse_qs(raw_query, keep_blank_values=True)
        now = time.time()
        lower = {k.lower(): v for k, v in headers.items()}
        event = {
            "version": "2.0",
            "routeKey": f"{method} {route_path}",
            "rawPath": raw_path,
            "rawQueryString": raw_query,
            "headers": lower,
            # API Gateway moves the Cookie header into ``cookies`` (payload 2.0)
            **({"cookies": [c.strip() for c in lower["cookie"].split(";") if c.strip()]} if "cookie" in lower else {}),
            "queryStringParameters": {k: ",".join(v) for k, v in query.items()} or None,
            "pathParameters": match.groupdict() or None,
            "requestContext": {
                "accountId": ACCOUNT, "apiId": "local", "domainName": lower.get("host", "127.0.0.1"),
                "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                         "sourceIp": source_ip, "userAgent": lower.get("user-agent", "")},
                "requestId": str(uuid.uuid4()), "routeKey": f"{method} {route_path}", "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "timeEpoch": int(now * 1000),
            },
            "body": base64.b64encode(body).decode() if body else None,
            "isBase64Encoded": bool(body),
        }
        return fn, event
    return None


class Gateway(BackgroundServer):
    """Serves the routes on 127.0.0.1:``port`` (0 = any free port) in a background thread."""

    def __init__(self, lambdas: LocalLambdas, port: int = 0):
        gateway = self
        self.lambdas = lambdas
        self.latencies: list[tuple[str, float]] = []  # (route key, seconds)

        class Handler(QuietHandler):
            def _serve(self):
                started = time.monotonic()
                parts = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                found = proxy_event(self.command, parts.path, parts.query, dict(self.headers.items()), body,
                                    self.client_address[0])
                if found is None:
                    return self.send_json(404, {"message": "Not Found"})
                fn, event = found
                try:
                    result = gateway.lambdas.invoke(fn, event)
                except FunctionFailed:
                    return self.send_json(500, {"message": "Internal Server Error"})
                payload = result.get("body") or ""
                data = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
                headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
                for name, values in (result.get("multiValueHeaders") or {}).items():
                    headers[name.lower()] = ", ".join(values)
                self.send_body(int(result.get("statusCode", 200)), headers, data,
                               [("Set-Cookie", c) for c in result.get("cookies") or []])
                gateway.latencies.append((event["routeKey"], time.monotonic() - started))

            do_GET = do_POST = _serve

        self.serve(Handler, port, "gateway")
