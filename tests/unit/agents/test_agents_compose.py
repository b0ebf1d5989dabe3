"""The Compose group chat in both modes: rules only, and a scripted LLM (valid, invalid,
slow, off-brief), plus the real OpenAI client against a local chat-completions server."""
import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ag2.events import ModelMessage, ModelResponse

from humitout.agents.compose import compose_arrangement, llm_from_env
from humitout.agents.llm import LLMSettings
from humitout.errors import BadAudio
from pydantic import ValidationError

from humitout.agents.rules import ComposeSession, Decisions, analyst_reply
from humitout.agents.schemas import ChordProposal
from humitout.models import Arrangement, Key, Style

TUNE = [(60, 0, 1), (64, 1, 1), (67, 2, 2), (65, 4, 1), (69, 5, 1), (72, 6, 2),
        (67, 8, 1), (71, 9, 1), (74, 10, 2), (72, 12, 4)]
AGENTS = ["MusicAnalyst", "GenreSpecialist", "ChordComposer", "ArrangementDirector"]

VALID = {
    "MusicAnalyst": {"tonic": "C", "mode": "major", "reason": "the tune outlines C major"},
    "GenreSpecialist": {"style": "jazz", "tempo_bpm": 100, "reason": "bouncy arpeggios swing"},
    "ChordComposer": {"bars": [["C6"], ["F", "Am"], ["G7"], ["C"]], "reason": "I-IV-V-I with a vi"},
    "ArrangementDirector": {"intro_bars": 1, "repeat_verse": True, "ending_bars": 2, "reason": "short hum"},
}


class ScriptedConfig:
    """An AG2 ModelConfig whose model answers each agent from ``replies`` (by the agent name
    in its system prompt): a string, an exception to raise, or ("sleep", seconds)."""

    provider = "openai"
    model = "scripted"

    def __init__(self, replies):
        self.replies = replies
        self.calls = []

    def copy(self):
        return self

    def create(self):
        async def client(messages, context, **kwargs):
            agent = next(name for name in AGENTS if f"You are the {name}" in " ".join(context.prompt))
            self.calls.append((agent, messages))
            reply = self.replies[agent]
            if isinstance(reply, BaseException):
                raise reply
            if isinstance(reply, tuple):
                await asyncio.sleep(reply[1])
                reply = json.dumps(VALID[agent])
            return ModelResponse(ModelMessage(reply))
        return client


def by_agent(arrangement: Arrangement):
    return {d.agent: d for d in arrangement.rationale}


@pytest.mark.parametrize("style", [None, *Style])
def test_rules_mode_runs_the_chat_for_every_style(style, make_hum):
    arrangement = compose_arrangement(make_hum(TUNE), style)
    if style is not None:
        assert arrangement.style == style
    assert [d.agent for d in arrangement.rationale] == AGENTS
    assert {d.source for d in arrangement.rationale} == {"rules"}
    assert [p.name for p in arrangement.parts] == ["drums", "bass", "chords", "pad", "melody"]
    assert all(p.notes for p in arrangement.parts)


def test_short_hum_is_repeated_and_ends_on_the_tonic(make_hum):
    arrangement = compose_arrangement(make_hum([(64, 0, 1), (62, 1, 1), (60, 2, 2)]), Style.POP)
    verse = arrangement.sections[1]
    assert (verse.name, verse.bars) == ("verse", 8)  # the 2-bar hum 4 times
    assert len(arrangement.part("melody").notes) >= 4 * 3
    assert arrangement.chords[-1].symbol == "C"
    assert "repeated 4x" in by_agent(arrangement)["ArrangementDirector"].reason


def test_minor_hum(make_hum, make_arpeggios):
    hum = make_hum(make_arpeggios([(57, 60, 64), (62, 65, 69), (64, 68, 71), (69, 72, 76)]), tonic_pc=9, mode="minor")
    arrangement = compose_arrangement(hum, Style.POP)
    assert [c.symbol for c in arrangement.chords if arrangement.sections[1].start_bar * 4 <= c.start_beat
            < (arrangement.sections[1].start_bar + 4) * 4] == ["Am", "Dm", "E", "Am"]


def test_valid_llm_replies_are_used_and_recorded_as_llm(make_hum):
    config = ScriptedConfig({agent: json.dumps(reply) for agent, reply in VALID.items()})
    arrangement = compose_arrangement(make_hum(TUNE), llm=LLMSettings(config, timeout_s=5))
    assert {d.source for d in arrangement.rationale} == {"llm"}
    assert arrangement.style == Style.JAZZ and arrangement.tempo_bpm == 100
    assert [(s.name, s.bars) for s in arrangement.sections[:2]] == [("intro", 1), ("verse", 8)]
    assert (arrangement.sections[-1].name, arrangement.sections[-1].bars) == ("outro", 4)  # cadence + 2 held
    verse = [c.symbol for c in arrangement.chords][1:6]
    assert verse == ["C6", "F", "Am", "G7", "C"]
    # the chat really ran: later agents saw the earlier agents' JSON replies
    composer_messages = dict(config.calls)["ChordComposer"]
    assert any("[GenreSpecialist]" in str(m) for m in composer_messages)


