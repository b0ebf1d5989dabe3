"""The web app's routes as plain functions: ``(Services, Request, **path params) -> Reply``.

Auth rules: every ``/app`` page needs a session cookie (else a redirect to sign-in); every
POST needs the CSRF token of its form (403 otherwise, also for cross-site Fetch Metadata);
a session or track of another user is a 404, exactly like one that does not exist.
"""
from __future__ import annotations

import json
import secrets
import urllib.parse
import uuid

from humitout.calls import start_pipeline, variation_seed
from humitout.models import AS_HUMMED, BAR_SHIFT_CHOICES, Style, TimeSignature, song_tempo_or_none
from humitout.runtime import Services
from humitout.stage_inputs import NewVersionStart
from humitout.web import auth, pages, queries
from humitout.web.http import Reply, Request, cookie, expired_cookie, redirect, security_headers
from humitout.web.track import track_view

PRE_SESSION_TTL_S = 3600
SESSION_TTL_S = 14 * 86400


def _base(svc: Services) -> str:
    """Path prefix of the public URL (an API stage, if any), for the app's own links."""
    return urllib.parse.urlsplit(svc.settings.public_base_url).path.rstrip("/")


def _page(status: int, body: str, *, media_origins: tuple[str, ...] = (), cookies: list[str] | None = None) -> Reply:
    return Reply(status, body, headers=security_headers(media_origins), cookies=cookies or [])


def _not_found(svc: Services) -> Reply:
    return _page(404, pages.message_page("Not found", "There is nothing here, or it is not yours.",
                                         base=_base(svc), version=pages.static_version()))


def _forbidden(svc: Services) -> Reply:
    return _page(403, pages.message_page("Form expired", "Please go back, reload the page and try again.",
                                         base=_base(svc), version=pages.static_version()))


def _user(svc: Services, req: Request) -> auth.WebUser | None:
    return auth.current_user(svc, req.cookies.get(auth.SESSION_COOKIE))


def _posted(svc: Services, req: Request, user: auth.WebUser | None) -> dict[str, str] | None:
    """The form of a signed-in POST, or None when its CSRF token is missing or wrong."""
    form = req.form()
    if req.cross_site or user is None or not auth.csrf_ok(auth.web_secret(svc.settings), user.token_hash,
                                                          form.get("csrf")):
        return None
    return form


# -- sign in / out -------------------------------------------------------------------------------
def sign_in_form(svc: Services, req: Request, *, error: str = "", phone: str = "", status: int = 200) -> Reply:
    if _user(svc, req) is not None and not error:
        return redirect(f"{_base(svc)}/app")
    _, token, cookies = _pre_session(svc, req)
    body = pages.sign_in_page(base=_base(svc), version=pages.static_version(), csrf=token, phone=phone, error=error)
    return _page(status, body, cookies=cookies)


SIGN_IN_ERRORS = {
    "invalid": "Enter your phone number with the country code, like +15551234567.",
    "unknown": "That phone number and PIN don't match an account.",
    "rate_limited": "Too many sign-in attempts for this number. Try again in an hour.",
}


def sign_in(svc: Services, req: Request) -> Reply:
    form = req.form()
    if not _pre_session_ok(svc, req, form):
        return _forbidden(svc)
    result = auth.sign_in(svc, form.get("phone", ""), form.get("pin", ""), session_ttl_s=SESSION_TTL_S)
    if result.status == "ok":
        return redirect(f"{_base(svc)}/app", [
            cookie(auth.SESSION_COOKIE, result.cookie, max_age_s=SESSION_TTL_S),
            expired_cookie(auth.PRE_SESSION_COOKIE, path=f"{_base(svc)}/app")])
    if result.status == "wrong":
        tries = "1 try" if result.attempts_left == 1 else f"{result.attempts_left} tries"
        error = f"That PIN is not right. {tries} left before the account locks."
    elif result.status == "locked":
        minutes = max(1, round(svc.settings.pin_lockout_s / 60))
        error = f"Too many wrong PINs: the account is locked for {minutes} minutes (phone calls too)."
    else:
        error = SIGN_IN_ERRORS[result.status]
    return sign_in_form(svc, req, error=error, phone=form.get("phone", ""),
                        status=429 if result.status in ("locked", "rate_limited") else 401)


def _pre_session(svc: Services, req: Request) -> tuple[str, str, list[str]]:
    """(pre-session value, its CSRF token, the cookie to set) for forms shown before sign-in."""
    pre = req.cookies.get(auth.PRE_SESSION_COOKIE) or secrets.token_urlsafe(24)
    cookies = [cookie(auth.PRE_SESSION_COOKIE, pre, max_age_s=PRE_SESSION_TTL_S, path=f"{_base(svc)}/app",
                      same_site="Strict")]
    return pre, auth.csrf_token(auth.web_secret(svc.settings), pre), cookies


