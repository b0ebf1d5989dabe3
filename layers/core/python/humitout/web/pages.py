"""HTML of the web app: mobile first, no inline script (the CSP forbids it), every form with
its CSRF token, every download a plain link that works without JavaScript."""
from __future__ import annotations

import datetime as dt
import functools
import html
import json
from importlib import resources

from humitout.models import AS_HUMMED, CALL_TIPS, CALLER_METERS, Style, TimeSignature
from humitout.web.track import TrackView

STAGES = (("received", "Received"), ("transcribing", "Listening"), ("composing", "Composing"),
          ("rendering", "Rendering"), ("completed", "Ready"))
"""Session statuses in pipeline order, with what the page calls them."""
STATIC_FILES = {  # served name -> (file in humitout/web/static, content type)
    "app.css": ("app.css", "text/css; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "wavesurfer.min.js": ("wavesurfer-7.11.0.min.js", "text/javascript; charset=utf-8"),
}


def e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def static_bytes(name: str) -> bytes:
    return resources.files("humitout.web").joinpath("static", STATIC_FILES[name][0]).read_bytes()


@functools.cache
def static_version() -> str:
    """A short hash of the static files, appended to their URLs so caches can keep them a year."""
    import hashlib

    digest = hashlib.sha256()
    for name in sorted(STATIC_FILES):
        digest.update(static_bytes(name))
    return digest.hexdigest()[:10]


def human_size(n_bytes: int) -> str:
    if n_bytes < 1000:
        return f"{n_bytes} B"
    if n_bytes < 1_000_000:
        return f"{n_bytes / 1000:.0f} kB"
    return f"{n_bytes / 1e6:.1f} MB"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def when(ts: dt.datetime | None) -> str:
    return ts.astimezone(dt.timezone.utc).strftime("%-d %b %Y, %H:%M UTC") if ts else ""


def layout(title: str, body: str, *, base: str, version: str, signed_in: bool = False, csrf: str = "",
           scripts: tuple[str, ...] = ()) -> str:
    nav = ""
    if signed_in:
        nav = (f'<nav aria-label="Account"><a href="{base}/app">My tracks</a>'
               f'<form method="post" action="{base}/app/signout">{csrf_field(csrf)}'
               '<button type="submit" class="link">Sign out</button></form></nav>')
    tags = "".join(f'<script src="{base}/static/{name}?v={version}" defer></script>' for name in scripts)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width,initial-scale=1'>"
            "<meta name='color-scheme' content='dark'>"
            f"<title>{e(title)} · Hum It Out</title>"
            f'<link rel="stylesheet" href="{base}/static/app.css?v={version}">{tags}</head>'
            f'<body><a class="skip" href="#main">Skip to content</a>'
            f'<header class="top"><a class="brand" href="{base}/app"><span aria-hidden="true">◉</span> Hum It Out</a>{nav}</header>'
            f'<main id="main">{body}</main></body></html>')


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{e(token)}">'


def sign_in_page(*, base: str, version: str, csrf: str, phone: str = "", error: str = "") -> str:
    alert = f'<p class="alert" role="alert">{e(error)}</p>' if error else ""
    body = (
        '<section class="card narrow"><h1>Sign in</h1>'
        '<p class="muted">Use the phone number you call from and the 6-digit PIN we texted you.</p>'
        f"{alert}"
        f'<form method="post" action="{base}/app/signin" class="stack">{csrf_field(csrf)}'
        '<label for="phone">Phone number</label>'
        f'<input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required '
        f'placeholder="+15551234567" value="{e(phone)}">'
        '<label for="pin">PIN</label>'
        '<input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="current-password" '
        'pattern="[0-9]{6}" maxlength="6" required>'
        '<button type="submit" class="primary">Sign in</button></form>'
        '<details class="alt"><summary>Forgot your PIN? Get a sign-in link by SMS</summary>'
        f'<form method="post" action="{base}/app/signin-link" class="stack">{csrf_field(csrf)}'
        '<label for="link-phone">Phone number</label>'
        f'<input id="link-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required '
        f'placeholder="+15551234567" value="{e(phone)}">'
        '<button type="submit">Text me a link</button></form></details></section>')
    return layout("Sign in", body, base=base, version=version)


