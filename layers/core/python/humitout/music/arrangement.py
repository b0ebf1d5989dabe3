"""From a hum (``Analysis``) to a fully expanded ``Arrangement`` in 4/4, 3/4 or 6/8.

The meter is the hum's ``Analysis.time_signature`` (see :func:`meter_beats`): bars of
``beats_per_bar`` quarter-note beats throughout — harmonic rhythm, form and the style's bar
patterns (``StyleProfile.groove``). The melody is placed at each note's metrical position on the
hum's tracked beats, its first bar (downbeat from the analysis) at the verse's first bar.

Song form: intro (the groove, tonic then dominant), verse (the hum), a repeat of the verse
when the hum is shorter than ``SHORT_HUM_BARS``, ending (the tonic held). Every part is
expanded to ``NoteEvent``s in beats (quarter notes from the song start); pitches are MIDI.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from humitout.models import (
    AgentDecision,
    Analysis,
    Arrangement,
    Chord,
    Key,
    NoteEvent,
    Part,
    Section,
    Style,
    TimePoint,
    TimeSignature,
)
from humitout.music.harmony import (
    BEATS_PER_BAR,
    SUPPORTED_BEATS_PER_BAR,
    ChordSlot,
    candidates_for,
    strong_mid_beat,
)
from humitout.music.styles import CRASH, DRUM_VELOCITY, KICK, StyleProfile, profile
from humitout.music.theory import ChordSpec, bass_pitch, chord_to_roman, close_voicing

GRID_BEATS = 0.25  # a 16th note
SHORT_HUM_BARS = 8
STEP_BEATS = 0.25


def meter_beats(analysis: Analysis) -> int:
    """Quarter-note beats per bar of the arrangement for the hum's time signature: 4/4 -> 4,
    3/4 -> 3, 6/8 -> 3 (bars of two dotted-quarter beats played on the 3/4 bar patterns, written
    as 6/8, see :func:`song_time_signature`), 2/4 -> 4 (each song bar holds two 2/4 bars of the
    hum, their downbeats on beats 1 and 3); anything else 4."""
    signature = analysis.time_signature
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
class Form:
    """Bars per section: ``verse_bars`` is the hum's length; the repeat is a second verse.
    A bar has ``beats_per_bar`` quarter-note beats (4 or 3)."""

    intro_bars: int
    verse_bars: int
    repeat_verse: bool
    ending_bars: int
    beats_per_bar: int = BEATS_PER_BAR

    @property
    def verse_start_beat(self) -> float:
        return float(self.intro_bars * self.beats_per_bar)

    @property
    def total_bars(self) -> int:
        return self.intro_bars + self.verse_bars * (2 if self.repeat_verse else 1) + self.ending_bars

    @property
    def ending_start_beat(self) -> float:
        return float((self.total_bars - self.ending_bars) * self.beats_per_bar)

    def sections(self) -> list[Section]:
        spans = [("intro", self.intro_bars), ("verse", self.verse_bars),
                 ("repeat", self.verse_bars if self.repeat_verse else 0), ("ending", self.ending_bars)]
        result, bar = [], 0
        for name, bars in spans:
            if bars > 0:
                result.append(Section(name=name, start_bar=bar, bars=bars))
                bar += bars
        return result


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
    and the subdivisions of a beat notes are placed on (4: 16ths; 6 in compound time)."""

    beats_s: list[float]
    bar_start: float
    beats_per_bar: int
    quarters_per_beat: float
    subdivisions: int
    beat_bpm: float

    def positions(self, times_s: np.ndarray) -> np.ndarray:
        """Beats from the first bar's downbeat of times (s), on the tracked grid (not quantised)."""
        return seconds_to_beats(np.asarray(times_s, float), self.beats_s, self.beat_bpm) - self.bar_start


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
    return HumGrid(beats_s=list(analysis.beats_s), bar_start=bar_start, beats_per_bar=beats_per_bar,
                   quarters_per_beat=quarters, subdivisions=subdivisions, beat_bpm=beat_bpm)


