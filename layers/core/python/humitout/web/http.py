"""Requests and replies of the web app, independent of API Gateway, plus the security headers."""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    cookies: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def form(self) -> dict[str, str]:
        """An ``application/x-www-form-urlencoded`` body (first value of each field)."""
        parsed = urllib.parse.parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    @property
    def cross_site(self) -> bool:
        """True when the browser says the request came from another site (Fetch Metadata)."""
        return self.headers.get("sec-fetch-site") == "cross-site"


@dataclass
class Reply:
    status: int
    body: str | bytes = ""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)  # full Set-Cookie values


def parse_cookies(header_values: list[str]) -> dict[str, str]:
    """``["a=1; b=2", "c=3"]`` (Cookie header or API Gateway's ``cookies``) -> ``{"a": "1", ...}``."""
    jar: dict[str, str] = {}
    for value in header_values:
        for part in value.split(";"):
            name, sep, val = part.strip().partition("=")
            if sep and name and name not in jar:
                jar[name] = val
    return jar


def cookie(name: str, value: str, *, max_age_s: int, path: str = "/", same_site: str = "Lax") -> str:
    """A ``Set-Cookie`` value: HttpOnly, Secure, SameSite (``Lax`` so the SMS link's page, opened
    from another app, still sees the owner's session; POSTs need the CSRF token anyway)."""
    return f"{name}={value}; Max-Age={max_age_s}; Path={path}; HttpOnly; Secure; SameSite={same_site}"


def expired_cookie(name: str, path: str = "/") -> str:
    return f"{name}=; Max-Age=0; Path={path}; HttpOnly; Secure; SameSite=Lax"


def redirect(location: str, cookies: list[str] | None = None) -> Reply:
    """303 See Other (after a POST the browser GETs ``location``)."""
    return Reply(303, "", headers={"Location": location}, cookies=cookies or [])


def security_headers(media_origins: tuple[str, ...] = (), *, cache: str = "no-store") -> dict[str, str]:
    """CSP and friends for every page. Scripts only from this origin; audio, images and the
    mixer's fetches also from the S3 origin of the presigned links (``media_origins``).
    ``style-src 'unsafe-inline'`` is for wavesurfer.js, which styles its shadow DOM with an
    inline ``<style>`` element; no script runs inline."""
    media = " ".join(media_origins)
    csp = "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {media}".strip(),
        f"media-src 'self' blob: {media}".strip(),
        f"connect-src 'self' {media}".strip(),
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ])
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": cache,
    }


def origin_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
