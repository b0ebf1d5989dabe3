"""Render a MIDI file with FluidSynth in-process: all stems in one pass, sample-aligned.

Every stem is one FluidSynth audio group (a MIDI channel ``c`` plays into group
``c % groups``) with its own reverb and chorus units (settings per style from
:mod:`humitout.music.mixing`) whose output is added to the group's dry buffers,
so each stem carries its own effects and the stems sum exactly to the mix. libfluidsynth is driven through ctypes on the library that
pyfluidsynth loaded (``fluid_synth_process``), writing straight into numpy
buffers.

FluidSynth 2.3's chorus has its stereo width fixed at 10 (``fluid_chorus.c``), which sends its two
sets of voices out nearly in anti-phase (left 5.5 a - 4.5 b, right 5.5 b - 4.5 a): summed to
mono, as on a phone's one speaker, a chorused lead lost 7-14 dB and the electronic mix 11 dB.
Each group's chorus is therefore rendered apart and re-encoded to ``chorus_width`` (default 1:
each side its own voices, nothing inverted) before it is added to the stem.

Audio is float32, planar ``(2, n_samples)`` (left, right), at :data:`SAMPLE_RATE_HZ`,
unnormalised (FluidSynth gain :data:`SYNTH_GAIN`).
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
GEN_CHORUSSEND, GEN_REVERBSEND = 15, 16  # SoundFont 2 generator numbers
SEND_OFF_OFFSET = -1000.0
"""Channel offset (0.1 % units) that takes a send to 0 whatever the preset's own send adds."""
FLUID_CHORUS_WIDTH = 10.0
"""The stereo width FluidSynth 2.3 always gives its chorus (``WIDTH`` in ``fluid_chorus.c``)."""
CHORUS_BLOCK_SAMPLES = 8192
"""Samples rendered per call while the chorus is on (its scratch buffer's length)."""

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
_lib.fluid_synth_set_gen.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_float]
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


def chorus_width_matrix(width: float, from_width: float = FLUID_CHORUS_WIDTH) -> np.ndarray:
    """2x2 matrix taking FluidSynth's chorus output (left, right) at ``from_width`` to ``width``.

    FluidSynth mixes its chorus voices' sums ``a``, ``b`` as left = w1 a + w2 b, right = w2 a + w1 b,
    with w1 = g (w/2 + 1/2), w2 = g (1 - w)/2 and g = 1/(1 + 0.2 w) (``fluid_chorus_set``).
    Width 0 is mono, 1 keeps the two sides apart, above 1 subtracts each side from the other.
    """
    def mixing(w: float) -> np.ndarray:
        gain = 1.0 / (1.0 + 0.2 * w)
        same, other = gain * (w / 2 + 0.5), gain * (1 - w) / 2
        return np.array([[same, other], [other, same]])

    return mixing(width) @ np.linalg.inv(mixing(from_width))


def _chorus_on(effects: StyleMix | None) -> bool:
    return effects is not None and effects.chorus_level > 0 and any(c for _, c in effects.sends.values())


