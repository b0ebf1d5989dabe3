"""The download package: mixes, stems, MIDI, lead sheet, piano roll, lyrics, metadata and a ZIP.

Loudness: ONE linear gain, applied identically to the mixes and the stems (so the
stems still sum to the mix), brings the full mix to :data:`TARGET_LUFS`
integrated; if that would push any true peak of the mixes, or any sample of a
stem, above :data:`TRUE_PEAK_CEILING_DBTP`, the gain is lowered instead, so the
package is quieter rather than clipped.
"""
from __future__ import annotations

import json
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile
from scipy.signal import firwin, upfirdn

from humitout.models import Arrangement
from humitout.music import render
from humitout.music.leadsheet import write_lead_sheet
from humitout.music.midi import CHANNEL_BY_PART, build_midi, write_midi
from humitout.music.pianoroll import write_piano_roll

TARGET_LUFS = -14.0
TRUE_PEAK_CEILING_DBTP = -1.0
TRUE_PEAK_MARGIN_DB = 0.02
"""Kept below the ceiling so 24-bit rounding cannot lift a peak over it."""
TRUE_PEAK_OVERSAMPLING = 4
WAV_SUBTYPE = "PCM_24"
LEAD_PART = "melody"
STEM_ORDER = ("drums", "bass", "chords", "pad", "melody")

FILE_PATHS = {
    "backing_track": "backing-track.wav",
    "full_mix": "full-mix.wav",
    **{f"stem_{name}": f"stems/{name}.wav" for name in STEM_ORDER},
    "midi": "session.mid",
    "lyrics": "lyrics.txt",
    "lead_sheet": "lead-sheet.musicxml",
    "piano_roll": "piano-roll.png",
    "metadata": "metadata.json",
    "zip": "download-package.zip",
}
"""Logical name -> path inside the package folder and the ZIP."""
STORED_SUFFIXES = {".wav", ".png"}
"""Already dense: stored in the ZIP without deflate (deflating 24-bit PCM costs seconds, saves ~10 %)."""
HUM_FILE_PATHS = {"your_hum": "your-hum.wav", "mix_with_your_hum": "mix-with-your-hum.wav"}
"""Written when the caller's recording is given: their hum flexed onto the song's grid, and the full mix with it."""
YOUR_HUM_LUFS = TARGET_LUFS - 3.0
"""Loudness of the caller's hum in ``your-hum.wav`` and in the mix with it (a lead voice a little under the band)."""


@dataclass
class PackageResult:
    """What :func:`build_package` wrote: ``files`` logical name -> path, ``metadata`` as in metadata.json,
    ``timings_s`` wall seconds and ``cpu_timings_s`` CPU seconds (this process) per stage."""

    files: dict[str, Path]
    metadata: dict
    timings_s: dict[str, float] = field(default_factory=dict)
    cpu_timings_s: dict[str, float] = field(default_factory=dict)


def _true_peak_filter() -> np.ndarray:
    """Interpolation low-pass for 4x oversampling: 48 taps, 12 per phase (the size of BS.1770-4's example)."""
    return firwin(12 * TRUE_PEAK_OVERSAMPLING, 1 / TRUE_PEAK_OVERSAMPLING, window=("kaiser", 5.0)) * TRUE_PEAK_OVERSAMPLING


TRUE_PEAK_FIR = _true_peak_filter()
TRUE_PEAK_FIR_GAIN = max(np.abs(TRUE_PEAK_FIR[p::TRUE_PEAK_OVERSAMPLING]).sum() for p in range(TRUE_PEAK_OVERSAMPLING))
"""Largest gain of any phase on any input: an oversampled value is at most this times the
largest input sample it is computed from."""