def link_sent_page(phone: str, *, base: str, version: str) -> str:
    body = ('<section class="card narrow"><h1>Check your messages</h1>'
            f'<p>If {e(phone)} has a Hum It Out account, we just texted it a sign-in link. '
            'It works once, for 15 minutes.</p>'
            f'<p><a href="{base}/app/signin">Back to sign-in</a></p></section>')
    return layout("Check your messages", body, base=base, version=version)


def link_confirm_page(action: str, *, base: str, version: str, csrf: str) -> str:
    """A button, not an automatic sign-in: link previews in messaging apps must not spend the link."""
    body = ('<section class="card narrow"><h1>Sign in to My tracks</h1>'
            '<p class="muted">This link works once.</p>'
            f'<form method="post" action="{e(action)}" class="stack">{csrf_field(csrf)}'
            '<button type="submit" class="primary">Sign in</button></form></section>')
    return layout("Sign in", body, base=base, version=version)


def _progress(status: str) -> str:
    order = [s for s, _ in STAGES]
    at = order.index(status) if status in order else 0
    items = []
    for i, (name, label) in enumerate(STAGES):
        state = "done" if i < at or status == "completed" else ("now" if i == at and status != "failed" else "todo")
        items.append(f'<li class="{state}" data-stage="{name}">{e(label)}</li>')
    return f'<ol class="stages" aria-label="Progress">{"".join(items)}</ol>'


def status_text(status: str, error: str | None) -> str:
    if status == "failed":
        return f"Failed: {error.replace('_', ' ')}" if error else "Failed"
    return dict(STAGES).get(status, status)


def hums_page(rows: list[dict], *, base: str, version: str, csrf: str, phone: str | None, call_number: str) -> str:
    cards = []
    for row in rows:
        tracks = row["tracks"] or []
        latest = tracks[0] if tracks else None
        params = (latest or {}).get("params") or {}
        status = row["status"]
        busy = status not in ("completed", "failed")
        key = params.get("key") or row["detected_key"] or "–"
        tempo = params.get("tempo_bpm") or row["tempo"]
        facts = [("Hum length", clock(row["duration_s"])), ("Key", key),
                 ("Tempo", f"{round(tempo)} bpm" if tempo else "–"), ("Meter", params.get("time_signature", "–")),
                 ("Style", (latest or {}).get("style") or row["requested_style"] or "–"),
                 ("Versions", str(len(tracks)))]
        dl = "".join(f"<div><dt>{e(k)}</dt><dd>{e(v)}</dd></div>" for k, v in facts)
        links = "".join(f'<a class="chip" href="{base}/app/tracks/{e(t["id"])}">v{t["version"]} {e(t["style"])}</a>'
                        for t in tracks)
        poll = f' data-progress="{base}/app/sessions/{e(row["id"])}/progress"' if busy else ""
        name = f"{(latest['style']).capitalize()} in {key}" if latest else "New hum"
        title = f'<a href="{base}/app/tracks/{e(latest["id"])}">{e(name)}</a>' if latest else e(name)
        cards.append(
            f'<li class="card hum" data-session="{e(row["id"])}"{poll}>'
            f'<div class="hum-head"><h2>{title}</h2>'
            f'<span class="badge {e(status)}" data-role="status">{e(status_text(status, row["error"]))}</span></div>'
            f'<time datetime="{e(row["created_at"].isoformat())}" class="muted">{e(when(row["created_at"]))}</time>'
            f'<dl class="facts">{dl}</dl>'
            f'{_progress(status) if busy else ""}'
            f'<div class="chips" data-role="versions">{links}</div></li>')
    empty = ('<p class="card" id="no-hums">No hums yet. Call, enter your PIN and hum after the beep: '
             "your track shows up here while it is being made.</p>")
    who = (f'<p class="muted">{"Signed in as " + e(phone) + ". " if phone else ""}'
           f'Call <a href="tel:{e(call_number)}">{e(call_number)}</a> and hum to add a track.</p>')
    body = (f'<div class="page-head"><h1>My tracks</h1>{who}</div>'
            f'<ul class="hums" aria-live="polite">{"".join(cards) if cards else ""}</ul>{"" if cards else empty}')
    return layout("My tracks", body, base=base, version=version, signed_in=True, csrf=csrf, scripts=("app.js",))


