"""Deterministic melody harmoniser (MySong-style): per-slot chord scores from the melody,
Viterbi over a functional-harmony transition prior, cadence at phrase ends.

A slot is one beat. Each note scores the chords by its duration and the metric weight of its
onset (passing and neighbour tones clash at a discount); a chord change costs nothing at a bar
line; in 4/4 the style's ``half_bar_change_cost`` at mid-bar and its ``beat_change_cost`` on
beat 2 or 4, in 3/4 a change on beat 3 costs the style's ``beat_change_cost`` (its
``half_bar_change_cost`` when it has none) and beat 2 never changes, so chords change inside
a bar only where the melody clearly asks for it. The meter is ``beats_per_bar`` (4 or 3
quarter-note beats; 4 by default). Phrase ends
(long notes, notes before a rest) favour dominant or tonic chords. Times are in beats
(quarter notes); pitches are MIDI numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from humitout.audio.key import blended_key_scores
from humitout.models import NoteEvent
from humitout.music.styles import StyleProfile
from humitout.music.theory import ChordSpec, Mode, chord_to_roman, roman_to_chord

BEATS_PER_BAR = 4  # the default meter (4/4); 3 for 3/4
SUPPORTED_BEATS_PER_BAR = (4, 3)
SLOT_BEATS = 1.0  # the Viterbi decides a chord per beat

# Score of one beat of melody by its pitch's role in the chord.
_FIT_CHORD_ROOT = 1.0
_FIT_CHORD_THIRD_FIFTH = 1.0
_FIT_CHORD_EXTENSION = 0.6
_FIT_NON_CHORD = -1.0
_FIT_AVOID = -1.2  # a semitone above a chord tone (e.g. F over C major)

NOTE_COUNT_BEATS = 1.0  # each note onset counts as this many extra beats of melody
EMBELLISHMENT_PENALTY_SHARE = 0.3
_HELD_WEIGHT = 0.9  # metric weight of a note held over from an earlier beat
_FORBIDDEN = -1e6
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


def strong_mid_beat(beats_per_bar: int = BEATS_PER_BAR) -> int | None:
    """The secondary strong beat of the bar (0-based): beat 3 of 4/4; none in 3/4."""
    return beats_per_bar // 2 if beats_per_bar % 2 == 0 and beats_per_bar > 2 else None


def bar_layouts(beats_per_bar: int = BEATS_PER_BAR) -> dict[int, tuple[int, ...]]:
    """Chords per bar → their start beats in the bar (0-based): 4/4 takes 1 (whole bar), 2
    (half bars) or 4 (one per beat); 3/4 takes 1, 2 (a change on beat 3) or 3 (one per beat,
    a change only on beat 3, see :func:`change_beats`)."""
    if beats_per_bar == 3:
        return {1: (0,), 2: (0, 2), 3: (0, 1, 2)}
    return {1: (0,), 2: (0, beats_per_bar // 2), beats_per_bar: tuple(range(beats_per_bar))}


def change_beats(beats_per_bar: int = BEATS_PER_BAR) -> tuple[int, ...]:
    """The beats (0-based) inside a bar where a chord may change: any beat in 4/4, beat 3 only in 3/4."""
    return (2,) if beats_per_bar == 3 else tuple(range(1, beats_per_bar))


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


def estimate_key(melody: list[NoteEvent], beats_per_bar: int = BEATS_PER_BAR) -> tuple[int, Mode, float]:
    """The key of a quantised melody: (tonic pitch class, mode, confidence 0..1).

    The same Temperley + Aarden-Essen profile correlation as the Transcribe stage's
    detector (:mod:`humitout.audio.key`), on a pitch-class histogram weighted by duration
    (capped at 2 beats) × metric weight of the onset, which the detector cannot know; the
    confidence is the margin over the runner-up mapped as the detector maps it."""
    histogram = np.zeros(12)
    for note in melody:
        histogram[note.pitch % 12] += min(note.duration_beats, 2.0) * _onset_weight(note.start_beat % beats_per_bar,
                                                                                        beats_per_bar)
    if np.count_nonzero(histogram) < 2:
        return (melody[-1].pitch % 12 if melody else 0), "major", 0.0
    scores = blended_key_scores(histogram)
    order = np.argsort(scores.ravel())[::-1]
    mode, tonic = divmod(int(order[0]), 12)
    margin = float(scores.ravel()[order[0]] - scores.ravel()[order[1]])
    return tonic, ("major", "minor")[mode], float(np.clip(margin / 0.2, 0.0, 1.0))  # type: ignore[return-value]


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


def _onset_weight(position_in_bar: float, beats_per_bar: int = BEATS_PER_BAR) -> float:
    """Metric weight of a note starting at ``position_in_bar`` beats: downbeat > beat 3 (of
    4/4) > other beats > 8th off-beats > 16ths."""
    mid = strong_mid_beat(beats_per_bar)
    if math.isclose(position_in_bar, 0.0, abs_tol=1e-6):
        return 1.5
    if mid is not None and math.isclose(position_in_bar, float(mid), abs_tol=1e-6):
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


def embellishing(melody: list[NoteEvent]) -> list[bool]:
    """Which notes are probably embellishments rather than structural tones: passing and
    neighbour tones (approached and left by step, <= 2 semitones), shorter than a beat, not on
    a beat and no longer than the note they lead to. A clash of such a note with the chord
    costs only ``EMBELLISHMENT_PENALTY_SHARE`` of the usual penalty."""
    flags = []
    for i, note in enumerate(melody):
        if i == 0 or i + 1 >= len(melody):
            flags.append(False)
            continue
        before, after = melody[i - 1], melody[i + 1]
        stepwise = 0 < abs(note.pitch - before.pitch) <= 2 and 0 < abs(after.pitch - note.pitch) <= 2
        joined = (math.isclose(before.start_beat + before.duration_beats, note.start_beat, abs_tol=0.26)
                  and math.isclose(note.start_beat + note.duration_beats, after.start_beat, abs_tol=0.26))
        off_beat = not math.isclose(note.start_beat % 1.0, 0.0, abs_tol=1e-6)
        weak = off_beat and note.duration_beats < 1.0 - 1e-9 and note.duration_beats <= after.duration_beats + 1e-9
        flags.append(stepwise and joined and weak)
    return flags


def slot_observations(melody: list[NoteEvent], n_slots: int, candidates: list[Candidate],
                      beats_per_bar: int = BEATS_PER_BAR) -> np.ndarray:
    """Score matrix [beat slot, candidate]: Σ over melody notes of ((beats sounding in the slot
    + NOTE_COUNT_BEATS for a note starting there) × metric weight of the onset × tone fit),
    with the clash of an embellishing note (see :func:`embellishing`) discounted."""
    scores = np.zeros((n_slots, len(candidates)))
    fits = np.array([[tone_fit(pc, c.chord) for c in candidates] for pc in range(12)])
    for note, ornament in zip(melody, embellishing(melody)):
        fit = fits[note.pitch % 12]
        if ornament:
            fit = np.where(fit < 0, EMBELLISHMENT_PENALTY_SHARE * fit, fit)
        end = note.start_beat + note.duration_beats
        first_slot = int(note.start_beat // SLOT_BEATS)
        last_slot = min(int(math.ceil(end / SLOT_BEATS - 1e-9)), n_slots)
        for slot in range(max(first_slot, 0), last_slot):
            slot_start = slot * SLOT_BEATS
            overlap = min(end, slot_start + SLOT_BEATS) - max(note.start_beat, slot_start)
            if overlap <= 1e-9:
                continue
            starts_here = note.start_beat >= slot_start - 1e-9
            weight = _onset_weight(note.start_beat % beats_per_bar, beats_per_bar) if starts_here else _HELD_WEIGHT
            scores[slot] += (overlap + NOTE_COUNT_BEATS * starts_here) * weight * fit
    return scores


def phrase_end_beats(melody: list[NoteEvent]) -> list[float]:
    """Onset beats of the notes that end a phrase: followed by a rest of at least a beat, or
    at least twice as long as the melody's median note and a beat or more (the last note is
    not included)."""
    if len(melody) < 2:
        return []
    median = float(np.median([n.duration_beats for n in melody]))
    ends = []
    for note, after in zip(melody, melody[1:]):
        rest = after.start_beat - (note.start_beat + note.duration_beats)
        long = note.duration_beats >= max(2.0 * median, 1.0) - 1e-9
        if rest >= 1.0 - 1e-9 or (long and note.duration_beats >= after.duration_beats):
            ends.append(note.start_beat)
    return ends


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


def _inside_bar(across_bar: np.ndarray, cost: float | None) -> np.ndarray:
    """Moves inside a bar: holding is free, a change costs ``cost`` on top of the functional
    prior (None: no change allowed)."""
    if cost is None:
        moves = np.full_like(across_bar, _FORBIDDEN)
    else:
        moves = across_bar - cost
    np.fill_diagonal(moves, 0.0)
    return moves


def _moves_in_bar(across_bar: np.ndarray, profile: StyleProfile,
                  beats_per_bar: int) -> dict[int, np.ndarray]:
    """Transition scores into each beat of the bar (0 = the bar line)."""
    moves = {0: across_bar}
    mid = strong_mid_beat(beats_per_bar)
    allowed = change_beats(beats_per_bar)
    if beats_per_bar == 3:  # waltz: beat 3 is the only place for a change, and a costly one
        beat_three = profile.beat_change_cost if profile.beat_change_cost is not None else profile.half_bar_change_cost
    for beat in range(1, beats_per_bar):
        if beat not in allowed:
            cost = None
        elif beat == mid:
            cost = profile.half_bar_change_cost
        elif beats_per_bar == 3:
            cost = beat_three
        else:
            cost = profile.beat_change_cost
        moves[beat] = _inside_bar(across_bar, cost)
    return moves


def harmonise(melody: list[NoteEvent], bars: int, tonic_pc: int, mode: Mode,
              profile: StyleProfile, beats_per_bar: int = BEATS_PER_BAR, *,
              avoid: list[ChordSlot] | None = None, avoid_cost: float = 0.6,
              variation: float = 0.0, seed: int = 0) -> list[ChordSlot]:
    """Chords for ``bars`` bars of ``beats_per_bar``/4 (4/4 or 3/4) under ``melody`` (beats
    from the melody's first bar), in the style's vocabulary; at least one chord per bar, a
    change inside the bar (4/4: mid-bar or beat 2/4; 3/4: beat 3 only) only where the melody
    outweighs the style's change cost, cadences (dominant or tonic) at the melody's phrase
    ends, ending on the tonic when the melody allows. Works for any melody, including an
    empty one.

    A reharmonisation (a chorus over the verse's melody): ``avoid`` (slots in the same beats)
    costs its chord ``avoid_cost`` per beat outside the last bar, so another chord is taken
    where the melody fits it nearly as well; ``variation`` is the standard deviation of a
    random score (per bar and chord, from ``seed``) that lets different seeds choose
    differently among near-equal chords."""
    bars = max(bars, 1)
    slots_per_bar = beats_per_bar  # a slot is a beat (SLOT_BEATS)
    candidates = candidates_for(profile, tonic_pc, mode)
    n_slots = bars * slots_per_bar
    observation = slot_observations(melody, n_slots, candidates, beats_per_bar)
    observation += _PRIOR_SCALE * np.log([c.weight for c in candidates])[None, :]
    if avoid:
        for slot in range((bars - 1) * slots_per_bar):
            sounding = next((s for s in reversed(avoid) if s.start_beat <= slot * SLOT_BEATS + 1e-9), avoid[0])
            observation[slot] -= np.array([avoid_cost if c.chord == sounding.chord else 0.0 for c in candidates])
    if variation > 0.0:
        per_bar = np.random.default_rng(seed).normal(0.0, variation, (bars, len(candidates)))
        observation += np.repeat(per_bar, slots_per_bar, axis=0) / slots_per_bar
    tonic_mask = np.array([c.chord.root_pc == tonic_pc and c.function == "T" for c in candidates])
    final_slot = (bars - 1) * slots_per_bar
    observation[final_slot:] += np.where(tonic_mask, _FINAL_TONIC_BONUS / slots_per_bar, 0.0)
    phrase_end_fit = np.array([c.function in ("T", "D") for c in candidates])
    for beat in phrase_end_beats(melody):
        slot = int(beat // SLOT_BEATS)
        if slot < final_slot:
            observation[slot] += np.where(phrase_end_fit, _PHRASE_END_BONUS, 0.0)

    across_bar = _transition_matrix(candidates)
    at_position = _moves_in_bar(across_bar, profile, beats_per_bar)
    cadence = np.zeros_like(across_bar)  # V–I / IV–I into the final chord
    for i, a in enumerate(candidates):
        cadence[i, tonic_mask] = 0.0 if tonic_mask[i] else _CADENCE_BONUS.get(a.function, 0.0)

    best = observation[0].copy()
    back = np.zeros((n_slots, len(candidates)), dtype=int)
    for slot in range(1, n_slots):
        moves = at_position[slot % slots_per_bar]
        if slot >= final_slot - slots_per_bar // 2:
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
        if slot % slots_per_bar and slots and slots[-1].chord == chord:
            previous = slots[-1]
            slots[-1] = ChordSlot(previous.start_beat, previous.duration_beats + SLOT_BEATS, chord, previous.roman)
        else:
            slots.append(ChordSlot(start, SLOT_BEATS, chord, chord_to_roman(chord, tonic_pc, mode)))
    return slots


def slots_from_symbols(symbols_per_bar: list[list[ChordSpec]], tonic_pc: int, mode: Mode,
                       beats_per_bar: int = BEATS_PER_BAR) -> list[ChordSlot]:
    """Chord slots from chords given per bar, laid out by :func:`bar_layouts` (4/4: 1 chord =
    whole bar, 2 = half bars each, 4 = one per beat; 3/4: 1, 2 = beats 1-2 and beat 3, 3 = one
    per beat; other counts are spread evenly); a chord repeated inside a bar is held."""
    layouts = bar_layouts(beats_per_bar)
    slots: list[ChordSlot] = []
    for bar, chords in enumerate(symbols_per_bar):
        starts = layouts.get(len(chords)) or tuple(i * beats_per_bar / len(chords) for i in range(len(chords)))
        ends = starts[1:] + (beats_per_bar,)
        for index, chord in enumerate(chords):
            length = float(ends[index] - starts[index])
            if index and slots[-1].chord == chord:
                held = slots[-1]
                slots[-1] = ChordSlot(held.start_beat, held.duration_beats + length, chord, held.roman)
                continue
            slots.append(ChordSlot(float(bar * beats_per_bar + starts[index]), length, chord,
                                   chord_to_roman(chord, tonic_pc, mode)))
    return slots


def symbols_per_bar(slots: list[ChordSlot], bars: int, beats_per_bar: int = BEATS_PER_BAR) -> list[list[str]]:
    """The inverse of :func:`slots_from_symbols` for slots on a beat grid: per bar one symbol
    (one chord), two (4/4: a change at mid-bar only; 3/4: a change on beat 3) or one per beat
    (repeats held)."""
    two = bar_layouts(beats_per_bar)[2]
    per_bar: list[list[str]] = []
    for bar in range(bars):
        beats = [next((s for s in reversed(slots) if s.start_beat <= bar * beats_per_bar + b + 1e-9), slots[0])
                 .chord.symbol for b in range(beats_per_bar)]
        if len(set(beats)) == 1:
            per_bar.append(beats[:1])
        elif len(set(beats[:two[1]])) == 1 and len(set(beats[two[1]:])) == 1:
            per_bar.append([beats[0], beats[two[1]]])
        else:
            per_bar.append(beats)
    return per_bar
