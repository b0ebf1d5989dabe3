"""The web app's pure parts: which files the track page offers and plays, signed cookies and
CSRF tokens, escaping and security headers (no database, no S3)."""
import datetime as dt
import re
from dataclasses import dataclass, field

from humitout.config import Settings
from humitout.web import auth, pages
from humitout.web.http import parse_cookies, security_headers
from humitout.web.track import track_view


class FakeStorage:
    def presign_get(self, key, ttl_s, filename=None):
        return f"https://bucket.s3.example/{key}" + (f"?attachment={filename}" if filename else "")

    def get_json(self, key):
        raise KeyError(key)  # no arrangement: the page still plays and downloads


@dataclass
class FakeServices:
    settings: Settings = field(default_factory=lambda: Settings(twilio_auth_token="t" * 32))
    storage: FakeStorage = field(default_factory=FakeStorage)


def _track(files: dict[str, tuple[str, int]]) -> dict:
    prefix = "sessions/s1/v2/"
    return {"id": "t1", "session_id": "s1", "version": 2, "style": "jazz", "duration_s": 12.0,
            "created_at": dt.datetime(2026, 11, 30, 12, tzinfo=dt.timezone.utc),
            "generation_params": {"key": "D minor", "tempo_bpm": 96.4, "time_signature": "3/4", "audio_s": 75.4},
            "file_keys": {name: prefix + path for name, (path, _) in files.items()},
            "file_sizes": {name: size for name, (_, size) in files.items()}}


PACKAGE = {
    "full_mix": ("full-mix.wav", 5_000_000), "backing_track": ("backing-track.wav", 5_000_000),
    "stem_drums": ("stems/drums.wav", 5_000_000), "stem_melody": ("stems/melody.wav", 5_000_000),
    "midi": ("session.mid", 3000), "lyrics": ("lyrics.txt", 0), "zip": ("download-package.zip", 40_000_000),
}


def test_empty_files_are_not_offered_and_the_zip_is_listed_on_its_own():
    view = track_view(FakeServices(), _track(PACKAGE))
    paths = [f.path for f in view.downloads]
    assert "lyrics.txt" not in paths and "download-package.zip" not in paths
    assert paths[:2] == ["full-mix.wav", "backing-track.wav"] and view.package.size == 40_000_000
    assert all("attachment=" in f.url for f in view.downloads)
    assert view.chords == [] and view.lyrics == []


def test_the_player_and_mixer_use_previews_when_the_package_lists_them_and_the_wav_otherwise():
    files = {**PACKAGE, "preview_full_mix": ("previews/full-mix.mp3", 400_000),
             "preview_drums": ("previews/stems/drums.mp3", 400_000), "your_hum": ("your-hum.wav", 2_000_000)}
    view = track_view(FakeServices(), _track(files))
    assert view.player_url.endswith("previews/full-mix.mp3") and view.player_compressed
    by_name = {c.name: c for c in view.channels}
    assert list(by_name) == ["drums", "melody", "your-hum"]  # mixer order, "your hum" last
    assert by_name["drums"].url.endswith("previews/stems/drums.mp3") and by_name["drums"].compressed
    assert by_name["melody"].url.endswith("stems/melody.wav") and not by_name["melody"].compressed
    assert not any(f.path.startswith("previews/") for f in view.downloads)  # WAV stays the download
    assert "attachment" not in view.player_url  # played inline
    assert view.media_origins == ("https://bucket.s3.example",)


def test_the_player_shows_the_songs_length_not_the_hums():
    html = pages.track_page(track_view(FakeServices(), _track(PACKAGE)), base="", version="v", owner=False)
    assert '<span id="total">1:15</span>' in html  # the 75.4 s song, not the 12 s hum
    old = _track(PACKAGE)
    del old["generation_params"]["audio_s"]  # saved before the length was recorded: the player fills it in
    assert '<span id="total">–</span>' in pages.track_page(track_view(FakeServices(), old), base="", version="v", owner=False)


def test_the_track_page_escapes_what_it_shows_and_has_no_inline_script():
    track = _track(PACKAGE)
    track["style"] = "<script>alert(1)</script>"
    view = track_view(FakeServices(), track)
    view.lyrics = [{"t": 1.0, "text": "</script><img src=x onerror=alert(1)>"}]
    html = pages.track_page(view, base="", version="v", owner=True, csrf="tok")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<script>" not in html  # only external scripts and the JSON data block
    assert html.count('name="csrf" value="tok"') >= 4  # every owner form (sign-out, version, share, revoke)


