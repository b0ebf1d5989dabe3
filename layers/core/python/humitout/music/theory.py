"""Music theory on pitch classes: scales, chords, chord symbols, roman numerals, voicings.

Pitch classes are ints 0-11 (0 = C); pitches are MIDI note numbers (60 = middle C).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from humitout.models import PITCH_CLASS_NAMES

Mode = Literal["major", "minor"]

SCALE_STEPS: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),  # natural minor; V and vii° come from harmonic minor
}

CHORD_INTERVALS: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dim": (0, 3, 6),
    "aug": (0, 4, 8),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "add9": (0, 4, 7, 14),
    "madd9": (0, 3, 7, 14),
    "7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
    "m7b5": (0, 3, 6, 10),
    "dim7": (0, 3, 6, 9),
    "6": (0, 4, 7, 9),
    "min6": (0, 3, 7, 9),
    "9": (0, 4, 7, 10, 14),
    "min9": (0, 3, 7, 10, 14),
    "maj9": (0, 4, 7, 11, 14),
}

SYMBOL_SUFFIX: dict[str, str] = {
    "maj": "", "min": "m", "dim": "dim", "aug": "aug", "sus2": "sus2", "sus4": "sus4",
    "add9": "add9", "madd9": "madd9", "7": "7", "maj7": "maj7", "min7": "m7", "m7b5": "m7b5",
    "dim7": "dim7", "6": "6", "min6": "m6", "9": "9", "min9": "m9", "maj9": "maj9",
}
_SUFFIX_TO_QUALITY = {suffix: quality for quality, suffix in SYMBOL_SUFFIX.items()}
_SUFFIX_ALIASES = {"M7": "maj7", "min": "min", "-": "min", "min7": "min7", "-7": "min7", "ø": "m7b5",
                   "ø7": "m7b5", "°": "dim", "o": "dim", "o7": "dim7", "°7": "dim7", "dom7": "7",
                   "Δ": "maj7", "Δ7": "maj7", "maj": "maj", "M": "maj", "sus": "sus4"}

_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ROMAN_DEGREE = {"I": 0, "II": 1, "III": 2, "IV": 3, "V": 4, "VI": 5, "VII": 6}
_DEGREE_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII")


@dataclass(frozen=True)
class ChordSpec:
    """A chord as pitch classes: ``root_pc`` 0-11, ``quality`` a key of CHORD_INTERVALS,
    ``bass_pc`` set for slash chords."""

    root_pc: int
    quality: str
    bass_pc: int | None = None

    @property
    def intervals(self) -> tuple[int, ...]:
        """Semitones above the root (may exceed 12 for 9ths)."""
        return CHORD_INTERVALS[self.quality]

    @property
    def tones(self) -> frozenset[int]:
        """The chord's pitch classes."""
        return frozenset((self.root_pc + i) % 12 for i in self.intervals)

    @property
    def symbol(self) -> str:
        """Lead-sheet symbol, e.g. "Am7", "G7/B"."""
        text = PITCH_CLASS_NAMES[self.root_pc] + SYMBOL_SUFFIX[self.quality]
        if self.bass_pc is not None and self.bass_pc != self.root_pc:
            text += "/" + PITCH_CLASS_NAMES[self.bass_pc]
        return text

    @property
    def is_minor(self) -> bool:
        return self.quality in {"min", "min7", "min6", "min9", "madd9", "m7b5", "dim", "dim7"}


def note_name_to_pc(name: str) -> int:
    """"C" → 0, "F#" → 6, "Bb" → 10 (accepts ♯/♭, several accidentals)."""
    name = name.strip().replace("♯", "#").replace("♭", "b")
    if not name or name[0].upper() not in _LETTER_PC:
        raise ValueError(f"not a note name: {name!r}")
    pc = _LETTER_PC[name[0].upper()]
    for accidental in name[1:]:
        if accidental == "#":
            pc += 1
        elif accidental == "b":
            pc -= 1
        else:
            raise ValueError(f"not a note name: {name!r}")
    return pc % 12


