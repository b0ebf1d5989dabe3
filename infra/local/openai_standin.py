"""A local OpenAI for tests and offline runs: the two endpoints the product calls, with the
request and response shapes of the real API (``/v1/audio/transcriptions`` verbose_json with
word timestamps, ``/v1/chat/completions``), bearer-key checked. It does not understand audio
or music: what it answers is set by the caller (``transcript``, ``chat_reply``)."""
from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Callable

from humitout_infra.local.http_util import BackgroundServer, QuietHandler


class OpenAIStandIn(BackgroundServer):
    """Serves on 127.0.0.1:``port``; point ``OPENAI_BASE_URL`` at :attr:`base_url`."""

    def __init__(self, api_key: str, transcript: str = "", chat_reply: Callable[[dict], str] | None = None,
                 port: int = 0):
        self.api_key = api_key
        self.transcript = transcript
        self.chat_reply = chat_reply or (lambda request: "I'd keep it simple.")
        self.requests: list[tuple[str, dict]] = []  # (path, JSON body or {} for uploads)
        self._lock = threading.Lock()
        standin = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != f"Bearer {standin.api_key}":
                    return self.send_json(401, {"error": {"message": "Incorrect API key provided", "type":
                                                      "invalid_request_error", "code": "invalid_api_key"}})
                if self.path == "/v1/audio/transcriptions":
                    if b'name="file"' not in body or b"verbose_json" not in body:
                        return self.send_json(400, {"error": {"message": "file and response_format required",
                                                          "type": "invalid_request_error"}})
                    with standin._lock:
                        standin.requests.append((self.path, {}))
                    return self.send_json(200, standin._verbose_json())
                if self.path == "/v1/chat/completions":
                    request = json.loads(body or b"{}")
                    with standin._lock:
                        standin.requests.append((self.path, request))
                    content = standin.chat_reply(request)
                    return self.send_json(200, {
                        "id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion",
                        "created": int(time.time()), "model": request.get("model", "gpt-4o-mini"),
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": content}}],
                        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})
                self.send_json(404, {"error": {"message": f"Unknown request URL: POST {self.path}",
                                           "type": "invalid_request_error"}})

        self.serve(Handler, port, "openai")
        self.base_url = self.url + "/v1"

    def _verbose_json(self) -> dict:
        words = self.transcript.split()
        return {"task": "transcribe", "language": "english", "duration": 0.5 * len(words), "text": self.transcript,
                "words": [{"word": w, "start": 0.5 * i, "end": 0.5 * i + 0.4} for i, w in enumerate(words)],
                "segments": []}

    def paths(self) -> list[str]:
        with self._lock:
            return [path for path, _ in self.requests]