def _pre_session_ok(svc: Services, req: Request, form: dict[str, str]) -> bool:
    return not req.cross_site and auth.csrf_ok(auth.web_secret(svc.settings), req.cookies.get(auth.PRE_SESSION_COOKIE),
                                               form.get("csrf"))


def request_link(svc: Services, req: Request) -> Reply:
    """Text a one-time sign-in link; the answer is the same whether or not the number has an account."""
    form = req.form()
    if not _pre_session_ok(svc, req, form):
        return _forbidden(svc)
    phone = auth.normalise_phone(form.get("phone", ""))
    auth.send_sign_in_link(svc, phone, f"{svc.settings.public_base_url}/app/signin-link/")
    return _page(200, pages.link_sent_page(phone, base=_base(svc), version=pages.static_version()))


def link_form(svc: Services, req: Request, token: str) -> Reply:
    _, csrf, cookies = _pre_session(svc, req)
    body = pages.link_confirm_page(f"{_base(svc)}/app/signin-link/{token}", base=_base(svc),
                                   version=pages.static_version(), csrf=csrf)
    return _page(200, body, cookies=cookies)


def use_link(svc: Services, req: Request, token: str) -> Reply:
    if not _pre_session_ok(svc, req, req.form()):
        return _forbidden(svc)
    value = auth.use_sign_in_link(svc, token, session_ttl_s=SESSION_TTL_S)
    if value is None:
        return _page(400, pages.message_page(
            "Link expired", "This sign-in link was already used or has expired. Ask for a new one on the sign-in page.",
            base=_base(svc), version=pages.static_version()))
    return redirect(f"{_base(svc)}/app", [cookie(auth.SESSION_COOKIE, value, max_age_s=SESSION_TTL_S),
                                         expired_cookie(auth.PRE_SESSION_COOKIE, path=f"{_base(svc)}/app")])


def sign_out(svc: Services, req: Request) -> Reply:
    user = _user(svc, req)
    if user is not None:
        if _posted(svc, req, user) is None:
            return _forbidden(svc)
        auth.sign_out(svc, user)
    return redirect(f"{_base(svc)}/app/signin", [expired_cookie(auth.SESSION_COOKIE)])


# -- history and progress ------------------------------------------------------------------------
def home(svc: Services, req: Request) -> Reply:
    user = _user(svc, req)
    if user is None:
        return redirect(f"{_base(svc)}/app/signin")
    csrf = auth.csrf_token(auth.web_secret(svc.settings), user.token_hash)
    body = pages.hums_page(queries.hums(svc, user.user_id), base=_base(svc), version=pages.static_version(),
                           csrf=csrf, phone=user.phone, call_number=svc.settings.twilio_from_number)
    return _page(200, body)


def progress(svc: Services, req: Request, session_id: str) -> Reply:
    """Small JSON the history page polls while a hum is in the pipeline."""
    user = _user(svc, req)
    row = queries.session_for(svc, user.user_id, session_id) if user else None
    if row is None:
        return Reply(404, json.dumps({"error": "not found"}), "application/json", security_headers())
    order = [s for s, _ in pages.STAGES]
    doc = {
        "status": row["status"],
        "label": pages.status_text(row["status"], row["error"]),
        "stage": order.index(row["status"]) if row["status"] in order else None,
        "stages": [label for _, label in pages.STAGES],
        "done": row["status"] in ("completed", "failed"),
        "error": row["error"],
        "versions": row["versions"],
        "track_url": f"{_base(svc)}/app/tracks/{row['latest_track_id']}" if row["latest_track_id"] else None,
    }
    return Reply(200, json.dumps(doc), "application/json", security_headers())


# -- tracks --------------------------------------------------------------------------------------
def track(svc: Services, req: Request, track_id: str) -> Reply:
    user = _user(svc, req)
    if user is None:
        return redirect(f"{_base(svc)}/app/signin")
    row = queries.track_for(svc, user.user_id, track_id)
    if row is None:
        return _not_found(svc)
    view = track_view(svc, row)
    notice = {"shared": "New share link made.", "revoked": "Share links revoked: they now show “not found”."}.get(
        req.query.get("done", ""), "")
    body = pages.track_page(
        view, base=_base(svc), version=pages.static_version(), owner=True,
        csrf=auth.csrf_token(auth.web_secret(svc.settings), user.token_hash),
        links=queries.live_links(svc, view.track_id), versions=queries.versions(svc, view.session_id),
        public_base_url=svc.settings.public_base_url, notice=notice)
    return _page(200, body, media_origins=view.media_origins)


def shared_track(svc: Services, req: Request, token: str) -> Reply:
    """``/s/{token}``: the track page for that one track, without sign-in and without owner tools."""
    row = svc.db.resolve_share_link(token)
    if row is None:
        return _page(404, pages.message_page(
            "Link not found", "This link has expired, was revoked or does not exist. Call again to make a new track.",
            base=_base(svc), version=pages.static_version()))
    view = track_view(svc, row)
    body = pages.track_page(view, base=_base(svc), version=pages.static_version(), owner=False)
    return _page(200, body, media_origins=view.media_origins)


