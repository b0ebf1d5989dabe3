"""How the call sounded: what the line and the room added around the caller's notes.

Read once the notes are known, from what the front end already measured (pitch track, frame energy, lost
audio, whether the call was freed of a room's reverberation), so it costs a few array operations. Each
condition is a tip for the caller's next call, never a reason to refuse this one (refusals are
:class:`~humitout.errors.BadAudio`'s):

- ``background_voices``: pitched sound away from the caller's notes (talkers, a TV), ``voices_under_db`` dB or
  more under the notes' median level, for ``voices_min_s`` s or more. A voice is pitched; the noise of a
  street, a car or a fan is not; a room's tail is cut off by the margin after each note; and the caller's own
  words before or after the hum ("OK, here goes") are as loud as the hum, or known as words (``words_s``).
- ``background_noise``: the notes' median level less than ``noisy_under_db`` dB over the median level away
  from them, the caller's own voice left out (read only where ``background_min_s`` s of such frames exist),
  in a call without background voices (talkers are noise too, and their tip says more).
- ``room_echo``: the call was reverberant (:func:`~humitout.audio.enhance.enhance_call`: its level never falls
  faster than a room's tail lets it): a speakerphone or a hands-free kit in a room. The note stage's own
  release test (``release_window_s``) also finds rooms the front end misses, but a singer whose notes fade
  slowly meets it too, so it tells no caller of a speakerphone.
- ``dropouts``: the line lost audio (digital silence, :func:`~humitout.audio.notes.levels.lost_samples`)
  inside the hum.
- ``started_again``: the caller stopped, said so and started the tune again (``started_again_s``,
  :func:`~humitout.audio.speech.last_take`): the song is of the last take, and the caller hears why.
- ``sang_again``: after their words between two parts of the hum the caller sang the last bit before them again
  (``sang_again``, :func:`~humitout.audio.speech.without_notes_sung_again`): the song keeps the second go.
- ``talked_between``: the caller stopped between two parts of the hum to talk (``talked_between``,
  :func:`~humitout.audio.rhythm.joined_breaks`): the song leaves their words out and runs the tune on.
- ``paused_between``: the caller fell silent between two parts of the hum, out of the tune's time (``paused_between``,
  :func:`~humitout.audio.rhythm.joined_breaks`): the song closes the gap and runs the tune on.

Measured on the phone stress corpus (``./dev bench transcribe --stress``: each condition's share of calls given
each reading: tests/bench/README.md, "How the call sounded").
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from humitout.audio.arrays import true_runs
from humitout.audio.notes.core import NoteEvent
from humitout.models import CALL_CONDITIONS, CallQuality


def within_spans(t: np.ndarray, spans: Iterable[tuple[float, float]], *, before_s: float = 0.0,
                 after_s: float = 0.0) -> np.ndarray:
    """Times ``t`` (n,) (s) bool inside any span (start, end; s) widened by ``before_s`` before its start and
    ``after_s`` after its end."""
    inside = np.zeros(len(t), bool)
    for start, end in spans:
        inside |= (t >= start - before_s) & (t < end + after_s)
    return inside


def away_from_notes(notes: Sequence[NoteEvent], n_frames: int, hop_s: float, *, before_s: float = 0.08,
                    after_s: float = 0.25) -> np.ndarray:
    """Frames (n_frames,) bool at least ``before_s`` s before every note's onset and ``after_s`` s after its
    offset (a room's tail and a singer's release stay with their note)."""
    return ~within_spans(np.arange(n_frames) * hop_s, ((n.onset_s, n.offset_s) for n in notes),
                         before_s=before_s, after_s=after_s)


def read_call(notes: Sequence[NoteEvent], *, hop_s: float, voiced: np.ndarray, confidence: np.ndarray,
              energy_db: np.ndarray, dead: np.ndarray, reverberant: bool, voices_min_s: float = 0.3,
              voice_confidence: float = 0.5, voices_under_db: float = 6.0, noisy_under_db: float = 15.0,
              background_min_s: float = 0.2, before_s: float = 0.08, after_s: float = 0.25,
              words_s: Sequence[tuple[float, float]] = (), started_again_s: float | None = None,
              talked_between: bool = False, sang_again: bool = False,
              paused_between: bool = False, raised_db: float = 0.0, quiet_raise_db: float = 0.0) -> CallQuality:
    """How the call of ``notes`` sounded (module docstring), from its pitch frames every ``hop_s`` s:
    ``voiced`` and ``confidence`` (the tracker's), ``energy_db`` (frame energy, dBFS), ``dead`` (frames
    touched by lost audio) and ``reverberant`` (the front end's finding of a room); ``words_s``: spans
    (start, end, s) of the caller's own words around the hum (:func:`~humitout.audio.speech.without_spoken_edges`)
    and of a take they stopped and the words after it; ``started_again_s``: where the take ``notes`` are of
    starts, when the caller started the tune again (:func:`~humitout.audio.speech.last_take`); ``talked_between``:
    whether they broke off between two parts of the hum to talk; ``sang_again``: whether they then sang the bit before
    their words again; ``paused_between``: whether they fell silent there and the song closed the gap;
    ``raised_db``: the gain (dB) a quiet recording was raised by before it was read
    (:func:`~humitout.audio.decode.conditioned`), ``quiet_voice`` when over ``quiet_raise_db``.

    Pitched frames (``voice_confidence`` or more) ``voices_under_db`` dB or more under the notes' median level
    are background voices, louder ones the caller's own voice; the frames away from the notes are those
    ``before_s`` s before an onset and ``after_s`` s after an offset (:func:`away_from_notes`)."""
    n = len(energy_db)
    whole_call = {"room_echo": reverberant, "quiet_voice": raised_db > quiet_raise_db}   # readings without the notes
    if not notes or n == 0:
        return CallQuality(conditions=[c for c in CALL_CONDITIONS if whole_call.get(c)])
    t = np.arange(n) * hop_s
    in_notes = within_spans(t, ((note.onset_s, note.offset_s) for note in notes))
    away = away_from_notes(notes, n, hop_s, before_s=before_s, after_s=after_s) & ~dead
    sung_db = float(np.median(energy_db[in_notes & ~dead])) if (in_notes & ~dead).any() else -np.inf
    pitched = voiced & (confidence >= voice_confidence)
    own = pitched & (energy_db > sung_db - voices_under_db)   # the caller's own voice: as loud as the hum,
    own |= within_spans(t, words_s, before_s=before_s, after_s=after_s)   # or their words, quieter syllables and all
    voices_s = float(np.count_nonzero(away & pitched & ~own) * hop_s)
    heard = away & ~own & (energy_db > -100.0)   # the background, with a reading (-120 dB: lost audio)
    ratio_db = (sung_db - float(np.median(energy_db[heard]))
                if heard.sum() * hop_s >= background_min_s and np.isfinite(sung_db) else None)
    span = (t >= notes[0].onset_s) & (t < notes[-1].offset_s)
    dropouts = sum(1 for a, b in zip(*true_runs(dead)) if span[a:b].any())
    found = {"started_again": started_again_s is not None, "talked_between": talked_between,
             "paused_between": paused_between, "sang_again": sang_again,
             "background_voices": voices_s >= voices_min_s,
             "background_noise": voices_s < voices_min_s and ratio_db is not None and ratio_db < noisy_under_db,
             "dropouts": dropouts > 0, **whole_call}
    return CallQuality(conditions=[c for c in CALL_CONDITIONS if found[c]],
                       voice_to_background_db=None if ratio_db is None else round(ratio_db, 1),
                       background_voices_s=round(voices_s, 2), dropouts=dropouts,
                       started_again_s=None if started_again_s is None else round(started_again_s, 3))
