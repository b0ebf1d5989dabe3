"""The six styles: chord vocabulary, harmonic rhythm, grooves, instruments, tempo and mix.

Patterns are on a grid of 16ths (step = 0.25 beat): 16 steps per 4/4 bar, 12 per 3/4 bar
(``StyleProfile.groove(beats_per_bar)`` gives the bar patterns of either meter).
GM programs are 0-based; drum notes are GM percussion keys (channel 10). Under an 8th-note
swing feel (jazz) the lanes keep to 8th steps (even steps): a 16th would be a straight ghost note.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from humitout.models import HumReading, Mood, Style, TimeSignature

KICK, SNARE, SIDESTICK, CLAP, CLOSED_HAT, PEDAL_HAT, OPEN_HAT, CRASH, RIDE, SHAKER, TAMBOURINE = (
    36, 38, 37, 39, 42, 44, 46, 49, 51, 70, 54)

# A drum lane is a 16-character string: "X" accent, "x" normal, "o" ghost, "." rest.
DRUM_VELOCITY = {"X": 112, "x": 92, "o": 58}


@dataclass(frozen=True)
class BassHit:
    """One bass note of a bar pattern: ``step`` 0-15, ``length`` in steps, ``tone`` one of
    "root", "fifth", "octave", "third", "approach" (a step into the next chord's root)."""

    step: int
    length: int
    tone: str = "root"
    accent: bool = False


@dataclass(frozen=True)
class Groove:
    """The bar patterns of one meter: drum lanes (and the fill bar), bass hits and comping
    hits, on a grid of ``steps`` 16ths (16 for 4/4, 12 for 3/4)."""

    steps: int
    drums: dict[int, str]
    drum_fill: dict[int, str]
    bass: tuple[BassHit, ...]
    comp_steps: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Feel:
    """How a style plays its patterns.

    ``swing`` delays the off-beat of every swing unit by ``swing`` x the unit
    (``swing_unit_beats``: 0.5 = 8th-note swing, 0.25 = 16th-note swing); 1/3 of an 8th is the
    triplet feel. Every accompanying part uses the same swing. ``late_beats`` shifts a part
    ("bass", "chords") or a drum (GM key as text, e.g. "38") later (beats; laid-back snare),
    ``humanize_beats`` is the standard deviation of a random timing offset (beats; clipped at
    2 sigma and never before the bar line), ``velocity_jitter`` the standard deviation of a
    random velocity offset (MIDI velocity), ``strum_beats`` the delay between successive notes
    of a comping chord (beats; down-strums on the beat, up-strums off it)."""

    swing: float = 0.0
    swing_unit_beats: float = 0.5
    late_beats: dict[str, float] = field(default_factory=dict)
    humanize_beats: float = 0.0
    velocity_jitter: float = 0.0
    strum_beats: float = 0.0


@dataclass(frozen=True)
class StyleProfile:
    """Everything a style decides; ``vocabulary`` maps mode → {roman numeral: prior weight}
    (weights > 0, larger = more usual), ``half_bar_change_cost`` is the Viterbi penalty for a
    chord change at mid-bar (None = one chord per bar) and ``beat_change_cost`` the penalty for
    a change on beat 2 or 4 (None = never)."""

    style: Style
    vocabulary: dict[str, dict[str, float]]
    half_bar_change_cost: float | None
    tempo_range_bpm: tuple[float, float]
    tempo_target_bpm: float
    drums: dict[int, str]
    drum_fill: dict[int, str]
    bass: tuple[BassHit, ...]
    comp_steps: tuple[tuple[int, int], ...]  # (step, length in steps) chord hits per bar
    programs: dict[str, int]
    levels_db: dict[str, float]
    pans: dict[str, float] = field(default_factory=dict)
    chord_center: float = 62.0  # MIDI mean of the comping voicing
    pad_center: float = 67.0
    feel: Feel = Feel()
    beat_change_cost: float | None = None
    waltz: Groove | None = None  # the 3/4 patterns (12 steps a bar)

    def groove(self, beats_per_bar: int = 4) -> Groove:
        """The bar patterns for ``beats_per_bar`` (4: the fields above; 3: ``waltz``)."""
        if beats_per_bar == 4:
            return Groove(16, self.drums, self.drum_fill, self.bass, self.comp_steps)
        if beats_per_bar == 3 and self.waltz is not None:
            return self.waltz
        raise ValueError(f"{self.style.value} has no groove for {beats_per_bar}/4")


_POP_MAJOR = {"I": 3.0, "ii": 1.2, "iii": 0.5, "IV": 2.5, "V": 2.5, "vi": 2.0, "V7": 1.0,
              "V/V": 0.3, "V/vi": 0.3, "bVII": 0.3}
_POP_MINOR = {"i": 3.0, "iv": 2.0, "v": 0.8, "V": 1.8, "bVI": 2.0, "bIII": 1.5, "bVII": 2.0,
              "V7": 0.8, "ii°": 0.3}

PROFILES: dict[Style, StyleProfile] = {
    Style.POP: StyleProfile(
        style=Style.POP,
        vocabulary={"major": _POP_MAJOR, "minor": _POP_MINOR},
        half_bar_change_cost=0.8, beat_change_cost=2.0,
        tempo_range_bpm=(90, 130), tempo_target_bpm=110,
        drums={KICK: "X.....x.X.......", SNARE: "....X.......X...", CLOSED_HAT: "x.x.x.x.x.x.x.x."},
        drum_fill={KICK: "X.....x.X.......", SNARE: "....X.......XoXX", CLOSED_HAT: "x.x.x.x.x......."},
        bass=(BassHit(0, 3, "root", True), BassHit(6, 2, "root"), BassHit(8, 4, "fifth"),
              BassHit(14, 2, "approach")),
        comp_steps=((0, 6), (6, 2), (8, 6), (14, 2)),
        programs={"drums": 0, "bass": 33, "chords": 0, "pad": 89, "melody": 80},
        levels_db={"drums": -6.0, "bass": -7.0, "chords": -9.0, "pad": -15.0, "melody": -8.0},
        pans={"chords": -0.2, "pad": 0.2},
        feel=Feel(humanize_beats=0.006, velocity_jitter=4.0),
        waltz=Groove(  # pop waltz: kick on 1, snare on 2 and 3, 8th hats; oom-pah-pah
            steps=12,
            drums={KICK: "X...........", SNARE: "....x...x...", CLOSED_HAT: "x.x.x.x.x.x."},
            drum_fill={KICK: "X...........", SNARE: "....x...XoXX", CLOSED_HAT: "x.x.x.x....."},
            bass=(BassHit(0, 4, "root", True), BassHit(4, 4, "fifth"), BassHit(10, 2, "approach")),
            comp_steps=((4, 3), (8, 3)),
        ),
    ),
    Style.ROCK: StyleProfile(
        style=Style.ROCK,
        vocabulary={"major": {"I": 3.0, "IV": 2.5, "V": 2.5, "vi": 1.5, "ii": 0.6, "iii": 0.4,
                              "bVII": 1.5, "bVI": 0.6, "bIII": 0.5, "Vsus4": 0.4},
                    "minor": {"i": 3.0, "iv": 1.8, "v": 1.2, "V": 1.0, "bVI": 2.0, "bIII": 1.8,
                              "bVII": 2.2, "IV": 0.5}},
        half_bar_change_cost=2.2, beat_change_cost=3.0,
        tempo_range_bpm=(100, 150), tempo_target_bpm=124,
        drums={KICK: "X.x.....X.x.....", SNARE: "....X.......X...", CLOSED_HAT: "X.x.X.x.X.x.X.x."},
        drum_fill={KICK: "X.x.....X.......", SNARE: "....X.....XxXxXX", CLOSED_HAT: "X.x.X.x.X......."},
        bass=tuple(BassHit(step, 2, "root", step % 8 == 0) for step in range(0, 16, 2)),
        comp_steps=((0, 3), (3, 3), (6, 2), (8, 3), (11, 3), (14, 2)),
        programs={"drums": 0, "bass": 34, "chords": 29, "pad": 48, "melody": 30},
        levels_db={"drums": -5.0, "bass": -7.0, "chords": -8.0, "pad": -16.0, "melody": -8.0},
        pans={"chords": -0.35, "pad": 0.3},
        chord_center=57.0,
        feel=Feel(late_beats={"38": 0.01}, humanize_beats=0.008, velocity_jitter=5.0, strum_beats=0.012),
        waltz=Groove(  # rock 6/8-ish waltz: kick on 1, snare on 2 and 3, driving 8ths
            steps=12,
            drums={KICK: "X.....x.....", SNARE: "....X...X...", CLOSED_HAT: "X.x.X.x.X.x."},
            drum_fill={KICK: "X...........", SNARE: "....X...XxXX", CLOSED_HAT: "X.x.X.x....."},
            bass=(BassHit(0, 2, "root", True), BassHit(2, 2, "root"), BassHit(4, 4, "root"),
                  BassHit(8, 4, "fifth")),
            comp_steps=((0, 3), (4, 3), (8, 3)),
        ),
    ),
    Style.JAZZ: StyleProfile(
        style=Style.JAZZ,
        vocabulary={"major": {"Imaj7": 3.0, "I6": 1.0, "ii7": 2.5, "iii7": 1.0, "IVmaj7": 1.8,
                              "V7": 2.5, "vi7": 2.0, "viiø7": 0.4, "V7/ii": 0.8, "V7/V": 0.8,
                              "V7/vi": 0.6, "V7/IV": 0.5, "iv6": 0.3},
                    "minor": {"i7": 2.0, "i6": 1.5, "iiø7": 2.0, "V7": 2.5, "bIIImaj7": 1.2,
                              "iv7": 1.5, "bVImaj7": 1.2, "bVII7": 0.8, "V7/iv": 0.5}},
        half_bar_change_cost=0.6, beat_change_cost=1.5,
        tempo_range_bpm=(80, 180), tempo_target_bpm=120,
        drums={RIDE: "x...x.x.x...x.x.", PEDAL_HAT: "....x.......x...", KICK: "o.......o.......",
               SNARE: "......o.......o."},
        drum_fill={RIDE: "x...x.x.x.......", PEDAL_HAT: "....x.......x...", KICK: "o.......o.......",
                   SNARE: "......o.o.x.x.X."},
        bass=(BassHit(0, 4, "root", True), BassHit(4, 4, "third"), BassHit(8, 4, "fifth"),
              BassHit(12, 4, "approach")),
        comp_steps=((2, 2), (6, 3), (11, 3)),
        programs={"drums": 0, "bass": 32, "chords": 0, "pad": 48, "melody": 65},
        levels_db={"drums": -9.0, "bass": -6.0, "chords": -8.0, "pad": -20.0, "melody": -8.0},
        pans={"chords": 0.25, "pad": -0.2},
        chord_center=60.0,
        feel=Feel(swing=1 / 3, late_beats={"38": 0.012}, humanize_beats=0.01, velocity_jitter=7.0,
                  strum_beats=0.006),
        waltz=Groove(  # jazz waltz: ride "ding, ding-a ding" in 3, hat on 2, light kick on 1
            steps=12,
            drums={RIDE: "x...x.x.x...", PEDAL_HAT: "....x.......", KICK: "o...........",
                   SNARE: "..........o."},
            drum_fill={RIDE: "x...x.x.....", PEDAL_HAT: "....x.......", KICK: "o...........",
                       SNARE: "......o.x.X."},
            bass=(BassHit(0, 4, "root", True), BassHit(4, 4, "fifth"), BassHit(8, 4, "approach")),
            comp_steps=((4, 2), (10, 2)),
        ),
    ),
    Style.ELECTRONIC: StyleProfile(
        style=Style.ELECTRONIC,
        vocabulary={"major": {"I": 2.0, "Isus2": 1.2, "IV": 2.0, "IVsus2": 0.6, "V": 1.5,
                              "Vsus4": 1.0, "vi": 2.5, "iii": 0.5, "ii": 0.8},
                    "minor": {"i": 2.5, "isus2": 0.8, "bVI": 2.5, "bIII": 1.8, "bVII": 2.2,
                              "iv": 1.5, "v": 1.2, "Vsus4": 0.6}},
        half_bar_change_cost=2.5,  # loops: a mid-bar change only where the melody insists
        tempo_range_bpm=(118, 130), tempo_target_bpm=124,
        drums={KICK: "X...X...X...X...", CLAP: "....X.......X...", CLOSED_HAT: "..x...x...x...x.",
               OPEN_HAT: "......o.......o."},
        drum_fill={KICK: "X...X...X...X.X.", CLAP: "....X.......XXXX", CLOSED_HAT: "..x...x...x...x."},
        bass=tuple(BassHit(step, 2, "octave" if step % 4 == 2 else "root", step % 4 == 2)
                   for step in range(2, 16, 4)) + (BassHit(0, 2, "root"),),
        comp_steps=((0, 2), (3, 2), (6, 2), (10, 2), (12, 2)),
        programs={"drums": 0, "bass": 38, "chords": 81, "pad": 90, "melody": 80},
        levels_db={"drums": -4.0, "bass": -6.0, "chords": -11.0, "pad": -13.0, "melody": -9.0},
        pans={"chords": 0.3, "pad": -0.3},
        chord_center=64.0,
        feel=Feel(velocity_jitter=2.0),
        waltz=Groove(  # electronic in 3: kick on 1, clap on 3, off-beat hats
            steps=12,
            drums={KICK: "X.......x...", CLAP: "........X...", CLOSED_HAT: "..x...x...x.",
                   OPEN_HAT: "......o....."},
            drum_fill={KICK: "X.......x.x.", CLAP: "........XXXX", CLOSED_HAT: "..x...x...x."},
            bass=(BassHit(0, 2, "root", True), BassHit(2, 2, "octave"), BassHit(6, 2, "octave", True),
                  BassHit(10, 2, "octave")),
            comp_steps=((0, 2), (6, 2), (10, 2)),
        ),
    ),
    Style.ACOUSTIC: StyleProfile(
        style=Style.ACOUSTIC,
        vocabulary={"major": {"I": 3.0, "Iadd9": 1.0, "ii": 1.4, "ii7": 0.6, "iii": 0.5, "IV": 2.5,
                              "IVadd9": 0.8, "V": 2.5, "Vsus4": 0.8, "vi": 2.0, "vi7": 0.5},
                    "minor": {"i": 3.0, "iv": 2.0, "V": 1.8, "bVI": 1.5, "bIII": 1.5, "bVII": 1.8,
                              "Vsus4": 0.6, "iv7": 0.4}},
        half_bar_change_cost=1.4, beat_change_cost=2.5,
        tempo_range_bpm=(70, 120), tempo_target_bpm=92,
        drums={KICK: "x.......x.......", SIDESTICK: "....x.......x...", SHAKER: "xoxoxoxoxoxoxoxo"},
        drum_fill={KICK: "x.......x.......", SIDESTICK: "....x.......x...", SHAKER: "xoxoxoxoxoxo...."},
        bass=(BassHit(0, 6, "root", True), BassHit(8, 6, "fifth"), BassHit(14, 2, "approach")),
        comp_steps=((0, 3), (4, 2), (6, 2), (8, 3), (12, 2), (14, 2)),
        programs={"drums": 0, "bass": 32, "chords": 25, "pad": 48, "melody": 73},
        levels_db={"drums": -12.0, "bass": -8.0, "chords": -6.0, "pad": -18.0, "melody": -5.0},
        pans={"chords": -0.15, "pad": 0.25},
        chord_center=58.0,
        feel=Feel(late_beats={"70": 0.01}, humanize_beats=0.012, velocity_jitter=6.0, strum_beats=0.025),
        waltz=Groove(  # folk waltz: kick on 1, sidestick on 2 and 3, shaker 8ths; oom-pah-pah
            steps=12,
            drums={KICK: "x...........", SIDESTICK: "....x...x...", SHAKER: "xoxoxoxoxoxo"},
            drum_fill={KICK: "x...........", SIDESTICK: "....x...x...", SHAKER: "xoxoxoxo...."},
            bass=(BassHit(0, 4, "root", True), BassHit(4, 4, "fifth"), BassHit(10, 2, "approach")),
            comp_steps=((4, 3), (8, 3)),
        ),
    ),
    Style.HIP_HOP: StyleProfile(
        style=Style.HIP_HOP,
        vocabulary={"major": {"Imaj7": 2.0, "ii7": 2.2, "iii7": 1.0, "IVmaj7": 2.5, "V7": 0.6,
                              "vi7": 2.5, "Isus2": 0.5, "iv7": 0.5},
                    "minor": {"i7": 3.0, "iv7": 2.0, "v7": 1.5, "bVImaj7": 2.0, "bIIImaj7": 1.5,
                              "bVII7": 1.2, "iiø7": 0.6}},
        half_bar_change_cost=None,
        tempo_range_bpm=(80, 100), tempo_target_bpm=90,
        drums={KICK: "X.....x...X.....", SNARE: "....X.......X...", CLOSED_HAT: "x.x.x.x.x.x.x.xx"},
        drum_fill={KICK: "X.....x...X..x..", SNARE: "....X.......X.o.", CLOSED_HAT: "x.x.x.x.xxxxxxxx"},
        bass=(BassHit(0, 5, "root", True), BassHit(7, 1, "octave"), BassHit(10, 4, "root")),
        comp_steps=((0, 8), (8, 8)),
        programs={"drums": 0, "bass": 38, "chords": 4, "pad": 89, "melody": 81},
        levels_db={"drums": -4.0, "bass": -5.0, "chords": -10.0, "pad": -16.0, "melody": -3.0},
        pans={"chords": 0.2, "pad": -0.2},
        chord_center=60.0,
        feel=Feel(swing=0.2, swing_unit_beats=0.25, late_beats={"38": 0.03, "39": 0.03, "bass": 0.015},
                  humanize_beats=0.01, velocity_jitter=6.0),
        waltz=Groove(  # hip-hop in 3: half-time feel, kick on 1 and the "and" of 2, snare on 3
            steps=12,
            drums={KICK: "X.....x.....", SNARE: "........X...", CLOSED_HAT: "x.x.x.x.x.xx"},
            drum_fill={KICK: "X.....x...x.", SNARE: "........X.o.", CLOSED_HAT: "x.x.x.x.xxxx"},
            bass=(BassHit(0, 5, "root", True), BassHit(6, 2, "octave"), BassHit(8, 4, "root")),
            comp_steps=((0, 8), (8, 4)),
        ),
    ),
}


def profile(style: Style) -> StyleProfile:
    """The profile of ``style``."""
    return PROFILES[style]


# The tags humitout.audio.mood.estimate_mood emits, one of each group: brightness (key mode),
# energy and tempo class. (energy tag, tempo tag) → style for a bright (major) / dark (minor) hum.
_MOOD_STYLES: dict[tuple[str, str], tuple[Style, Style]] = {
    ("energetic", "upbeat"): (Style.ELECTRONIC, Style.ROCK),
    ("energetic", "steady"): (Style.ROCK, Style.ROCK),
    ("energetic", "ballad"): (Style.ROCK, Style.ROCK),  # a loud slow hum: power ballad
    ("relaxed", "upbeat"): (Style.POP, Style.ELECTRONIC),
    ("relaxed", "steady"): (Style.POP, Style.HIP_HOP),
    ("relaxed", "ballad"): (Style.ACOUSTIC, Style.HIP_HOP),
    ("calm", "upbeat"): (Style.ACOUSTIC, Style.JAZZ),
    ("calm", "steady"): (Style.ACOUSTIC, Style.JAZZ),
    ("calm", "ballad"): (Style.ACOUSTIC, Style.ACOUSTIC),
}
_ENERGY_TAGS = ("energetic", "relaxed", "calm")
_TEMPO_TAGS = {"upbeat": "fast", "steady": "medium", "ballad": "slow"}
# Tags other taggers (or an LLM) may add, which name a style outright.
_STYLE_TAGS: tuple[tuple[frozenset[str], Style], ...] = (
    (frozenset({"jazzy", "swing", "chromatic", "smooth"}), Style.JAZZ),
    (frozenset({"groovy", "laid-back", "chill"}), Style.HIP_HOP),
    (frozenset({"danceable", "dance", "club"}), Style.ELECTRONIC),
    (frozenset({"aggressive", "heavy", "driving"}), Style.ROCK),
    (frozenset({"gentle", "folk", "sad", "tender"}), Style.ACOUSTIC),
)


def choose_style(mood: Mood) -> tuple[Style, str]:
    """Pick a style from the hum's mood; returns the style and why.

    Uses the tags :func:`humitout.audio.mood.estimate_mood` emits — "bright"/"dark" (major /
    minor), "energetic"/"relaxed"/"calm" and "upbeat"/"steady"/"ballad" — through
    ``_MOOD_STYLES``; a tag missing from ``mood.tags`` is derived from ``energy`` and
    ``tempo_class`` with the same thresholds (bright when the mode is unknown). A tag naming a
    style outright ("jazzy", "chill", ...) wins.
    """
    tags = {tag.lower() for tag in mood.tags}
    for named, style in _STYLE_TAGS:
        if tags & named:
            return style, f"mood tags {sorted(tags & named)} suggest {style.value}"
    energy = next((t for t in _ENERGY_TAGS if t in tags), None) or (
        "energetic" if mood.energy >= 0.6 else "calm" if mood.energy < 0.35 else "relaxed")
    tempo = next((t for t in _TEMPO_TAGS if t in tags), None) or {
        v: k for k, v in _TEMPO_TAGS.items()}[mood.tempo_class]
    dark = "dark" in tags and "bright" not in tags
    style = _MOOD_STYLES[(energy, tempo)][dark]
    return style, (f"{'dark' if dark else 'bright'}, {energy} (energy {mood.energy:.2f}), {tempo} "
                   f"({mood.tempo_class} tempo) hum suits {style.value}")


def tempo_ratios(beats_per_bar: int) -> tuple[float, ...]:
    """Song beats per hum beat a song may use: 1, 2 and, when half a bar is still whole beats (an
    even number of quarter-note beats a bar), 1/2."""
    return (1.0, 2.0, 0.5) if beats_per_bar % 2 == 0 else (1.0, 2.0)


def song_tempo(hum_bpm: float, style: Style, beats_per_bar: int = 4, *,
               asked_bpm: float | None = None) -> tuple[float, float]:
    """(song tempo BPM, song beats per hum beat): the hum's tempo times one of
    :func:`tempo_ratios` — the one inside the style's tempo range closest to its target, else the
    one nearest the range; with ``asked_bpm`` (a tempo the caller asked for: "half", "double"), the one
    nearest it (on a log scale). Never clamped: the range only picks the ratio, so the melody keeps the
    hum's speed."""
    if asked_bpm:
        ratio = nearest_ratio(hum_bpm, asked_bpm, beats_per_bar)
        return round(hum_bpm * ratio, 3), ratio
    prof = PROFILES[style]
    low, high = prof.tempo_range_bpm

    def distance(ratio: float) -> tuple[float, float, bool]:
        bpm = hum_bpm * ratio
        return max(low - bpm, bpm - high, 0.0), abs(bpm - prof.tempo_target_bpm), ratio != 1.0
    ratio = min(tempo_ratios(beats_per_bar), key=distance)
    return round(hum_bpm * ratio, 3), ratio


def nearest_ratio(hum_bpm: float, asked_bpm: float, beats_per_bar: int = 4) -> float:
    """The one of :func:`tempo_ratios` that puts a hum at ``hum_bpm`` nearest ``asked_bpm`` (BPM; on a log scale)."""
    return min(tempo_ratios(beats_per_bar), key=lambda r: abs(math.log2(hum_bpm * r / asked_bpm)))


def tempo_asked(latest: HumReading, factor: float, *, meter: TimeSignature | None = None,
                slowest_bpm: float = 40.0, fastest_bpm: float = 240.0) -> float | None:
    """The song tempo (BPM) a caller asks for with "half" (``factor`` 0.5) or "double" (2) of the newest version
    (``latest``): its tempo x ``factor``, the melody at the same speed (it then takes half or twice the beats).
    None when no song can go so: there is no version yet, its song beats per hum beat would leave
    :func:`tempo_ratios` for its bars (half of a song already at half the hum's tempo; in a ``meter`` named anew the
    hum is read again and only the tempo counts), or the tempo would leave ``slowest_bpm``-``fastest_bpm``."""
    if latest.tempo_bpm is None:
        return None
    asked = float(latest.tempo_bpm) * factor
    if (meter is None or meter.text == latest.meter) \
            and latest.beat_ratio * factor not in tempo_ratios(latest.song_bar_quarters):
        return None
    return round(asked, 3) if slowest_bpm <= asked <= fastest_bpm else None