def test_invalid_json_falls_back_to_rules_and_is_recorded(make_hum):
    replies = {agent: json.dumps(reply) for agent, reply in VALID.items()}
    replies["ChordComposer"] = "Sure! I'd suggest C, F, G and C."
    arrangement = compose_arrangement(make_hum(TUNE), llm=LLMSettings(ScriptedConfig(replies), timeout_s=5))
    decisions = by_agent(arrangement)
    assert decisions["ChordComposer"].source == "rules"
    assert "LLM reply invalid" in decisions["ChordComposer"].reason
    assert decisions["GenreSpecialist"].source == "llm"
    # the rules harmonised in the style the LLM chose: jazz has no plain triads
    assert all(c.quality not in ("maj", "min") for c in arrangement.chords)


def test_timeout_provider_error_and_off_brief_replies_fall_back(make_hum):
    replies = {
        "MusicAnalyst": ("sleep", 2.0),
        "GenreSpecialist": json.dumps(VALID["GenreSpecialist"]),  # jazz, but the caller asked for rock
        "ChordComposer": RuntimeError("provider down"),
        "ArrangementDirector": json.dumps({"intro_bars": 9, "repeat_verse": True, "ending_bars": 1,
                                           "reason": "long intro"}),
    }
    arrangement = compose_arrangement(make_hum(TUNE), Style.ROCK,
                                      llm=LLMSettings(ScriptedConfig(replies), timeout_s=0.3))
    decisions = by_agent(arrangement)
    assert {d.source for d in arrangement.rationale} == {"rules"}
    assert "timed out" in decisions["MusicAnalyst"].reason
    assert "asked for rock" in decisions["GenreSpecialist"].reason
    assert "LLM call failed (RuntimeError)" in decisions["ChordComposer"].reason
    assert "LLM reply invalid" in decisions["ArrangementDirector"].reason
    assert arrangement.style == Style.ROCK


def test_an_llm_form_is_used_when_it_starts_with_the_verse_and_fits_the_length(make_hum):
    form = {"intro_bars": 4, "repeat_verse": True, "ending_bars": 1, "sections": ["verse", "chorus", "bridge", "chorus"],
            "reason": "verse, chorus, bridge, chorus"}
    replies = {**{agent: json.dumps(reply) for agent, reply in VALID.items()}, "ArrangementDirector": json.dumps(form)}
    arrangement = compose_arrangement(make_hum(TUNE), llm=LLMSettings(ScriptedConfig(replies), timeout_s=5))
    assert by_agent(arrangement)["ArrangementDirector"].source == "llm"
    assert [s.name for s in arrangement.sections] == ["intro", "verse", "chorus", "bridge", "chorus", "outro"]
    for bad, why in (({**form, "sections": ["chorus", "verse"]}, "LLM reply invalid"),
                     ({**form, "sections": ["verse"] + ["chorus", "bridge"] * 4}, "the caller asked for a normal")):
        replies["ArrangementDirector"] = json.dumps(bad)
        arrangement = compose_arrangement(make_hum(TUNE), llm=LLMSettings(ScriptedConfig(replies), timeout_s=5))
        director = by_agent(arrangement)["ArrangementDirector"]
        assert director.source == "rules" and why in director.reason, director.reason
        assert 60 <= arrangement.duration_s <= 90


def test_the_requested_length_and_seed_reach_the_arrangement(make_hum):
    short = compose_arrangement(make_hum(TUNE), Style.POP, length="short", variation_seed=3)
    long = compose_arrangement(make_hum(TUNE), Style.POP, length="long", variation_seed=4)
    assert (short.length, short.variation_seed, long.length, long.variation_seed) == ("short", 3, "long", 4)
    assert short.duration_s <= 50 < 110 <= long.duration_s
    assert "variation seed 4" in by_agent(long)["ArrangementDirector"].reason


def test_chords_that_clash_with_the_melody_are_rejected(make_hum):
    replies = {agent: json.dumps(reply) for agent, reply in VALID.items()}
    replies["ChordComposer"] = json.dumps({"bars": [["F#"], ["C#"], ["F#"], ["Bb"]], "reason": "bold"})
    arrangement = compose_arrangement(make_hum(TUNE), llm=LLMSettings(ScriptedConfig(replies), timeout_s=5))
    assert "chord tones" in by_agent(arrangement)["ChordComposer"].reason


