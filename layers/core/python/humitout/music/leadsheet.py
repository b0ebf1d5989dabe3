"""Lead sheet as MusicXML 4.0 (score-partwise): the melody, chord symbols and lyrics.

The melody is made monophonic and quantised to sixteenth notes
(:data:`DIVISIONS` per quarter note); notes that cross a bar line or a chord
change are split and tied so every ``<harmony>`` sits before the note it
starts on. Written with the standard library only.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from humitout.models import Arrangement, Chord
from humitout.music.midi import melody_notes, spread_lyrics

DIVISIONS = 4
"""MusicXML divisions per quarter note (a sixteenth note is 1)."""

DOCTYPE = (
    '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
    '"http://www.musicxml.org/dtds/partwise.dtd">'
)

# Note values in divisions, longest first: (duration, type, dots).
NOTE_VALUES = [
    (16, "whole", 0), (12, "half", 1), (8, "half", 0), (6, "quarter", 1),
    (4, "quarter", 0), (3, "eighth", 1), (2, "eighth", 0), (1, "16th", 0),
]

SHARP_SPELLING = [("C", 0), ("C", 1), ("D", 0), ("D", 1), ("E", 0), ("F", 0),
                  ("F", 1), ("G", 0), ("G", 1), ("A", 0), ("A", 1), ("B", 0)]
FLAT_SPELLING = [("C", 0), ("D", -1), ("D", 0), ("E", -1), ("E", 0), ("F", 0),
                 ("G", -1), ("G", 0), ("A", -1), ("A", 0), ("B", -1), ("B", 0)]
MAJOR_KEY_FIFTHS = {0: 0, 7: 1, 2: 2, 9: 3, 4: 4, 11: 5, 6: 6, 1: -5, 8: -4, 3: -3, 10: -2, 5: -1}

HARMONY_KIND = {
    "maj": "major", "min": "minor", "7": "dominant", "maj7": "major-seventh",
    "min7": "minor-seventh", "dim": "diminished", "dim7": "diminished-seventh",
    "m7b5": "half-diminished", "min7b5": "half-diminished", "hdim7": "half-diminished",
    "aug": "augmented", "sus2": "suspended-second", "sus4": "suspended-fourth",
    "6": "major-sixth", "min6": "minor-sixth", "9": "dominant-ninth", "maj9": "major-ninth",
    "min9": "minor-ninth", "5": "power",
}
SYMBOL_PATTERN = re.compile(r"^([A-G])([#b]?)([^/]*)(?:/([A-G])([#b]?))?$")
ALTER = {"": 0, "#": 1, "b": -1}


@dataclass
class _Event:
    """A note (``pitch`` MIDI number) or rest (``pitch`` None) from ``start`` to ``end`` in divisions."""

    start: int
    end: int
    pitch: int | None
    lyric: str | None = None


def key_fifths(tonic_pc: int, mode: str) -> int:
    """Sharps (> 0) or flats (< 0) in the key signature of ``tonic_pc`` major/minor."""
    return MAJOR_KEY_FIFTHS[(tonic_pc + (3 if mode == "minor" else 0)) % 12]


def _melody_events(arrangement: Arrangement, total: int) -> list[_Event]:
    """Monophonic, quantised melody with rests filling the gaps, covering [0, total) divisions."""
    notes = melody_notes(arrangement)
    lyric_by_note = dict(spread_lyrics(arrangement.lyrics, len(notes)))
    quantised: list[_Event] = []
    for i, note in enumerate(notes):
        start = round(note.start_beat * DIVISIONS)
        end = max(start + 1, round((note.start_beat + note.duration_beats) * DIVISIONS))
        if quantised and quantised[-1].start == start:
            quantised.pop()  # two notes on one onset: keep the later (higher) one
        if quantised:
            quantised[-1].end = min(quantised[-1].end, start)
        quantised.append(_Event(start, min(end, total), note.pitch, lyric_by_note.get(i)))
    events: list[_Event] = []
    cursor = 0
    for event in quantised:
        if event.start >= total:
            break
        if event.start > cursor:
            events.append(_Event(cursor, event.start, None))
        events.append(event)
        cursor = event.end
    if cursor < total:
        events.append(_Event(cursor, total, None))
    return events


def _split_note_values(length: int) -> list[tuple[int, str, int]]:
    """Standard note values (duration, type, dots) adding up to ``length`` divisions."""
    values = []
    for duration, type_name, dots in NOTE_VALUES:
        while length >= duration:
            values.append((duration, type_name, dots))
            length -= duration
    return values


def _harmony(chord: Chord, flats: bool) -> ET.Element:
    harmony = ET.Element("harmony")
    match = SYMBOL_PATTERN.match(chord.symbol)
    if match:
        step, alter, suffix, bass_step, bass_alter = match.groups()
    else:
        step, alter_n = (FLAT_SPELLING if flats else SHARP_SPELLING)[chord.root_pc]
        alter, suffix, bass_step, bass_alter = {-1: "b", 0: "", 1: "#"}[alter_n], chord.symbol, None, None
    root = ET.SubElement(harmony, "root")
    ET.SubElement(root, "root-step").text = step
    if ALTER[alter]:
        ET.SubElement(root, "root-alter").text = str(ALTER[alter])
    ET.SubElement(harmony, "kind", text=suffix).text = HARMONY_KIND.get(chord.quality, "other")
    if bass_step:
        bass = ET.SubElement(harmony, "bass")
        ET.SubElement(bass, "bass-step").text = bass_step
        if ALTER[bass_alter or ""]:
            ET.SubElement(bass, "bass-alter").text = str(ALTER[bass_alter])
    return harmony


def _note(length: int, type_name: str, dots: int, pitch: int | None, flats: bool,
          tie_stop: bool, tie_start: bool, lyric: str | None) -> ET.Element:
    note = ET.Element("note")
    if pitch is None:
        ET.SubElement(note, "rest")
    else:
        step, alter = (FLAT_SPELLING if flats else SHARP_SPELLING)[pitch % 12]
        pitch_el = ET.SubElement(note, "pitch")
        ET.SubElement(pitch_el, "step").text = step
        if alter:
            ET.SubElement(pitch_el, "alter").text = str(alter)
        ET.SubElement(pitch_el, "octave").text = str(pitch // 12 - 1)
    ET.SubElement(note, "duration").text = str(length)
    ties = [kind for kind, on in (("stop", tie_stop), ("start", tie_start)) if on]
    for kind in ties:
        ET.SubElement(note, "tie", type=kind)
    ET.SubElement(note, "voice").text = "1"
    ET.SubElement(note, "type").text = type_name
    for _ in range(dots):
        ET.SubElement(note, "dot")
    if ties:
        notations = ET.SubElement(note, "notations")
        for kind in ties:
            ET.SubElement(notations, "tied", type=kind)
    if lyric:
        lyric_el = ET.SubElement(note, "lyric", number="1")
        ET.SubElement(lyric_el, "syllabic").text = "single"
        ET.SubElement(lyric_el, "text").text = lyric
    return note


def build_lead_sheet(arrangement: Arrangement) -> ET.ElementTree:
    """The lead sheet as a MusicXML ``score-partwise`` tree (one part, one measure per bar)."""
    ts = arrangement.time_signature
    measure_len = ts.numerator * 4 * DIVISIONS // ts.denominator
    notes = melody_notes(arrangement)
    last_note_end = max((round((n.start_beat + n.duration_beats) * DIVISIONS) for n in notes), default=0)
    measure_count = max(arrangement.total_bars, -(-last_note_end // measure_len))
    total = measure_count * measure_len
    fifths = key_fifths(arrangement.key.tonic_pc, arrangement.key.mode)
    flats = fifths < 0

    chord_at = {round(c.start_beat * DIVISIONS): c for c in arrangement.chords}
    section_at = {s.start_bar * measure_len: s.name for s in arrangement.sections}
    cuts = sorted({*range(0, total, measure_len), *chord_at, total})

    score = ET.Element("score-partwise", version="4.0")
    work = ET.SubElement(score, "work")
    ET.SubElement(work, "work-title").text = f"Hum It Out - {arrangement.style.value} in {arrangement.key.name}"
    encoding = ET.SubElement(ET.SubElement(score, "identification"), "encoding")
    ET.SubElement(encoding, "software").text = "Hum It Out"
    score_part = ET.SubElement(ET.SubElement(score, "part-list"), "score-part", id="P1")
    ET.SubElement(score_part, "part-name").text = "Melody"
    part = ET.SubElement(score, "part", id="P1")

    measures = [ET.SubElement(part, "measure", number=str(i + 1)) for i in range(measure_count)]
    attributes = ET.SubElement(measures[0], "attributes")
    ET.SubElement(attributes, "divisions").text = str(DIVISIONS)
    key = ET.SubElement(attributes, "key")
    ET.SubElement(key, "fifths").text = str(fifths)
    ET.SubElement(key, "mode").text = arrangement.key.mode
    time = ET.SubElement(attributes, "time")
    ET.SubElement(time, "beats").text = str(ts.numerator)
    ET.SubElement(time, "beat-type").text = str(ts.denominator)
    clef = ET.SubElement(attributes, "clef")
    ET.SubElement(clef, "sign").text = "G"
    ET.SubElement(clef, "line").text = "2"
    direction = ET.SubElement(measures[0], "direction", placement="above")
    metronome = ET.SubElement(ET.SubElement(direction, "direction-type"), "metronome")
    ET.SubElement(metronome, "beat-unit").text = "quarter"
    ET.SubElement(metronome, "per-minute").text = f"{arrangement.tempo_bpm:g}"
    ET.SubElement(direction, "sound", tempo=f"{arrangement.tempo_bpm:g}")

    for event in _melody_events(arrangement, total):
        pieces = [c for c in cuts if event.start <= c < event.end] + [event.end]
        if pieces[0] != event.start:
            pieces.insert(0, event.start)
        for i, (start, end) in enumerate(zip(pieces, pieces[1:])):
            measure = measures[start // measure_len]
            if start in section_at:
                rehearsal = ET.SubElement(measure, "direction", placement="above")
                ET.SubElement(ET.SubElement(rehearsal, "direction-type"), "rehearsal").text = section_at[start].title()
            if start in chord_at:
                measure.append(_harmony(chord_at[start], flats))
            values = _split_note_values(end - start)
            for j, (length, type_name, dots) in enumerate(values):
                first = i == 0 and j == 0
                last = i == len(pieces) - 2 and j == len(values) - 1
                is_note = event.pitch is not None
                measure.append(_note(length, type_name, dots, event.pitch, flats,
                                     tie_stop=is_note and not first, tie_start=is_note and not last,
                                     lyric=event.lyric if first else None))
    ET.indent(score)
    return ET.ElementTree(score)


def write_lead_sheet(arrangement: Arrangement, path: Path) -> Path:
    """Write the lead sheet to ``path`` (UTF-8, with the MusicXML partwise DOCTYPE)."""
    body = ET.tostring(build_lead_sheet(arrangement).getroot(), encoding="unicode")
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n{body}\n', encoding="utf-8")
    return path
