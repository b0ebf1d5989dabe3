"""Deterministic melody harmoniser (MySong-style): per-slot chord scores from the melody,
Viterbi over a functional-harmony transition prior, cadence at phrase ends.

A slot is half a bar (2 beats in 4/4). A chord change at mid-bar costs the style's
``half_bar_change_cost`` so chords change at mid-bar only where the melody clearly asks
for it. Times are in beats (quarter notes); pitches are MIDI numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from humitout.models import NoteEvent
from humitout.music.styles import StyleProfile
from humitout.music.theory import ChordSpec, Mode, chord_to_roman, roman_to_chord

BEATS_PER_BAR = 4
SLOT_BEATS = 2.0

# Krumhansl-Kessler key profiles (probe-tone ratings), tonic first.
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

# Score of one beat of melody by its pitch's role in the chord.
_FIT_CHORD_ROOT = 1.0
_FIT_CHORD_THIRD_FIFTH = 1.0
_FIT_CHORD_EXTENSION = 0.6
_FIT_NON_CHORD = -1.0
_FIT_AVOID = -1.2  # a semitone above a chord tone (e.g. F over C major)

NOTE_COUNT_BEATS = 1.0  # each note onset counts as this many extra beats of melody
_PRIOR_SCALE = 0.35
_FUNCTION_SCALE = 0.5
_HOLD_ACROSS_BAR = 0.15
_FINAL_TONIC_BONUS = 2.5
_PHRASE_END_BONUS = 0.4
_CADENCE_BONUS = {"D": 0.8, "S": 0.5}

# Functional transition prior: (from function, to function) → score in roughly [-1, 1].
_FUNCTION_MOVES = {
    ("T", "T"): 0.1, ("T", "S"): 0.5, ("T", "D"): 0.4, ("T", "X"): 0.3,
    ("S", "T"): 0.3, ("S", "S"): 0.1, ("S", "D"): 0.7, ("S", "X"): 0.2,
    ("D", "T"): 0.8, ("D", "S"): -0.5, ("D", "D"): 0.0, ("D", "X"): -0.3,
    ("X", "T"): -0.6, ("X", "S"): -0.6, ("X", "D"): -0.6, ("X", "X"): -0.6,
}


@dataclass(frozen=True)
class ChordSlot:
    """A chord of the harmonisation: ``start_beat`` / ``duration_beats`` in beats from the
    start of the melody, ``roman`` relative to the key."""

    start_beat: float
    duration_beats: float
    chord: ChordSpec
    roman: str


@dataclass(frozen=True)
class Candidate:
    """A chord of the style's vocabulary with its harmonic function ("T", "S", "D" or "X" for
    a secondary dominant) and prior weight."""

    roman: str
    chord: ChordSpec
    function: str
    weight: float


def estimate_key(melody: list[NoteEvent]) -> tuple[int, Mode, float]:
    """Krumhansl-Schmuckler key of a melody: (tonic pitch class, mode, correlation -1..1),
    from its duration-weighted pitch-class histogram."""
    histogram = np.zeros(12)
    for note in melody:
        histogram[note.pitch % 12] += note.duration_beats
    if not histogram.any():
        return 0, "major", 0.0
    best = (0, "major", -2.0)
    for tonic in range(12):
        for mode, profile in (("major", _MAJOR_PROFILE), ("minor", _MINOR_PROFILE)):
            correlation = float(np.corrcoef(histogram, np.roll(profile, tonic))[0, 1])
            if correlation > best[2]:
                best = (tonic, mode, correlation)
    return best  # type: ignore[return-value]


def _function_of(roman: str) -> str:
    """Harmonic function of a roman numeral: tonic, subdominant, dominant, or secondary."""
    if "/" in roman:
        return "X"
    head = roman.lstrip("b#")
    numeral = "".join(ch for ch in head if ch in "IViv")
    upper = numeral.upper()
    if upper == "I" or (upper in ("VI", "III") and not roman.startswith("b")) or roman.startswith("bIII"):
        return "T"
    if upper in ("V", "VII") and not roman.startswith("bVII"):
        return "D"
    return "S"  # ii, IV, iv, bVI, bVII


def candidates_for(profile: StyleProfile, tonic_pc: int, mode: Mode) -> list[Candidate]:
    """The style's chord vocabulary resolved in the key (one entry per distinct chord)."""
    result: list[Candidate] = []
    seen: set[ChordSpec] = set()
    for roman, weight in profile.vocabulary[mode].items():
        chord = roman_to_chord(roman, tonic_pc, mode)
        if chord not in seen:
            seen.add(chord)
            result.append(Candidate(roman, chord, _function_of(roman), weight))
    return result


def _onset_weight(position_in_bar: float) -> float:
    """Metric weight of a note starting at ``position_in_bar`` beats: downbeat > beat 3 >
    other beats > 8th off-beats > 16ths."""
    if math.isclose(position_in_bar, 0.0, abs_tol=1e-6):
        return 1.5
    if math.isclose(position_in_bar, 2.0, abs_tol=1e-6):
        return 1.3
    if math.isclose(position_in_bar % 1.0, 0.0, abs_tol=1e-6):
        return 1.0
    if math.isclose(position_in_bar % 0.5, 0.0, abs_tol=1e-6):
        return 0.8
    return 0.6


def tone_fit(pitch_class: int, chord: ChordSpec) -> float:
    """How well a melody pitch class sits on ``chord`` (per beat of melody)."""
    interval = (pitch_class - chord.root_pc) % 12
    chord_intervals = [i % 12 for i in chord.intervals]
    if interval == 0:
        return _FIT_CHORD_ROOT
    if interval in chord_intervals[1:3]:
        return _FIT_CHORD_THIRD_FIFTH
    if interval in chord_intervals:
        return _FIT_CHORD_EXTENSION
    if (pitch_class - 1) % 12 in chord.tones:
        return _FIT_AVOID
    return _FIT_NON_CHORD


