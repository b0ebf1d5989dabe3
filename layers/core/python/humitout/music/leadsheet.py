"""Lead sheet: the melody with chord symbols, lyrics and section marks, as MusicXML (music21)
and as an SVG for the page (verovio).

The melody is made monophonic, quantised to sixteenths, and written the way a musician
reads it:

* a note followed by a short gap is held to the next onset (a sung "detached quarter" is a
  quarter, not a dotted eighth and a sixteenth rest);
* durations are spelled by the beat: a note that starts off the beat is split (and tied)
  at the next beat unless it is the common eighth-quarter-eighth syncopation, and in 4/4 a
  note from beat 2 or 4 is split at the middle of the bar;
* music21 then splits at bar lines (ties), beams eighths and sixteenths by beat and spells
  accidentals in the key;
* the clef is the one of treble, treble-8vb (low and male voices) and bass that needs the
  fewest ledger lines for the melody.
"""
from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

import verovio
from music21 import clef, expressions, harmony, key, metadata, meter, note, pitch, stream, tempo, tie

from humitout.models import Arrangement, Chord
from humitout.music.midi import melody_notes, spread_lyrics

GRID_BEATS = 0.25
"""Quantisation grid (quarter-note beats): sixteenths."""
HOLD_GAP_BEATS = 0.5
"""Gaps up to this long (beats), and at most as long as the note, are held over by the note."""

# Staff edges (MIDI: bottom line, top line) and a small preference order on ties.
CLEFS = {
    "treble": (clef.TrebleClef, 64, 77, 0.0),
    "treble-8vb": (clef.Treble8vbClef, 52, 65, 0.3),
    "bass": (clef.BassClef, 43, 57, 0.6),
}
SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "D-", "D", "E-", "E", "F", "G-", "G", "A-", "A", "B-", "B")
SYMBOL_PATTERN = re.compile(r"^([A-G])([#b]?)([^/]*)(?:/([A-G])([#b]?))?$")
MUSIC21_SUFFIX = {"maj9": "M9", "maj7": "maj7", "min7b5": "m7b5", "hdim7": "m7b5"}
KIND_BY_QUALITY = {
    "maj": "major", "min": "minor", "7": "dominant-seventh", "maj7": "major-seventh",
    "min7": "minor-seventh", "dim": "diminished", "dim7": "diminished-seventh",
    "m7b5": "half-diminished-seventh", "aug": "augmented", "sus2": "suspended-second",
    "sus4": "suspended-fourth", "6": "major-sixth", "min6": "minor-sixth", "9": "dominant-ninth",
    "maj9": "major-ninth", "min9": "minor-ninth", "5": "power",
}
VEROVIO_OPTIONS = {
    "pageWidth": 1800, "pageHeight": 60000, "adjustPageHeight": True, "scale": 40,
    "breaks": "auto", "footer": "none", "header": "auto",
}


def choose_clef(pitches: list[int]) -> str:
    """The clef ("treble", "treble-8vb" or "bass") with the fewest ledger lines for ``pitches`` (MIDI)."""
    if not pitches:
        return "treble"

    def cost(name: str) -> float:
        _, low, high, preference = CLEFS[name]
        outside = sum(max(0, low - 2 - p) + max(0, p - high - 2) for p in pitches) / len(pitches)
        return outside / 1.75 + preference  # ~1.75 semitones per staff step

    return min(CLEFS, key=cost)


@cache
def scale_names(fifths: int) -> dict[int, str]:
    """Pitch class -> note name of the major scale of a key signature of ``fifths`` (music21
    realises a scale slowly, and a lead sheet spells every note in one key)."""
    return {p.pitchClass: p.name for p in key.KeySignature(fifths).getScale("major").pitches}


def spell(midi: int, fifths: int) -> pitch.Pitch:
    """``midi`` spelled for a key signature of ``fifths``: scale tones as the key has them,
    other notes with sharps in sharp keys, else flats (except F#, the common raised 4th)."""
    flats = fifths < 0 or (fifths == 0 and midi % 12 != 6)
    name = (FLAT_NAMES if flats else SHARP_NAMES)[midi % 12]
    name = scale_names(fifths).get(midi % 12, name)
    spelled = pitch.Pitch(name)
    spelled.octave = (midi - spelled.alter) // 12 - 1  # B#3 is MIDI 60 - octave from the letter
    return spelled