def _bar_shift_song_beats(view: TrackView) -> dict[int, int]:
    """{beats of the hum bar 1 may move (Compose's ``bar_shift``): song beats it then moves, round the song bar} of
    ``view``'s hum meter and beat ratio (:func:`~humitout.music.arrangement.shift_cycle_beats`, a song beat at a
    time where the song beat is whole beats of the hum's: two at half time, one of a 6/8 song's dotted quarters;
    at double time a hum beat is two song beats, and in 3/4 two hum beats are a bar and a beat)."""
    from humitout.music.arrangement import shift_cycle_beats, shift_step_beats, song_bar_quarters   # here: 50 ms
    # on every cold start

    hum = TimeSignature.from_text(view.hum_meter) or TimeSignature()
    song_beat_quarters = 1.5 if hum.compound else 1.0   # a 6/8 hum's song is in 6/8
    per_hum_beat = hum.quarters_per_beat * view.beat_ratio / song_beat_quarters
    bar = round(song_bar_quarters(hum) / song_beat_quarters)
    return {k: round(k * per_hum_beat) % bar for k in range(0, shift_cycle_beats(hum, view.beat_ratio),
                                                             shift_step_beats(hum, view.beat_ratio))}


def track_page(view: TrackView, *, base: str, version: str, owner: bool, csrf: str = "",
               links: list[dict] | None = None, versions: list[dict] | None = None, public_base_url: str = "",
               notice: str = "") -> str:
    title = f"{view.style.capitalize()} in {view.key}" if view.key else view.style.capitalize()
    meter = view.meter if view.hum_meter == view.meter else f"{view.meter} (your hum in {view.hum_meter})"
    beats = _bar_shift_song_beats(view).get(view.bar_shift, view.bar_shift)
    moved = f"bar 1 moved {beats} beat{'s' if beats > 1 else ''}" if beats else ""
    tempo = f"{round(view.tempo_bpm)} bpm{' (as asked)' if view.asked_tempo_bpm else ''}" if view.tempo_bpm else ""
    facts = " · ".join(x for x in (meter, moved, tempo,
                                   f"version {view.version}", when(view.created_at)) if x)
    back = f'<a class="back" href="{base}/app">← My tracks</a>' if owner else ""
    parts = [f'<div class="page-head">{back}<h1>{e(title)}</h1><p class="muted">{e(facts)}</p></div>']
    if notice:
        parts.append(f'<p class="alert ok" role="status">{e(notice)}</p>')
    left = [_player(view)]
    if view.channels:
        left.append(_mixer(view))
    if view.lyrics:
        words = "".join(f'<span data-t="{w["t"]}">{e(w["text"])}</span> ' for w in view.lyrics)
        left.append(f'<section class="card" aria-labelledby="lyrics-h"><h2 id="lyrics-h">Lyrics</h2>'
                    f'<p class="lyrics" id="lyrics">{words}</p></section>')
    if view.piano_roll_url:
        left.append('<section class="card" aria-labelledby="roll-h"><h2 id="roll-h">Piano roll</h2>'
                    f'<img class="roll" src="{e(view.piano_roll_url)}" loading="lazy" '
                    'alt="Piano roll: the notes of every part of the arrangement over time"></section>')
    right = [_downloads(view)]
    if owner:
        right.append(_owner_tools(view, base=base, csrf=csrf, links=links or [], versions=versions or [],
                                  public_base_url=public_base_url))
        if view.call_conditions:
            right.append(_call_tips(view))
    else:
        right.append('<p class="muted small">Links refresh each time you open this page. '
                     f'<a href="{base}/app">Sign in</a> to see all your hums.</p>')
    parts.append(f'<div class="track-grid"><div class="col">{"".join(left)}</div>'
                 f'<div class="col">{"".join(right)}</div></div>')
    data = {"eagerStems": bool(view.channels) and all(c.compressed for c in view.channels)}
    parts.append(f'<script type="application/json" id="track-data">{_json_for_html(data)}</script>')
    return layout(title, "".join(parts), base=base, version=version, signed_in=owner, csrf=csrf,
                  scripts=("wavesurfer.min.js", "app.js"))


