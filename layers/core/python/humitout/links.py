"""The share page behind ``/s/{token}``: fresh presigned S3 links on every visit."""
from __future__ import annotations

import html
from pathlib import PurePosixPath

from humitout.runtime import Services

LABELS = {  # logical file name -> what the caller sees, in page order
    "download-package.zip": "Everything (ZIP: stems, MIDI, mixes, lyrics, metadata)",
    "backing-track.wav": "Backing track (WAV, no melody)",
    "full-mix.wav": "Full mix with melody guide (WAV)",
    "mix-with-your-hum.wav": "Full mix with your own hum, lined up with the beat (WAV)",
    "your-hum.wav": "Your hum alone, flexed onto the song's beat — drop it on the track at bar 1 (WAV)",
    "session.mid": "MIDI for GarageBand / Logic / Ableton",
    "lyrics.txt": "Lyrics (TXT)",
    "metadata.json": "Metadata (JSON)",
    "lead-sheet.musicxml": "Lead sheet (MusicXML)",
    "piano-roll.png": "Piano roll (PNG)",
}


def share_page(svc: Services, token: str) -> tuple[int, str]:
    """``(status, html)`` for a share token: 404 for unknown, expired or revoked tokens."""
    track = svc.db.resolve_share_link(token)
    if track is None:
        return 404, _page("Link not found", "<p>This link has expired or does not exist. "
                          "Call again to make a new track.</p>")
    ttl = svc.settings.presign_ttl_s
    keys: dict[str, str] = track["file_keys"]
    by_filename = {PurePosixPath(k).name: k for k in keys.values()}
    urls = {name: svc.storage.presign_get(key, ttl, filename=name) for name, key in by_filename.items()}
    ordered = [n for n in LABELS if n in urls] + sorted(n for n in urls if n not in LABELS)
    rows = "".join(f'<li><a href="{html.escape(urls[n])}">{html.escape(_label(n, by_filename[n]))}</a></li>'
                   for n in ordered)
    player = (f'<audio controls preload="none" src="{html.escape(urls["full-mix.wav"])}"></audio>'
              if "full-mix.wav" in urls else "")
    picture = (f'<img alt="piano roll" style="max-width:100%" src="{html.escape(urls["piano-roll.png"])}">'
               if "piano-roll.png" in urls else "")
    total_mb = sum((track["file_sizes"] or {}).values()) / 1e6
    params = track["generation_params"]
    body = (f"<p>{html.escape(track['style'])} · {html.escape(params['key'])} · {params['time_signature']} · "
            f"{round(params['tempo_bpm'])} bpm · version {track['version']} · {total_mb:.1f} MB</p>"
            f"{player}<ul>{rows}</ul>{picture}<p>Links refresh each time you open this page.</p>")
    return 200, _page("Your Hum It Out track", body)


def _label(filename: str, key: str) -> str:
    if filename in LABELS:
        return LABELS[filename]
    if "/stems/" in key:
        return f"Stem: {PurePosixPath(filename).stem} (WAV)"
    return filename


def _page(title: str, body: str) -> str:
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")
