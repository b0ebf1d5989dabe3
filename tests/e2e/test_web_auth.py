"""The web app's server-side rules through the local gateway: sign-in with the phone line's PIN
check and lockout, cookie sessions that sign-out ends, CSRF on every form, nothing of another
user's, security headers, and the track page's files."""
import re
import time

import pytest

from e2e_helpers import APP_NUMBER, Caller, call_and_wait, get, link_in
from web_client import WebClient, signed_up


@pytest.fixture(scope="module")
def owner(stack, sample_hum):
    """An account with one finished hum (style 1 = pop): (account, share link, track row)."""
    from humitout.runtime import services

    svc = services()
    account = signed_up(svc, stack)
    _, desc, sms = call_and_wait(stack, Caller(account.phone, account.pin, account.user_id), sample_hum,
                                 style_digit="1")
    assert desc["status"] == "SUCCEEDED"
    link = link_in(sms.body)
    return account, link, svc.db.resolve_share_link(link.rsplit("/", 1)[1])


def test_the_phone_pin_opens_a_secure_cookie_session_and_sign_out_ends_it(stack, svc):
    account = signed_up(svc, stack)
    web = WebClient(stack.gateway.url)
    first = web.get("/app")
    assert first.status_code == 303 and first.headers["location"].endswith("/app/signin")
    signed = web.sign_in(account.phone, account.pin)
    assert signed.status_code == 303 and signed.headers["location"].endswith("/app")
    session_cookie = next(c for c in web.set_cookies if c.startswith("hio_session=") and "Max-Age=0" not in c)
    assert all(flag in session_cookie for flag in ("HttpOnly", "Secure", "SameSite=Lax"))
    home = web.get("/app")
    assert home.status_code == 200 and "My tracks" in home.text and account.phone in home.text

    stolen = dict(web.jar)
    out = web.post("/app/signout", {"csrf": web.csrf(home.text)})
    assert out.status_code == 303 and "hio_session" not in web.jar
    replay = WebClient(stack.gateway.url)
    replay.jar = stolen  # the old cookie is dead on the server, not just forgotten by the browser
    assert replay.get("/app").status_code == 303


def test_a_forged_session_cookie_is_ignored(stack, svc):
    web = WebClient(stack.gateway.url)
    web.jar["hio_session"] = "made-up-token.bm90IGEgc2lnbmF0dXJl"
    assert web.get("/app").status_code == 303


def test_wrong_pins_say_tries_left_and_the_fifth_locks_the_web_and_the_phone_line(stack, svc):
    account = signed_up(svc, stack)
    wrong = f"{(int(account.pin) + 1) % 10**6:06d}"
    web = WebClient(stack.gateway.url)
    limit = svc.settings.pin_max_failures
    for attempt in range(1, limit):
        resp = web.sign_in(account.phone, wrong)
        assert resp.status_code == 401 and f"{limit - attempt} tr" in resp.text and "hio_session" not in web.jar
    locked = web.sign_in(account.phone, wrong)
    assert locked.status_code == 429 and "locked" in locked.text
    right_but_locked = web.sign_in(account.phone, account.pin)
    assert right_but_locked.status_code == 429 and "hio_session" not in web.jar
    call = stack.twilio.place_call(account.phone, APP_NUMBER, [account.pin], None)
    assert any("locked" in line for line in call.said)


def test_an_unknown_number_or_a_malformed_one_gets_no_session(stack):
    web = WebClient(stack.gateway.url)
    assert web.sign_in("+15550000001", "123456").status_code == 401
    assert web.sign_in("not a phone", "123456").status_code == 401
    assert "hio_session" not in web.jar


