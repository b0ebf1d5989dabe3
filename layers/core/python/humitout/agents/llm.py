"""LLM configuration and the guarded model client every agent speaks through.

``GuardedConfig`` is an AG2 ``ModelConfig``: its client asks the LLM (when one is
configured), parses and validates the reply, and falls back to the agent's deterministic
reply when there is no LLM or its reply is invalid, fails or times out. Either way it posts
a validated JSON reply and records who decided, why, and whether the LLM or the rules did.
"""
from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ag2.config import ModelConfig, ModelProvider
from ag2.events import BaseEvent, ModelMessage, ModelRequest, ModelResponse, TextInput
from pydantic import ValidationError

from humitout.agents.rules import RULES, ComposeSession, Decisions, check_reply
from humitout.agents.schemas import REPLY_MODELS, Reply, parse_reply

DEFAULT_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class LLMSettings:
    """The LLM the agents use: any AG2 ``ModelConfig`` and a per-reply timeout in seconds."""

    model_config: ModelConfig
    timeout_s: float = DEFAULT_TIMEOUT_S


def llm_from_settings(settings) -> LLMSettings | None:
    """OpenAI settings from :class:`humitout.config.Settings` (its key comes from Secrets Manager
    in AWS); None when no key is configured."""
    from humitout.config import is_configured

    if not is_configured(settings.openai_api_key):
        return None
    from ag2.config import OpenAIConfig

    config = OpenAIConfig(model=settings.llm_model, api_key=settings.openai_api_key,
                          base_url=settings.openai_base_url or None, temperature=0.3, max_retries=1,
                          timeout=settings.openai_timeout_s)
    return LLMSettings(model_config=config, timeout_s=settings.llm_timeout_s)


def llm_from_env(environ: dict[str, str] | None = None) -> LLMSettings | None:
    """:func:`llm_from_settings` of ``Settings.from_env(environ)`` (OPENAI_API_KEY, OPENAI_BASE_URL,
    HUMITOUT_LLM_MODEL, HUMITOUT_LLM_TIMEOUT_S)."""
    from humitout.config import Settings

    return llm_from_settings(Settings.from_env(environ))


@dataclass(frozen=True)
class Outcome:
    """One agent's turn: its reply, whether the LLM or the rules gave it, and why the LLM's
    reply was not used (empty when it was, or when no LLM is configured)."""

    agent: str
    reply: Reply
    source: str
    fallback_note: str = ""


_SPEAKER = re.compile(r"^\[(\w+)\]:\s*(.*)$", re.DOTALL)


def _texts(messages: Sequence[BaseEvent]) -> list[str]:
    texts: list[str] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            texts.extend(part.content for part in message.parts if isinstance(part, TextInput))
        elif isinstance(message, ModelMessage) and message.content:
            texts.append(message.content)
    return texts


def decisions_from_chat(messages: Sequence[BaseEvent], beats_per_bar: int = 4) -> Decisions:
    """The agents' replies found in the chat so far ("[Agent]: {json}" lines), read in a song
    of ``beats_per_bar``/4."""
    decisions = Decisions()
    for text in _texts(messages):
        match = _SPEAKER.match(text)
        if match and match.group(1) in REPLY_MODELS:
            try:
                decisions.record(match.group(1), parse_reply(match.group(1), match.group(2), beats_per_bar))
            except (ValueError, ValidationError):
                continue
    return decisions


@dataclass
class GuardedClient:
    """AG2 LLM client for one agent: LLM reply if valid, else the rules' reply."""

    agent: str
    session: ComposeSession
    llm: Any | None  # an AG2 LLMClient
    timeout_s: float
    on_outcome: Callable[[Outcome], None]

    async def __call__(self, messages: Sequence[BaseEvent], context: Any, **kwargs: Any) -> ModelResponse:
        decisions = decisions_from_chat(messages, self.session.beats_per_bar)
        reply, note = (None, "") if self.llm is None else await self._ask_llm(messages, context, decisions, kwargs)
        if reply is not None:
            outcome = Outcome(self.agent, reply, "llm")
        else:
            outcome = Outcome(self.agent, RULES[self.agent](self.session, decisions), "rules", note)
        self.on_outcome(outcome)
        message = ModelMessage(outcome.reply.model_dump_json())
        await context.send(message)
        return ModelResponse(message)

    async def _ask_llm(self, messages: Sequence[BaseEvent], context: Any, decisions: Decisions,
                       kwargs: dict[str, Any]) -> tuple[Reply | None, str]:
        """The LLM's reply if it parses and passes the checks, else None and why not."""
        try:
            response = await asyncio.wait_for(self.llm(messages, context, **kwargs), self.timeout_s)
            reply = parse_reply(self.agent, response.content or "", self.session.beats_per_bar)
            check_reply(self.agent, reply, self.session, decisions)
        except asyncio.TimeoutError:
            return None, f"LLM timed out after {self.timeout_s:g} s"
        except (ValueError, ValidationError) as error:
            return None, f"LLM reply invalid ({str(error).splitlines()[0][:160]})"
        except Exception as error:  # a provider failure must not stop the song
            return None, f"LLM call failed ({type(error).__name__})"
        return reply, ""


@dataclass
class GuardedConfig:
    """AG2 ``ModelConfig`` whose client is a :class:`GuardedClient`."""

    agent: str
    session: ComposeSession
    llm: LLMSettings | None
    on_outcome: Callable[[Outcome], None]
    model: str = field(default="humitout-rules")

    @property
    def provider(self) -> ModelProvider:
        return self.llm.model_config.provider if self.llm else ModelProvider.OPENAI

    def copy(self) -> "GuardedConfig":
        return self

    def create(self) -> GuardedClient:
        inner = self.llm.model_config.create() if self.llm else None
        timeout = self.llm.timeout_s if self.llm else DEFAULT_TIMEOUT_S
        return GuardedClient(self.agent, self.session, inner, timeout, self.on_outcome)

    def create_files_client(self) -> Any:
        raise NotImplementedError("GuardedConfig has no Files API")
