"""What the track page shows: files with sizes (empty ones left out), the audio to play
(compressed previews when the package has them, else the WAV), stems for the mixer, and the
chords and lyrics on the song's timeline (seconds)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from humitout import storage
from humitout.models import Arrangement, HumReading, told_call_conditions
from humitout.music.lyric_timing import melody_notes, spread_lyrics
from humitout.music.styles import tempo_asked
from humitout.runtime import Services

LABELS = {  # package path -> what the caller sees, in download order
    "full-mix.wav": "Full mix with melody guide",
    "backing-track.wav": "Backing track (no melody)",
    "mix-with-your-hum.wav": "Full mix with your own hum on the beat",
    "your-hum.wav": "Your hum alone, flexed onto the song's beat (place it at bar 1)",
    "session.mid": "MIDI for GarageBand / Logic / Ableton",
    "lead-sheet.musicxml": "Lead sheet (MusicXML)",
    "lead-sheet.svg": "Lead sheet (picture)",
    "lyrics.txt": "Lyrics",
    "piano-roll.png": "Piano roll picture",
    "piano-roll-portrait.png": "Piano roll picture (phone)",
    "metadata.json": "Metadata",
    "download-package.zip": "Everything in one ZIP",
}
STEM_ORDER = ("drums", "bass", "chords", "pad", "melody")
"""Mixer order (display only); unknown stems follow alphabetically."""
YOUR_HUM = "your-hum.wav"
PREVIEW_DIR = "previews/"
PREVIEW_SUFFIXES = (".mp3", ".m4a", ".aac", ".ogg", ".opus")
PLAYER_CANDIDATES = ("full-mix.wav", "mix-with-your-hum.wav", "backing-track.wav")


@dataclass(frozen=True)
class FileLink:
    path: str  # inside the package, e.g. "stems/drums.wav"
    label: str
    size: int  # bytes
    url: str  # presigned, served as an attachment

    @property
    def kind(self) -> str:
        return PurePosixPath(self.path).suffix.lstrip(".").upper() or "FILE"


@dataclass(frozen=True)
class Channel:
    """One mixer channel: ``url`` is the preview when there is one, else the WAV."""

    name: str
    label: str
    url: str
    compressed: bool


@dataclass
class TrackView:
    track_id: str
    session_id: str
    version: int
    style: str
    key: str
    tempo_bpm: float
    meter: str
    hum_meter: str   # the meter the hum was read in (a 2/4 hum makes a 4/4 song)
    bar_shift: int   # beats the caller moved bar 1 later than it was read ("shift")
    beat_ratio: float   # song beats per beat of the hum (the song's tempo over the hum's: 1, 2 or 1/2)
    asked_tempo_bpm: float | None   # the song tempo the caller asked for ("half", "double"); None: the style's
    half_time_bpm: float | None     # this song at half / double time (the melody at its speed), None where it
    double_time_bpm: float | None   # cannot go so (:func:`~humitout.music.styles.tempo_asked`)
    audio_s: float | None  # length of the song's audio (s); None for tracks saved before it was recorded
    created_at: object
    player_url: str | None = None
    player_compressed: bool = False
    channels: list[Channel] = field(default_factory=list)
    downloads: list[FileLink] = field(default_factory=list)
    package: FileLink | None = None
    piano_roll_url: str | None = None
    chords: list[dict] = field(default_factory=list)  # {"t": s, "d": s, "symbol", "roman"}
    lyrics: list[dict] = field(default_factory=list)  # {"t": s, "text"}
    media_origins: tuple[str, ...] = ()
    call_conditions: list[str] = field(default_factory=list)  # how the hum's call sounded (CALL_TIPS)


def package_path(key: str, version: int) -> str:
    """``sessions/<id>/v2/stems/drums.wav`` -> ``stems/drums.wav``."""
    marker = f"/v{version}/"
    return key.split(marker, 1)[1] if marker in key else PurePosixPath(key).name


def preview_for(path: str, previews: dict[str, str]) -> str | None:
    """The preview of a package file (``previews/stems/drums.mp3`` for ``stems/drums.wav``)."""
    stem = str(PurePosixPath(path).with_suffix(""))
    for suffix in PREVIEW_SUFFIXES:
        if PREVIEW_DIR + stem + suffix in previews:
            return previews[PREVIEW_DIR + stem + suffix]
    return None


def label_for(path: str) -> str:
    if path in LABELS:
        return LABELS[path]
    if path.startswith("stems/"):
        return f"Stem: {PurePosixPath(path).stem.capitalize()}"
    return path


def _order(path: str) -> tuple:
    if path in LABELS:
        return (0, list(LABELS).index(path), path)
    if path.startswith("stems/"):
        name = PurePosixPath(path).stem
        return (1, STEM_ORDER.index(name) if name in STEM_ORDER else len(STEM_ORDER), name)
    return (2, 0, path)


def track_view(svc: Services, track: dict, *, with_timeline: bool = True) -> TrackView:
    """Presign every file of ``track`` (a ``generated_tracks`` row joined with its session) and
    lay out the page."""
    ttl = svc.settings.presign_ttl_s
    version = int(track["version"])
    params = track["generation_params"] or {}
    reading = HumReading.from_params(params)
    view = TrackView(
        track_id=str(track["id"]), session_id=str(track["session_id"]), version=version, style=track["style"],
        key=params.get("key", ""), tempo_bpm=float(reading.tempo_bpm or 0), meter=reading.song_meter,
        hum_meter=reading.meter or reading.song_meter, bar_shift=reading.bar_shift, beat_ratio=reading.beat_ratio,
        asked_tempo_bpm=reading.asked_tempo_bpm,
        half_time_bpm=tempo_asked(reading, 0.5), double_time_bpm=tempo_asked(reading, 2.0),
        audio_s=params.get("audio_s"), created_at=track.get("created_at"),
        call_conditions=told_call_conditions(params.get("call_conditions")))
    sizes: dict[str, int] = track["file_sizes"] or {}
    by_path = {package_path(key, version): (name, key) for name, key in (track["file_keys"] or {}).items()}
    previews = {p: key for p, (_, key) in by_path.items() if p.startswith(PREVIEW_DIR)}

    def listen(path: str) -> tuple[str, bool]:
        preview = preview_for(path, previews)
        return svc.storage.presign_get(preview or by_path[path][1], ttl), preview is not None

    for path in sorted(by_path, key=_order):
        name, key = by_path[path]
        size = int(sizes.get(name) or 0)
        if size == 0 or path.startswith(PREVIEW_DIR):
            continue  # empty files are not offered; previews are for listening, the WAV is the download
        link = FileLink(path, label_for(path), size, svc.storage.presign_get(key, ttl, filename=PurePosixPath(path).name))
        if path == "download-package.zip":
            view.package = link
        else:
            view.downloads.append(link)
    offered = {f.path for f in view.downloads}
    player = next((p for p in PLAYER_CANDIDATES if p in offered), None)
    if player:
        view.player_url, view.player_compressed = listen(player)
    for path in sorted(p for p in offered if p.startswith("stems/") and p.endswith(".wav")):
        url, compressed = listen(path)
        view.channels.append(Channel(PurePosixPath(path).stem, label_for(path).removeprefix("Stem: "),
                                     url, compressed))
    view.channels.sort(key=lambda c: _order(f"stems/{c.name}.wav"))
    if YOUR_HUM in offered:
        url, compressed = listen(YOUR_HUM)
        view.channels.append(Channel("your-hum", "Your hum", url, compressed))
    if "piano-roll.png" in offered:
        view.piano_roll_url = svc.storage.presign_get(by_path["piano-roll.png"][1], ttl)
    if view.player_url:
        from humitout.web.http import origin_of

        view.media_origins = (origin_of(view.player_url),)
    if with_timeline:
        view.chords, view.lyrics = timeline(svc, view.session_id, version)
    return view


def timeline(svc: Services, session_id: str, version: int) -> tuple[list[dict], list[dict]]:
    """Chords and lyric words in seconds from the version's ``arrangement.json`` (both empty when
    it cannot be read: the page still plays and downloads)."""
    try:
        doc = svc.storage.get_json(f"{storage.version_prefix(session_id, version)}/arrangement.json")
        arrangement = Arrangement.model_validate(doc)
    except Exception:  # noqa: BLE001 - an old or missing arrangement only hides the timeline
        return [], []
    spb = 60.0 / arrangement.tempo_bpm
    ts = arrangement.time_signature
    beats_per_bar = ts.numerator * 4 / ts.denominator
    section_at = {s.start_bar * beats_per_bar: s.name for s in arrangement.sections}
    chords = [{"t": round(c.start_beat * spb, 3), "d": round(c.duration_beats * spb, 3), "symbol": c.symbol,
               "roman": c.roman, "section": section_at.get(c.start_beat, "")}
              for c in sorted(arrangement.chords, key=lambda c: c.start_beat)]
    notes = melody_notes(arrangement)
    lyrics = [{"t": round(notes[i].start_beat * spb, 3), "text": words}
              for i, words in spread_lyrics(arrangement.lyrics, len(notes))]
    return chords, lyrics
