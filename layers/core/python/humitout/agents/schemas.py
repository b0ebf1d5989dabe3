"""The JSON each agent posts in the group chat, and the checks an LLM's reply must pass.

Every reply is a pydantic model; ``validate_reply`` parses an LLM's text (a JSON object,
optionally inside a ```json fence) and applies the musical checks that depend on the session.
"""
from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from humitout.models import NoteEvent, Style
from humitout.music.harmony import ChordSlot, slots_from_symbols
from humitout.music.styles import profile
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
    tempo_bpm: float = Field(gt=40.0, lt=240.0)


class ChordProposal(Reply):
    """ChordComposer: chord symbols per verse bar (1 = whole bar, 2 = half bars, 4 = one per
    beat; a symbol repeated inside a bar is held)."""

    bars: list[list[str]] = Field(min_length=1)

    @field_validator("bars")
    @classmethod
    def _parseable(cls, bars: list[list[str]]) -> list[list[str]]:
        for chords in bars:
            if len(chords) not in (1, 2, 4):
                raise ValueError("each bar needs 1, 2 or 4 chords")
            for symbol in chords:
                parse_chord_symbol(symbol)
        return bars

    def slots(self, tonic_pc: int, mode: Mode) -> list[ChordSlot]:
        return slots_from_symbols([[parse_chord_symbol(s) for s in bar] for bar in self.bars], tonic_pc, mode)


class ArrangementChoice(Reply):
    """ArrangementDirector: the song form around the verse (whole bars)."""

    intro_bars: int = Field(ge=0, le=4)
    repeat_verse: bool
    ending_bars: int = Field(ge=1, le=2)


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
    """The caller's style wins; the tempo must lie in the style's range."""
    if requested is not None and choice.style != requested:
        raise ValueError(f"the caller asked for {requested.value}, not {choice.style.value}")
    low, high = profile(choice.style).tempo_range_bpm
    if not low <= choice.tempo_bpm <= high:
        raise ValueError(f"tempo {choice.tempo_bpm} is outside {choice.style.value}'s {low:.0f}-{high:.0f} BPM")


def check_chord_proposal(proposal: ChordProposal, melody: list[NoteEvent], verse_bars: int,
                         tonic_pc: int, mode: Mode) -> None:
    """One entry per verse bar, and the chords must carry the melody (chord-tone ratio)."""
    if len(proposal.bars) != verse_bars:
        raise ValueError(f"{len(proposal.bars)} bars of chords for a {verse_bars}-bar verse")
    ratio = chord_tone_ratio(melody, proposal.slots(tonic_pc, mode))
    if ratio < MIN_LLM_CHORD_TONE_RATIO:
        raise ValueError(f"only {ratio:.0%} of the melody notes are chord tones")


def parse_reply(agent: str, text: str) -> Reply:
    """Parse and schema-validate ``agent``'s reply text (raises ValueError / ValidationError)."""
    return REPLY_MODELS[agent].model_validate(extract_json(text))
