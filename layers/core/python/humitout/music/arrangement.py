"""From a hum (``Analysis``) to a fully expanded ``Arrangement`` in 4/4, 3/4 or 6/8.

The meter is the hum's ``Analysis.time_signature`` (see :func:`meter_beats`): bars of
``beats_per_bar`` quarter-note beats throughout — harmonic rhythm, form and the style's bar
patterns (``StyleProfile.groove``). The melody is placed at each note's metrical position on the
hum's tracked beats, its first bar (downbeat from the analysis) at the verse's first bar.

Song form (:func:`plan_form`, :class:`Form`): an intro (the groove coming in over tonic,
subdominant and dominant), the verse (the hum; played twice or more when it is shorter than
``SHORT_HUM_BARS``), a pre-chorus build (subdominant to dominant), a chorus (the hum again
over a reharmonisation, busier drums and bass, wider voicings), an optional bridge (contrasting
chords, half-time, no melody) and an outro (a subdominant–dominant–tonic cadence, the tonic
held). The sections are chosen so that the song lasts about the requested length
(``SONG_LENGTHS_S``) at the song tempo, which is decided elsewhere and never changed here.

Variation and feel (:func:`drum_lanes`, :func:`bass_hits`, :func:`comp_hits`): every bar's
pattern follows its section and its place in the 4-bar phrase (a variation in the 2nd and 3rd
bars, a fill in the 4th and before every new section, crashes at section and chorus phrase
starts); velocities are shaped by section energy, metric position and fills; the style's
:class:`~humitout.music.styles.Feel` gives one swing to every accompanying part, per-style
micro-timing and strums. Every random choice comes from ``variation_seed``: the same seed
gives the same song, another seed another one. The melody guide is the quantised hum, its
pitches and relative timing untouched.

Every part is expanded to ``NoteEvent``s in beats (quarter notes from the song start);
pitches are MIDI.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
import numpy as np

from humitout.audio.rhythm import WHOLE_BAR_TOLERANCE_BEATS, at_knots, closing_knots
from humitout.models import (
    AgentDecision,
    Analysis,
    Arrangement,
    Chord,
    Key,
    NoteEvent,
    Part,
    Section,
    SongLength,
    Style,
    TimePoint,
    TimeSignature,
)
from humitout.music.harmony import (
    BEATS_PER_BAR,
    SUPPORTED_BEATS_PER_BAR,
    ChordSlot,
    candidates_for,
    harmonise,
    strong_mid_beat,
)
from humitout.music.styles import (
    CLAP,
    CLOSED_HAT,
    CRASH,
    DRUM_VELOCITY,
    KICK,
    OPEN_HAT,
    PEDAL_HAT,
    RIDE,
    SHAKER,
    SIDESTICK,
    SNARE,
    TAMBOURINE,
    BassHit,
    Feel,
    Groove,
    StyleProfile,
    profile,
)
from humitout.music.theory import ChordSpec, bass_pitch, chord_to_roman, close_voicing, roman_to_chord

GRID_BEATS = 0.25  # a 16th note
SHORT_HUM_BARS = 8  # a verse or chorus plays a shorter hum more than once
STEP_BEATS = 0.25
PRE_CHORUS_BARS = 2
BRIDGE_BARS = 4
CADENCE_BARS = 2  # the outro's subdominant and dominant bars before the held tonic
PHRASE_BARS = 4

SONG_LENGTHS_S: dict[str, tuple[float, float]] = {"short": (25.0, 50.0), "normal": (60.0, 90.0),
                                                  "long": (110.0, 170.0)}
"""Song length (s) the form aims at, per length word ("short", "normal", "long")."""

FORM_PLANS: tuple[tuple[str, ...], ...] = (
    ("verse",),
    ("verse", "chorus"),
    ("verse", "pre-chorus", "chorus"),
    ("verse", "pre-chorus", "chorus", "bridge", "chorus"),
    ("verse", "pre-chorus", "chorus", "verse", "pre-chorus", "chorus"),
    ("verse", "pre-chorus", "chorus", "verse", "pre-chorus", "chorus", "bridge", "chorus"),
)
"""The sections between intro and outro that :func:`plan_form` chooses from."""

MELODIC_SECTIONS = ("verse", "chorus")
SECTION_VELOCITY = {"intro": -12, "verse": -4, "pre-chorus": 0, "chorus": 6, "bridge": -8, "outro": 0}
"""Velocity offset (MIDI velocity) of every accompanying note by section: the song's dynamics."""
PRE_CHORUS_RAMP = (-10.0, 12.0)  # velocity offset at the start / end of a pre-chorus (crescendo)
CHORUS_AVOID_COST = 0.3  # harmoniser score a chorus chord loses for repeating the verse's chord
CHORUS_VARIATION = 0.35  # seeded spread of chord scores in the chorus reharmonisation
CHORUS_MAX_CTR_DROP = 0.1  # the chorus keeps the verse chords if its chord-tone ratio drops more
PHRASE_VARIATION_CHANCE = 0.6  # chance that a section varies the 2nd (kick) or 3rd (hat) bar of its phrases
BACKBEATS = (SNARE, CLAP, SIDESTICK)
TIMEKEEPERS = (CLOSED_HAT, RIDE, SHAKER, OPEN_HAT, PEDAL_HAT, TAMBOURINE)


def shift_cycle_beats(signature: TimeSignature, beat_ratio: float = 1.0) -> int:
    """The beats of a hum in ``signature`` in one song bar at ``beat_ratio`` song beats per hum beat (at the hum's
    own tempo 2/4: 4, two of its bars; 3/4: 3; 4/4: 4; 6/8: 2; at half time twice as many), or in one of its own
    bars where a song bar is not a whole number of them (a 3/4 hum at double time: 1.5): a caller's "shift" goes
    round them (:func:`shift_step_beats` at a time)."""
    beats = song_bar_quarters(signature) / (signature.quarters_per_beat * beat_ratio)
    return round(beats) if abs(beats - round(beats)) < 1e-6 and beats >= 1 else signature.beats_per_bar


def shift_step_beats(signature: TimeSignature, beat_ratio: float = 1.0) -> int:
    """The beats of a hum in ``signature`` a caller's "shift" moves bar 1 at ``beat_ratio`` song beats per hum beat:
    one song beat (two of the hum's at half time), or one of the hum's where that is longer (double time, 6/8)."""
    return max(1, round(1.0 / (signature.quarters_per_beat * beat_ratio)))


def meter_beats(analysis: Analysis) -> int:
    """Quarter-note beats per bar of the arrangement for the hum's time signature (:func:`song_bar_quarters`)."""
    return song_bar_quarters(analysis.time_signature)


def song_bar_quarters(signature: TimeSignature) -> int:
    """Quarter-note beats per song bar for a hum in ``signature``: 4/4 -> 4, 3/4 -> 3, 6/8 -> 3 (bars of two
    dotted-quarter beats played on the 3/4 bar patterns, written as 6/8, see :func:`song_time_signature`), 2/4
    -> 4 (each song bar holds two 2/4 bars of the hum, their downbeats on beats 1 and 3); anything else 4."""
    if signature.compound and signature.beats_per_bar == 2:
        return 3
    if signature.denominator == 4 and signature.numerator in SUPPORTED_BEATS_PER_BAR:
        return signature.numerator
    return BEATS_PER_BAR


def song_time_signature(analysis: Analysis) -> TimeSignature:
    """The song's written time signature: 6/8 for a 6/8 hum, 3/4 for 3/4, else 4/4 (a 2/4 hum is
    written in 4/4 bars of two of its bars)."""
    if analysis.time_signature.compound and meter_beats(analysis) == 3:
        return TimeSignature(numerator=6, denominator=8)
    return TimeSignature(numerator=meter_beats(analysis))