def _chord_symbol(chord: Chord) -> harmony.ChordSymbol:
    """A music21 chord symbol for ``chord`` (flats as music21's "-"; unknown suffixes by quality)."""
    match = SYMBOL_PATTERN.match(chord.symbol)
    if match:
        step, alter, suffix, bass_step, bass_alter = match.groups()
        root = step + alter.replace("b", "-")
        figure = root + MUSIC21_SUFFIX.get(suffix, suffix)
        if bass_step:
            figure += "/" + bass_step + (bass_alter or "").replace("b", "-")
        try:
            symbol = harmony.ChordSymbol(figure)
            symbol.figure = chord.symbol
            return symbol
        except Exception:  # music21 raises plain ValueError/HarmonyException for unknown suffixes
            pass
        return harmony.ChordSymbol(root=root, kind=KIND_BY_QUALITY.get(chord.quality, "major"),
                                   kindStr=suffix)
    return harmony.ChordSymbol(root="C", kind=KIND_BY_QUALITY.get(chord.quality, "major"), kindStr=chord.symbol)


def _events(arrangement: Arrangement, total_beats: float) -> list[tuple[float, float, int, str | None]]:
    """Monophonic melody on the grid: (start beat, duration beats, MIDI pitch, lyric), gaps held over."""
    notes = melody_notes(arrangement)
    lyric_by_note = dict(spread_lyrics(arrangement.lyrics, len(notes)))
    grid = 1 / GRID_BEATS
    events: list[list] = []
    for i, n in enumerate(notes):
        start = round(n.start_beat * grid) / grid
        end = max(start + GRID_BEATS, round((n.start_beat + n.duration_beats) * grid) / grid)
        if start >= total_beats:
            break
        if events and events[-1][0] == start:
            events.pop()  # two notes on one onset: keep the later (higher) one
        if events:
            events[-1][1] = min(events[-1][1], start)
        events.append([start, min(end, total_beats), n.pitch, lyric_by_note.get(i)])
    for current, following in zip(events, events[1:]):
        gap = following[0] - current[1]
        if 0 < gap <= min(HOLD_GAP_BEATS, current[1] - current[0]):
            current[1] = following[0]
    return [(s, e - s, p, lyric) for s, e, p, lyric in events]


def _split_by_beat(start: float, length: float, beats_per_bar: int, *, rest: bool = False,
                   beat_quarters: float = 1.0) -> list[float]:
    """Durations (quarter notes) that spell a note (or a ``rest``) of ``length`` from ``start`` so
    the beat (``beat_quarters`` long: 1.5, a dotted quarter, in 6/8) stays visible; in 4/4 a rest
    never crosses the middle of the bar unless it fills the bar. ``beats_per_bar`` is in quarters."""
    pieces: list[float] = []
    bar_start = start // beats_per_bar * beats_per_bar
    while length > 1e-9:
        position = start - bar_start
        bar_left = beats_per_bar - position
        piece = min(length, bar_left)
        off_beat = position % beat_quarters
        next_beat = position - off_beat + beat_quarters
        if off_beat > 1e-9 and position + piece > next_beat + 1e-9:
            syncopation = (beat_quarters == 1.0 and off_beat == 0.5 and piece == 2.0
                           and position + piece <= beats_per_bar)
            if not syncopation:
                piece = next_beat - position
        elif rest and beats_per_bar == 4 and beat_quarters == 1.0 and position < 2.0 < position + piece and piece != 4.0:
            piece = 2.0 - position
        elif (beats_per_bar == 4 and beat_quarters == 1.0 and position == 1.0 and position + piece > 2.0
              and piece != 2.0):
            piece = 1.0  # from beat 2 across the middle of the bar: a half note is fine, else tie at beat 3
        pieces.append(piece)
        start += piece
        length -= piece
        if start - bar_start >= beats_per_bar - 1e-9:
            bar_start += beats_per_bar
    return pieces


