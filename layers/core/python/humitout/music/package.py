"""The download package: mastered mixes, stems, previews, MIDI, lead sheet, piano roll, lyrics, metadata, ZIP.

Mixes (the full mix, the backing track, and any mix in :data:`MIX_PATHS`) are mastered
one by one by :mod:`humitout.music.mastering` (bus compression, look-ahead limiter) to
-14 LUFS integrated with true peak <= -1 dBTP. The stems all get ONE linear gain: the
one that brings the raw full mix (their exact sum) to -14 LUFS, lowered only if a stem's
true peak would pass -1 dBTP; so the stems still sum to the unmastered mix, and the ZIP's
README.txt says how. Compressed previews (MP3) of every mix and stem are written for the
web page under ``previews/`` and left out of the ZIP.
"""
from __future__ import annotations

import json
import os
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile
from pedalboard.io import AudioFile

from humitout.audio.arrays import without_huge_pages
from humitout.models import Arrangement
from humitout.music import render
from humitout.music.leadsheet import write_lead_sheet, write_lead_sheet_svg
from humitout.music.mastering import (
    TARGET_LUFS,
    TRUE_PEAK_CEILING_DBTP,
    Master,
    integrated_lufs,
    master_mixes,
    stem_gain_db,
)
from humitout.music.midi import CHANNEL_BY_PART, build_midi, write_midi
from humitout.music.mixing import style_mix
from humitout.music.pianoroll import write_piano_roll

WAV_SUBTYPE = "PCM_24"
LEAD_PART = "melody"
STEM_ORDER = ("drums", "bass", "chords", "pad", "melody")
PREVIEW_QUALITY = "V4"
"""LAME VBR quality of the previews (~165 kbit/s): a 90 s mix is ~1.8 MB, a phone starts at once."""

MIX_PATHS = {"full_mix": "full-mix.wav", "backing_track": "backing-track.wav"}
"""Logical name -> path of each mastered mix (another stage may add one, e.g. a mix with the hum)."""
STEM_PATHS = {f"stem_{name}": f"stems/{name}.wav" for name in STEM_ORDER}
FILE_PATHS = {
    **MIX_PATHS,
    **STEM_PATHS,
    "midi": "session.mid",
    "lyrics": "lyrics.txt",
    "lead_sheet": "lead-sheet.musicxml",
    "lead_sheet_svg": "lead-sheet.svg",
    "piano_roll": "piano-roll.png",
    "piano_roll_portrait": "piano-roll-portrait.png",
    "readme": "README.txt",
    "metadata": "metadata.json",
    "zip": "download-package.zip",
}
"""Logical name -> path inside the package folder and the ZIP (previews are not in the ZIP)."""


def preview_path(wav_path: str) -> str:
    """The MP3 preview's path of a WAV in the package: ``stems/drums.wav`` -> ``previews/stems/drums.mp3``."""
    return f"previews/{wav_path[: -len('.wav')]}.mp3"



STORED_SUFFIXES = {".wav", ".png"}
"""Already dense: stored in the ZIP without deflate (deflating 24-bit PCM costs seconds, saves ~10 %)."""
HUM_FILE_PATHS = {"your_hum": "your-hum.wav", "mix_with_your_hum": "mix-with-your-hum.wav"}
"""Written when the caller's recording is given: their hum flexed onto the song's grid, and the full mix with it."""
PREVIEW_PATHS = {f"preview_{name}": preview_path(path)
                 for name, path in {**MIX_PATHS, **STEM_PATHS, **HUM_FILE_PATHS}.items()}
YOUR_HUM_BELOW_MIX_LU = 3.0
"""How far (LU) the caller's hum sits under the full mix (a lead voice a little under the band)."""


@dataclass
class PackageResult:
    """What :func:`build_package` wrote: ``files`` logical name -> path, ``metadata`` as in metadata.json,
    ``timings_s`` wall seconds and ``cpu_timings_s`` CPU seconds (this process) per stage."""

    files: dict[str, Path]
    metadata: dict
    timings_s: dict[str, float] = field(default_factory=dict)
    cpu_timings_s: dict[str, float] = field(default_factory=dict)