def true_peak_dbtp(audio: np.ndarray, block_samples: int = 1024) -> float:
    """True peak of ``(channels, n_samples)`` audio in dBTP (4x oversampled; -inf if silent).

    Only blocks whose neighbourhood could, at :data:`TRUE_PEAK_FIR_GAIN`, exceed the sample
    peak are oversampled; the others cannot hold the true peak, so the result is exact.
    """
    sample_peak = float(np.abs(audio).max()) if audio.size else 0.0
    if sample_peak == 0.0:
        return -np.inf
    peak = sample_peak
    context = len(TRUE_PEAK_FIR)  # input samples either side, more than the filter spans
    delay = len(TRUE_PEAK_FIR) // 2  # output samples from an input sample to its interpolated value
    for channel in audio:
        n_blocks = -(-len(channel) // block_samples)
        padded = np.zeros(n_blocks * block_samples, dtype=channel.dtype)
        padded[: len(channel)] = channel
        block_peak = np.abs(padded).reshape(n_blocks, block_samples).max(axis=1)
        neighbourhood_peak = np.maximum(block_peak, np.maximum(np.r_[0, block_peak[:-1]], np.r_[block_peak[1:], 0]))
        candidates = np.flatnonzero(neighbourhood_peak * TRUE_PEAK_FIR_GAIN > sample_peak)
        for block in candidates:
            start, stop = block * block_samples, min(len(channel), (block + 1) * block_samples)
            lo, hi = max(0, start - context), min(len(channel), stop + context)
            upsampled = upfirdn(TRUE_PEAK_FIR, channel[lo:hi].astype(np.float64), up=TRUE_PEAK_OVERSAMPLING)
            core = upsampled[(start - lo) * TRUE_PEAK_OVERSAMPLING + delay : (stop - lo) * TRUE_PEAK_OVERSAMPLING + delay]
            peak = max(peak, float(np.abs(core).max()))
    return float(20 * np.log10(peak))


def integrated_lufs(audio: np.ndarray, sample_rate_hz: int) -> float:
    """ITU-R BS.1770 integrated loudness of ``(channels, n_samples)`` audio in LUFS (-inf if silent).

    float32 input stays float32 (half the memory of float64; same result to 1e-6 dB)."""
    return float(pyloudnorm.Meter(sample_rate_hz).integrated_loudness(audio.T))


def loudness_gain_db(full_mix: np.ndarray, peaks_dbtp: list[float], sample_rate_hz: int) -> tuple[float, float]:
    """(gain dB, full-mix LUFS before gain): reach TARGET_LUFS unless a peak in ``peaks_dbtp`` would pass the ceiling."""
    lufs = integrated_lufs(full_mix, sample_rate_hz)
    loudness_gain = TARGET_LUFS - lufs if np.isfinite(lufs) else 0.0
    peak_gain = TRUE_PEAK_CEILING_DBTP - TRUE_PEAK_MARGIN_DB - max(peaks_dbtp)
    return min(loudness_gain, peak_gain), lufs


def _write_wav(path: Path, audio: np.ndarray, gain: float, scratch: np.ndarray) -> None:
    """Write planar ``(2, n)`` float audio times ``gain`` as interleaved 24-bit PCM via ``scratch`` ``(n, 2)``."""
    np.multiply(audio.T, np.float32(gain), out=scratch)
    soundfile.write(path, scratch, render.SAMPLE_RATE_HZ, subtype=WAV_SUBTYPE)


def _zip(files: dict[str, Path], out_dir: Path, zip_path: Path) -> None:
    with zipfile.ZipFile(zip_path, "w") as archive:
        for path in files.values():
            method = zipfile.ZIP_STORED if path.suffix in STORED_SUFFIXES else zipfile.ZIP_DEFLATED
            archive.write(path, path.relative_to(out_dir).as_posix(), compress_type=method)


def build_package(
    arrangement: Arrangement,
    out_dir: Path,
    *,
    soundfont: Path | None = None,
    params: dict | None = None,
    hum: tuple[np.ndarray, int] | None = None,
) -> PackageResult:
    """Render ``arrangement`` and write the whole download package into ``out_dir``.

    ``soundfont`` defaults to ``$HUMITOUT_SOUNDFONT`` or FluidR3_GM (a missing one raises
    :class:`~humitout.music.render.SoundfontError` before anything is written); ``params``
    (JSON-serialisable) is recorded as the generation parameters. Stems are written for
    the parts the arrangement has; the backing track is every part but the melody. ``hum``
    (mono samples, Hz), the caller's original recording, adds ``your-hum.wav`` and
    ``mix-with-your-hum.wav`` when the arrangement has a hum -> song time map.
    """
    soundfont = render.resolve_soundfont(soundfont)
    part_names = [name for name in STEM_ORDER if any(p.name == name for p in arrangement.parts)]
    if not part_names:
        raise ValueError("the arrangement has no parts to render")
    out_dir = Path(out_dir)
    (out_dir / "stems").mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / rel for name, rel in FILE_PATHS.items()}
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

    stems = render.render_stems(
        midi_file, {name: CHANNEL_BY_PART[name] for name in part_names}, soundfont,
        min_duration_s=arrangement.duration_s,
    )
    lap("synth")

    n_samples = next(iter(stems.values())).shape[1]
    backing = np.zeros((2, n_samples), dtype=np.float32)
    for name in part_names:
        if name != LEAD_PART:
            backing += stems[name]
    full_mix = backing + stems[LEAD_PART] if LEAD_PART in stems else backing
    stem_peaks_db = [20 * np.log10(max(float(s.max()), -float(s.min()), 1e-12)) for s in stems.values()]
    mix_peaks_dbtp = {"full_mix": true_peak_dbtp(full_mix), "backing_track": true_peak_dbtp(backing)}
    gain_db, lufs_before = loudness_gain_db(full_mix, [*mix_peaks_dbtp.values(), *stem_peaks_db], render.SAMPLE_RATE_HZ)
    gain = 10 ** (gain_db / 20)
    lap("mixdown_loudness")

    scratch = np.empty((n_samples, 2), dtype=np.float32)
    _write_wav(paths["full_mix"], full_mix, gain, scratch)
    _write_wav(paths["backing_track"], backing, gain, scratch)
    for name in part_names:
        _write_wav(paths[f"stem_{name}"], stems[name], gain, scratch)
    del scratch
    lap("wav_write")

    if hum is not None and arrangement.time_map:
        written_hum = write_your_hum(arrangement, hum, full_mix * np.float32(gain), out_dir)
        lap("your_hum")
    else:
        written_hum = {}

    write_piano_roll(arrangement, full_mix * np.float32(gain), render.SAMPLE_RATE_HZ, paths["piano_roll"])
    lap("png")

    write_lead_sheet(arrangement, paths["lead_sheet"])
    paths["lyrics"].write_text(arrangement.lyrics.strip() + "\n" if arrangement.lyrics.strip() else "", encoding="utf-8")
    written = {
        name: path for name, path in paths.items()
        if name not in ("metadata", "zip") and (not name.startswith("stem_") or name[5:] in part_names)
    } | written_hum
    metadata = _metadata(arrangement, out_dir, written, params or {}, soundfont, n_samples, {
        "target_lufs": TARGET_LUFS,
        "true_peak_ceiling_dbtp": TRUE_PEAK_CEILING_DBTP,
        "gain_db": round(gain_db, 3),
        "full_mix_lufs": round(lufs_before + gain_db, 2),
        "full_mix_true_peak_dbtp": round(mix_peaks_dbtp["full_mix"] + gain_db, 2),
        "backing_track_true_peak_dbtp": round(mix_peaks_dbtp["backing_track"] + gain_db, 2),
        "peak_limited": gain_db < TARGET_LUFS - lufs_before,
    })
    paths["metadata"].write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    written["metadata"] = paths["metadata"]
    lap("leadsheet_metadata")

    _zip(written, out_dir, paths["zip"])
    written["zip"] = paths["zip"]
    lap("zip")
    return PackageResult(files=written, metadata=metadata, timings_s=timings, cpu_timings_s=cpu_timings)


