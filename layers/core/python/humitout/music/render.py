"""Render a MIDI file with FluidSynth in-process: all stems in one pass, sample-aligned.

Every stem is one FluidSynth audio group (a MIDI channel ``c`` plays into group
``c % groups``) with its own reverb and chorus units (settings per style from
:mod:`humitout.music.mixing`) whose output is added to the group's dry buffers,
so each stem carries its own effects and the stems sum exactly to the mix. libfluidsynth is driven through ctypes on the library that
pyfluidsynth loaded (``fluid_synth_process``), writing straight into numpy
buffers. Audio is float32, planar ``(2, n_samples)`` (left, right), at
:data:`SAMPLE_RATE_HZ`, unnormalised (FluidSynth gain :data:`SYNTH_GAIN`).
"""
from __future__ import annotations

import ctypes
import os
from collections.abc import Mapping
from pathlib import Path

import fluidsynth
import mido
import numpy as np

from humitout.errors import PipelineError
from humitout.music.mixing import StyleMix

SAMPLE_RATE_HZ = 48_000
SYNTH_GAIN = 0.2
"""FluidSynth master gain; low enough that the float output never comes near 1.0."""
TAIL_S = 2.0
"""Seconds rendered after the song's end for releases and reverb."""
DEFAULT_SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SOUNDFONT_ENV = "HUMITOUT_SOUNDFONT"
EFFECT_UNITS_PER_GROUP = 2  # reverb, chorus: fluid_synth_process wants buffers for both

_lib = fluidsynth._fl
_lib.new_fluid_settings.restype = ctypes.c_void_p
_lib.new_fluid_settings.argtypes = []
_lib.delete_fluid_settings.argtypes = [ctypes.c_void_p]
_lib.fluid_settings_setint.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
_lib.fluid_settings_setnum.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_double]
_lib.new_fluid_synth.restype = ctypes.c_void_p
_lib.new_fluid_synth.argtypes = [ctypes.c_void_p]
_lib.delete_fluid_synth.argtypes = [ctypes.c_void_p]
_lib.fluid_synth_sfload.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
_lib.fluid_synth_process.argtypes = [
    ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
]
for _name in ("fluid_synth_noteon", "fluid_synth_cc"):
    getattr(_lib, _name).argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int]
for _name in ("fluid_synth_noteoff", "fluid_synth_program_change", "fluid_synth_pitch_bend"):
    getattr(_lib, _name).argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
_lib.fluid_version_str.restype = ctypes.c_char_p
_FLUID_FAILED = -1


def fluidsynth_version() -> str:
    """Version of the loaded libfluidsynth, e.g. ``"2.3.1"``."""
    return _lib.fluid_version_str().decode()


class SoundfontError(PipelineError):
    """The soundfont is missing or FluidSynth cannot load it (never silently replaced)."""

    code = "internal"


def resolve_soundfont(soundfont: Path | None = None) -> Path:
    """``soundfont``, else ``$HUMITOUT_SOUNDFONT``, else :data:`DEFAULT_SOUNDFONT`; must be a file."""
    path = Path(soundfont or os.environ.get(SOUNDFONT_ENV) or DEFAULT_SOUNDFONT)
    if not path.is_file():
        raise SoundfontError(detail=f"soundfont not found: {path} (set {SOUNDFONT_ENV})")
    return path


def audio_group_count(channels: Mapping[str, int]) -> int:
    """Smallest group count that gives each stem's MIDI channel its own group (``c % groups``)."""
    groups = max(1, len(channels))
    while len({c % groups for c in channels.values()}) < len(channels):
        groups += 1
    return groups


def _timed_events(midi_file: mido.MidiFile, channels: set[int]) -> list[tuple[int, mido.Message]]:
    """Channel messages of ``channels`` with their start sample, in playback order."""
    events = []
    seconds = 0.0
    for msg in midi_file:  # times are seconds (delta), tempo map applied by mido
        seconds += msg.time
        if not msg.is_meta and getattr(msg, "channel", None) in channels:
            events.append((round(seconds * SAMPLE_RATE_HZ), msg))
    return events


def _send(synth: int, msg: mido.Message) -> None:
    if msg.type == "note_on" and msg.velocity > 0:
        _lib.fluid_synth_noteon(synth, msg.channel, msg.note, msg.velocity)
    elif msg.type in ("note_on", "note_off"):
        _lib.fluid_synth_noteoff(synth, msg.channel, msg.note)
    elif msg.type == "control_change":
        _lib.fluid_synth_cc(synth, msg.channel, msg.control, msg.value)
    elif msg.type == "program_change":
        _lib.fluid_synth_program_change(synth, msg.channel, msg.program)
    elif msg.type == "pitchwheel":
        _lib.fluid_synth_pitch_bend(synth, msg.channel, msg.pitch + 8192)