def midi_to_name(pitch: int) -> str:
    """60 → "C4"."""
    return f"{PITCH_CLASS_NAMES[pitch % 12]}{pitch // 12 - 1}"


_SYMBOL_RE = re.compile(r"^\s*([A-Ga-g](?:#|b|♯|♭)?)([^/\s]*)(?:/([A-Ga-g](?:#|b|♯|♭)?))?\s*$")


def parse_chord_symbol(symbol: str) -> ChordSpec:
    """Parse a lead-sheet symbol ("C", "F#m7", "Bbmaj7", "G7/B", "Dm7b5") into a ChordSpec.

    Raises ValueError for anything it does not understand.
    """
    match = _SYMBOL_RE.match(symbol)
    if not match:
        raise ValueError(f"not a chord symbol: {symbol!r}")
    root_text, suffix, bass_text = match.groups()
    root_pc = note_name_to_pc(root_text[0].upper() + root_text[1:])
    if suffix in _SUFFIX_TO_QUALITY:
        quality = _SUFFIX_TO_QUALITY[suffix]
    elif suffix in _SUFFIX_ALIASES:
        quality = _SUFFIX_ALIASES[suffix]
    else:
        raise ValueError(f"unknown chord quality in {symbol!r}")
    bass_pc = note_name_to_pc(bass_text[0].upper() + bass_text[1:]) if bass_text else None
    return ChordSpec(root_pc, quality, bass_pc)


