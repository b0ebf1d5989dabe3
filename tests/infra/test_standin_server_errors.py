"""The local stand-ins' HTTP server: a failing request is logged with its traceback, a client that hangs up is not."""
import logging
import socket

import requests

from humitout_infra.local.http_util import BackgroundServer, QuietHandler


class _Failing(QuietHandler):
    def do_GET(self):
        if self.path == "/boom":
            raise ValueError("stand-in bug")
        self.send_json(200, {"ok": True})

    def do_POST(self):  # a client that hangs up while its request is read
        raise ConnectionResetError("peer reset")


class _Server(BackgroundServer):
    def __init__(self):
        self.serve(_Failing, 0, "test-standin")


def test_a_request_that_raises_in_a_stand_in_is_logged_with_its_traceback_and_a_hung_up_client_is_not(caplog):
    server = _Server().start()
    try:
        with caplog.at_level(logging.ERROR, logger="humitout.local"):
            try:
                requests.get(server.url + "/boom", timeout=5)
            except requests.ConnectionError:
                pass  # the handler died before answering
            with socket.create_connection(server.server.server_address, timeout=5) as sock:
                sock.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                sock.recv(1)
            assert requests.get(server.url + "/fine", timeout=5).json() == {"ok": True}
    finally:
        server.stop()
    failures = [r for r in caplog.records if r.name == "humitout.local"]
    assert len(failures) == 1
    assert failures[0].exc_info[0] is ValueError and "stand-in bug" in str(failures[0].exc_info[1])