def test_a_new_version_keeps_the_tracks_meter_unless_another_is_chosen():
    html = pages.track_page(track_view(FakeServices(), _track(PACKAGE)), base="", version="v", owner=True, csrf="tok")
    meters = re.findall(r'<option value="([^"]*)"( selected)?>', html.split('id="meter"')[1].split("</select>")[0])
    assert meters == [("hummed", ""), ("2/4", ""), ("3/4", " selected"), ("4/4", ""), ("6/8", "")]
    track = _track(PACKAGE)
    track["generation_params"].update(time_signature="4/4", hum_meter="2/4")   # a 2/4 hum makes a 4/4 song
    html = pages.track_page(track_view(FakeServices(), track), base="", version="v", owner=True, csrf="tok")
    assert '<option value="2/4" selected>2/4 (this track)</option>' in html
    assert '<p class="muted">4/4 (your hum in 2/4) · ' in html   # the song's bars are two of the hum's


def test_a_new_version_keeps_the_tracks_bar_one_unless_another_is_chosen_from_the_song_bars_beats():
    html = pages.track_page(track_view(FakeServices(), _track(PACKAGE)), base="", version="v", owner=True, csrf="tok")
    shifts = re.findall(r'<option value="([^"]*)"( selected)?>', html.split('id="bar_shift"')[1].split("</select>")[0])
    assert shifts == [("0", " selected"), ("1", ""), ("2", "")]   # a 3/4 track made before "shift": three beats a bar
    track = _track(PACKAGE)
    track["generation_params"]["bar_shift_beats"] = 1
    html = pages.track_page(track_view(FakeServices(), track), base="", version="v", owner=True, csrf="tok")
    assert '<option value="1" selected>1 beat later (this track)</option>' in html
    assert '<p class="muted">3/4 · bar 1 moved 1 beat · ' in html   # the header says what this version changed
    track["generation_params"].update(time_signature="4/4", hum_meter="2/4")
    html = pages.track_page(track_view(FakeServices(), track), base="", version="v", owner=True, csrf="tok")
    # a 2/4 hum in 4/4 song bars: bar 1 may move round the song's four beats (which 2/4 bar starts a song bar, too)
    assert re.findall(r'<option value="(\d)"', html.split('id="bar_shift"')[1].split("</select>")[0]) == ["0", "1", "2", "3"]
    track["generation_params"].update(time_signature="6/8", hum_meter="6/8")
    html = pages.track_page(track_view(FakeServices(), track), base="", version="v", owner=True, csrf="tok")
    assert re.findall(r'<option value="(\d)"', html.split('id="bar_shift"')[1].split("</select>")[0]) == ["0", "1"]
    # at half time a song beat is two of the hum's: four song beats, eight of the hum's
    track["generation_params"].update(time_signature="4/4", hum_meter="4/4", beat_ratio=0.5, bar_shift_beats=2)
    html = pages.track_page(track_view(FakeServices(), track), base="", version="v", owner=True, csrf="tok")
    assert re.findall(r'<option value="(\d)"( selected)?>([^<]*)<', html.split('id="bar_shift"')[1].split("</select>")[0]) == [
        ("0", "", "As heard"), ("2", " selected", "1 beat later (this track)"), ("4", "", "2 beats later"),
        ("6", "", "3 beats later")]
    assert '<p class="muted">4/4 · bar 1 moved 1 beat · ' in html


def test_the_owner_sees_what_the_call_added_and_a_tip_and_a_shared_page_does_not():
    track = _track(PACKAGE)
    track["generation_params"]["call_conditions"] = ["background_voices", "room_echo", "something-newer"]
    view = track_view(FakeServices(), track)
    assert view.call_conditions == ["background_voices", "room_echo"]   # a condition this page cannot name is left out
    html = pages.track_page(view, base="", version="v", owner=True, csrf="tok")
    tips = re.findall(r"<li>([^<]*)</li>", html.split('id="call-h"')[1].split("</ul>")[0])
    assert tips == ["We heard voices in the background; a quiet room keeps them out of your melody.",
                    "Your call sounded like a speakerphone; hum close to the phone for cleaner notes."]
    assert 'id="call-h"' not in pages.track_page(view, base="", version="v", owner=False)
    quiet = pages.track_page(track_view(FakeServices(), _track(PACKAGE)), base="", version="v", owner=True, csrf="tok")
    assert 'id="call-h"' not in quiet   # a clean call: no card


def test_a_signed_cookie_fails_when_tampered_and_csrf_tokens_are_bound_to_their_session():
    secret = auth.web_secret(Settings(twilio_auth_token="x" * 32))
    signed = auth.sign(secret, "token123")
    assert auth.unsign(secret, signed) == "token123"
    assert auth.unsign(secret, "token124" + signed[8:]) is None
    assert auth.unsign(auth.web_secret(Settings(twilio_auth_token="y" * 32)), signed) is None
    assert auth.unsign(secret, None) is None and auth.unsign(secret, "no-dot") is None
    token = auth.csrf_token(secret, "session-a")
    assert auth.csrf_ok(secret, "session-a", token)
    assert not auth.csrf_ok(secret, "session-b", token) and not auth.csrf_ok(secret, "session-a", None)
    assert auth.web_secret(Settings(web_session_secret="s3cret")) == b"s3cret"


