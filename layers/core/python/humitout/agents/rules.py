"""The agents' deterministic replies (no LLM): music theory on the session's hum.

Each function takes the session and the decisions already posted in the chat and returns
that agent's reply model; ``check_reply`` applies the same session-aware checks to an LLM's
reply so that it is held to what the rules guarantee.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from humitout.agents.schemas import (
    AnalystReport,
    ArrangementChoice,
    ChordProposal,
    Reply,
    StyleChoice,
    check_chord_proposal,
    check_style_choice,
    meter_context,
)
from humitout.models import PITCH_CLASS_NAMES, Analysis, Key, NoteEvent, SongLength, Style
from humitout.music.arrangement import (
    SONG_LENGTHS_S,
    Form,
    hum_copies_for,
    melody_bars,
    meter_beats,
    plan_form,
    quantise_melody,
)
from humitout.music.harmony import estimate_key, harmonise, symbols_per_bar
from humitout.music.styles import choose_style, nearest_ratio, profile, song_tempo, tempo_ratios
from humitout.music.theory import midi_to_name

KEY_CONFIDENCE_TRUSTED = 0.2  # below it the Transcribe stage itself warns "key uncertain"
LLM_LENGTH_SLACK = 0.25  # an LLM's form may miss the requested length range by this share of it


@dataclass(frozen=True)
class ComposeSession:
    """One Compose run: the hum, the caller's style (None = "choose for me"), the song
    length they asked for, the seed of every random choice of the arrangement and the song tempo (BPM) they
    asked for ("half", "double"; None: the style's choice)."""

    analysis: Analysis
    requested_style: Style | None
    length: SongLength = "normal"
    variation_seed: int = 0
    asked_tempo_bpm: float | None = None

    @property
    def beats_per_bar(self) -> int:
        """Quarter-note beats per bar of the song (4/4: 4, 3/4 and 6/8: 3, 2/4: 4, see meter_beats)."""
        return meter_beats(self.analysis)

    @property
    def ratios(self) -> tuple[float, ...]:
        """Song beats per hum beat the song may use (:func:`~humitout.music.styles.tempo_ratios`); only the one
        nearest the caller's asked tempo when they asked for one."""
        if self.asked_tempo_bpm:
            return (nearest_ratio(self.analysis.tempo_bpm, self.asked_tempo_bpm, self.beats_per_bar),)
        return tempo_ratios(self.beats_per_bar)

    def beat_ratio(self, tempo_bpm: float) -> float:
        """Song beats per hum beat for a song at ``tempo_bpm``: the allowed ratio (1, 2, 1/2)
        nearest to tempo / hum tempo (on a log scale). The song then plays at exactly the hum's
        tempo times that ratio (:meth:`song_tempo`), so the melody keeps the hum's speed."""
        ratio = tempo_bpm / self.analysis.tempo_bpm
        return min(self.ratios, key=lambda r: abs(math.log2(ratio / r)))

    def song_tempo(self, tempo_bpm: float) -> float:
        """The exact song tempo (BPM) for a proposed ``tempo_bpm``: the hum's tempo times
        :meth:`beat_ratio`."""
        return round(self.analysis.tempo_bpm * self.beat_ratio(tempo_bpm), 3)

    def melody(self, tempo_bpm: float) -> list[NoteEvent]:
        """The quantised hum in song beats at ``tempo_bpm``."""
        return quantise_melody(self.analysis, self.beat_ratio(tempo_bpm))


@dataclass
class Decisions:
    """The replies posted so far in the chat, by agent."""

    analyst: AnalystReport | None = None
    style: StyleChoice | None = None
    chords: ChordProposal | None = None
    form: ArrangementChoice | None = None

    def key(self, session: ComposeSession) -> Key:
        report = self.analyst or analyst_reply(session, self)
        return Key(tonic_pc=report.tonic_pc, mode=report.mode, confidence=session.analysis.key.confidence)

    def style_choice(self, session: ComposeSession) -> StyleChoice:
        return self.style or genre_reply(session, self)

    def record(self, agent: str, reply: Reply) -> None:
        setattr(self, {"MusicAnalyst": "analyst", "GenreSpecialist": "style", "ChordComposer": "chords",
                       "ArrangementDirector": "form"}[agent], reply)


def analyst_reply(session: ComposeSession, decisions: Decisions) -> AnalystReport:
    """The Transcribe stage's key (Analysis.key); only when its confidence is below
    KEY_CONFIDENCE_TRUSTED, the key of the quantised melody (metrically weighted) if that
    estimate is the more confident of the two."""
    detected = session.analysis.key
    if detected.confidence >= KEY_CONFIDENCE_TRUSTED:
        return AnalystReport(tonic=detected.tonic, mode=detected.mode,
                             reason=f"key detector says {detected.name} (confidence {detected.confidence:.2f})")
    melody = session.melody(session.analysis.tempo_bpm)
    tonic_pc, mode, confidence = estimate_key(melody, session.beats_per_bar)
    if confidence <= detected.confidence or (tonic_pc, mode) == (detected.tonic_pc, detected.mode):
        return AnalystReport(tonic=detected.tonic, mode=detected.mode,
                             reason=f"key detector says {detected.name} (confidence {detected.confidence:.2f}); "
                                    f"the melody's own estimate is no surer")
    return AnalystReport(tonic=PITCH_CLASS_NAMES[tonic_pc], mode=mode,
                         reason=f"detector unsure ({detected.name}, confidence {detected.confidence:.2f}); the "
                                f"melody's metrically weighted pitch profile fits {PITCH_CLASS_NAMES[tonic_pc]} "
                                f"{mode} (confidence {confidence:.2f})")


def song_tempo_for(session: ComposeSession, style: Style) -> tuple[float, float]:
    """(song tempo BPM, ratio): the hum's tempo x 1, 2 or 1/2 that suits ``style``, or lies nearest the tempo
    the caller asked for (:func:`~humitout.music.styles.song_tempo`); the melody keeps its speed."""
    return song_tempo(session.analysis.tempo_bpm, style, session.beats_per_bar, asked_bpm=session.asked_tempo_bpm)


def genre_reply(session: ComposeSession, decisions: Decisions) -> StyleChoice:
    """The caller's style, or one chosen from the mood; the hum's tempo, doubled or halved when
    that suits the style better (:func:`song_tempo_for`)."""
    if session.requested_style is not None:
        style, why = session.requested_style, "the caller chose it"
    else:
        style, why = choose_style(session.analysis.mood)
    tempo, ratio = song_tempo_for(session, style)
    how = {1.0: "kept", 2.0: "doubled", 0.5: "halved"}[ratio]
    asked = f" as the caller asked ({session.asked_tempo_bpm:.0f} BPM)" if session.asked_tempo_bpm else ""
    return StyleChoice(style=style, tempo_bpm=tempo,
                       reason=f"{style.value}: {why}; hum tempo {session.analysis.tempo_bpm:.1f} BPM "
                              f"{how}{asked} ({tempo:.1f} BPM), melody at the hum's speed")


def chord_reply(session: ComposeSession, decisions: Decisions) -> ChordProposal:
    """The harmoniser's progression (Viterbi over the style's vocabulary)."""
    key = decisions.key(session)
    choice = decisions.style_choice(session)
    melody = session.melody(choice.tempo_bpm)
    beats = session.beats_per_bar
    bars = melody_bars(melody, beats)
    slots = harmonise(melody, bars, key.tonic_pc, key.mode, profile(choice.style), beats)
    romans = " ".join(slot.roman for slot in slots)
    return ChordProposal.model_validate(
        {"bars": symbols_per_bar(slots, bars, beats),
         "reason": f"harmoniser over {choice.style.value} vocabulary in {key.name}: {romans}"},
        context=meter_context(beats))


def director_reply(session: ComposeSession, decisions: Decisions) -> ArrangementChoice:
    """The song form for the requested length at the song tempo (see
    :func:`~humitout.music.arrangement.plan_form`): intro, verse, pre-chorus, chorus, bridge,
    outro as the length allows, a short hum played more than once in each verse and chorus."""
    tempo = decisions.style_choice(session).tempo_bpm
    beats = session.beats_per_bar
    melody = session.melody(tempo)
    form = plan_form(melody_bars(melody, beats), beats, tempo, session.length, session.variation_seed)
    low, high = SONG_LENGTHS_S[session.length]
    copies = (f"the {form.verse_bars}-bar hum repeated {form.hum_copies}x in each verse and chorus"
              if form.hum_copies > 1 else f"the {form.verse_bars}-bar hum once in each verse and chorus")
    return ArrangementChoice(
        intro_bars=form.intro_bars, repeat_verse=form.hum_copies > 1, ending_bars=form.ending_bars,
        sections=list(form.middle),
        reason=f"{session.length} song ({low:.0f}-{high:.0f} s): "
               f"{' - '.join(f'{s.name} {s.bars}' for s in form.sections())} bars, "
               f"{form.duration_s(tempo):.0f} s at {tempo:g} BPM; {copies}; the outro cadences to the tonic "
               f"(variation seed {session.variation_seed})")


RULES = {
    "MusicAnalyst": analyst_reply,
    "GenreSpecialist": genre_reply,
    "ChordComposer": chord_reply,
    "ArrangementDirector": director_reply,
}


def check_reply(agent: str, reply: Reply, session: ComposeSession, decisions: Decisions) -> None:
    """Session-aware checks of an LLM reply (raises ValueError when it cannot be used)."""
    if isinstance(reply, StyleChoice):
        check_style_choice(reply, session.requested_style)
        ratio = reply.tempo_bpm / session.analysis.tempo_bpm
        if not any(math.isclose(ratio, r, rel_tol=0.03) for r in session.ratios):
            raise ValueError(f"tempo {reply.tempo_bpm:g} BPM is not the hum's {session.analysis.tempo_bpm:g} BPM "
                             f"times one of {session.ratios} (within 3 %): the melody would change speed")
    elif isinstance(reply, ChordProposal):
        key = decisions.key(session)
        melody = session.melody(decisions.style_choice(session).tempo_bpm)
        beats = session.beats_per_bar
        check_chord_proposal(reply, melody, melody_bars(melody, beats), key.tonic_pc, key.mode, beats)
    elif isinstance(reply, ArrangementChoice) and reply.sections:
        tempo = decisions.style_choice(session).tempo_bpm
        beats = session.beats_per_bar
        verse_bars = melody_bars(session.melody(tempo), beats)
        form = Form.build(reply.sections, verse_bars, intro_bars=reply.intro_bars, ending_bars=reply.ending_bars,
                          hum_copies=hum_copies_for(verse_bars) if reply.repeat_verse else 1, beats_per_bar=beats)
        low, high = SONG_LENGTHS_S[session.length]
        duration = form.duration_s(tempo)
        if not low * (1 - LLM_LENGTH_SLACK) <= duration <= high * (1 + LLM_LENGTH_SLACK):
            raise ValueError(f"that form lasts {duration:.0f} s; the caller asked for a {session.length} song "
                             f"({low:.0f}-{high:.0f} s)")


def melody_brief(melody: list[NoteEvent], beats_per_bar: int = 4) -> list[str]:
    """The melody per bar of ``beats_per_bar`` beats as "beat:note(beats)" text for the LLM,
    e.g. "0:E4(1)"."""
    lines: dict[int, list[str]] = {}
    for note in melody:
        bar = int(note.start_beat // beats_per_bar)
        lines.setdefault(bar, []).append(
            f"{note.start_beat - beats_per_bar * bar:g}:{midi_to_name(note.pitch)}({note.duration_beats:g})")
    return [f"bar {bar + 1}: " + " ".join(notes) for bar, notes in sorted(lines.items())]