def _new_synth(groups: int, reverb: bool, chorus: bool, effects: StyleMix | None) -> tuple[int, int]:
    settings = _lib.new_fluid_settings()
    for name, value in {
        "synth.audio-channels": groups,
        "synth.audio-groups": groups,
        "synth.effects-groups": groups,
        "synth.reverb.active": int(reverb),
        "synth.chorus.active": int(chorus),
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
    chorus_width: float = 1.0,
) -> dict[str, np.ndarray]:
    """Render each stem (name -> 0-based MIDI channel) of ``midi_file`` in one FluidSynth pass.

    Returns name -> float32 ``(2, n_samples)`` views of one buffer; every stem starts at
    sample 0 and has the same length: ``max(min_duration_s, last event) + tail_s`` seconds.
    Each stem carries its own reverb (and chorus) unless ``reverb`` is False (dry stems, ~30 %
    faster); ``effects`` sets the reverb and chorus units (FluidSynth's defaults when None;
    the parts' sends are the MIDI file's CC 91 / CC 93, and a part whose send there is 0 gets
    none, though its preset has its own: FluidR3's leads send to the chorus by themselves).
    ``chorus_width`` is the chorus's stereo width (0 mono, 1 each side its own voices;
    FluidSynth alone gives 10, nearly anti-phase).
    Messages on other channels are not played. Raises :class:`SoundfontError` if the
    soundfont cannot be loaded.
    """
    soundfont = resolve_soundfont(soundfont)
    groups = audio_group_count(stem_channels)
    events = _timed_events(midi_file, set(stem_channels.values()))
    last_sample = max([round(min_duration_s * SAMPLE_RATE_HZ)] + [s for s, _ in events])
    n_samples = last_sample + round(tail_s * SAMPLE_RATE_HZ)

    audio = np.zeros((2 * groups, n_samples), dtype=np.float32)
    chorus = reverb and _chorus_on(effects)   # off when no part sends to it: it only costs time
    synth, settings = _new_synth(groups, reverb, chorus, effects)
    try:
        if _lib.fluid_synth_sfload(synth, str(soundfont).encode(), 1) == _FLUID_FAILED:
            raise SoundfontError(detail=f"FluidSynth cannot load soundfont {soundfont}")
        if effects is not None:  # a part the style keeps dry stays dry, whatever its preset sends
            for name, channel in stem_channels.items():
                for gen, send in zip((GEN_REVERBSEND, GEN_CHORUSSEND), effects.send(name)):
                    if send == 0:
                        _lib.fluid_synth_set_gen(synth, channel, gen, SEND_OFF_OFFSET)
        row_bytes = audio.strides[0]
        dry_rows = [audio.ctypes.data + row * row_bytes for row in range(2 * groups)]
        # Effects units of group g (reverb L/R, chorus L/R): the reverb is added onto g's dry L/R
        # rows; the chorus goes to g's rows of a scratch block, re-encoded to chorus_width, then added.
        scratch = np.zeros((2 * groups, CHORUS_BLOCK_SAMPLES if chorus else 1), dtype=np.float32)
        scratch_rows = [scratch.ctypes.data + row * scratch.strides[0] for row in range(2 * groups)]
        rewidth = chorus_width_matrix(chorus_width).astype(np.float32)
        out_ptrs = (ctypes.c_void_p * len(dry_rows))()
        fx_ptrs = (ctypes.c_void_p * (2 * EFFECT_UNITS_PER_GROUP * groups))()
        sample_bytes = audio.itemsize

        def process(start: int, stop: int) -> None:
            offset = start * sample_bytes
            for i, row in enumerate(dry_rows):
                out_ptrs[i] = row + offset
            for g in range(groups):
                reverb_at, chorus_at = 2 * EFFECT_UNITS_PER_GROUP * g, 2 * EFFECT_UNITS_PER_GROUP * g + 2
                for side in (0, 1):
                    fx_ptrs[reverb_at + side] = dry_rows[2 * g + side] + offset
                    fx_ptrs[chorus_at + side] = scratch_rows[2 * g + side] if chorus else dry_rows[2 * g + side] + offset
            _lib.fluid_synth_process(synth, stop - start, len(fx_ptrs), fx_ptrs, len(dry_rows), out_ptrs)

        def render_until(start: int, stop: int) -> None:
            if not chorus:
                process(start, stop)
                return
            for block_start in range(start, stop, CHORUS_BLOCK_SAMPLES):
                block_stop = min(stop, block_start + CHORUS_BLOCK_SAMPLES)
                n = block_stop - block_start
                scratch[:, :n] = 0.0
                process(block_start, block_stop)
                left, right = scratch[0::2, :n], scratch[1::2, :n]
                audio[0::2, block_start:block_stop] += rewidth[0, 0] * left + rewidth[0, 1] * right
                audio[1::2, block_start:block_stop] += rewidth[1, 0] * left + rewidth[1, 1] * right

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