def test_no_notes_is_bad_audio(make_hum):
    hum = make_hum(TUNE).model_copy(update={"notes": []})
    with pytest.raises(BadAudio):
        compose_arrangement(hum)


def test_llm_from_env():
    assert llm_from_env({}) is None
    settings = llm_from_env({"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"})
    assert settings.model_config.model == "gpt-4o-mini"


class _ChatCompletions(BaseHTTPRequestHandler):
    """A tiny OpenAI chat-completions endpoint answering each agent with its VALID reply."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        system = " ".join(str(m.get("content")) for m in body["messages"] if m["role"] in ("system", "developer"))
        agent = next(name for name in AGENTS if f"You are the {name}" in system)
        content = json.dumps(VALID[agent]) if agent != "ArrangementDirector" else "{not json"
        payload = json.dumps({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def test_openai_client_against_a_local_server(make_hum):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChatCompletions)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = llm_from_env({"OPENAI_API_KEY": "sk-test",
                                 "OPENAI_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}/v1"})
        arrangement = compose_arrangement(make_hum(TUNE), llm=settings)
    finally:
        server.shutdown()
    sources = {d.agent: d.source for d in arrangement.rationale}
    assert sources == {"MusicAnalyst": "llm", "GenreSpecialist": "llm", "ChordComposer": "llm",
                       "ArrangementDirector": "rules"}
    assert arrangement.style == Style.JAZZ


A_MINOR_TUNE = [(69, 0, 1), (72, 1, 1), (76, 2, 2), (74, 4, 1), (72, 5, 1), (71, 6, 2), (68, 8, 1), (71, 9, 1),
                (76, 10, 2), (69, 12, 4)]


def _with_key(analysis, tonic_pc, mode, confidence):
    return analysis.model_copy(update={"key": Key(tonic_pc=tonic_pc, mode=mode, confidence=confidence)})


@pytest.mark.parametrize("confidence", [0.25, 0.5, 0.9])
def test_the_analysis_key_is_used_unless_its_confidence_is_low(confidence, make_hum):
    hum = _with_key(make_hum(A_MINOR_TUNE), 0, "major", confidence)  # C major: relative of the tune's A minor
    reply = analyst_reply(ComposeSession(hum, Style.POP), Decisions())
    assert (reply.tonic, reply.mode) == ("C", "major")
    assert "key detector says C major" in reply.reason


def test_a_low_confidence_key_falls_back_to_the_melodys_own_estimate(make_hum):
    hum = _with_key(make_hum(A_MINOR_TUNE), 7, "major", 0.05)
    reply = analyst_reply(ComposeSession(hum, Style.POP), Decisions())
    assert (reply.tonic, reply.mode) == ("A", "minor")
    assert "detector unsure" in reply.reason
    arrangement = compose_arrangement(hum, Style.POP)
    assert arrangement.key.name == "A minor" and arrangement.chords[-1].symbol == "Am"


def test_chord_proposals_take_1_2_or_4_chords_a_bar():
    assert ChordProposal(bars=[["C"], ["F", "G"], ["C", "C", "G7", "C"]], reason="x")
    with pytest.raises(ValidationError):
        ChordProposal(bars=[["C", "F", "G"]], reason="x")


def test_the_rules_post_per_beat_chords_when_the_harmoniser_changes_on_a_beat(make_hum):
    hum = make_hum([(60, 0, 1), (64, 1, 1), (60, 2, 1), (71, 3, 0.5), (74, 3.5, 0.5), (72, 4, 4)])
    arrangement = compose_arrangement(hum, Style.POP)
    proposal = by_agent(arrangement)["ChordComposer"].decision
    assert proposal.startswith("verse chords C C C G | C")
    verse = [(c.start_beat, c.symbol) for c in arrangement.chords if 8 <= c.start_beat < 16]
    assert verse == [(8.0, "C"), (11.0, "G"), (12.0, "C")]


def test_an_llm_tempo_other_than_the_callers_half_time_falls_back_to_the_rules_at_half_time(make_hum):
    # VALID's GenreSpecialist keeps the hum's 100 BPM; the caller asked for half time (50 BPM)
    config = ScriptedConfig({agent: json.dumps(reply) for agent, reply in VALID.items()})
    arrangement = compose_arrangement(make_hum(TUNE), llm=LLMSettings(config, timeout_s=5), asked_tempo_bpm=50.0)
    specialist = by_agent(arrangement)["GenreSpecialist"]
    assert specialist.source == "rules" and "melody would change speed" in specialist.reason
    assert "as the caller asked (50 BPM)" in specialist.reason
    assert arrangement.tempo_bpm == 50.0 and arrangement.beat_ratio == 0.5
    brief = dict(config.calls)["GenreSpecialist"][0].parts[0].content   # the brief told the LLM
    assert json.loads(brief.split(": ", 1)[1])["caller_tempo_bpm"] == 50.0