@dataclass(frozen=True)
class BarContext:
    """One bar of the song as the pattern makers see it: ``bar`` (0-based song bar), its
    ``section`` and ``index`` in it (of ``bars``), whether it ends a phrase or leads into a new
    section (``fill``), or holds the final tonic (``held``)."""

    bar: int
    section: str
    index: int
    bars: int
    fill: bool
    held: bool = False
    leads_on: bool = False  # the last bar before a new section or the held ending

    @property
    def phrase_position(self) -> int:
        """Bar of the 4-bar phrase (0-3)."""
        return self.index % PHRASE_BARS


@dataclass(frozen=True)
class Form:
    """The song's sections in order: ``plan`` lists (name, bars). A verse or chorus plays the
    hum (``verse_bars`` bars) ``hum_copies`` times; the outro's last ``ending_bars`` hold the
    tonic. A bar has ``beats_per_bar`` quarter-note beats (4 or 3)."""

    plan: tuple[tuple[str, int], ...]
    verse_bars: int
    hum_copies: int = 1
    ending_bars: int = 1
    beats_per_bar: int = BEATS_PER_BAR

    @classmethod
    def build(cls, middle: tuple[str, ...] | list[str], verse_bars: int, *, intro_bars: int = 2,
              hum_copies: int = 1, ending_bars: int = 1, beats_per_bar: int = BEATS_PER_BAR) -> Form:
        """Intro (``intro_bars``, none when 0), the ``middle`` sections (verse, pre-chorus,
        chorus, bridge), an outro of ``CADENCE_BARS`` + ``ending_bars``."""
        melodic = verse_bars * hum_copies
        sizes = {"verse": melodic, "chorus": melodic, "pre-chorus": PRE_CHORUS_BARS, "bridge": BRIDGE_BARS}
        plan = ([("intro", intro_bars)] if intro_bars > 0 else []) + [(name, sizes[name]) for name in middle]
        plan.append(("outro", CADENCE_BARS + ending_bars))
        return cls(tuple(plan), verse_bars, hum_copies, ending_bars, beats_per_bar)

    @property
    def total_bars(self) -> int:
        return sum(bars for _, bars in self.plan)

    @property
    def intro_bars(self) -> int:
        return self.plan[0][1] if self.plan[0][0] == "intro" else 0

    @property
    def middle(self) -> tuple[str, ...]:
        """The section names between intro and outro."""
        return tuple(name for name, _ in self.plan if name not in ("intro", "outro"))

    def sections(self) -> list[Section]:
        result, bar = [], 0
        for name, bars in self.plan:
            result.append(Section(name=name, start_bar=bar, bars=bars))
            bar += bars
        return result

    @property
    def verse_start_beat(self) -> float:
        """Where the hum first starts (beats): the first verse or chorus."""
        first = next((s for s in self.sections() if s.name in MELODIC_SECTIONS), None)
        return float((first.start_bar if first else self.intro_bars) * self.beats_per_bar)

    @property
    def final_bar(self) -> int:
        """The first bar of the held final tonic."""
        return self.total_bars - self.ending_bars

    def duration_s(self, tempo_bpm: float) -> float:
        return self.total_bars * self.beats_per_bar * 60.0 / tempo_bpm

    def bar_contexts(self) -> list[BarContext]:
        """Every bar's :class:`BarContext`."""
        contexts = []
        for section in self.sections():
            for index in range(section.bars):
                bar = section.start_bar + index
                held = bar >= self.final_bar
                leads_on = index == section.bars - 1 or bar + 1 == self.final_bar
                contexts.append(BarContext(bar, section.name, index, section.bars,
                                           fill=not held and (leads_on or index % PHRASE_BARS == PHRASE_BARS - 1),
                                           held=held, leads_on=not held and leads_on))
        return contexts


def seconds_to_beats(times_s: np.ndarray, beats_s: list[float], tempo_bpm: float) -> np.ndarray:
    """Beat positions (beat 0 = ``beats_s[0]``) of times in seconds, interpolating the tracked beat
    grid (so the singer's rubato is followed) and extrapolating beyond it at ``tempo_bpm`` beats a
    minute."""
    period = 60.0 / tempo_bpm
    if len(beats_s) < 2:
        origin = beats_s[0] if beats_s else 0.0
        return (times_s - origin) / period
    grid = np.asarray(beats_s, dtype=float)
    index = np.arange(len(grid), dtype=float)
    inside = np.interp(times_s, grid, index)
    before = (times_s - grid[0]) / period
    after = index[-1] + (times_s - grid[-1]) / period
    return np.where(times_s < grid[0], before, np.where(times_s > grid[-1], after, inside))


def _best_bar_phase(onsets: np.ndarray, durations: np.ndarray, beats_per_bar: int = BEATS_PER_BAR) -> int:
    """Beats (0 to beats_per_bar - 1) to delay the melody so that long notes fall on the
    downbeat (and on beat 3 in 4/4). Only for version 1 analyses, which carry no downbeats."""
    mid = strong_mid_beat(beats_per_bar)

    def score(shift: int) -> float:
        position = (onsets + shift) % beats_per_bar
        on_one = np.isclose(position, 0.0, atol=1e-6)
        on_mid = np.isclose(position, float(mid), atol=1e-6) if mid is not None else np.zeros_like(on_one)
        return float(np.sum(durations * (on_one + 0.5 * on_mid)))
    scores = [score(shift) for shift in range(beats_per_bar)]
    return int(np.argmax(np.array(scores) - 1e-3 * np.arange(beats_per_bar)))


@dataclass(frozen=True)
class HumGrid:
    """The hum's metrical grid: tracked beats (s), the beat index of its first bar's downbeat (the
    bar holding the first note, so a pickup sits at the end of that bar), quarter notes per beat
    and the subdivisions of a beat notes are placed on (4: 16ths; 6 in compound time), and the knots (recording s,
    closed-up s) of the map that closes up where the caller broke off the hum to talk
    (:func:`~humitout.audio.rhythm.closing_knots`)."""

    beats_s: list[float]
    bar_start: float
    beats_per_bar: int
    quarters_per_beat: float
    subdivisions: int
    beat_bpm: float
    closing: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))

    def closed_up(self, times_s: np.ndarray) -> np.ndarray:
        """Times (s) with the caller's breaks in the hum closed up: the time the tune took."""
        return at_knots(times_s, *self.closing)

    def positions(self, times_s: np.ndarray) -> np.ndarray:
        """Beats from the first bar's downbeat of times (s), on the tracked grid (not quantised), read with the
        caller's breaks closed up (a note just before one is placed by the beats before it, not spread over the
        long beat across the break)."""
        return (seconds_to_beats(self.closed_up(times_s), list(self.closed_up(self.beats_s)), self.beat_bpm)
                - self.bar_start)


def hum_grid(analysis: Analysis) -> HumGrid:
    """The grid of ``analysis``: its tracked beats and downbeats (version 2), or for a version 1
    document the bar phase that puts long notes on strong beats."""
    signature = analysis.time_signature
    quarters = signature.quarters_per_beat
    beats_per_bar = signature.beats_per_bar
    beat_bpm = analysis.tempo_bpm / quarters
    subdivisions = 6 if signature.compound else 4
    notes = sorted(analysis.notes, key=lambda n: n.onset_s)
    first = float(seconds_to_beats(np.array([notes[0].onset_s]), analysis.beats_s, beat_bpm)[0]) if notes else 0.0
    first = round(first * subdivisions) / subdivisions
    if analysis.downbeats_s and analysis.beats_s:
        downbeat = float(seconds_to_beats(np.array([analysis.downbeats_s[0]]), analysis.beats_s, beat_bpm)[0])
        downbeat = float(round(downbeat))
    else:
        onsets = seconds_to_beats(np.array([n.onset_s for n in notes]), analysis.beats_s, beat_bpm)
        offsets = seconds_to_beats(np.array([n.offset_s for n in notes]), analysis.beats_s, beat_bpm)
        origin = math.floor(first + 1e-6)
        starts = np.round((onsets - origin) / GRID_BEATS) * GRID_BEATS
        ends = np.round((offsets - origin) / GRID_BEATS) * GRID_BEATS
        downbeat = float(origin - _best_bar_phase(starts, ends - starts, beats_per_bar))
    bar_start = downbeat - beats_per_bar * math.ceil((downbeat - first) / beats_per_bar - 1e-6)
    closing = closing_knots(analysis.breaks_s)
    return HumGrid(beats_s=list(analysis.beats_s), bar_start=bar_start, beats_per_bar=beats_per_bar,
                   quarters_per_beat=quarters, subdivisions=subdivisions, beat_bpm=beat_bpm, closing=closing)