def melody_positions(analysis: Analysis, beat_ratio: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(onsets, offsets) of the notes (sorted by onset) in song beats (quarter notes) from the
    verse start: each note at its metrical position (bar, beat, subdivision) on the hum's
    tracked beat grid, the hum's first bar at the verse's first downbeat, times ``beat_ratio``."""
    grid = hum_grid(analysis)
    notes = sorted(analysis.notes, key=lambda n: n.onset_s)
    scale = grid.quarters_per_beat * beat_ratio
    step = 1.0 / grid.subdivisions
    onsets = np.round(grid.positions(np.array([n.onset_s for n in notes])) / step) * step
    offsets = np.round(grid.positions(np.array([n.offset_s for n in notes])) / step) * step
    return np.maximum(onsets, 0.0) * scale, np.maximum(offsets, onsets + step) * scale


def time_map(analysis: Analysis, beat_ratio: float = 1.0) -> list[tuple[float, float]]:
    """[(hum s, song beat from the verse start)] at each tracked beat of the hum: the map that
    :func:`melody_positions` places the notes with, for flexing the recording onto the song."""
    grid = hum_grid(analysis)
    scale = grid.quarters_per_beat * beat_ratio
    return [(float(t), (i - grid.bar_start) * scale) for i, t in enumerate(grid.beats_s)]


def quantise_melody(analysis: Analysis, beat_ratio: float = 1.0, beats_per_bar: int | None = None) -> list[NoteEvent]:
    """The hum as note events in song beats from the start of the verse: each note at its metrical
    position on the hum's tracked grid (:func:`melody_positions`; 16ths, or 16th triplets of the
    dotted beat in 6/8), so rubato is not written as syncopation; the hum's first bar (with any
    pickup at its end) is the verse's first bar. ``beat_ratio`` scales the beats when the song
    tempo is 2x or 1/2x the hum's; ``beats_per_bar`` is kept for callers (the bar phase comes from
    the analysis' downbeats). Overlaps are cut; pitches rounded to semitones."""
    del beats_per_bar  # the hum's own downbeats place the bars
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


def default_form(verse_bars: int, beats_per_bar: int = BEATS_PER_BAR) -> Form:
    """Two bars of intro, the verse, a repeat when the hum is short, one bar of ending."""
    return Form(intro_bars=2, verse_bars=verse_bars, repeat_verse=verse_bars < SHORT_HUM_BARS, ending_bars=1,
                beats_per_bar=beats_per_bar)


def _cadence_chords(prof: StyleProfile, key: Key) -> tuple[ChordSpec, ChordSpec]:
    """The style's most usual tonic and dominant chords in the key."""
    candidates = candidates_for(prof, key.tonic_pc, key.mode)
    tonics = [c for c in candidates if c.chord.root_pc == key.tonic_pc and c.function == "T"]
    dominants = [c for c in candidates if c.chord.root_pc == (key.tonic_pc + 7) % 12 and c.function == "D"]
    tonic = max(tonics, key=lambda c: c.weight).chord
    dominant = max(dominants, key=lambda c: c.weight).chord if dominants else tonic
    return tonic, dominant


def song_chords(verse: list[ChordSlot], form: Form, prof: StyleProfile, key: Key) -> list[ChordSlot]:
    """Chord slots for the whole song in song beats: intro (tonic, dominant in its last bar),
    verse, repeat, ending (tonic held)."""
    tonic, dominant = _cadence_chords(prof, key)
    beats = form.beats_per_bar
    slots: list[ChordSlot] = []
    for bar in range(form.intro_bars):
        chord = dominant if bar == form.intro_bars - 1 and form.intro_bars > 1 else tonic
        slots.append(ChordSlot(bar * beats, beats, chord, chord_to_roman(chord, key.tonic_pc, key.mode)))
    for copy in range(2 if form.repeat_verse else 1):
        offset = form.verse_start_beat + copy * form.verse_bars * beats
        slots.extend(ChordSlot(s.start_beat + offset, s.duration_beats, s.chord, s.roman) for s in verse)
    slots.append(ChordSlot(form.ending_start_beat, form.ending_bars * beats, tonic,
                           chord_to_roman(tonic, key.tonic_pc, key.mode)))
    return slots


def _chord_at(slots: list[ChordSlot], beat: float) -> ChordSlot:
    for slot in reversed(slots):
        if slot.start_beat <= beat + 1e-9:
            return slot
    return slots[0]


def _swung(step: int, swing: float) -> float:
    """Beat offset within the bar of 16th ``step``, delaying off-beat 8ths by ``swing``."""
    return step * STEP_BEATS + (swing * 0.5 if step % 4 == 2 else 0.0)


def drum_notes(form: Form, prof: StyleProfile) -> list[NoteEvent]:
    """The groove for intro/verse/repeat bars (a fill in each section's last bar), a crash on
    the verse and ending downbeats, and one final kick + crash."""
    section_last_bars = {s.start_bar + s.bars - 1 for s in form.sections()}
    groove = prof.groove(form.beats_per_bar)
    events: list[NoteEvent] = []
    groove_bars = form.total_bars - form.ending_bars
    for bar in range(groove_bars):
        lanes = groove.drum_fill if bar in section_last_bars else groove.drums
        for drum, lane in lanes.items():
            for step, mark in enumerate(lane):
                if mark in DRUM_VELOCITY:
                    events.append(NoteEvent(start_beat=bar * form.beats_per_bar + _swung(step, prof.swing),
                                            duration_beats=STEP_BEATS, pitch=drum, velocity=DRUM_VELOCITY[mark]))
    for beat in (form.verse_start_beat, form.ending_start_beat):
        events.append(NoteEvent(start_beat=beat, duration_beats=1.0, pitch=CRASH, velocity=110))
    events.append(NoteEvent(start_beat=form.ending_start_beat, duration_beats=1.0, pitch=KICK, velocity=112))
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