def write_your_hum(arrangement: Arrangement, hum: tuple[np.ndarray, int], full_mix: np.ndarray,
                   out_dir: Path) -> dict[str, Path]:
    """Write ``your-hum.wav`` (the recording flexed onto the song grid by ``arrangement.time_map``,
    at ``YOUR_HUM_LUFS``) and ``mix-with-your-hum.wav`` (``full_mix``, (2, n) at its final gain, plus
    that hum, lowered as a whole if a true peak would pass the ceiling). Returns name -> path."""
    from humitout.audio.flex import flex_to_song

    samples, rate = hum
    n = full_mix.shape[1]
    voice = flex_to_song(samples, rate, [(p.hum_s, p.song_beat) for p in arrangement.time_map],
                         arrangement.tempo_bpm, n / render.SAMPLE_RATE_HZ, out_rate_hz=render.SAMPLE_RATE_HZ)
    stereo = np.vstack([voice, voice])
    lufs = integrated_lufs(stereo, render.SAMPLE_RATE_HZ)
    voice_gain_db = YOUR_HUM_LUFS - lufs if np.isfinite(lufs) else 0.0
    voice_gain_db = min(voice_gain_db, TRUE_PEAK_CEILING_DBTP - TRUE_PEAK_MARGIN_DB - true_peak_dbtp(stereo))
    stereo *= np.float32(10 ** (voice_gain_db / 20))
    mix = full_mix + stereo
    mix_gain_db = min(0.0, TRUE_PEAK_CEILING_DBTP - TRUE_PEAK_MARGIN_DB - true_peak_dbtp(mix))
    paths = {name: out_dir / rel for name, rel in HUM_FILE_PATHS.items()}
    scratch = np.empty((n, 2), dtype=np.float32)
    _write_wav(paths["your_hum"], stereo, 1.0, scratch)
    _write_wav(paths["mix_with_your_hum"], mix, 10 ** (mix_gain_db / 20), scratch)
    return paths


def _metadata(arrangement: Arrangement, out_dir: Path, files: dict[str, Path], params: dict, soundfont: Path,
              n_samples: int, loudness: dict) -> dict:
    """metadata.json: musical facts, durations (s), loudness, file sizes (bytes) and generation params."""
    ts = arrangement.time_signature
    beats_per_bar = ts.numerator * 4 / ts.denominator
    return {
        "style": arrangement.style.value,
        "tempo_bpm": arrangement.tempo_bpm,
        "key": {"tonic": arrangement.key.tonic, "mode": arrangement.key.mode, "name": arrangement.key.name},
        "time_signature": f"{ts.numerator}/{ts.denominator}",
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
        "files": {name: path.relative_to(out_dir).as_posix() for name, path in files.items()},
        "file_sizes": {path.relative_to(out_dir).as_posix(): path.stat().st_size for path in files.values()},
        "generation_params": params,
        "render": {
            "synth": f"fluidsynth {render.fluidsynth_version()}",
            "soundfont": soundfont.name,
            "synth_gain": render.SYNTH_GAIN,
            "tail_s": render.TAIL_S,
        },
    }