def _json_for_html(doc: dict) -> str:
    return json.dumps(doc, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _player(view: TrackView) -> str:
    if not view.player_url:
        return '<section class="card"><p>This version has no audio to play.</p></section>'
    chords = "".join(f'<li data-t="{c["t"]}" data-d="{c["d"]}"{" class=section" if c.get("section") else ""}>'
                     f'<i>{e(c.get("section", "")) or "&nbsp;"}</i><b>{e(c["symbol"])}</b>'
                     f'<small>{e(c["roman"])}</small></li>' for c in view.chords)
    strip = f'<ol class="chords" id="chords" aria-label="Chords">{chords}</ol>' if chords else ""
    return (
        '<section class="card player" aria-labelledby="player-h"><h2 id="player-h" class="sr-only">Player</h2>'
        '<div class="transport" id="transport" hidden>'
        '<button type="button" id="play" class="play" aria-label="Play"><span aria-hidden="true" class="icon"></span></button>'
        '<div class="wave-wrap"><div id="waveform" class="waveform"></div>'
        '<div class="times"><span id="now">0:00</span><span id="chord-now" class="chord-now" aria-live="off"></span>'
        f'<span id="total">{clock(view.audio_s)}</span></div></div></div>'
        f'<audio id="audio" controls preload="metadata" src="{e(view.player_url)}">'
        'Your browser cannot play audio here; use the downloads below.</audio>'
        f"{strip}</section>")


def _mixer(view: TrackView) -> str:
    rows = []
    for ch in view.channels:
        rows.append(
            f'<li class="channel" data-name="{e(ch.name)}" data-url="{e(ch.url)}" data-gain="1">'
            f'<span class="ch-name">{e(ch.label)}</span>'
            f'<span class="meter" aria-hidden="true"><i></i></span>'
            f'<button type="button" class="mute" aria-pressed="false" aria-label="Mute {e(ch.label)}">M</button>'
            f'<button type="button" class="solo" aria-pressed="false" aria-label="Solo {e(ch.label)}">S</button></li>')
    return ('<section class="card mixer" id="mixer" aria-labelledby="mixer-h" hidden>'
            '<div class="row"><h2 id="mixer-h">Stem mixer</h2>'
            '<span class="muted small" id="mixer-status" role="status">Press play to load the stems</span></div>'
            f'<ul class="channels">{"".join(rows)}</ul></section>')


def _downloads(view: TrackView) -> str:
    rows = "".join(
        f'<li><a href="{e(f.url)}" download>{e(f.label)}</a>'
        f'<span class="meta">{e(f.kind)} · {e(human_size(f.size))}</span></li>' for f in view.downloads)
    zip_link = ""
    if view.package:
        zip_link = (f'<p class="zip"><a href="{e(view.package.url)}" class="button" download>'
                    f'{e(view.package.label)}</a> <span class="meta">ZIP · {e(human_size(view.package.size))}</span></p>')
    return ('<section class="card" aria-labelledby="dl-h"><h2 id="dl-h">Downloads</h2>'
            '<p class="muted small">24-bit WAV for your DAW; the player streams a lighter preview when there is one.</p>'
            f'<ul class="files">{rows}</ul>{zip_link}</section>')


def _call_tips(view: TrackView) -> str:
    """What the line or the room added to the hum's call, with a tip for the next call (owner only: a shared
    page is about the song)."""
    tips = "".join(f"<li>{e(CALL_TIPS[c])}</li>" for c in view.call_conditions)
    return ('<section class="card" aria-labelledby="call-h"><h2 id="call-h">Your call</h2>'
            f'<ul class="tips">{tips}</ul></section>')


def _owner_tools(view: TrackView, *, base: str, csrf: str, links: list[dict], versions: list[dict],
                 public_base_url: str) -> str:
    options = "".join(f'<option value="{s.value}"{" selected" if s.value != view.style and i == 0 else ""}>'
                      f'{e(s.value.replace("-", " ").capitalize())}</option>'
                      for i, s in enumerate(s for s in Style if s.value != view.style))
    # this track's meter stays unless another is chosen: the hum's own reading, or one the caller names
    # when the bars were misread ("it's a waltz")
    meters = f'<option value="{AS_HUMMED}">As we heard it</option>' + "".join(
        f'<option value="{m}"{" selected" if m == view.hum_meter else ""}>{m}{" (waltz)" if m == "3/4" else ""}'
        f'{" (this track)" if m == view.hum_meter else ""}</option>' for m in CALLER_METERS)
    # bar 1 where the hum was read in the chosen meter, or moved later by whole beats of the song when it was
    # misplaced (as many choices as the song bar has: 6/8 two, 3/4 three, 4/4 four)
    shift_names = {0: "As heard", 1: "1 beat later"}
    moved = _bar_shift_song_beats(view)
    shifts = "".join(
        f'<option value="{k}"{" selected" if k == view.bar_shift else ""}>{shift_names.get(n, f"{n} beats later")}'
        f'{" (this track)" if k == view.bar_shift else ""}</option>' for k, n in moved.items())
    # the song's beat: as the style suits it, as this track asked for, or at half or double this track's tempo
    # (the melody at its own speed)
    tempos = [("style", "Chosen for the style", not view.asked_tempo_bpm)] + [
        (f"{bpm:g}", f"{label} ({round(bpm)} bpm)", current)
        for label, bpm, current in (("As this track", view.asked_tempo_bpm, True),
                                    ("Half time", view.half_time_bpm, False),
                                    ("Double time", view.double_time_bpm, False)) if bpm]
    tempo_options = "".join(f'<option value="{value}"{" selected" if chosen else ""}>{e(label)}</option>'
                            for value, label, chosen in tempos)
    other = "".join(
        f'<a class="chip{" current" if str(v["id"]) == view.track_id else ""}" href="{base}/app/tracks/{e(v["id"])}"'
        f'{" aria-current=page" if str(v["id"]) == view.track_id else ""}>v{v["version"]} {e(v["style"])}</a>'
        for v in versions)
    live = "".join(f'<li><input readonly aria-label="Share link" value="{e(public_base_url)}/s/{e(l["token"])}">'
                   f'<span class="meta">until {e(when(l["expires_at"]))}</span></li>' for l in links)
    return (
        '<section class="card" aria-labelledby="ver-h"><h2 id="ver-h">Versions</h2>'
        f'<div class="chips">{other}</div>'
        f'<form method="post" action="{base}/app/sessions/{e(view.session_id)}/versions" class="inline">{csrf_field(csrf)}'
        f'<input type="hidden" name="shown_meter" value="{e(view.hum_meter)}">'
        f'<input type="hidden" name="shown_shift" value="{view.bar_shift}">'
        f'<label for="style">New version in</label><select id="style" name="style">{options}</select>'
        f'<label for="meter">Your hum\'s meter</label><select id="meter" name="meter">{meters}</select>'
        f'<label for="bar_shift">Bar 1</label><select id="bar_shift" name="bar_shift">{shifts}</select>'
        f'<label for="song_tempo">Tempo</label><select id="song_tempo" name="song_tempo">{tempo_options}</select>'
        '<button type="submit" class="primary">Make it</button></form></section>'
        '<section class="card" aria-labelledby="share-h"><h2 id="share-h">Share</h2>'
        f'<ul class="links">{live or "<li class=muted>No live share links.</li>"}</ul>'
        '<div class="inline">'
        f'<form method="post" action="{base}/app/tracks/{e(view.track_id)}/share">{csrf_field(csrf)}'
        '<button type="submit">New share link</button></form>'
        f'<form method="post" action="{base}/app/tracks/{e(view.track_id)}/revoke">{csrf_field(csrf)}'
        f'<button type="submit" class="danger"{"" if links else " disabled"}>Revoke all links</button></form>'
        '</div></section>')


def message_page(title: str, text: str, *, base: str, version: str) -> str:
    return layout(title, f'<section class="card narrow"><h1>{e(title)}</h1><p>{e(text)}</p></section>',
                  base=base, version=version)
