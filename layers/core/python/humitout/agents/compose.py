"""Compose stage: the four agents talk in an AG2 round-robin discussion, then the
arrangement is built from their decisions.

Turn order: Producer (the brief) → MusicAnalyst (key) → GenreSpecialist (style, tempo) →
ChordComposer (chords per bar) → ArrangementDirector (form). Every agent answers through a
:class:`~humitout.agents.llm.GuardedConfig`, so the same chat runs with an LLM or with the
rules alone, and ``Arrangement.rationale`` says which one decided each step.
"""
from __future__ import annotations

import asyncio
import json

from ag2 import Agent
from ag2.knowledge import MemoryKnowledgeStore
from ag2.network import EV_TEXT, Hub, HubClient, LocalLink
from ag2.network.identity import Passport

from humitout.agents.llm import GuardedConfig, LLMSettings, Outcome, llm_from_env
from humitout.agents.rules import RULES, ComposeSession, Decisions, genre_reply, melody_brief
from humitout.agents.schemas import (
    AGENT_ORDER,
    REPLY_MODELS,
    AnalystReport,
    ArrangementChoice,
    ChordProposal,
    Reply,
    StyleChoice,
)
from humitout.errors import BadAudio
from humitout.models import AgentDecision, Analysis, Arrangement, SongLength, Style
from humitout.music.arrangement import (SONG_LENGTHS_S, Form, build_arrangement, hum_copies_for, melody_bars, plan_form,
                                        song_time_signature, time_map)

__all__ = ("LLMSettings", "compose_arrangement", "llm_from_env")

CHAT_MARGIN_S = 10.0

ROLES = {
    "MusicAnalyst": "You are the MusicAnalyst. Confirm or correct the key of the hummed melody "
                    "(tonic note name and major/minor) from the brief's key detector and the notes.",
    "GenreSpecialist": "You are the GenreSpecialist. Choose the style (pop, rock, jazz, electronic, "
                       "acoustic, hip-hop) and the song tempo in BPM. If the caller chose a style, keep it. "
                       "The tempo must be the hum's tempo, or exactly double or half it (the melody keeps its "
                       "speed); prefer the one inside the style's usual range, or the one nearest the caller's tempo when "
                       "the brief gives one.",
    "ChordComposer": "You are the ChordComposer. Harmonise the melody in the agreed key and style: give "
                     "1 chord symbol (e.g. C, Am7, G7/B) for every bar of the verse, 2 for a change at mid-bar "
                     "or 4 (one per beat, repeat a symbol to hold it) where the melody needs it (in 3/4: 1, 2 for "
                     "a change on beat 3, or 3 one per beat changing only on beat 3), choosing chords "
                     "whose tones match the melody's long and strong-beat notes, and end with a cadence.",
    "ArrangementDirector": "You are the ArrangementDirector. Choose the song form so that it lasts about the "
                           "requested length at the song tempo: intro bars (0-4), the sections between intro "
                           "and outro in order (verse first, then e.g. pre-chorus, chorus, bridge, chorus; a "
                           "verse or chorus plays the hum, a pre-chorus is 2 bars, a bridge 4), whether a short "
                           "hum is played twice in each verse and chorus, the bars the final tonic is held "
                           "after the outro's cadence (1-2).",
}


def _system_prompt(agent: str) -> str:
    schema = json.dumps(REPLY_MODELS[agent].model_json_schema())
    return (f"{ROLES[agent]} You are one of four agents producing a backing track for a hummed melody; "
            f"read the brief and the other agents' JSON replies. Answer with ONE JSON object only, "
            f"no prose, matching this JSON schema: {schema}")


def _brief(session: ComposeSession) -> str:
    """The Producer's opening message: what was heard and what the caller asked for."""
    analysis = session.analysis
    melody = session.melody(analysis.tempo_bpm)
    return json.dumps({
        "task": "arrange a backing track for this hum",
        "caller_style": session.requested_style.value if session.requested_style else "choose for me",
        "hum_tempo_bpm": round(analysis.tempo_bpm, 1),
        "caller_tempo_bpm": round(session.asked_tempo_bpm, 1) if session.asked_tempo_bpm else "choose for the style",
        "detected_key": analysis.key.name,
        "key_confidence": round(analysis.key.confidence, 2),
        "mood": analysis.mood.model_dump(),
        "time_signature": song_time_signature(analysis).text,
        "verse_bars_at_hum_tempo": melody_bars(melody, session.beats_per_bar),
        "melody_at_hum_tempo (beat in bar:note(duration in beats))": melody_brief(melody, session.beats_per_bar),
        "song_length_s": "{:.0f}-{:.0f} ({})".format(*SONG_LENGTHS_S[session.length], session.length),
        "lyrics": analysis.lyrics.text,
    })


async def _run_discussion(session: ComposeSession, llm: LLMSettings | None) -> dict[str, Outcome]:
    """Run one round of the round-robin discussion; returns each agent's outcome."""
    outcomes: dict[str, Outcome] = {}

    def record(outcome: Outcome) -> None:
        outcomes[outcome.agent] = outcome

    hub = await Hub.open(MemoryKnowledgeStore(), ttl_sweep_interval=0, expectation_sweep_interval=0)
    try:
        for agent in AGENT_ORDER:
            config = GuardedConfig(agent, session, llm, record)
            await hub.register(Agent(agent, prompt=_system_prompt(agent), config=config), attach_plugin=False)
        producer = await HubClient(LocalLink(hub), hub=hub).register_human(Passport(name="Producer"))
        channel = await producer.open(type="discussion", target=list(AGENT_ORDER),
                                      knobs={"ordering": "round_robin"})
        await channel.send(_brief(session))
        turn_limit_s = (llm.timeout_s if llm else 0.0) + CHAT_MARGIN_S
        deadline = asyncio.get_running_loop().time() + turn_limit_s * len(AGENT_ORDER)
        expected_texts = 1 + len(AGENT_ORDER)  # the brief and one reply per agent
        while asyncio.get_running_loop().time() < deadline:
            wal = await hub.read_wal(channel.channel_id)
            if sum(1 for e in wal if e.event_type == EV_TEXT) >= expected_texts:
                break
            await asyncio.sleep(0.005)
        await channel.close(reason="arrangement decided")
    finally:
        await hub.close()
    return outcomes