def slot_observations(melody: list[NoteEvent], n_slots: int, candidates: list[Candidate]) -> np.ndarray:
    """Score matrix [slot, candidate]: Σ over melody notes of ((beats sounding in the slot +
    NOTE_COUNT_BEATS for a note starting there) × metric weight of the onset × tone fit)."""
    scores = np.zeros((n_slots, len(candidates)))
    for note in melody:
        end = note.start_beat + note.duration_beats
        first_slot = int(note.start_beat // SLOT_BEATS)
        last_slot = min(int(math.ceil(end / SLOT_BEATS)), n_slots)
        for slot in range(max(first_slot, 0), last_slot):
            slot_start = slot * SLOT_BEATS
            overlap = min(end, slot_start + SLOT_BEATS) - max(note.start_beat, slot_start)
            if overlap <= 1e-9:
                continue
            starts_here = note.start_beat >= slot_start - 1e-9
            weight = _onset_weight(note.start_beat % BEATS_PER_BAR) if starts_here else 0.9
            for k, candidate in enumerate(candidates):
                fit = tone_fit(note.pitch % 12, candidate.chord)
                scores[slot, k] += (overlap + NOTE_COUNT_BEATS * starts_here) * weight * fit
    return scores


def _transition_matrix(candidates: list[Candidate]) -> np.ndarray:
    """Score [from, to] of moving between chords at a bar line."""
    size = len(candidates)
    matrix = np.zeros((size, size))
    for i, a in enumerate(candidates):
        for j, b in enumerate(candidates):
            if i == j:
                matrix[i, j] = _HOLD_ACROSS_BAR
                continue
            score = _FUNCTION_MOVES[(a.function, b.function)]
            if (b.chord.root_pc - a.chord.root_pc) % 12 == 5:
                score += 0.4  # root falls a fifth
            if a.function == "X":
                score = 1.0 if (b.chord.root_pc - a.chord.root_pc) % 12 == 5 else -1.0
            matrix[i, j] = _FUNCTION_SCALE * score
    return matrix


def harmonise(melody: list[NoteEvent], bars: int, tonic_pc: int, mode: Mode,
              profile: StyleProfile) -> list[ChordSlot]:
    """Chords for ``bars`` bars of 4/4 under ``melody`` (beats from the melody's first bar),
    in the style's vocabulary; at least one chord per bar, ending on the tonic when the
    melody allows. Works for any melody, including an empty one."""
    bars = max(bars, 1)
    candidates = candidates_for(profile, tonic_pc, mode)
    n_slots = bars * 2
    observation = slot_observations(melody, n_slots, candidates)
    observation += _PRIOR_SCALE * np.log([c.weight for c in candidates])[None, :]
    tonic_mask = np.array([c.chord.root_pc == tonic_pc and c.function == "T" for c in candidates])
    observation[-1] += np.where(tonic_mask, _FINAL_TONIC_BONUS, 0.0)
    for bar in range(3, bars - 1, 4):
        phrase_end_fit = np.array([c.function in ("T", "D") for c in candidates])
        observation[2 * bar + 1] += np.where(phrase_end_fit, _PHRASE_END_BONUS, 0.0)

    across_bar = _transition_matrix(candidates)
    change_cost = profile.half_bar_change_cost
    mid_bar = np.full_like(across_bar, -1e6 if change_cost is None else -change_cost)
    np.fill_diagonal(mid_bar, 0.0)
    cadence = np.zeros_like(across_bar)  # V–I / IV–I into the final chord
    for i, a in enumerate(candidates):
        cadence[i, tonic_mask] = 0.0 if tonic_mask[i] else _CADENCE_BONUS.get(a.function, 0.0)

    best = observation[0].copy()
    back = np.zeros((n_slots, len(candidates)), dtype=int)
    for slot in range(1, n_slots):
        moves = mid_bar if slot % 2 == 1 else across_bar
        if slot >= n_slots - 2:
            moves = moves + cadence
        total = best[:, None] + moves
        back[slot] = np.argmax(total, axis=0)
        best = total[back[slot], np.arange(len(candidates))] + observation[slot]
    path = [int(np.argmax(best))]
    for slot in range(n_slots - 1, 0, -1):
        path.append(int(back[slot, path[-1]]))
    path.reverse()

    slots: list[ChordSlot] = []
    for slot, k in enumerate(path):
        chord = candidates[k].chord
        start = slot * SLOT_BEATS
        if slot % 2 == 1 and slots and slots[-1].chord == chord:
            previous = slots[-1]
            slots[-1] = ChordSlot(previous.start_beat, previous.duration_beats + SLOT_BEATS, chord, previous.roman)
        else:
            slots.append(ChordSlot(start, SLOT_BEATS, chord, chord_to_roman(chord, tonic_pc, mode)))
    return slots


def slots_from_symbols(symbols_per_bar: list[list[ChordSpec]], tonic_pc: int, mode: Mode) -> list[ChordSlot]:
    """Chord slots from chords given per bar (1 chord = whole bar, 2 = half bars each;
    more are spread evenly)."""
    slots: list[ChordSlot] = []
    for bar, chords in enumerate(symbols_per_bar):
        length = BEATS_PER_BAR / len(chords)
        for index, chord in enumerate(chords):
            slots.append(ChordSlot(bar * BEATS_PER_BAR + index * length, length, chord,
                                   chord_to_roman(chord, tonic_pc, mode)))
    return slots
