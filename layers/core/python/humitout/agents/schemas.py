"""The JSON each agent posts in the group chat, and the checks an LLM's reply must pass.

Every reply is a pydantic model; ``validate_reply`` parses an LLM's text (a JSON object,
optionally inside a ```json fence) and applies the musical checks that depend on the session.
"""
from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from humitout.models import NoteEvent, SongTempoBpm, Style
from humitout.music.harmony import (
    BEATS_PER_BAR,
    ChordSlot,
    bar_layouts,
    change_beats,
    slots_from_symbols,
)
from humitout.music.theory import Mode, note_name_to_pc, parse_chord_symbol

MIN_LLM_CHORD_TONE_RATIO = 0.5


class Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=600)


class AnalystReport(Reply):
    """MusicAnalyst: the key the arrangement uses."""

    tonic: str  # note name, e.g. "F#"
    mode: Mode

    @field_validator("tonic")
    @classmethod
    def _known_tonic(cls, value: str) -> str:
        note_name_to_pc(value)
        return value

    @property
    def tonic_pc(self) -> int:
        return note_name_to_pc(self.tonic)


class StyleChoice(Reply):
    """GenreSpecialist: the style and song tempo (BPM)."""

    style: Style
    tempo_bpm: SongTempoBpm


def meter_context(beats_per_bar: int) -> dict[str, int]:
    """The pydantic validation context that tells the reply models the song's meter."""
    return {"beats_per_bar": beats_per_bar}


def check_bar_chords(bars: list[list[str]], beats_per_bar: int = BEATS_PER_BAR) -> None:
    """Chords per bar as :func:`~humitout.music.harmony.bar_layouts` allows (4/4: 1, 2 or 4;
    3/4: 1, 2 or 3, and in 3/4 a change only on beat 3); raises ValueError."""
    layouts = bar_layouts(beats_per_bar)
    allowed = change_beats(beats_per_bar)
    counts = ", ".join(str(n) for n in sorted(layouts))
    for chords in bars:
        if len(chords) not in layouts:
            raise ValueError(f"each bar of {beats_per_bar}/4 needs {counts} chords")
        for symbol in chords:
            parse_chord_symbol(symbol)
        for index, beat in enumerate(layouts[len(chords)][1:], start=1):
            if chords[index] != chords[index - 1] and beat not in allowed:
                raise ValueError(f"in {beats_per_bar}/4 a chord may change inside a bar only on beat "
                                 + " or ".join(str(b + 1) for b in allowed))


class ChordProposal(Reply):
    """ChordComposer: chord symbols per verse bar (4/4: 1 = whole bar, 2 = half bars, 4 = one
    per beat; 3/4: 1 = whole bar, 2 = a change on beat 3, 3 = one per beat; a symbol repeated
    inside a bar is held). The meter comes from the validation context (:func:`meter_context`),
    4/4 without one."""

    bars: list[list[str]] = Field(min_length=1)

    @field_validator("bars")
    @classmethod
    def _parseable(cls, bars: list[list[str]], info: ValidationInfo) -> list[list[str]]:
        context = info.context if isinstance(info.context, dict) else {}
        check_bar_chords(bars, context.get("beats_per_bar", BEATS_PER_BAR))
        return bars

    def slots(self, tonic_pc: int, mode: Mode, beats_per_bar: int = BEATS_PER_BAR) -> list[ChordSlot]:
        return slots_from_symbols([[parse_chord_symbol(s) for s in bar] for bar in self.bars], tonic_pc, mode,
                                  beats_per_bar)


MiddleSection = Literal["verse", "pre-chorus", "chorus", "bridge"]


class ArrangementChoice(Reply):
    """ArrangementDirector: the song form (whole bars): intro bars, whether each verse and
    chorus plays a short hum more than once (``repeat_verse``), the bars the final tonic is
    held after the outro's cadence (``ending_bars``) and the ``sections`` between intro and
    outro in order (starting with a verse; empty = the rules choose them for the requested
    length)."""

    intro_bars: int = Field(ge=0, le=4)
    repeat_verse: bool
    ending_bars: int = Field(ge=1, le=2)
    sections: list[MiddleSection] = Field(default=[], max_length=12)

    @field_validator("sections")
    @classmethod
    def _starts_with_the_verse(cls, sections: list[str]) -> list[str]:
        if sections and sections[0] != "verse":
            raise ValueError("the song starts with the verse (the hum)")
        return sections


AgentName = Literal["MusicAnalyst", "GenreSpecialist", "ChordComposer", "ArrangementDirector"]
AGENT_ORDER: tuple[AgentName, ...] = ("MusicAnalyst", "GenreSpecialist", "ChordComposer", "ArrangementDirector")
REPLY_MODELS: dict[str, type[Reply]] = {
    "MusicAnalyst": AnalystReport,
    "GenreSpecialist": StyleChoice,
    "ChordComposer": ChordProposal,
    "ArrangementDirector": ArrangementChoice,
}


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def extract_json(text: str) -> dict:
    """The JSON object in an LLM reply (bare, or in a ```json fence, or the outermost {...})."""
    fenced = _FENCE.search(text)
    candidate = fenced.group(1) if fenced else text
    start, end = candidate.find("{"), candidate.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("no JSON object in the reply")
    value = json.loads(candidate[start:end + 1])
    if not isinstance(value, dict):
        raise ValueError("the reply is not a JSON object")
    return value


def chord_tone_ratio(melody: list[NoteEvent], slots: list[ChordSlot]) -> float:
    """Fraction of melody notes whose pitch class is in the chord sounding at their onset."""
    if not melody or not slots:
        return 1.0
    hits = 0
    for note in melody:
        chord = next((s.chord for s in reversed(slots) if s.start_beat <= note.start_beat + 1e-9), slots[0].chord)
        hits += note.pitch % 12 in chord.tones
    return hits / len(melody)


def check_style_choice(choice: StyleChoice, requested: Style | None) -> None:
    """The caller's style wins. (The tempo is checked against the hum's by the session: it must be
    the hum's tempo x 1, 2 or 1/2, whatever the style's usual range.)"""
    if requested is not None and choice.style != requested:
        raise ValueError(f"the caller asked for {requested.value}, not {choice.style.value}")


def check_chord_proposal(proposal: ChordProposal, melody: list[NoteEvent], verse_bars: int,
                         tonic_pc: int, mode: Mode, beats_per_bar: int = BEATS_PER_BAR) -> None:
    """One entry per verse bar, chords per bar as the meter allows, and the chords must carry
    the melody (chord-tone ratio)."""
    if len(proposal.bars) != verse_bars:
        raise ValueError(f"{len(proposal.bars)} bars of chords for a {verse_bars}-bar verse")
    check_bar_chords(proposal.bars, beats_per_bar)
    ratio = chord_tone_ratio(melody, proposal.slots(tonic_pc, mode, beats_per_bar))
    if ratio < MIN_LLM_CHORD_TONE_RATIO:
        raise ValueError(f"only {ratio:.0%} of the melody notes are chord tones")


def parse_reply(agent: str, text: str, beats_per_bar: int = BEATS_PER_BAR) -> Reply:
    """Parse and schema-validate ``agent``'s reply text in a song of ``beats_per_bar``/4
    (raises ValueError / ValidationError)."""
    return REPLY_MODELS[agent].model_validate(extract_json(text), context=meter_context(beats_per_bar))