def bass_notes(slots: list[ChordSlot], form: Form, prof: StyleProfile) -> list[NoteEvent]:
    """The style's bass pattern on each chord (root/fifth/third/octave/approach tones), the
    ending's root held."""
    events: list[NoteEvent] = []
    for bar in range(form.total_bars - form.ending_bars):
        for hit in prof.groove(form.beats_per_bar).bass:
            start = bar * form.beats_per_bar + _swung(hit.step, prof.swing)
            slot = _chord_at(slots, start)
            next_slot = _chord_at(slots, slot.start_beat + slot.duration_beats)
            end = min(start + hit.length * STEP_BEATS, slot.start_beat + slot.duration_beats)
            if end - start <= 1e-9:
                continue
            events.append(NoteEvent(start_beat=start, duration_beats=end - start,
                                    pitch=_bass_tone(hit.tone, slot.chord, next_slot.chord),
                                    velocity=100 if hit.accent else 86))
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


def comping_notes(slots: list[ChordSlot], voicings: list[list[int]], form: Form,
                  prof: StyleProfile) -> list[NoteEvent]:
    """The style's comping rhythm on the voicings; the ending chord held."""
    events: list[NoteEvent] = []
    for bar in range(form.total_bars - form.ending_bars):
        for step, length in prof.groove(form.beats_per_bar).comp_steps:
            start = bar * form.beats_per_bar + _swung(step, prof.swing)
            index = max(i for i, s in enumerate(slots) if s.start_beat <= start + 1e-9)
            slot = slots[index]
            end = min(start + length * STEP_BEATS, slot.start_beat + slot.duration_beats)
            if end - start <= 1e-9:
                continue
            velocity = 92 if step == 0 else 78
            events.extend(NoteEvent(start_beat=start, duration_beats=end - start, pitch=p, velocity=velocity)
                          for p in voicings[index])
    events.extend(NoteEvent(start_beat=slots[-1].start_beat, duration_beats=slots[-1].duration_beats,
                            pitch=p, velocity=90) for p in voicings[-1])
    return events


def pad_notes(slots: list[ChordSlot], voicings: list[list[int]]) -> list[NoteEvent]:
    """Each chord sustained for its whole length."""
    return [NoteEvent(start_beat=s.start_beat, duration_beats=s.duration_beats, pitch=p, velocity=64)
            for s, voicing in zip(slots, voicings) for p in voicing]


def melody_notes(melody: list[NoteEvent], form: Form) -> list[NoteEvent]:
    """The quantised hum placed at the verse (and again at the repeat)."""
    events: list[NoteEvent] = []
    for copy in range(2 if form.repeat_verse else 1):
        offset = form.verse_start_beat + copy * form.verse_bars * form.beats_per_bar
        events.extend(n.model_copy(update={"start_beat": n.start_beat + offset}) for n in melody)
    return events


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
) -> Arrangement:
    """Assemble and validate the arrangement: sections, chords with voicings and roman
    numerals, all five parts expanded to note events. ``time_signature`` is the written one
    (default: ``form.beats_per_bar``/4); ``hum_time_map`` the (hum s, verse beat) points of
    :func:`time_map`, stored from the verse start."""
    prof = profile(style)
    slots = song_chords(verse_chords, form, prof, key)
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
        part("drums", drum_notes(form, prof), f"{name}-groove"),
        part("bass", bass_notes(slots, form, prof), f"{name}-bass"),
        part("chords", comping_notes(slots, comp_voicings, form, prof), f"{name}-comping"),
        part("pad", pad_notes(slots, pad_voicings), f"{name}-pad"),
        part("melody", melody_notes(melody, form), "hum-guide"),
    ]
    arrangement = Arrangement(
        style=style, tempo_bpm=tempo_bpm, key=key,
        time_signature=time_signature or TimeSignature(numerator=form.beats_per_bar),
        total_bars=form.total_bars, sections=form.sections(),
        chords=chords, melody_offset_beats=form.verse_start_beat, parts=parts,
        time_map=[TimePoint(hum_s=round(t, 4), song_beat=round(b + form.verse_start_beat, 4))
                  for t, b in hum_time_map or []],
        lyrics=analysis.lyrics.text, rationale=rationale,
    )
    return Arrangement.model_validate(arrangement.model_dump())