def build_score(arrangement: Arrangement) -> stream.Score:
    """The lead sheet as a music21 score: one part, one measure per bar, notation made."""
    ts = arrangement.time_signature
    beats_per_bar = ts.numerator * 4 // ts.denominator
    beat_quarters = ts.quarters_per_beat  # 1.5 in 6/8: notes are spelled by dotted-quarter beats
    notes = melody_notes(arrangement)
    last_end = max((n.start_beat + n.duration_beats for n in notes), default=0.0)
    bars = max(arrangement.total_bars, -int(-last_end // beats_per_bar))
    total = float(bars * beats_per_bar)
    events = _events(arrangement, total)

    part = stream.Part()
    part.partName = "Melody"
    chosen = choose_clef([p for _, _, p, _ in events])
    part.insert(0, CLEFS[chosen][0]())
    signature = key.Key(arrangement.key.tonic.replace("b", "-"), arrangement.key.mode)
    part.insert(0, signature)
    part.insert(0, meter.TimeSignature(f"{ts.numerator}/{ts.denominator}"))
    part.insert(0, tempo.MetronomeMark(number=arrangement.tempo_bpm, referent=note.Note(type="quarter")))

    cursor = 0.0
    for start, length, midi, lyric in events:
        if start > cursor:
            for piece in _split_by_beat(cursor, start - cursor, beats_per_bar, rest=True, beat_quarters=beat_quarters):
                part.insert(cursor, note.Rest(quarterLength=piece))
                cursor += piece
        pieces = _split_by_beat(start, length, beats_per_bar, beat_quarters=beat_quarters)
        for i, piece in enumerate(pieces):
            n = note.Note(spell(midi, signature.sharps), quarterLength=piece)
            if len(pieces) > 1:
                n.tie = tie.Tie("start" if i == 0 else "stop" if i == len(pieces) - 1 else "continue")
            if i == 0 and lyric:
                n.lyric = lyric
            part.insert(start, n)
            start += piece
        cursor = start
    if cursor < total:
        for piece in _split_by_beat(cursor, total - cursor, beats_per_bar, rest=True, beat_quarters=beat_quarters):
            part.insert(cursor, note.Rest(quarterLength=piece))
            cursor += piece
    for chord in arrangement.chords:
        if chord.start_beat < total:
            part.insert(chord.start_beat, _chord_symbol(chord))
    for section in arrangement.sections:
        part.insert(section.start_bar * beats_per_bar, expressions.RehearsalMark(section.name.title()))

    measures = part.makeMeasures()
    measures.makeTies(inPlace=True)
    measures.makeBeams(inPlace=True)
    measures.makeAccidentals(inPlace=True)
    score = stream.Score()
    score.metadata = metadata.Metadata()
    score.metadata.title = f"Hum It Out - {arrangement.style.value} in {arrangement.key.name}"
    score.metadata.composer = "you, humming"
    score.insert(0, measures)
    return score


def write_lead_sheet(arrangement: Arrangement, path: Path) -> Path:
    """Write the lead sheet to ``path`` as MusicXML (partwise, music21's exporter)."""
    build_score(arrangement).write("musicxml", fp=str(path))
    return path


def render_svg(musicxml: str, *, options: dict | None = None) -> tuple[str, str]:
    """Engrave MusicXML text with verovio on one tall page: (SVG text, verovio's warnings/errors log)."""
    verovio.enableLog(verovio.LOG_WARNING)
    # verovio keeps its default resource path per thread, so a toolkit made in Render's worker threads
    # cannot find its fonts: make it without loading them and load them from the package's data.
    toolkit = verovio.toolkit(False)
    toolkit.setResourcePath(str(resources.files("verovio") / "data"))
    toolkit.setOptions({**VEROVIO_OPTIONS, **(options or {})})
    if not toolkit.loadData(musicxml):
        raise ValueError(f"verovio could not read the lead sheet: {toolkit.getLog()}")
    return toolkit.renderToSVG(1), toolkit.getLog()


def write_lead_sheet_svg(musicxml_path: Path, svg_path: Path) -> Path:
    """Render the MusicXML at ``musicxml_path`` to an SVG for the page."""
    svg, _ = render_svg(Path(musicxml_path).read_text(encoding="utf-8"))
    Path(svg_path).write_text(svg, encoding="utf-8")
    return svg_path