def diatonic_chord(tonic_pc: int, mode: Mode, degree: int, *, seventh: bool = False) -> ChordSpec:
    """The chord stacked in thirds on scale ``degree`` (0 = tonic) of the key.

    In minor the dominant (degree 4) and leading-tone chord (degree 6) use the
    harmonic-minor leading tone, as in common practice.
    """
    steps = list(SCALE_STEPS[mode])
    if mode == "minor" and degree in (4, 6):
        steps[6] = 11
    root = steps[degree]
    stack = [steps[(degree + k) % 7] + 12 * ((degree + k) // 7) - root for k in (0, 2, 4, 6)]
    third, fifth, seventh_iv = stack[1], stack[2], stack[3]
    triad = {(4, 7): "maj", (3, 7): "min", (3, 6): "dim", (4, 8): "aug"}[(third, fifth)]
    if seventh:
        quality = {("maj", 11): "maj7", ("maj", 10): "7", ("min", 10): "min7", ("min", 11): "min7",
                   ("dim", 10): "m7b5", ("dim", 9): "dim7", ("aug", 11): "maj7"}[(triad, seventh_iv)]
    else:
        quality = triad
    return ChordSpec((tonic_pc + root) % 12, quality)


_ROMAN_RE = re.compile(r"^(b|#)?(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(°|ø|\+)?(maj7|7|sus2|sus4|add9|6|9)?$")


def roman_to_chord(roman: str, tonic_pc: int, mode: Mode) -> ChordSpec:
    """Resolve a roman numeral in the key: "V7", "ii", "bVII", "iv", "V7/vi", "viiø7", "Isus4".

    Upper case = major triad, lower case = minor, "°" diminished, "ø7" half-diminished;
    "b"/"#" alter the root relative to the major scale of the tonic (so "bVII" in C is Bb
    and "VI" in A minor is F); "/x" makes a secondary chord of degree x.
    """
    head, _, target = roman.partition("/")
    if target:
        target_chord = roman_to_chord(target, tonic_pc, mode)
        return roman_to_chord(head, target_chord.root_pc, "minor" if target_chord.is_minor else "major")
    match = _ROMAN_RE.match(head)
    if not match:
        raise ValueError(f"not a roman numeral: {roman!r}")
    accidental, numeral, alteration, extension = match.groups()
    degree = _ROMAN_DEGREE[numeral.upper()]
    scale = SCALE_STEPS[mode]
    # Without an accidental the root is the key's own scale degree; with one it is
    # altered from the major scale (the usual convention for borrowed chords).
    if accidental:
        root = SCALE_STEPS["major"][degree] + (-1 if accidental == "b" else 1)
    else:
        root = scale[degree]
        if mode == "minor" and numeral in ("VII", "vii") and alteration in ("°", "ø"):
            root = 11
    upper = numeral.isupper()
    if alteration == "°":
        quality = "dim7" if extension == "7" else "dim"
    elif alteration == "ø":
        quality = "m7b5"
    elif alteration == "+":
        quality = "aug"
    elif extension in ("sus2", "sus4"):
        quality = extension
    elif extension == "7":
        quality = "7" if upper else "min7"
    elif extension == "maj7":
        quality = "maj7"
    elif extension == "add9":
        quality = "add9" if upper else "madd9"
    elif extension == "6":
        quality = "6" if upper else "min6"
    elif extension == "9":
        quality = "9" if upper else "min9"
    else:
        quality = "maj" if upper else "min"
    return ChordSpec((tonic_pc + root) % 12, quality)


_ROMAN_SUFFIX = {"maj": "", "min": "", "dim": "°", "aug": "+", "sus2": "sus2", "sus4": "sus4",
                 "add9": "add9", "madd9": "add9", "7": "7", "maj7": "maj7", "min7": "7",
                 "m7b5": "ø7", "dim7": "°7", "6": "6", "min6": "6", "9": "9", "min9": "9", "maj9": "maj9"}


def chord_to_roman(chord: ChordSpec, tonic_pc: int, mode: Mode) -> str:
    """Roman numeral of ``chord`` in the key, e.g. "V7", "vi", "bVII", "V7/ii" (secondary
    dominants of diatonic targets are recognised)."""
    interval = (chord.root_pc - tonic_pc) % 12
    scale = SCALE_STEPS[mode]
    if chord.quality in ("7", "9") and interval != scale[4]:
        target_interval = (interval + 5) % 12
        if target_interval in scale and target_interval != 0:
            degree = scale.index(target_interval)
            target = diatonic_chord(tonic_pc, mode, degree)
            if target.quality in ("maj", "min"):
                return f"V{_ROMAN_SUFFIX[chord.quality]}/{chord_to_roman(target, tonic_pc, mode)}"
    if interval in scale:
        degree_name = _DEGREE_ROMAN[scale.index(interval)]
        accidental = ""
    else:
        major = SCALE_STEPS["major"]
        if (interval + 1) % 12 in major:
            accidental, degree_name = "b", _DEGREE_ROMAN[major.index((interval + 1) % 12)]
        else:
            accidental, degree_name = "#", _DEGREE_ROMAN[major.index((interval - 1) % 12)]
    numeral = degree_name.lower() if chord.is_minor else degree_name
    return accidental + numeral + _ROMAN_SUFFIX[chord.quality]


def close_voicing(chord: ChordSpec, center: float, previous: list[int] | None = None) -> list[int]:
    """A close-position voicing (all tones within an octave and a bit, ninths folded in)
    whose mean pitch is near ``center`` (MIDI); with ``previous`` it is the inversion
    that moves the voices least. Returns ascending MIDI numbers."""
    pcs = sorted({(chord.root_pc + i) % 12 for i in chord.intervals}, key=lambda pc: (pc - chord.root_pc) % 12)
    candidates: list[list[int]] = []
    for rotation in range(len(pcs)):
        order = pcs[rotation:] + pcs[:rotation]
        for base_octave in range(int(center) // 12 - 2, int(center) // 12 + 2):
            pitches = [order[0] + 12 * base_octave]
            for pc in order[1:]:
                pitch = pitches[-1] + 1
                while pitch % 12 != pc:
                    pitch += 1
                pitches.append(pitch)
            candidates.append(pitches)

    def cost(pitches: list[int]) -> float:
        mean = sum(pitches) / len(pitches)
        distance = abs(mean - center)
        if previous:
            movement = sum(min(abs(p - q) for q in previous) for p in pitches) / len(pitches)
            return movement + 0.5 * max(0.0, distance - 4.0)
        return distance

    return min(candidates, key=cost)


def bass_pitch(pc: int, low: int = 36, high: int = 52) -> int:
    """The pitch of pitch class ``pc`` inside the bass register [low, high) (MIDI)."""
    pitch = low + (pc - low) % 12
    return pitch if pitch < high else pitch - 12