SIMPLE_POSITION_PRIOR = (0.55, 0.075, 0.30, 0.075)
"""Prior of a note onset at each 16th of a simple beat (on the beat, 'e', 'and', 'a')."""
COMPOUND_POSITION_PRIOR = (0.50, 0.04, 0.15, 0.05, 0.22, 0.04)
"""Prior of a note onset at each sixth of a compound (dotted-quarter) beat: on the beat, the 2nd
and 3rd eighths, and the 16ths between them."""


def place_onsets(times_s: np.ndarray, grid: HumGrid, *, max_shift_beats: float = 1.0,
                 grid_sigma_beats: float = 0.12, grid_outlier: float = 0.02, tempo_range_octaves: float = 0.5,
                 tempo_step_octaves: float = 0.025, tempo_sigma_octaves: float = 0.1,
                 timing_s: float = 0.03, timing_share: float = 0.06, merge_cost: float = 1.5) -> np.ndarray:
    """Metrical positions (beats from the first bar's downbeat, multiples of 1 / ``grid.subdivisions``;
    non-decreasing) of sorted note onsets ``times_s`` (s): a rhythm quantiser (in the spirit of
    Raphael's and Cemgil's HMM transcription) that follows the singer rather than one fixed grid.

    Viterbi over, for each note, (its position: within ``max_shift_beats`` of where the tracked
    beat grid puts it; the local beat period: ``tempo_range_octaves`` either side of the mean in
    ``tempo_step_octaves`` steps), with costs (negative log probabilities) for
    - the onset position inside the beat (:data:`SIMPLE_POSITION_PRIOR`, :data:`COMPOUND_POSITION_PRIOR`);
    - its distance from the tracked grid's position (Gaussian of ``grid_sigma_beats`` plus an outlier
      share ``grid_outlier``, so a run of notes may leave a grid the tracker got wrong);
    - each inter-onset interval (with the caller's breaks closed up, :meth:`HumGrid.closed_up`) against note
      value x local period (Gaussian of ``timing_s`` +
      ``timing_share`` x the interval: early and late attacks);
    - the change of period from note to note (``tempo_sigma_octaves`` a beat; the first note's
      period from the tracked grid's local one, ``tempo_range_octaves`` wide): rubato and
      phrase-end slowing are smooth, so one late or early tracked beat does not move the notes;
    - two onsets on the same position (a note split in two by the transcription, swallowed by the
      next one): ``merge_cost``.

    A whole beat that the tracker inserted or skipped (in a strong ritardando) is followed: the
    timing cannot tell a 1.5-beat note at a slower tempo from a 2-beat note at the tracked one."""
    times = np.asarray(times_s, float)
    played = grid.closed_up(times)
    n = len(times)
    sub = grid.subdivisions
    if n == 0:
        return np.zeros(0)
    tracked = grid.positions(times)
    prior = np.array(COMPOUND_POSITION_PRIOR if sub == 6 else SIMPLE_POSITION_PRIOR)
    position_cost = -np.log(prior / prior.max())
    shift = int(round(max_shift_beats * sub))
    shifts = np.arange(-shift, shift + 1)
    base = np.round(tracked * sub).astype(int)
    ticks = base[:, None] + shifts[None, :]                             # (n, S) candidate positions
    off = tracked[:, None] - ticks / sub
    emission = (-np.log(np.exp(-0.5 * (off / grid_sigma_beats) ** 2) + grid_outlier)
                + position_cost[ticks % sub])
    k = int(round(tempo_range_octaves / tempo_step_octaves))
    period0 = 60.0 / grid.beat_bpm
    periods = period0 * 2.0 ** (tempo_step_octaves * np.arange(-k, k + 1))   # (T,) s a beat
    n_t = len(periods)
    change = (tempo_step_octaves * (np.arange(n_t)[:, None] - np.arange(n_t)[None, :])) ** 2  # (T, T)
    # start: the tracked grid's local period at the first note
    local = grid.positions(times[:1] + 0.5 * period0) - grid.positions(times[:1] - 0.5 * period0)
    start_period = period0 / max(float(local[0]), 1e-3)
    value = (emission[0][:, None]
             + 0.5 * (np.log2(periods / start_period)[None, :] / tempo_range_octaves) ** 2)
    back = np.zeros((n, len(shifts), n_t, 2), dtype=int)
    for i in range(1, n):
        d = (ticks[i][None, :] - ticks[i - 1][:, None]) / sub                # (S_prev, S) beats
        ioi = played[i] - played[i - 1]
        sigma = timing_s * np.sqrt(2.0) + timing_share * ioi
        err = ioi - d[:, :, None] * periods[None, None, :]                  # (S_prev, S, T)
        timing = 0.5 * (err / sigma) ** 2
        timing[d < 0] = np.inf
        timing[d == 0] += merge_cost
        beats = np.clip(d, 0.5, None)[:, :, None, None]
        tempo = 0.5 * change[None, None, :, :] / (tempo_sigma_octaves ** 2 * beats)  # (S_prev, S, T_prev, T)
        total = value[:, None, :, None] + tempo + timing[:, :, None, :]
        flat = total.transpose(1, 3, 0, 2).reshape(len(shifts), n_t, -1)
        best = np.argmin(flat, axis=2)
        value = np.take_along_axis(flat, best[:, :, None], axis=2)[:, :, 0] + emission[i][:, None]
        back[i, :, :, 0], back[i, :, :, 1] = np.divmod(best, n_t)
    s_i, t_i = np.unravel_index(int(np.argmin(value)), value.shape)
    chosen = np.zeros(n, dtype=int)
    for i in range(n - 1, -1, -1):
        chosen[i] = ticks[i, s_i]
        if i:
            s_i, t_i = back[i, s_i, t_i]
    return chosen / sub