def _decision_text(reply: Reply) -> str:
    if isinstance(reply, AnalystReport):
        return f"key {reply.tonic} {reply.mode}"
    if isinstance(reply, StyleChoice):
        return f"style {reply.style.value} at {reply.tempo_bpm:g} BPM"
    if isinstance(reply, ChordProposal):
        return "verse chords " + " | ".join(" ".join(bar) for bar in reply.bars)
    assert isinstance(reply, ArrangementChoice)
    middle = ", ".join(reply.sections) if reply.sections else "sections by length"
    return (f"form: intro {reply.intro_bars} bars, {middle}{' (short hum repeated)' if reply.repeat_verse else ''}, "
            f"outro with the tonic held {reply.ending_bars} bar{'s' if reply.ending_bars > 1 else ''}")


def _rationale(outcome: Outcome) -> AgentDecision:
    reason = outcome.reply.reason
    if outcome.fallback_note:
        reason = f"{outcome.fallback_note}; rules: {reason}"
    return AgentDecision(agent=outcome.agent, decision=_decision_text(outcome.reply), reason=reason,
                         source="llm" if outcome.source == "llm" else "rules")


def planned_beat_ratio(analysis: Analysis, style: Style | None = None, *, asked_tempo_bpm: float | None = None) -> float:
    """The song beats per hum beat (1, 2 or 1/2) the rules choose for ``analysis`` in ``style`` (None: the one its
    mood suits) or nearest ``asked_tempo_bpm`` (:func:`~humitout.agents.rules.genre_reply`), before the chat: the
    caller's "shift" goes round a song bar of that many of the hum's beats. An LLM's GenreSpecialist may still
    choose another ratio where the caller asked for no tempo."""
    session = ComposeSession(analysis=analysis, requested_style=style, asked_tempo_bpm=asked_tempo_bpm)
    return session.beat_ratio(genre_reply(session, Decisions()).tempo_bpm)


def compose_arrangement(analysis: Analysis, style: Style | None = None, *,
                        llm: LLMSettings | None = None, length: SongLength = "normal",
                        variation_seed: int = 0, asked_tempo_bpm: float | None = None,
                        bar_shift_beats: int = 0) -> Arrangement:
    """The arrangement for a hum: the agents' group chat (LLM when ``llm`` is given, else the
    rules), then the fully expanded, validated ``Arrangement`` of about the requested
    ``length`` ("short", "normal", "long"), every random choice from ``variation_seed``, at the hum's tempo
    x 1, 2 or 1/2 nearest ``asked_tempo_bpm`` (BPM; the caller's "half" or "double") when given, recording
    ``bar_shift_beats`` (beats the caller moved bar 1 of ``analysis``, already moved).
    Raises BadAudio("no_melody") when the analysis has no notes."""
    if not analysis.notes:
        raise BadAudio("no_melody", "the analysis has no notes")
    session = ComposeSession(analysis=analysis, requested_style=style, length=length, variation_seed=variation_seed,
                             asked_tempo_bpm=asked_tempo_bpm)
    outcomes = asyncio.run(_run_discussion(session, llm))

    decisions = Decisions()
    for agent in AGENT_ORDER:  # an agent that never answered (chat stalled) is decided by the rules
        outcome = outcomes.get(agent) or Outcome(agent, RULES[agent](session, decisions), "rules",
                                                 "no reply in the group chat")
        outcomes[agent] = outcome
        decisions.record(agent, outcome.reply)

    key = decisions.key(session)
    choice = decisions.style_choice(session)
    melody = session.melody(choice.tempo_bpm)
    assert decisions.chords is not None and decisions.form is not None
    verse_bars = len(decisions.chords.bars)
    beats = session.beats_per_bar
    middle = decisions.form.sections or plan_form(verse_bars, beats, session.song_tempo(choice.tempo_bpm), length, variation_seed).middle
    form = Form.build(middle, verse_bars, intro_bars=decisions.form.intro_bars,
                      hum_copies=hum_copies_for(verse_bars) if decisions.form.repeat_verse else 1,
                      ending_bars=decisions.form.ending_bars, beats_per_bar=beats)
    ratio = session.beat_ratio(choice.tempo_bpm)
    return build_arrangement(
        analysis, style=choice.style, tempo_bpm=session.song_tempo(choice.tempo_bpm), key=key, melody=melody,
        verse_chords=decisions.chords.slots(key.tonic_pc, key.mode, beats), form=form,
        rationale=[_rationale(outcomes[agent]) for agent in AGENT_ORDER],
        time_signature=song_time_signature(analysis),
        hum_time_map=time_map(analysis, ratio),
        variation_seed=variation_seed, length=length, beat_ratio=ratio, asked_tempo_bpm=asked_tempo_bpm,
        bar_shift_beats=bar_shift_beats,
    )