def test_every_form_needs_its_csrf_token(stack, svc, owner):
    account, _, track = owner
    web = WebClient(stack.gateway.url)
    web.get("/app/signin")
    assert web.post("/app/signin", {"phone": account.phone, "pin": account.pin}).status_code == 403
    other = WebClient(stack.gateway.url)
    foreign_token = other.csrf(other.get("/app/signin").text)  # bound to another browser's pre-session
    assert web.post("/app/signin", {"csrf": foreign_token, "phone": account.phone, "pin": account.pin}).status_code == 403

    assert web.sign_in(account.phone, account.pin).status_code == 303
    token = web.csrf(web.get("/app").text)
    tid, sid = str(track["id"]), str(track["session_id"])
    for path in (f"/app/tracks/{tid}/share", f"/app/tracks/{tid}/revoke", f"/app/sessions/{sid}/versions",
                 "/app/signout"):
        assert web.post(path, {}).status_code == 403, path
        assert web.post(path, {"csrf": foreign_token}).status_code == 403, path
        assert web.post(path, {"csrf": token}, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403, path
    assert web.get("/app").status_code == 200  # still signed in: the forged sign-out did nothing


def test_another_users_session_and_track_are_not_found(stack, svc, owner):
    _, _, track = owner
    intruder = signed_up(svc, stack)
    web = WebClient(stack.gateway.url)
    web.sign_in(intruder.phone, intruder.pin)
    token = web.csrf(web.get("/app").text)
    tid, sid = str(track["id"]), str(track["session_id"])
    assert web.get(f"/app/tracks/{tid}").status_code == 404
    assert web.get(f"/app/sessions/{sid}/progress").status_code == 404
    assert web.post(f"/app/tracks/{tid}/share", {"csrf": token}).status_code == 404
    assert web.post(f"/app/tracks/{tid}/revoke", {"csrf": token}).status_code == 404
    assert web.post(f"/app/sessions/{sid}/versions", {"csrf": token, "style": "jazz"}).status_code == 404
    assert web.get("/app/tracks/not-a-uuid").status_code == 404
    assert tid not in web.get("/app").text


def test_the_track_page_lists_nonempty_files_with_sizes_behind_security_headers(stack, svc, owner):
    account, link, track = owner
    web = WebClient(stack.gateway.url)
    web.sign_in(account.phone, account.pin)
    page = web.get(f"/app/tracks/{track['id']}")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "default-src 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store" and "<script>" not in page.text  # no inline script
    offered = re.findall(r'<a href="[^"]+" download>([^<]+)</a><span class="meta">([^<]+)</span>', page.text)
    labels = [label for label, _ in offered]
    assert "Full mix with melody guide" in labels and "Stem: Drums" in labels
    assert all(re.search(r"(WAV|MID|MUSICXML|SVG|PNG|JSON|TXT) · [\d.]+ (B|kB|MB)$", meta) for _, meta in offered)
    sizes = track["file_sizes"]
    assert sizes["lyrics"] == 0 and "Lyrics" not in labels  # empty files are not offered
    assert re.search(r"Everything in one ZIP</a> <span class=\"meta\">ZIP · [\d.]+ MB", page.text)
    assert "MB total" not in page.text

    shared = get(link)
    assert shared.status_code == 200 and 'name="csrf"' not in shared.text  # no owner tools on the SMS link
    assert "frame-ancestors 'none'" in shared.headers["content-security-policy"]
    css = get(stack.gateway.url + "/static/app.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "immutable" in css.headers["cache-control"] and css.headers["x-content-type-options"] == "nosniff"
    assert get(stack.gateway.url + "/static/secrets.txt").status_code == 404


def test_share_and_revoke_links_and_a_new_version_from_the_web(stack, svc, owner):
    account, _, track = owner
    web = WebClient(stack.gateway.url)
    web.sign_in(account.phone, account.pin)
    tid, sid = str(track["id"]), str(track["session_id"])
    token = web.csrf(web.get(f"/app/tracks/{tid}").text)
    made = web.post(f"/app/tracks/{tid}/share", {"csrf": token})
    assert made.status_code == 303
    page = web.get(made.headers["location"].replace(stack.gateway.url, ""))
    new_link = re.search(r'value="(http[^"]+/s/[\w-]+)"', page.text).group(1)
    assert get(new_link).status_code == 200
    assert web.post(f"/app/tracks/{tid}/revoke", {"csrf": token}).status_code == 303
    assert get(new_link).status_code == 404

    assert web.post(f"/app/sessions/{sid}/versions", {"csrf": token, "style": "jazz", "meter": "3/4",
                                                            "bar_shift": "2"}).status_code == 303
    deadline = time.monotonic() + 240
    while True:
        progress = web.get(f"/app/sessions/{sid}/progress").json()
        if progress["done"] and progress["versions"] == 2:
            break
        assert time.monotonic() < deadline, progress
        time.sleep(1)
    assert progress["status"] == "completed" and progress["track_url"]
    assert "v2 jazz" in web.get("/app").text
    page = web.get(progress["track_url"].replace(stack.gateway.url, "")).text
    assert '<p class="muted">3/4 · ' in page   # the meter asked for
    # and bar 1 as moved (two of the hum's beats: a song beat or two, as the song's tempo over the hum's in 3/4)
    assert re.search(r'<option value="2" selected>[12] beats? later \(this track\)</option>', page)


def test_new_versions_from_the_web_are_limited_per_hour(stack, svc, owner):
    account, _, track = owner
    web = WebClient(stack.gateway.url)
    web.sign_in(account.phone, account.pin)
    token = web.csrf(web.get("/app").text)
    while svc.db.note_call_attempt(f"web-version:{account.user_id}", svc.settings.calls_per_hour):
        pass  # use up this hour's allowance
    refused = web.post(f"/app/sessions/{track['session_id']}/versions", {"csrf": token, "style": "rock"})
    assert refused.status_code == 429 and "Too many new versions" in refused.text


def test_a_one_time_sign_in_link_by_sms_signs_in_once(stack, svc):
    account = signed_up(svc, stack)
    web = WebClient(stack.gateway.url)
    form = web.get("/app/signin")
    sent = web.post("/app/signin-link", {"csrf": web.csrf(form.text), "phone": account.phone})
    assert sent.status_code == 200 and "Check your messages" in sent.text
    sms = stack.twilio.wait_for_sms(account.phone, 2, 10)[-1]
    path = re.search(r"https?://[^/\s]+(/app/signin-link/[\w-]+)", sms.body).group(1)
    confirm = web.get(path)  # opening (or a messaging app previewing) the link signs nobody in
    assert confirm.status_code == 200 and "hio_session" not in web.jar
    assert web.post(path, {}).status_code == 403
    used = web.post(path, {"csrf": web.csrf(confirm.text)})
    assert used.status_code == 303 and "hio_session" in web.jar and web.get("/app").status_code == 200
    again = WebClient(stack.gateway.url)
    page = again.get(path)
    assert again.post(path, {"csrf": again.csrf(page.text)}).status_code == 400 and "hio_session" not in again.jar


def test_a_sign_in_link_for_an_unknown_number_reads_the_same_and_texts_nobody(stack):
    web = WebClient(stack.gateway.url)
    before = len(stack.twilio.messages)
    sent = web.post("/app/signin-link", {"csrf": web.csrf(web.get("/app/signin").text), "phone": "+15550000002"})
    assert sent.status_code == 200 and "Check your messages" in sent.text
    time.sleep(0.5)
    assert len(stack.twilio.messages) == before