def test_phone_numbers_are_normalised_and_cookies_parsed():
    assert auth.normalise_phone("+1 (555) 123-4567") == "+15551234567"
    assert parse_cookies(["a=1; b=2", "c=3=x"]) == {"a": "1", "b": "2", "c": "3=x"}


def test_pages_forbid_framing_sniffing_and_foreign_scripts():
    headers = security_headers(("https://bucket.s3.example",))
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp and "form-action 'self'" in csp
    assert "media-src 'self' blob: https://bucket.s3.example" in csp
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer" and "max-age" in headers["Strict-Transport-Security"]


def test_static_files_are_versioned_by_their_content():
    assert len(pages.static_version()) == 10
    assert pages.static_bytes("wavesurfer.min.js").startswith(b"!function")


def test_a_new_version_form_names_the_hums_own_meter_and_resets_bar_one_for_a_meter_named_anew():
    from humitout.web.app import version_meter_and_bar_shift as asked
    shown = {"shown_meter": "3/4", "shown_shift": "1"}
    assert asked({**shown, "meter": "3/4", "bar_shift": "1"}) == ("3/4", 1)        # nothing changed: kept as shown
    assert asked({**shown, "meter": "3/4", "bar_shift": "2"}) == ("3/4", 2)        # bar 1 moved on
    assert asked({**shown, "meter": "4/4", "bar_shift": "1"}) == ("4/4", None)     # a new meter: bar 1 as heard in it
    assert asked({**shown, "meter": "4/4", "bar_shift": "3"}) == ("4/4", 3)        # ... unless bar 1 was chosen too
    assert asked({**shown, "meter": "hummed", "bar_shift": "1"}) == ("hummed", None)   # back to the hum's own reading
    assert asked({"meter": "6/8", "bar_shift": "1"}) == ("6/8", 1)                # a form without the page's values
    assert asked({"meter": "7/8", "bar_shift": "9"}) == (None, None)


def test_a_new_version_offers_half_or_double_time_where_the_song_can_go_so_and_keeps_a_tempo_asked_for():
    def beats(track) -> list[tuple[str, str, str]]:
        html = pages.track_page(track_view(FakeServices(), track), base="", version="v", owner=True, csrf="tok")
        return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)<', html.split('id="song_tempo"')[1].split("</select>")[0])

    # a 3/4 song at the hum's tempo: a 3-beat bar has no whole half (no half time), 192.8 BPM is playable
    assert beats(_track(PACKAGE)) == [("style", " selected", "Chosen for the style"),
                                      ("192.8", "", "Double time (193 bpm)")]
    track = _track(PACKAGE)
    track["generation_params"].update(time_signature="4/4", tempo_bpm=160.0, beat_ratio=1.0, asked_tempo_bpm=160.0)
    assert beats(track) == [("style", "", "Chosen for the style"), ("160", " selected", "As this track (160 bpm)"),
                            ("80", "", "Half time (80 bpm)")]   # 320 BPM: too fast to play
    html = pages.track_page(track_view(FakeServices(), track), base="", version="v", owner=False)
    assert '<p class="muted">4/4 · 160 bpm (as asked) · ' in html   # the header says the caller chose it


def test_a_new_version_form_asks_for_the_styles_tempo_or_a_playable_one():
    from humitout.web.app import version_song_tempo as asked
    assert asked({"song_tempo": "style"}) == 0.0
    assert asked({"song_tempo": "61.5"}) == 61.5
    assert asked({}) is None and asked({"song_tempo": "fast"}) is None
    assert asked({"song_tempo": "5000"}) is None and asked({"song_tempo": "nan"}) is None


def test_bar_one_choices_at_double_time_name_the_song_beats_round_the_song_bar():
    track = _track(PACKAGE)   # a 3/4 song at twice the hum's tempo: a hum beat is two song beats
    track["generation_params"].update(beat_ratio=2.0, bar_shift_beats=2)
    html = pages.track_page(track_view(FakeServices(), track), base="", version="v", owner=True, csrf="tok")
    assert re.findall(r'<option value="(\d)"( selected)?>([^<]*)<', html.split('id="bar_shift"')[1].split("</select>")[0]) == [
        ("0", "", "As heard"), ("1", "", "2 beats later"), ("2", " selected", "1 beat later (this track)")]
