"""The recording fetch follows Twilio's media redirects safely: a bounded number, each hop on the
allow-list and https (http only for the loopback stand-in), credentials only to Twilio's API host,
the URL parsed once by the library that fetches it; 404 (not ready yet) is retried."""
import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from humitout.errors import BadAudio, TransientError
from humitout.telephony import fetch_recording, host_allowed

WAV = b"RIFF" + b"\0" * 100


class Server:
    """127.0.0.1 (the "API host") and localhost (the "media host") on one port. ``routes``:
    path -> (status, headers, body)."""

    def __init__(self):
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.seen: list[tuple[str, str, str | None]] = []  # (host header, path, Authorization)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.seen.append((self.headers["Host"].split(":")[0], self.path, self.headers.get("Authorization")))
                status, headers, body = server.routes.get(self.path, (404, {}, b""))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v.replace("PORT", str(server.port)))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.httpd.shutdown()


def fetch(url, hosts=("127.0.0.1", "localhost"), **kwargs):
    return fetch_recording(url, hosts, "AC1", "secret", credential_hosts=("127.0.0.1",), **kwargs)


def test_a_redirect_to_an_allowed_media_host_is_followed_without_credentials(server):
    server.routes["/rec/RE1.wav"] = (302, {"Location": "http://localhost:PORT/media/RE1.wav?sig=1"}, b"")
    server.routes["/media/RE1.wav?sig=1"] = (200, {}, WAV)
    assert fetch(f"http://127.0.0.1:{server.port}/rec/RE1") == WAV
    (api_host, _, api_auth), (media_host, _, media_auth) = server.seen
    assert api_host == "127.0.0.1" and api_auth == "Basic " + base64.b64encode(b"AC1:secret").decode()
    assert media_host == "localhost" and media_auth is None


def test_a_redirect_off_the_allow_list_is_refused(server):
    server.routes["/rec/RE1.wav"] = (302, {"Location": "http://localhost:PORT/media/RE1.wav"}, b"")
    with pytest.raises(BadAudio, match="not allowed"):
        fetch(f"http://127.0.0.1:{server.port}/rec/RE1", hosts=("127.0.0.1",))
    assert len(server.seen) == 1


def test_redirects_are_bounded(server):
    server.routes["/rec/RE1.wav"] = (302, {"Location": "/rec/RE1.wav"}, b"")
    with pytest.raises(BadAudio, match="redirects"):
        fetch(f"http://127.0.0.1:{server.port}/rec/RE1", max_redirects=3)
    assert len(server.seen) == 4


def test_a_404_is_retried_as_transient_because_twilio_may_not_have_the_file_yet(server):
    with pytest.raises(TransientError):
        fetch(f"http://127.0.0.1:{server.port}/rec/missing")
    server.routes["/rec/gone.wav"] = (403, {}, b"")
    with pytest.raises(BadAudio):
        fetch(f"http://127.0.0.1:{server.port}/rec/gone")


@pytest.mark.parametrize("url", [
    "http://2130706433:P\\@127.0.0.1/rec",  # user-info that other parsers read as another host
    "https://user:pw@api.twilio.com/rec",
    "http://api.twilio.com/rec",  # plain http off loopback
    "https://api.twilio.com.evil.example/rec",
    "https://evil.example/rec?https://api.twilio.com/",
    "ftp://api.twilio.com/rec",
])
def test_urls_that_could_smuggle_another_host_or_scheme_are_refused(url):
    with pytest.raises(BadAudio) as err:
        fetch_recording(url, ("api.twilio.com", "127.0.0.1"), "AC1", "secret")
    assert err.value.code == "fetch_failed"


def test_allow_list_entries_with_a_leading_dot_cover_subdomains_only():
    assert host_allowed("media.twiliocdn.com", (".twiliocdn.com",))
    assert not host_allowed("eviltwiliocdn.com", (".twiliocdn.com",))
    assert host_allowed("api.twilio.com", ("api.twilio.com",)) and not host_allowed("x.api.twilio.com", ("api.twilio.com",))