def placed_onsets(analysis: Analysis, beat_ratio: float = 1.0) -> tuple[HumGrid, np.ndarray, np.ndarray]:
    """(grid, onset times s, positions in hum beats from the first song bar's downbeat) of the notes
    sorted by onset, placed by :func:`place_onsets`. The first song bar is the one that holds the
    first placed note (an early first attack on a downbeat does not leave an empty bar). When a song
    bar holds several of the hum's bars (a 2/4 hum in 4/4 bars, or any hum in a song at half its
    tempo, ``beat_ratio`` 0.5) and the hum starts with a pickup, the pickup bar is the last of them,
    so the hum's first full bar starts the second song bar, as a pickup is written (a first note after its
    bar's downbeat, a rest before it, is no pickup: its bar starts the song); a pickup of a bar or
    more (a caller's "shift" by whole hum bars, :func:`~humitout.audio.transcribe.bars_moved`) moves the song
    bars that many hum bars later."""
    grid = hum_grid(analysis)
    times = np.array(sorted(n.onset_s for n in analysis.notes), dtype=float)
    onsets = place_onsets(times, grid)
    if len(onsets):
        shift = math.floor(float(onsets[0]) / grid.beats_per_bar + 1e-9) * grid.beats_per_bar
        hum_bars_per_song_bar = round(meter_beats(analysis) / (grid.quarters_per_beat * beat_ratio * grid.beats_per_bar))
        # a pickup: the first downbeat comes after the first note, not a whole bar after it (within a quarter beat:
        # then the first note starts a bar); a version 1 document has no downbeats: a note off a bar line is one
        starts_with_pickup = True
        if analysis.downbeats_s:
            lead = float(np.diff(grid.positions(np.array([times[0], analysis.downbeats_s[0]])))[0])
            starts_with_pickup = ((max(lead, 0.0) + WHOLE_BAR_TOLERANCE_BEATS) % grid.beats_per_bar
                                  > WHOLE_BAR_TOLERANCE_BEATS)
        # whole bars of pickup: a caller's "shift" past a hum bar line (bars_moved)
        lead_bars = int((analysis.pickup_beats + WHOLE_BAR_TOLERANCE_BEATS) // grid.beats_per_bar)
        if onsets[0] - shift > 1e-9 and starts_with_pickup and hum_bars_per_song_bar > 1:
            shift -= (hum_bars_per_song_bar - 1) * grid.beats_per_bar   # a pickup's bar ends the first song bar
        if lead_bars % max(hum_bars_per_song_bar, 1):   # the song bars start that many hum bars later
            shift += (lead_bars % hum_bars_per_song_bar) * grid.beats_per_bar
            if onsets[0] - shift < -1e-9:
                shift -= hum_bars_per_song_bar * grid.beats_per_bar
        if shift:
            grid = replace(grid, bar_start=grid.bar_start + shift)
            onsets = onsets - shift
    return grid, times, onsets


def melody_positions(analysis: Analysis, beat_ratio: float = 1.0, *,
                     min_rest_beats: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """(onsets, offsets) of the notes (sorted by onset) in song beats (quarter notes) from the
    verse start: each note at its metrical position (bar, beat, subdivision) found by
    :func:`place_onsets` from the hum's tracked beat grid, the hum's first bar at the verse's
    first downbeat, times ``beat_ratio``. A note lasts until the next one unless the singer left
    a silence of ``min_rest_beats`` (hum beats) or more before it: then its end is placed between
    the two onsets in proportion to the time it was held, on the same subdivisions."""
    grid, times, onsets = placed_onsets(analysis, beat_ratio)
    notes = sorted(analysis.notes, key=lambda n: n.onset_s)
    scale = grid.quarters_per_beat * beat_ratio
    step = 1.0 / grid.subdivisions
    ends_s = np.array([n.offset_s for n in notes])
    offsets = onsets + np.round((grid.positions(ends_s) - grid.positions(times)) / step) * step
    if len(notes) > 1:
        played, ends = grid.closed_up(times), grid.closed_up(ends_s)   # the caller's breaks closed up
        share = np.clip((ends[:-1] - played[:-1]) / np.maximum(played[1:] - played[:-1], 1e-6), 0.0, None)
        span = onsets[1:] - onsets[:-1]
        inner = onsets[:-1] + np.round(share * span / step) * step
        rest = (1.0 - share) * span >= min_rest_beats
        offsets[:-1] = np.where(rest, np.minimum(inner, onsets[1:]), onsets[1:])
    return np.maximum(onsets, 0.0) * scale, np.maximum(offsets, onsets + step) * scale


def time_map(analysis: Analysis, beat_ratio: float = 1.0) -> list[tuple[float, float]]:
    """[(hum s, song beat from the verse start)] at each sung note onset (where
    :func:`melody_positions` places it) and the tracked beats before the first and after the last
    note: the map for flexing the recording onto the song."""
    grid, times, onsets = placed_onsets(analysis, beat_ratio)
    scale = grid.quarters_per_beat * beat_ratio
    if not len(times):
        return [(float(t), (i - grid.bar_start) * scale) for i, t in enumerate(grid.beats_s)]
    points = [(float(t), (i - grid.bar_start) * scale) for i, t in enumerate(grid.beats_s)
              if t < times[0] - 1e-3 and i - grid.bar_start < onsets[0]]
    points += [(float(t), float(p) * scale) for t, p in zip(times, onsets) if p >= 0.0]
    points += [(float(t), (i - grid.bar_start) * scale) for i, t in enumerate(grid.beats_s)
               if t > times[-1] + 1e-3 and i - grid.bar_start > onsets[-1]]
    return points


def quantise_melody(analysis: Analysis, beat_ratio: float = 1.0) -> list[NoteEvent]:
    """The hum as note events in song beats from the start of the verse: each note at its metrical
    position on the hum's tracked grid (:func:`melody_positions`; 16ths, or 16th triplets of the
    dotted beat in 6/8), so rubato is not written as syncopation; the hum's first bar (with any
    pickup at its end) is the verse's first bar, or its last part when a song bar holds several of
    the hum's bars (:func:`placed_onsets`). ``beat_ratio`` scales the beats when the song
    tempo is 2x or 1/2x the hum's; the bar phase comes from the analysis' downbeats. Overlaps are
    cut; pitches rounded to semitones."""
    notes = sorted(analysis.notes, key=lambda n: n.onset_s)
    if not notes:
        return []
    starts, ends = melody_positions(analysis, beat_ratio)
    events: list[NoteEvent] = []
    for i, note in enumerate(notes):
        start, end = float(starts[i]), float(ends[i])
        if i + 1 < len(notes):
            end = min(end, float(starts[i + 1]))
        if end - start < 1e-6:
            continue  # swallowed by the next note on the grid
        pitch = int(round(note.midi))
        velocity = int(round(70 + 40 * note.confidence))
        if events and events[-1].pitch == pitch and math.isclose(events[-1].start_beat, start):
            continue
        events.append(NoteEvent(start_beat=start, duration_beats=end - start, pitch=pitch, velocity=velocity))
    return events


def melody_bars(melody: list[NoteEvent], beats_per_bar: int = BEATS_PER_BAR) -> int:
    """Whole bars of ``beats_per_bar`` beats the melody spans (at least 1)."""
    if not melody:
        return 1
    end = max(n.start_beat + n.duration_beats for n in melody)
    return max(1, math.ceil(end / beats_per_bar - 1e-9))


def hum_copies_for(verse_bars: int) -> int:
    """Times a verse or chorus plays the hum: enough for ``SHORT_HUM_BARS`` bars."""
    return 1 if verse_bars >= SHORT_HUM_BARS else math.ceil(SHORT_HUM_BARS / max(verse_bars, 1))


def plan_form(verse_bars: int, beats_per_bar: int, tempo_bpm: float, length: SongLength = "normal",
              seed: int = 0) -> Form:
    """The song form for a hum of ``verse_bars`` bars at ``tempo_bpm``: among the
    ``FORM_PLANS`` with a 2- or 4-bar intro, those lasting ``SONG_LENGTHS_S[length]``, one
    picked by ``seed`` — preferring a chorus and the usual :func:`hum_copies_for`, then a
    chorus with the hum once or twice as often; when none fits, the one closest to the range."""
    usual = hum_copies_for(verse_bars)
    options = [Form.build(middle, verse_bars, intro_bars=intro, hum_copies=copies, beats_per_bar=beats_per_bar)
               for copies in sorted({usual, 1, 2 * usual}) for middle in FORM_PLANS for intro in (2, 4)]
    low, high = SONG_LENGTHS_S[length]
    fitting = [f for f in options if low <= f.duration_s(tempo_bpm) <= high]
    tiers = ([f for f in fitting if "chorus" in f.middle and f.hum_copies == usual],
             [f for f in fitting if "chorus" in f.middle], fitting)
    preferred = next((tier for tier in tiers if tier), None)
    if preferred:
        return preferred[int(np.random.default_rng([seed, 1]).integers(len(preferred)))]
    return min(options, key=lambda f: max(low - f.duration_s(tempo_bpm), f.duration_s(tempo_bpm) - high))


_FALLBACK_ROMAN = {"major": {0: "I", 2: "ii", 4: "iii", 5: "IV", 7: "V", 9: "vi", 10: "bVII"},
                   "minor": {0: "i", 2: "ii°", 3: "bIII", 5: "iv", 7: "V", 8: "bVI", 10: "bVII"}}
BRIDGE_DEGREES = {"major": ((9, 5, 0, 7), (9, 4, 5, 7), (5, 9, 2, 7)),
                  "minor": ((8, 10, 5, 7), (3, 10, 8, 7), (5, 8, 10, 7))}
"""Bridge progressions (semitones above the tonic per bar), one picked by the seed."""


def degree_chord(prof: StyleProfile, key: Key, degree: int, *, leading_tone: bool = False) -> ChordSpec:
    """The style's most usual chord on the root ``degree`` semitones above the tonic (a
    plain diatonic chord when the style has none); with ``leading_tone`` one that contains the
    key's leading tone when there is one (V rather than v)."""
    root = (key.tonic_pc + degree) % 12
    options = [c for c in candidates_for(prof, key.tonic_pc, key.mode) if c.chord.root_pc == root and "/" not in c.roman]
    if not options:
        return roman_to_chord(_FALLBACK_ROMAN[key.mode][degree], key.tonic_pc, key.mode)
    lead = (key.tonic_pc + 11) % 12
    return max(options, key=lambda c: (leading_tone and lead in c.chord.tones, c.weight)).chord


def _subdominant(prof: StyleProfile, key: Key) -> ChordSpec:
    """The cadence's pre-dominant: the style's more usual of ii and IV (ii7 in jazz)."""
    options = [c for c in candidates_for(prof, key.tonic_pc, key.mode)
               if (c.chord.root_pc - key.tonic_pc) % 12 in (2, 5) and "/" not in c.roman and c.function == "S"]
    return max(options, key=lambda c: c.weight).chord if options else degree_chord(prof, key, 5)


def _chord_tone_ratio(melody: list[NoteEvent], slots: list[ChordSlot]) -> float:
    if not melody or not slots:
        return 1.0
    return sum(n.pitch % 12 in _chord_at(slots, n.start_beat).chord.tones for n in melody) / len(melody)


def chorus_chords(melody: list[NoteEvent], verse: list[ChordSlot], form: Form, prof: StyleProfile, key: Key,
                  seed: int = 0) -> list[ChordSlot]:
    """The chorus's reharmonisation of the hum (beats from the hum's start): the harmoniser
    again, the verse's chord costing ``CHORUS_AVOID_COST`` per beat and a seeded spread of
    ``CHORUS_VARIATION``, so the chorus changes chords where the melody allows; the verse's
    chords when the new ones carry the melody clearly worse (chord-tone ratio more than
    ``CHORUS_MAX_CTR_DROP`` lower)."""
    chorus = harmonise(melody, form.verse_bars, key.tonic_pc, key.mode, prof, form.beats_per_bar,
                       avoid=verse, avoid_cost=CHORUS_AVOID_COST, variation=CHORUS_VARIATION, seed=seed)
    if _chord_tone_ratio(melody, chorus) < _chord_tone_ratio(melody, verse) - CHORUS_MAX_CTR_DROP:
        return verse
    return chorus


def song_chords(verse: list[ChordSlot], chorus: list[ChordSlot], form: Form, prof: StyleProfile, key: Key,
                seed: int = 0) -> list[ChordSlot]:
    """Chord slots for the whole song in song beats: intro (tonic, subdominant, dominant in
    its last bar), verse and chorus chords once per copy of the hum, pre-chorus (IV or iv,
    then the dominant), bridge (a seeded contrasting progression), outro (pre-dominant,
    dominant, the tonic held)."""
    beats = form.beats_per_bar
    tonic = degree_chord(prof, key, 0)
    dominant = degree_chord(prof, key, 7, leading_tone=True)
    four = degree_chord(prof, key, 5)
    bridge_degrees = BRIDGE_DEGREES[key.mode][int(np.random.default_rng([seed, 2]).integers(3))]
    slots: list[ChordSlot] = []

    def bar_chords(start_bar: int, chords: list[ChordSpec]) -> None:
        for i, chord in enumerate(chords):
            slots.append(ChordSlot(float((start_bar + i) * beats), float(beats), chord,
                                   chord_to_roman(chord, key.tonic_pc, key.mode)))

    for section in form.sections():
        n = section.bars
        if section.name == "intro":
            bar_chords(section.start_bar, [(tonic, four)[i % 2] for i in range(n - 1)] + [dominant if n > 1 else tonic])
        elif section.name in MELODIC_SECTIONS:
            source = verse if section.name == "verse" else chorus
            for copy in range(form.hum_copies):
                offset = (section.start_bar + copy * form.verse_bars) * beats
                slots.extend(ChordSlot(s.start_beat + offset, s.duration_beats, s.chord, s.roman) for s in source
                             if s.start_beat < form.verse_bars * beats)
        elif section.name == "pre-chorus":
            bar_chords(section.start_bar, [four] * (n - 1) + [dominant])
        elif section.name == "bridge":
            chords = [degree_chord(prof, key, d, leading_tone=d == 7) for d in bridge_degrees]
            bar_chords(section.start_bar, [chords[i * len(chords) // n] for i in range(n)])
        else:  # outro: the cadence, then the tonic held
            cadence = n - form.ending_bars
            bar_chords(section.start_bar, ([tonic] * cadence + [_subdominant(prof, key), dominant])[-cadence:])
            slots.append(ChordSlot(float(form.final_bar * beats), float(form.ending_bars * beats), tonic,
                                   chord_to_roman(tonic, key.tonic_pc, key.mode)))
    return slots


def _chord_at(slots: list[ChordSlot], beat: float) -> ChordSlot:
    for slot in reversed(slots):
        if slot.start_beat <= beat + 1e-9:
            return slot
    return slots[0]


def feel_offset(step: int, feel: Feel) -> float:
    """Beats from the bar line of 16th ``step`` played with ``feel``'s swing: with 16th swing
    every odd 16th is late by ``swing`` x 0.25 beat; with 8th swing each beat splits at
    0.5 + ``swing`` x 0.5 (2/3 of the beat for a triplet feel) and 16ths fall halfway inside
    the swung 8ths, so no part plays a straight 16th under a swing feel."""
    position = step * STEP_BEATS
    if feel.swing <= 0.0:
        return position
    if feel.swing_unit_beats <= STEP_BEATS + 1e-9:
        return position + (feel.swing * feel.swing_unit_beats if step % 2 else 0.0)
    beat, rest = divmod(step, 4)
    split = 0.5 + feel.swing * feel.swing_unit_beats
    return beat + (0.0, split / 2, split, split + (1.0 - split) / 2)[rest]


def _rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, *keys])


def _step_stride(feel: Feel) -> int:
    """The grid (in 16th steps) that added hits keep to: 2 (8ths) under an 8th swing feel, else 1."""
    return 2 if feel.swing > 0 and feel.swing_unit_beats > STEP_BEATS else 1


def _played_bars(form: Form, seed: int, stream: int) -> Iterator[tuple[BarContext, float, np.random.Generator]]:
    """(context, start in beats, random generator) of every bar that is not the final held
    chord; the generator is seeded by ``seed``, the bar and the part's ``stream`` number."""
    for ctx in form.bar_contexts():
        if not ctx.held:
            yield ctx, ctx.bar * form.beats_per_bar, _rng(seed, ctx.bar, stream)


def _humanised(start: float, bar_start: float, late: float, feel: Feel, rng: np.random.Generator) -> float:
    """``start`` moved ``late`` beats plus a random offset (``feel.humanize_beats`` standard
    deviation, clipped at 2 sigma), never before the bar line."""
    jitter = float(np.clip(rng.normal(0.0, feel.humanize_beats), -2 * feel.humanize_beats, 2 * feel.humanize_beats)) \
        if feel.humanize_beats > 0 else 0.0
    return max(bar_start, start + late + jitter)


def _velocity(base: float, ctx: BarContext, step: int, steps: int, feel: Feel, rng: np.random.Generator) -> int:
    """``base`` shaped by the section (``SECTION_VELOCITY``, the pre-chorus crescendo) and a
    random ``feel.velocity_jitter``; clamped to 1-127."""
    value = base + SECTION_VELOCITY[ctx.section]
    if ctx.section == "pre-chorus":
        low, high = PRE_CHORUS_RAMP
        value += low + (high - low) * (ctx.index * steps + step) / (ctx.bars * steps)
    if feel.velocity_jitter > 0:
        value += rng.normal(0.0, feel.velocity_jitter)
    return int(np.clip(round(value), 1, 127))


def _free(lane: list[str], step: int) -> bool:
    return 0 <= step < len(lane) and lane[step] == "."


def drum_lanes(ctx: BarContext, groove: Groove, feel: Feel, seed: int = 0) -> dict[int, str]:
    """The drum lanes ("X" accent, "x" normal, "o" ghost, "." rest per 16th) of one bar: the
    style's groove shaped by section — intro without backbeat in its first half, pre-chorus
    build (backbeat on every beat, then every 8th), chorus busier (timekeeper 8ths, an extra
    kick, tambourine on the beats of straight styles), bridge half-time — then varied by the
    bar's place in the phrase: an extra kick in the 2nd bar, an open hat (or ghost backbeat)
    in the 3rd (each in a section with ``PHRASE_VARIATION_CHANCE``), a pickup into the next bar in the 4th, the style's fill or a snare run before
    a new section, a crash on section and chorus phrase starts. The seeded choices are made
    once per section, so its phrases vary alike. Added hits keep to 8th steps under an 8th
    swing feel."""
    rng = _rng(seed, ctx.bar - ctx.index, 11)  # one set of choices per section: its phrases match
    kick_variation, lift = rng.random(2) < PHRASE_VARIATION_CHANCE
    steps = groove.steps
    lanes = {drum: list(lane) for drum, lane in groove.drums.items()}
    backbeat = next((d for d in BACKBEATS if d in lanes), SNARE)
    timekeeper = max((d for d in lanes if d in TIMEKEEPERS), key=lambda d: sum(c != "." for c in lanes[d]),
                     default=CLOSED_HAT)
    lanes.setdefault(backbeat, ["."] * steps)
    lanes.setdefault(KICK, ["."] * steps)
    stride = _step_stride(feel)
    beat_steps = list(range(0, steps, 4))
    last_beat = steps - 4
    section = ctx.section

    if section == "intro" and ctx.index < ctx.bars // 2:
        lanes[backbeat] = ["."] * steps  # the band comes in
    elif section == "bridge":
        middle = 4 * math.ceil(len(beat_steps) / 2)
        lanes[backbeat] = ["x" if s == middle else "." for s in range(steps)]
        lanes[KICK] = ["X" if s == 0 else "." for s in range(steps)]
    elif section == "pre-chorus":
        pulse = 4 if ctx.index < ctx.bars - 1 else 2
        lanes[backbeat] = ["x" if s % pulse == 0 else "." for s in range(steps)]
        lanes[KICK] = ["X" if s in beat_steps else "." for s in range(steps)]
    elif section == "chorus":
        keeper = lanes[timekeeper]
        for s in range(0, steps, 2):
            if keeper[s] == "." and lanes[backbeat][s] == ".":
                keeper[s] = "o"
        extra = [s for s in (steps - 2, steps // 2 + 2, 6) if _free(lanes[KICK], s) and s % stride == 0]
        if extra:
            lanes[KICK][extra[int(rng.integers(len(extra)))]] = "x"
        if feel.swing == 0.0 and TAMBOURINE not in lanes:
            lanes[TAMBOURINE] = ["x" if s in beat_steps[1:] else "." for s in range(steps)]

    if section != "pre-chorus" and not ctx.held:
        before = {d: list(lane) for d, lane in lanes.items()}
        if ctx.leads_on:
            if rng.random() < 0.5:
                lanes = {d: list(lane) for d, lane in groove.drum_fill.items()}
            else:  # a snare run over the last beat, the timekeeper stopping for it
                for s in range(last_beat, steps, stride):
                    lanes[backbeat][s] = "X" if s >= steps - stride else "x"
                    lanes[timekeeper][s] = "."
        elif ctx.fill:  # a pickup into the next phrase
            pickups = [(2,), (0, 2)] if stride == 2 else [(2, 3), (1, 2, 3), (3,), (2,)]
            for offset in pickups[int(rng.integers(len(pickups)))]:
                lanes[backbeat][last_beat + offset] = "x"
            lanes[timekeeper][steps - stride] = "."
        elif ctx.phrase_position == 1 and kick_variation:
            extra = [s for s in (steps - 2, steps // 2 + 2, steps // 2 - 2, 3 * steps // 4 + 2)
                     if _free(lanes[KICK], s) and _free(lanes[backbeat], s) and s % stride == 0]
            if extra:
                lanes[KICK][extra[int(rng.integers(len(extra)))]] = "x"
        elif ctx.phrase_position == 2 and lift:
            keeper = lanes.get(CLOSED_HAT)
            offbeats = [s for s in range(2, steps, 4) if keeper and keeper[s] != "."]
            if offbeats:
                keeper[offbeats[-1]] = "."
                lanes.setdefault(OPEN_HAT, ["."] * steps)[offbeats[-1]] = "x"
            else:
                ghosts = [s for s in range(2, steps, 2) if _free(lanes[backbeat], s) and s % 4]
                if ghosts:
                    lanes[backbeat][ghosts[int(rng.integers(len(ghosts)))]] = "o"
        if ctx.fill and lanes == before:  # a fill must differ from the groove
            lanes[backbeat][steps - stride] = "X"
            lanes[timekeeper][steps - stride] = "."
            if lanes == before:
                lanes[KICK][steps - 2] = "x" if lanes[KICK][steps - 2] == "." else "."
    if ctx.index == 0 and section not in ("intro", "pre-chorus") or section == "chorus" and ctx.phrase_position == 0:
        lanes.setdefault(CRASH, ["."] * steps)[0] = "X"
        if timekeeper in lanes:
            lanes[timekeeper][0] = "."
    if ctx.held:
        lanes = {CRASH: ["X"] + ["."] * (steps - 1), KICK: ["X"] + ["."] * (steps - 1)}
    return {drum: "".join(lane) for drum, lane in lanes.items() if any(c != "." for c in lane)}


def drum_notes(form: Form, prof: StyleProfile, seed: int = 0) -> list[NoteEvent]:
    """Every bar's :func:`drum_lanes` played with the style's feel: swing, per-drum lateness,
    humanised timing; velocities from the marks, the metric position of timekeeper hits
    (downbeat > beat > off-beat 8th > 16th), a crescendo through fills, the section's energy
    and a random jitter."""
    groove = prof.groove(form.beats_per_bar)
    feel = prof.feel
    beats = form.beats_per_bar
    events: list[NoteEvent] = []
    for ctx in form.bar_contexts():
        rng = _rng(seed, ctx.bar, 12)
        bar_start = ctx.bar * beats
        for drum, lane in sorted(drum_lanes(ctx, groove, feel, seed).items()):
            for step, mark in enumerate(lane):
                if mark not in DRUM_VELOCITY:
                    continue
                base = float(DRUM_VELOCITY[mark])
                if drum in TIMEKEEPERS:
                    base += 6 if step == 0 else 3 if step % 4 == 0 else -2 if step % 4 == 2 else -8
                if ctx.fill and drum in BACKBEATS and step >= groove.steps - 4:
                    base += 3 * (step - (groove.steps - 4))
                if ctx.held:
                    base = 110.0 if drum == CRASH else 112.0
                start = _humanised(bar_start + feel_offset(step, feel), bar_start,
                                   feel.late_beats.get(str(drum), 0.0), feel, rng)
                duration = min(1.0 if drum == CRASH else STEP_BEATS, bar_start + beats - start)
                if duration > 1e-6:
                    events.append(NoteEvent(start_beat=start, duration_beats=duration, pitch=drum,
                                            velocity=_velocity(base, ctx, step, groove.steps, feel, rng)))
    return sorted(events, key=lambda e: (e.start_beat, e.pitch))


def _bass_tone(tone: str, chord: ChordSpec, next_chord: ChordSpec) -> int:
    root = bass_pitch(chord.bass_pc if chord.bass_pc is not None else chord.root_pc)
    if tone == "fifth":
        fifth = [i for i in chord.intervals if i in (6, 7, 8)]
        return root + (fifth[0] if fifth else 7) - (12 if root + 7 > 52 else 0)
    if tone == "third":
        return root + chord.intervals[1]
    if tone == "octave":
        return root + 12
    if tone == "approach":
        target = bass_pitch(next_chord.root_pc)
        return target - 1 if target - 1 != root else target + 2
    return root


_TONE_SWAP = {"root": "octave", "octave": "root", "fifth": "root", "third": "fifth", "approach": "fifth"}


def bass_hits(ctx: BarContext, groove: Groove, feel: Feel, seed: int = 0) -> list[BassHit]:
    """One bar of the bass: the style's pattern shaped by section — silent in the first half
    of the intro, roots pulsing in quarters then 8ths through a pre-chorus, long notes split
    into root and octave in a chorus, root and fifth held in a bridge — and varied by the bar's
    place in the phrase: another tone in the 2nd and 3rd bars, an approach-note pickup into
    the next bar at a fill. Each note lasts until the next."""
    rng = _rng(seed, ctx.bar, 21)
    steps = groove.steps
    stride = _step_stride(feel)
    hits = list(groove.bass)
    if ctx.section == "intro" and ctx.index < ctx.bars // 2:
        return []
    if ctx.section == "bridge":
        middle = 4 * math.ceil(steps / 8)
        hits = [BassHit(0, middle, "root", True), BassHit(middle, steps - middle, "fifth")]
    elif ctx.section == "pre-chorus":
        pulse = 4 if ctx.index < ctx.bars - 1 else 2
        hits = [BassHit(s, pulse, "root", s == 0) for s in range(0, steps, pulse)]
    elif ctx.section == "chorus":
        split: list[BassHit] = []
        for hit in hits:
            half = (hit.length // 2) // 2 * 2
            if hit.length >= 4 and half >= 2:
                split += [BassHit(hit.step, half, hit.tone, hit.accent),
                          BassHit(hit.step + half, hit.length - half, "octave" if hit.tone == "root" else "root")]
            else:
                split.append(hit)
        hits = split
    if ctx.fill and ctx.section != "pre-chorus":
        pickup = steps - 2
        hits = [h for h in hits if h.step < pickup] + [BassHit(pickup, 2, "approach")]
    elif ctx.phrase_position in (1, 2) and len(hits) > 1:
        index = 1 + int(rng.integers(len(hits) - 1))
        hit = hits[index]
        hits[index] = BassHit(hit.step, hit.length, _TONE_SWAP[hit.tone], hit.accent)
    hits = sorted((h for h in hits if h.step % stride == 0), key=lambda h: h.step)
    return [BassHit(h.step, min(h.length, (hits[i + 1].step if i + 1 < len(hits) else steps) - h.step), h.tone,
                    h.accent) for i, h in enumerate(hits)]


def _hit_span(step: int, length: int, bar_start: float, beats: int, groove: Groove,
              feel: Feel) -> tuple[float, float]:
    """(start, end) in beats of a groove hit ``length`` steps long at ``step`` of the bar that
    starts at ``bar_start``, both placed with the feel's swing; a hit that reaches the bar's end
    ends on the bar line."""
    end_step = step + length
    end = bar_start + (feel_offset(end_step, feel) if end_step < groove.steps else beats)
    return bar_start + feel_offset(step, feel), end


def bass_notes(slots: list[ChordSlot], form: Form, prof: StyleProfile, seed: int = 0) -> list[NoteEvent]:
    """Every bar's :func:`bass_hits` on the chords (root/fifth/third/octave/approach tones)
    with the style's feel; the final root held."""
    groove = prof.groove(form.beats_per_bar)
    feel = prof.feel
    beats = form.beats_per_bar
    events: list[NoteEvent] = []
    for ctx, bar_start, rng in _played_bars(form, seed, 22):
        for hit in bass_hits(ctx, groove, feel, seed):
            nominal, end = _hit_span(hit.step, hit.length, bar_start, beats, groove, feel)
            slot = _chord_at(slots, nominal)
            next_slot = _chord_at(slots, slot.start_beat + slot.duration_beats)
            end = min(end, slot.start_beat + slot.duration_beats)
            start = _humanised(nominal, bar_start, feel.late_beats.get("bass", 0.0), feel, rng)
            if end - start <= 1e-6:
                continue
            events.append(NoteEvent(start_beat=start, duration_beats=end - start,
                                    pitch=_bass_tone(hit.tone, slot.chord, next_slot.chord),
                                    velocity=_velocity(100 if hit.accent else 86, ctx, hit.step, groove.steps,
                                                       feel, rng)))
    ending = slots[-1]
    events.append(NoteEvent(start_beat=ending.start_beat, duration_beats=ending.duration_beats,
                            pitch=bass_pitch(ending.chord.root_pc), velocity=100))
    return events


def chord_voicings(slots: list[ChordSlot], center: float) -> list[list[int]]:
    """A voice-led close voicing (MIDI) per slot, kept near ``center``."""
    voicings: list[list[int]] = []
    for slot in slots:
        voicings.append(close_voicing(slot.chord, center, voicings[-1] if voicings else None))
    return voicings


def widened(voicing: list[int]) -> list[int]:
    """A wider voicing for a chorus: the lowest note doubled an octave above the top."""
    return voicing + [voicing[0] + 12] if voicing[0] + 12 > voicing[-1] else voicing


def comp_hits(ctx: BarContext, groove: Groove) -> list[tuple[int, int]]:
    """(step, length in steps) chord hits of one bar: the style's comping; held whole bars in
    the first half of the intro, 8th pulses in the last bar of a pre-chorus (quarters before),
    half bars in a bridge."""
    steps = groove.steps
    if ctx.section == "intro" and ctx.index < ctx.bars // 2:
        return [(0, steps)]
    if ctx.section == "bridge":
        middle = 4 * math.ceil(steps / 8)
        return [(0, middle), (middle, steps - middle)]
    if ctx.section == "pre-chorus":
        pulse = 4 if ctx.index < ctx.bars - 1 else 2
        return [(s, pulse) for s in range(0, steps, pulse)]
    return list(groove.comp_steps)


def _section_of(form: Form, beat: float) -> str:
    bar = int(beat // form.beats_per_bar + 1e-9)
    return next(s.name for s in reversed(form.sections()) if s.start_bar <= bar)


def comping_notes(slots: list[ChordSlot], voicings: list[list[int]], form: Form, prof: StyleProfile,
                  seed: int = 0) -> list[NoteEvent]:
    """Every bar's :func:`comp_hits` on the voicings (wider in a chorus) with the style's feel
    (a strum: upward notes later on the beat, downward off it); the final chord held."""
    groove = prof.groove(form.beats_per_bar)
    feel = prof.feel
    beats = form.beats_per_bar
    events: list[NoteEvent] = []
    for ctx, bar_start, rng in _played_bars(form, seed, 31):
        for step, length in comp_hits(ctx, groove):
            nominal, end = _hit_span(step, length, bar_start, beats, groove, feel)
            index = max(i for i, s in enumerate(slots) if s.start_beat <= nominal + 1e-9)
            slot = slots[index]
            end = min(end, slot.start_beat + slot.duration_beats)
            voicing = widened(voicings[index]) if ctx.section == "chorus" else voicings[index]
            order = voicing if step % 4 == 0 else voicing[::-1]
            start = _humanised(nominal, bar_start, feel.late_beats.get("chords", 0.0), feel, rng)
            velocity = _velocity(92 if step == 0 else 78, ctx, step, groove.steps, feel, rng)
            for i, pitch in enumerate(order):
                onset = start + i * feel.strum_beats
                if end - onset > 1e-6:
                    events.append(NoteEvent(start_beat=onset, duration_beats=end - onset, pitch=pitch,
                                            velocity=velocity))
    events.extend(NoteEvent(start_beat=slots[-1].start_beat, duration_beats=slots[-1].duration_beats,
                            pitch=p, velocity=90) for p in voicings[-1])
    return events


def pad_notes(slots: list[ChordSlot], voicings: list[list[int]], form: Form) -> list[NoteEvent]:
    """Each chord sustained for its whole length, louder and wider in a chorus."""
    events = []
    for slot, voicing in zip(slots, voicings):
        section = _section_of(form, slot.start_beat)
        velocity = 64 + SECTION_VELOCITY[section] // 2
        for pitch in widened(voicing) if section == "chorus" else voicing:
            events.append(NoteEvent(start_beat=slot.start_beat, duration_beats=slot.duration_beats, pitch=pitch,
                                    velocity=velocity))
    return events


def melody_notes(melody: list[NoteEvent], form: Form) -> list[NoteEvent]:
    """The quantised hum placed in every verse and chorus (``form.hum_copies`` times each),
    its pitches and relative timing unchanged."""
    events: list[NoteEvent] = []
    for section in form.sections():
        if section.name not in MELODIC_SECTIONS:
            continue
        for copy in range(form.hum_copies):
            offset = (section.start_bar + copy * form.verse_bars) * form.beats_per_bar
            events.extend(n.model_copy(update={"start_beat": n.start_beat + offset}) for n in melody)
    return events


def bar_patterns(notes: list[NoteEvent], beats_per_bar: int, bars: int) -> list[frozenset[tuple[int, int]]]:
    """Per bar, the set of (pitch, nearest 16th step) of the notes starting in it: the bar's
    rhythm pattern, blind to velocity and micro-timing (for counting distinct drum bars)."""
    patterns: list[set[tuple[int, int]]] = [set() for _ in range(bars)]
    for note in notes:
        bar = min(int(note.start_beat // beats_per_bar), bars - 1)
        patterns[bar].add((note.pitch, round((note.start_beat - bar * beats_per_bar) / STEP_BEATS)))
    return [frozenset(p) for p in patterns]


def distinct_per_window(patterns: list[frozenset], window: int = 8) -> list[int]:
    """Distinct patterns in every run of ``window`` consecutive bars (one count per start bar;
    the whole song when it is shorter)."""
    if len(patterns) <= window:
        return [len(set(patterns))]
    return [len(set(patterns[i:i + window])) for i in range(len(patterns) - window + 1)]


def build_arrangement(
    analysis: Analysis,
    *,
    style: Style,
    tempo_bpm: float,
    key: Key,
    melody: list[NoteEvent],
    verse_chords: list[ChordSlot],
    form: Form,
    rationale: list[AgentDecision],
    time_signature: TimeSignature | None = None,
    hum_time_map: list[tuple[float, float]] | None = None,
    variation_seed: int = 0,
    length: SongLength = "normal",
    beat_ratio: float = 1.0,
    asked_tempo_bpm: float | None = None,
    bar_shift_beats: int = 0,
) -> Arrangement:
    """Assemble and validate the arrangement: sections, chords with voicings and roman
    numerals (the chorus reharmonised, see :func:`chorus_chords`), all five parts expanded to
    note events. ``time_signature`` is the written one (default: ``form.beats_per_bar``/4);
    ``hum_time_map`` the (hum s, verse beat) points of :func:`time_map`, stored from the verse
    start; ``variation_seed`` decides every random choice and is recorded with the requested
    ``length`` and the shared swing; ``beat_ratio`` (song beats per hum beat: 1, 2 or 1/2),
    ``asked_tempo_bpm`` (BPM, the caller's "half" / "double") and ``bar_shift_beats`` (beats the caller
    moved bar 1, "shift") are recorded as the Compose stage decided them."""
    prof = profile(style)
    chorus = chorus_chords(melody, verse_chords, form, prof, key, variation_seed)
    slots = song_chords(verse_chords, chorus, form, prof, key, variation_seed)
    comp_voicings = chord_voicings(slots, prof.chord_center)
    pad_voicings = chord_voicings(slots, prof.pad_center)
    chords = [Chord(start_beat=s.start_beat, duration_beats=s.duration_beats, symbol=s.chord.symbol,
                    root_pc=s.chord.root_pc, quality=s.chord.quality, pitches=v, roman=s.roman)
              for s, v in zip(slots, comp_voicings)]
    name = style.value

    def part(part_name: str, notes: list[NoteEvent], pattern: str) -> Part:
        return Part(name=part_name, program=prof.programs[part_name], is_drum=part_name == "drums",
                    level_db=prof.levels_db[part_name], pan=prof.pans.get(part_name, 0.0),
                    pattern=pattern, notes=notes)

    parts = [
        part("drums", drum_notes(form, prof, variation_seed), f"{name}-groove"),
        part("bass", bass_notes(slots, form, prof, variation_seed), f"{name}-bass"),
        part("chords", comping_notes(slots, comp_voicings, form, prof, variation_seed), f"{name}-comping"),
        part("pad", pad_notes(slots, pad_voicings, form), f"{name}-pad"),
        part("melody", melody_notes(melody, form), "hum-guide"),
    ]
    arrangement = Arrangement(
        style=style, tempo_bpm=tempo_bpm, key=key,
        time_signature=time_signature or TimeSignature(numerator=form.beats_per_bar),
        hum_meter=analysis.time_signature, total_bars=form.total_bars, sections=form.sections(),
        chords=chords, melody_offset_beats=form.verse_start_beat, parts=parts,
        time_map=[TimePoint(hum_s=round(t, 4), song_beat=round(b + form.verse_start_beat, 4))
                  for t, b in hum_time_map or []],
        lyrics=analysis.lyrics.text, rationale=rationale,
        swing=prof.feel.swing, swing_unit_beats=prof.feel.swing_unit_beats,
        variation_seed=variation_seed, length=length, call_conditions=analysis.call.conditions,
        hum_span_s=(min(n.onset_s for n in analysis.notes), max(n.offset_s for n in analysis.notes))
        if analysis.notes else None,
        hum_breaks_s=analysis.breaks_s, beat_ratio=beat_ratio, asked_tempo_bpm=asked_tempo_bpm,
        bar_shift_beats=bar_shift_beats,
    )
    return Arrangement.model_validate(arrangement.model_dump())
