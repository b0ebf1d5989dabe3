"""The small HTTP server pieces the local stand-ins share."""
from __future__ import annotations

import json
import logging
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

logger = logging.getLogger("humitout.local")


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, no access log (the CLI prints its own progress)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def send_body(self, status: int, headers: dict[str, str], data: bytes,
                  repeated: list[tuple[str, str]] = ()) -> None:
        """``repeated``: headers that may occur more than once (``Set-Cookie``)."""
        self.send_response(status)
        for name, value in [*headers.items(), *repeated]:
            if name.lower() not in {"content-length", "connection"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, doc: dict) -> None:
        self.send_body(status, {"Content-Type": "application/json"}, json.dumps(doc).encode())


class StandInHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server whose request errors go to the log with their traceback (socketserver prints
    them to stderr, where a test run loses the traceback); a client that hung up mid-request (a keep-alive
    connection closed by its pool) is no error."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        logger.exception("local stand-in on port %s: the request from %s failed", self.server_address[1],
                         client_address)


class BackgroundServer:
    """A threading HTTP server on 127.0.0.1 run in a daemon thread between :meth:`start` and :meth:`stop`."""

    def serve(self, handler: type[BaseHTTPRequestHandler], port: int, name: str) -> None:
        """Bind ``handler`` to 127.0.0.1:``port`` (0 = any free port) and set :attr:`url`."""
        self.server = StandInHTTPServer(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name=name)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
