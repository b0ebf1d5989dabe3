"""Lyrics with OpenAI Whisper (word timestamps). The OpenAI client is injected by the caller."""
from __future__ import annotations

import logging
import re
from typing import Any

from humitout.models import LyricWord, Lyrics

log = logging.getLogger(__name__)

# what Whisper prints for a wordless hum: music notes, punctuation, "mm", "hmm", "la la"...
_NON_LYRIC = re.compile(r"^(?:[\W_]|\b(?:m+|h+m+|mm+-?hm+|la|da|doo|du|na|ah|oh|ooh)\b)*$", re.IGNORECASE)


def _field(obj: Any, name: str, default=None):
    """``obj.name`` or ``obj[name]`` (the SDK returns models; extra fields may stay dicts)."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def transcribe_lyrics(data: bytes, client: Any | None, *, filename: str = "recording.wav") -> Lyrics:
    """Words sung in the recording ``data`` (audio file bytes) via Whisper.

    ``client`` is an ``openai.OpenAI``; without one, or when Whisper fails or
    hears only humming syllables, returns ``Lyrics(source="none")``: lyrics are
    optional and never fail the pipeline.
    """
    if client is None or not data:
        return Lyrics()
    import openai

    try:
        resp = client.audio.transcriptions.create(
            model="whisper-1", file=(filename, data), response_format="verbose_json",
            timestamp_granularities=["word"])
    except openai.OpenAIError as exc:
        log.warning("whisper failed, continuing without lyrics: %s", exc)
        return Lyrics()
    text = (_field(resp, "text", "") or "").strip()
    if _NON_LYRIC.match(text):
        return Lyrics()
    words = [LyricWord(word=str(_field(w, "word", "")).strip(), start_s=float(_field(w, "start", 0.0)),
                       end_s=float(_field(w, "end", 0.0)))
             for w in (_field(resp, "words", None) or [])]
    return Lyrics(source="whisper", text=text, language=_field(resp, "language"), words=words)