def version_meter_and_bar_shift(form: dict) -> tuple[str | None, int | None]:
    """The ``meter`` and ``bar_shift`` of a new version asked for on a track page (Compose's inputs): a meter the
    caller names, :data:`~humitout.models.AS_HUMMED` for the hum's own reading, or None for the newest version's;
    bar 1's beats later, or None (Compose keeps the newest version's, or none in a meter named anew). A meter
    other than the page's with bar 1 left as the page had it (``shown_meter``, ``shown_shift``) gives None:
    bar 1 as heard in that meter, as a texted meter does."""
    chosen = form.get("meter")
    meter = TimeSignature.from_text(chosen)
    named = meter.text if meter else (AS_HUMMED if chosen == AS_HUMMED else None)
    shift = form.get("bar_shift")
    if shift not in BAR_SHIFT_CHOICES:
        return named, None
    if named and form.get("shown_meter") not in (None, named) and shift == form.get("shown_shift"):
        return named, None
    return named, int(shift)


def version_song_tempo(form: dict) -> float | None:
    """The ``song_tempo_bpm`` of a new version asked for on a track page (Compose's input): 0 for the style's
    choice ("style"), a tempo (BPM: this track's, at half or double time), or None (the newest version's)."""
    chosen = form.get("song_tempo")
    if chosen == "style":
        return 0.0
    return song_tempo_or_none(chosen)


def new_version(svc: Services, req: Request, session_id: str) -> Reply:
    """Start the pipeline from the saved analysis in the chosen style and, when chosen, meter, bar 1 and beat
    (like texting "jazz", "3/4", "shift" or "half");
    renders cost money, so at most ``CALLS_PER_HOUR`` per user and hour."""
    user = _user(svc, req)
    form = _posted(svc, req, user)
    if form is None:
        return _forbidden(svc) if user else redirect(f"{_base(svc)}/app/signin")
    row = queries.session_for(svc, user.user_id, session_id)
    if row is None or row["melody"] is None:
        return _not_found(svc)
    if not svc.db.note_call_attempt(f"web-version:{user.user_id}", svc.settings.calls_per_hour):
        return _page(429, pages.message_page(
            "Too many new versions", "You made many versions in the last hour. Please try again later.",
            base=_base(svc), version=pages.static_version()))
    style = Style.from_text(form.get("style"))
    meter, bar_shift = version_meter_and_bar_shift(form)
    name = f"web-{uuid.uuid4().hex}"
    # Queued: the history shows (and polls) it at once; the stages move it on from here.
    queries.set_status(svc, str(row["id"]), "received", only_from=("completed", "failed"))
    try:
        start_pipeline(svc, execution_name=name, payload=NewVersionStart(
            session_id=str(row["id"]), caller=row["caller"], analysis_key=f"sessions/{row['id']}/analysis.json",
            style=style, meter=meter, bar_shift=bar_shift, song_tempo_bpm=version_song_tempo(form),
            variation_seed=variation_seed(name)))
    except Exception:
        queries.set_status(svc, str(row["id"]), row["status"], only_from=("received",))
        raise
    return redirect(f"{_base(svc)}/app")


def _owned_track_post(svc: Services, req: Request, track_id: str) -> tuple[dict | None, Reply | None]:
    """A signed-in owner's CSRF-checked POST on one of their tracks: (track row, None), or
    (None, the refusal: sign-in redirect, 403 or 404)."""
    user = _user(svc, req)
    if _posted(svc, req, user) is None:
        return None, _forbidden(svc) if user else redirect(f"{_base(svc)}/app/signin")
    row = queries.track_for(svc, user.user_id, track_id)
    return (row, None) if row is not None else (None, _not_found(svc))


def share(svc: Services, req: Request, track_id: str) -> Reply:
    row, refusal = _owned_track_post(svc, req, track_id)
    if refusal is not None:
        return refusal
    svc.db.create_share_link(str(row["id"]), svc.settings.link_ttl_days)
    return redirect(f"{_base(svc)}/app/tracks/{row['id']}?done=shared")


def revoke(svc: Services, req: Request, track_id: str) -> Reply:
    row, refusal = _owned_track_post(svc, req, track_id)
    if refusal is not None:
        return refusal
    queries.revoke_links(svc, str(row["id"]))
    return redirect(f"{_base(svc)}/app/tracks/{row['id']}?done=revoked")


def static(svc: Services, req: Request, name: str) -> Reply:
    """The app's CSS and JS (a few tens of kB): served by the web Lambda with a one-year cache,
    versioned by ``?v=<hash>`` in the pages."""
    if name not in pages.STATIC_FILES:
        return Reply(404, "not found", "text/plain; charset=utf-8", security_headers())
    headers = security_headers(cache="public, max-age=31536000, immutable")
    return Reply(200, pages.static_bytes(name).decode("utf-8"), pages.STATIC_FILES[name][1], headers)
