"""Where the words of the lyrics fall on the melody (pure Python: the web pages use it too,
without the MIDI libraries)."""
from __future__ import annotations

from humitout.models import Arrangement, NoteEvent


def melody_notes(arrangement: Arrangement) -> list[NoteEvent]:
    """The melody part's notes sorted by start beat (empty if there is no melody part)."""
    try:
        notes = arrangement.part("melody").notes
    except KeyError:
        return []
    return sorted(notes, key=lambda n: (n.start_beat, n.pitch))


def spread_lyrics(text: str, note_count: int) -> list[tuple[int, str]]:
    """Spread the words of ``text`` evenly over ``note_count`` notes.

    Returns ``(note_index, words)`` pairs in note order; when there are more
    words than notes, neighbouring words share a note (joined by spaces).
    """
    words = text.split()
    if not words or note_count <= 0:
        return []
    by_note: dict[int, list[str]] = {}
    for i, word in enumerate(words):
        by_note.setdefault(i * note_count // len(words), []).append(word)
    return [(index, " ".join(group)) for index, group in sorted(by_note.items())]