def _new_synth(groups: int, reverb: bool, effects: StyleMix | None) -> tuple[int, int]:
    settings = _lib.new_fluid_settings()
    chorus = effects is not None and effects.chorus_level > 0 and any(c for _, c in effects.sends.values())
    for name, value in {
        "synth.audio-channels": groups,
        "synth.audio-groups": groups,
        "synth.effects-groups": groups,
        "synth.reverb.active": int(reverb),
        "synth.chorus.active": int(reverb and chorus),  # off when no part sends to it: it only costs time
        "synth.polyphony": 256,
        "synth.cpu-cores": 1,
        "synth.threadsafe-api": 0,
        "synth.lock-memory": 0,
        "synth.dynamic-sample-loading": 1,
    }.items():
        _lib.fluid_settings_setint(settings, name.encode(), value)
    _lib.fluid_settings_setnum(settings, b"synth.sample-rate", float(SAMPLE_RATE_HZ))
    _lib.fluid_settings_setnum(settings, b"synth.gain", SYNTH_GAIN)
    if effects is not None:
        for name, number in {
            "synth.reverb.room-size": effects.room_size, "synth.reverb.damp": effects.damping,
            "synth.reverb.width": effects.width, "synth.reverb.level": effects.level,
            "synth.chorus.level": effects.chorus_level, "synth.chorus.speed": effects.chorus_speed_hz,
            "synth.chorus.depth": effects.chorus_depth_ms,
        }.items():
            _lib.fluid_settings_setnum(settings, name.encode(), float(number))
        _lib.fluid_settings_setint(settings, b"synth.chorus.nr", effects.chorus_voices)
    synth = _lib.new_fluid_synth(settings)
    if not synth:
        _lib.delete_fluid_settings(settings)
        raise RuntimeError("FluidSynth could not create a synthesizer")
    return synth, settings


def render_stems(
    midi_file: mido.MidiFile,
    stem_channels: Mapping[str, int],
    soundfont: Path,
    *,
    min_duration_s: float = 0.0,
    tail_s: float = TAIL_S,
    reverb: bool = True,
    effects: StyleMix | None = None,
) -> dict[str, np.ndarray]:
    """Render each stem (name -> 0-based MIDI channel) of ``midi_file`` in one FluidSynth pass.

    Returns name -> float32 ``(2, n_samples)`` views of one buffer; every stem starts at
    sample 0 and has the same length: ``max(min_duration_s, last event) + tail_s`` seconds.
    Each stem carries its own reverb (and chorus) unless ``reverb`` is False (dry stems, ~30 %
    faster); ``effects`` sets the reverb and chorus units (FluidSynth's defaults when None;
    the parts' sends are the MIDI file's CC 91 / CC 93).
    Messages on other channels are not played. Raises :class:`SoundfontError` if the
    soundfont cannot be loaded.
    """
    soundfont = resolve_soundfont(soundfont)
    groups = audio_group_count(stem_channels)
    events = _timed_events(midi_file, set(stem_channels.values()))
    last_sample = max([round(min_duration_s * SAMPLE_RATE_HZ)] + [s for s, _ in events])
    n_samples = last_sample + round(tail_s * SAMPLE_RATE_HZ)

    audio = np.zeros((2 * groups, n_samples), dtype=np.float32)
    synth, settings = _new_synth(groups, reverb, effects)
    try:
        if _lib.fluid_synth_sfload(synth, str(soundfont).encode(), 1) == _FLUID_FAILED:
            raise SoundfontError(detail=f"FluidSynth cannot load soundfont {soundfont}")
        row_bytes = audio.strides[0]
        dry_rows = [audio.ctypes.data + row * row_bytes for row in range(2 * groups)]
        # Effects units of group g (reverb L/R, chorus L/R) are added onto g's dry L/R rows.
        fx_rows = [dry_rows[2 * g + side] for g in range(groups) for _ in range(EFFECT_UNITS_PER_GROUP) for side in (0, 1)]
        out_ptrs = (ctypes.c_void_p * len(dry_rows))()
        fx_ptrs = (ctypes.c_void_p * len(fx_rows))()
        sample_bytes = audio.itemsize

        def render_until(start: int, stop: int) -> None:
            offset = start * sample_bytes
            for i, row in enumerate(dry_rows):
                out_ptrs[i] = row + offset
            for i, row in enumerate(fx_rows):
                fx_ptrs[i] = row + offset
            _lib.fluid_synth_process(synth, stop - start, len(fx_rows), fx_ptrs, len(dry_rows), out_ptrs)

        cursor = 0
        for sample, msg in events:
            if sample > cursor:
                render_until(cursor, sample)
                cursor = sample
            _send(synth, msg)
        render_until(cursor, n_samples)
    finally:
        _lib.delete_fluid_synth(synth)
        _lib.delete_fluid_settings(settings)

    return {name: audio[2 * (ch % groups) : 2 * (ch % groups) + 2] for name, ch in stem_channels.items()}
