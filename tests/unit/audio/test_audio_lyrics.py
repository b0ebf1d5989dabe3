"""Whisper lyrics against a local stand-in of the OpenAI API (no network)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import openai
import pytest

from humitout.audio.lyrics import transcribe_lyrics

VERBOSE = {"task": "transcribe", "language": "english", "duration": 3.2,
           "text": "Happy birthday to you",
           "words": [{"word": "Happy", "start": 0.4, "end": 0.8}, {"word": "birthday", "start": 0.8, "end": 1.5},
                     {"word": "to", "start": 1.5, "end": 1.8}, {"word": "you", "start": 1.8, "end": 2.6}]}


@pytest.fixture
def whisper_server():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        body = VERBOSE
        status = 200

        def do_POST(self):  # noqa: N802 (http.server API)
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.path, raw))
            out = json.dumps(Handler.body).encode()
            self.send_response(Handler.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass

    srv = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    client = openai.OpenAI(api_key="test", base_url=f"http://127.0.0.1:{srv.server_port}/v1", max_retries=0)
    yield client, Handler, seen
    srv.shutdown()


def test_whisper_words_become_lyrics(whisper_server):
    client, _, seen = whisper_server
    lyr = transcribe_lyrics(b"RIFF fake wav", client)
    assert lyr.source == "whisper" and lyr.text == "Happy birthday to you" and lyr.language == "english"
    assert [w.word for w in lyr.words] == ["Happy", "birthday", "to", "you"]
    assert lyr.words[1].start_s == 0.8 and lyr.words[1].end_s == 1.5
    path, body = seen[0]
    assert path == "/v1/audio/transcriptions"
    assert b"whisper-1" in body and b"verbose_json" in body and b"word" in body


def test_humming_syllables_are_not_lyrics(whisper_server):
    client, handler, _ = whisper_server
    handler.body = {**VERBOSE, "text": "Mmm, mm-hmm. \u266a", "words": []}
    assert transcribe_lyrics(b"RIFF", client).source == "none"


def test_whisper_failure_leaves_no_lyrics(whisper_server):
    client, handler, _ = whisper_server
    handler.status = 500
    handler.body = {"error": {"message": "boom"}}
    assert transcribe_lyrics(b"RIFF", client).source == "none"


def test_without_a_client_there_are_no_lyrics():
    assert transcribe_lyrics(b"RIFF", None).source == "none"
