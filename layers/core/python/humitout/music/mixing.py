"""Per-style mix settings: FluidSynth's reverb and chorus, and each part's sends to them.

Stereo placement stays with the arrangement (``Part.pan``, from the style profile): bass,
kick/snare and the melody in the centre, comping and pad on opposite sides; the reverb's
``width`` here sets how wide the room around them is. Sends are MIDI CC 91 (reverb) and
CC 93 (chorus), 0-127, written into ``session.mid`` so a DAW hears the same balance; a send of 0
keeps the part dry in the render too, whatever its soundfont preset sends on its own.
FluidSynth ranges: room size, damping and level 0-1, width 0-100; chorus voices 0-99,
level 0-10, speed 0.1-5 Hz, depth in ms.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from humitout.models import Style


@dataclass(frozen=True)
class StyleMix:
    """Reverb (``room_size``, ``damping``, ``width``, ``level``), chorus (``chorus_voices``,
    ``chorus_level``, ``chorus_speed_hz``, ``chorus_depth_ms``) and per-part sends (part ->
    (reverb CC 91, chorus CC 93))."""

    room_size: float
    damping: float
    width: float
    level: float
    chorus_voices: int
    chorus_level: float
    chorus_speed_hz: float
    chorus_depth_ms: float
    sends: dict[str, tuple[int, int]]

    def send(self, part: str) -> tuple[int, int]:
        """(reverb, chorus) send of ``part`` (0-127); unknown parts are dry."""
        return self.sends.get(part, (0, 0))

    def summary(self) -> dict:
        """The settings as JSON-able data (for metadata.json)."""
        return {**asdict(self), "sends": {part: list(send) for part, send in self.sends.items()}}


STYLE_MIXES: dict[Style, StyleMix] = {
    # A mid-size bright room; a little chorus widens the keys and the pad.
    Style.POP: StyleMix(0.55, 0.35, 0.9, 0.6, 3, 1.2, 0.3, 6.0,
                        {"drums": (28, 0), "bass": (6, 0), "chords": (44, 24), "pad": (70, 40), "melody": (40, 0)}),
    # A tighter, darker room so guitars and drums stay up front; chorus on the pad only.
    Style.ROCK: StyleMix(0.45, 0.5, 0.7, 0.5, 3, 1.0, 0.25, 5.0,
                         {"drums": (30, 0), "bass": (0, 0), "chords": (30, 0), "pad": (60, 30), "melody": (36, 0)}),
    # A small warm club: short, damped, little width; no chorus (acoustic instruments).
    Style.JAZZ: StyleMix(0.35, 0.6, 0.5, 0.55, 3, 0.0, 0.3, 4.0,
                         {"drums": (34, 0), "bass": (10, 0), "chords": (40, 0), "pad": (56, 0), "melody": (44, 0)}),
    # A big bright space and a wide chorus on synths; kick and bass dry for punch.
    Style.ELECTRONIC: StyleMix(0.75, 0.2, 1.0, 0.65, 4, 2.0, 0.4, 8.0,
                               {"drums": (18, 0), "bass": (0, 0), "chords": (56, 48), "pad": (84, 64),
                                "melody": (50, 20)}),
    # A natural room; a touch of chorus only on the pad strings.
    Style.ACOUSTIC: StyleMix(0.5, 0.45, 0.8, 0.55, 3, 0.8, 0.2, 5.0,
                             {"drums": (30, 0), "bass": (8, 0), "chords": (40, 0), "pad": (64, 24), "melody": (42, 0)}),
    # A short dark room (the beat stays dry and close); chorus thickens the electric piano.
    Style.HIP_HOP: StyleMix(0.3, 0.7, 0.6, 0.45, 3, 1.5, 0.25, 7.0,
                            {"drums": (14, 0), "bass": (0, 0), "chords": (36, 40), "pad": (60, 36), "melody": (34, 0)}),
}


def style_mix(style: Style) -> StyleMix:
    """The mix settings of ``style``."""
    return STYLE_MIXES[style]