def _write_wav(path: Path, audio: np.ndarray, gain: float, scratch: np.ndarray) -> None:
    """Write planar ``(2, n)`` float audio times ``gain`` as interleaved 24-bit PCM via ``scratch`` ``(n, 2)``."""
    np.multiply(audio.T, np.float32(gain), out=scratch)
    soundfile.write(path, scratch, render.SAMPLE_RATE_HZ, subtype=WAV_SUBTYPE)


def write_preview(path: Path, audio: np.ndarray, gain: float = 1.0, *, quality: str = PREVIEW_QUALITY) -> Path:
    """Write planar ``(2, n)`` float audio times ``gain`` as an MP3 (LAME VBR ``quality``) at 48 kHz."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with AudioFile(str(path), "w", render.SAMPLE_RATE_HZ, audio.shape[0], quality=quality) as preview:
        preview.write(audio * np.float32(gain) if gain != 1.0 else audio)
    return path


def _zip(files: dict[str, Path], out_dir: Path, zip_path: Path) -> None:
    with zipfile.ZipFile(zip_path, "w") as archive:
        for path in files.values():
            method = zipfile.ZIP_STORED if path.suffix in STORED_SUFFIXES else zipfile.ZIP_DEFLATED
            archive.write(path, path.relative_to(out_dir).as_posix(), compress_type=method)


def readme_text(arrangement: Arrangement, masters: dict[str, Master], stems_gain_db: float,
                part_names: list[str], *, with_hum: bool = False) -> str:
    """README.txt of the ZIP: what each file is (``with_hum``: the caller's own hum files too), and how the
    stems sum."""
    ts = arrangement.time_signature
    full = masters["full_mix"]
    stems = ", ".join(f"stems/{name}.wav" for name in part_names)
    hum_files = (f"""{HUM_FILE_PATHS["your_hum"]}                      your own recording, time-stretched onto the song's beat
                                  (pitch unchanged) and placed at its bar; {HUM_FILE_PATHS["mix_with_your_hum"]} is
                                  the full mix with it, {YOUR_HUM_BELOW_MIX_LU:g} LU under the band
""" if with_hum else "")
    return f"""Hum It Out - {arrangement.style.value} in {arrangement.key.name}, {arrangement.tempo_bpm:g} bpm, \
{ts.numerator}/{ts.denominator}, {arrangement.total_bars} bars

full-mix.wav, backing-track.wav   mastered mixes, 48 kHz / 24-bit stereo, {TARGET_LUFS:g} LUFS integrated,
                                  true peak <= {TRUE_PEAK_CEILING_DBTP:g} dBTP (the backing track is every part but
                                  the melody guide, mastered on its own)
{stems}
                                  one WAV per instrument, sample-aligned, all from bar 1 beat 1
session.mid                       the arrangement as MIDI (one named track per instrument, tempo, key,
                                  time signature, section markers)
lead-sheet.musicxml / .svg        melody, chord symbols and lyrics (MusicXML for notation programs)
piano-roll.png / -portrait.png    every part on a bar/beat grid
{hum_files}lyrics.txt, metadata.json         the words (if any were heard), and everything about this version

How the stems sum
-----------------
Put every stem at 0 dB on a fader, pans centred (the stereo placement is in the files): they add
up exactly to the unmastered mix, brought to {TARGET_LUFS:g} LUFS by one gain ({stems_gain_db:+.2f} dB on the
raw synth output, the same for every stem{'' if abs(stems_gain_db - full.match_gain_db) < 0.01 else
', lowered from ' + format(full.match_gain_db, '+.2f') + ' dB so no stem passes ' + format(TRUE_PEAK_CEILING_DBTP, 'g') + ' dBTP'}).
full-mix.wav is that sum after mastering: a gentle bus compressor (2:1, at most
{full.compressor_max_reduction_db:.1f} dB on the loudest hits) and a look-ahead limiter (at most
{full.limiter_max_reduction_db:.1f} dB, on peaks only), so its peaks are lower and its loud passages a little
denser than the plain sum. To get the same sound from the stems, put a bus compressor and a
limiter (ceiling {TRUE_PEAK_CEILING_DBTP:g} dBTP) on your master bus.
"""


@without_huge_pages()  # a fresh huge page costs ms of system time on a VM (see the helper)
def build_package(
    arrangement: Arrangement,
    out_dir: Path,
    *,
    soundfont: Path | None = None,
    params: dict | None = None,
    preview_quality: str = PREVIEW_QUALITY,
    hum: tuple[np.ndarray, int] | None = None,
) -> PackageResult:
    """Render ``arrangement`` and write the whole download package into ``out_dir``.

    ``soundfont`` defaults to ``$HUMITOUT_SOUNDFONT`` or the default GM soundfont (a missing
    one raises :class:`~humitout.music.render.SoundfontError` before anything is written);
    ``params`` (JSON-serialisable) is recorded as the generation parameters. Stems are
    written for the parts the arrangement has; the backing track is every part but the
    melody. Previews are MP3 at LAME VBR ``preview_quality``. ``hum``
    (mono samples, Hz), the caller's original recording, adds ``your-hum.wav`` and
    ``mix-with-your-hum.wav`` when the arrangement has a hum -> song time map.
    """
    soundfont = render.resolve_soundfont(soundfont)
    part_names = [name for name in STEM_ORDER if any(p.name == name for p in arrangement.parts)]
    if not part_names:
        raise ValueError("the arrangement has no parts to render")
    out_dir = Path(out_dir)
    (out_dir / "stems").mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / rel for name, rel in {**FILE_PATHS, **HUM_FILE_PATHS, **PREVIEW_PATHS}.items()}
    timings: dict[str, float] = {}
    cpu_timings: dict[str, float] = {}
    clock, cpu_clock = time.perf_counter(), time.process_time()

    def lap(stage: str) -> None:
        nonlocal clock, cpu_clock
        now, cpu_now = time.perf_counter(), time.process_time()
        timings[stage], cpu_timings[stage] = now - clock, cpu_now - cpu_clock
        clock, cpu_clock = now, cpu_now

    midi_file = build_midi(arrangement)
    write_midi(midi_file, paths["midi"])
    lap("midi")

    mix_settings = style_mix(arrangement.style)
    stems = render.render_stems(
        midi_file, {name: CHANNEL_BY_PART[name] for name in part_names}, soundfont,
        min_duration_s=arrangement.duration_s, effects=mix_settings,
    )
    lap("synth")

    n_samples = next(iter(stems.values())).shape[1]
    backing = np.zeros((2, n_samples), dtype=np.float32)
    for name in part_names:
        if name != LEAD_PART:
            backing += stems[name]
    full_mix = backing + stems[LEAD_PART] if LEAD_PART in stems else backing
    mixes = {"full_mix": full_mix, "backing_track": backing}
    raw_lufs: dict[str, float] = {}  # measured once: the hum is placed under the full mix's loudness, which its mastering starts from
    voice = None
    if hum is not None and arrangement.time_map:
        raw_lufs["full_mix"] = integrated_lufs(full_mix, render.SAMPLE_RATE_HZ)
        voice = your_hum_track(arrangement, hum, full_mix, mix_lufs=raw_lufs["full_mix"])
        mixes["mix_with_your_hum"] = full_mix + voice
    lap("your_hum")
    masters = master_mixes(mixes, render.SAMPLE_RATE_HZ, raw_lufs=raw_lufs)
    stems_gain_db = stem_gain_db(masters["full_mix"].match_gain_db, stems)
    stems_gain = 10 ** (stems_gain_db / 20)
    del backing, full_mix
    lap("mastering")

    scratch = np.empty((n_samples, 2), dtype=np.float32)
    for name, mastered in masters.items():
        _write_wav(paths[name], mastered.audio, 1.0, scratch)
    for name in part_names:
        _write_wav(paths[f"stem_{name}"], stems[name], stems_gain, scratch)
    if voice is not None:  # gain-matched like a stem: it sums with the full mix
        _write_wav(paths["your_hum"], voice, stems_gain, scratch)
    del scratch
    lap("wav_write")

    previews = [(paths[f"preview_{name}"], mastered.audio, 1.0) for name, mastered in masters.items()]
    previews += [(paths[f"preview_stem_{name}"], stems[name], stems_gain) for name in part_names]
    if voice is not None:
        previews.append((paths["preview_your_hum"], voice, stems_gain))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:  # LAME releases the GIL
        list(pool.map(lambda job: write_preview(*job, quality=preview_quality), previews))
    lap("previews")

    write_piano_roll(arrangement, masters["full_mix"].audio, render.SAMPLE_RATE_HZ, paths["piano_roll"],
                     paths["piano_roll_portrait"])
    lap("png")

    write_lead_sheet(arrangement, paths["lead_sheet"])
    write_lead_sheet_svg(paths["lead_sheet"], paths["lead_sheet_svg"])
    lap("leadsheet")

    paths["lyrics"].write_text(arrangement.lyrics.strip() + "\n" if arrangement.lyrics.strip() else "", encoding="utf-8")
    paths["readme"].write_text(readme_text(arrangement, masters, stems_gain_db, part_names, with_hum=voice is not None),
                               encoding="utf-8")
    in_zip = {
        name: paths[name] for name in FILE_PATHS
        if name not in ("metadata", "zip") and (not name.startswith("stem_") or name[5:] in part_names)
    } | ({name: paths[name] for name in HUM_FILE_PATHS} if voice is not None else {})
    preview_files = {name: paths[name] for name in PREVIEW_PATHS
                     if (not name.startswith("preview_stem_") or name[13:] in part_names)
                     and (voice is not None or name[len("preview_"):] not in HUM_FILE_PATHS)}
    loudness = {
        "target_lufs": TARGET_LUFS,
        "true_peak_ceiling_dbtp": TRUE_PEAK_CEILING_DBTP,
        **{name: mastered.summary() for name, mastered in masters.items()},
        "stems_gain_db": round(stems_gain_db, 2),
        "stems_sample_peak_dbfs": {name: round(20 * np.log10(max(float(np.abs(stems[name]).max()), 1e-12))
                                               + stems_gain_db, 2) for name in part_names},
    }
    metadata = _metadata(arrangement, out_dir, {**in_zip, **preview_files}, params or {}, soundfont, n_samples,
                         loudness, {**mix_settings.summary(), "preview": {"format": "mp3", "quality": preview_quality}})
    paths["metadata"].write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    in_zip["metadata"] = paths["metadata"]
    lap("metadata")

    _zip(in_zip, out_dir, paths["zip"])
    written = {**in_zip, **preview_files, "zip": paths["zip"]}
    lap("zip")
    return PackageResult(files=written, metadata=metadata, timings_s=timings, cpu_timings_s=cpu_timings)


def your_hum_track(arrangement: Arrangement, hum: tuple[np.ndarray, int], full_mix: np.ndarray, *,
                   below_mix_lu: float = YOUR_HUM_BELOW_MIX_LU, mix_lufs: float | None = None) -> np.ndarray:
    """The caller's recording (``hum``: mono samples, Hz), only its hum (``arrangement.hum_span_s``), flexed onto
    the song grid by ``arrangement.time_map``, as a (2, n) track as long as ``full_mix`` (unmastered, at the stems'
    scale) and ``below_mix_lu`` (LU, integrated loudness) under it. ``mix_lufs``: ``full_mix``'s
    integrated loudness when already measured (measured here when None)."""
    from humitout.audio.flex import flex_to_song

    samples, rate = hum
    n = full_mix.shape[1]
    voice = flex_to_song(samples, rate, [(p.hum_s, p.song_beat) for p in arrangement.time_map],
                         arrangement.tempo_bpm, n / render.SAMPLE_RATE_HZ, out_rate_hz=render.SAMPLE_RATE_HZ,
                         hum_span_s=arrangement.hum_span_s, breaks_s=arrangement.hum_breaks_s)
    stereo = np.vstack([voice, voice]).astype(np.float32)
    voice_lufs = integrated_lufs(stereo, render.SAMPLE_RATE_HZ)
    if mix_lufs is None:
        mix_lufs = integrated_lufs(full_mix, render.SAMPLE_RATE_HZ)
    if np.isfinite(voice_lufs) and np.isfinite(mix_lufs):
        stereo *= np.float32(10 ** ((mix_lufs - below_mix_lu - voice_lufs) / 20))
    return stereo


def _metadata(arrangement: Arrangement, out_dir: Path, files: dict[str, Path], params: dict, soundfont: Path,
              n_samples: int, loudness: dict, effects: dict) -> dict:
    """metadata.json: musical facts, durations (s), loudness, file sizes (bytes) and generation params."""
    ts = arrangement.time_signature
    beats_per_bar = ts.numerator * 4 / ts.denominator
    return {
        "style": arrangement.style.value,
        "tempo_bpm": arrangement.tempo_bpm,
        "key": {"tonic": arrangement.key.tonic, "mode": arrangement.key.mode, "name": arrangement.key.name},
        "time_signature": f"{ts.numerator}/{ts.denominator}",
        "hum_meter": (arrangement.hum_meter or ts).text,   # as read, or as the caller named it (2/4: a 4/4 song)
        "bar_shift_beats": arrangement.bar_shift_beats,   # beats the caller moved bar 1 ("shift")
        "beat_ratio": arrangement.beat_ratio,   # song beats per hum beat (the song's tempo over the hum's)
        "asked_tempo_bpm": arrangement.asked_tempo_bpm,   # the song tempo the caller asked for ("half"), or None
        "call_conditions": arrangement.call_conditions,   # how the hum's call sounded (tips)
        "total_bars": arrangement.total_bars,
        "sections": [s.model_dump() for s in arrangement.sections],
        "chords": [
            {"symbol": c.symbol, "roman": c.roman, "bar": int(c.start_beat // beats_per_bar),
             "start_beat": c.start_beat, "duration_beats": c.duration_beats}
            for c in arrangement.chords
        ],
        "parts": [
            {"name": p.name, "program": p.program, "level_db": p.level_db, "pan": p.pan, "notes": len(p.notes)}
            for p in arrangement.parts
        ],
        "durations_s": {
            "song": round(arrangement.duration_s, 3),
            "audio": round(n_samples / render.SAMPLE_RATE_HZ, 3),
        },
        "audio": {"sample_rate_hz": render.SAMPLE_RATE_HZ, "bit_depth": 24, "channels": 2},
        "loudness": loudness,
        "has_lyrics": bool(arrangement.lyrics.strip()),
        "hum_time_map": [{"hum_s": p.hum_s, "song_beat": p.song_beat,
                          "song_s": round(p.song_beat * 60.0 / arrangement.tempo_bpm, 4)}
                         for p in arrangement.time_map],
        "hum_span_s": list(arrangement.hum_span_s) if arrangement.hum_span_s else None,   # the recording's hum
        "hum_breaks_s": [list(b) for b in arrangement.hum_breaks_s],   # the caller's words in it, left out
        "files": {name: path.relative_to(out_dir).as_posix() for name, path in files.items()},
        "file_sizes": {path.relative_to(out_dir).as_posix(): path.stat().st_size for path in files.values()},
        "generation_params": params,
        "render": {
            "synth": f"fluidsynth {render.fluidsynth_version()}",
            "soundfont": soundfont.name,
            "synth_gain": render.SYNTH_GAIN,
            "tail_s": render.TAIL_S,
            "effects": effects,
        },
    }
