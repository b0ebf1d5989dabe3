"""A minimal cookie-keeping HTTP client for the web app (requests' jar will not send Secure
cookies over plain http://127.0.0.1, which a browser does for localhost)."""
from __future__ import annotations

import re
import uuid

import requests


class WebClient:
    def __init__(self, base_url: str):
        self.base = base_url
        self.jar: dict[str, str] = {}
        self.set_cookies: list[str] = []  # every Set-Cookie seen, for attribute checks

    def request(self, method: str, path: str, *, data: dict | None = None, headers: dict | None = None):
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items())} if self.jar else {}
        resp = requests.request(method, self.base + path, data=data, headers={**sent, **(headers or {})},
                                allow_redirects=False, timeout=60)
        for value in resp.raw.headers.getlist("Set-Cookie"):
            self.set_cookies.append(value)
            name, _, rest = value.partition("=")
            val = rest.split(";", 1)[0]
            if "Max-Age=0" in value:
                self.jar.pop(name, None)
            else:
                self.jar[name] = val
        return resp

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict | None = None, **kw):
        return self.request("POST", path, data=data, **kw)

    @staticmethod
    def csrf(page_html: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', page_html).group(1)

    def sign_in(self, phone: str, pin: str):
        form = self.get("/app/signin")
        return self.post("/app/signin", {"csrf": self.csrf(form.text), "phone": phone, "pin": pin})


def signed_up(svc, stack):
    """A new account (phone, PIN, user id); the sign-up SMS is consumed."""
    from humitout.accounts import sign_up

    phone = "+1555" + str(uuid.uuid4().int)[:7]
    account = sign_up(svc, f"{uuid.uuid4().hex[:8]}@example.com", phone)
    stack.twilio.wait_for_sms(phone, 1, 5)
    return account
